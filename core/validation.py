"""The one check of a coded reason and outcome, used by every state machine (referrals, placement applications).

A refusal names each wrong field with its own message, all at once, as a ``ValidationError`` by field: the API
answers it as 400 by field and the pages show it on the form (``core.errors.describe``).
"""

from __future__ import annotations

from collections.abc import Collection

from django.core.exceptions import ValidationError
from django.utils.functional import Promise


def require_codes(**fields: tuple[str, Collection[str], str | Promise]) -> None:
    """``field=(value, allowed codes, message)``: every value must be one of its allowed codes."""
    errors = {name: [str(message)] for name, (value, allowed, message) in fields.items() if value not in allowed}
    if errors:
        raise ValidationError(errors)
