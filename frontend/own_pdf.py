"""The person's data as a readable PDF: each section of the GDPR export (people.export) as headed blocks of
"column: value" lines, which read on a phone screen as well as on paper. Polish letters come from the DejaVu font
the yearly report embeds."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from people.export import Section
from people.models import Person
from reporting.exports import FONTS


def _shown(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    if isinstance(value, list | tuple):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown(v)}" for k, v in value.items())
    return str(value)


def record_pdf(person: Person, sections: list[tuple[str, Section]]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_title(str(_("My data")))
    pdf.set_creator("LSW")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(0, 8, str(_("My data")), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    prepared = formats.date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    heading = _("%(person)s — prepared on %(when)s") % {"person": person, "when": prepared}
    pdf.multi_cell(0, 5, heading, new_x="LMARGIN", new_y="NEXT")
    for _name, section in sections:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        if not section.rows:
            pdf.multi_cell(0, 5, str(_("Nothing here.")), new_x="LMARGIN", new_y="NEXT")
        for number, row in enumerate(section.rows, start=1):
            if not section.single:
                pdf.set_font("DejaVu", "B", 9)
                pdf.multi_cell(0, 5, f"{number}.", new_x="LMARGIN", new_y="NEXT")
                pdf.set_font("DejaVu", "", 9)
            for key, title in section.fields.items():
                pdf.multi_cell(0, 5, f"{title}: {_shown(row.get(key))}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
