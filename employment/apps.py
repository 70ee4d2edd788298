"""Placements, candidates, job coaches, retention and IPS figures."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Supported employment")

    def ready(self) -> None:
        from core import jobs
        from employment.applications import remind_retention_checkpoints
        from employment.placements import register_policies

        register_policies()
        jobs.register("retention reminders", remind_retention_checkpoints)
