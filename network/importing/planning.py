"""The plan of what an import will change: rows matched to existing partners (by REGON, else by name and postal
code) and services (the partner's service of that name), duplicates within the file found, and each new or
changed partner and service validated by its model, all before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from network.importing.columns import PARTNER_COLUMNS, SERVICE_COLUMNS, _choice_lookup
from network.importing.reading import _read_header, _Table
from network.importing.result import ImportIssue, ImportResult
from network.importing.rows import _clean_instance, _parse_row, _Row
from network.models import Network, NetworkMembership
from partners.choices import FundingSource, PartnerFunction, PartnerType, PathStage, Sector
from partners.models import Partner, Service

_IDENTIFIERS = ("regon", "nip", "krs")
# Where a Service's errors show: the waitlist column, and the places for the load-within-capacity check.
_SERVICE_FIELD_MAP = {"waitlist_enabled": "waitlist", NON_FIELD_ERRORS: "capacity"}
_PARTNER_DATA_FIELDS = [c.code for c in PARTNER_COLUMNS if c.code != "functions"]
_SERVICE_DATA_FIELDS = [c.code for c in SERVICE_COLUMNS if not c.code.startswith("partner_")]


def _name_key(name: str, postal_code: str) -> tuple[str, str]:
    return " ".join(name.split()).lower(), postal_code.strip()


def _changed(instance: models.Model | None, data: Mapping[str, Any]) -> bool:
    if instance is None:
        return True
    return any(getattr(instance, name) != value for name, value in data.items())


def _functions_may_be_empty() -> bool:
    # Follows the model: today a membership needs at least one function (NetworkMembership.functions).
    return bool(NetworkMembership._meta.get_field("functions").blank)


@dataclass
class _PartnerPlan:
    row: _Row
    data: dict[str, Any]
    functions: list[str] | None
    existing: Partner | None
    membership: NetworkMembership | None  # a membership that still counts; None means the partner joins
    changed: bool
    functions_changed: bool
    partner: Partner | None = None  # the saved partner, after writing


@dataclass
class _ServicePlan:
    row: _Row
    data: dict[str, Any]
    partner: Partner | None
    partner_plan: _PartnerPlan | None
    existing: Service | None
    changed: bool


class _Planner:
    def __init__(self, network: Network) -> None:
        self.network = network
        self.issues: list[ImportIssue] = []
        enums: tuple[type[models.TextChoices], ...] = (PartnerType, Sector, PartnerFunction, PathStage, FundingSource)
        self.choices: dict[type[models.TextChoices], dict[str, str]] = {e: _choice_lookup(e) for e in enums}
        today = timezone.localdate()
        self.memberships: dict[Any, NetworkMembership] = {
            m.partner_id: m
            for m in NetworkMembership.objects.filter(network=network).select_related("partner")
            if m.until is None or m.until >= today
        }
        self.partner_plans: list[_PartnerPlan] = []
        self.service_plans: list[_ServicePlan] = []

    # -- partners

    def plan_partners(self, table: _Table) -> None:
        header, data_rows = _read_header(table)
        rows = [_Row(table, header, number, cells, self.issues) for number, cells in data_rows]
        parsed = [(row, _parse_row(row, PARTNER_COLUMNS, self.choices)) for row in rows]
        by_regon, by_name = self._partner_candidates([values for _row, values in parsed])
        seen_partner: dict[Any, int] = {}
        seen_regon: dict[str, int] = {}
        seen_name: dict[tuple[str, str], tuple[int, bool]] = {}
        for row, values in parsed:
            regon = values.get("regon", "")
            name = values.get("name", "")
            key = _name_key(name, values.get("postal_code", ""))
            existing = self._match_partner(row, regon, key, by_regon, by_name) if name or regon else None
            earlier: int | None = None
            if existing is not None and existing.pk in seen_partner:
                earlier = seen_partner[existing.pk]
            elif regon and regon in seen_regon:
                earlier = seen_regon[regon]
            elif name and key in seen_name:
                earlier_row, earlier_had_regon = seen_name[key]
                # Two rows with one name and postal code but different REGONs are two institutions.
                if not (regon and earlier_had_regon):
                    earlier = earlier_row
            if earlier is not None:
                row.error("duplicate_row", _("The same partner is already in row %(row)s."), row=earlier)
            if regon:
                seen_regon.setdefault(regon, row.number)
            if name:
                seen_name.setdefault(key, (row.number, bool(regon)))
            if existing is not None:
                seen_partner.setdefault(existing.pk, row.number)
            self._plan_partner(row, values, existing)

    def _partner_candidates(
        self, rows: list[dict[str, Any]]
    ) -> tuple[dict[str, Partner], dict[tuple[str, str], list[Partner]]]:
        regons = {values["regon"] for values in rows if values.get("regon")}
        by_regon = {p.regon: p for p in Partner.objects.filter(regon__in=regons)} if regons else {}
        # Names are compared here rather than with SQL lower(), which leaves "Ś" alone under the C locale.
        wanted = {_name_key(values["name"], values.get("postal_code", "")) for values in rows if values.get("name")}
        by_name: dict[tuple[str, str], list[Partner]] = {}
        if wanted:
            for partner in Partner.objects.filter(postal_code__in={postal for _name, postal in wanted}):
                key = _name_key(partner.name, partner.postal_code)
                if key in wanted:
                    by_name.setdefault(key, []).append(partner)
        return by_regon, by_name

    def _match_partner(
        self,
        row: _Row,
        regon: str,
        key: tuple[str, str],
        by_regon: dict[str, Partner],
        by_name: dict[tuple[str, str], list[Partner]],
    ) -> Partner | None:
        if regon and regon in by_regon:
            return by_regon[regon]
        # A partner with another REGON is another institution, whatever its name.
        candidates = [p for p in by_name.get(key, []) if not regon or not p.regon]
        members = [p for p in candidates if p.pk in self.memberships]
        candidates = members or candidates
        if len(candidates) > 1:
            row.error(
                "ambiguous_partner",
                _("Several partners have this name and postal code; add the REGON to say which one."),
                "name",
            )
            return None
        return candidates[0] if candidates else None

    def _plan_partner(self, row: _Row, values: dict[str, Any], existing: Partner | None) -> None:
        data = {name: values[name] for name in _PARTNER_DATA_FIELDS if name in values}
        if existing is not None:
            # An empty cell never wipes out an identifier: it is how partners are found again.
            for name in _IDENTIFIERS:
                if data.get(name) == "":
                    del data[name]
        functions: list[str] | None = values.get("functions") if row.has("functions") else None
        instance = (
            Partner(**{name: getattr(existing, name) for name in _PARTNER_DATA_FIELDS}) if existing else Partner()
        )
        for name, value in data.items():
            setattr(instance, name, value)
        _clean_instance(row, instance, ["group", *row.failed_fields], {})
        membership = self.memberships.get(existing.pk) if existing is not None else None
        needs_function = (membership is None or functions is not None) and not functions
        if needs_function and "functions" not in row.failed_fields and not _functions_may_be_empty():
            row.error(
                "required",
                _("A partner of the network needs at least one function."),
                "functions" if row.has("functions") else None,
            )
        functions_changed = membership is None or (functions is not None and list(membership.functions) != functions)
        plan = _PartnerPlan(
            row=row,
            data=data,
            functions=functions,
            existing=existing,
            membership=membership,
            changed=_changed(existing, data),
            functions_changed=functions_changed,
        )
        self.partner_plans.append(plan)

    # -- services

    def plan_services(self, table: _Table) -> None:
        header, data_rows = _read_header(table)
        rows = [_Row(table, header, number, cells, self.issues) for number, cells in data_rows]
        parsed = [(row, _parse_row(row, SERVICE_COLUMNS, self.choices)) for row in rows]
        finder = self._partner_finder()
        targets = [(row, values, self._find_partner(row, values, finder)) for row, values in parsed]
        partner_ids = {partner.pk for _r, _v, (partner, _plan) in targets if partner is not None}
        existing_services: dict[tuple[Any, str], list[Service]] = {}
        for service in Service.objects.filter(partner_id__in=partner_ids):
            existing_services.setdefault((service.partner_id, _name_key(service.name, "")[0]), []).append(service)
        seen: dict[tuple[Any, str], int] = {}
        for row, values, (partner, partner_plan) in targets:
            name_key = _name_key(values.get("name", ""), "")[0]
            existing: Service | None = None
            if partner is None and partner_plan is None:
                self._plan_service(row, values, None, None, None)
                continue
            identity: Any = partner.pk if partner is not None else ("row", id(partner_plan))
            if name_key:
                if (identity, name_key) in seen:
                    row.error(
                        "duplicate_row",
                        _("The same service of this partner is already in row %(row)s."),
                        row=seen[(identity, name_key)],
                    )
                seen.setdefault((identity, name_key), row.number)
                matches = existing_services.get((identity, name_key), []) if partner is not None else []
                if len(matches) > 1:
                    row.error("ambiguous_service", _("The partner has several services with this name."), "name")
                elif matches:
                    existing = matches[0]
            self._plan_service(row, values, partner, partner_plan, existing)

    def _partner_finder(self) -> dict[str, dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]]]:
        by_regon: dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]] = {}
        by_name: dict[Any, list[tuple[Partner | None, _PartnerPlan | None]]] = {}
        # Partners of this file first: they may be new, or be joining the network now.
        for plan in self.partner_plans:
            target = (plan.existing, plan)
            old = plan.existing
            # A partner renamed by this file is found by its new name and by its old one.
            regons = {plan.data.get("regon") or "", old.regon if old else ""} - {""}
            names = {_name_key(plan.data.get("name", ""), plan.data.get("postal_code", old.postal_code if old else ""))}
            if old is not None:
                names.add(_name_key(old.name, old.postal_code))
            for regon in regons:
                by_regon.setdefault(regon, []).append(target)
            for key in names:
                by_name.setdefault(key, []).append(target)
        in_file = {plan.existing.pk for plan in self.partner_plans if plan.existing is not None}
        for membership in self.memberships.values():
            partner = membership.partner
            if partner.pk in in_file or membership.since > timezone.localdate():
                continue
            if partner.regon:
                by_regon.setdefault(partner.regon, []).append((partner, None))
            by_name.setdefault(_name_key(partner.name, partner.postal_code), []).append((partner, None))
        return {"regon": by_regon, "name": by_name}

    def _find_partner(
        self, row: _Row, values: dict[str, Any], finder: dict[str, dict[Any, list[Any]]]
    ) -> tuple[Partner | None, _PartnerPlan | None]:
        regon = values.get("partner_regon", "")
        name = values.get("partner_name", "")
        if regon:
            found = finder["regon"].get(regon, [])
            column, message = (
                "partner_regon",
                _("No partner of this network has this REGON."),
            )
        elif name:
            found = finder["name"].get(_name_key(name, values.get("partner_postal_code", "")), [])
            column, message = (
                "partner_name",
                _("No partner of this network has this name and postal code."),
            )
        else:
            column = "partner_regon" if row.has("partner_regon") else "partner_name"
            row.error("required", _("Give the partner's REGON, or its name and postal code."), column)
            return None, None
        if not found:
            row.error("partner_not_found", message, column)
            return None, None
        if len(found) > 1:
            row.error(
                "ambiguous_partner",
                _("Several partners have this name and postal code; add the REGON to say which one."),
                column,
            )
            return None, None
        partner, plan = found[0]
        return partner, plan

    def _plan_service(
        self,
        row: _Row,
        values: dict[str, Any],
        partner: Partner | None,
        partner_plan: _PartnerPlan | None,
        existing: Service | None,
    ) -> None:
        data = {name: values[name] for name in _SERVICE_DATA_FIELDS if name in values}
        if "waitlist" in data:
            waitlist = data.pop("waitlist")
            if waitlist is not None:
                data["waitlist_enabled"] = waitlist
        names = [f for f in _SERVICE_DATA_FIELDS if f != "waitlist"] + ["waitlist_enabled"]
        instance = Service(**{name: getattr(existing, name) for name in names}) if existing else Service()
        for name, value in data.items():
            setattr(instance, name, value)
        exclude = ["partner", *row.failed_fields]
        if "waitlist" in row.failed_fields:
            exclude.append("waitlist_enabled")
        _clean_instance(row, instance, exclude, _SERVICE_FIELD_MAP)
        capacity = data.get("capacity")
        if existing is not None and capacity is not None and capacity < existing.load:
            row.error(
                "below_load",
                _("%(load)s places are already taken; the number of places cannot be lower."),
                "capacity",
                load=existing.load,
            )
        self.service_plans.append(
            _ServicePlan(
                row=row,
                data=data,
                partner=partner,
                partner_plan=partner_plan,
                existing=existing,
                changed=_changed(existing, data),
            )
        )

    def count(self, result: ImportResult) -> None:
        for plan in self.partner_plans:
            if plan.existing is None:
                result.partners_created += 1
            elif plan.membership is None:
                result.memberships_added += 1
                result.partners_updated += plan.changed
            elif plan.changed or plan.functions_changed:
                result.partners_updated += 1
            else:
                result.partners_unchanged += 1
        for service_plan in self.service_plans:
            if service_plan.existing is None:
                result.services_created += 1
            elif service_plan.changed:
                result.services_updated += 1
            else:
                result.services_unchanged += 1
