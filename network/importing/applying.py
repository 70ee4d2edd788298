"""The entry point: check the whole file, then apply the plan in one transaction through the services, rolling
all of it back at the first row they refuse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError, PermissionDenied
from core.scope import scope_for
from network.importing.columns import ImportKind
from network.importing.planning import _SERVICE_FIELD_MAP, _Planner
from network.importing.reading import _read_bytes, _read_tables
from network.importing.result import ImportResult, _refuse, _Refused
from network.importing.rows import _Row
from network.models import Network
from partners.models import User


def _write(actor: User, network: Network, planner: _Planner) -> None:
    """Create and update through the services. Raises _RowFailed with the row that a service refused."""
    from network.directory import partner_create, partner_update, service_create, service_update
    from network.services import membership_add, membership_update

    for plan in planner.partner_plans:
        with _row_errors(plan.row):
            if plan.existing is None:
                plan.partner = partner_create(
                    actor=actor, data=plan.data, network=network, functions=plan.functions or []
                )
                continue
            partner = plan.existing
            if plan.membership is None:
                membership_add(actor=actor, network=network, partner=partner, functions=plan.functions or [])
            elif plan.functions_changed and plan.functions is not None:
                membership_update(actor=actor, membership=plan.membership, data={"functions": plan.functions})
            if plan.changed:
                partner = partner_update(actor=actor, partner=partner, data=plan.data)
            plan.partner = partner
    for service_plan in planner.service_plans:
        with _row_errors(service_plan.row):
            owner = service_plan.partner_plan.partner if service_plan.partner_plan else service_plan.partner
            assert owner is not None
            if service_plan.existing is None:
                service_create(actor=actor, partner=owner, data=service_plan.data)
            elif service_plan.changed:
                service_update(actor=actor, service=service_plan.existing, data=service_plan.data)


class _RowFailed(Exception):
    pass


@contextmanager
def _row_errors(row: _Row) -> Iterator[None]:
    """Turn a service's refusal into the row's errors, then stop the import (and roll it back)."""
    try:
        yield
    except ValidationError as exc:
        row.validation_error(exc, _SERVICE_FIELD_MAP)
        raise _RowFailed from exc
    except DomainError as exc:
        row.error(exc.code, exc.message)
        raise _RowFailed from exc
    except IntegrityError as exc:
        # Someone else saved the same partner or service a moment ago.
        row.error("conflict", _("This row clashes with data saved in the meantime; send the file again."))
        raise _RowFailed from exc


def import_file(
    *,
    actor: User,
    network: Network,
    upload: bytes | IO[bytes] | Any,
    kind: ImportKind | str = ImportKind.PARTNERS,
    dry_run: bool = False,
) -> ImportResult:
    """Check the whole file, then (unless ``dry_run`` or any error) import it in one transaction.

    Raises PermissionDenied unless the actor coordinates the network. Everything else wrong with the file or
    its rows comes back in ``ImportResult.errors``.
    """
    if not scope_for(actor).coordinates(network.pk):
        raise PermissionDenied
    kind = ImportKind(kind)
    result = ImportResult(dry_run=dry_run)
    planner = _Planner(network)
    try:
        tables = _read_tables(_read_bytes(upload), kind)
        if len(tables) > 1:
            # A workbook made from the two-sheet template may leave one sheet blank.
            tables = [table for table in tables if table.rows] or tables
        for table in tables:
            if table.kind == ImportKind.PARTNERS:
                planner.plan_partners(table)
            else:
                planner.plan_services(table)
        if not planner.issues and not planner.partner_plans and not planner.service_plans:
            raise _refuse("no_rows", _("The file has a header but no rows to import."))
    except _Refused as refused:
        result.errors = [*planner.issues, refused.issue]
        return result
    if planner.issues:
        result.errors = list(planner.issues)
        return result
    planner.count(result)
    if dry_run:
        return result
    try:
        with transaction.atomic():
            _write(actor, network, planner)
    except _RowFailed:
        return ImportResult(errors=list(planner.issues))
    return result
