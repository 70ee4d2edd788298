from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from partners.models import Partner, Service, StaffMembership, User
from partners.services import user_deactivate


@admin.register(User)
class LswUserAdmin(UserAdmin):
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Local cooperation network"), {"fields": ("language", "email_notifications", "is_regional_monitor")}),
    )
    actions = ["deactivate"]

    @admin.action(description=_("Deactivate and close their open sessions"))
    def deactivate(self, request: Any, queryset: Any) -> None:
        for user in queryset:
            user_deactivate(actor=request.user, user=user)


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


@admin.register(StaffMembership)
class StaffMembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "partner", "role", "is_active"]
    list_filter = ["role", "is_active"]
