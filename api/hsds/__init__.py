"""Open Referral HSDS 3.0 read-only export at ``/api/hsds/``: the public directory of partners and their services.

Mapping (DESIGN §3): organization = Partner, service = active Service, location = the partner's address plus a
service's own place where it differs, service_at_location = where a service is given, taxonomies = our partner
types and path stages. Employers are never published (their part in a network is not public) and no person
appears anywhere: phones and e-mails are the institution's own. Paths, query parameters and the ``Page``
envelope follow ``api/hsds_schema/openapi.json``; every response validates against the schemas there.

- ``selectors``: what is published and how it is loaded; here rather than in ``partners/selectors.py`` because
  nothing else reads this shape;
- ``mapping``: ids, taxonomies and places, and the HSDS objects built from our rows;
- ``params``: the query parameters and the 400 a bad one gets;
- ``views``: one view per path, the ``Page`` envelope and 404s.

Every list costs a fixed number of queries (count + page, one more for fully nested organizations).
"""
