"""People, their consents and cases, network by network, each with the referrals made for them.

Some people are referred many times, most a few times, some not at all. A consent covers the partners a person
is referred to, by type mostly and some by name; a few referrals go to partners it does not cover, and the
coordinator refers those on a legal basis.
"""

from __future__ import annotations

import datetime

from demo.scale.copying import NULL, CopyTable, array, day, ts
from demo.scale.plan import DAY, FEMALE, HISTORY_DAYS, MALE, SURNAMES, PlannedNetwork, Run
from demo.scale.referrals import CATEGORY_ODDS, TERMINAL, ReferralWriter
from partners.choices import PartnerType, PathStage
from people.models import Case, Consent, Person, normalise_name

PESEL_WEIGHTS = (1, 3, 7, 9, 1, 3, 7, 9, 1, 3)


class PeopleWriter:
    """The person, consent and case tables of one load, and the referrals written alongside."""

    def __init__(self, run: Run) -> None:
        self.run = run
        c = run.cursor
        self.people = CopyTable(
            c,
            Person,
            ["id", "created_at", "updated_at", "network_id", "first_name", "last_name", "normalised_name",
             "birth_date", "birth_year", "pesel", "sex", "phone", "email", "street", "postal_code", "city",
             "gmina_teryt", "gmina_name", "guardian_name", "guardian_contact", "preferred_contact",
             "social_situation", "disability_level", "disability_symbol", "health_notes", "skills_experience",
             "work_support_needs", "registered_by_id"],
        )  # fmt: skip
        self.consents = CopyTable(
            c,
            Consent,
            ["id", "created_at", "updated_at", "person_id", "partner_types", "categories", "purpose", "valid_from",
             "valid_until", "given_by", "document", "document_type", "recorded_by_id", "withdrawn_at",
             "withdrawn_by_id", "withdrawal_note"],
        )  # fmt: skip
        self.consent_partners = CopyTable(c, Consent.partners.through, ["consent_id", "partner_id"])
        self.cases = CopyTable(
            c,
            Case,
            ["id", "created_at", "updated_at", "person_id", "network_id", "case_manager_id", "managing_partner_id",
             "stage", "opened_on", "closed_on", "closing_note"],
        )  # fmt: skip
        self.referrals = ReferralWriter(run)
        self.all_types = list(PartnerType.values)
        self.pesels: set[str] = set()

    def write(self) -> None:
        for net in self.run.networks:
            self._network(net)
        for table in (self.people, self.consents, self.consent_partners, self.cases):
            table.flush()
        self.referrals.flush()
        self.run.row_counts.update(
            people=self.people.rows,
            consents=self.consents.rows,
            cases=self.cases.rows,
            referrals=self.referrals.referrals.rows,
            events=self.referrals.events.rows,
        )

    def _network(self, net: PlannedNetwork) -> None:
        rng = self.run.rng
        slots: list[int] = []
        for index, count in net.slots.items():
            slots.extend([index] * count)
        rng.shuffle(slots)
        by_person: list[list[int]] = [[] for _ in range(net.people)]
        for index in slots:
            by_person[min(net.people - 1, int(net.people * rng.random() ** 1.6))].append(index)
        self.pesels = set()  # unique within a network, as the model requires
        for targets in by_person:
            self._person(net, targets)

    def _pesel(self, born: datetime.date, female: bool) -> str:
        rng = self.run.rng
        month = born.month + (20 if born.year >= 2000 else 0)
        while True:
            serial = rng.randrange(1000)
            sex_digit = rng.choice("02468" if female else "13579")
            digits = f"{born.year % 100:02d}{month:02d}{born.day:02d}{serial:03d}{sex_digit}"
            check = (10 - sum(int(d) * w for d, w in zip(digits, PESEL_WEIGHTS, strict=True)) % 10) % 10
            pesel = digits + str(check)
            if pesel not in self.pesels:
                self.pesels.add(pesel)
                return pesel

    def _person(self, net: PlannedNetwork, targets: list[int]) -> None:
        run = self.run
        rng, now, partners = run.rng, run.now, run.partners
        span = min(HISTORY_DAYS * DAY, now - net.start - 2 * DAY)
        times = sorted(now - rng.random() * span for _ in targets)
        first = times[0] if times else now - rng.random() * span
        registered = max(net.start, first - rng.uniform(1, 60) * DAY)
        pid = run.uid()
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
        self.people.add(
            pid, ts(registered), ts(registered), net.id, first_name, last_name, normalise_name(first_name, last_name),
            birth_date, birth_year, pesel, "female" if female else "male", f"600 {rng.randrange(1000):03d} 000", "",
            f"ul. Polna {rng.randint(1, 90)}", "41-940", net.territory, net.teryt, net.territory,
            "", "", "phone", "Mieszka sam(a), korzysta z zasiłku stałego." if rng.random() < 0.5 else "",
            rng.choice(["", "light", "moderate", "significant"]) if health else "",
            rng.choice(["02-P", "12-C", ""]) if health else "",
            "Po hospitalizacji, leczenie ambulatoryjne." if health else "", "", "", coordinator,
        )  # fmt: skip

        target_set = set(targets)
        target_types = {partners[i].type for i in target_set}
        covered_types = {t for t in sorted(target_types) if rng.random() > 0.1}  # sorted: str hashes vary by run
        covered_types.update(rng.sample(self.all_types, rng.randint(0, 3)))
        named: list[int] = []
        uncovered: set[int] = set()
        for index in sorted(target_set):
            if partners[index].type not in covered_types:
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
            cid = run.uid()
            self.consents.add(
                cid, ts(consent_from), ts(consent_from), pid, array(sorted(covered_types)), array(categories),
                "Koordynacja wsparcia w lokalnym systemie", day(consent_from), until, "person", "", "", coordinator,
                withdrawn, coordinator if withdrawn != NULL else NULL, "",
            )  # fmt: skip
            for index in named:
                self.consent_partners.add(cid, partners[index].id)
            if rng.random() < 0.12:  # an older consent, no longer live
                old = consent_from - rng.uniform(30, 300) * DAY
                self.consents.add(
                    run.uid(), ts(old), ts(old), pid, array(rng.sample(self.all_types, 3)), array(["identity"]),
                    "Wcześniejsza zgoda", day(old), day(consent_from - DAY), "guardian", "", "", coordinator,
                    NULL, NULL, "",
                )  # fmt: skip
        else:
            categories = []

        states = [self.referrals.state(now - t) for t in times]
        case_id = None
        if targets and rng.random() < 0.92:
            case_id = run.uid()
        last_closed = registered
        for created, state, index in zip(times, states, targets, strict=True):
            closed = self.referrals.add(net, pid, case_id, created, state, index, categories, index in uncovered)
            last_closed = max(last_closed, closed)
        if case_id is not None or (not targets and rng.random() < 0.5):
            case_id = case_id or run.uid()
            managing = partners[net.pick_member(rng)]
            opened = registered + rng.random() * min(DAY * 20, first - registered)
            closed_on = NULL
            if targets and all(s in TERMINAL for s in states) and rng.random() < 0.5:
                closed_on = day(last_closed + rng.random() * (now - last_closed))
            self.cases.add(
                case_id, ts(opened), ts(opened), pid, net.id, rng.choice(managing.staff), managing.id,
                rng.choice(PathStage.values), day(opened), closed_on, "" if closed_on == NULL else "Cel osiągnięty",
            )  # fmt: skip
