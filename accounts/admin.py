from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

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
