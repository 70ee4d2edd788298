"""The guardian grants that follow from the loaded referrals, derived in SQL with the rules of referrals/access.py.

One INSERT … SELECT per grant table instead of ``sync`` per object: a million referrals in seconds. The sample
check afterwards (verify.py) and ``access_check`` hold these statements to ``desired_referral_grants`` and
``desired_person_grants``; change them together.
"""

from __future__ import annotations

from core.grants import permission_id
from demo.scale.plan import Run
from partners.models import Partner
from people.models import CATEGORY_PERMISSIONS, Case, Consent, Person, PersonGroupObjectPermission
from referrals.access import KEEPS_VIEW, RESPOND, VIEW
from referrals.choices import OPEN_STATES
from referrals.models import Referral, ReferralGroupObjectPermission


def referral_grants(run: Run) -> None:
    """desired_referral_grants: sender's group views; receiver's group views and responds while the referral is
    open, keeps view after completion or discontinuation, loses everything after decline or withdrawal."""
    view, respond = permission_id(Referral, VIEW), permission_id(Referral, RESPOND)
    referral, partner = Referral._meta.db_table, Partner._meta.db_table
    run.cursor.execute(
        f"""
        INSERT INTO {ReferralGroupObjectPermission._meta.db_table} (content_object_id, group_id, permission_id)
        SELECT r.id, p.group_id, %(view)s
          FROM {referral} r JOIN {partner} p ON p.id = r.from_partner_id
         WHERE r.network_id = ANY(%(networks)s::uuid[])
        UNION ALL
        SELECT r.id, p.group_id, g.permission_id
          FROM {referral} r JOIN {partner} p ON p.id = r.to_partner_id
          CROSS JOIN LATERAL (VALUES (%(view)s), (%(respond)s)) AS g(permission_id)
         WHERE r.network_id = ANY(%(networks)s::uuid[]) AND r.state = ANY(%(open)s)
        UNION ALL
        SELECT r.id, p.group_id, %(view)s
          FROM {referral} r JOIN {partner} p ON p.id = r.to_partner_id
         WHERE r.network_id = ANY(%(networks)s::uuid[]) AND r.state = ANY(%(keeps)s)
        """,  # noqa: S608 - table names from the models
        {
            "view": view,
            "respond": respond,
            "networks": [n.id for n in run.networks],
            "open": list(OPEN_STATES),
            "keeps": list(KEEPS_VIEW),
        },
    )
    run.row_counts["referral grants"] = run.cursor.rowcount


def person_grants(run: Run) -> None:
    """desired_person_grants: for each open referral whose case is open (or absent), the receiving partner's
    group reads the shared categories that a live consent gives that partner (by name or type), or all shared
    categories when the coordinator recorded a legal basis."""
    categories = list(CATEGORY_PERMISSIONS)
    permissions = [permission_id(Person, CATEGORY_PERMISSIONS[c]) for c in categories]
    referral, partner, case = Referral._meta.db_table, Partner._meta.db_table, Case._meta.db_table
    consent, consent_partners = Consent._meta.db_table, Consent.partners.through._meta.db_table
    run.cursor.execute(
        f"""
        INSERT INTO {PersonGroupObjectPermission._meta.db_table} (content_object_id, group_id, permission_id)
        SELECT DISTINCT r.person_id, p.group_id, m.permission_id
          FROM {referral} r
          JOIN {partner} p ON p.id = r.to_partner_id
          LEFT JOIN {case} c ON c.id = r.case_id
          CROSS JOIN LATERAL unnest(r.categories) AS shared(category)
          JOIN unnest(%(categories)s::text[], %(permissions)s::int[]) AS m(category, permission_id)
            ON m.category = shared.category
         WHERE r.network_id = ANY(%(networks)s::uuid[])
           AND r.state = ANY(%(open)s)
           AND (r.case_id IS NULL OR c.closed_on IS NULL)
           AND (r.legal_basis <> '' OR EXISTS (
                SELECT 1 FROM {consent} co
                 WHERE co.person_id = r.person_id
                   AND co.withdrawn_at IS NULL AND co.valid_from <= %(today)s
                   AND (co.valid_until IS NULL OR co.valid_until >= %(today)s)
                   AND shared.category = ANY(co.categories)
                   AND (p.type = ANY(co.partner_types) OR EXISTS (
                        SELECT 1 FROM {consent_partners} cp
                         WHERE cp.consent_id = co.id AND cp.partner_id = p.id))))
        """,  # noqa: S608 - table names from the models
        {
            "categories": categories,
            "permissions": permissions,
            "networks": [n.id for n in run.networks],
            "open": list(OPEN_STATES),
            "today": run.today,
        },
    )
    run.row_counts["person grants"] = run.cursor.rowcount
