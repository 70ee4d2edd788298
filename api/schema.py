"""Additions to the generated OpenAPI schema (drf-spectacular ``POSTPROCESSING_HOOKS``)."""

from __future__ import annotations

from typing import Any

PAGE_NOT_FOUND = {
    "description": "The page asked for does not exist (beyond the last one).",
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
                "required": ["detail", "code"],
            }
        }
    },
}


def declare_pagination(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """Every paginated list: ``page`` and ``page_size`` start at 1 (``page_size`` is capped at 200 by the
    paginator), and a page past the last answers 404, which the schema now says (found by
    tests/api/test_fuzz_schemathesis.py)."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            parameters = {p.get("name"): p for p in operation.get("parameters", []) if p.get("in") == "query"}
            if "page" not in parameters:
                continue
            parameters["page"].setdefault("schema", {"type": "integer"})["minimum"] = 1
            if "page_size" in parameters:
                parameters["page_size"].setdefault("schema", {"type": "integer"})["minimum"] = 1
            operation.setdefault("responses", {}).setdefault("404", PAGE_NOT_FOUND)
    return result
