"""The plan of one run, made in memory before a row is written: how many of each, and how they are spread.

Partner sizes are heavy-tailed (Zipf, exponent 0.6): the median partner receives ~120 referrals and has 2 staff,
the largest ~14,000 and ~400 staff. Networks differ in size (a gmina or a whole county); a few partners serve two.
Every later step draws from the run's one random source in a fixed order, so the same seed gives the same data.
"""

from __future__ import annotations

import datetime
import random
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.utils import timezone

from partners.choices import PartnerType, PathStage

FULL_SIZES = {"networks": 300, "partners": 5_000, "users": 20_000, "people": 100_000, "referrals": 1_000_000}
ZIPF_EXPONENT = 0.6  # largest of 5,000 partners gets 1.36% of the referrals, the median 0.012%
STAFF_EXPONENT = 1.2  # staff ∝ inbox^1.2: median 2 with 20,000 users over 5,000 partners
COORDINATORS_PER_NETWORK = 2
SECOND_NETWORK_SHARE = 0.05  # partners serving two networks (a county labour office, say)
HISTORY_DAYS = 3 * 365
DAY = 86_400.0

# Share of each partner type, loosely after the partner lists of Polish local systems.
TYPE_WEIGHTS: dict[str, float] = {
    PartnerType.OPS: 10,
    PartnerType.NGO: 14,
    PartnerType.EMPLOYER: 12,
    PartnerType.MENTAL_HEALTH_CLINIC: 6,
    PartnerType.SDS: 5,
    PartnerType.WTZ: 5,
    PartnerType.SOCIAL_COOPERATIVE: 5,
    PartnerType.TRAINING_PROVIDER: 5,
    PartnerType.CIS_KIS: 4,
    PartnerType.CZP: 3,
    PartnerType.PCPR: 3,
    PartnerType.PUP: 3,
    PartnerType.CRISIS_INTERVENTION: 3,
    PartnerType.HOUSING: 3,
    PartnerType.OTHER: 3,
    PartnerType.PSYCHIATRIC_HOSPITAL: 2,
    PartnerType.ZAZ: 2,
    PartnerType.CUS: 2,
    PartnerType.OWES: 1,
    PartnerType.PFRON: 0.5,
}
BIG_INSTITUTIONS = [
    PartnerType.OPS,
    PartnerType.CZP,
    PartnerType.PUP,
    PartnerType.PSYCHIATRIC_HOSPITAL,
    PartnerType.PCPR,
    PartnerType.MENTAL_HEALTH_CLINIC,
]
TYPE_NAMES: dict[str, str] = {
    PartnerType.OPS: "Ośrodek Pomocy Społecznej",
    PartnerType.NGO: "Stowarzyszenie na rzecz Zdrowia Psychicznego",
    PartnerType.EMPLOYER: "Przedsiębiorstwo Usługowe",
    PartnerType.MENTAL_HEALTH_CLINIC: "Poradnia Zdrowia Psychicznego",
    PartnerType.SDS: "Środowiskowy Dom Samopomocy",
    PartnerType.WTZ: "Warsztat Terapii Zajęciowej",
    PartnerType.SOCIAL_COOPERATIVE: "Spółdzielnia Socjalna",
    PartnerType.TRAINING_PROVIDER: "Centrum Szkoleń",
    PartnerType.CIS_KIS: "Centrum Integracji Społecznej",
    PartnerType.CZP: "Centrum Zdrowia Psychicznego",
    PartnerType.PCPR: "Powiatowe Centrum Pomocy Rodzinie",
    PartnerType.PUP: "Powiatowy Urząd Pracy",
    PartnerType.CRISIS_INTERVENTION: "Punkt Interwencji Kryzysowej",
    PartnerType.HOUSING: "Mieszkania Treningowe",
    PartnerType.OTHER: "Fundacja",
    PartnerType.PSYCHIATRIC_HOSPITAL: "Oddział Psychiatryczny Szpitala",
    PartnerType.ZAZ: "Zakład Aktywności Zawodowej",
    PartnerType.CUS: "Centrum Usług Społecznych",
    PartnerType.OWES: "Ośrodek Wsparcia Ekonomii Społecznej",
    PartnerType.PFRON: "Oddział PFRON",
}
PLACE_HEADS = ["Nowa", "Stara", "Wielka", "Mała", "Górna", "Dolna", "Zielona", "Biała", "Czarna", "Wysoka"]
PLACE_TAILS = ["Wieś", "Wola", "Dąbrowa", "Góra", "Łąka", "Brzezina", "Kępa", "Poręba", "Huta", "Słoboda", "Osada"]
SERVICE_NAMES = ["Konsultacje indywidualne", "Grupa wsparcia", "Trening umiejętności społecznych", "Doradztwo",
                 "Terapia zajęciowa", "Praca socjalna", "Asystent osobisty", "Szkolenie zawodowe"]  # fmt: skip
# Staff accounts and people draw from the same invented names.
FEMALE = ["Anna", "Maria", "Katarzyna", "Małgorzata", "Agnieszka", "Barbara", "Ewa", "Krystyna", "Elżbieta",
          "Zofia", "Joanna", "Magdalena", "Monika", "Aleksandra", "Natalia", "Beata", "Danuta", "Jadwiga"]  # fmt: skip
MALE = ["Piotr", "Krzysztof", "Andrzej", "Tomasz", "Paweł", "Jan", "Michał", "Marcin", "Stanisław", "Jakub",
        "Adam", "Marek", "Łukasz", "Grzegorz", "Mateusz", "Wojciech", "Mariusz", "Dariusz"]  # fmt: skip
SURNAMES = [("Nowak", "Nowak"), ("Kowalski", "Kowalska"), ("Wiśniewski", "Wiśniewska"), ("Wójcik", "Wójcik"),
            ("Kowalczyk", "Kowalczyk"), ("Kamiński", "Kamińska"), ("Lewandowski", "Lewandowska"),
            ("Zieliński", "Zielińska"), ("Szymański", "Szymańska"), ("Woźniak", "Woźniak"), ("Dąbrowski", "Dąbrowska"),
            ("Kozłowski", "Kozłowska"), ("Jankowski", "Jankowska"), ("Mazur", "Mazur"), ("Kwiatkowski", "Kwiatkowska"),
            ("Krawczyk", "Krawczyk"), ("Piotrowski", "Piotrowska"), ("Grabowski", "Grabowska"), ("Pawłowski",
            "Pawłowska"), ("Michalski", "Michalska"), ("Król", "Król"), ("Wieczorek", "Wieczorek")]  # fmt: skip

Say = Callable[[str], None]


def sizes_for(scale: float) -> dict[str, int]:
    """DESIGN §8 sizes times ``scale``, with floors that keep a tiny run meaningful."""
    sizes = {name: round(count * scale) for name, count in FULL_SIZES.items()}
    sizes["networks"] = max(2, sizes["networks"])
    sizes["partners"] = max(4 * sizes["networks"], sizes["partners"])
    sizes["users"] = max(sizes["networks"] * COORDINATORS_PER_NETWORK + sizes["partners"], sizes["users"])
    sizes["people"] = max(sizes["networks"] * 5, sizes["people"])
    sizes["referrals"] = max(sizes["partners"] * 4, sizes["referrals"])
    return sizes


def allocate(total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Split ``total`` in proportion to ``weights`` exactly (largest remainder), each share at least ``minimum``."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise CommandError(f"cannot give {len(weights)} shares at least {minimum} each out of {total}")
    scale = spare / sum(weights)
    raw = [w * scale for w in weights]
    shares = [int(r) for r in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_remainder[: spare - sum(shares)]:
        shares[i] += 1
    return [s + minimum for s in shares]


def cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


@contextmanager
def phase(say: Say, name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    say(f"  {name:<26} {time.perf_counter() - start:8.1f} s")


class PlannedPartner:
    __slots__ = ("group_id", "id", "inbox", "name", "networks", "services", "staff", "type", "weight")

    def __init__(self, pid: str, group_id: int, ptype: str, weight: float) -> None:
        self.id = pid
        self.group_id = group_id
        self.type = ptype
        self.weight = weight
        self.name = ""
        self.inbox = 0
        self.networks: list[int] = []
        self.staff: list[str] = []
        self.services: list[PlannedService] = []


class PlannedService:
    __slots__ = ("capacity", "category", "id", "load", "name")

    def __init__(self, sid: str, name: str, category: str, capacity: int | None) -> None:
        self.id = sid
        self.name = name
        self.category = category
        self.capacity = capacity
        self.load = 0


class PlannedNetwork:
    __slots__ = (
        "coordinators",
        "days_normal",
        "group_id",
        "id",
        "member_cum",
        "members",
        "name",
        "people",
        "slots",
        "start",
        "territory",
        "teryt",
    )

    def __init__(self, nid: str, group_id: int) -> None:
        self.id = nid
        self.group_id = group_id
        self.name = self.territory = self.teryt = ""
        self.start = 0.0
        self.days_normal = 7
        self.members: list[int] = []  # partner indices
        self.member_cum: list[float] = []  # cumulative weights of members: busy partners also send more
        self.slots: dict[int, int] = {}  # partner index -> referrals it receives in this network
        self.people = 0
        self.coordinators: list[str] = []

    def pick_member(self, rng: random.Random, exclude: int = -1) -> int:
        while True:
            index = rng.choices(self.members, cum_weights=self.member_cum)[0]
            if index != exclude:
                return index


class Run:
    """What every step of one load shares: the seeded random source, the clock, the plan, the open cursor and the
    counts for the summary."""

    def __init__(self, seed: int, sizes: dict[str, int], say: Say) -> None:
        self.rng = random.Random(seed)
        self.seed = seed
        self.sizes = sizes
        self.say = say
        now = timezone.now().replace(microsecond=0)
        self.now = now.timestamp()
        self.today: datetime.date = timezone.localdate(now)
        self.cursor: Any = None
        self.superuser = False  # set with the session: only a superuser loads with foreign-key triggers off
        self.networks: list[PlannedNetwork] = []
        self.partners: list[PlannedPartner] = []
        self.row_counts: dict[str, int] = {}
        self.password = ""
        self.username_prefix = ""
        self.users_made = 0

    def phase(self, name: str) -> AbstractContextManager[None]:
        return phase(self.say, name)

    def uid(self) -> str:
        """A version 4 UUID from the run's random source, so the same seed gives the same ids."""
        value = self.rng.getrandbits(128)
        value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def plan(run: Run) -> None:
    """Networks, partners, their inboxes, staff and services, all in memory; group ids reserved from the sequence."""
    rng, sizes = run.rng, run.sizes
    sequence = f"pg_get_serial_sequence('{Group._meta.db_table}', 'id')"
    run.cursor.execute(
        f"SELECT nextval({sequence}) FROM generate_series(1, %s)",  # noqa: S608 - the table name from the model
        [sizes["networks"] + sizes["partners"]],
    )
    group_ids = [row[0] for row in run.cursor.fetchall()]

    run.networks = networks = [PlannedNetwork(run.uid(), group_ids.pop()) for _ in range(sizes["networks"])]
    for i, net in enumerate(networks):
        net.territory = f"{rng.choice(PLACE_HEADS)} {rng.choice(PLACE_TAILS)} {i + 1}"
        net.name = f"Lokalny System Współdziałania — gmina {net.territory}"
        net.teryt = f"24{(i // 20) % 100:02d}{i % 20 + 1:02d}{rng.choice('123')}"
        net.start = run.now - (HISTORY_DAYS + rng.uniform(30, 400)) * DAY
        net.days_normal = rng.choice([7, 7, 7, 14])

    # Partner sizes: Zipf weights over ranks, shuffled so the big ones land in random networks.
    weights = [(rank + 1) ** -ZIPF_EXPONENT for rank in range(sizes["partners"])]
    types, type_weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    run.partners = partners = [
        PlannedPartner(run.uid(), group_ids.pop(), rng.choices(types, type_weights)[0], w) for w in weights
    ]
    for partner in partners[: max(1, len(partners) // 50)]:
        partner.type = rng.choice(BIG_INSTITUTIONS)  # the busiest inboxes are public institutions
    rng.shuffle(partners)
    for partner, inbox in zip(partners, allocate(sizes["referrals"], [p.weight for p in partners]), strict=True):
        partner.inbox = inbox

    # Networks differ in size (a gmina or a whole county): three partners each, the rest by weight.
    net_weights = [rng.lognormvariate(0, 0.6) for _ in networks]
    for index, partner in enumerate(partners):
        home = index if index < 3 * len(networks) else None
        n = home % len(networks) if home is not None else rng.choices(range(len(networks)), net_weights)[0]
        partner.networks.append(n)
        networks[n].members.append(index)
    for index, partner in enumerate(partners):
        if rng.random() < SECOND_NETWORK_SHARE:
            other = rng.randrange(len(networks))
            if other != partner.networks[0]:
                partner.networks.append(other)
                networks[other].members.append(index)
    for index, partner in enumerate(partners):
        first = partner.inbox if len(partner.networks) == 1 else round(partner.inbox * 0.8)
        networks[partner.networks[0]].slots[index] = first
        if len(partner.networks) > 1:
            networks[partner.networks[1]].slots[index] = partner.inbox - first
    for net in networks:
        # The coordinating partner: a social assistance centre, the usual choice.
        partners[net.members[0]].type = PartnerType.OPS
        net.member_cum = list(cumulative([partners[i].inbox + 1 for i in net.members]))
    for partner in partners:
        place = networks[partner.networks[0]].territory
        partner.name = f"{TYPE_NAMES[partner.type]} — {place} ({partner.id[:4]})"

    budgets = [sum(net.slots.values()) for net in networks]
    for net, people in zip(networks, allocate(sizes["people"], budgets, minimum=1), strict=True):
        net.people = people

    # Staff grow a little faster than the referrals a partner receives: median 2, the largest a few hundred.
    staff_total = sizes["users"] - COORDINATORS_PER_NETWORK * len(networks)
    staff_weights = [p.inbox**STAFF_EXPONENT for p in partners]
    for partner, count in zip(partners, allocate(staff_total, staff_weights, minimum=1), strict=True):
        partner.staff = [run.uid() for _ in range(count)]
    for net in networks:
        net.coordinators = [run.uid() for _ in range(COORDINATORS_PER_NETWORK)]

    categories = list(PathStage.values)
    for partner in partners:
        for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3])):
            capacity = None if rng.random() < 0.3 else rng.randint(5, 40)
            partner.services.append(
                PlannedService(run.uid(), rng.choice(SERVICE_NAMES), rng.choice(categories), capacity)
            )
