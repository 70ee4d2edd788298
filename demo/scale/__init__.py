"""Voivodeship-scale data for the benchmarks (DESIGN §8), loaded in minutes with PostgreSQL COPY.

``manage.py seed_scale`` runs it. At ``--scale 1.0``: 300 networks, 5,000 partners, 20,000 users, 100,000 people
with consents and cases, 1,000,000 referrals with their timelines, and the guardian grants that follow from them.

- plan: the sizes and how they are spread (Zipf inboxes, staff, networks), made in memory; the run's shared state
- copying: rows in COPY text format, streamed table by table
- directory: groups, partners, networks, memberships, accounts, staff, coordinators, services
- people: people, consents and cases, with referrals (referrals: their states and timelines)
- grants: the grant tables, derived in SQL with the rules of referrals/access.py
- load: the one transaction, indexes off and on, foreign keys checked by anti-joins, VACUUM ANALYZE
- verify: a sample of grants against referrals/access.py, and the summary
- reset: deleting what earlier runs generated
"""
