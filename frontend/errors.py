"""How a page shows a refusal from a service: the same answer the API gives (``core.errors.describe``).

``on_form`` puts it on the form (by field where the form has that field, else at the top of the form);
``as_messages`` puts it in the messages shown above the page and returns the HTTP status the API would answer.
"""

from __future__ import annotations

from django.contrib import messages
from django.forms import BaseForm
from django.http import HttpRequest

from core.errors import describe


def on_form(form: BaseForm, exc: Exception) -> None:
    """Show a service's refusal on the form; anything that is not a refusal is a bug and is raised again."""
    answer = describe(exc)
    if answer is None or answer.status in (403, 404):
        raise exc
    if answer.fields:
        for name, errors in answer.fields.items():
            field = name if name in form.fields else None
            for message, _code in errors:
                form.add_error(field, message)
    else:
        form.add_error(None, answer.message)


def as_messages(request: HttpRequest, exc: Exception) -> int:
    """Show a service's refusal as page messages; returns its status (400 or 409). 403 and 404 are raised again."""
    answer = describe(exc)
    if answer is None or answer.status in (403, 404):
        raise exc
    if answer.fields:
        for errors in answer.fields.values():
            for message, _code in errors:
                messages.error(request, message)
    else:
        messages.error(request, answer.message)
    return answer.status
