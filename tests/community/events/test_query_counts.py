"""Event pages run the same number of SQL queries with 10 events or 5,000 (and 50,000
registrations), for a visitor and for a registered member."""

from datetime import timedelta

import pytest

from cta_learning.community.events.models import (
    AgendaSegment,
    CalendarFeed,
    Event,
    EventTranslation,
    Registration,
    SegmentPerson,
    SegmentTranslation,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.bulk import _insert, add_events
from tests.community.events.helpers import make_event
from tests.conftest import fetch
from tests.test_query_counts import queries_per_page

LIST_PAGES = [
    "/events/",
    "/events/?kind=peer_exchange&priority=3&language=fr",
    "/events/?when=past",
]
# Most queries a page may run, as measured at both scales (SQLite and PostgreSQL alike).
# The list: the count, one page of events with their series (a join), their translations
# (one query for the page); a member adds their account and their registrations among the
# page's events. An event page: the event, its agenda, the agenda's people and the agenda's
# translations (one query each for all segments), its series, priority areas and sessions, the
# translations of the event, its series and sessions (one query); a member adds their account
# and their registration (a registered member needs no refusal check). The member's own page:
# account, registrations with their events, their translations, calendar address. The calendar
# feed: the token's owner, then the events and their translations.
BOUNDS = {
    "visitor": {"list": 3, "event": 8, "feed": 3},
    "member": {"list": 5, "event": 10, "mine": 4},
}


def _agenda(app, event: Event) -> None:
    """Three segments with two people each, as the networking meeting of 2021 had, and the
    event and its agenda in French too."""
    start = event.starts_at
    with app.app_context():
        db.session.add(EventTranslation(event_id=event.id, language="fr", title="Mesuré"))
        for n, kind in enumerate(("opening", "round", "conversation")):
            segment = AgendaSegment(
                event_id=event.id,
                kind=kind,
                title=f"Segment {n + 1}",
                guiding_question="What hinders local-national coordination?",
                starts_at=start + timedelta(minutes=20 * n),
                ends_at=start + timedelta(minutes=20 * (n + 1)),
            )
            segment.people = [
                SegmentPerson(position=0, role="moderator", name="Sophie van Haasen", country="NL"),
                SegmentPerson(position=1, role="speaker", name="Carola Gunnarsson", country="SE"),
            ]
            segment.translations = [SegmentTranslation(language="fr", title=f"Segment {n + 1}")]
            db.session.add(segment)
        db.session.commit()


def _register(app, user_id: int, event_ids: list[int]) -> None:
    """The member also holds a place at these events (past and upcoming)."""
    now = utcnow()
    with app.app_context():
        _insert(
            Registration.__table__,
            [
                {
                    "event_id": event_id,
                    "user_id": user_id,
                    "status": "confirmed",
                    "registered_at": now,
                    "queued_at": now,
                    "confirmed_at": now,
                }
                for event_id in event_ids
            ],
        )
        db.session.commit()


def _arrange(app, client, auth, make):
    """An upcoming event (a session of a series) with an agenda, and a member registered for
    it who has a calendar address; the member's client is signed in."""
    organiser = make.user(role="organiser")
    member, _ = make.member(timezone="America/Bogota")
    series = make_event(app, organiser, title="Peer-learning days", priorities=(3,))
    event = make_event(
        app, organiser, priorities=(1, 3), series_id=series.id, capacity=30, title="Measured"
    )
    _agenda(app, event)
    _register(app, member.id, [event.id])
    auth.login(member.email)
    assert client.post("/events/mine/calendar").status_code == 302
    token = fetch(app, CalendarFeed, user_id=member.id).token
    pages = [*LIST_PAGES, f"/events/{event.id}"]
    return member, pages, f"/events/calendar/{token}.ics"


def _measure(app, client, pages, feed):
    visitor = queries_per_page(app, app.test_client(), [*pages, feed])
    member = queries_per_page(app, client, [*pages, "/events/mine"])
    return visitor, member


def _check_bounds(visitor, member, pages, feed) -> None:
    *lists, event = pages
    for counts, bounds in ((visitor, BOUNDS["visitor"]), (member, BOUNDS["member"])):
        assert all(counts[path] <= bounds["list"] for path in lists), counts
        assert counts[event] <= bounds["event"], counts
    assert visitor[feed] <= BOUNDS["visitor"]["feed"], visitor
    assert member["/events/mine"] <= BOUNDS["member"]["mine"], member


def test_event_pages_run_a_few_queries(app, client, auth, make):
    member, pages, feed = _arrange(app, client, auth, make)
    event_ids = add_events(app, 10, registrations=20)
    _register(app, member.id, event_ids[:4])
    visitor, members = _measure(app, client, pages, feed)
    _check_bounds(visitor, members, pages, feed)


@pytest.mark.slow
def test_event_pages_do_not_run_more_queries_with_more_events(app, client, auth, make):
    member, pages, feed = _arrange(app, client, auth, make)
    event_ids = add_events(app, 10, registrations=20)
    _register(app, member.id, event_ids[:4])
    small = _measure(app, client, pages, feed)

    event_ids = add_events(app, 4_990, registrations=49_980)
    _register(app, member.id, event_ids[:60])  # and many more of their own: the feed grows
    large = _measure(app, client, pages, feed)
    # The pages measured are full ones: a page of 20 events, some of them sessions of a series.
    listing = app.test_client().get("/events/").get_data(as_text=True)
    assert listing.count('<li class="card') == 20 and "Part of" in listing
    assert "Sophie van Haasen" in client.get(pages[-1]).get_data(as_text=True)
    assert large == small
    _check_bounds(*small, pages, feed)
