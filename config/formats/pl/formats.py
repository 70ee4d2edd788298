"""Dates as Polish offices write them on forms and in reports: DD.MM.RRRR (and HH:MM after a date), everywhere a
template or an export prints a date without naming a format. Numbers keep Django's Polish defaults."""

DATE_FORMAT = "d.m.Y"
DATETIME_FORMAT = "d.m.Y H:i"
SHORT_DATE_FORMAT = "d.m.Y"
SHORT_DATETIME_FORMAT = "d.m.Y H:i"
