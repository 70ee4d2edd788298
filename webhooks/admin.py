from django.contrib import admin

from webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin):
    list_display = ["url", "partner", "network", "active", "disabled_reason", "created_at"]
    list_filter = ["active", "disabled_reason"]
    search_fields = ["url", "partner__name", "network__name"]
    # The secret is never shown, not even to the operator: only its owner saw it, once.
    exclude = ["secret"]
    readonly_fields = ["created_by", "disabled_at", "disabled_reason", "failing_since"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["event_type", "subscription", "status", "attempts", "last_status_code", "created_at"]
    list_filter = ["status", "event_type"]
    readonly_fields = [field.name for field in Delivery._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
