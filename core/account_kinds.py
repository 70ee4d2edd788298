"""Two kinds of account that never mix: staff (everyone who works in the network) and person accounts (a person
supported, or their legal guardian, reading their own record).

A person account reaches only its own pages (``/moje/``), its own API (``/api/v1/me/person/``) and what signing
in needs (sign-in and sign-out, the token door, the second factor, the password, the session's keep-alive, the
language); every other address answers 404 to it, as if it did not exist. This module is the one place that says
so: the page middleware (``accounts.middleware.AccountKindMiddleware``), the API's token authentication
(``accounts.tokens``) and the websocket stack (``accounts.sockets``) all ask ``may_reach``. A staff account gets
404 on the person pages from their access function (``people.own``), which finds no record of its own.
"""

from __future__ import annotations

from typing import Any

# The person's own pages and API.
PERSON_HOME = "/moje/"
PERSON_API = "/api/v1/me/person/"

# Everything a person account may reach: its own pages and API, and what signing in and out needs.
PERSON_ACCOUNT_PREFIXES = (
    PERSON_HOME,
    PERSON_API,
    "/api/v1/auth/",
    "/login/",
    "/logout/",
    "/password-reset/",
    "/account/second-factor/",
    "/account/password/",
    "/account/session/",
    "/passkeys/",
    "/i18n/",
    "/deklaracja-dostepnosci/",  # the accessibility statement, linked from every page's footer (issue 16)
    "/static/",
    "/healthz",
)


def is_person_account(user: Any) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False) and user.is_person_account)


def may_reach(user: Any, path: str) -> bool:
    """Whether ``user`` may reach ``path`` at all (before any access function asks about an object)."""
    if not is_person_account(user):
        return True
    return path.startswith(PERSON_ACCOUNT_PREFIXES)
