"""The demo network (DESIGN §10), modelled on the source documents (seeds 003 and 004). Fictional data.

Idempotent: running it again changes nothing. Issues that add people, referrals and placements extend it.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction

from accounts.mfa import totp_enrol_with_secret
from network.directory import partner_create, service_create
from network.models import CooperationAgreement, Network, NetworkMembership
from network.services import agreement_save, coordinator_add, membership_add, network_create
from partners.choices import PartnerType, PathStage, Sector, StaffRole
from partners.models import Partner, Service, StaffMembership, User
from partners.services import staff_add

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo password, refused when DEBUG is off
# The coordinator's authenticator-app secret (base32), printed by `make run` so a newcomer can try the second step
# with any TOTP app (or `oathtool --totp -b JBSWY3DPEHPK3PXP`). The other demo logins have no second factor.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXP"  # noqa: S105 - published demo secret, refused when DEBUG is off
NETWORK_NAME = "Lokalny System Współdziałania Partnerów — Piekary Śląskie"
START = datetime.date(2025, 1, 1)

# (key, name, type, sector, regon, street, postal code, functions, [services])
# service: (name, category, capacity, load, schedule, waitlist)
PARTNERS: list[
    tuple[str, str, str, str, str, str, str, list[str], list[tuple[str, str, int | None, int, str, bool]]]
] = [
    (
        "mopr",
        "Miejski Ośrodek Pomocy Rodzinie w Piekarach Śląskich",
        PartnerType.OPS,
        Sector.LOCAL_GOVERNMENT,
        "676122202",
        "ul. Bytomska 64",
        "41-940",
        ["coordination", "social_matters", "care_services", "community_support"],
        [
            ("Grupa wsparcia „Razem Łatwiej!”", PathStage.COMMUNITY_SUPPORT, 15, 9, "środy 13:30–15:00", True),
            ("Specjalistyczne usługi opiekuńcze (SUO)", PathStage.LEGAL_SOCIAL, 12, 12, "pn–pt 8:00–16:00", True),
            ("Asystent osobisty", PathStage.COMMUNITY_SUPPORT, 6, 4, "według potrzeb", False),
            ("Praca socjalna i kontrakt socjalny", PathStage.LEGAL_SOCIAL, None, 0, "pn–pt 7:30–15:30", True),
        ],
    ),
    (
        "szpital",
        "Oddział Psychiatryczny Szpitala Miejskiego",
        PartnerType.PSYCHIATRIC_HOSPITAL,
        Sector.LOCAL_GOVERNMENT,
        "837261675",
        "ul. Szpitalna 11",
        "41-940",
        ["therapy", "diagnosis"],
        [("Planowanie wypisu i kontynuacja leczenia", PathStage.THERAPY, 20, 17, "codziennie", True)],
    ),
    (
        "czp",
        "Centrum Zdrowia Psychicznego — punkt zgłoszeniowo-koordynacyjny",
        PartnerType.CZP,
        Sector.LOCAL_GOVERNMENT,
        "478245040",
        "ul. Kalinowa 3",
        "41-940",
        ["therapy", "crisis_intervention", "diagnosis"],
        [
            ("Oddział dzienny", PathStage.THERAPY, 25, 25, "pn–pt 8:00–15:00", True),
            ("Zespół leczenia środowiskowego", PathStage.THERAPY, 30, 21, "pn–pt", True),
            ("Punkt zgłoszeniowo-koordynacyjny", PathStage.INTAKE, None, 0, "pn–pt 8:00–18:00", True),
        ],
    ),
    (
        "sds",
        "Środowiskowy Dom Samopomocy typu A",
        PartnerType.SDS,
        Sector.LOCAL_GOVERNMENT,
        "208682889",
        "ul. Oświęcimska 45",
        "41-940",
        ["community_support", "diagnosis"],
        [
            (
                "Treningi umiejętności codziennych i społecznych",
                PathStage.COMMUNITY_SUPPORT,
                35,
                33,
                "pn–pt 7:30–15:30",
                True,
            )
        ],
    ),
    (
        "pcpr",
        "Powiatowe Centrum Pomocy Rodzinie",
        PartnerType.PCPR,
        Sector.LOCAL_GOVERNMENT,
        "741374847",
        "ul. Kalwaryjska 17",
        "41-940",
        ["social_matters", "vocational_training"],
        [("Turnusy rehabilitacyjne (PFRON)", PathStage.LEGAL_SOCIAL, 10, 3, "nabór ciągły", True)],
    ),
    (
        "pup",
        "Powiatowy Urząd Pracy",
        PartnerType.PUP,
        Sector.LOCAL_GOVERNMENT,
        "156404104",
        "ul. Kalwaryjska 33",
        "41-940",
        ["employment", "vocational_training"],
        [
            ("Poradnictwo zawodowe i indywidualny plan działania", PathStage.VOCATIONAL, None, 0, "pn–pt", True),
            ("Szkolenia zawodowe (Fundusz Pracy)", PathStage.VOCATIONAL, 16, 10, "wg harmonogramu", True),
        ],
    ),
    (
        "pfron",
        "Oddział Śląski PFRON",
        PartnerType.PFRON,
        Sector.GOVERNMENT,
        "611148936",
        "ul. Ligonia 46",
        "40-037",
        ["employment"],
        [("Dofinansowanie stanowiska pracy", PathStage.SUPPORTED_EMPLOYMENT, None, 0, "nabór ciągły", True)],
    ),
    (
        "stowarzyszenie",
        "Stowarzyszenie Osób po Kryzysie Psychicznym „Razem”",
        PartnerType.NGO,
        Sector.SOCIAL,
        "675112532",
        "ul. Jana Pawła II 4",
        "41-940",
        ["community_support"],
        [("Klub samopomocy", PathStage.COMMUNITY_SUPPORT, 20, 8, "wtorki i czwartki 16:00", True)],
    ),
    (
        "porady",
        "Fundacja Pomocy Prawnej „Prawo dla Każdego”",
        PartnerType.NGO,
        Sector.SOCIAL,
        "177646727",
        "ul. Powstańców Śląskich 8",
        "41-940",
        ["legal_advice"],
        [("Nieodpłatne porady prawne", PathStage.LEGAL_SOCIAL, 8, 2, "poniedziałki 10:00–14:00", False)],
    ),
    (
        "szkolenia",
        "Centrum Szkoleń Zawodowych",
        PartnerType.TRAINING_PROVIDER,
        Sector.SOCIAL,
        "220082619",
        "ul. Roosevelta 15",
        "41-940",
        ["vocational_training"],
        [("Kurs: pracownik gospodarczy", PathStage.VOCATIONAL, 12, 12, "od marca", True)],
    ),
    (
        "zaz",
        "Zakład Aktywności Zawodowej",
        PartnerType.ZAZ,
        Sector.SOCIAL,
        "872009773",
        "ul. Przemysłowa 2",
        "41-940",
        ["employment"],
        [("Zatrudnienie chronione", PathStage.SUPPORTED_EMPLOYMENT, 10, 9, "pn–pt", True)],
    ),
    (
        "drukarnia",
        "Drukarnia Śląska Sp. z o.o.",
        PartnerType.EMPLOYER,
        Sector.EMPLOYER,
        "369492359",
        "ul. Składowa 7",
        "41-940",
        ["employment"],
        [],
    ),
    (
        "ogrodnik",
        "Zielony Ogród — usługi ogrodnicze s.c.",
        PartnerType.EMPLOYER,
        Sector.EMPLOYER,
        "098326389",
        "ul. Polna 21",
        "41-940",
        ["employment"],
        [],
    ),
]

# login → (first, last, partner key or None, role)
LOGINS = {
    "koordynator": ("Katarzyna", "Nowak", "mopr", StaffRole.STAFF),
    "mopr": ("Marek", "Wiśniewski", "mopr", StaffRole.ADMIN),
    "sds": ("Sylwia", "Zielińska", "sds", StaffRole.ADMIN),
    "pup": ("Paweł", "Urbański", "pup", StaffRole.STAFF),
    "pracodawca": ("Piotr", "Kowalczyk", "drukarnia", StaffRole.ADMIN),
    "trener": ("Tomasz", "Pracowity", "zaz", StaffRole.JOB_COACH),
    # One login for every other partner, so that a referral to any of them can be answered in the demo.
    "szpital": ("Szymon", "Lekarski", "szpital", StaffRole.ADMIN),
    "czp": ("Cecylia", "Zdrowa", "czp", StaffRole.ADMIN),
    "pcpr": ("Patrycja", "Rodzinna", "pcpr", StaffRole.ADMIN),
    "pfron": ("Filip", "Wsparcki", "pfron", StaffRole.ADMIN),
    "stowarzyszenie": ("Stanisława", "Razem", "stowarzyszenie", StaffRole.ADMIN),
    "porady": ("Paulina", "Prawnicza", "porady", StaffRole.ADMIN),
    "szkolenia": ("Szczepan", "Kursowy", "szkolenia", StaffRole.ADMIN),
    "ogrodnik": ("Olga", "Zielińska", "ogrodnik", StaffRole.ADMIN),
}


def _user(username: str, first: str, last: str, **extra: Any) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@demo.invalid", **extra},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def load_demo() -> str:
    admin = _user("admin", "Administrator", "Systemu", is_staff=True, is_superuser=True)
    _user("monitor", "Monika", "Wojewódzka", is_regional_monitor=True)
    users = {login: _user(login, first, last) for login, (first, last, _key, _role) in LOGINS.items()}
    totp_enrol_with_secret(user=users["koordynator"], secret_base32=DEMO_TOTP_SECRET)

    network = Network.objects.filter(name=NETWORK_NAME).first()
    if network is None:
        network = network_create(
            actor=admin,
            data={
                "name": NETWORK_NAME,
                "teryt": "2462011",
                "territory_name": "Piekary Śląskie (gmina miejska)",
                "start_date": START,
                "description": (
                    "Wsparcie osób po kryzysie psychicznym w społeczności lokalnej: od wypisu ze szpitala, "
                    "przez wsparcie środowiskowe i aktywizację zawodową, do samodzielności."
                ),
            },
        )
        coordinator_add(actor=admin, network=network, user=users["koordynator"])

    partners: dict[str, Partner] = {}
    for key, name, type_, sector, regon, street, postal, functions, services in PARTNERS:
        partner = Partner.objects.filter(regon=regon).first()
        if partner is None:
            partner = partner_create(
                actor=admin,
                data={
                    "name": name,
                    "type": type_,
                    "sector": sector,
                    "regon": regon,
                    "street": street,
                    "postal_code": postal,
                    "city": "Katowice" if postal.startswith("40") else "Piekary Śląskie",
                    "phone": "32 000 00 00",
                    "email": f"kontakt@{key}.demo.invalid",
                },
            )
        partners[key] = partner
        if not NetworkMembership.objects.filter(network=network, partner=partner).exists():
            membership_add(actor=admin, network=network, partner=partner, functions=functions, since=START)
        for s_name, category, capacity, load, schedule, waitlist in services:
            if not Service.objects.filter(partner=partner, name=s_name).exists():
                service_create(
                    actor=admin,
                    partner=partner,
                    data={
                        "name": s_name,
                        "category": category,
                        "capacity": capacity,
                        "load": load,
                        "schedule": schedule,
                        "waitlist_enabled": waitlist,
                        "funding_source": "municipal_budget" if type_ == PartnerType.OPS else "own_funds",
                        "description": f"{s_name} — {name}.",
                        "eligibility": "Osoby po kryzysie psychicznym, mieszkańcy Piekar Śląskich.",
                    },
                )

    if network.coordinating_partner_id is None:
        network.coordinating_partner = partners["mopr"]
        network.save(update_fields=["coordinating_partner"])

    for login, (_first, _last, key, role) in LOGINS.items():
        if not StaffMembership.objects.filter(user=users[login], partner=partners[key]).exists():
            staff_add(actor=admin, partner=partners[key], user=users[login], role=role, send_invitation=False)

    mopr_membership = NetworkMembership.objects.get(network=network, partner=partners["mopr"])
    if mopr_membership.coordinating_person_id is None:
        mopr_membership.coordinating_person = users["koordynator"]
        mopr_membership.contact_name = "Katarzyna Nowak"
        mopr_membership.contact_phone = "32 000 00 01"
        mopr_membership.contact_email = "koordynator@demo.invalid"
        mopr_membership.save()

    if not CooperationAgreement.objects.filter(network=network).exists():
        agreement_save(
            actor=admin,
            network=network,
            data={
                "title": "Porozumienie o współpracy w ramach Lokalnego Systemu Współdziałania Partnerów",
                "procedures": (
                    "Partnerzy przekazują sobie skierowania przez system; odpowiedź w ciągu 7 dni (pilne: 1 dzień "
                    "roboczy). Koordynator zwołuje spotkanie partnerów raz w miesiącu."
                ),
                "communication_means": "System LSW, e-mail, telefon, comiesięczne spotkania partnerów.",
                "contact_persons": "Koordynator: Katarzyna Nowak (MOPR), tel. 32 000 00 01",
                "funding_sources": ["municipal_budget", "county_budget", "pfron", "labour_fund", "esf_plus"],
                "valid_from": START,
            },
        )
    from demo.people import load_demo_people

    people = load_demo_people(
        network=network,
        coordinator=users["koordynator"],
        partners=partners,
        staff={"mopr": users["mopr"], "sds": users["sds"]},
        person_password=DEMO_PASSWORD,
    )
    from demo.daily_work import load_demo_daily_work

    load_demo_daily_work(
        network=network,
        coordinator=users["koordynator"],
        partners=partners,
        staff={"mopr": users["mopr"], "sds": users["sds"]},
    )
    from demo.employment import load_demo_employment

    load_demo_employment(network, partners, users)
    _demo_report(network, users["koordynator"])
    return f"{User.objects.count()} users, {len(partners)} partners, {people} people in «{network.name}»"


# The funding of the demo network in PLN, by year and source (the good-practice card's "źródło i wysokość
# finansowania"), and the 2025 report closed and sent to the region, so that the monitor sees one network sent.
DEMO_FUNDING = [
    (2025, "municipal_budget", "184000.00", "Budżet miasta: MOPR, usługi opiekuńcze, grupa wsparcia"),
    (2025, "pfron", "62500.00", "Turnusy i dofinansowanie stanowisk pracy"),
    (2025, "labour_fund", "38200.00", "Szkolenia zawodowe PUP"),
    (2025, "esf_plus", "120000.00", "Projekt aktywizacji społeczno-zawodowej"),
    (2026, "municipal_budget", "191500.00", "Budżet miasta"),
    (2026, "pfron", "58000.00", ""),
    (2026, "voivode_grant", "45000.00", "Dotacja wojewody na ŚDS"),
]


def _demo_report(network: Network, coordinator: User) -> None:
    from reporting.models import FundingAmount, ReportClosure
    from reporting.services import funding_set, report_close
    from reporting.yearly import Period

    for year, source, amount, note in DEMO_FUNDING:
        if not FundingAmount.objects.filter(network=network, year=year, source=source).exists():
            funding_set(actor=coordinator, network=network, year=year, source=source, amount=amount, note=note)
    if not ReportClosure.objects.filter(network=network).exists():
        report_close(actor=coordinator, network=network, period=Period.year(START.year))
