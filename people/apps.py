"""Persons, consent, cases and paths, plans, assessments, groups and the access log."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = _("People")

    def ready(self) -> None:
        from core import db_roles, jobs
        from people.messages import meeting_reminders
        from people.models import AccessLog
        from people.services import consents_expire

        # A consent that ended by date stops its shares as a withdrawal does (people.shares keepers): a job at its
        # end (people/tasks.py); this sweep catches one that was missed.
        jobs.register("consents ending by date", consents_expire)
        # Tomorrow's group meetings, to the people who agreed to messages on their own pages (issue 18).
        jobs.register("meeting reminders to people", meeting_reminders)
        # The application role may read and add to the access log, never change, delete or empty it.
        db_roles.register_append_only(AccessLog._meta.db_table)
