"""Deleting what earlier runs generated: networks and partners by their mark, accounts by their username."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from demo.scale.directory import MARK, USERNAME_PREFIX
from demo.scale.plan import Say
from network.models import Network, NetworkCoordinator, NetworkMembership
from partners.models import Partner, Service, StaffMembership, StaffMembershipEvent, User
from people.models import Case, Consent, Person, PersonGroupObjectPermission
from referrals.models import Referral, ReferralEvent, ReferralGroupObjectPermission


def reset(say: Say) -> None:
    """Delete what seed_scale generated, children first.

    Plain DELETEs with every constraint on: when other data points at generated rows (an access log entry,
    a notification), the deletion fails and rolls back; drop the database then.
    """
    selections = [
        ("seed_networks", _rows(Network, "description = %(mark)s")),
        ("seed_partners", _rows(Partner, "description = %(mark)s")),
        ("seed_referrals", _rows(Referral, "network_id IN (SELECT id FROM seed_networks)")),
        ("seed_people", _rows(Person, "network_id IN (SELECT id FROM seed_networks)")),
        ("seed_consents", _rows(Consent, "person_id IN (SELECT id FROM seed_people)")),
        (
            "seed_groups",
            " UNION ALL ".join(
                [
                    _rows(Network, "id IN (SELECT id FROM seed_networks)", "coordinators_group_id AS id"),
                    _rows(Partner, "id IN (SELECT id FROM seed_partners)", "group_id"),
                ]
            ),
        ),
        ("seed_users", _rows(User, "username ~ %(usernames)s")),
    ]
    statements = [
        _delete(ReferralGroupObjectPermission, "content_object_id IN (SELECT id FROM seed_referrals)"),
        _delete(ReferralEvent, "referral_id IN (SELECT id FROM seed_referrals)"),
        _delete(Referral, "id IN (SELECT id FROM seed_referrals)"),
        _delete(PersonGroupObjectPermission, "content_object_id IN (SELECT id FROM seed_people)"),
        _delete(Consent.partners.through, "consent_id IN (SELECT id FROM seed_consents)"),
        _delete(Consent, "id IN (SELECT id FROM seed_consents)"),
        _delete(Case, "person_id IN (SELECT id FROM seed_people)"),
        _delete(Person, "id IN (SELECT id FROM seed_people)"),
        _delete(NetworkCoordinator, "network_id IN (SELECT id FROM seed_networks)"),
        _delete(NetworkMembership, "network_id IN (SELECT id FROM seed_networks)"),
        _delete(Service, "partner_id IN (SELECT id FROM seed_partners)"),
        # Staff changes made through the pages on generated partners are logged; their log goes with them.
        _delete(
            StaffMembershipEvent,
            f"membership_id IN (SELECT id FROM {StaffMembership._meta.db_table} "  # noqa: S608 - a model's table
            "WHERE partner_id IN (SELECT id FROM seed_partners))",
        ),
        _delete(StaffMembership, "partner_id IN (SELECT id FROM seed_partners)"),
        _delete(
            User.groups.through, "group_id IN (SELECT id FROM seed_groups) OR user_id IN (SELECT id FROM seed_users)"
        ),
        _delete(Network, "id IN (SELECT id FROM seed_networks)"),
        _delete(Partner, "id IN (SELECT id FROM seed_partners)"),
        _delete(Group, "id IN (SELECT id FROM seed_groups)"),
        _delete(User, "id IN (SELECT id FROM seed_users)"),
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
    say(f"    left {Referral.objects.count():,} referrals")


def _rows(model: type[Model], where: str, columns: str = "id") -> str:
    return f"SELECT {columns} FROM {model._meta.db_table} WHERE {where}"  # noqa: S608 - table names from the models


def _delete(model: type[Model], where: str) -> str:
    return f"DELETE FROM {model._meta.db_table} WHERE {where}"  # noqa: S608 - table names from the models
