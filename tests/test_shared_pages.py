"""Visitors' shared copies of the content pages: served from the shared cache, never stale."""

from datetime import timedelta

import pytest

from cta_learning import create_app
from cta_learning.accounts.models import User
from cta_learning.actions import operations
from cta_learning.actions.models import Action
from cta_learning.community.events import registration_operations
from cta_learning.community.events.models import Event
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.community.events.helpers import make_event
from tests.conftest import TEST_CONFIG, count_queries
from tests.servers import free_port


def test_a_visitor_gets_the_repository_from_the_cache_without_rendering(app, client, make):
    user, organisation = make.member()
    make_action(app, organisation, user, "published", title="Welcoming desk")
    page = "/actions/?region=africa&page=1"
    assert "Welcoming desk" in client.get("/actions/").get_data(as_text=True)
    client.get(page)
    with count_queries(app) as queries:
        assert "Welcoming desk" in client.get("/actions/").get_data(as_text=True)
        client.get(page)
    # Only the content versions are read, on the driver's own cursor (not seen by the counter).
    assert queries == []


def test_a_published_action_shows_at_the_next_request_and_a_rejected_one_goes(app, client, make):
    user, organisation = make.member()
    first = make_action(app, organisation, user, "published", title="First desk")
    detail = f"/actions/{first}"
    assert "First desk" in client.get(detail).get_data(as_text=True)
    etag = client.get("/actions/").headers["ETag"]
    make_action(app, organisation, user, "published", title="Second desk")
    listing = client.get("/actions/", headers={"If-None-Match": etag})
    assert listing.status_code == 200 and "Second desk" in listing.get_data(as_text=True)
    with app.app_context():
        operations.reject(
            db.session.get(Action, first), "Not an action.", db.session.get(User, user.id)
        )
        db.session.commit()
    assert client.get(detail).status_code == 404
    assert "First desk" not in client.get("/actions/").get_data(as_text=True)


def test_an_unchanged_page_answers_304_and_browsers_check_again_each_time(app, client, make):
    user, organisation = make.member()
    make_action(app, organisation, user, "published")
    first = client.get("/actions/?priority=3")
    assert first.headers["ETag"] and first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/actions/?priority=3", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_registration_changes_the_places_left_on_the_next_visitor_page(app, client, make):
    organiser = make.user(role="organiser")
    event = make_event(app, organiser, capacity=10, title="Counted places")
    assert "10 places left of 10" in client.get(f"/events/{event.id}").get_data(as_text=True)
    member, _ = make.member()
    with app.app_context():
        registration_operations.register(
            db.session.get(Event, event.id), db.session.get(User, member.id), None, utcnow()
        )
        db.session.commit()
    assert "9 places left of 10" in client.get(f"/events/{event.id}").get_data(as_text=True)


def test_an_edited_event_shows_at_the_next_request_on_the_list(app, client, make):
    event = make_event(app, make.user(role="organiser"), title="Before the edit")
    assert "Before the edit" in client.get("/events/").get_data(as_text=True)
    with app.app_context():
        db.session.get(Event, event.id).title = "After the edit"
        db.session.commit()
    page = client.get("/events/").get_data(as_text=True)
    assert "After the edit" in page and "Before the edit" not in page


def test_the_event_list_is_rendered_again_each_minute_as_events_start(
    app, client, make, monkeypatch
):
    make_event(
        app, make.user(role="organiser"), title="Soon", starts_at=utcnow() + timedelta(seconds=90)
    )
    assert "Soon" in client.get("/events/").get_data(as_text=True)
    with count_queries(app) as cached:
        client.get("/events/")
    later = utcnow().timestamp() + 120
    monkeypatch.setattr("cta_learning.caching.time.time", lambda: later)
    with count_queries(app) as rendered:
        client.get("/events/")
    assert cached == [] and len(rendered) > 1


@pytest.mark.parametrize(
    "path",
    ["/actions/?utm_source=mail", "/actions/?region=" + "é" * 400, "/events/?anything=1"],
)
def test_undeclared_or_long_query_arguments_are_rendered_not_kept(app, client, path):
    client.get(path)
    with count_queries(app) as queries:
        assert client.get(path).status_code == 200
    assert len(queries) > 1


def test_signed_in_people_get_their_own_page_and_never_the_shared_copy(app, client, auth, make):
    organiser = make.user(role="organiser")
    event = make_event(app, organiser, title="Shared or not")
    visitor = app.test_client()
    assert "Sign up" in visitor.get(f"/events/{event.id}").get_data(as_text=True)
    auth.login_as(name="Private Person")
    own = client.get(f"/events/{event.id}")
    assert "Log out" in own.get_data(as_text=True) and "ETag" not in own.headers
    assert "Log out" not in visitor.get(f"/events/{event.id}").get_data(as_text=True)


def test_a_new_release_never_serves_the_previous_releases_copy(app, make):
    user, organisation = make.member()
    make_action(app, organisation, user, "published")
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    old = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database, "RELEASE": "old"})
    new = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database, "RELEASE": "new"})
    try:
        # One cache object for both, as Redis would be for two releases.
        new.extensions["cache"] = old.extensions["cache"]
        assert old.test_client().get("/actions/").status_code == 200
        with count_queries(new) as queries:
            new.test_client().get("/actions/")
        assert len(queries) > 1
    finally:
        for each in (old, new):
            with each.app_context():
                db.engine.dispose()


def test_pages_are_served_when_the_shared_cache_is_down(app, make):
    user, organisation = make.member()
    make_action(app, organisation, user, "published", title="Still served")
    database = app.config["SQLALCHEMY_DATABASE_URI"]
    unreachable = f"redis://127.0.0.1:{free_port()}/1"
    down = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": database, "REDIS_URL": unreachable}
    )
    try:
        visitor = down.test_client()
        for _ in range(2):
            page = visitor.get("/actions/")
            assert page.status_code == 200 and "Still served" in page.get_data(as_text=True)
    finally:
        with down.app_context():
            db.engine.dispose()
