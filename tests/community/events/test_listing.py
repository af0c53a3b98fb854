"""The public list of events: drafts never, upcoming or past, filters, and the person's status."""

from datetime import timedelta

from cta_learning.community.events import listing
from cta_learning.community.events.models import Registration
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.community.events.helpers import make_event


def titles(app, filters: dict, past: bool) -> list[str]:
    with app.app_context():
        query, count = listing.events(filters, past)
        found = [event.title for event in db.session.scalars(query)]
        assert db.session.scalar(count) == len(found)
        return found


def test_the_list_shows_published_events_upcoming_or_past_and_never_drafts(app):
    make_event(app, title="Soon")
    make_event(app, title="Sooner", starts_at=utcnow() + timedelta(days=1))
    make_event(app, title="Hidden", status="draft", published_at=None)
    before = utcnow() - timedelta(days=3)
    make_event(app, title="Over", starts_at=before, ends_at=before + timedelta(hours=2))
    assert titles(app, {}, past=False) == ["Sooner", "Soon"]
    assert titles(app, {}, past=True) == ["Over"]


def test_the_filters_narrow_the_list(app):
    make_event(app, title="Webinar", kind="webinar", languages=["en"], priorities=[1])
    make_event(app, title="Exchange", kind="peer_exchange", languages=["fr"], priorities=[2])
    assert titles(app, {"kind": "webinar"}, past=False) == ["Webinar"]
    assert titles(app, {"priority": "2"}, past=False) == ["Exchange"]
    assert titles(app, {"language": "fr"}, past=False) == ["Exchange"]


def test_the_person_sees_their_status_on_the_listed_events(app, make):
    person = make.user()
    first = make_event(app, title="First")
    make_event(app, title="Second")
    with app.app_context():
        db.session.add(Registration(event_id=first.id, user_id=person.id, status="waiting"))
        db.session.commit()
        events = list(db.session.scalars(listing.events({}, past=False)[0]))
        assert listing.statuses_of(person, events) == {first.id: "waiting"}
        assert listing.statuses_of(person, []) == {}
