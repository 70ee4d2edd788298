"""Without DATABASE_REPLICA_URL every read, the reporting selectors' included, goes to the primary."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core.replica import REPLICA, ReplicaRouter, replica_alias, replica_reads
from reporting.yearly import dashboard
from tests.reporting.test_reports import dashboard_data

pytestmark = [pytest.mark.django_db]


def test_without_a_replica_the_reporting_selectors_read_from_the_primary(world: Any) -> None:
    assert REPLICA not in connections.settings
    dashboard_data(world, people=2)
    with replica_reads():
        assert replica_alias() == "default"
        assert ReplicaRouter().db_for_read(object) is None
    with CaptureQueriesContext(connections["default"]) as captured:
        dashboard(world.network)
    assert len(captured.captured_queries) >= 8
