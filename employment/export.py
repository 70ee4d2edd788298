"""The placement applications section of a person's data export (GDPR art. 15): to which employers the person
was proposed, for which position, when, and how far it went. Registered with ``people.export`` by
``EmploymentConfig.ready``. Notes written for the employer or about a decision are not part of it.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from employment.models import ApplicationReason, ApplicationReasonOrigin, JobPlacement, PlacementApplication, Stage
from people.export import Section, choice, label, name_of
from people.models import Person


def applications_section(person: Person) -> Section:
    fields = {
        "proposed_on": _("proposed on"),
        "employer": label(JobPlacement, "employer"),
        "placement": label(JobPlacement, "title"),
        "proposed_by": label(PlacementApplication, "proposed_by_partner"),
        "job_coach": label(PlacementApplication, "job_coach"),
        "stage": label(PlacementApplication, "stage"),
        "stage_changed_at": label(PlacementApplication, "stage_changed_at"),
        "hired_on": label(PlacementApplication, "hired_on"),
        "ended_on": label(PlacementApplication, "ended_on"),
        "reason": _("reason for declining or ending"),
        "reason_origin": label(PlacementApplication, "reason_origin"),
    }
    applications = (
        PlacementApplication.objects.filter(person=person)
        .select_related("placement", "employer", "proposed_by_partner", "job_coach")
        .order_by("created_at", "id")
    )
    rows = [
        {
            "proposed_on": a.created_at,
            "employer": name_of(a.employer),
            "placement": a.placement.title,
            "proposed_by": name_of(a.proposed_by_partner) or _("the network's coordinator"),
            "job_coach": name_of(a.job_coach),
            "stage": choice(Stage, a.stage),
            "stage_changed_at": a.stage_changed_at,
            "hired_on": a.hired_on,
            "ended_on": a.ended_on,
            "reason": choice(ApplicationReason, a.reason_code),
            "reason_origin": choice(ApplicationReasonOrigin, a.reason_origin),
        }
        for a in applications
    ]
    return Section(_("Placement applications: to which employers"), fields, rows)
