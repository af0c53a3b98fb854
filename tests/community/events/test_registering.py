"""Participants register, wait, get promoted, cancel; who may register; calendars; reminders."""

from datetime import timedelta

from icalendar import Calendar

from cta_learning.community.events.models import Event, Registration
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.community.events.helpers import make_event
from tests.conftest import count, fetch, outbox
from tests.courses.helpers import unlock
from tests.hostile import nothing_changes, page_text


def register(client, event, **data):
    return client.post(f"/events/{event.id}/register", data=data)


def test_registering_confirms_the_place_and_emails_a_calendar_entry(app, client, auth):
    member = auth.login_as(timezone="America/Bogota", locale="es")
    event = make_event(app, capacity=5)
    assert client.get(f"/events/{event.id}").status_code == 200
    assert "meet.example.org" not in page_text(client.get(f"/events/{event.id}"))
    assert register(client, event, language="es").status_code == 302
    registration = fetch(app, Registration, user_id=member.id)
    assert (registration.status, registration.language) == ("confirmed", "es")
    assert fetch(app, Event, id=event.id).seats_taken == 1
    assert "https://meet.example.org/exchange" in page_text(client.get(f"/events/{event.id}"))
    message = outbox(app, to=member.email)[-1]
    assert message.subject.startswith("Está inscrito")
    assert "hora de Colombia" in message.body_text
    (attachment,) = message.attachments
    calendar = Calendar.from_ical(attachment["content"])
    (entry,) = calendar.walk("VEVENT")
    assert entry["DTSTART"].dt.tzinfo.key == "Europe/Paris"
    assert entry["DTSTART"].dt.astimezone().replace(tzinfo=None) is not None
    assert calendar.walk("VTIMEZONE") and entry.walk("VALARM")
    assert "https://meet.example.org/exchange" in str(entry["DESCRIPTION"])
    # Registering twice changes nothing.
    with nothing_changes(app):
        assert register(client, event, language="es").status_code == 302


def test_a_full_event_has_a_waiting_list_and_a_freed_place_goes_to_the_first(
    app, client, auth, make
):
    event = make_event(app, capacity=1)
    first, second, third = (make.user(email=f"p{n}@example.org") for n in range(3))
    for person in (first, second, third):
        auth.login(person.email)
        register(client, event)
        auth.logout()
    statuses = {
        p.email: fetch(app, Registration, user_id=p.id).status for p in (first, second, third)
    }
    assert list(statuses.values()) == ["confirmed", "waiting", "waiting"]
    auth.login(third.email)
    assert "number 2 on the waiting list" in page_text(client.get(f"/events/{event.id}"))
    auth.logout()
    auth.login(first.email)
    assert client.post(f"/events/{event.id}/cancel").status_code == 302
    assert fetch(app, Registration, user_id=second.id).status == "confirmed"
    assert fetch(app, Registration, user_id=third.id).status == "waiting"
    assert fetch(app, Event, id=event.id).seats_taken == 1
    promoted = outbox(app, to=second.email)[-1]
    assert promoted.subject.startswith("A place is yours")
    assert promoted.attachments
    # Cancelling again changes nothing; nobody else is promoted.
    with nothing_changes(app):
        client.post(f"/events/{event.id}/cancel")


def test_registrations_needing_approval_wait_for_the_organiser(app, client, auth, make):
    organiser = make.user(role="organiser", email="org@example.org")
    event = make_event(app, organiser, requires_approval=True, capacity=1)
    member = auth.login_as()
    register(client, event)
    registration = fetch(app, Registration, user_id=member.id)
    assert registration.status == "pending"
    assert fetch(app, Event, id=event.id).seats_taken == 0
    auth.logout()
    auth.login(organiser.email)
    url = f"/manage/events/{event.id}/registrations/{registration.id}/approve"
    assert client.post(url).status_code == 302
    assert fetch(app, Registration, user_id=member.id).status == "confirmed"
    assert outbox(app, to=member.email)[-1].subject.startswith("You are registered")
    with nothing_changes(app):
        assert client.post(url).status_code == 409


def test_members_events_need_the_unlock(app, client, auth, make):
    event = make_event(app, audience="members")
    member, organisation = make.member(email="awa@dakar.example.org")
    auth.login(member.email)
    text = page_text(client.get(f"/events/{event.id}"))
    assert "submitted an action to the Call" in text
    with nothing_changes(app):
        assert register(client, event).status_code == 403
    unlock(app, organisation)
    assert register(client, event).status_code == 302
    assert fetch(app, Registration, user_id=member.id).status == "confirmed"


def test_invited_events_are_for_invited_organisations(app, client, auth, make):
    from cta_learning.community.events.models import EventInvitation

    invited_member, invited = make.member()
    other_member, _other = make.member()
    event = make_event(app, audience="invited")
    with app.app_context():
        db.session.add(EventInvitation(event_id=event.id, organisation_id=invited.id))
        db.session.commit()
    auth.login(other_member.email)
    with nothing_changes(app):
        assert register(client, event).status_code == 403
    auth.logout()
    auth.login(invited_member.email)
    assert register(client, event).status_code == 302


def test_priority_area_events_are_for_organisations_acting_in_them(app, client, auth, make):
    event = make_event(app, audience="priority_areas", priorities=[3])
    member, organisation = make.member()
    unlock(app, organisation)
    auth.login(member.email)
    with nothing_changes(app):
        assert register(client, event).status_code == 403
    make_action(app, organisation, member, status="submitted", priorities=[3])
    assert register(client, event).status_code == 302


def test_registration_closes_at_the_deadline_and_when_the_event_starts(app, client, auth):
    auth.login_as()
    closed = make_event(app, registration_deadline=utcnow() - timedelta(minutes=1))
    started = make_event(
        app, starts_at=utcnow() - timedelta(minutes=5), ends_at=utcnow() + timedelta(hours=1)
    )
    with nothing_changes(app):
        response = register(client, closed)
        assert response.status_code == 403
        assert "Registration for this event has closed." in page_text(response)
        assert register(client, started).status_code == 403


def test_an_unknown_interpretation_language_is_refused(app, client, auth):
    auth.login_as()
    event = make_event(app, languages=["en", "fr"])
    with nothing_changes(app):
        response = register(client, event, language="de")
        assert response.status_code == 400
        assert "Choose one of the event's languages." in page_text(response)


def test_reminders_go_once_in_the_person_s_language_and_time_zone(app, client, auth, make):
    from cta_learning import create_app  # noqa: F401 - the CLI runs in the test app

    soon = utcnow().replace(microsecond=0) + timedelta(hours=20)
    event = make_event(app, starts_at=soon, ends_at=soon + timedelta(hours=1))
    later = make_event(
        app,
        title="Later",
        starts_at=soon + timedelta(days=3),
        ends_at=soon + timedelta(days=3, hours=1),
    )
    member = auth.login_as(locale="fr", timezone="Asia/Manila")
    register(client, event)
    register(client, later)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["events", "remind"])
    assert result.exit_code == 0 and "1 reminders queued." in result.output
    reminder = outbox(app, to=member.email)[-1]
    assert reminder.subject.startswith("Demain")
    assert "heure des Philippines" in reminder.body_text
    assert runner.invoke(args=["events", "remind"]).output.startswith("0 ")
    assert count(app, Registration, event_id=later.id, reminded_at=None) == 1


def test_the_calendar_feed_lists_my_places_and_renewing_revokes_it(app, client, auth):
    from cta_learning.community.events.models import CalendarFeed

    member = auth.login_as()
    event = make_event(app, title="Mine")
    make_event(app, title="Not mine")
    register(client, event)
    client.post("/events/mine/calendar")
    token = fetch(app, CalendarFeed, user_id=member.id).token
    auth.logout()
    feed = client.get(f"/events/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    summaries = [str(e["SUMMARY"]) for e in Calendar.from_ical(feed.data).walk("VEVENT")]
    assert summaries == ["Mine"]
    auth.login(member.email)
    client.post("/events/mine/calendar")
    assert client.get(f"/events/calendar/{token}.ics").status_code == 404
    assert fetch(app, CalendarFeed, user_id=member.id).token != token


def test_deleting_an_account_gives_its_place_to_the_next_person(app, client, auth, make):
    from tests.conftest import PASSWORD

    event = make_event(app, capacity=1)
    leaver, waiting = make.user(), make.user()
    for person in (leaver, waiting):
        auth.login(person.email)
        register(client, event)
        auth.logout()
    auth.login(leaver.email)
    response = client.post("/account/delete", data={"current_password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert fetch(app, Registration, user_id=waiting.id).status == "confirmed"
    assert fetch(app, Event, id=event.id).seats_taken == 1


def test_recommended_events_on_the_dashboard(app, client, auth, make):
    member, organisation = make.member()
    make_action(app, organisation, member, status="submitted", priorities=[2])
    make_event(app, title="In your area", priorities=[2])
    make_event(app, title="Elsewhere", priorities=[5])
    auth.login(member.email)
    text = page_text(client.get("/dashboard"))
    assert "Recommended for your organisation" in text
    assert "In your area" in text and "Elsewhere" not in text


def test_the_data_export_lists_my_registrations(app, client, auth):
    auth.login_as()
    event = make_event(app, title="Exported")
    register(client, event, language="fr")
    exported = client.get("/account/export").get_json()
    (entry,) = exported["event_registrations"]
    assert entry["event"] == "Exported"
    assert (entry["status"], entry["interpretation_language"]) == ("confirmed", "fr")
    assert entry["starts_at"].endswith("Z")
