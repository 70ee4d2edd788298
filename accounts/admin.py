from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from knox.models import AuthToken

from accounts.choices import SecurityEventKind
from accounts.log import record
from accounts.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(admin.ModelAdmin):
    """Read-only: the administrator reads and filters the log; nobody edits or deletes a row here."""

    list_display = ("at", "kind", "username", "actor", "channel", "ip_address", "detail")
    list_filter = ("kind", "channel", ("at", admin.DateFieldListFilter))
    search_fields = ("username", "ip_address", "detail")
    date_hierarchy = "at"
    list_select_related = ("actor",)
    readonly_fields = [f.name for f in SecurityEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


# Lockouts: django-axes' own list of failure counters, where deleting a row lifts that lockout; here each
# removal is written to the security log with the administrator as actor. (The User admin's action "unlock
# sign-in" lifts every lockout of the chosen users at once.)
if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class LockoutAdmin(AccessAttemptAdmin):
    actions = ["unlock", "cleanup_expired_attempts"]

    @admin.action(description=_("Unlock sign-in (remove these failure counters)"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        self.delete_queryset(request, queryset)
        self.message_user(request, _("Sign-in unlocked."), messages.SUCCESS)

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        super().delete_model(request, obj)
        _log_unlocked(request, [obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        rows = list(queryset)
        super().delete_queryset(request, queryset)
        _log_unlocked(request, rows)


def _log_unlocked(request: HttpRequest, rows: list[AccessAttempt]) -> None:
    from accounts.lockout import user_named

    for row in rows:
        record(
            SecurityEventKind.UNLOCKED,
            username=row.username or "",
            user=user_named(row.username or ""),
            actor=request.user,
            request=request,
            detail=f"from {row.ip_address} ({row.failures_since_start} failures)",
        )


# API tokens: knox's admin would let an administrator make a token (one that never expires, too); here they can
# only be looked at (by their first characters, never the hash) and revoked, which is logged.
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("token_key", "user", "created", "expiry")
    list_select_related = ("user",)
    search_fields = ("token_key", "user__username")
    fields = ("token_key", "user", "created", "expiry")
    readonly_fields = fields
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # the revoke action deletes and logs
        return actions

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Revoke the selected API tokens"), permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[AuthToken]) -> None:
        from accounts.tokens import revoke_token

        count = 0
        for token in queryset.select_related("user"):
            count += revoke_token(
                user=token.user,
                token_key=token.token_key,
                digest=token.digest,
                request=request,
                actor=request.user,
                reason="by administrator",
            )
        self.message_user(request, _("Revoked: %(count)d.") % {"count": count}, messages.SUCCESS)


def _unregister_device_admins() -> None:
    """django-otp and django-otp-webauthn register their device models in the admin, where the operator could
    read an app's secret (its QR code) or add a device behind the user's back. The one tool the operator needs
    is the user admin's "reset second factors" action (logged, ends the user's sessions); a user enrols their
    own factors on their account page."""
    from django_otp.plugins.otp_static.models import StaticDevice
    from django_otp.plugins.otp_totp.models import TOTPDevice
    from django_otp_webauthn.models import WebAuthnCredential

    for model in (TOTPDevice, StaticDevice, WebAuthnCredential):
        if admin.site.is_registered(model):
            admin.site.unregister(model)


_unregister_device_admins()
