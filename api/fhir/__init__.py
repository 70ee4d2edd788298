"""HL7 FHIR R4 (4.0.1) face of the referrals at ``/fhir/``, for the hospital and social-care systems of partners
(docs/fhir.md). JSON only; the same sign-in, access functions and services as ``/api/v1/``.

- ``codes``: our code systems under ``settings.FHIR_CANONICAL_BASE`` and the state mappings
  (referral -> ServiceRequest.status, Task.status, P1 e-skierowanie status);
- ``resources``: our rows as FHIR resources, each checked by its ``fhir.resources.R4B`` model;
- ``capability``: the CapabilityStatement, and the search parameters each search accepts;
- ``params``: search parameters and the 400 a bad one gets;
- ``base``: JSON in and out, OperationOutcome for every error, no caching;
- ``changes``: a Task's status moved (PUT, JSON Patch) and a ServiceRequest created, through
  ``referrals.services``;
- ``views``, ``urls``: one view per path.
"""
