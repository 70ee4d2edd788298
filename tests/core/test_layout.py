"""The house stays readable: no module of ours over 800 lines, every app where docs/architecture.md puts it."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
OURS = [
    "core",
    "notifications",
    "partners",
    "network",
    "people",
    "referrals",
    "employment",
    "reporting",
    "webhooks",
    "demo",
]
LIMIT = 800


def test_no_module_of_ours_outside_migrations_and_tests_is_over_800_lines() -> None:
    long = {}
    for package in [*OURS, "api", "frontend", "config"]:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text(encoding="utf-8").splitlines())
            if lines > LIMIT:
                long[str(path.relative_to(ROOT))] = lines
    assert long == {}, f"split these by what they do (CONVENTIONS, Layout and layers): {long}"


def test_the_domain_apps_are_installed_lowest_layer_first() -> None:
    installed = [config.name for config in apps.get_app_configs() if config.name in OURS]
    assert installed == OURS


def test_the_moved_models_keep_their_tables() -> None:
    tables = {model._meta.label: model._meta.db_table for model in apps.get_models()}
    assert tables["people.Person"] == "network_person"
    assert tables["people.AccessLog"] == "network_accesslog"
    assert tables["employment.JobPlacement"] == "partners_jobplacement"
    assert tables["employment.PlacementApplication"] == "referrals_placementapplication"
    # Every other model of ours sits in a table named after its app.
    for label, table in tables.items():
        app = label.split(".")[0]
        if app in OURS and app not in ("people", "employment"):
            assert table.startswith(f"{app}_"), (label, table)
