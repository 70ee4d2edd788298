"""Signing in: the security log, and (built on it) the second factor, lockout and API tokens."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and sign-in")

    def ready(self) -> None:
        from accounts import idle, lockout, mfa, sessions, tokens
        from accounts.log import purge_security_log
        from accounts.models import SecurityEvent
        from core import db_roles, jobs

        sessions.connect()
        lockout.connect()
        idle.connect()
        mfa.connect()
        jobs.register("security log retention", purge_security_log)
        jobs.register("expired API tokens", tokens.purge_expired_tokens)
        # The application role may read and add to the security log and remove rows past their retention (the
        # table's trigger refuses anything younger); it may never change a row or empty the table.
        db_roles.register_append_only(SecurityEvent._meta.db_table, purge=True)
