"""Writes about people: registration with duplicate detection, consent, the case and its path,
export and anonymisation. Each runs in one transaction with its access-log row."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core import events, grants, jobs
from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from network.models import Network
from partners.choices import PartnerType
from partners.models import Partner, User
from people.access import access_to_person
from people.audit import log_access
from people.models import (
    PERSON_FIELD_CATEGORIES,
    AccessAction,
    Case,
    CaseEvent,
    CaseEventKind,
    Consent,
    DataCategory,
    GivenBy,
    Person,
    normalise_name,
    pesel_birth_date,
    pesel_sex,
)
from people.selectors import case_managers, door_partners, managing_partners, network_partners
from people.shares import Stopped, keepers, lock_person, stop_shares

PERSON_FIELDS = list(PERSON_FIELD_CATEGORIES)


class DuplicatePerson(Conflict):
    """Registration matches people already in the network; ``candidates`` are those the actor may see."""

    code = "duplicate_person"

    def __init__(self, candidates: list[Person]) -> None:
        super().__init__(_("This person may already be registered. Check the matching records or register anyway."))
        self.candidates = candidates


def _require_coordinator(actor: User, network_id: Any) -> None:
    # Only the network's own coordinators: the operator (superuser) gets no person data by default.
    if network_id not in scope_for(actor).coordinated_network_ids:
        raise PermissionDenied


def _clean_identity(person: Person) -> None:
    """Rules across fields: PESEL agrees with the birth date, no birth date in the future."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if person.birth_date and person.birth_date > today:
        errors.setdefault("birth_date", []).append(_("The birth date cannot be in the future."))
    if person.birth_year and person.birth_year > today.year:
        errors.setdefault("birth_year", []).append(_("The birth year cannot be in the future."))
    if person.pesel:
        encoded = pesel_birth_date(person.pesel)
        if encoded is not None:
            if person.birth_date and person.birth_date != encoded:
                errors.setdefault("pesel", []).append(
                    _("The PESEL number does not match the birth date (%(date)s).")
                    % {"date": encoded.strftime("%d.%m.%Y")}
                )
            elif not person.birth_date:
                person.birth_date = encoded
            if person.sex == "unknown":
                person.sex = pesel_sex(person.pesel)
    if person.birth_date:
        if person.birth_year and person.birth_year != person.birth_date.year:
            errors.setdefault("birth_year", []).append(_("The birth year does not match the birth date."))
        person.birth_year = person.birth_date.year
    if errors:
        raise ValidationError(errors)


def find_duplicates(*, network: Network, pesel: str, first_name: str, last_name: str, birth_date: Any) -> list[Person]:
    condition = Q()
    if pesel:
        condition |= Q(pesel=pesel)
    if birth_date:
        condition |= Q(normalised_name=normalise_name(first_name, last_name), birth_date=birth_date)
    if not condition:
        return []
    return list(Person.objects.active().unmerged().filter(network=network).filter(condition)[:10])


@transaction.atomic
def person_register(
    *,
    actor: User,
    network: Network,
    data: dict[str, Any],
    force: bool = False,
    door_partner: Partner | None = None,
    consent: dict[str, Any] | None = None,
    channel: str = "page",
) -> Person:
    """Register a person in a network. A coordinator registers anyone; the staff of a partner register a person
    who came to their door (``door_partner``, one of ``selectors.door_partners``) with the consent they record
    there (``consent``: categories, purpose, given_by, valid_until, document, partners): the person is then the
    coordinator's and that partner's, and the coordinators are told so that they may open the case."""
    is_coordinator = network.pk in scope_for(actor).coordinated_network_ids
    if not is_coordinator:
        if door_partner is None or not door_partners(actor, network.pk).filter(pk=door_partner.pk).exists():
            if not door_partners(actor, network.pk).exists():
                raise PermissionDenied
            raise ValidationError({"door_partner": [_("Choose the partner you work for that met the person.")]})
        if consent is None:
            raise ValidationError({"categories": [_("Record the consent the person gave at your institution.")]})
    elif door_partner is not None and door_partner.pk not in set(
        network_partners(network.pk).values_list("pk", flat=True)
    ):
        raise ValidationError({"door_partner": [_("The partner must be a current member of this network.")]})
    unknown = set(data) - set(PERSON_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unknown field.") for name in sorted(unknown)})
    person = Person(network=network, registered_by=actor, door_partner=door_partner)
    for name, value in data.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    if not person.birth_date and data.get("pesel") is None:
        person.birth_date = None
    # Uniqueness is checked below as a duplicate (409 with candidates); the constraint stays as a backstop.
    person.full_clean(exclude=["normalised_name"], validate_constraints=False)
    _clean_identity(person)
    duplicates = find_duplicates(
        network=network,
        pesel=person.pesel,
        first_name=person.first_name,
        last_name=person.last_name,
        birth_date=person.birth_date,
    )
    same_pesel = [p for p in duplicates if person.pesel and p.pesel == person.pesel]
    if same_pesel:
        # A PESEL is one person: registering it twice is never right, even with force. Staff at the door see no
        # candidates they could not open anyway.
        raise DuplicatePerson(same_pesel if is_coordinator else [])
    if duplicates and not force:
        raise DuplicatePerson(duplicates if is_coordinator else [])
    person.save()
    log_access(
        user=actor, person=person, action=AccessAction.CREATE, channel=channel, detail="forced" if duplicates else ""
    )
    if consent is not None:
        assert door_partner is not None or is_coordinator
        terms = dict(consent)
        named = list(terms.pop("partners", None) or [])
        if door_partner is not None and door_partner not in named:
            named.insert(0, door_partner)
        categories = list(terms.pop("categories", None) or [])
        if categories and DataCategory.IDENTITY not in categories:
            # Reading the record at all needs its identity: the door's consent always covers it.
            categories.append(DataCategory.IDENTITY.value)
        _consent_create(actor=actor, person=person, categories=categories, partners=named, channel=channel, **terms)
    if door_partner is not None and not is_coordinator:
        _tell_registered(person, door_partner)
    return person


def _tell_registered(person: Person, door_partner: Partner) -> None:
    from django.urls import reverse

    from network.models import NetworkCoordinator
    from notifications.services import notify

    coordinators = [
        c.user for c in NetworkCoordinator.objects.filter(network_id=person.network_id).select_related("user")
    ]
    initials = _initials(person)

    def text() -> str:
        return _("%(partner)s registered a person (%(initials)s): open their case when it is time") % {
            "partner": door_partner,
            "initials": initials,
        }

    notify(
        recipients=coordinators,
        kind="person.registered",
        text=text,
        obj=person,
        url=reverse("person-detail", args=[person.pk]),
    )


@transaction.atomic
def person_update(*, actor: User, person: Person, data: dict[str, Any], channel: str = "page") -> Person:
    access = access_to_person(actor, person)
    if access is None:
        raise PermissionDenied
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    for name, value in data.items():
        category = PERSON_FIELD_CATEGORIES.get(name)
        if category is None:
            raise ValidationError({name: _("Unknown field.")})
        if not access.is_coordinator and not (access.can_read(category) and category != DataCategory.IDENTITY):
            raise PermissionDenied
        setattr(locked, name, value.strip() if isinstance(value, str) else value)
    locked.full_clean(exclude=["normalised_name"])
    _clean_identity(locked)
    locked.save()
    log_access(user=actor, person=locked, action=AccessAction.CHANGE, channel=channel, detail=",".join(sorted(data)))
    return locked


# --- consent --------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor: User,
    person: Person,
    categories: list[str],
    purpose: str,
    partners: list[Partner] | None = None,
    partner_types: list[str] | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    given_by: str = GivenBy.PERSON,
    document: Any = None,
    channel: str = "page",
) -> Consent:
    access = access_to_person(actor, person)
    if access is None or not access.can_change_path:
        raise PermissionDenied
    person = lock_person(person)
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    return _consent_create(
        actor=actor,
        person=person,
        categories=categories,
        purpose=purpose,
        partners=partners,
        partner_types=partner_types,
        valid_from=valid_from,
        valid_until=valid_until,
        given_by=given_by,
        document=document,
        channel=channel,
    )


def _consent_create(
    *,
    actor: User,
    person: Person,
    categories: list[str],
    purpose: str,
    partners: list[Partner] | None = None,
    partner_types: list[str] | None = None,
    valid_from: datetime.date | None = None,
    valid_until: datetime.date | None = None,
    given_by: str = GivenBy.PERSON,
    document: Any = None,
    channel: str = "page",
) -> Consent:
    """The consent's own rules and its row, grants and log; the caller has checked who may record it."""
    errors: dict[str, list[str]] = {}
    categories = (
        sorted(set(categories or []), key=DataCategory.values.index)
        if all(c in DataCategory.values for c in categories or [])
        else categories
    )
    if not categories:
        errors["categories"] = [_("Choose at least one data category.")]
    elif any(c not in DataCategory.values for c in categories):
        errors["categories"] = [_("Unknown data category.")]
    partners = partners or []
    partner_types = sorted(set(partner_types or []))
    if any(t not in PartnerType.values for t in partner_types):
        errors["partner_types"] = [_("Unknown partner type.")]
    if not partners and not partner_types:
        errors["partners"] = [_("Name the partners or the types of partners the consent covers.")]
    if partners:
        # The consent form offers exactly these partners; the API's ids are held to the same list.
        offered = set(
            network_partners(person.network_id).filter(pk__in=[p.pk for p in partners]).values_list("pk", flat=True)
        )
        if any(p.pk not in offered for p in partners):
            errors["partners"] = [_("The partner must be a current member of this network.")]
    if given_by not in GivenBy.values:
        errors["given_by"] = [_("Choose who gave the consent.")]
    if errors:
        raise ValidationError(errors)
    consent = Consent(
        person=person,
        categories=list(categories),
        partner_types=partner_types,
        purpose=(purpose or "").strip(),
        valid_from=valid_from or timezone.localdate(),
        valid_until=valid_until,
        given_by=given_by,
        recorded_by=actor,
    )
    if document is not None:
        from partners.uploads import generated_name, validate_document

        consent.document_type = validate_document(document)
        # The stored name takes the extension of what the content is, not of what the uploader called it.
        document.name = generated_name(consent.document_type)
        consent.document = document
    consent.full_clean()
    consent.save()
    consent.partners.set(partners)
    # An open referral may be covered again: the person's grants follow the consents now.
    grants.sync(person)
    plan_consent_dates(consent)
    log_access(user=actor, person=person, action=AccessAction.CHANGE, channel=channel, detail=f"consent:{consent.pk}")
    return consent


# --- a consent's start and end, on the job queue (core.jobs; the tasks are in people/tasks.py) -----------------

CONSENT_STARTS_TASK = "people.consent_starts"
CONSENT_ENDS_TASK = "people.consent_ends"


def _midnight(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def consent_keys(consent_id: Any) -> tuple[str, str]:
    return f"consent:{consent_id}:starts", f"consent:{consent_id}:ends"


def plan_consent_dates(consent: Consent) -> None:
    """In the recording transaction: a consent dated ahead starts at its first day's midnight (the grants follow);
    one with an end date ends at the midnight after its last day (its shares stop, as at a withdrawal)."""
    starts, ends = consent_keys(consent.pk)
    if consent.withdrawn_at is not None:
        jobs.unschedule(starts)
        jobs.unschedule(ends)
        return
    if consent.valid_from > timezone.localdate():
        jobs.schedule(CONSENT_STARTS_TASK, at=_midnight(consent.valid_from), key=starts, consent_id=str(consent.pk))
    if consent.valid_until is not None:
        end = _midnight(consent.valid_until + datetime.timedelta(days=1))
        jobs.schedule(CONSENT_ENDS_TASK, at=end, key=ends, consent_id=str(consent.pk))


def consent_starts(consent_id: Any) -> bool:
    """The job at a consent's first day: the person's grants follow the consents in force now (idempotent)."""
    with transaction.atomic():
        consent = Consent.objects.filter(pk=consent_id, withdrawn_at__isnull=True).first()
        if consent is None or consent.valid_from > timezone.localdate():
            return False
        grants.sync(lock_person(consent.person_id))
        return True


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, note: str = "", channel: str = "page") -> Consent:
    """Withdrawal takes effect at once, in this transaction: the shares that needed this consent stop (referrals
    withdrawn, narrowed or discontinued, candidacies withdrawn), the grants follow, and the people responsible
    are told. The person's row lock keeps a send, an accept or a transfer from interleaving with it."""
    access = access_to_person(actor, consent.person)
    if access is None or not access.can_change_path:
        raise PermissionDenied
    return consent_withdraw_checked(actor=actor, consent=consent, note=note, channel=channel)


@transaction.atomic
def consent_withdraw_checked(*, actor: User, consent: Consent, note: str = "", channel: str = "page") -> Consent:
    """The withdrawal itself, for a caller that has checked the actor's right to it: ``consent_withdraw`` (staff)
    and ``people.own.own_consent_withdraw`` (the person or their guardian, from their own pages)."""
    person = lock_person(consent.person_id)
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise Conflict(_("This consent was already withdrawn."), code="already_withdrawn")
    if consent.valid_until is not None and consent.valid_until < timezone.localdate():
        raise Conflict(_("This consent has already ended: there is nothing to withdraw."), code="already_ended")
    consent.withdrawn_at = timezone.now()
    consent.withdrawn_by = actor
    consent.withdrawal_note = note.strip()[:255]
    consent.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawal_note", "updated_at"])
    plan_consent_dates(consent)
    stopped = stop_shares(person, actor, "withdrawn")
    grants.sync(person)
    log_access(user=actor, person=person, action=AccessAction.CHANGE, channel=channel, detail=f"withdraw:{consent.pk}")
    _tell_consent_ended(person, consent, stopped, how="withdrawn")
    return consent


def consents_expire(now: datetime.datetime | None = None) -> int:
    """The job for consents that ended by date: each one's shares stop once, as at a withdrawal, and the people
    responsible are told. Safe with several workers (the person's lock, then the consent's, skipping a locked one).
    """
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    ids = list(
        Consent.objects.filter(
            valid_until__lt=today, withdrawn_at__isnull=True, expiry_handled_at__isnull=True
        ).values_list("pk", "person_id")[:500]
    )
    return sum(1 for pk, _person_id in ids if consent_ends(pk, now))


def consent_ends(consent_id: Any, now: datetime.datetime | None = None) -> bool:
    """One consent that ended by date (its job at the midnight after its last day, or the sweep): its shares stop
    once, as at a withdrawal, and the people responsible are told; False when not ended, withdrawn or done."""
    now = now or timezone.now()
    person_id = Consent.objects.filter(pk=consent_id).values_list("person_id", flat=True).first()
    if person_id is None:
        return False
    with transaction.atomic():
        person = lock_person(person_id)
        consent = (
            Consent.objects.select_for_update(skip_locked=True)
            .filter(pk=consent_id, withdrawn_at__isnull=True, expiry_handled_at__isnull=True)
            .first()
        )
        if consent is None or consent.valid_until is None or consent.valid_until >= timezone.localtime(now).date():
            return False
        stopped = stop_shares(person, None, "expired")
        grants.sync(person)
        consent.expiry_handled_at = now
        consent.save(update_fields=["expiry_handled_at"])
        _tell_consent_ended(person, consent, stopped, how="expired")
        return True


def _initials(person: Person) -> str:
    # Notifications name the person by initials only: no health data, as little identity as possible.
    return f"{person.first_name[:1]}. {person.last_name[:1]}."


def responsible_for(person: Person) -> list[User]:
    """Who answers for the person: the manager of their open case and their network's coordinators."""
    managers = User.objects.filter(
        pk__in=Case.objects.open().filter(person=person).exclude(case_manager=None).values("case_manager_id")
    )
    coordinators = User.objects.filter(coordinatorships__network_id=person.network_id)
    return list((managers | coordinators).filter(is_active=True).distinct())


def _tell_consent_ended(person: Person, consent: Consent, stopped: list[Stopped], *, how: str) -> None:
    """The case manager and the coordinators learn that a consent ended and what it stopped (no health data)."""
    from django.urls import NoReverseMatch, reverse

    from notifications.services import notify

    def text() -> str:
        if how == "expired":
            message = _("The consent of %(person)s expired.")
        else:
            message = _("The consent of %(person)s was withdrawn.")
        message %= {"person": _initials(person)}
        if stopped:
            message += " " + _("Stopped: %(what)s.") % {"what": "; ".join(str(s.text) for s in stopped)}
        return message

    notify(
        recipients=responsible_for(person),
        kind=f"consent.{how}",
        text=text,
        obj=consent,
        url=reverse("person-detail", args=[person.pk]),
    )
    # Other systems (webhooks) of the network's coordination hear of it too: the consent's id and how it ended.
    try:
        api = reverse("api-person-consents", args=[person.pk])
    except NoReverseMatch:  # the API is not routed in this deployment
        api = ""
    events.publish(
        f"consent.{how}",
        consent.pk,
        how,
        {"api": api},
        events.Audience.of(networks=[person.network_id]),
    )


# --- case -----------------------------------------------------------------------------------------


def _check_stage(network: Network, stage: str) -> None:
    if stage not in {code for code, _label in network.stage_choices()}:
        raise ValidationError({"stage": _("This stage is not one of the network's stages.")})


def _check_manager(network: Network, manager: User | None, partner: Partner | None) -> None:
    """The case and transfer forms offer ``managing_partners`` and ``case_managers``; anything else is refused."""
    if partner is not None and not managing_partners(network.pk).filter(pk=partner.pk).exists():
        raise ValidationError(
            {"managing_partner": _("The partner must be a current member of this network and not an employer.")}
        )
    if manager is None:
        return
    if not case_managers(network.pk).filter(pk=manager.pk).exists():
        raise ValidationError({"case_manager": _("The case manager must work for a partner of this network.")})
    if partner is not None and not case_managers(network.pk, partner=partner).filter(pk=manager.pk).exists():
        raise ValidationError(
            {"case_manager": _("The case manager must work for the managing partner or coordinate this network.")}
        )


@transaction.atomic
def case_open(
    *,
    actor: User,
    person: Person,
    case_manager: User | None = None,
    managing_partner: Partner | None = None,
    stage: str | None = None,
    note: str = "",
) -> Case:
    network = person.network
    _require_coordinator(actor, network.pk)
    person = lock_person(person)
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")
    if Case.objects.open().filter(person=person, network=network).exists():
        raise Conflict(_("This person already has an open case in this network."), code="case_open")
    stage = stage or network.stages[0]["code"]
    _check_stage(network, stage)
    _check_manager(network, case_manager, managing_partner)
    case = Case(
        person=person, network=network, case_manager=case_manager, managing_partner=managing_partner, stage=stage
    )
    case.full_clean()
    case.save()
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.OPENED,
        actor=actor,
        to_stage=stage,
        to_manager=case_manager,
        to_partner=managing_partner,
        note=note[:255],
    )
    log_access(user=actor, person=person, action=AccessAction.CHANGE, detail=f"case-open:{case.pk}")
    _cases_changed(case)
    return case


def _lock_open_case(actor: User, case: Case) -> Case:
    lock_person(case.person_id)  # the person first, as every change to who reads them (shares.lock_person)
    locked = Case.objects.select_for_update().select_related("network", "person").get(pk=case.pk)
    access = access_to_person(actor, locked.person)
    if access is None or not access.can_change_path:
        raise PermissionDenied
    if locked.closed_on is not None:
        raise Conflict(_("This case is closed."), code="case_closed")
    return locked


@transaction.atomic
def case_change_stage(*, actor: User, case: Case, stage: str, note: str = "") -> Case:
    case = _lock_open_case(actor, case)
    _check_stage(case.network, stage)
    if stage == case.stage:
        raise Conflict(_("The case is already at this stage."), code="same_stage")
    CaseEvent.objects.create(
        case=case, kind=CaseEventKind.STAGE, actor=actor, from_stage=case.stage, to_stage=stage, note=note[:255]
    )
    case.stage = stage
    case.save(update_fields=["stage", "updated_at"])
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"case-stage:{stage}")
    _cases_changed(case)
    return case


@transaction.atomic
def case_transfer(
    *, actor: User, case: Case, case_manager: User | None, managing_partner: Partner | None, note: str = ""
) -> Case:
    """Hand the whole case to another case manager and/or partner (a referral only shares access)."""
    case = _lock_open_case(actor, case)
    if not scope_for(actor).coordinates(case.network_id) and case.case_manager_id != actor.pk:
        raise PermissionDenied
    _check_manager(case.network, case_manager, managing_partner)
    if case_manager == case.case_manager and managing_partner == case.managing_partner:
        raise Conflict(_("Choose another case manager or partner."), code="same_manager")
    CaseEvent.objects.create(
        case=case,
        kind=CaseEventKind.TRANSFER,
        actor=actor,
        from_manager=case.case_manager,
        to_manager=case_manager,
        from_partner=case.managing_partner,
        to_partner=managing_partner,
        note=note[:255],
    )
    case.case_manager = case_manager
    case.managing_partner = managing_partner
    case.save(update_fields=["case_manager", "managing_partner", "updated_at"])
    grants.sync(case.person)
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"case-transfer:{case.pk}")
    _tell_transfer(case, actor)
    _cases_changed(case)
    return case


def _tell_transfer(case: Case, actor: User) -> None:
    """The new case manager and their partner's admins learn the case is theirs now; the coordinators too."""
    from django.urls import reverse

    from notifications.services import notify
    from partners.choices import StaffRole

    recipients: list[User] = [case.case_manager] if case.case_manager else []
    if case.managing_partner_id:
        recipients += list(
            User.objects.filter(
                staff_memberships__partner_id=case.managing_partner_id,
                staff_memberships__is_active=True,
                staff_memberships__role=StaffRole.ADMIN,
            )
        )
    recipients += list(User.objects.filter(coordinatorships__network_id=case.network_id))
    person = case.person

    def text() -> str:
        return _("The case of %(person)s was handed to %(manager)s (%(partner)s).") % {
            "person": _initials(person),
            "manager": case.case_manager.get_full_name() or case.case_manager.username if case.case_manager else "—",
            "partner": case.managing_partner or "—",
        }

    notify(
        recipients=[user for user in recipients if user.pk != actor.pk],
        kind="case.transferred",
        text=text,
        obj=case,
        url=reverse("person-detail", args=[person.pk]),
    )


@transaction.atomic
def case_close(*, actor: User, case: Case, note: str = "") -> Case:
    """Close the case with the reason why (required: the closed path must say how it ended), after the rights."""
    case = _lock_open_case(actor, case)
    if not note.strip():
        raise ValidationError(
            _("Give the reason why the case is closed (for example: goals reached, moved away, declined support)."),
            code="reason_required",
        )
    case.closed_on = timezone.localdate()
    case.closing_note = note.strip()[:255]
    case.save(update_fields=["closed_on", "closing_note", "updated_at"])
    CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, actor=actor, from_stage=case.stage, note=note[:255])
    grants.sync(case.person)
    log_access(user=actor, person=case.person, action=AccessAction.CHANGE, detail=f"case-close:{case.pk}")
    _cases_changed(case)
    return case


def _cases_changed(case: Case) -> None:
    """The coordinator's open dashboard refreshes its stage tiles (a hint after commit, never the record)."""
    from notifications.groups import hint, network_group

    hint(network_group(case.network_id), "cases")


# --- data subject rights --------------------------------------------------------------------------

ANONYMISED_NAME = "—"


def anonymise_preview(person: Person) -> list[str]:
    """What anonymising will end and clear, in words, for the confirmation the coordinator reads first."""
    from people.models import Activity, Assessment, Goal

    items: list[str] = []
    for keeper in keepers():
        items.extend(str(item) for item in keeper.before_anonymise(person))
    if Case.objects.open().filter(person=person).exists():
        items.append(_("The open case will be closed."))
    live = Consent.objects.live().filter(person=person).count()
    if live:
        items.append(_("Consents in force that will end: %(count)s.") % {"count": live})
    counts = [
        (Consent.objects.filter(person=person).count(), _("purposes and notes of consents")),
        (Goal.objects.filter(plan__case__person=person).count(), _("support plan goals and their reviews")),
        (Assessment.objects.filter(person=person).exclude(note="").count(), _("notes of assessments")),
        (Activity.objects.filter(person=person).exclude(topic="").count(), _("topics of recorded activities")),
        (CaseEvent.objects.filter(case__person=person).exclude(note="").count(), _("notes of the case path")),
    ]
    cleared = _("Text that will be cleared: %(what)s (%(count)s).")
    items += [cleared % {"what": what, "count": n} for n, what in counts if n]
    items.append(
        _(
            "Name, PESEL, contact details and every other identifying field will be removed for good; "
            "sex, birth year and municipality stay for the yearly figures."
        )
    )
    return items


CLEARED = "—"


@transaction.atomic
def person_anonymise(*, actor: User, person: Person) -> Person:
    """Remove identity for good: the open shares end first (referrals, candidacies: each keeper), the open case
    closes, live consents end, and every free text about the person is cleared; what reports count stays (sex,
    birth year, municipality). An anonymised person can be neither referred nor proposed afterwards."""
    from people.models import Activity, Assessment, Goal, GoalReview

    _require_coordinator(actor, person.network_id)
    person = lock_person(person)
    if person.anonymised_at:
        raise Conflict(_("This person's data was already anonymised."), code="anonymised")
    for keeper in keepers():
        keeper.anonymise(person, actor)
    today, now = timezone.localdate(), timezone.now()
    for case in Case.objects.open().filter(person=person):
        CaseEvent.objects.create(case=case, kind=CaseEventKind.CLOSED, actor=actor, from_stage=case.stage)
        Case.objects.filter(pk=case.pk).update(closed_on=today, updated_at=now)
    Case.objects.filter(person=person).update(closing_note="")
    CaseEvent.objects.filter(case__person=person).update(note="")
    Consent.objects.live().filter(person=person).update(withdrawn_at=now, withdrawn_by=actor)
    Consent.objects.filter(person=person).update(purpose=CLEARED, withdrawal_note="")
    Goal.objects.filter(plan__case__person=person).update(description=CLEARED)
    GoalReview.objects.filter(goal__plan__case__person=person).update(note="")
    Assessment.objects.filter(person=person).update(note="")
    Activity.objects.filter(person=person).update(topic="")
    person.birth_year = person.year_of_birth
    for name in PERSON_FIELDS:
        if name in {"sex", "birth_year", "gmina_teryt", "gmina_name"}:
            continue
        field = Person._meta.get_field(name)
        assert isinstance(field, models.Field)
        setattr(person, name, None if field.null else field.get_default())
    person.first_name = ANONYMISED_NAME
    person.last_name = ANONYMISED_NAME
    person.anonymised_at = now
    person.save()
    for consent in Consent.objects.filter(person=person).exclude(document=""):
        consent.document.delete(save=False)
        Consent.objects.filter(pk=consent.pk).update(document="")
    grants.sync(person)
    log_access(user=actor, person=person, action=AccessAction.ANONYMISE)
    return person
