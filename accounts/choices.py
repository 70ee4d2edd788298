from django.db import models
from django.utils.translation import gettext_lazy as _


class SecurityEventKind(models.TextChoices):
    LOGIN = "login", _("Signed in")
    LOGIN_FAILED = "login_failed", _("Sign-in failed")
    LOGOUT = "logout", _("Signed out")
    LOCKED_OUT = "locked_out", _("Locked out")
    UNLOCKED = "unlocked", _("Lockout lifted")
    MFA_FAILED = "mfa_failed", _("Second factor failed")
    MFA_ENROLLED = "mfa_enrolled", _("Second factor enrolled")
    MFA_REMOVED = "mfa_removed", _("Second factor removed")
    MFA_RESET = "mfa_reset", _("Second factors reset by an administrator")
    RECOVERY_CODES = "recovery_codes", _("Recovery codes generated")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET_SENT = "password_reset_sent", _("Password reset requested")
    SESSIONS_ENDED = "sessions_ended", _("All sessions and tokens ended")
    NOT_FOUND = "not_found", _("Person-level object not found")


class SecurityChannel(models.TextChoices):
    PAGE = "page", _("page")
    API = "api", _("API")
    ADMIN = "admin", _("administration")
    SOCKET = "socket", _("websocket")
    COMMAND = "command", _("command")
