"""Assessments: instruments defined as data, dated results per person, and their progress over time.

Results describe how a person functions, so they are health data: only a reader whose access to the person
includes the ``health`` category may record or read them. Writes are services (``assessment_record``,
``instrument_create``); reads are selectors (``assessment_history``, ``person_assessments``, and the choices
``instruments_for_person`` and ``assessment_partners`` that ``assessment_record`` accepts); ``progress_svg`` draws
a history as an accessible SVG chart on the server, with no script and no external assets.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any
from uuid import UUID

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import Conflict, PermissionDenied
from core.scope import scope_for
from core.types import AuthUser
from network.models import Network, NetworkMembership
from partners.models import Partner, User
from people.access import PersonAccess, access_to_person, get_person_for
from people.audit import log_access
from people.models import (
    AccessAction,
    Assessment,
    AssessmentScore,
    DataCategory,
    Instrument,
    InstrumentDomain,
    InstrumentLevel,
    Person,
)

# The instrument shipped with LSW (migration 0005); shared by every network.
DEFAULT_INSTRUMENT_CODE = "lsw-codzienne-funkcjonowanie"

# AssessmentScore.value is validated to 0..100; a user-defined scale must fit inside.
SCALE_FLOOR = 0
SCALE_CEILING = 100
_SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def pick(pl: str, en: str, language: str | None = None) -> str:
    """The text in the given (or active) language; Polish is the default, English falls back to it."""
    language = language or translation.get_language() or "pl"
    if language.startswith("en") and en:
        return en
    return pl


def get_person_with_health(user: AuthUser, person_id: Any) -> PersonAccess:
    """The person if the user may read their health data; 404 otherwise (missing and forbidden look alike)."""
    access = get_person_for(user, person_id)
    if not access.can_read(DataCategory.HEALTH):
        raise Http404
    return access


# --- instruments ----------------------------------------------------------------------------------


def instruments_visible_to(user: AuthUser) -> QuerySet[Instrument]:
    """Shared instruments and those of the networks the user works in (the operator and monitors: all)."""
    scope = scope_for(user)
    if scope.user_id is None:
        return Instrument.objects.none()
    if scope.sees_every_network:
        return Instrument.objects.all()
    return Instrument.objects.filter(Q(network__isnull=True) | Q(network_id__in=scope.network_ids))


def get_instrument_for(user: AuthUser, pk: Any) -> Instrument:
    try:
        return instruments_visible_to(user).get(pk=pk)
    except (Instrument.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None


def instruments_for_person(person: Person) -> QuerySet[Instrument]:
    """Instruments that may be used for a new result of this person: active, shared or of their network."""
    return Instrument.objects.filter(
        Q(network__isnull=True) | Q(network_id=person.network_id), is_active=True
    ).order_by("network_id", "name_pl", "id")


def default_instrument() -> Instrument | None:
    return Instrument.objects.filter(network__isnull=True, code=DEFAULT_INSTRUMENT_CODE).first()


def instrument_named(user: AuthUser, pk: Any = None) -> Instrument | None:
    """For the API: the instrument ``pk`` names among those the user sees (without ``pk``, the shared default
    one), or None. ``assessment_record`` then refuses one not in use or of another network."""
    if pk is None:
        return default_instrument()
    try:
        return instruments_visible_to(user).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


def instrument_to_record(person: Person, wanted: Any = None) -> tuple[Instrument | None, list[Instrument]]:
    """For the page: the instrument to record with, and those to choose from (``instruments_for_person``). The
    wanted one when it is among them, else the shared default one, else the first; None when there is none."""
    available = list(instruments_for_person(person))
    if wanted:
        for instrument in available:
            if str(instrument.pk) == str(wanted):
                return instrument, available
    default = default_instrument()
    for instrument in available:
        if default is not None and instrument.pk == default.pk:
            return instrument, available
    return (available[0] if available else None), available


def with_levels(instrument: Instrument) -> Instrument:
    """The instrument with its domains and their levels loaded (two queries), for forms and the API."""
    domains = InstrumentDomain.objects.filter(instrument=instrument).prefetch_related(
        Prefetch("levels", queryset=InstrumentLevel.objects.order_by("value"))
    )
    instrument.loaded_domains = list(domains)  # type: ignore[attr-defined]
    return instrument


@dataclass(frozen=True)
class LevelSpec:
    value: int
    description_pl: str
    description_en: str = ""


@dataclass(frozen=True)
class DomainSpec:
    code: str
    name_pl: str
    name_en: str = ""
    levels: Sequence[LevelSpec] = field(default_factory=tuple)


@transaction.atomic
def instrument_create(
    *,
    actor: User,
    network: Network,
    code: str,
    name_pl: str,
    name_en: str = "",
    description_pl: str = "",
    description_en: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    domains: Sequence[DomainSpec],
) -> Instrument:
    """A coordinator defines an instrument for their own network: domains, a scale, a description per level.

    English texts are optional; where one is left empty the Polish text is used. Every level of the scale must
    be described when the scale has at most eleven levels; wider scales (e.g. 0–100) need at least their ends.
    """
    if network.pk not in scope_for(actor).coordinated_network_ids:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    code = (code or "").strip()
    if not _SLUG.match(code):
        errors.setdefault("code", []).append(_("Use only letters, digits, hyphens and underscores in the code."))
    elif Instrument.objects.filter(network=network, code=code).exists():
        errors.setdefault("code", []).append(_("An instrument with this code already exists in the network."))
    instrument = Instrument(network=network, code=code)
    return _build_instrument(
        instrument, errors, name_pl, name_en, description_pl, description_en, scale_min, scale_max, domains
    )


@transaction.atomic
def instrument_new_version(
    *,
    actor: User,
    instrument: Instrument,
    name_pl: str,
    name_en: str = "",
    description_pl: str = "",
    description_en: str = "",
    scale_min: int = 1,
    scale_max: int = 5,
    domains: Sequence[DomainSpec],
) -> Instrument:
    """A new version of a network's own instrument, with the same code: new results use it, the previous version
    is retired and past results keep the one they were made with. Only the latest version gets a next one (409
    ``not_latest_version``); a shared instrument belongs to no network, so nobody here versions it (403)."""
    if instrument.network_id is None or instrument.network_id not in scope_for(actor).coordinated_network_ids:
        raise PermissionDenied
    current = Instrument.objects.select_for_update().get(pk=instrument.pk)
    if Instrument.objects.filter(previous=current).exists():
        raise Conflict(
            _("A newer version of this instrument exists: make the new version from the latest one."),
            code="not_latest_version",
        )
    new = Instrument(network_id=current.network_id, code=current.code, version=current.version + 1, previous=current)
    new = _build_instrument(new, {}, name_pl, name_en, description_pl, description_en, scale_min, scale_max, domains)
    current.is_active = False
    current.save(update_fields=["is_active", "updated_at"])
    return new


def _build_instrument(
    instrument: Instrument,
    errors: dict[str, list[str]],
    name_pl: str,
    name_en: str,
    description_pl: str,
    description_en: str,
    scale_min: int,
    scale_max: int,
    domains: Sequence[DomainSpec],
) -> Instrument:
    if not (name_pl or "").strip():
        errors.setdefault("name_pl", []).append(_("Give the instrument's name."))
    if not (SCALE_FLOOR <= scale_min < scale_max <= SCALE_CEILING):
        errors.setdefault("scale_max", []).append(
            _("The scale must go up from its lowest level, within %(floor)s to %(ceiling)s.")
            % {"floor": SCALE_FLOOR, "ceiling": SCALE_CEILING}
        )
    if not domains:
        errors.setdefault("domains", []).append(_("Add at least one domain."))
    seen: set[str] = set()
    for domain in domains:
        errors_for_domain = _check_domain_spec(domain, scale_min, scale_max, seen)
        if errors_for_domain:
            errors.setdefault("domains", []).extend(errors_for_domain)
        seen.add(domain.code)
    if errors:
        raise ValidationError(errors)
    instrument.name_pl = name_pl.strip()
    instrument.name_en = name_en.strip() or name_pl.strip()
    instrument.description_pl = description_pl.strip()
    instrument.description_en = description_en.strip() or description_pl.strip()
    instrument.scale_min = scale_min
    instrument.scale_max = scale_max
    instrument.full_clean()
    instrument.save()
    created = InstrumentDomain.objects.bulk_create(
        InstrumentDomain(
            instrument=instrument,
            code=spec.code,
            position=position,
            name_pl=spec.name_pl.strip(),
            name_en=spec.name_en.strip() or spec.name_pl.strip(),
        )
        for position, spec in enumerate(domains, start=1)
    )
    InstrumentLevel.objects.bulk_create(
        InstrumentLevel(
            domain=domain,
            value=level.value,
            description_pl=level.description_pl.strip(),
            description_en=level.description_en.strip() or level.description_pl.strip(),
        )
        for domain, spec in zip(created, domains, strict=True)
        for level in spec.levels
    )
    return instrument


def network_instruments(network: Network) -> QuerySet[Instrument]:
    """The network's own instruments, every version, the latest of each code first, with their domain counts."""
    from django.db.models import Count

    return (
        Instrument.objects.filter(network=network).annotate(domain_count=Count("domains")).order_by("code", "-version")
    )


def instrument_specs(instrument: Instrument) -> list[DomainSpec]:
    """The instrument's domains and levels as specs: the starting point of its next version."""
    loaded = with_levels(instrument).loaded_domains  # type: ignore[attr-defined]
    return [
        DomainSpec(
            code=d.code,
            name_pl=d.name_pl,
            name_en=d.name_en,
            levels=tuple(LevelSpec(lv.value, lv.description_pl, lv.description_en) for lv in d.levels.all()),
        )
        for d in loaded
    ]


def _check_domain_spec(domain: DomainSpec, scale_min: int, scale_max: int, seen: set[str]) -> list[str]:
    label = domain.name_pl.strip() or domain.code
    problems: list[str] = []
    if not _SLUG.match(domain.code or ""):
        problems.append(
            _("Domain “%(domain)s”: use only letters, digits, hyphens and underscores in the code.") % {"domain": label}
        )
    elif domain.code in seen:
        problems.append(_("Domain “%(domain)s”: the code is used twice.") % {"domain": label})
    if not domain.name_pl.strip():
        problems.append(_("Domain “%(domain)s”: give its name.") % {"domain": label})
    values = [level.value for level in domain.levels]
    if len(values) != len(set(values)):
        problems.append(_("Domain “%(domain)s”: a level is described twice.") % {"domain": label})
    if any(not (scale_min <= value <= scale_max) for value in values):
        problems.append(
            _("Domain “%(domain)s”: every level must be between %(min)s and %(max)s.")
            % {"domain": label, "min": scale_min, "max": scale_max}
        )
    if any(not level.description_pl.strip() for level in domain.levels):
        problems.append(_("Domain “%(domain)s”: describe every level you add.") % {"domain": label})
    wanted = set(range(scale_min, scale_max + 1)) if scale_max - scale_min <= 10 else {scale_min, scale_max}
    if not wanted <= set(values):
        problems.append(_("Domain “%(domain)s”: describe every level of the scale.") % {"domain": label})
    return problems


# --- recording a result ---------------------------------------------------------------------------


@transaction.atomic
def assessment_record(
    *,
    actor: User,
    person: Person,
    instrument: Instrument,
    assessed_on: datetime.date | None,
    scores: Mapping[str, Any],
    note: str = "",
    partner: Partner | None = None,
    channel: str = "page",
) -> Assessment:
    """Record a dated result: a level for every domain of the instrument. Nothing is saved unless all is valid."""
    access = access_to_person(actor, person)
    if access is None or not access.can_read(DataCategory.HEALTH):
        raise PermissionDenied
    if person.anonymised_at:
        raise Conflict(_("This person's data was anonymised and cannot be changed."), code="anonymised")

    errors: dict[str, list[ValidationError]] = {}

    def fail(name: str, message: str, code: str) -> None:
        errors.setdefault(name, []).append(ValidationError(message, code=code))

    if not instrument.is_active:
        fail("instrument", _("This instrument is no longer in use."), "inactive")
    elif instrument.network_id is not None and instrument.network_id != person.network_id:
        fail("instrument", _("This instrument belongs to another network."), "other_network")
    date_error = assessed_on_error(assessed_on)
    if date_error is not None:
        errors.setdefault("assessed_on", []).append(date_error)
    if partner is not None:
        _check_partner(actor, person, partner, fail)

    domains = list(InstrumentDomain.objects.filter(instrument=instrument))
    known = {domain.code for domain in domains}
    values: dict[int, int] = {}
    for domain in domains:
        name = pick(domain.name_pl, domain.name_en)
        value = scores.get(domain.code)
        if value is None or value == "":
            fail("scores", _("Choose a level for “%(domain)s”.") % {"domain": name}, "missing")
            continue
        if isinstance(value, bool) or not isinstance(value, int):
            fail("scores", _("The level for “%(domain)s” must be a whole number.") % {"domain": name}, "invalid")
        elif not (instrument.scale_min <= value <= instrument.scale_max):
            fail(
                "scores",
                _("The level for “%(domain)s” must be between %(min)s and %(max)s.")
                % {"domain": name, "min": instrument.scale_min, "max": instrument.scale_max},
                "out_of_range",
            )
        else:
            values[domain.pk] = value
    for code in sorted(set(scores) - known):
        fail("scores", _("“%(code)s” is not a domain of this instrument.") % {"code": code}, "unknown_domain")
    if errors:
        raise ValidationError(errors)
    assert assessed_on is not None

    assessment = Assessment(
        person=person,
        instrument=instrument,
        assessed_on=assessed_on,
        partner=partner,
        assessed_by=actor,
        note=(note or "").strip(),
    )
    assessment.save()
    AssessmentScore.objects.bulk_create(
        AssessmentScore(assessment=assessment, domain_id=domain_id, value=value) for domain_id, value in values.items()
    )
    # The log names the record, never its content: levels and notes are health data.
    log_access(
        user=actor, person=person, action=AccessAction.CHANGE, channel=channel, detail=f"assessment:{assessment.pk}"
    )
    return assessment


def assessed_on_error(day: datetime.date | None) -> ValidationError | None:
    """What is wrong with the date of an assessment, if anything; the page's form shows it next to the field."""
    if day is None:
        return ValidationError(_("Give the date of the assessment."), code="required")
    if day > timezone.localdate():
        return ValidationError(_("The assessment date cannot be in the future."), code="future")
    return None


def assessment_partners(actor: AuthUser, person: Person) -> QuerySet[Partner]:
    """Institutions on whose behalf the actor may record an assessment of this person: current members of the
    person's network, and unless the actor coordinates it, only the actor's own. The API resolves ``partner``
    among these and ``assessment_record`` refuses any other."""
    scope = scope_for(actor)
    members = NetworkMembership.objects.current().filter(network_id=person.network_id)
    if person.network_id not in scope.coordinated_network_ids:
        members = members.filter(partner_id__in=scope.staff_partner_ids)
    return Partner.objects.filter(id__in=members.values("partner_id")).order_by("name")


def assessment_partner_named(actor: AuthUser, person: Person, pk: Any) -> Partner | None:
    """The partner ``pk`` names among ``assessment_partners``, or None."""
    try:
        return assessment_partners(actor, person).filter(pk=pk).first()
    except (ValueError, TypeError, ValidationError):
        return None


def _check_partner(actor: User, person: Person, partner: Partner, fail: Any) -> None:
    if assessment_partners(actor, person).filter(pk=partner.pk).exists():
        return
    # Refused; say why: a partner outside the network, or a member the actor does not work for.
    if not NetworkMembership.objects.current().filter(network_id=person.network_id, partner=partner).exists():
        fail("partner", _("The partner must be a member of this network."), "not_member")
    else:
        fail("partner", _("You can record an assessment only on behalf of your own institution."), "not_yours")


# --- reading the history --------------------------------------------------------------------------


def _with_scores() -> QuerySet[Assessment]:
    return Assessment.objects.select_related("instrument", "partner", "assessed_by").prefetch_related(
        Prefetch("scores", queryset=AssessmentScore.objects.select_related("domain").order_by("domain__position"))
    )


def person_assessments(person: Person, instrument: Instrument | None = None) -> QuerySet[Assessment]:
    """A person's results, oldest first, with instrument, partner, assessor and scores (two queries a page)."""
    results = _with_scores().filter(person=person)
    if instrument is not None:
        results = results.filter(instrument=instrument)
    return results.order_by("assessed_on", "created_at", "id")


def assessment_with_scores(assessment: Assessment) -> Assessment:
    """The result read again with what ``person_assessments`` loads, as the API answers it."""
    return _with_scores().get(pk=assessment.pk)


@dataclass(frozen=True)
class SeriesPoint:
    assessed_on: datetime.date
    value: int


@dataclass(frozen=True)
class DomainSeries:
    code: str
    name_pl: str
    name_en: str
    points: list[SeriesPoint]

    def name(self, language: str | None = None) -> str:
        return pick(self.name_pl, self.name_en, language)


@dataclass(frozen=True)
class HistoryRow:
    """One result, for the table: its date, who recorded it, and a value per domain (in domain order)."""

    id: UUID
    assessed_on: datetime.date
    values: list[int | None]
    partner_name: str
    assessed_by_name: str
    note: str


@dataclass(frozen=True)
class AssessmentHistory:
    instrument: Instrument
    domains: list[DomainSeries]
    rows: list[HistoryRow]

    @property
    def is_empty(self) -> bool:
        return not self.rows

    def name(self, language: str | None = None) -> str:
        return pick(self.instrument.name_pl, self.instrument.name_en, language)


def assessment_history(person: Person, instrument: Instrument) -> AssessmentHistory:
    """A person's results with one instrument, as a series per domain. Three queries, however many results."""
    histories = _histories(person, instrument_ids=[instrument.pk], instruments={instrument.pk: instrument})
    return histories[0] if histories else AssessmentHistory(instrument=instrument, domains=[], rows=[])


def assessment_histories(person: Person) -> list[AssessmentHistory]:
    """One history per instrument the person was assessed with. Three queries, however many results."""
    return _histories(person)


def _histories(
    person: Person, instrument_ids: list[Any] | None = None, instruments: dict[Any, Instrument] | None = None
) -> list[AssessmentHistory]:
    # 1. the results, with who recorded them (and the instrument when not given)
    assessments = Assessment.objects.filter(person=person).select_related("partner", "assessed_by")
    if instrument_ids is not None:
        assessments = assessments.filter(instrument_id__in=instrument_ids)
    else:
        assessments = assessments.select_related("instrument")
    # 2. their scores, in one query
    results = list(
        assessments.prefetch_related(
            Prefetch("scores", queryset=AssessmentScore.objects.only("assessment_id", "domain_id", "value"))
        ).order_by("assessed_on", "created_at", "id")
    )
    by_instrument: dict[Any, list[Assessment]] = {}
    for assessment in results:
        by_instrument.setdefault(assessment.instrument_id, []).append(assessment)
    wanted = list(instrument_ids) if instrument_ids is not None else list(by_instrument)
    if not wanted:
        return []
    # 3. the domains of those instruments
    domains: dict[Any, list[InstrumentDomain]] = {}
    for domain in InstrumentDomain.objects.filter(instrument_id__in=wanted).order_by("instrument_id", "position", "id"):
        domains.setdefault(domain.instrument_id, []).append(domain)
    known = instruments or {a.instrument_id: a.instrument for a in results}
    histories = [
        _history(known[instrument_id], domains.get(instrument_id, []), by_instrument.get(instrument_id, []))
        for instrument_id in wanted
        if instrument_id in known
    ]
    histories.sort(key=lambda h: (h.instrument.network_id is not None, h.instrument.name_pl))
    return histories


def _history(instrument: Instrument, domains: list[InstrumentDomain], results: list[Assessment]) -> AssessmentHistory:
    points: dict[int, list[SeriesPoint]] = {domain.pk: [] for domain in domains}
    rows: list[HistoryRow] = []
    for assessment in results:
        by_domain = {score.domain_id: score.value for score in assessment.scores.all()}
        for domain in domains:
            if domain.pk in by_domain:
                points[domain.pk].append(SeriesPoint(assessment.assessed_on, by_domain[domain.pk]))
        rows.append(
            HistoryRow(
                id=assessment.pk,
                assessed_on=assessment.assessed_on,
                values=[by_domain.get(domain.pk) for domain in domains],
                partner_name=assessment.partner.name if assessment.partner else "",
                assessed_by_name=assessment.assessed_by.get_full_name() or assessment.assessed_by.get_username(),
                note=assessment.note,
            )
        )
    series = [DomainSeries(d.code, d.name_pl, d.name_en, points[d.pk]) for d in domains]
    return AssessmentHistory(instrument=instrument, domains=series, rows=rows)


# --- the chart ------------------------------------------------------------------------------------

_PANEL_W = 330
_PANEL_H = 160
_COLUMNS = 2
_PAD_LEFT = 34
_PAD_RIGHT = 16
_PAD_TOP = 30
_PAD_BOTTOM = 30
_INK = "#1b1b1b"
_MUTED = "#5a5a5a"
_GRID = "#d0d0d0"
_LINE = "#0b5394"


def _date(value: datetime.date) -> str:
    return value.strftime("%d.%m.%Y")


def _ticks(low: int, high: int) -> list[int]:
    if high - low <= 10:
        return list(range(low, high + 1))
    step = max(1, (high - low) // 4)
    ticks = list(range(low, high, step))
    return [*ticks, high] if ticks[-1] != high else ticks


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class AssessmentProfile:
    """The latest result's level per domain beside the one before it (``previous`` is None after one result)."""

    latest: datetime.date
    previous: datetime.date | None
    rows: list[tuple[str, list[int | None]]]  # (domain name, [latest level, previous level])


def assessment_profile(history: AssessmentHistory, language: str | None = None) -> AssessmentProfile | None:
    """A person's profile with one instrument, from a history already read (no query); None without results."""
    if not history.rows:
        return None
    latest = history.rows[-1]
    previous = history.rows[-2] if len(history.rows) > 1 else None
    rows = [
        (series.name(language), [latest.values[i], previous.values[i] if previous is not None else None])
        for i, series in enumerate(history.domains)
    ]
    return AssessmentProfile(
        latest=latest.assessed_on, previous=previous.assessed_on if previous is not None else None, rows=rows
    )


def progress_svg(history: AssessmentHistory, language: str | None = None) -> str:
    """An SVG line chart of a history: one small panel per domain, levels up, time to the right.

    Accessible as one image (``role="img"`` named by its ``<title>`` and ``<desc>``); the page puts the same
    numbers in a table next to it. Every text is escaped: user-defined instruments name their own domains.
    """
    language = language or translation.get_language() or "pl"
    with translation.override(language):
        return _draw(history, language)


def _draw(history: AssessmentHistory, language: str) -> str:
    instrument = history.instrument
    low, high = instrument.scale_min, instrument.scale_max
    dates = sorted({row.assessed_on for row in history.rows})
    domains = history.domains
    rows_of_panels = max(1, -(-len(domains) // _COLUMNS))
    width = _PANEL_W * _COLUMNS
    height = _PANEL_H * rows_of_panels
    uid = f"progress-{str(instrument.pk)[:8]}"
    title = _("Progress by domain: %(instrument)s") % {"instrument": pick(instrument.name_pl, instrument.name_en)}
    if dates:
        results = ngettext("%(count)s result", "%(count)s results", len(history.rows)) % {"count": len(history.rows)}
        desc = _(
            "%(results)s from %(first)s to %(last)s on a scale from %(low)s to %(high)s, one panel per domain. "
            "The table below gives the same numbers."
        ) % {"results": results, "first": _date(dates[0]), "last": _date(dates[-1]), "low": low, "high": high}
    else:
        desc = _("No results yet.")

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{uid}-title {uid}-desc" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" class="progress-chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="{uid}-title">{escape(title)}</title>',
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]
    if not dates:
        out.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle" fill="{_MUTED}">{escape(desc)}</text>')
    first, last = (dates[0], dates[-1]) if dates else (None, None)
    span = (last - first).days if first and last else 0
    plot_w = _PANEL_W - _PAD_LEFT - _PAD_RIGHT
    plot_h = _PANEL_H - _PAD_TOP - _PAD_BOTTOM

    for index, series in enumerate(domains if dates else []):
        ox = (index % _COLUMNS) * _PANEL_W
        oy = (index // _COLUMNS) * _PANEL_H
        name = series.name(language)

        def x_of(day: datetime.date, ox: int = ox) -> float:
            if not span or first is None:
                return ox + _PAD_LEFT + plot_w / 2
            return ox + _PAD_LEFT + plot_w * (day - first).days / span

        def y_of(value: int, oy: int = oy) -> float:
            return oy + _PAD_TOP + plot_h * (high - value) / (high - low)

        out.append(f'<g class="domain" data-domain="{escape(series.code)}">')
        out.append(f'<text x="{ox + 4}" y="{oy + 16}" font-weight="bold" fill="{_INK}">{escape(name)}</text>')
        for tick in _ticks(low, high):
            tick_y = _num(y_of(tick))
            out.append(
                f'<line x1="{ox + _PAD_LEFT}" y1="{tick_y}" x2="{ox + _PAD_LEFT + plot_w}" y2="{tick_y}" '
                f'stroke="{_GRID}" stroke-width="1"/>'
            )
            out.append(
                f'<text x="{ox + _PAD_LEFT - 8}" y="{tick_y}" dy="4" text-anchor="end" fill="{_MUTED}">{tick}</text>'
            )
        base = oy + _PAD_TOP + plot_h
        labels = [(first, "start"), (last, "end")] if span else [(first, "middle")]
        for day, anchor in labels:
            if day is not None:
                out.append(
                    f'<text x="{_num(x_of(day))}" y="{base + 18}" text-anchor="{anchor}" fill="{_MUTED}">'
                    f"{escape(_date(day))}</text>"
                )
        coordinates = [(x_of(p.assessed_on), y_of(p.value), p) for p in series.points]
        if len(coordinates) > 1:
            line = " ".join(f"{_num(x)},{_num(y)}" for x, y, _p in coordinates)
            out.append(f'<polyline points="{line}" fill="none" stroke="{_LINE}" stroke-width="2"/>')
        for x, y, point in coordinates:
            label = _("%(date)s: level %(value)s") % {"date": _date(point.assessed_on), "value": point.value}
            out.append(
                f'<circle class="point" cx="{_num(x)}" cy="{_num(y)}" r="4" fill="{_LINE}" stroke="#fff" '
                f'stroke-width="1.5" data-date="{point.assessed_on.isoformat()}" data-value="{point.value}">'
                f"<title>{escape(name)} — {escape(label)}</title></circle>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)
