"""The query parameters of the HSDS paths, and the 400 a bad one gets (``{"detail", "code"}``, like api.errors)."""

from __future__ import annotations

import datetime
import re
import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from rest_framework import exceptions, status

from api.hsds.mapping import PATH_STAGES, TERM_BY_ID

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


class InvalidParameter(exceptions.APIException):
    """400 with the ``{"detail", "code"}`` body of api.errors (a ValidationError would give a field dict)."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid_parameter"


_WHOLE_NUMBER = re.compile(r"[0-9]{1,9}")


def _whole_number(params: Any, name: str, default: int, *, maximum: int, message: str, code: str) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        return default
    if not _WHOLE_NUMBER.fullmatch(raw) or not 1 <= int(raw) <= maximum:
        raise InvalidParameter(message, code=code)
    return int(raw)


@dataclass(frozen=True)
class PageRequest:
    number: int
    size: int

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


def page_request(params: Any) -> PageRequest:
    number = _whole_number(
        params, "page", 1, maximum=10**9 - 1, message=_("page must be a whole number, 1 or more."), code="invalid_page"
    )
    size = _whole_number(
        params,
        "per_page",
        DEFAULT_PER_PAGE,
        maximum=MAX_PER_PAGE,
        message=_("per_page must be a whole number from 1 to %(max)d.") % {"max": MAX_PER_PAGE},
        code="invalid_per_page",
    )
    return PageRequest(number, size)


def bool_param(params: Any, name: str) -> bool:
    raw = (params.get(name) or "").lower()
    if raw in ("", "false", "0"):
        return False
    if raw in ("true", "1"):
        return True
    raise InvalidParameter(_("%(parameter)s must be true or false.") % {"parameter": name}, code="invalid_boolean")


def uuid_param(params: Any, name: str) -> str | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise InvalidParameter(_("%(parameter)s must be a UUID.") % {"parameter": name}, code="invalid_uuid") from None


def modified_after_param(params: Any) -> datetime.datetime | None:
    raw = params.get("modified_after")
    if raw is None or raw == "":
        return None
    try:
        moment = parse_datetime(raw)
        if moment is None and (day := parse_date(raw)) is not None:
            moment = datetime.datetime.combine(day, datetime.time.min)
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidParameter(
            _("modified_after must be an ISO 8601 date or date and time, e.g. 2025-01-31T12:00:00+01:00."),
            code="invalid_modified_after",
        )
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def search_q(params: Any, *fields: str) -> Q:
    text = (params.get("search") or "").strip()
    query = Q()
    if text:
        for field in fields:
            query |= Q(**{f"{field}__icontains": text})
    return query


def service_filters(params: Any) -> Q:
    """search, organization_id, modified_after, taxonomy_id, taxonomy_term_id — shared by services and their
    service_at_locations. Services carry only path-stage terms, so a partner-type term finds none."""
    query = search_q(params, "name", "description")
    if (organization_id := uuid_param(params, "organization_id")) is not None:
        query &= Q(partner_id=organization_id)
    if (moment := modified_after_param(params)) is not None:
        query &= Q(updated_at__gte=moment) | Q(partner__updated_at__gte=moment)
    if (taxonomy_id := uuid_param(params, "taxonomy_id")) is not None and taxonomy_id != PATH_STAGES.id:
        query &= Q(pk__in=[])
    if (term_id := uuid_param(params, "taxonomy_term_id")) is not None:
        taxonomy, code = TERM_BY_ID.get(term_id, (None, ""))
        query &= Q(category=code) if taxonomy is PATH_STAGES else Q(pk__in=[])
    return query
