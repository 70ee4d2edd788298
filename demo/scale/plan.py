"""Voivodeship-scale data for the benchmarks (DESIGN §8), loaded in minutes with PostgreSQL COPY.

    manage.py seed_scale [--scale 1.0] [--seed 8] [--reset | --yes] [--check 200]

At ``--scale 1.0``: 300 networks, 5,000 partners, 20,000 users, 100,000 people with consents and cases,
1,000,000 referrals with their timelines, and the guardian grants that follow from them (referrals/access.py).
Partner sizes are heavy-tailed (Zipf, exponent 0.6): the median partner receives ~120 referrals and has 2 staff,
the largest ~14,000 and ~400 staff. Referral states depend on age: most are closed, the recent ones open.
Every generated account has the password "bench". The same seed gives the same data.

How it stays fast: one transaction; rows are built in Python and streamed with COPY; grants are derived in
SQL from the loaded rows with the rules of ``desired_referral_grants``/``desired_person_grants``; the big tables'
secondary indexes are dropped and rebuilt after the load; foreign-key triggers are off during the load
(``session_replication_role = replica``, superuser only) and every foreign key of the loaded tables is checked
with one anti-join each instead. Then VACUUM ANALYZE, and a sample of referrals and people is compared with
what referrals/access.py computes, so ``access_check`` finds no drift.
"""

from __future__ import annotations

import datetime
import json
import random
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, connection, models, transaction
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from network.models import Network, NetworkCoordinator, NetworkMembership, default_stages
from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, Sector, StaffRole
from partners.models import Partner, Service, StaffMembership, User
from people.models import CATEGORY_PERMISSIONS, Case, Consent, Person, PersonGroupObjectPermission, normalise_name
from referrals.choices import OPEN_STATES, OutcomeCode, ReasonCode, State
from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission

FULL_SIZES = {"networks": 300, "partners": 5_000, "users": 20_000, "people": 100_000, "referrals": 1_000_000}
PASSWORD = "bench"  # noqa: S105 - documented benchmark password
MARK = "seed_scale"  # description of generated networks and partners: what --reset deletes
USERNAME_PREFIX = "scale"
REFUSE_ABOVE = 500  # referrals already in the database
ZIPF_EXPONENT = 0.6  # largest of 5,000 partners gets 1.36% of the referrals, the median 0.012%
STAFF_EXPONENT = 1.2  # staff ∝ inbox^1.2: median 2 with 20,000 users over 5,000 partners
COORDINATORS_PER_NETWORK = 2
SECOND_NETWORK_SHARE = 0.05  # partners serving two networks (a county labour office, say)
HISTORY_DAYS = 3 * 365
DAY = 86_400.0
BIG_TABLES = (Referral, ReferralEvent, ReferralGroupObjectPermission, PersonGroupObjectPermission)
NULL = "\\N"
# For the load's transaction only; session_replication_role = replica only as a superuser (see _session_settings).
SESSION_SETTINGS = {
    "maintenance_work_mem": "'512MB'",  # index rebuilds
    "work_mem": "'256MB'",  # grants: hash joins over a million referrals
    "synchronous_commit": "off",
    "session_replication_role": "replica",
}

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
SECTORS: dict[str, str] = {
    PartnerType.EMPLOYER: Sector.EMPLOYER,
    PartnerType.PFRON: Sector.GOVERNMENT,
    **{
        t: Sector.SOCIAL
        for t in (
            PartnerType.NGO,
            PartnerType.SOCIAL_COOPERATIVE,
            PartnerType.TRAINING_PROVIDER,
            PartnerType.CIS_KIS,
            PartnerType.OWES,
            PartnerType.OTHER,
            PartnerType.HOUSING,
        )
    },
}
FUNCTIONS: dict[str, list[str]] = {
    PartnerType.OPS: [PartnerFunction.SOCIAL_MATTERS, PartnerFunction.CARE_SERVICES, PartnerFunction.COORDINATION],
    PartnerType.CZP: [PartnerFunction.THERAPY, PartnerFunction.DIAGNOSIS, PartnerFunction.CRISIS_INTERVENTION],
    PartnerType.MENTAL_HEALTH_CLINIC: [PartnerFunction.THERAPY, PartnerFunction.DIAGNOSIS],
    PartnerType.PSYCHIATRIC_HOSPITAL: [PartnerFunction.THERAPY],
    PartnerType.PUP: [PartnerFunction.EMPLOYMENT, PartnerFunction.VOCATIONAL_TRAINING],
    PartnerType.EMPLOYER: [PartnerFunction.EMPLOYMENT],
    PartnerType.HOUSING: [PartnerFunction.HOUSING],
    PartnerType.CRISIS_INTERVENTION: [PartnerFunction.CRISIS_INTERVENTION],
    PartnerType.TRAINING_PROVIDER: [PartnerFunction.VOCATIONAL_TRAINING],
}
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
REASONS = [
    "Potrzebuje wsparcia w codziennym funkcjonowaniu po wypisie ze szpitala.",
    "Zgłasza trudności finansowe i mieszkaniowe.",
    "Chce wrócić na rynek pracy, potrzebuje diagnozy zawodowej.",
    "Wymaga kontynuacji leczenia i wsparcia psychologicznego.",
    "Rodzina prosi o pomoc w organizacji usług opiekuńczych.",
    "Poszukuje zajęć w ciągu dnia i kontaktu z grupą.",
]
GOALS = [
    "Stabilizacja stanu i regularne wizyty.",
    "Podjęcie zatrudnienia wspieranego.",
    "Uzyskanie świadczeń i uregulowanie spraw urzędowych.",
    "Udział w zajęciach grupowych co najmniej raz w tygodniu.",
    "",
]
SERVICE_NAMES = ["Konsultacje indywidualne", "Grupa wsparcia", "Trening umiejętności społecznych", "Doradztwo",
                 "Terapia zajęciowa", "Praca socjalna", "Asystent osobisty", "Szkolenie zawodowe"]  # fmt: skip
NOTES = ["", "", "Ustalono telefonicznie.", "Według rozmowy z osobą.", "Brak odpowiedzi na trzy próby kontaktu."]
LEGAL_BASIS = "Ustawa o pomocy społecznej: współdziałanie w niezbędnym zakresie (decyzja koordynatora)"
CATEGORY_ODDS = (("social", 0.75), ("health", 0.5), ("employment", 0.6))

# State by age of the referral: (state, weight). Young referrals are open, old ones mostly closed.
STATE_MIX: list[tuple[float, list[tuple[str, float]]]] = [
    (14, [(State.DRAFT, 12), (State.SENT, 45), (State.ACCEPTED, 22), (State.IN_PROGRESS, 10), (State.DECLINED, 7),
          (State.WITHDRAWN, 4)]),
    (90, [(State.DRAFT, 2), (State.SENT, 5), (State.ACCEPTED, 8), (State.IN_PROGRESS, 40), (State.COMPLETED, 20),
          (State.DECLINED, 13), (State.WITHDRAWN, 6), (State.DISCONTINUED, 6)]),
    (float("inf"), [(State.SENT, 0.3), (State.ACCEPTED, 0.5), (State.IN_PROGRESS, 4), (State.COMPLETED, 62),
                    (State.DECLINED, 15), (State.WITHDRAWN, 8), (State.DISCONTINUED, 10.2)]),
]  # fmt: skip
TERMINAL = frozenset({State.COMPLETED, State.DECLINED, State.WITHDRAWN, State.DISCONTINUED})


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


# --- COPY text format ------------------------------------------------------------------------------


def ts(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).isoformat()


def day(epoch: float) -> str:
    return datetime.datetime.fromtimestamp(epoch, datetime.UTC).date().isoformat()


def array(values: Sequence[str]) -> str:
    return "{" + ",".join(values) + "}"


def opt(value: str | None) -> str:
    return NULL if value is None else value


def copy_text(value: Any) -> str:
    """A Python value (as ``get_db_prep_save`` gives it) in COPY text format."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, list | tuple):
        return array([str(v) for v in value])
    if hasattr(value, "obj"):  # psycopg's Jsonb wrapper
        value = json.dumps(value.obj)
    if isinstance(value, datetime.date):
        value = value.isoformat()
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class CopyTable:
    """Rows for one table, streamed with COPY in chunks.

    Columns the generator does not know (added to a model later) get their Python default, so a new NOT NULL
    field with a default does not break the load; a new required field without one fails loudly.
    """

    CHUNK = 20_000

    def __init__(self, cursor: Any, model: type[models.Model], columns: Sequence[str]) -> None:
        self.cursor = cursor
        self.table = model._meta.db_table
        in_database = {column.name for column in connection.introspection.get_table_description(cursor, self.table)}
        extra_columns, extra_values = [], []
        for field in model._meta.concrete_fields:
            if field.column not in in_database:
                continue  # a field whose migration is not applied here
            has_db_default = getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED
            if field.column in columns or field.null or field.primary_key or has_db_default:
                continue
            extra_columns.append(field.column)
            extra_values.append(copy_text(field.get_db_prep_save(field.get_default(), connection)))
        names = ", ".join(connection.ops.quote_name(c) for c in [*columns, *extra_columns])
        self.sql = f"COPY {connection.ops.quote_name(self.table)} ({names}) FROM STDIN"
        self.suffix = "".join("\t" + v for v in extra_values) + "\n"
        self.lines: list[str] = []
        self.rows = 0

    def add(self, *values: str) -> None:
        self.lines.append("\t".join(values) + self.suffix)
        if len(self.lines) >= self.CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.lines:
            return
        with self.cursor.copy(self.sql) as copy:
            copy.write("".join(self.lines))
        self.rows += len(self.lines)
        self.lines = []


# --- the plan --------------------------------------------------------------------------------------


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
        self.slots: dict[int, int] = {}  # partner index -> referrals it receives in this network
        self.people = 0
        self.coordinators: list[str] = []


class Command(BaseCommand):
    help = "Generate DESIGN §8's voivodeship-scale data (at --scale 1.0) for the benchmarks in tests/benchmarks/."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="1.0 = DESIGN §8 sizes; 0.01 for a quick run")
        parser.add_argument("--seed", type=int, default=8, help="random seed; the same seed gives the same data")
        parser.add_argument(
            "--reset", action="store_true", help="first delete what earlier seed_scale runs generated (asks first)"
        )
        parser.add_argument(
            "--yes",
            "--no-input",
            action="store_true",
            dest="yes",
            help="do not ask: with --reset, delete without asking; without it, add to a database that already "
            f"holds more than {REFUSE_ABOVE} referrals",
        )
        parser.add_argument(
            "--check", type=int, default=200, help="referrals and people whose grants are compared afterwards"
        )

    # --- orchestration ---------------------------------------------------------------------------

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale must be in (0, 10]")
        if connection.vendor != "postgresql":
            raise CommandError("seed_scale needs PostgreSQL (it loads with COPY)")
        self.verbosity = options["verbosity"]
        self.rng = random.Random(options["seed"])
        self.seed = options["seed"]
        self.sizes = sizes_for(scale)
        self.started = time.perf_counter()

        existing = Referral.objects.count()
        if options["reset"]:
            if not options["yes"] and not self._confirm_reset():
                raise CommandError("Nothing deleted.")
            with self.phase("reset"):
                self._reset()
        elif existing > REFUSE_ABOVE and not options["yes"]:
            raise CommandError(
                f"The database already holds {existing:,} referrals. Use --reset to delete earlier generated data "
                "first, or --yes to add to it."
            )
        self.say(
            f"seed_scale --scale {scale} --seed {self.seed}: " + ", ".join(f"{v:,} {k}" for k, v in self.sizes.items())
        )
        self._setup()
        try:
            with self.phase("load (one transaction)"):
                self._load()
        except IntegrityError as exc:
            raise CommandError(f"The load broke a constraint and was rolled back: {exc}") from exc
        with self.phase("vacuum analyze"):
            self._analyze()
        if options["check"]:
            with self.phase("check grants (sample)"):
                self._check_grants(options["check"])
        self.say(f"done in {time.perf_counter() - self.started:.0f} s: " + self._summary())

    def _load(self) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            self.cursor = cursor
            self._session_settings()
            with self.phase("drop secondary indexes"):
                indexes = self._drop_indexes()
            with self.phase("plan"):
                self._plan()
            with self.phase("directory and users"):
                self._write_directory()
            with self.phase("people and referrals"):
                self._write_people_and_referrals()
            with self.phase("services"):
                self._write_services()
            with self.phase("analyze loaded rows"):
                # The grants are derived with joins over what was just loaded: the planner must know its size
                # (statistics left by an earlier, smaller run once turned 10 s into 5 minutes).
                for table in self._loaded_tables():
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
            with self.phase("referral grants"):
                self._referral_grants()
            with self.phase("person grants"):
                self._person_grants()
            with self.phase("rebuild indexes"):
                for sql in indexes:
                    cursor.execute(sql)
            with self.phase("check foreign keys"):
                self._check_foreign_keys()
            # SET LOCAL outlives a savepoint: when called inside a transaction (tests), leave it as it was.
            for name in SESSION_SETTINGS:
                if name != "session_replication_role" or self.superuser:
                    cursor.execute(f"SET LOCAL {name} TO DEFAULT")
            commit_started = time.perf_counter()
        self.say(f"  {'commit':<26} {time.perf_counter() - commit_started:8.1f} s")

    @contextmanager
    def phase(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        yield
        self.say(f"  {name:<26} {time.perf_counter() - start:8.1f} s")

    def say(self, text: str) -> None:
        if self.verbosity:
            self.stdout.write(text)
            self.stdout.flush()

    def _confirm_reset(self) -> bool:
        answer = input("Delete every network, partner, account, person and referral that seed_scale generated? [y/N] ")
        return answer.strip().lower() in ("y", "yes", "t", "tak")

    def _setup(self) -> None:
        now = timezone.now().replace(microsecond=0)
        self.now = now.timestamp()
        self.today = timezone.localdate(now)
        self.password = make_password(PASSWORD)
        taken = set(
            User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True)[:1_000_000]
        )
        run = 1
        while any(name.startswith(self._prefix(run)) for name in taken):
            run += 1
        self.username_prefix = self._prefix(run)
        self.users_made = 0

    @staticmethod
    def _prefix(run: int) -> str:
        return f"{USERNAME_PREFIX}-" if run == 1 else f"{USERNAME_PREFIX}{run}-"

    def _session_settings(self) -> None:
        c = self.cursor
        for name, value in SESSION_SETTINGS.items():
            if name != "session_replication_role":
                c.execute(f"SET LOCAL {name} = {value}")
        c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        self.superuser = bool(c.fetchone()[0])
        if self.superuser:
            # Foreign keys are checked once at the end, table by table (_check_foreign_keys).
            c.execute("SET LOCAL session_replication_role = replica")

    def _drop_indexes(self) -> list[str]:
        """Secondary indexes of the big tables (not those behind a constraint): dropped now, rebuilt at the end.

        Inside the load's transaction, so a failure brings them back with everything else.
        """
        c = self.cursor
        c.execute(
            """
            SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
            FROM pg_index i
            WHERE i.indrelid = ANY(%s::regclass[])
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
            """,
            [[m._meta.db_table for m in BIG_TABLES]],
        )
        rows = c.fetchall()
        for name, _definition in rows:
            c.execute(f"DROP INDEX {name}")
        return [definition for _name, definition in rows]

    # --- planning (small, in memory) ---------------------------------------------------------

    def uid(self) -> str:
        value = self.rng.getrandbits(128)
        value = (value & ~(0xF000 << 64)) | (0x4000 << 64)  # version 4
        value = (value & ~(0xC000 << 48)) | (0x8000 << 48)  # RFC 4122 variant
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _plan(self) -> None:
        rng, sizes = self.rng, self.sizes
        self.cursor.execute(
            "SELECT nextval(pg_get_serial_sequence('auth_group', 'id')) FROM generate_series(1, %s)",
            [sizes["networks"] + sizes["partners"]],
        )
        group_ids = [row[0] for row in self.cursor.fetchall()]

        self.networks = [PlannedNetwork(self.uid(), group_ids.pop()) for _ in range(sizes["networks"])]
        for i, net in enumerate(self.networks):
            net.territory = f"{rng.choice(PLACE_HEADS)} {rng.choice(PLACE_TAILS)} {i + 1}"
            net.name = f"Lokalny System Współdziałania — gmina {net.territory}"
            net.teryt = f"24{(i // 20) % 100:02d}{i % 20 + 1:02d}{rng.choice('123')}"
            net.start = self.now - (HISTORY_DAYS + rng.uniform(30, 400)) * DAY
            net.days_normal = rng.choice([7, 7, 7, 14])

        # Partner sizes: Zipf weights over ranks, shuffled so the big ones land in random networks.
        weights = [(rank + 1) ** -ZIPF_EXPONENT for rank in range(sizes["partners"])]
        types, type_weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
        self.partners = [
            PlannedPartner(self.uid(), group_ids.pop(), rng.choices(types, type_weights)[0], w) for w in weights
        ]
        for partner in self.partners[: max(1, len(self.partners) // 50)]:
            partner.type = rng.choice(BIG_INSTITUTIONS)  # the busiest inboxes are public institutions
        rng.shuffle(self.partners)
        for partner, inbox in zip(
            self.partners, allocate(sizes["referrals"], [p.weight for p in self.partners]), strict=True
        ):
            partner.inbox = inbox

        # Networks differ in size (a gmina or a whole county): three partners each, the rest by weight.
        net_weights = [rng.lognormvariate(0, 0.6) for _ in self.networks]
        for index, partner in enumerate(self.partners):
            home = index if index < 3 * len(self.networks) else None
            n = (
                home % len(self.networks)
                if home is not None
                else rng.choices(range(len(self.networks)), net_weights)[0]
            )
            partner.networks.append(n)
            self.networks[n].members.append(index)
        for index, partner in enumerate(self.partners):
            if rng.random() < SECOND_NETWORK_SHARE:
                other = rng.randrange(len(self.networks))
                if other != partner.networks[0]:
                    partner.networks.append(other)
                    self.networks[other].members.append(index)
        for index, partner in enumerate(self.partners):
            first = partner.inbox if len(partner.networks) == 1 else round(partner.inbox * 0.8)
            self.networks[partner.networks[0]].slots[index] = first
            if len(partner.networks) > 1:
                self.networks[partner.networks[1]].slots[index] = partner.inbox - first
        for net in self.networks:
            # The coordinating partner: a social assistance centre, the usual choice.
            self.partners[net.members[0]].type = PartnerType.OPS
        for partner in self.partners:
            place = self.networks[partner.networks[0]].territory
            partner.name = f"{TYPE_NAMES[partner.type]} — {place} ({partner.id[:4]})"

        budgets = [sum(net.slots.values()) for net in self.networks]
        for net, people in zip(self.networks, allocate(sizes["people"], budgets, minimum=1), strict=True):
            net.people = people

        # Staff grow a little faster than the referrals a partner receives: median 2, the largest a few hundred.
        staff_total = sizes["users"] - COORDINATORS_PER_NETWORK * len(self.networks)
        staff_weights = [p.inbox**STAFF_EXPONENT for p in self.partners]
        for partner, count in zip(self.partners, allocate(staff_total, staff_weights, minimum=1), strict=True):
            partner.staff = [self.uid() for _ in range(count)]
        for net in self.networks:
            net.coordinators = [self.uid() for _ in range(COORDINATORS_PER_NETWORK)]

        categories = list(PathStage.values)
        for partner in self.partners:
            for _ in range(rng.choice([1, 1, 2, 2, 2, 3, 3])):
                capacity = None if rng.random() < 0.3 else rng.randint(5, 40)
                partner.services.append(
                    PlannedService(self.uid(), rng.choice(SERVICE_NAMES), rng.choice(categories), capacity)
                )

    # --- writing ---------------------------------------------------------------------------------

    def _user(self, table: CopyTable, uid: str, joined: float) -> None:
        self.users_made += 1
        sex = self.rng.random() < 0.75  # most staff in social services are women
        first = self.rng.choice(FEMALE if sex else MALE)
        last = self.rng.choice(SURNAMES)[1 if sex else 0]
        username = f"{self.username_prefix}{self.users_made:06d}"
        table.add(
            uid, self.password, NULL, "f", username, first, last, "f", "t", ts(joined), f"{username}@example.org",
            "pl", "f",
        )  # fmt: skip

    def _write_directory(self) -> None:
        c, rng, now = self.cursor, self.rng, self.now
        created = ts(now - (HISTORY_DAYS + 500) * DAY)
        groups = CopyTable(c, Group, ["id", "name"])
        for net in self.networks:
            groups.add(str(net.group_id), f"network-coordinators:{net.id}")
        for partner in self.partners:
            groups.add(str(partner.group_id), f"partner:{partner.id}")
        groups.flush()

        partners = CopyTable(
            c,
            Partner,
            ["id", "created_at", "updated_at", "name", "short_name", "type", "sector", "description", "regon", "nip",
             "krs", "street", "postal_code", "city", "phone", "email", "website", "group_id"],
        )  # fmt: skip
        for i, p in enumerate(self.partners):
            city = self.networks[p.networks[0]].territory
            partners.add(
                p.id, created, created, p.name, "", p.type, SECTORS.get(p.type, Sector.LOCAL_GOVERNMENT), MARK, "", "",
                "", f"ul. Główna {i % 200 + 1}", f"{40 + i % 20:02d}-{i % 1000:03d}", city, f"32 {i % 1000:03d} 00 00",
                f"biuro{i}@example.org", "", str(p.group_id),
            )  # fmt: skip
        partners.flush()

        stages = json.dumps(default_stages())
        networks = CopyTable(
            c,
            Network,
            ["id", "created_at", "updated_at", "name", "teryt", "territory_name", "coordinating_partner_id",
             "start_date", "description", "stages", "answer_days_urgent", "answer_days_normal",
             "coordinators_group_id"],
        )  # fmt: skip
        for net in self.networks:
            networks.add(
                net.id, ts(net.start), ts(net.start), net.name, net.teryt, f"gmina {net.territory}",
                self.partners[net.members[0]].id, day(net.start), MARK, stages, "1", str(net.days_normal),
                str(net.group_id),
            )  # fmt: skip
        networks.flush()

        memberships = CopyTable(
            c,
            NetworkMembership,
            ["id", "created_at", "updated_at", "network_id", "partner_id", "functions", "contact_name",
             "contact_phone", "contact_email", "since"],
        )  # fmt: skip
        for net in self.networks:
            for index in net.members:
                p = self.partners[index]
                functions = FUNCTIONS.get(p.type, [PartnerFunction.COMMUNITY_SUPPORT])
                memberships.add(
                    self.uid(), ts(net.start), ts(net.start), net.id, p.id, array(functions), "", "", "", day(net.start)
                )
        memberships.flush()

        users = CopyTable(
            c,
            User,
            ["id", "password", "last_login", "is_superuser", "username", "first_name", "last_name", "is_staff",
             "is_active", "date_joined", "email", "language", "is_regional_monitor"],
        )  # fmt: skip
        user_groups = CopyTable(c, User.groups.through, ["user_id", "group_id"])
        staff = CopyTable(
            c,
            StaffMembership,
            ["id", "created_at", "updated_at", "user_id", "partner_id", "role", "job_title", "is_active"],
        )
        coordinators = CopyTable(c, NetworkCoordinator, ["id", "created_at", "updated_at", "network_id", "user_id"])
        for net in self.networks:
            for uid in net.coordinators:
                self._user(users, uid, net.start)
                user_groups.add(uid, str(net.group_id))
                coordinators.add(self.uid(), ts(net.start), ts(net.start), net.id, uid)
        for p in self.partners:
            job_coach = p.type in (PartnerType.ZAZ, PartnerType.WTZ, PartnerType.CIS_KIS)
            for k, uid in enumerate(p.staff):
                joined = now - rng.uniform(30, HISTORY_DAYS + 300) * DAY
                role = (
                    StaffRole.ADMIN
                    if k == 0
                    else (StaffRole.JOB_COACH if job_coach and k % 3 == 1 else StaffRole.STAFF)
                )
                self._user(users, uid, joined)
                user_groups.add(uid, str(p.group_id))
                staff.add(self.uid(), ts(joined), ts(joined), uid, p.id, role, "", "t")
        for table in (users, user_groups, staff, coordinators):
            table.flush()
        self.row_counts = {"users": users.rows, "staff memberships": staff.rows}

    def _write_people_and_referrals(self) -> None:
        c = self.cursor
        self.t_people = CopyTable(
            c,
            Person,
            ["id", "created_at", "updated_at", "network_id", "first_name", "last_name", "normalised_name",
             "birth_date", "birth_year", "pesel", "sex", "phone", "email", "street", "postal_code", "city",
             "gmina_teryt", "gmina_name", "guardian_name", "guardian_contact", "preferred_contact",
             "social_situation", "disability_level", "disability_symbol", "health_notes", "skills_experience",
             "work_support_needs", "registered_by_id"],
        )  # fmt: skip
        self.t_consents = CopyTable(
            c,
            Consent,
            ["id", "created_at", "updated_at", "person_id", "partner_types", "categories", "purpose", "valid_from",
             "valid_until", "given_by", "document", "document_type", "recorded_by_id", "withdrawn_at",
             "withdrawn_by_id", "withdrawal_note"],
        )  # fmt: skip
        self.t_consent_partners = CopyTable(c, Consent.partners.through, ["consent_id", "partner_id"])
        self.t_cases = CopyTable(
            c,
            Case,
            ["id", "created_at", "updated_at", "person_id", "network_id", "case_manager_id", "managing_partner_id",
             "stage", "opened_on", "closed_on", "closing_note"],
        )  # fmt: skip
        self.t_referrals = CopyTable(
            c,
            Referral,
            ["id", "created_at", "updated_at", "network_id", "person_id", "case_id", "from_partner_id",
             "created_by_id", "to_partner_id", "service_id", "reason", "goal", "categories", "priority", "state",
             "due_by", "sent_at", "answered_at", "checked_in_at", "closed_at", "overdue_alerted_at", "legal_basis",
             "holds_place", "waitlisted_at", "reason_code", "reason_origin", "reason_note", "outcome_code",
             "outcome_note", "redirected_from_id"],
        )  # fmt: skip
        self.t_events = CopyTable(
            c,
            ReferralEvent,
            ["referral_id", "action", "from_state", "to_state", "actor_id", "at", "reason_code", "reason_origin",
             "note"],
        )  # fmt: skip
        self.state_tables = [
            (limit, [s for s, _w in mix], list(_cumulative([w for _s, w in mix]))) for limit, mix in STATE_MIX
        ]
        self.all_types = list(PartnerType.values)
        for net in self.networks:
            self._network(net)
        for table in (self.t_people, self.t_consents, self.t_consent_partners, self.t_cases, self.t_referrals,
                      self.t_events):  # fmt: skip
            table.flush()
        self.row_counts.update(
            people=self.t_people.rows,
            consents=self.t_consents.rows,
            cases=self.t_cases.rows,
            referrals=self.t_referrals.rows,
            events=self.t_events.rows,
        )

    def _network(self, net: PlannedNetwork) -> None:
        rng = self.rng
        slots: list[int] = []
        for index, count in net.slots.items():
            slots.extend([index] * count)
        rng.shuffle(slots)
        # Some people are referred many times, most a few times, some not at all.
        by_person: list[list[int]] = [[] for _ in range(net.people)]
        for index in slots:
            by_person[min(net.people - 1, int(net.people * rng.random() ** 1.6))].append(index)
        members = net.members
        self.member_cum = list(_cumulative([self.partners[i].inbox + 1 for i in members]))
        self.pesels: set[str] = set()
        for targets in by_person:
            self._person(net, targets)

    def _pick_member(self, net: PlannedNetwork, exclude: int = -1) -> int:
        while True:
            index = self.rng.choices(net.members, cum_weights=self.member_cum)[0]
            if index != exclude:
                return index

    def _pesel(self, born: datetime.date, female: bool) -> str:
        month = born.month + (20 if born.year >= 2000 else 0)
        while True:
            serial = self.rng.randrange(1000)
            sex_digit = self.rng.choice("02468" if female else "13579")
            digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial:03d}{sex_digit}"
            check = (
                10 - sum(int(d) * w for d, w in zip(digits, (1, 3, 7, 9, 1, 3, 7, 9, 1, 3), strict=True)) % 10
            ) % 10
            pesel = digits + str(check)
            if pesel not in self.pesels:
                self.pesels.add(pesel)
                return pesel

    def _person(self, net: PlannedNetwork, targets: list[int]) -> None:
        rng, now = self.rng, self.now
        span = min(HISTORY_DAYS * DAY, now - net.start - 2 * DAY)
        times = sorted(now - rng.random() * span for _ in targets)
        first = times[0] if times else now - rng.random() * span
        registered = max(net.start, first - rng.uniform(1, 60) * DAY)
        pid = self.uid()
        coordinator = rng.choice(net.coordinators)

        female = rng.random() < 0.5
        first_name = rng.choice(FEMALE if female else MALE)
        last_name = rng.choice(SURNAMES)[1 if female else 0]
        born = datetime.date(1950, 1, 1) + datetime.timedelta(days=rng.randrange(20_000))
        kind = rng.random()
        pesel = self._pesel(born, female) if kind < 0.7 else ""
        birth_date = born.isoformat() if kind < 0.85 else NULL
        birth_year = str(born.year) if kind >= 0.85 else NULL
        health = rng.random() < 0.6
        self.t_people.add(
            pid, ts(registered), ts(registered), net.id, first_name, last_name, normalise_name(first_name, last_name),
            birth_date, birth_year, pesel, "female" if female else "male", f"600 {rng.randrange(1000):03d} 000", "",
            f"ul. Polna {rng.randint(1, 90)}", "41-940", net.territory, net.teryt, net.territory,
            "", "", "phone", "Mieszka sam(a), korzysta z zasiłku stałego." if rng.random() < 0.5 else "",
            rng.choice(["", "light", "moderate", "significant"]) if health else "",
            rng.choice(["02-P", "12-C", ""]) if health else "",
            "Po hospitalizacji, leczenie ambulatoryjne." if health else "", "", "", coordinator,
        )  # fmt: skip

        # The consent covers the partners the person is referred to: by type mostly, some by name; a few not at all
        # (the coordinator then refers on a legal basis).
        target_set = set(targets)
        target_types = {self.partners[i].type for i in target_set}
        covered_types = {t for t in sorted(target_types) if rng.random() > 0.1}  # sorted: str hashes vary by run
        covered_types.update(rng.sample(self.all_types, rng.randint(0, 3)))
        named: list[int] = []
        uncovered: set[int] = set()
        for index in sorted(target_set):
            if self.partners[index].type not in covered_types:
                (named.append(index) if rng.random() < 0.7 else uncovered.add(index))
        categories = ["identity"] + [cat for cat, odds in CATEGORY_ODDS if rng.random() < odds]
        consent_from = registered
        if targets or rng.random() < 0.5:
            withdrawn = NULL
            until = NULL
            if rng.random() < 0.06:
                withdrawn = ts(first + rng.random() * (now - first))
            elif rng.random() < 0.04:
                until = day(consent_from + rng.random() * (now - DAY - consent_from))
            if until != NULL and until < day(consent_from):
                until = day(consent_from)
            cid = self.uid()
            self.t_consents.add(
                cid, ts(consent_from), ts(consent_from), pid, array(sorted(covered_types)), array(categories),
                "Koordynacja wsparcia w lokalnym systemie", day(consent_from), until, "person", "", "", coordinator,
                withdrawn, coordinator if withdrawn != NULL else NULL, "",
            )  # fmt: skip
            for index in named:
                self.t_consent_partners.add(cid, self.partners[index].id)
            if rng.random() < 0.12:  # an older consent, no longer live
                old = consent_from - rng.uniform(30, 300) * DAY
                self.t_consents.add(
                    self.uid(), ts(old), ts(old), pid, array(rng.sample(self.all_types, 3)), array(["identity"]),
                    "Wcześniejsza zgoda", day(old), day(consent_from - DAY), "guardian", "", "", coordinator,
                    NULL, NULL, "",
                )  # fmt: skip
        else:
            categories = []

        states = [self._state(now - t) for t in times]
        case_id = None
        if targets and rng.random() < 0.92:
            case_id = self.uid()
        last_closed = registered
        for created, state, index in zip(times, states, targets, strict=True):
            closed = self._referral(net, pid, case_id, created, state, index, categories, index in uncovered)
            last_closed = max(last_closed, closed)
        if case_id is not None or (not targets and rng.random() < 0.5):
            case_id = case_id or self.uid()
            managing = self.partners[self._pick_member(net)]
            opened = registered + rng.random() * min(DAY * 20, first - registered)
            closed_on = NULL
            if targets and all(s in TERMINAL for s in states) and rng.random() < 0.5:
                closed_on = day(last_closed + rng.random() * (now - last_closed))
            self.t_cases.add(
                case_id, ts(opened), ts(opened), pid, net.id, rng.choice(managing.staff), managing.id,
                rng.choice(PathStage.values), day(opened), closed_on, "" if closed_on == NULL else "Cel osiągnięty",
            )  # fmt: skip

    def _state(self, age: float) -> str:
        for limit, states, cum in self.state_tables:
            if age < limit * DAY:
                return self.rng.choices(states, cum_weights=cum)[0]
        raise AssertionError("unreachable")

    def _step(self, start: float, mean_days: float) -> float:
        """A later moment, roughly ``mean_days`` on, never in the future."""
        return start + min(self.rng.expovariate(1 / (mean_days * DAY)), (self.now - start) * self.rng.random())

    def _referral(
        self,
        net: PlannedNetwork,
        person_id: str,
        case_id: str | None,
        created: float,
        state: str,
        index: int,
        consented: list[str],
        uncovered: bool,
    ) -> float:
        """One referral and its timeline; returns when it closed (or ``created``)."""
        rng, now = self.rng, self.now
        to = self.partners[index]
        rid = self.uid()
        legal_basis = LEGAL_BASIS if uncovered or not consented else ""
        if legal_basis or rng.random() < 0.08:
            from_id = NULL
            created_by = rng.choice(net.coordinators)
        else:
            sender = self.partners[self._pick_member(net, exclude=index)]
            from_id = sender.id
            created_by = rng.choice(sender.staff)
        if legal_basis:
            categories = ["identity"] + [cat for cat, odds in CATEGORY_ODDS if rng.random() < odds / 2]
        else:
            categories = ["identity"] + [cat for cat in consented[1:] if rng.random() < 0.5]
        service = rng.choice(to.services) if rng.random() < 0.95 else None
        urgent = rng.random() < 0.15

        events: list[tuple[str, str, str, str, float, str, str, str]] = []
        sent_at: float | None = None
        due_by: float | None = None
        answered: float | None = None
        checked_in: float | None = None
        closed: float | None = None
        overdue: float | None = None
        reason_code = origin = reason_note = outcome = ""
        events.append(("create", "", State.DRAFT, created_by, created, "", "", ""))
        if state != State.DRAFT:
            sent_at = created + rng.random() * min(2 * DAY, now - created)
            events.append(("send", State.DRAFT, State.SENT, created_by, sent_at, "", "", ""))
            due_by = self._due(sent_at, urgent, net)
            reached = state
            if state == State.WITHDRAWN:
                reached = rng.choices([State.SENT, State.ACCEPTED, State.IN_PROGRESS], [50, 25, 25])[0]
            elif state == State.DISCONTINUED:
                reached = State.IN_PROGRESS if rng.random() < 0.6 else State.ACCEPTED
            last = sent_at
            if reached == State.SENT and rng.random() < 0.1:
                checked_in = self._step(sent_at, 1)
                due_by = self._due(checked_in, urgent, net)
                events.append(("check_in", State.SENT, State.SENT, rng.choice(to.staff), checked_in, "", "", ""))
                last = checked_in
            if reached in (State.ACCEPTED, State.IN_PROGRESS, State.COMPLETED):
                answered = last = self._step(sent_at, 3)
                events.append(("accept", State.SENT, State.ACCEPTED, rng.choice(to.staff), answered, "", "", ""))
            if reached in (State.IN_PROGRESS, State.COMPLETED):
                last = self._step(last, 7)
                events.append(("start", State.ACCEPTED, State.IN_PROGRESS, rng.choice(to.staff), last, "", "", ""))
            if state == State.COMPLETED:
                closed = self._step(last, 60)
                outcome = rng.choice(OutcomeCode.values)
                events.append(("complete", State.IN_PROGRESS, state, rng.choice(to.staff), closed, "", "", ""))
            elif state == State.DECLINED:
                answered = closed = self._step(sent_at, 3)
                reason_code, origin, reason_note = rng.choice(ReasonCode.values), "partner", rng.choice(NOTES)
                events.append(("decline", State.SENT, state, rng.choice(to.staff), closed, reason_code, origin,
                               reason_note))  # fmt: skip
            elif state in (State.WITHDRAWN, State.DISCONTINUED):
                closed = self._step(last, 10 if state == State.WITHDRAWN else 45)
                reason_code = rng.choice(ReasonCode.values)
                origin = rng.choice(["partner", "person"])
                reason_note = rng.choice(NOTES)
                actor = created_by if state == State.WITHDRAWN else rng.choice(to.staff)
                action = "withdraw" if state == State.WITHDRAWN else "discontinue"
                if state == State.DISCONTINUED:
                    outcome = rng.choice([OutcomeCode.NOT_ACHIEVED, OutcomeCode.PARTIALLY_ACHIEVED, OutcomeCode.OTHER])
                events.append((action, reached, state, actor, closed, reason_code, origin, reason_note))
            if state == State.SENT and due_by < now:
                overdue = min(due_by + 3600, now)
        holds = state in (State.ACCEPTED, State.IN_PROGRESS) and service is not None and service.capacity is not None
        if holds and service is not None:
            service.load += 1
        updated = events[-1][4] if events else created
        self.t_referrals.add(
            rid, ts(created), ts(updated), net.id, person_id, opt(case_id), from_id, created_by, to.id,
            service.id if service else NULL, rng.choice(REASONS), rng.choice(GOALS), array(categories),
            "urgent" if urgent else "normal", state, _ts_or_null(due_by), _ts_or_null(sent_at),
            _ts_or_null(answered), _ts_or_null(checked_in), _ts_or_null(closed), _ts_or_null(overdue), legal_basis,
            "t" if holds else "f", NULL, reason_code, origin, reason_note, outcome, "", NULL,
        )  # fmt: skip
        for action, from_state, to_state, actor, at, code, why_origin, note in events:
            self.t_events.add(rid, action, from_state, to_state, actor, ts(at), code, why_origin, note)
        return closed if closed is not None else created

    @staticmethod
    def _due(start: float, urgent: bool, net: PlannedNetwork) -> float:
        if not urgent:
            return start + net.days_normal * DAY
        due = start + DAY  # one working day
        weekday = datetime.datetime.fromtimestamp(due, datetime.UTC).weekday()
        return due + (7 - weekday) * DAY if weekday >= 5 else due

    def _write_services(self) -> None:
        services = CopyTable(
            self.cursor,
            Service,
            ["id", "created_at", "updated_at", "partner_id", "name", "category", "description", "eligibility",
             "schedule", "place", "postal_code", "city", "capacity", "load", "waitlist_enabled", "funding_source",
             "is_active"],
        )  # fmt: skip
        created = ts(self.now - (HISTORY_DAYS + 400) * DAY)
        funding = list(FundingSource.values)
        for p in self.partners:
            for s in p.services:
                # Capacity at least the places held; about one in six limited services is full.
                capacity = NULL if s.capacity is None else str(max(s.capacity, s.load + self.rng.randint(0, 5)))
                services.add(
                    s.id, created, created, p.id, s.name, s.category, "", "", "pn–pt 8:00–16:00", "", "", "",
                    capacity, str(s.load), "t", self.rng.choice(funding), "t",
                )  # fmt: skip
        services.flush()
        self.row_counts["services"] = services.rows

    # --- grants, derived in SQL with the rules of referrals/access.py ----------------------------

    def _permission(self, app: str, codename: str) -> int:
        return Permission.objects.get(content_type__app_label=app, codename=codename).pk

    def _referral_grants(self) -> None:
        """desired_referral_grants: sender's group views; receiver's group views and responds while the referral is
        open, keeps view after completion or discontinuation, loses everything after decline or withdrawal."""
        from referrals.access import KEEPS_VIEW, RESPOND, VIEW

        view, respond = self._permission("referrals", VIEW), self._permission("referrals", RESPOND)
        self.cursor.execute(
            f"""
            INSERT INTO {ReferralGroupObjectPermission._meta.db_table} (content_object_id, group_id, permission_id)
            SELECT r.id, p.group_id, %(view)s
              FROM referrals_referral r JOIN partners_partner p ON p.id = r.from_partner_id
             WHERE r.network_id = ANY(%(networks)s::uuid[])
            UNION ALL
            SELECT r.id, p.group_id, g.permission_id
              FROM referrals_referral r JOIN partners_partner p ON p.id = r.to_partner_id
              CROSS JOIN LATERAL (VALUES (%(view)s), (%(respond)s)) AS g(permission_id)
             WHERE r.network_id = ANY(%(networks)s::uuid[]) AND r.state = ANY(%(open)s)
            UNION ALL
            SELECT r.id, p.group_id, %(view)s
              FROM referrals_referral r JOIN partners_partner p ON p.id = r.to_partner_id
             WHERE r.network_id = ANY(%(networks)s::uuid[]) AND r.state = ANY(%(keeps)s)
            """,  # noqa: S608 - table names from the models
            {
                "view": view,
                "respond": respond,
                "networks": [n.id for n in self.networks],
                "open": list(OPEN_STATES),
                "keeps": list(KEEPS_VIEW),
            },
        )
        self.row_counts["referral grants"] = self.cursor.rowcount

    def _person_grants(self) -> None:
        """desired_person_grants: for each open referral whose case is open (or absent), the receiving partner's
        group reads the shared categories that a live consent gives that partner (by name or type), or all shared
        categories when the coordinator recorded a legal basis."""
        person_type = ContentType.objects.get_for_model(Person)
        codes = dict(
            Permission.objects.filter(content_type=person_type, codename__in=CATEGORY_PERMISSIONS.values()).values_list(
                "codename", "pk"
            )
        )
        categories = list(CATEGORY_PERMISSIONS)
        permissions = [codes[CATEGORY_PERMISSIONS[c]] for c in categories]
        self.cursor.execute(
            f"""
            INSERT INTO {PersonGroupObjectPermission._meta.db_table} (content_object_id, group_id, permission_id)
            SELECT DISTINCT r.person_id, p.group_id, m.permission_id
              FROM referrals_referral r
              JOIN partners_partner p ON p.id = r.to_partner_id
              LEFT JOIN network_case c ON c.id = r.case_id
              CROSS JOIN LATERAL unnest(r.categories) AS shared(category)
              JOIN unnest(%(categories)s::text[], %(permissions)s::int[]) AS m(category, permission_id)
                ON m.category = shared.category
             WHERE r.network_id = ANY(%(networks)s::uuid[])
               AND r.state = ANY(%(open)s)
               AND (r.case_id IS NULL OR c.closed_on IS NULL)
               AND (r.legal_basis <> '' OR EXISTS (
                    SELECT 1 FROM network_consent co
                     WHERE co.person_id = r.person_id
                       AND co.withdrawn_at IS NULL AND co.valid_from <= %(today)s
                       AND (co.valid_until IS NULL OR co.valid_until >= %(today)s)
                       AND shared.category = ANY(co.categories)
                       AND (p.type = ANY(co.partner_types) OR EXISTS (
                            SELECT 1 FROM network_consent_partners cp
                             WHERE cp.consent_id = co.id AND cp.partner_id = p.id))))
            """,  # noqa: S608 - table names from the models
            {
                "categories": categories,
                "permissions": permissions,
                "networks": [n.id for n in self.networks],
                "open": list(OPEN_STATES),
                "today": self.today,
            },
        )
        self.row_counts["person grants"] = self.cursor.rowcount

    # --- checks ----------------------------------------------------------------------------------

    def _loaded_tables(self) -> list[str]:
        models_: list[Any] = [
            Group,
            Partner,
            Network,
            NetworkMembership,
            User,
            User.groups.through,
            StaffMembership,
            NetworkCoordinator,
            Person,
            Consent,
            Consent.partners.through,
            Case,
            Referral,
            ReferralEvent,
            Service,
            ReferralGroupObjectPermission,
            PersonGroupObjectPermission,
        ]
        return [m._meta.db_table for m in models_]

    def _check_foreign_keys(self) -> None:
        """What the foreign-key triggers would have checked, one anti-join per constraint (the load ran without)."""
        if not self.superuser:
            return  # the triggers ran
        c = self.cursor
        c.execute(
            """
            SELECT con.conname, con.conrelid::regclass::text, a.attname, con.confrelid::regclass::text, fa.attname
              FROM pg_constraint con
              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = con.conkey[1]
              JOIN pg_attribute fa ON fa.attrelid = con.confrelid AND fa.attnum = con.confkey[1]
             WHERE con.contype = 'f' AND con.conrelid = ANY(%s::regclass[])
            """,
            [self._loaded_tables()],
        )
        broken = []
        for name, table, column, target, target_column in c.fetchall():
            c.execute(
                f"SELECT EXISTS (SELECT 1 FROM {table} t WHERE t.{column} IS NOT NULL AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {target} f WHERE f.{target_column} = t.{column}))"
            )
            if c.fetchone()[0]:
                broken.append(f"{name} ({table}.{column} -> {target})")
        if broken:
            raise CommandError("Generated rows break foreign keys, nothing saved: " + ", ".join(broken))

    def _analyze(self) -> None:
        """Fresh statistics for the planner; VACUUM also sets the visibility map, so the grant lookups stay
        index-only scans (autovacuum would do the same a little later). Inside a transaction (tests): ANALYZE."""
        command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
        with connection.cursor() as c:
            for table in self._loaded_tables():
                c.execute(f"{command} {connection.ops.quote_name(table)}")

    def _check_grants(self, sample: int) -> None:
        """A sample of generated referrals and people: their grant rows equal what referrals/access.py computes."""
        from referrals.access import desired_person_grants, desired_referral_grants

        ids = list(
            Referral.objects.filter(network_id__in=[n.id for n in self.networks])
            .order_by("?")
            .values_list("id", flat=True)[:sample]
        )
        drift = 0
        referrals = Referral.objects.filter(id__in=ids).select_related("from_partner", "to_partner", "person")
        people = {r.person for r in referrals}
        people.update(Person.objects.filter(network_id__in=[n.id for n in self.networks]).order_by("?")[:sample])
        for referral in referrals:
            actual = set(
                ReferralGroupObjectPermission.objects.filter(content_object=referral).values_list(
                    "group_id", "permission_id"
                )
            )
            drift += actual != desired_referral_grants(referral)
        for person in people:
            actual = set(
                PersonGroupObjectPermission.objects.filter(content_object=person).values_list(
                    "group_id", "permission_id"
                )
            )
            drift += actual != desired_person_grants(person)
        checked = f"{len(referrals)} referrals and {len(people)} people"
        if drift:
            raise CommandError(f"Grant drift in {drift} of {checked}: the generator and referrals/access.py disagree")
        self.say(f"    grants of {checked} equal referrals/access.py")

    def _summary(self) -> str:
        largest = max(self.partners, key=lambda p: p.inbox)
        staff = sorted(len(p.staff) for p in self.partners)
        inboxes = sorted(p.inbox for p in self.partners)
        counts = ", ".join(f"{v:,} {k}" for k, v in self.row_counts.items())
        return (
            f"{counts}; largest inbox {largest.inbox:,} ({largest.name}, {len(largest.staff)} staff), "
            f"median inbox {inboxes[len(inboxes) // 2]:,} with {staff[len(staff) // 2]} staff; "
            f"log in as {self.username_prefix}000001… with password {PASSWORD!r}"
        )

    # --- reset -----------------------------------------------------------------------------------

    def _reset(self) -> None:
        """Delete what seed_scale generated (networks and partners marked, accounts by username), children first.

        Plain DELETEs with every constraint on: when other data points at generated rows (an access log entry,
        a notification), the deletion fails and rolls back; drop the database then.
        """
        selections = [
            ("seed_networks", "SELECT id FROM network_network WHERE description = %(mark)s"),
            ("seed_partners", "SELECT id FROM partners_partner WHERE description = %(mark)s"),
            ("seed_referrals", "SELECT id FROM referrals_referral WHERE network_id IN (SELECT id FROM seed_networks)"),
            ("seed_people", "SELECT id FROM network_person WHERE network_id IN (SELECT id FROM seed_networks)"),
            ("seed_consents", "SELECT id FROM network_consent WHERE person_id IN (SELECT id FROM seed_people)"),
            (
                "seed_groups",
                "SELECT coordinators_group_id AS id FROM network_network WHERE id IN (SELECT id FROM seed_networks) "
                "UNION ALL SELECT group_id FROM partners_partner WHERE id IN (SELECT id FROM seed_partners)",
            ),
            ("seed_users", "SELECT id FROM partners_user WHERE username ~ %(usernames)s"),
        ]
        statements = [
            "DELETE FROM referrals_referralgroupobjectpermission "
            "WHERE content_object_id IN (SELECT id FROM seed_referrals)",
            "DELETE FROM referrals_referralevent WHERE referral_id IN (SELECT id FROM seed_referrals)",
            "DELETE FROM referrals_referral WHERE id IN (SELECT id FROM seed_referrals)",
            "DELETE FROM network_persongroupobjectpermission WHERE content_object_id IN (SELECT id FROM seed_people)",
            "DELETE FROM network_consent_partners WHERE consent_id IN (SELECT id FROM seed_consents)",
            "DELETE FROM network_consent WHERE id IN (SELECT id FROM seed_consents)",
            "DELETE FROM network_case WHERE person_id IN (SELECT id FROM seed_people)",
            "DELETE FROM network_person WHERE id IN (SELECT id FROM seed_people)",
            "DELETE FROM network_networkcoordinator WHERE network_id IN (SELECT id FROM seed_networks)",
            "DELETE FROM network_networkmembership WHERE network_id IN (SELECT id FROM seed_networks)",
            "DELETE FROM partners_service WHERE partner_id IN (SELECT id FROM seed_partners)",
            "DELETE FROM partners_staffmembership WHERE partner_id IN (SELECT id FROM seed_partners)",
            "DELETE FROM partners_user_groups WHERE group_id IN (SELECT id FROM seed_groups) "
            "OR user_id IN (SELECT id FROM seed_users)",
            "DELETE FROM network_network WHERE id IN (SELECT id FROM seed_networks)",
            "DELETE FROM partners_partner WHERE id IN (SELECT id FROM seed_partners)",
            "DELETE FROM auth_group WHERE id IN (SELECT id FROM seed_groups)",
            "DELETE FROM partners_user WHERE id IN (SELECT id FROM seed_users)",
        ]
        params = {"mark": MARK, "usernames": f"^{USERNAME_PREFIX}[0-9]*-[0-9]+$"}
        try:
            with transaction.atomic(), connection.cursor() as c:
                c.execute("SET LOCAL work_mem = '256MB'")
                for name, select in selections:
                    c.execute(f"CREATE TEMPORARY TABLE {name} ON COMMIT DROP AS {select}", params)
                    c.execute(f"ANALYZE {name}")
                for sql in statements:
                    c.execute(sql)
                c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        except IntegrityError as exc:
            raise CommandError(
                f"Other data refers to generated rows, nothing deleted ({exc}). Drop and recreate the database."
            ) from exc
        self.say(f"    left {Referral.objects.count():,} referrals")


def _cumulative(weights: Sequence[float]) -> Iterator[float]:
    total = 0.0
    for w in weights:
        total += w
        yield total


def _ts_or_null(epoch: float | None) -> str:
    return NULL if epoch is None else ts(epoch)
