"""Reads about people for pages and the API: lists, the person page's parts, lookups scoped to a person, and the
choices a form offers.

The choice lists are the ones the services validate against: ``network_partners`` in ``consent_record``,
``case_open``/``case_transfer`` and ``plans.goal_add``, ``case_managers`` in ``case_open``/``case_transfer``. A page
offers exactly what the service accepts, and the API, which sends ids, is refused by the same check.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case as DbCase
from django.db.models import Exists, F, Func, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils.translation import gettext as _

from core.scope import scope_for
from core.types import AuthUser
from network.access import get_network_for
from network.models import Network, NetworkCoordinator, NetworkMembership
from partners.choices import PartnerType, PathStage
from partners.models import Partner, StaffMembership, User
from people.access import ALL_CATEGORIES, PersonAccess, access_to_person, get_person_for, persons_visible_to
from people.merging import log_of
from people.models import AccessLog, Case, CaseEvent, Consent, Goal, Person, PersonQuerySet, normalise_name

# --- lists ----------------------------------------------------------------------------------------


SORTS = ("name", "-name", "registered", "-registered", "stage", "-stage")


def _digits(text: str) -> str:
    return "".join(ch for ch in text if ch.isdigit())


def name_words(q: str, *, field: str = "normalised_name") -> Q:
    """Each word of ``q`` inside the person's folded first and last name, in any order: "Kozieł Adam" finds
    Adam Kozieł as "Adam Kozieł" and "kozie" do. ``field`` names the folded name from another model
    (``person__normalised_name``). One rule for every list that searches people by name."""
    condition = Q()
    for word in normalise_name(q, "").split()[:5]:
        condition &= Q(**{f"{field}__contains": word})
    return condition


def person_search(people: PersonQuerySet, q: str) -> PersonQuerySet:
    """By name in any word order ("Kozieł Adam" finds Adam Kozieł: each word must be part of the folded first or
    last name), by PESEL, or by phone number (digits only compare: "601 234 567" finds "+48 601-234-567")."""
    q = q.strip()
    if not q:
        return people
    condition = Q(pesel=q)
    by_name = name_words(q)
    if by_name:
        condition |= by_name
    digits = _digits(q)
    if len(digits) >= 6 and not q.strip("+()- 0123456789"):
        phone_digits = Func(F("phone"), Value(r"\D"), Value(""), Value("g"), function="regexp_replace")
        people = people.annotate(phone_digits=phone_digits)
        condition |= Q(phone_digits__contains=digits)
    return people.filter(condition)


def person_list(
    user: AuthUser,
    *,
    q: str = "",
    network: Any = None,
    stage: str = "",
    unassigned: bool = False,
    case_manager: Any = None,
    gmina: str = "",
    sort: str = "name",
    with_open_cases: bool = False,
) -> PersonQuerySet:
    """Active people the user may see, by name, PESEL or phone, network, municipality, and the stage or manager of
    their open case, in the order ``sort`` names (one of ``SORTS``).

    ``with_open_cases`` adds one query that puts each person's open cases (with manager and network) on
    ``open_cases``. The regional monitor never reaches a person-level list, not even an empty one: 404.
    """
    scope = scope_for(user)
    if scope.is_monitor and not scope.coordinated_network_ids and not scope.staff_partner_ids:
        raise Http404
    people = person_search(persons_visible_to(user).active().select_related("network"), q)
    if network:
        people = people.filter(network_id=network)
    if gmina:
        people = people.filter(gmina_name=gmina)
    open_case: dict[str, Any] = {}
    if stage:
        open_case["cases__stage"] = stage
    if unassigned:
        open_case["cases__case_manager__isnull"] = True
    elif case_manager:
        open_case["cases__case_manager_id"] = case_manager
    if open_case:
        # One filter call: the conditions apply to the same open case.
        people = people.filter(cases__closed_on__isnull=True, **open_case)
    if with_open_cases:
        people = people.prefetch_related(
            Prefetch(
                "cases", queryset=Case.objects.open().select_related("case_manager", "network"), to_attr="open_cases"
            )
        )
    return _sorted(people, sort)


def _sorted(people: PersonQuerySet, sort: str) -> PersonQuerySet:
    descending = sort.startswith("-")
    key = sort.lstrip("-") if sort in SORTS else "name"
    if key == "registered":
        fields = ["created_at", "last_name", "first_name"]
    elif key == "stage":
        stage = Case.objects.open().filter(person=OuterRef("pk")).order_by("-opened_on").values("stage")[:1]
        # The default path's order (PathStage); a stage a network added of its own comes after those.
        position = DbCase(
            *(When(open_stage=code, then=Value(i)) for i, code in enumerate(PathStage.values)),
            default=Value(len(PathStage.values)),
        )
        people = people.annotate(open_stage=Subquery(stage)).annotate(stage_position=position)
        fields = ["stage_position", "open_stage", "last_name", "first_name"]
    else:
        fields = ["last_name", "first_name"]
    first = F(fields[0]).desc(nulls_last=True) if descending else F(fields[0]).asc(nulls_last=True)
    return people.order_by(first, *fields[1:], "id")


def people_filter_choices(user: AuthUser) -> dict[str, list[tuple[str, str]]]:
    """What the people list's filters offer, from the people the user may see (three queries): the stages of
    their networks, the case managers of their open cases and their municipalities."""
    visible = persons_visible_to(user).active()
    stages: dict[str, str] = {}
    for network in Network.objects.filter(id__in=visible.values("network_id")).order_by("name"):
        for code, label in network.stage_choices():
            stages.setdefault(code, label)
    managers = (
        User.objects.filter(
            id__in=Case.objects.open().filter(person__in=visible.values("pk")).values("case_manager_id")
        )
        .order_by("last_name", "first_name", "id")
        .only("id", "first_name", "last_name", "username")
    )
    gminas = visible.exclude(gmina_name="").order_by("gmina_name").values_list("gmina_name", flat=True).distinct()
    return {
        "stage": list(stages.items()),
        "case_manager": [(str(m.pk), m.get_full_name() or m.username) for m in managers],
        "gmina": [(g, g) for g in gminas],
    }


def get_network_to_register_in(user: AuthUser, network_id: Any) -> Network:
    """The network a person is registered in, for its own coordinators only (the operator gets no person data, as
    in ``services.person_register``). 404 for a network the user may not see and for the regional monitor, who
    never reaches a person-level page, not even an empty form; 403 for anyone else."""
    network = get_network_for(user, network_id)
    scope = scope_for(user)
    if network.pk not in scope.coordinated_network_ids:
        if scope.is_monitor:
            raise Http404
        if not door_partners(user, network.pk).exists():
            raise PermissionDenied
    return network


def door_partners(user: AuthUser, network_id: Any) -> QuerySet[Partner]:
    """The partners at whose door the user may register a person in this network: those they work for (staff or
    admin, never an employer's staff) that are current members of it. The register form offers exactly these and
    ``person_register`` refuses any other."""
    scope = scope_for(user)
    if not scope.reads_people or not scope.staff_partner_ids:
        return Partner.objects.none()
    return managing_partners(network_id).filter(id__in=list(scope.staff_partner_ids))


def person_accesses(user: AuthUser, people: list[Person]) -> list[PersonAccess]:
    """What the user may read of each person of a page; people they may no longer see are left out.

    The coordinator of a person's network reads everything without a query; others are asked one by one (a page
    of people seen through a case or a referral is small).
    """
    coordinated = scope_for(user).coordinated_network_ids
    accesses = []
    for person in people:
        access = (
            PersonAccess(person=person, categories=ALL_CATEGORIES, is_coordinator=True)
            if person.network_id in coordinated
            else access_to_person(user, person)
        )
        if access is not None:
            accesses.append(access)
    return accesses


# --- the person page --------------------------------------------------------------------------------


def open_case_of(person: Person) -> Case | None:
    return (
        Case.objects.open().filter(person=person).select_related("case_manager", "managing_partner", "network").first()
    )


def cases_of(person: Person) -> tuple[Case | None, list[Case]]:
    """The person's open case (as ``open_case_of``) and closed cases, latest closed first, in one query: a
    person has a handful of cases, and a query costs about 1 ms of the person page's CPU (docs/performance.md)."""
    cases = list(Case.objects.filter(person=person).select_related("case_manager", "managing_partner", "network"))
    open_case = next((case for case in cases if case.closed_on is None), None)  # newest opened first, as .first()
    closed = [case for case in cases if case.closed_on is not None]
    closed.sort(key=lambda case: str(case.closed_on), reverse=True)  # ISO dates sort as the dates do
    return open_case, closed


def case_events(case: Case | None) -> list[CaseEvent]:
    if case is None:
        return []
    events = list(case.events.select_related("actor", "to_manager", "to_partner"))
    for event in events:
        event.case = case  # a row names its stage through the case's network, read once
    return events


def consents_of(person: Person) -> QuerySet[Consent]:
    """Every consent of the person, live or not, with the partners it names (two queries)."""
    return Consent.objects.filter(person=person).prefetch_related("partners").select_related("recorded_by")


def consents_covering(user: AuthUser) -> QuerySet[Consent]:
    """Consents a partner's own system reads (the FHIR Consent resource): the coordinator every consent of their
    networks' people; partner staff, of the people they may see, the consents that name one of their partners or
    its type. Never an employer's staff (``Scope.reads_people``)."""
    scope = scope_for(user)
    if not scope.reads_people:
        return Consent.objects.none()
    condition = Q(person__network_id__in=list(scope.coordinated_network_ids))
    if scope.staff_partner_ids:
        partners = list(scope.staff_partner_ids)
        types = list(Partner.objects.filter(id__in=partners).values_list("type", flat=True).distinct())
        named = Consent.partners.through.objects.filter(consent_id=OuterRef("pk"), partner_id__in=partners)
        condition |= (Q(Exists(named)) | Q(partner_types__overlap=types)) & Q(
            person_id__in=persons_visible_to(user).values("pk")
        )
    return Consent.objects.filter(condition)


def access_log_of(person: Person, *, limit: int = 30) -> list[AccessLog]:
    """The newest rows of who read or changed the person (the model's order), for the coordinator's page."""
    return list(access_log_rows(person)[:limit])


def access_log_rows(person: Person) -> QuerySet[AccessLog]:
    """Every row of who read or changed the person, newest first (the model's order), for the paginated page."""
    return AccessLog.objects.filter(log_of(person)).select_related("user")


def access_log_for(user: AuthUser, person_id: Any) -> tuple[Person, QuerySet[AccessLog]]:
    """The person and their access log for ``user``: the network's coordinators alone, like the export (403 to
    others who see the person, 404 to those who do not). One rule for the page and the API."""
    access = get_person_for(user, person_id)
    if not access.is_coordinator:
        raise PermissionDenied
    return access.person, access_log_rows(access.person)


# --- lookups scoped to a person: another person's object answers 404 ------------------------------------


def consent_of(person: Person, consent_id: Any) -> Consent:
    try:
        return Consent.objects.select_related("person").get(pk=consent_id, person=person)
    except (Consent.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def get_consent_for(user: AuthUser, consent_id: Any) -> Consent:
    """A consent of a person the user may see; 404 for missing and not-yours alike."""
    try:
        consent = Consent.objects.select_related("person").get(pk=consent_id)
    except (Consent.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    get_person_for(user, consent.person_id)
    return consent


def case_of(person: Person, case_id: Any) -> Case:
    try:
        return Case.objects.select_related("network", "person").get(pk=case_id, person=person)
    except (Case.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def goal_of(person: Person, goal_id: Any) -> Goal:
    try:
        return Goal.objects.select_related("plan__case").get(pk=goal_id, plan__case__person=person)
    except (Goal.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None


def get_case_for(user: AuthUser, pk: Any) -> tuple[PersonAccess, Case]:
    """A case by its own id (the API's path), with what the user may read of its person; 404 for missing and
    not-yours alike. Whether they may change it is the services' check, as on the person page."""
    try:
        case = Case.objects.select_related("network", "person", "case_manager", "managing_partner").get(pk=pk)
    except (Case.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    access = get_person_for(user, case.person_id)
    if not access.can_change_path:
        # The path (case, plan) is the coordinators' and the case manager's; a reader through a referral sees
        # the person but not the case, like the list of consents.
        raise Http404
    return access, case


def get_goal_for(user: AuthUser, pk: Any) -> tuple[PersonAccess, Goal]:
    """A goal of a support plan by its id, on the same terms as its case."""
    try:
        goal = Goal.objects.select_related("plan__case__person", "responsible_partner").get(pk=pk)
    except (Goal.DoesNotExist, ValueError, ValidationError):
        raise Http404 from None
    access, _case = get_case_for(user, goal.plan.case_id)
    return access, goal


# --- choices: what the forms offer and the services accept ------------------------------------------


def network_partners(network_id: Any) -> QuerySet[Partner]:
    """Partners a consent, a case or a goal of this network may name: those whose membership has started and not
    ended. The consent, case, transfer and goal forms offer exactly these; the services refuse any other."""
    current = NetworkMembership.objects.current().filter(network_id=network_id)
    return Partner.objects.filter(id__in=current.values("partner_id")).order_by("name")


def managing_partners(network_id: Any) -> QuerySet[Partner]:
    """Partners that may manage a case of this network: its current partners except employers (an employer sees
    a candidate through its placement, never the person's record)."""
    return network_partners(network_id).exclude(type=PartnerType.EMPLOYER)


def partners_named(partner_ids: list[Any]) -> list[Partner]:
    """The partners an API request names by id, each once; an id that names no partner is a field error.

    Whether the consent may name them is the service's check (``network_partners``), the same as the page's.
    """
    ids = list(dict.fromkeys(partner_ids))
    partners = list(Partner.objects.filter(pk__in=ids))
    if len(partners) != len(ids):
        raise ValidationError({"partners": [_("Unknown partner.")]})
    return partners


def case_managers(network_id: Any, *, partner: Partner | None = None) -> QuerySet[User]:
    """Who may manage a case of this network: active users working (active staff membership) for a current
    partner of the network other than an employer, and the network's coordinators.

    With ``partner`` (the case's managing partner), staff must work for that partner; coordinators still may. The
    case and transfer forms offer the list without a partner; ``case_open``/``case_transfer`` check the pair.
    """
    staff = StaffMembership.objects.filter(is_active=True).exclude(partner__type=PartnerType.EMPLOYER)
    if partner is not None:
        staff = staff.filter(partner=partner)
    else:
        staff = staff.filter(partner__in=managing_partners(network_id).values("id"))
    coordinators = NetworkCoordinator.objects.filter(network_id=network_id)
    return (
        User.objects.filter(is_active=True)
        .filter(Q(id__in=staff.values("user_id")) | Q(id__in=coordinators.values("user_id")))
        .order_by("last_name", "first_name", "id")
    )
