"""The code systems and state mappings of the FHIR face: one canonical base (``settings.FHIR_CANONICAL_BASE``) for
our own codes, the standard FHIR systems for theirs, and the tables that map a referral's state to a
ServiceRequest status, a Task status and the P1 e-skierowanie status (docs/fhir.md shows the same tables)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import translation

from people.models import DataCategory
from referrals.choices import OutcomeCode, Priority, ReasonCode, State

FHIR_VERSION = "4.0.1"
JSON = dict[str, Any]

# PESEL, the Polish national person number, as the P1 platform and the Polish FHIR guides name it.
PESEL_SYSTEM = "urn:oid:2.16.840.1.113883.3.4424.1.1.616"

# Our own code systems, under the one canonical base.
REASON = "referral-reason"
REASON_ORIGIN = "referral-reason-origin"
OUTCOME = "referral-outcome"
SERVICE_CATEGORY = "service-category"
PARTNER_TYPE = "partner-type"
DATA_CATEGORY = "data-category"
REFERRAL_STATE = "referral-state"
P1_STATUS = "p1-referral-status"
ERROR_CODE = "error-code"

# Our extensions, under the same base.
EXT_FREE_PLACES = "free-places"
EXT_DATA_CATEGORIES = "data-categories"
EXT_REASON_ORIGIN = "reason-origin"
EXT_P1_STATUS = "p1-status"
EXT_DUE_BY = "answer-due-by"
EXT_WAITLISTED = "waitlisted"
EXT_PARTNER_TYPES = "consent-partner-types"

# Our identifier systems (institutions' registry numbers and our own ids).
SID_REGON = "regon"
SID_NIP = "nip"
SID_KRS = "krs"

# Standard FHIR systems.
CONSENT_SCOPE = "http://terminology.hl7.org/CodeSystem/consentscope"
CONSENT_CATEGORY = "http://loinc.org"
CONSENT_ACTION = "http://terminology.hl7.org/CodeSystem/consentaction"
ORGANIZATION_TYPE = "http://terminology.hl7.org/CodeSystem/organization-type"
TASK_CODE = "http://hl7.org/fhir/CodeSystem/task-code"
ISSUE_TYPE_SYSTEM = "http://hl7.org/fhir/issue-type"


def base() -> str:
    return str(settings.FHIR_CANONICAL_BASE).rstrip("/")


def system(name: str) -> str:
    """The canonical URI of one of our code systems."""
    return f"{base()}/CodeSystem/{name}"


def extension_url(name: str) -> str:
    return f"{base()}/StructureDefinition/{name}"


def identifier_system(name: str) -> str:
    return f"{base()}/sid/{name}"


def _labels(choices: Any) -> dict[str, str]:
    # Displays in Polish, the language of the people who read them in a partner's system.
    with translation.override("pl"):
        return {str(code): str(label) for code, label in choices}


def coding(name: str, code: str, choices: Any = None) -> JSON:
    data: JSON = {"system": system(name), "code": code}
    if choices is not None and (display := _labels(choices).get(code)):
        data["display"] = display
    return data


def concept(name: str, code: str, choices: Any = None) -> JSON:
    return {"coding": [coding(name, code, choices)]}


def code_from(concept_json: Any, name: str) -> str | None:
    """The code of ``name``'s system in a CodeableConcept (a dict as the client sent it), if any."""
    if not isinstance(concept_json, dict):
        return None
    for item in concept_json.get("coding") or []:
        if isinstance(item, dict) and item.get("system") == system(name) and isinstance(item.get("code"), str):
            return str(item["code"])
    return None


# --- states ------------------------------------------------------------------------------------------------

# Our referral state -> ServiceRequest.status (http://hl7.org/fhir/request-status).
SERVICE_REQUEST_STATUS: dict[str, str] = {
    State.DRAFT: "draft",
    State.SENT: "active",
    State.ACCEPTED: "active",
    State.IN_PROGRESS: "active",
    State.COMPLETED: "completed",
    State.DECLINED: "revoked",
    State.WITHDRAWN: "revoked",
    State.DISCONTINUED: "revoked",
}

# Task.status (http://hl7.org/fhir/task-status): "sent" is two Task statuses, before and after the receiving
# partner confirmed contact with the person (check-in).
TASK_STATUSES = (
    "draft",
    "requested",
    "received",
    "accepted",
    "in-progress",
    "completed",
    "rejected",
    "cancelled",
    "failed",
)
ALL_TASK_STATUSES = (*TASK_STATUSES, "ready", "on-hold", "entered-in-error")
ALL_REQUEST_STATUSES = ("draft", "active", "on-hold", "revoked", "completed", "entered-in-error", "unknown")

_TASK_BY_STATE: dict[str, str] = {
    State.DRAFT: "draft",
    State.ACCEPTED: "accepted",
    State.IN_PROGRESS: "in-progress",
    State.COMPLETED: "completed",
    State.DECLINED: "rejected",
    State.WITHDRAWN: "cancelled",
    State.DISCONTINUED: "failed",
}


def task_status(state: str, checked_in: bool) -> str:
    if state == State.SENT:
        return "received" if checked_in else "requested"
    return _TASK_BY_STATE[state]


def states_for_task_status(status: str) -> tuple[list[str], bool | None]:
    """The referral states of a Task status, and whether a check-in is required (True), excluded (False) or
    either (None)."""
    if status == "requested":
        return [State.SENT], False
    if status == "received":
        return [State.SENT], True
    return [state for state, task in _TASK_BY_STATE.items() if task == status], None


def states_for_request_status(status: str) -> list[str]:
    return [state for state, request in SERVICE_REQUEST_STATUS.items() if request == status]


# P1 e-skierowanie: WYSTAWIONE (issued) -> U REALIZATORA (at the provider) -> ZREALIZOWANE (done) / ANULOWANE.
P1_BY_TASK_STATUS: dict[str, str | None] = {
    "draft": None,
    "requested": "WYSTAWIONE",
    "received": "U_REALIZATORA",
    "accepted": "U_REALIZATORA",
    "in-progress": "U_REALIZATORA",
    "completed": "ZREALIZOWANE",
    "failed": "ZREALIZOWANE",
    "rejected": "ANULOWANE",
    "cancelled": "ANULOWANE",
}
P1_DISPLAY = {
    "WYSTAWIONE": "Wystawione",
    "U_REALIZATORA": "U realizatora",
    "ZREALIZOWANE": "Zrealizowane",
    "ANULOWANE": "Anulowane",
}

# FHIR orders routine < urgent < asap < stat. A discharge from a psychiatric ward, our highest, is asap: a place is
# needed before the person leaves the ward; stat (an emergency, minutes) is not what a referral between partners
# answers, so a stat request is taken at our highest priority too.
PRIORITY: dict[str, str] = {Priority.WARD_DISCHARGE: "asap", Priority.URGENT: "urgent", Priority.NORMAL: "routine"}
PRIORITY_BACK = {**{fhir: ours for ours, fhir in PRIORITY.items()}, "stat": Priority.WARD_DISCHARGE}

# The code systems we publish, with their codes, for the CapabilityStatement's documentation and docs/fhir.md.
OUR_SYSTEMS: dict[str, Any] = {
    REASON: ReasonCode.choices,
    OUTCOME: OutcomeCode.choices,
    DATA_CATEGORY: DataCategory.choices,
    REFERRAL_STATE: State.choices,
}
