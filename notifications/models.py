"""The notification record behind every live push (DESIGN §6): the rows are the truth, pushes are hints."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    id = models.BigAutoField(primary_key=True)  # increasing: clients re-sync with ?after=<id>
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("kind"), max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    url = models.CharField(max_length=255, blank=True)
    text = models.CharField(_("text"), max_length=500)  # never health data
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [models.Index(fields=["recipient", "id"], name="notification_recipient")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"
