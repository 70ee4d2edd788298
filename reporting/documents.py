"""Printable documents (A4 PDF, Polish, DejaVu Sans embedded): the consent form with its information clause, the
individual support plan (IPW), a group meeting's attendance list and a referral letter for the person to take along.

Each is headed by the network's name and the partner that issues it. The caller (a page or the API) has already
fetched the object through its access function, so a document shows nothing its reader could not open; this module
reads and draws, it writes nothing. Documents are in Polish whatever the reader's language: they are signed by and
handed to people in Poland.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.scope import scope_for
from core.types import AuthUser
from network.models import Network
from partners.models import Partner
from people.access import PersonAccess, access_to_person, get_person_for
from people.group_selectors import can_manage_group, get_group_for
from people.models import (
    Attendance,
    Case,
    Consent,
    DataCategory,
    GoalStatus,
    LifeDomain,
    Meeting,
    Person,
    SupportPlan,
)
from people.plans import plan_context
from people.selectors import consent_of, get_network_to_register_in, network_partners, open_case_of
from referrals.access import get_referral_for
from reporting.exports import FONTS


@dataclass(frozen=True)
class Document:
    content: bytes
    filename: str  # Polish letters kept; the door sends it as RFC 6266 filename*
    people: tuple[Person, ...] = ()  # whose data it shows: the door writes their access-log rows


def _day(value: datetime.date | datetime.datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value).date()
    return value.strftime("%d.%m.%Y")


def _filename(kind: str, who: str, day: datetime.date | None = None) -> str:
    # Letters kept, only what a file system refuses taken out.
    name = f"{kind} — {who} — {_day(day or timezone.localdate())}"
    return "".join(ch for ch in name if ch not in '\\/:*?"<>|\n\r\t').strip() + ".pdf"


class _Sheet:
    """An A4 page with the network's name, the issuing partner's header and a footer with the page number."""

    def __init__(self, *, title: str, network: Network, partner: Partner | None) -> None:
        from fpdf import FPDF

        network_name = network.name
        header_lines = _partner_lines(partner)

        class _PDF(FPDF):
            def header(self) -> None:
                self.set_font("DejaVu", "B", 10)
                self.cell(0, 5, network_name, new_x="LMARGIN", new_y="NEXT")
                self.set_font("DejaVu", "", 8)
                for line in header_lines:
                    self.cell(0, 4, line, new_x="LMARGIN", new_y="NEXT")
                self.set_draw_color(120, 120, 120)
                self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
                self.ln(5)

            def footer(self) -> None:
                self.set_y(-12)
                self.set_font("DejaVu", "", 7)
                self.cell(0, 5, f"{title} · {_('page')} {self.page_no()}/{{nb}}", align="C")

        pdf = _PDF(orientation="portrait", unit="mm", format="A4")
        pdf.set_title(title)
        pdf.set_creator("LSW")
        pdf.set_lang("pl")
        pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
        pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
        pdf.set_auto_page_break(auto=True, margin=18)
        pdf.alias_nb_pages()
        pdf.add_page()
        pdf.set_font("DejaVu", "B", 14)
        pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT", align="C")
        pdf.ln(2)
        self.pdf = pdf

    def heading(self, text: str) -> None:
        self.pdf.ln(2)
        self.pdf.set_font("DejaVu", "B", 11)
        self.pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")

    def text(self, text: str, size: int = 10, bold: bool = False) -> None:
        self.pdf.set_font("DejaVu", "B" if bold else "", size)
        self.pdf.multi_cell(0, size * 0.5, text, new_x="LMARGIN", new_y="NEXT")

    def field(self, label: str, value: str) -> None:
        self.pdf.set_font("DejaVu", "B", 10)
        self.pdf.cell(55, 6, f"{label}:")
        self.pdf.set_font("DejaVu", "", 10)
        self.pdf.multi_cell(0, 6, value or "—", new_x="LMARGIN", new_y="NEXT")

    def checkbox(self, label: str, checked: bool) -> None:
        self.pdf.set_font("DejaVu", "", 10)
        self.pdf.multi_cell(0, 6, f"{'☒' if checked else '☐'}  {label}", new_x="LMARGIN", new_y="NEXT")

    def signatures(self, *labels: str) -> None:
        """Signature lines side by side (date and place on the left of the first)."""
        pdf = self.pdf
        if pdf.get_y() > pdf.h - 50:
            pdf.add_page()
        pdf.ln(14)
        width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(labels)
        y = pdf.get_y()
        for index, label in enumerate(labels):
            x = pdf.l_margin + index * width
            pdf.line(x + 4, y, x + width - 4, y)
            pdf.set_xy(x, y + 1)
            pdf.set_font("DejaVu", "", 8)
            pdf.multi_cell(width, 4, label, align="C")
        pdf.set_xy(pdf.l_margin, y + 10)

    def table(self, widths: tuple[float, ...], header: list[str], rows: list[list[str]], line_height: int = 6) -> None:
        from fpdf.fonts import FontFace

        self.pdf.set_font("DejaVu", "", 9)
        with self.pdf.table(
            col_widths=widths,
            width=sum(widths),
            align="LEFT",
            headings_style=FontFace(emphasis="BOLD", fill_color=(230, 236, 245)),
            line_height=line_height,
        ) as table:
            cells = table.row()
            for label in header:
                cells.cell(label)
            for row in rows:
                cells = table.row()
                for value in row:
                    cells.cell(value)

    def output(self) -> bytes:
        return bytes(self.pdf.output())


def _partner_lines(partner: Partner | None) -> list[str]:
    if partner is None:
        return []
    lines = [partner.name]
    address = ", ".join(part for part in (partner.street, f"{partner.postal_code} {partner.city}".strip()) if part)
    if address:
        lines.append(address)
    contact = " · ".join(part for part in (partner.phone, partner.email) if part)
    if contact:
        lines.append(contact)
    return lines


def _person_name(person: Person) -> str:
    return f"{person.first_name} {person.last_name}"


def _birth(person: Person) -> str:
    if person.birth_date:
        return _day(person.birth_date)
    return str(person.birth_year or "—")


# --- the consent form -----------------------------------------------------------------------------------------------


def _information_clause(partner: Partner | None, network: Network, purpose: str) -> list[str]:
    """The information clause of art. 13 GDPR (RODO), written for the partner that collects the consent."""
    administrator = ", ".join(_partner_lines(partner)) if partner else network.name
    contact = (partner.email if partner and partner.email else "") or _("the administrator's address above")
    return [
        _("1. The controller of your personal data is %(administrator)s.") % {"administrator": administrator},
        _("2. You can contact the controller and its data protection officer at: %(contact)s.") % {"contact": contact},
        _(
            "3. Your data are processed for the purpose of: %(purpose)s, on the basis of your consent (art. 6(1)(a) "
            "and art. 9(2)(a) GDPR) and, where the law requires it, of the laws on social assistance and mental "
            "health protection."
        )
        % {"purpose": purpose or _("support within the local cooperation network")},
        _(
            "4. The recipients of your data are only the partners of the local cooperation network “%(network)s” "
            "named in this consent, and bodies entitled by law."
        )
        % {"network": network.name},
        _(
            "5. Your data are kept until the consent is withdrawn or the support ends, and then for the period "
            "that the archiving rules require."
        ),
        _(
            "6. You have the right of access to your data, to rectify, erase or restrict their processing, to data "
            "portability and to withdraw this consent at any time, without affecting the lawfulness of the "
            "processing before its withdrawal."
        ),
        _(
            "7. You have the right to lodge a complaint with the President of the Personal Data Protection Office "
            "(Prezes UODO, ul. Stawki 2, 00-193 Warszawa)."
        ),
        _(
            "8. Giving your data is voluntary; without them the partners cannot support you together within "
            "the network."
        ),
        _("9. Your data are not used for automated decision-making, including profiling."),
    ]


def consent_form(
    *, network: Network, partner: Partner | None, person: Person | None = None, consent: Consent | None = None
) -> Document:
    """The consent form ready to sign: for a person (their identity filled in), or blank for a person met at the
    door; with a recorded consent, its categories, partners and dates are ticked and filled in."""
    with translation.override("pl"):
        sheet = _Sheet(
            title=_("Consent to the processing and sharing of personal data"), network=network, partner=partner
        )
        sheet.heading(_("The person"))
        if person is not None:
            sheet.field(_("First and last name"), _person_name(person))
            sheet.field(_("Birth date"), _birth(person))
            sheet.field(_("PESEL"), person.pesel)
            sheet.field(_("Legal guardian"), person.guardian_name)
        else:
            for label in (_("First and last name"), _("Birth date"), _("PESEL"), _("Legal guardian")):
                sheet.field(label, "_" * 50)
        sheet.heading(_("I agree that my data of these categories are processed and shared:"))
        chosen = set(consent.categories) if consent else set()
        for code, category in DataCategory.choices:
            sheet.checkbox(str(category), code in chosen)
        sheet.heading(_("with these partners of the network:"))
        named = {p.pk for p in consent.partners.all()} if consent else set()
        for member in network_partners(network.pk):
            sheet.checkbox(member.name, member.pk in named)
        purpose = consent.purpose if consent else ""
        sheet.field(_("Purpose"), purpose or "_" * 50)
        sheet.field(_("Valid from"), _day(consent.valid_from) if consent else "_" * 20)
        sheet.field(
            _("Valid until"),
            (_day(consent.valid_until) if consent.valid_until else _("until withdrawn")) if consent else "_" * 20,
        )
        sheet.heading(_("Information clause (art. 13 GDPR)"))
        for line in _information_clause(partner, network, purpose):
            sheet.text(line, size=8)
        sheet.signatures(_("place and date"), _("signature of the person or the legal guardian"), _("received by"))
        who = _person_name(person) if person else network.name
        return Document(sheet.output(), _filename(_("Consent"), who), (person,) if person else ())


# --- the individual support plan ------------------------------------------------------------------------------------


def support_plan(*, case: Case, plan: SupportPlan | None = None) -> Document:
    """The individual support plan (IPW) of a case: its goals by life domain, who is responsible, target dates and
    status, the last review of each, and signature lines for the person, the case manager and the coordinator."""
    with translation.override("pl"):
        context = plan_context(case) if plan is None else {"plan": plan, "goals": list(plan.goals.all())}
        plan = context["plan"]
        goals = context["goals"]
        person = case.person
        sheet = _Sheet(title=_("Individual support plan (IPW)"), network=case.network, partner=case.managing_partner)
        sheet.field(_("Person"), _person_name(person))
        sheet.field(_("Birth date"), _birth(person))
        manager = case.case_manager
        sheet.field(_("Case manager"), (manager.get_full_name() or manager.username) if manager else "—")
        sheet.field(_("Case opened"), _day(case.opened_on))
        if plan is not None:
            sheet.field(_("Plan"), plan.title or _("current plan"))
            sheet.field(_("Agreed on"), _day(plan.agreed_on))
        sheet.heading(_("Goals"))
        if not goals:
            sheet.text(_("No goals yet."))
        else:
            domains = dict(LifeDomain.choices)
            statuses = dict(GoalStatus.choices)
            rows = []
            for number, goal in enumerate(goals, start=1):
                reviews = sorted(goal.reviews.all(), key=lambda review: review.reviewed_on)
                last = reviews[-1] if reviews else None
                rows.append(
                    [
                        str(number),
                        str(domains.get(goal.domain, goal.domain)),
                        goal.description,
                        goal.responsible_partner.name if goal.responsible_partner else "—",
                        _day(goal.target_date),
                        str(statuses.get(goal.status, goal.status))
                        + (f"\n({_('reviewed')} {_day(last.reviewed_on)})" if last else ""),
                    ]
                )
            sheet.table(
                (8, 30, 62, 36, 22, 32),
                ["#", _("Life domain"), _("Goal"), _("Responsible partner"), _("Target date"), _("Status")],
                rows,
                line_height=5,
            )
        sheet.text("")
        sheet.text(
            _("The person took part in drawing up this plan and agrees with its goals; it is reviewed together."),
            size=9,
        )
        sheet.signatures(
            _("signature of the person"), _("signature of the case manager"), _("signature of the coordinator")
        )
        return Document(sheet.output(), _filename(_("IPW"), _person_name(person)), (person,))


# --- a group meeting's attendance list ------------------------------------------------------------------------------


def attendance_list(*, meeting: Meeting, members: list[Person]) -> Document:
    """The meeting's attendance list to sign: the group's members on the meeting's day (and anyone recorded as
    present), with those already recorded as present marked."""
    with translation.override("pl"):
        group = meeting.group
        sheet = _Sheet(title=_("Attendance list"), network=group.network, partner=group.partner)
        sheet.field(_("Group"), group.name)
        sheet.field(_("Date"), _day(meeting.held_on))
        sheet.field(_("Duration"), _("%(minutes)s min") % {"minutes": meeting.duration_minutes})
        sheet.field(_("Topic"), meeting.topic)
        sheet.field(_("Place"), meeting.place or group.place)
        sheet.field(_("Leader"), meeting.leader or group.leader)
        present = set(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))
        people = {p.pk: p for p in members}
        for person in Person.objects.filter(pk__in=present - set(people)):
            people[person.pk] = person
        ordered = sorted(people.values(), key=lambda p: (p.last_name, p.first_name))
        rows = [
            [str(number), _person_name(person), "✓" if person.pk in present else "", ""]
            for number, person in enumerate(ordered, start=1)
        ]
        rows += [[str(len(rows) + extra), "", "", ""] for extra in range(1, 4)]
        sheet.table((10, 80, 25, 65), ["#", _("First and last name"), _("Present"), _("Signature")], rows, 8)
        sheet.signatures(_("signature of the leader"))
        return Document(sheet.output(), _filename(_("Attendance list"), group.name, meeting.held_on), tuple(ordered))


# --- the referral letter --------------------------------------------------------------------------------------------


def referral_letter(*, referral: Any) -> Document:
    """The referral (skierowanie) for the person to take along: to whom and which service, why and for what goal,
    the answer date, who refers and whom to call."""
    with translation.override("pl"):
        network = referral.network
        sheet = _Sheet(
            title=_("Referral"), network=network, partner=referral.from_partner or network.coordinating_partner
        )
        person = referral.person
        sheet.field(_("Number"), str(referral.pk).split("-")[0].upper())
        sheet.field(_("Date"), _day(referral.sent_at or referral.created_at))
        sheet.heading(_("To"))
        sheet.text("\n".join(_partner_lines(referral.to_partner)))
        if referral.service is not None:
            sheet.field(_("Service"), referral.service.name)
        sheet.heading(_("Referred person"))
        sheet.field(_("First and last name"), _person_name(person))
        sheet.field(_("Birth date"), _birth(person))
        sheet.heading(_("Reason and goal"))
        sheet.text(referral.reason)
        if referral.goal:
            sheet.text(referral.goal)
        sheet.field(_("Priority"), str(referral.get_priority_display()))
        if referral.due_by:
            sheet.field(_("Answer due by"), _day(referral.due_by))
        creator = referral.created_by
        sheet.field(_("Referred by"), creator.get_full_name() or creator.username)
        if referral.case_id and referral.case.case_manager:
            manager = referral.case.case_manager
            sheet.field(_("Case manager"), manager.get_full_name() or manager.username)
        sheet.text("")
        sheet.text(
            _(
                "Please take this referral with you to your first visit. The partner you are referred to already "
                "has it in the network's system and will confirm your contact."
            ),
            size=9,
        )
        sheet.signatures(_("place and date"), _("signature of the referring person"))
        return Document(sheet.output(), _filename(_("Referral"), _person_name(person)), (person,))


# --- who may print which: the one access check of both doors ------------------------------------------------------


def _issuing_partner(user: AuthUser, network: Network, preferred: Partner | None = None) -> Partner | None:
    """The partner whose header a document carries: the preferred one when the user works for it, else the user's
    own partner in the network, else the network's coordinating partner."""
    scope = scope_for(user)
    if preferred is not None and preferred.pk in scope.staff_partner_ids:
        return preferred
    own = network_partners(network.pk).filter(pk__in=list(scope.staff_partner_ids)).first()
    if own is not None:
        return own
    return preferred or network.coordinating_partner


def _readable_person(user: AuthUser, person_id: Any) -> PersonAccess:
    access = get_person_for(user, person_id)
    if not access.can_read(DataCategory.IDENTITY):
        raise Http404
    return access


def consent_form_for(user: AuthUser, person_id: Any, consent_id: Any = None) -> Document:
    """A person's consent form (a recorded consent of theirs when ``consent_id`` names one): for whoever records
    consents for them — the coordinator, the case manager, or the partner at whose door they registered."""
    access = _readable_person(user, person_id)
    person = access.person
    door = person.door_partner_id is not None and person.door_partner_id in scope_for(user).staff_partner_ids
    if not (access.can_change_path or door):
        raise Http404
    consent = None
    if consent_id:
        consent = consent_of(person, consent_id)
    partner = _issuing_partner(user, person.network, person.door_partner)
    return consent_form(network=person.network, partner=partner, person=person, consent=consent)


def blank_consent_form_for(user: AuthUser, network_id: Any) -> Document:
    """The blank form for a person met at the door, for whoever may register people in the network."""
    from django.core.exceptions import PermissionDenied

    try:
        network = get_network_to_register_in(user, network_id)
    except PermissionDenied:
        raise Http404 from None
    return consent_form(network=network, partner=_issuing_partner(user, network))


def support_plan_for(user: AuthUser, person_id: Any) -> Document:
    """The IPW of the person's open case, for those who plan it (the coordinator and the case manager)."""
    access = _readable_person(user, person_id)
    if not access.can_change_path:
        raise Http404
    case = open_case_of(access.person)
    if case is None:
        raise Http404
    return support_plan(case=case)


def attendance_list_for(user: AuthUser, meeting_id: Any) -> Document:
    """A meeting's list, for those who see the group's people (its network's coordinators, the running partner)."""
    try:
        meeting = Meeting.objects.select_related("group").get(pk=meeting_id)
    except (Meeting.DoesNotExist, ValueError, TypeError, ValidationError):
        raise Http404 from None
    group = get_group_for(user, meeting.group_id)
    if not can_manage_group(user, group):
        raise Http404
    members = list(
        Person.objects.filter(
            group_memberships__group=group,
            group_memberships__joined_on__lte=meeting.held_on,
        )
        .filter(Q(group_memberships__left_on__isnull=True) | Q(group_memberships__left_on__gte=meeting.held_on))
        .active()
        .distinct()
    )
    meeting.group = group
    return attendance_list(meeting=meeting, members=members)


def referral_letter_for(user: AuthUser, referral_id: Any) -> Document:
    """The letter of a referral the user sees, when they may also read the person's identity (a withdrawn consent
    that stopped the share stops the letter too)."""
    referral = get_referral_for(user, referral_id)
    access = access_to_person(user, referral.person)
    if access is None or not access.can_read(DataCategory.IDENTITY):
        raise Http404
    return referral_letter(referral=referral)
