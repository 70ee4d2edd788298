"""Our rows as FHIR R4 resources (plain dictionaries, each checked by its ``fhir.resources.R4B`` model before it
leaves: ``checked``). What a reader may see was decided before these are called; they only shape it."""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from api.fhir import codes
from api.fhir.codes import JSON, coding, concept, extension_url, identifier_system
from partners.choices import PartnerType, PathStage
from partners.models import Partner, Service
from people.models import Consent, DataCategory, GivenBy, Person, Sex
from referrals.choices import OutcomeCode, ReasonCode, ReasonOrigin, State
from referrals.models import Referral


def checked(resource: JSON) -> JSON:
    """The resource as its R4B model writes it: a resource the model refuses is a bug here, never sent out."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return dict(json.loads(model.model_dump_json()))


def _instant(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _meta(updated: datetime.datetime) -> JSON:
    return {"lastUpdated": _instant(updated)}


def reference(kind: str, pk: Any, display: str = "") -> JSON:
    data: JSON = {"reference": f"{kind}/{pk}"}
    if display:
        data["display"] = display
    return data


def _put(data: JSON, key: str, value: Any) -> None:
    if value not in (None, "", [], {}):
        data[key] = value


def _telecom(phone: str, email: str, website: str = "") -> list[JSON]:
    return [
        {"system": kind, "value": value}
        for kind, value in (("phone", phone), ("email", email), ("url", website))
        if value
    ]


def _address(street: str, postal_code: str, city: str) -> list[JSON]:
    if not (street or postal_code or city):
        return []
    address: JSON = {"country": "PL"}
    _put(address, "line", [street] if street else [])
    _put(address, "postalCode", postal_code)
    _put(address, "city", city)
    return [address]


# --- the directory ---------------------------------------------------------------------------------------------


def organization(partner: Partner) -> JSON:
    data: JSON = {
        "resourceType": "Organization",
        "id": str(partner.pk),
        "meta": _meta(partner.updated_at),
        "active": True,
        "type": [concept(codes.PARTNER_TYPE, partner.type, PartnerType.choices)],
        "name": partner.name,
    }
    _put(
        data,
        "identifier",
        [
            {"system": identifier_system(name), "value": value}
            for name, value in (
                (codes.SID_REGON, partner.regon),
                (codes.SID_NIP, partner.nip),
                (codes.SID_KRS, partner.krs),
            )
            if value
        ],
    )
    _put(data, "alias", [partner.short_name] if partner.short_name else [])
    _put(data, "telecom", _telecom(partner.phone, partner.email, partner.website))
    _put(data, "address", _address(partner.street, partner.postal_code, partner.city))
    return checked(data)


def free_places(service: Service) -> JSON:
    """Places, taken, free and the waitlist, as the HSDS export's ``x_capacity`` gives them (api/hsds/)."""
    parts: list[JSON] = []
    if service.capacity is not None:
        parts.append({"url": "places", "valueUnsignedInt": service.capacity})
        parts.append({"url": "free", "valueUnsignedInt": service.free_places})
    parts.append({"url": "taken", "valueUnsignedInt": service.load})
    parts.append({"url": "waitlist", "valueBoolean": service.waitlist_enabled})
    return {"url": extension_url(codes.EXT_FREE_PLACES), "extension": parts}


def healthcare_service(service: Service) -> JSON:
    data: JSON = {
        "resourceType": "HealthcareService",
        "id": str(service.pk),
        "meta": _meta(service.updated_at),
        "extension": [free_places(service)],
        "active": service.is_active,
        "providedBy": reference("Organization", service.partner_id, service.partner.name),
        "category": [concept(codes.SERVICE_CATEGORY, service.category, PathStage.choices)],
        "name": service.name,
    }
    _put(data, "comment", service.description)
    _put(data, "eligibility", [{"comment": service.eligibility}] if service.eligibility else [])
    _put(data, "availabilityExceptions", service.schedule)
    if service.place or service.city:
        _put(
            data,
            "extraDetails",
            ", ".join(p for p in (service.place, f"{service.postal_code} {service.city}".strip()) if p),
        )
    return checked(data)


# --- referrals -------------------------------------------------------------------------------------------------


def _requester(referral: Referral) -> JSON | None:
    if referral.from_partner is not None:
        return reference("Organization", referral.from_partner.pk, referral.from_partner.name)
    coordinating = referral.network.coordinating_partner
    if coordinating is not None:
        return reference("Organization", coordinating.pk, coordinating.name)
    return None


def _categories_extension(categories: Iterable[str]) -> JSON:
    return {
        "url": extension_url(codes.EXT_DATA_CATEGORIES),
        "valueCodeableConcept": {
            "coding": [coding(codes.DATA_CATEGORY, c, DataCategory.choices) for c in categories],
        },
    }


def service_request(referral: Referral) -> JSON:
    extensions = [_categories_extension(referral.categories)]
    if referral.due_by is not None:
        extensions.append({"url": extension_url(codes.EXT_DUE_BY), "valueDateTime": _instant(referral.due_by)})
    data: JSON = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "meta": _meta(referral.updated_at),
        "extension": extensions,
        "status": codes.SERVICE_REQUEST_STATUS[referral.state],
        "intent": "order",
        "priority": codes.PRIORITY[referral.priority],
        "subject": reference("Patient", referral.person_id),
        "authoredOn": _instant(referral.created_at),
        "performer": [reference("Organization", referral.to_partner_id, referral.to_partner.name)],
        "reasonCode": [{"text": referral.reason}],
    }
    service = referral.service if referral.service_id is not None else None
    if service is not None:
        data["category"] = [concept(codes.SERVICE_CATEGORY, service.category, PathStage.choices)]
        data["code"] = {
            "coding": [coding(codes.SERVICE_CATEGORY, service.category, PathStage.choices)],
            "text": service.name,
        }
        data["performer"].append(reference("HealthcareService", service.pk, service.name))
    else:
        data["category"] = [concept(codes.PARTNER_TYPE, referral.to_partner.type, PartnerType.choices)]
    _put(data, "requester", _requester(referral))
    _put(data, "note", [{"text": referral.goal}] if referral.goal else [])
    if referral.redirected_from_id is not None:
        data["replaces"] = [reference("ServiceRequest", referral.redirected_from_id)]
    return checked(data)


def task(referral: Referral) -> JSON:
    status = codes.task_status(referral.state, referral.checked_in_at is not None)
    extensions: list[JSON] = []
    if p1 := codes.P1_BY_TASK_STATUS[status]:
        extensions.append(
            {
                "url": extension_url(codes.EXT_P1_STATUS),
                "valueCoding": {"system": codes.system(codes.P1_STATUS), "code": p1, "display": codes.P1_DISPLAY[p1]},
            }
        )
    if referral.waitlisted_at is not None:
        extensions.append(
            {"url": extension_url(codes.EXT_WAITLISTED), "valueDateTime": _instant(referral.waitlisted_at)}
        )
    data: JSON = {
        "resourceType": "Task",
        "id": str(referral.pk),
        "meta": _meta(referral.updated_at),
        "basedOn": [reference("ServiceRequest", referral.pk)],
        "status": status,
        "businessStatus": concept(codes.REFERRAL_STATE, referral.state, State.choices),
        "intent": "order",
        "priority": codes.PRIORITY[referral.priority],
        "code": {"coding": [{"system": codes.TASK_CODE, "code": "fulfill"}]},
        "focus": reference("ServiceRequest", referral.pk),
        "for": reference("Patient", referral.person_id),
        "authoredOn": _instant(referral.created_at),
        "lastModified": _instant(referral.updated_at),
        "owner": reference("Organization", referral.to_partner_id, referral.to_partner.name),
    }
    _put(data, "extension", extensions)
    _put(data, "requester", _requester(referral))
    if referral.due_by is not None and referral.state == State.SENT:
        data["restriction"] = {"period": {"end": _instant(referral.due_by)}}
    if referral.reason_code:
        reason = concept(codes.REASON, referral.reason_code, ReasonCode.choices)
        _put(reason, "text", referral.reason_note)
        reason["extension"] = [
            {
                "url": extension_url(codes.EXT_REASON_ORIGIN),
                "valueCoding": coding(codes.REASON_ORIGIN, referral.reason_origin, ReasonOrigin.choices),
            }
        ]
        data["statusReason"] = reason
    if referral.outcome_code:
        outcome = concept(codes.OUTCOME, referral.outcome_code, OutcomeCode.choices)
        _put(outcome, "text", referral.outcome_note)
        data["output"] = [{"type": {"text": "outcome"}, "valueCodeableConcept": outcome}]
    if referral.checked_in_at is not None:
        data["executionPeriod"] = {"start": _instant(referral.checked_in_at)}
        if referral.closed_at is not None:
            data["executionPeriod"]["end"] = _instant(referral.closed_at)
    return checked(data)


# --- people ----------------------------------------------------------------------------------------------------

_GENDER: dict[str, str] = {Sex.FEMALE: "female", Sex.MALE: "male", Sex.UNKNOWN: "unknown"}


def patient(person: Person) -> JSON:
    """The identity category only: the caller's access was checked for it."""
    data: JSON = {
        "resourceType": "Patient",
        "id": str(person.pk),
        "meta": _meta(person.updated_at),
        "active": person.anonymised_at is None,
        "gender": _GENDER.get(str(person.sex), "unknown"),
    }
    _put(data, "identifier", [{"system": codes.PESEL_SYSTEM, "value": person.pesel}] if person.pesel else [])
    name: JSON = {"use": "official"}
    _put(name, "family", person.last_name)
    _put(name, "given", [person.first_name] if person.first_name else [])
    if len(name) > 1:
        data["name"] = [name]
    if person.birth_date:
        data["birthDate"] = person.birth_date.isoformat()
    elif person.birth_year:
        data["birthDate"] = f"{person.birth_year:04d}"
    _put(data, "telecom", _telecom(person.phone, person.email))
    _put(data, "address", _address(person.street, person.postal_code, person.city))
    return checked(data)


def consent(item: Consent) -> JSON:
    ended: datetime.date | None = item.valid_until
    if item.withdrawn_at is not None:
        withdrawn = timezone.localdate(item.withdrawn_at)
        ended = min(ended, withdrawn) if ended else withdrawn
    period: JSON = {"start": item.valid_from.isoformat()}
    if ended is not None:
        period["end"] = max(ended, item.valid_from).isoformat()
    provision: JSON = {
        "type": "permit",
        "period": period,
        "code": [concept(codes.DATA_CATEGORY, c, DataCategory.choices) for c in item.categories],
    }
    _put(
        provision,
        "actor",
        [
            {
                "role": {
                    "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "code": "IRCP"}]
                },
                "reference": reference("Organization", partner.pk, partner.name),
            }
            for partner in item.partners.all()
        ],
    )
    data: JSON = {
        "resourceType": "Consent",
        "id": str(item.pk),
        "meta": _meta(item.updated_at),
        "status": "active" if item.is_live() else "inactive",
        "scope": {"coding": [{"system": codes.CONSENT_SCOPE, "code": "patient-privacy"}]},
        "category": [{"coding": [{"system": codes.CONSENT_CATEGORY, "code": "59284-0"}]}],
        "patient": reference("Patient", item.person_id),
        "dateTime": _instant(item.created_at),
        "policyRule": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "OPTIN"}],
            "text": item.purpose,
        },
        "provision": provision,
    }
    if item.partner_types:
        # Partners named by their type (every ŚDS, every OPS): no Organization to point to, so a coded extension.
        data["extension"] = [
            {
                "url": extension_url(codes.EXT_PARTNER_TYPES),
                "valueCodeableConcept": {
                    "coding": [coding(codes.PARTNER_TYPE, t, PartnerType.choices) for t in item.partner_types]
                },
            }
        ]
    if item.given_by == GivenBy.PERSON:
        data["performer"] = [reference("Patient", item.person_id)]
    return checked(data)


# --- envelopes -------------------------------------------------------------------------------------------------


def searchset(total: int, links: list[tuple[str, str]], entries: list[tuple[str, JSON]]) -> JSON:
    return checked(
        {
            "resourceType": "Bundle",
            "type": "searchset",
            "total": total,
            "link": [{"relation": relation, "url": url} for relation, url in links],
            "entry": [{"fullUrl": url, "resource": resource, "search": {"mode": "match"}} for url, resource in entries],
        }
    )


ISSUE_TYPE = {
    400: "invalid",
    401: "login",
    403: "forbidden",
    404: "not-found",
    405: "not-supported",
    406: "not-supported",
    409: "conflict",
    412: "conflict",
    415: "not-supported",
    422: "processing",
    429: "throttled",
}


def operation_outcome(status: int, code: str, message: str, expressions: Iterable[str] = ()) -> JSON:
    issue: JSON = {
        "severity": "error",
        "code": ISSUE_TYPE.get(status, "processing"),
        "details": {"coding": [{"system": codes.system(codes.ERROR_CODE), "code": code}], "text": message},
        "diagnostics": message,
    }
    _put(issue, "expression", list(expressions))
    return checked({"resourceType": "OperationOutcome", "issue": [issue]})
