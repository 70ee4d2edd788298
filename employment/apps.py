"""Placements, candidates, job coaches, retention and IPS figures."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmploymentConfig(AppConfig):
    name = "employment"
    verbose_name = _("Supported employment")

    def ready(self) -> None:
        from core import jobs
        from employment.export import applications_section
        from employment.placements import register_policies
        from employment.retention import remind_retention_checkpoints
        from people.export import register_section

        register_policies()
        # Candidacies stop when the consent that covers the employer ends (people.shares).
        from employment.shares import register_keeper

        register_keeper()
        # The person's data export lists the employers the person was proposed to (people/ cannot import us).
        register_section("placement_applications", applications_section)
        jobs.register("retention reminders", remind_retention_checkpoints)
