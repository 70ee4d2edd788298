"""The optional read replica (issue 19, item 2): the reporting selectors read there and nothing else does.

A second alias, ``replica``, points at the same test database for the length of a test, as ``DATABASE_REPLICA_URL``
would add it (the rows are committed: the test is transactional, so the second connection sees them). Each query
is recorded on the connection it went through.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from core.replica import REPLICA, ReplicaRouter, replica_alias, replica_reads
from people.models import Person
from reporting.yearly import Period, dashboard, monitoring_report, regional_report
from tests.factories import api_token
from tests.reporting.test_reports import dashboard_data

pytestmark = [pytest.mark.django_db(transaction=True, databases=["default", REPLICA])]


@pytest.fixture(scope="module", autouse=True)
def replica_alias_added(django_db_setup: Any) -> Iterator[None]:
    """Module-scoped, so the alias exists before each test's database set-up checks its ``databases``."""
    default = connections["default"].settings_dict
    connections.settings[REPLICA] = {**default, "OPTIONS": {**default["OPTIONS"]}, "TEST": {"MIRROR": "default"}}
    try:
        yield
    finally:
        connections[REPLICA].close()
        connections[REPLICA].close_pool()
        del connections[REPLICA]
        del connections.settings[REPLICA]


@pytest.fixture
def replica() -> Any:
    return connections[REPLICA]


class Recorded:
    def __init__(self) -> None:
        self.primary = CaptureQueriesContext(connections["default"])
        self.replica = CaptureQueriesContext(connections[REPLICA])

    def __enter__(self) -> Recorded:
        self.primary.__enter__()
        self.replica.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.replica.__exit__(*exc)
        self.primary.__exit__(*exc)

    def on_primary(self) -> list[str]:
        return [q["sql"] for q in self.primary.captured_queries]

    def on_replica(self) -> list[str]:
        return [q["sql"] for q in self.replica.captured_queries]


def test_the_reporting_selectors_read_from_the_replica_only(replica: Any, world: Any) -> None:
    dashboard_data(world, people=3)
    with Recorded() as dash:
        board = dashboard(world.network)
    assert board.people == 3
    assert dash.on_primary() == []
    assert len(dash.on_replica()) >= 8, dash.on_replica()
    with Recorded() as report:
        monitoring_report(world.network, Period.year(2025))
        regional_report(Period.year(2025))
    assert report.on_primary() == []
    # The sessions and hours come from raw SQL, which no router sees: it goes to the replica too.
    assert any("GROUPING SETS" in sql for sql in report.on_replica())


def test_the_pages_read_the_dashboard_from_the_replica_and_the_rest_from_the_primary(
    client: Any, replica: Any, world: Any
) -> None:
    dashboard_data(world, people=3)
    client.force_login(world.coordinator)
    with Recorded() as page:
        assert client.get(reverse("report-dashboard", args=[world.network.pk])).status_code == 200
    # The session, the user and the coordinator's scope are the request's own reads: primary. The tiles: replica.
    assert page.on_replica() and all("django_session" not in sql for sql in page.on_replica())
    assert any("django_session" in sql for sql in page.on_primary())
    assert all("people_caseevent" not in sql and "referrals_referral" not in sql for sql in page.on_primary())
    with Recorded() as api:
        url = f"/api/v1/networks/{world.network.pk}/reports/monitoring/?year=2025"
        answer = client.get(url, HTTP_AUTHORIZATION=f"Token {api_token(world.coordinator)}")
        assert answer.status_code == 200
    assert any("GROUPING SETS" in sql for sql in api.on_replica())


def test_nothing_but_the_reporting_selectors_reads_from_the_replica(client: Any, replica: Any, world: Any) -> None:
    dashboard_data(world, people=3)
    person = Person.objects.filter(network=world.network).order_by("created_at").first()
    assert person is not None
    client.force_login(world.coordinator)
    urls = [
        reverse("referral-inbox"),
        reverse("people-list"),
        reverse("person-detail", args=[person.pk]),
        "/api/v1/referrals/",
        "/api/v1/notifications/",
    ]
    with Recorded() as rest:
        for url in urls:
            assert client.get(url).status_code == 200, url
    assert rest.on_replica() == []
    assert rest.on_primary()


def test_a_write_inside_a_reporting_selector_still_goes_to_the_primary(replica: Any) -> None:
    router = ReplicaRouter()
    with replica_reads():
        assert replica_alias() == REPLICA
        assert router.db_for_write(object) == "default"
    assert replica_alias() == "default"
    assert router.allow_migrate(REPLICA, "referrals") is False
