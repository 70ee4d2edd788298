"""Writes over FHIR: a Task's status moved by PUT or JSON Patch, and a ServiceRequest posted by a partner's system.

Each reads the resource the client sent and calls the same service the REST API and the pages call
(``referrals.services``): the service decides who may do what and which move is legal, and its refusal becomes
an OperationOutcome (``api.fhir.base.exception_handler``).
"""

from __future__ import annotations

import copy
import datetime
import uuid
from typing import Any

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from fhir.resources.R4B.servicerequest import ServiceRequest
from fhir.resources.R4B.task import Task
from pydantic import ValidationError as ModelError

from api.fhir import codes
from api.fhir.base import BadResource, Unprocessable, model_error
from core.errors import Conflict, IllegalTransition
from network.access import get_partner_for, get_service_for
from partners.models import Partner, Service, User
from people.access import get_person_for
from people.models import DataCategory
from referrals import services
from referrals.choices import Priority, ReasonOrigin
from referrals.models import Referral

JSON = dict[str, Any]

# --- Task status -----------------------------------------------------------------------------------------------

# Task.status asked for -> the transition service that gets there (its own rules decide whether it may).
MOVES = {
    "requested": "send",
    "received": "check_in",
    "accepted": "accept",
    "in-progress": "start",
    "completed": "complete",
    "rejected": "decline",
    "cancelled": "withdraw",
    "failed": "discontinue",
}
PATCHABLE = ("status", "statusReason", "output")


def _extension(element: Any, name: str) -> Any:
    if not isinstance(element, dict):
        return None
    for item in element.get("extension") or []:
        if isinstance(item, dict) and item.get("url") == codes.extension_url(name):
            return item
    return None


def _reason(task: JSON) -> tuple[str, str, str]:
    """The coded reason, where it came from (the institution unless said), and its note."""
    status_reason = task.get("statusReason")
    code = codes.code_from(status_reason, codes.REASON) or ""
    origin = ReasonOrigin.PARTNER.value
    if (ext := _extension(status_reason, codes.EXT_REASON_ORIGIN)) is not None:
        value = ext.get("valueCoding") or {}
        origin = str(value.get("code") or ext.get("valueCode") or origin)
    note = str(status_reason.get("text") or "") if isinstance(status_reason, dict) else ""
    return code, origin, note[:500]


def _outcome(task: JSON) -> tuple[str, str]:
    for output in task.get("output") or []:
        value = output.get("valueCodeableConcept") if isinstance(output, dict) else None
        if isinstance(value, dict) and (code := codes.code_from(value, codes.OUTCOME)) is not None:
            return code, str(value.get("text") or "")[:500]
    return "", ""


def validated_task(document: Any) -> JSON:
    if not isinstance(document, dict) or document.get("resourceType") != "Task":
        raise BadResource(_("The body must be a FHIR Task."), ["Task"])
    try:
        Task.model_validate(document)
    except ModelError as exc:
        raise model_error(exc, "Task") from None
    if document.get("status") not in codes.ALL_TASK_STATUSES:
        raise BadResource(_("%(status)s is not a Task status.") % {"status": document.get("status")}, ["Task.status"])
    return document


def task_move(*, actor: User, referral: Referral, task: JSON) -> Referral:
    """Move the referral to the Task status asked for. The same status again changes nothing."""
    target = task["status"]
    current = codes.task_status(referral.state, referral.checked_in_at is not None)
    if target == current:
        return referral
    move = MOVES.get(target)
    if move is None:
        raise IllegalTransition(
            _("A referral's Task cannot move to %(status)s: use one of %(allowed)s.")
            % {"status": target, "allowed": ", ".join(MOVES)}
        )
    reason_code, reason_origin, note = _reason(task)
    outcome_code, outcome_note = _outcome(task)
    if move == "send":
        return services.referral_send(actor=actor, referral=referral)
    if move == "check_in":
        return services.referral_check_in(actor=actor, referral=referral, note=note)
    if move == "accept":
        return services.referral_accept(actor=actor, referral=referral)
    if move == "start":
        return services.referral_start(actor=actor, referral=referral)
    if move == "complete":
        return services.referral_complete(actor=actor, referral=referral, outcome_code=outcome_code, note=outcome_note)
    if move == "decline":
        return services.referral_decline(
            actor=actor, referral=referral, reason_code=reason_code, reason_origin=reason_origin, note=note
        )
    if move == "withdraw":
        return services.referral_withdraw(
            actor=actor, referral=referral, reason_code=reason_code, reason_origin=reason_origin, note=note
        )
    return services.referral_discontinue(
        actor=actor,
        referral=referral,
        reason_code=reason_code,
        outcome_code=outcome_code,
        reason_origin=reason_origin,
        note=note or outcome_note,
    )


# --- JSON Patch (RFC 6902) on a Task ---------------------------------------------------------------------------


def _pointer(path: Any) -> list[str]:
    if not isinstance(path, str) or not path.startswith("/"):
        raise BadResource(_("A JSON Patch path must start with /."), ["Task"])
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _parent(document: Any, parts: list[str], path: str) -> tuple[Any, str]:
    node = document
    for part in parts[:-1]:
        node = _child(node, part, path)
    return node, parts[-1]


def _child(node: Any, part: str, path: str) -> Any:
    try:
        if isinstance(node, list):
            return node[int(part)]
        if isinstance(node, dict):
            return node[part]
    except (ValueError, IndexError, KeyError):
        pass
    raise Unprocessable(_("The path %(path)s does not exist in the Task.") % {"path": path}, "patch_path", [path])


def _index(node: list[Any], key: str, path: str, *, adding: bool) -> int:
    if adding and key == "-":
        return len(node)
    try:
        index = int(key)
    except ValueError:
        index = -1
    if not 0 <= index < len(node) + (1 if adding else 0):
        raise Unprocessable(_("The path %(path)s does not exist in the Task.") % {"path": path}, "patch_path", [path])
    return index


def apply_patch(document: JSON, operations: Any) -> JSON:
    """add, remove, replace and test; changes only under /status, /statusReason and /output."""
    if not isinstance(operations, list) or not all(isinstance(op, dict) for op in operations):
        raise BadResource(_("A JSON Patch is a list of operations."), ["Task"])
    result = copy.deepcopy(document)
    for operation in operations:
        op, path = operation.get("op"), operation.get("path")
        parts = _pointer(path)
        if op == "test":
            node = result
            for part in parts:
                node = _child(node, part, str(path))
            if node != operation.get("value"):
                raise Conflict(
                    _("The Task changed: %(path)s is no longer what the patch expects.") % {"path": path},
                    code="patch_test_failed",
                )
            continue
        if op not in ("add", "remove", "replace"):
            raise Unprocessable(
                _("The JSON Patch operation %(op)s is not supported: use add, remove, replace or test.") % {"op": op},
                "patch_operation",
            )
        if parts[0] not in PATCHABLE:
            raise Unprocessable(
                _("Only /status, /statusReason and /output of a Task can be changed."), "patch_not_allowed", [str(path)]
            )
        if op != "remove" and "value" not in operation:
            raise BadResource(_("The JSON Patch operation %(op)s needs a value.") % {"op": op}, ["Task"])
        parent, key = _parent(result, parts, str(path))
        value = copy.deepcopy(operation.get("value"))
        if isinstance(parent, list):
            index = _index(parent, key, str(path), adding=op == "add")
            if op == "add":
                parent.insert(index, value)
            elif op == "remove":
                parent.pop(index)
            else:
                parent[index] = value
        elif isinstance(parent, dict):
            if op != "add" and key not in parent:
                raise Unprocessable(
                    _("The path %(path)s does not exist in the Task.") % {"path": path}, "patch_path", [str(path)]
                )
            if op == "remove":
                del parent[key]
            else:
                parent[key] = value
        else:
            raise Unprocessable(
                _("The path %(path)s does not exist in the Task.") % {"path": path}, "patch_path", [str(path)]
            )
    return result


# --- a ServiceRequest from a partner's system ------------------------------------------------------------------


def _reference_id(value: Any, kind: str, where: str) -> uuid.UUID:
    raw = value.get("reference") if isinstance(value, dict) else None
    if not isinstance(raw, str) or raw.rsplit("/", 2)[-2:-1] != [kind]:
        raise Unprocessable(
            _("%(where)s must be a reference to a %(kind)s.") % {"where": where, "kind": kind},
            "invalid_reference",
            [where],
        )
    try:
        return uuid.UUID(raw.rsplit("/", 1)[-1])
    except ValueError:
        raise Unprocessable(
            _("%(where)s names no %(kind)s we know.") % {"where": where, "kind": kind}, "unknown_reference", [where]
        ) from None


def _found(lookup: Any, user: User, pk: uuid.UUID, kind: str, where: str) -> Any:
    try:
        return lookup(user, pk)
    except Http404:
        # Missing and not-yours alike: the reference is simply unknown to the caller.
        raise Unprocessable(
            _("%(where)s names no %(kind)s you may refer to.") % {"where": where, "kind": kind},
            "unknown_reference",
            [where],
        ) from None


def _categories(body: JSON) -> list[str]:
    ext = _extension(body, codes.EXT_DATA_CATEGORIES)
    if ext is None:
        return [DataCategory.IDENTITY.value]
    found = [item.get("code") for item in (ext.get("valueCodeableConcept") or {}).get("coding") or []]
    if (single := ext.get("valueCoding")) is not None:
        found.append(single.get("code"))
    categories = [str(code) for code in found if code]
    if not categories:
        raise Unprocessable(
            _("The data-categories extension names no category."), "invalid", ["ServiceRequest.extension"]
        )
    return categories


def _due_by(body: JSON) -> datetime.datetime | None:
    ext = _extension(body, codes.EXT_DUE_BY)
    if ext is None or not ext.get("valueDateTime"):
        return None
    try:
        moment = datetime.datetime.fromisoformat(str(ext["valueDateTime"]).replace("Z", "+00:00"))
    except ValueError:
        raise BadResource(
            _("The answer-due-by extension must hold a date and time."), ["ServiceRequest.extension"]
        ) from None
    if moment.tzinfo is None:
        raise BadResource(_("The answer-due-by date and time must give its time zone."), ["ServiceRequest.extension"])
    return moment


def _texts(items: Any, *, codings: bool = False) -> str:
    texts = []
    for item in items or []:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        if not text and codings:
            text = next((c.get("display") for c in item.get("coding") or [] if c.get("display")), None)
        if text:
            texts.append(str(text).strip())
    return "\n".join(texts)


def create_referral(*, actor: User, body: Any) -> Referral:
    """A draft referral from the caller's partner (``status`` draft), or created and sent at once (``active``),
    through ``referral_create`` and ``referral_send``: the consent gate on send applies. One transaction: a
    refused send leaves no draft behind."""
    if not isinstance(body, dict) or body.get("resourceType") != "ServiceRequest":
        raise BadResource(_("The body must be a FHIR ServiceRequest."), ["ServiceRequest"])
    try:
        ServiceRequest.model_validate(body)
    except ModelError as exc:
        raise model_error(exc, "ServiceRequest") from None
    status = body.get("status")
    if status not in ("draft", "active"):
        raise Unprocessable(
            _("A new ServiceRequest must be draft (a draft referral) or active (sent at once)."),
            "invalid",
            ["ServiceRequest.status"],
        )
    person = _found(
        get_person_for,
        actor,
        _reference_id(body.get("subject"), "Patient", "ServiceRequest.subject"),
        "Patient",
        "ServiceRequest.subject",
    ).person
    partner: Partner | None = None
    service: Service | None = None
    for item in body.get("performer") or []:
        kind = str(item.get("reference", "")).rsplit("/", 2)[-2:-1]
        if kind == ["Organization"] and partner is None:
            partner = _found(
                get_partner_for,
                actor,
                _reference_id(item, "Organization", "ServiceRequest.performer"),
                "Organization",
                "ServiceRequest.performer",
            )
        elif kind == ["HealthcareService"] and service is None:
            service = _found(
                get_service_for,
                actor,
                _reference_id(item, "HealthcareService", "ServiceRequest.performer"),
                "HealthcareService",
                "ServiceRequest.performer",
            )
        else:
            raise Unprocessable(
                _("A performer must be one Organization and at most one of its HealthcareServices."),
                "invalid_reference",
                ["ServiceRequest.performer"],
            )
    if partner is None and service is not None:
        partner = service.partner
    if partner is None:
        raise Unprocessable(
            _("Name the receiving institution as the performer (an Organization)."),
            "invalid",
            ["ServiceRequest.performer"],
        )
    from_partner = None
    if body.get("requester") is not None:
        from_partner = _found(
            get_partner_for,
            actor,
            _reference_id(body["requester"], "Organization", "ServiceRequest.requester"),
            "Organization",
            "ServiceRequest.requester",
        )
    priority = codes.PRIORITY_BACK.get(body.get("priority") or "routine", Priority.NORMAL)
    with transaction.atomic():
        referral = services.referral_create(
            actor=actor,
            person=person,
            to_partner=partner,
            service=service,
            from_partner=from_partner,
            reason=_texts(body.get("reasonCode"), codings=True),
            goal=_texts(body.get("note")),
            categories=_categories(body),
            priority=priority,
            due_by=_due_by(body),
        )
        if status == "active":
            referral = services.referral_send(actor=actor, referral=referral)
    return referral
