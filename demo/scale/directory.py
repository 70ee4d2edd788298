"""The directory of the planned networks: groups, partners, networks and memberships, accounts with their staff
and coordinator roles, and the partners' services."""

from __future__ import annotations

import json

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from demo.scale.copying import NULL, CopyTable, array, day, ts
from demo.scale.plan import DAY, FEMALE, HISTORY_DAYS, MALE, SURNAMES, Run
from network.models import Network, NetworkCoordinator, NetworkMembership, default_stages
from partners.choices import FundingSource, PartnerFunction, PartnerType, Sector, StaffRole
from partners.models import Partner, Service, StaffMembership, User

PASSWORD = "bench"  # noqa: S105 - documented benchmark password
MARK = "seed_scale"  # description of generated networks and partners: what --reset deletes
USERNAME_PREFIX = "scale"

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


def prepare_accounts(run: Run) -> None:
    """One password hash for every account, and a username prefix no earlier run (kept with --yes) has used."""
    run.password = make_password(PASSWORD)
    taken = set(
        User.objects.filter(username__startswith=USERNAME_PREFIX).values_list("username", flat=True)[:1_000_000]
    )
    run_number = 1
    while any(name.startswith(_prefix(run_number)) for name in taken):
        run_number += 1
    run.username_prefix = _prefix(run_number)
    run.users_made = 0


def _prefix(run_number: int) -> str:
    return f"{USERNAME_PREFIX}-" if run_number == 1 else f"{USERNAME_PREFIX}{run_number}-"


def _user(run: Run, table: CopyTable, uid: str, joined: float) -> None:
    run.users_made += 1
    sex = run.rng.random() < 0.75  # most staff in social services are women
    first = run.rng.choice(FEMALE if sex else MALE)
    last = run.rng.choice(SURNAMES)[1 if sex else 0]
    username = f"{run.username_prefix}{run.users_made:06d}"
    table.add(
        uid, run.password, NULL, "f", username, first, last, "f", "t", ts(joined), f"{username}@example.org",
        "pl", "f",
    )  # fmt: skip


def write_directory(run: Run) -> None:
    c, rng, now = run.cursor, run.rng, run.now
    created = ts(now - (HISTORY_DAYS + 500) * DAY)
    groups = CopyTable(c, Group, ["id", "name"])
    for net in run.networks:
        groups.add(str(net.group_id), f"network-coordinators:{net.id}")
    for partner in run.partners:
        groups.add(str(partner.group_id), f"partner:{partner.id}")
    groups.flush()

    partners = CopyTable(
        c,
        Partner,
        ["id", "created_at", "updated_at", "name", "short_name", "type", "sector", "description", "regon", "nip",
         "krs", "street", "postal_code", "city", "phone", "email", "website", "group_id"],
    )  # fmt: skip
    for i, p in enumerate(run.partners):
        city = run.networks[p.networks[0]].territory
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
    for net in run.networks:
        networks.add(
            net.id, ts(net.start), ts(net.start), net.name, net.teryt, f"gmina {net.territory}",
            run.partners[net.members[0]].id, day(net.start), MARK, stages, "1", str(net.days_normal),
            str(net.group_id),
        )  # fmt: skip
    networks.flush()

    memberships = CopyTable(
        c,
        NetworkMembership,
        ["id", "created_at", "updated_at", "network_id", "partner_id", "functions", "contact_name",
         "contact_phone", "contact_email", "since"],
    )  # fmt: skip
    for net in run.networks:
        for index in net.members:
            p = run.partners[index]
            functions = FUNCTIONS.get(p.type, [PartnerFunction.COMMUNITY_SUPPORT])
            memberships.add(
                run.uid(), ts(net.start), ts(net.start), net.id, p.id, array(functions), "", "", "", day(net.start)
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
        ["id", "created_at", "updated_at", "user_id", "partner_id", "role", "job_title", "status", "is_active"],
    )
    coordinators = CopyTable(c, NetworkCoordinator, ["id", "created_at", "updated_at", "network_id", "user_id"])
    for net in run.networks:
        for uid in net.coordinators:
            _user(run, users, uid, net.start)
            user_groups.add(uid, str(net.group_id))
            coordinators.add(run.uid(), ts(net.start), ts(net.start), net.id, uid)
    for p in run.partners:
        job_coach = p.type in (PartnerType.ZAZ, PartnerType.WTZ, PartnerType.CIS_KIS)
        for k, uid in enumerate(p.staff):
            joined = now - rng.uniform(30, HISTORY_DAYS + 300) * DAY
            role = StaffRole.ADMIN if k == 0 else (StaffRole.JOB_COACH if job_coach and k % 3 == 1 else StaffRole.STAFF)
            _user(run, users, uid, joined)
            user_groups.add(uid, str(p.group_id))
            staff.add(run.uid(), ts(joined), ts(joined), uid, p.id, role, "", "active", "t")
    for table in (users, user_groups, staff, coordinators):
        table.flush()
    run.row_counts.update({"users": users.rows, "staff memberships": staff.rows})


def write_services(run: Run) -> None:
    """After the referrals: a service's load is the places its referrals hold."""
    services = CopyTable(
        run.cursor,
        Service,
        ["id", "created_at", "updated_at", "partner_id", "name", "category", "description", "eligibility",
         "schedule", "place", "postal_code", "city", "capacity", "load", "waitlist_enabled", "funding_source",
         "is_active"],
    )  # fmt: skip
    created = ts(run.now - (HISTORY_DAYS + 400) * DAY)
    funding = list(FundingSource.values)
    for p in run.partners:
        for s in p.services:
            # Capacity at least the places held; about one in six limited services is full.
            capacity = NULL if s.capacity is None else str(max(s.capacity, s.load + run.rng.randint(0, 5)))
            services.add(
                s.id, created, created, p.id, s.name, s.category, "", "", "pn–pt 8:00–16:00", "", "", "",
                capacity, str(s.load), "t", run.rng.choice(funding), "t",
            )  # fmt: skip
    services.flush()
    run.row_counts["services"] = services.rows
