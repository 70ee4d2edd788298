"""The CapabilityStatement: exactly the resource types, interactions and search parameters the views serve.

``SEARCH`` is also what each search view accepts (``params.check_names``), so the statement cannot promise a
parameter the server refuses, nor the server take one the statement does not name.
"""

from __future__ import annotations

from typing import Any

from api.fhir import codes, resources
from api.fhir.codes import JSON

# resource type -> {search parameter: (type, documentation)}
SEARCH: dict[str, dict[str, tuple[str, str]]] = {
    "ServiceRequest": {
        "patient": ("reference", "Patient/<id>: the person referred."),
        "performer": ("reference", "Organization/<id>: the receiving institution."),
        "status": ("token", "draft | active | completed | revoked (comma = or)."),
        "authored": ("date", "When the referral was written; prefixes eq, ge, gt, le, lt; repeat to bound both ends."),
    },
    "Task": {
        "focus": ("reference", "ServiceRequest/<id>: the referral the Task carries out."),
        "owner": ("reference", "Organization/<id>: the receiving institution."),
        "patient": ("reference", "Patient/<id>: the person referred."),
        "status": (
            "token",
            "draft | requested | received | accepted | in-progress | completed | rejected | cancelled | failed.",
        ),
    },
    "Consent": {
        "patient": ("reference", "Patient/<id>: consents of this person that cover your institution."),
    },
    "Organization": {
        "name": ("string", "Name or short name starts with (case-insensitive)."),
        "name:contains": ("string", "Name or short name contains."),
        "identifier": ("token", "REGON, NIP or KRS (system|value or value)."),
        "type": ("token", "Our partner type code."),
    },
    "HealthcareService": {
        "organization": ("reference", "Organization/<id>: the institution that provides it."),
        "service-category": ("token", "Our service category (path stage) code."),
        "active": ("token", "true | false."),
        "name": ("string", "Name contains (case-insensitive)."),
    },
}

INTERACTIONS: dict[str, tuple[str, ...]] = {
    "ServiceRequest": ("read", "search-type", "create"),
    "Task": ("read", "search-type", "update", "patch"),
    "Patient": ("read",),
    "Consent": ("read", "search-type"),
    "Organization": ("read", "search-type"),
    "HealthcareService": ("read", "search-type"),
}

DOCUMENTATION = {
    "ServiceRequest": "One per referral. Create with status draft (a draft referral) or active (created and sent: "
    "a consent must cover the receiving institution and every data category shared).",
    "Task": "One per referral, focus = the ServiceRequest, same id. The receiving institution moves its status "
    "(PUT of the Task, or JSON Patch on /status, /statusReason, /output); an illegal move answers 409.",
    "Patient": "Identity data only, and only of people you may see (through a referral covered by consent, a case "
    "you manage, or as the network's coordinator). PESEL under urn:oid:2.16.840.1.113883.3.4424.1.1.616.",
    "Consent": "Consents that cover your institution (by name or by type); a coordinator sees every consent of "
    "their networks' people.",
    "Organization": "The institutions of the networks you belong to.",
    "HealthcareService": "Their services, with the free places as an extension.",
}


def _param(name: str, kind: str, documentation: str) -> JSON:
    return {"name": name, "type": kind, "documentation": documentation}


def _resource(kind: str) -> JSON:
    data: JSON = {
        "type": kind,
        "documentation": DOCUMENTATION[kind],
        "interaction": [{"code": code} for code in INTERACTIONS[kind]],
        "versioning": "no-version",
        "readHistory": False,
        "updateCreate": False,
    }
    search = SEARCH.get(kind, {})
    if search:
        data["searchParam"] = [_param(name, kind_, doc) for name, (kind_, doc) in search.items() if ":" not in name] + [
            _param("_count", "number", "Page size, 0 to 200 (50 when not given)."),
            _param("_page", "number", "Page, from 1."),
        ]
    return data


def capability_statement(url: str) -> JSON:
    statement: dict[str, Any] = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": "2026-12-03",
        "publisher": "LSW",
        "kind": "instance",
        "software": {"name": "LSW — Lokalny System Współdziałania"},
        "implementation": {"description": "Referrals between the partners of a local cooperation network", "url": url},
        "fhirVersion": codes.FHIR_VERSION,
        "format": ["json", "application/fhir+json"],
        "patchFormat": ["application/json-patch+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": f"Our code systems and extensions live under {codes.base()}; see docs/fhir.md.",
                "security": {
                    "description": "The same sign-in as the REST API (/api/v1/): an API token in the Authorization "
                    "header. Every resource is limited to what the caller's institution may see."
                },
                "resource": [_resource(kind) for kind in INTERACTIONS],
            }
        ],
    }
    return resources.checked(statement)
