"""The employment side of a person's shares (``people.shares``): a candidacy gives an employer the person's
employment information while a live consent covers that employer. When the consent ends, a candidacy before the
hire is withdrawn at once (the employer loses it); anonymisation ends every candidacy and clears its notes.
A hired person's employment goes on (it is their job, not a share): the employer keeps the application, and the
fields a consent gives are cut by ``readable_applications`` as soon as the consent is gone.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core import grants
from employment.access import employment_consents, sync_application
from employment.models import (
    ACTIVE,
    BEFORE_HIRE,
    EMPLOYED,
    ApplicationEvent,
    ApplicationReason,
    ApplicationReasonOrigin,
    FollowAlongContact,
    JobPlacement,
    PlacementApplication,
    Stage,
)
from employment.notify import employer_side, network_side, tell
from people.models import DataCategory, Person
from people.shares import Share, ShareKeeper, Stopped, register


def _for_update(person: Person, stages: tuple[str, ...]) -> list[PlacementApplication]:
    return list(
        PlacementApplication.objects.select_for_update(of=("self",))
        .filter(person=person, stage__in=stages)
        .select_related("placement", "employer", "person", "proposed_by", "proposed_by_partner", "job_coach")
        .order_by("created_at", "pk")
    )


def _close(application: PlacementApplication, actor: Any, target: str, reason: str) -> None:
    from_stage = application.stage
    if target == Stage.ENDED:
        JobPlacement.objects.filter(pk=application.placement_id).update(
            hired_count=F("hired_count") - 1, updated_at=timezone.now()
        )
        application.ended_on = timezone.localdate()
    application.stage = target
    application.stage_changed_at = timezone.now()
    application.reason_code, application.reason_origin, application.reason_note = (
        reason,
        ApplicationReasonOrigin.PERSON,
        "",
    )
    application.save()
    ApplicationEvent.objects.create(
        application=application,
        action=target,
        from_stage=from_stage,
        to_stage=target,
        actor=actor,
        reason_code=reason,
        reason_origin=ApplicationReasonOrigin.PERSON,
    )
    sync_application(application)


def stop_uncovered(person: Person, actor: Any, how: str) -> list[Stopped]:
    stopped: list[Stopped] = []
    for application in _for_update(person, BEFORE_HIRE):
        if employment_consents(application.employer).filter(person=person).exists():
            continue
        _close(application, actor, Stage.WITHDRAWN, ApplicationReason.CONSENT_WITHDRAWN)
        tell(
            application,
            [*employer_side(application), *network_side(application)],
            "placement.withdrawn",
            gettext_lazy("The candidacy of %(person)s for %(placement)s was withdrawn: the consent ended."),
        )
        stopped.append(
            Stopped(
                kind="application.withdrawn",
                object_id=application.pk,
                partner_id=application.employer_id,
                text=format_lazy(
                    gettext_lazy("the candidacy at {employer} was withdrawn"), employer=application.employer
                ),
            )
        )
    return stopped


def explain(person: Person) -> list[Share]:
    from employment.notify import application_url

    rows = []
    for application in (
        PlacementApplication.objects.filter(person=person, stage__in=ACTIVE)
        .select_related("employer", "placement")
        .order_by("created_at")
    ):
        consents = tuple(employment_consents(application.employer).filter(person=person).values_list("pk", flat=True))
        if not consents:
            continue
        rows.append(
            Share(
                partner_id=application.employer_id,
                partner_name=str(application.employer),
                categories=frozenset({DataCategory.EMPLOYMENT.value}),
                source="application",
                label=str(_("candidacy for the placement “%(title)s”") % {"title": application.placement.title}),
                since=application.created_at,
                url=application_url(application),
                consents=consents,
            )
        )
    return rows


def before_anonymise(person: Person) -> list[str]:
    count = PlacementApplication.objects.filter(person=person, stage__in=ACTIVE).count()
    if not count:
        return []
    return [_("Candidacies and jobs through placements that will end: %(count)s.") % {"count": count}]


def anonymise(person: Person, actor: Any) -> None:
    for application in _for_update(person, ACTIVE):
        target = Stage.ENDED if application.stage in EMPLOYED else Stage.WITHDRAWN
        _close(application, actor, target, ApplicationReason.OTHER)
        tell(
            application,
            employer_side(application),
            "placement.withdrawn",
            gettext_lazy("The candidacy of %(person)s for %(placement)s was closed."),
        )
    PlacementApplication.objects.filter(person=person).update(note="", reason_note="")
    ApplicationEvent.objects.filter(application__person=person).update(note="")
    FollowAlongContact.objects.filter(application__person=person).update(note="")


def merge(merged: Person, kept: Person, actor: Any) -> int:
    """A duplicate's candidacies become the kept record's (people/merging.py), their grants recomputed."""
    moved = list(PlacementApplication.objects.select_for_update(of=("self",)).filter(person=merged))
    PlacementApplication.objects.filter(pk__in=[a.pk for a in moved]).update(person=kept)
    for application in moved:
        application.person = kept
        grants.sync(application)
    return len(moved)


def register_keeper() -> None:
    register(
        ShareKeeper(
            name="employment",
            stop=stop_uncovered,
            explain=explain,
            before_anonymise=before_anonymise,
            anonymise=anonymise,
            merge=merge,
            order=200,
        )
    )
