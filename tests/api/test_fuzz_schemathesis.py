"""Issue 14, item 8: a bounded Schemathesis run over the whole OpenAPI schema, in-process against the Django app
and the test database, as a coordinator and as a partner's staff member.

No operation may answer 5xx, no response may break the schema (its body for the declared status and media type,
and a status code the schema declares). The schema is the one drf-spectacular generates, the same that
``/api/v1/schema/`` serves. The run is bounded for CI (``make test``): a few derandomised examples per operation
(the same ones every run, so a failure is reproducible and never flaky), each with random ids and with the ids of
real objects the persona may or may not see. About a minute on 2 cores.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.test import Client
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

EXAMPLES_PER_OPERATION = 3
# Lists a persona may not read (404 for them, by design).
# Staff have no own record (a person account's API is 404 to them); the submissions list is the regional monitor's.
_STAFF_NEVER = {
    "GET /api/v1/reports/regional/",
    "GET /api/v1/reports/submissions/",
    "GET /api/v1/me/person/",
    "GET /api/v1/me/person/access-log/",
    "GET /api/v1/me/person/consents/",
    "GET /api/v1/me/person/export/",
}
NOT_FOR = {"coordinator": _STAFF_NEVER, "receiving_staff": _STAFF_NEVER}


def _schema() -> Any:
    import schemathesis
    from drf_spectacular.generators import SchemaGenerator

    document = SchemaGenerator().get_schema(request=None, public=True)
    schema = schemathesis.openapi.from_dict(document)
    schema.app = get_wsgi_application()
    return schema


def _checks() -> list[Any]:
    from schemathesis.checks import not_a_server_error
    from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

    return [not_a_server_error, response_schema_conformance, status_code_conformance]


def signed_in(user: Any) -> dict[str, dict[str, str]]:
    """A browser's session and CSRF pair, as ``cookies`` and ``headers`` for the call: independent of how API
    tokens are issued."""
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    csrf = secrets.token_hex(16)  # 32 characters: Django takes it as an unmasked secret
    return {
        "cookies": {settings.SESSION_COOKIE_NAME: session, settings.CSRF_COOKIE_NAME: csrf},
        "headers": {"X-CSRFToken": csrf},
    }


@pytest.fixture
def wsgi_in_test_transaction() -> Iterator[None]:
    """The WSGI handler closes the database connection when a request ends; the test's transaction lives on that
    connection, so (as Django's test client does) the handler is kept from closing it during the run."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def objects(world: Any) -> dict[str, list[str]]:
    """Real ids per kind of path, so that the fuzzer also reaches past the 404 of a random id."""
    from tests.people_fixtures import make_person
    from tests.referral_fixtures import sent_referral

    referral = sent_referral(world)
    other = make_person(world, network=world.other_network, first_name="Obca")
    return {
        "networks": [str(world.network.pk), str(world.other_network.pk)],
        "partners": [str(world.receiving.pk), str(world.unrelated.pk)],
        "services": [str(world.service.pk), str(world.other_service.pk)],
        "persons": [str(referral.person_id), str(other.pk)],
        "referrals": [str(referral.pk)],
    }


def _path_ids(operation: Any, objects: dict[str, list[str]]) -> st.SearchStrategy[dict[str, Any]] | None:
    names = [p.name for p in operation.path_parameters]
    if not names:
        return None
    kind = operation.path.strip("/").split("/")[0]
    ids = objects.get(kind)
    if not ids or names != ["id"]:
        return None
    return st.sampled_from(ids).map(lambda value: {"id": value})


def _operations() -> Iterator[Any]:
    for result in _schema().get_all_operations():
        yield result.ok()


def _fuzz(
    operation: Any,
    objects: dict[str, list[str]],
    checks: list[Any],
    credentials: dict[str, Any],
    statuses: list[tuple[str, int]],
) -> list[str]:
    """The failures of one operation's bounded run: random ids, and the ids of real objects when the path takes
    one. Positive cases go through every check; negative ones (data the schema forbids) must only never be a 5xx.
    """
    from schemathesis import GenerationMode

    strategies = [operation.as_strategy(GenerationMode.POSITIVE), operation.as_strategy(GenerationMode.NEGATIVE)]
    ids = _path_ids(operation, objects)
    if ids is not None:
        strategies.append(
            ids.flatmap(lambda path: operation.as_strategy(GenerationMode.POSITIVE, path_parameters=path))
        )
    seen: list[str] = []
    server_errors_only = [check for check in checks if check.__name__ == "not_a_server_error"]

    @hypothesis_settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=st.one_of(strategies))
    def run(case: Any) -> None:
        try:
            response = case.call(**credentials)
            statuses.append((operation.label, response.status_code))
            positive = case.meta is None or case.meta.generation.mode == GenerationMode.POSITIVE
            case.validate_response(response, checks=checks if positive else server_errors_only)
        except (Exception, BaseExceptionGroup) as failure:
            # Every check's failure is collected, then all are reported at once.
            seen.append(f"{operation.label}: {str(failure).strip()[:1500]}")

    run()
    return seen


@pytest.mark.parametrize("persona", ["coordinator", "receiving_staff"])
def test_no_operation_answers_5xx_or_breaks_the_schema(
    world: Any, objects: dict[str, Any], persona: str, wsgi_in_test_transaction: None
) -> None:
    credentials = signed_in(getattr(world, persona))
    checks = _checks()
    operations = list(_operations())
    assert len(operations) > 50  # the whole schema, not a corner of it
    statuses: list[tuple[str, int]] = []
    failures = [found[0] for found in (_fuzz(op, objects, checks, credentials, statuses) for op in operations) if found]
    assert not failures, "\n".join(failures)
    # The run was signed in and reached past the doors: no 401 (and a session without its CSRF token would have been
    # a 403 on every write), and every list this persona may read answered with data at least once.
    # (The sign-in door's own 401s, a wrong second factor or a token-only sign-out, are answers, not a lost session.)
    assert 401 not in {status for label, status in statuses if " /api/v1/auth/" not in label}
    lists = {op.label for op in operations if op.method.upper() == "GET" and not op.path_parameters}
    answered = {label for label, status in statuses if 200 <= status < 300}
    assert lists - answered == NOT_FOR[persona]
