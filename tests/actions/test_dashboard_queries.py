"""The dashboard runs the same number of queries with 10 or 10,000 actions."""

import pytest

from tests.actions.bulk import add_published_actions
from tests.actions.helpers import make_action
from tests.conftest import count_queries

pytestmark = pytest.mark.slow


def dashboard_queries(app, client) -> int:
    client.get("/dashboard")
    with count_queries(app) as queries:
        page = client.get("/dashboard")
    assert page.status_code == 200
    return len(queries)


def test_dashboard_query_count_is_fixed(app, client, auth, make):
    owner, organisation = make.member()
    for status in ("draft", "submitted", "published"):
        make_action(app, organisation, owner, status=status)
    auth.login(owner.email)
    add_published_actions(app, 10)
    few = dashboard_queries(app, client)
    add_published_actions(app, 9_990)
    assert dashboard_queries(app, client) == few
    # The courses the person follows count for one; events for three (the person's next events,
    # the organisation's priority areas, the events recommended in them); the government's
    # Local MGI request for one.
    assert few <= 8
