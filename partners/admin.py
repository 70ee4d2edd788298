from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.utils.translation import gettext_lazy as _

from accounts.lockout import unlock
from accounts.mfa import factors_reset
from partners.choices import StaffStatus
from partners.models import Partner, Service, StaffMembership, StaffMembershipEvent, User
from partners.services import user_deactivate


class LswUserChangeForm(UserChangeForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        live = StaffMembership.objects.filter(
            user_id=self.instance.pk, status__in=[StaffStatus.PENDING, StaffStatus.ACTIVE]
        )
        if cleaned.get("is_superuser") and self.instance.pk and live.exists():
            # The operator sees no person; a partner's staff member does. One account cannot be both.
            raise forms.ValidationError(
                _(
                    "This account works for a partner (or is invited to): it cannot be a superuser. End its staff "
                    "memberships first, or give the operator a separate account."
                ),
                code="superuser",
            )
        return cleaned


@admin.register(User)
class LswUserAdmin(UserAdmin):
    form = LswUserChangeForm
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Local cooperation network"), {"fields": ("language", "email_notifications", "is_regional_monitor")}),
    )
    actions = ["deactivate", "unlock_sign_in", "reset_second_factors"]

    @admin.action(description=_("Deactivate and close their open sessions"))
    def deactivate(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            user_deactivate(actor=request.user, user=user)

    @admin.action(description=_("Unlock sign-in (lift a lockout after failed attempts)"))
    def unlock_sign_in(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            unlock(actor=request.user, username=user.get_username(), request=request)
        self.message_user(request, _("Sign-in unlocked for the selected users."), messages.SUCCESS)

    @admin.action(description=_("Reset second factors (app, passkeys, recovery codes) and end their sessions"))
    def reset_second_factors(self, request: Any, queryset: Any) -> None:
        """For a lost phone: the user signs in with the password and enrols again (logged, with the admin as the
        actor; every session and token of the user ends)."""
        for user in queryset:
            factors_reset(user=user, actor=request.user, request=request)
        self.message_user(
            request,
            _("Second factors reset: %(count)s account(s). They set up a new one at their next sign-in.")
            % {"count": len(queryset)},
        )


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "sector", "regon", "city"]
    list_filter = ["type", "sector"]
    search_fields = ["name", "regon", "nip"]

    def has_add_permission(self, request: Any) -> bool:
        # A partner needs its staff group: it is created by the coordinator's pages, the API or the import.
        return False


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = ["name", "partner", "category", "capacity", "load"]
    list_filter = ["category"]
    search_fields = ["name", "partner__name"]


class StaffMembershipEventInline(admin.TabularInline):
    model = StaffMembershipEvent
    fields = ["created_at", "action", "actor", "role_before", "role_after", "status_before", "status_after"]
    readonly_fields = ["created_at", "action", "actor", "role_before", "role_after", "status_before", "status_after"]
    extra = 0
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    """Read only: a membership changes through partners.services (the staff page or the API), which refuse the
    superuser and an account of another partner kind, wait for an invited account's confirmation, keep the
    partner's group in step, and log and notify each change. Saving a row here would do none of that."""

    list_display = ["user", "partner", "role", "status"]
    list_filter = ["role", "status"]
    search_fields = ["user__username", "partner__name"]
    inlines = [StaffMembershipEventInline]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
