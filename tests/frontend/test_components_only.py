"""Issue 16: no template writes its own badge, table or error-summary markup; they come from the design system's
tags (frontend/templatetags/ui.py), so a state has one colour everywhere and every table stacks on a phone.

Files that are not pages are left out: the components themselves, and documents made for paper or e-mail (a
printed export is read on paper, where a table needs no stacking)."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [ROOT / "frontend" / "templates", ROOT / "notifications" / "templates", ROOT / "partners" / "templates"]
# The design system's own partials, and paper documents.
NOT_PAGES = {"components", "people/export_print.html"}

HAND_WRITTEN = {
    "table": re.compile(r"<table\b", re.IGNORECASE),
    "badge": re.compile(r"""class\s*=\s*["'][^"']*\bbadge\b""", re.IGNORECASE),
    "error summary": re.compile(r"""error-summary|govuk-error-summary""", re.IGNORECASE),
}


def page_templates() -> list[Path]:
    found = []
    for directory in TEMPLATE_DIRS:
        for path in directory.rglob("*.html"):
            relative = path.relative_to(directory).as_posix()
            if relative.split("/", 1)[0] in NOT_PAGES or relative in NOT_PAGES:
                continue
            found.append(path)
    return sorted(found)


def test_no_template_writes_its_own_badge_table_or_error_summary() -> None:
    templates = page_templates()
    assert len(templates) > 80, len(templates)
    offenders = [
        f"{path.relative_to(ROOT)}: {kind}"
        for path in templates
        for kind, pattern in HAND_WRITTEN.items()
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, "use {% badge %}, {% table %} or {% error_summary %} instead:\n" + "\n".join(offenders)


def test_the_check_sees_each_kind_of_hand_written_markup() -> None:
    assert HAND_WRITTEN["table"].search('<table class="x">')
    assert HAND_WRITTEN["badge"].search('<span class="state badge-x badge">')
    assert not HAND_WRITTEN["badge"].search('<span class="badges-list">')
    assert HAND_WRITTEN["error summary"].search('<div class="error-summary">')


def test_badges_are_styled_only_by_the_components_modifiers() -> None:
    # The badge component writes ``badge badge--<tone or state>``; a compound selector such as ``.badge.ok`` styles
    # markup nothing writes any more (issue 16): the stylesheet keeps only the component's own rules.
    css = (ROOT / "frontend" / "static" / "frontend" / "app.css").read_text(encoding="utf-8")
    compound = re.findall(r"\.badge\.[A-Za-z][\w-]*", css)
    assert not compound, compound
