"""Organisers create, publish, postpone and cancel events; their agenda and materials."""

from datetime import date, datetime, time, timedelta

from cta_learning.community.events.models import AgendaSegment, Event, Registration
from tests.community.events.helpers import event_form, make_event
from tests.conftest import count, fetch, outbox
from tests.hostile import nothing_changes, page_text


def test_an_organiser_creates_an_event_in_their_zone_stored_in_utc(app, client, auth):
    auth.login_as("organiser", timezone="Europe/Paris")
    response = client.post("/manage/events/new", data=event_form())
    assert response.status_code == 302, response.data
    event = fetch(app, Event, title="Networking meeting of the Mayors Mechanism")
    assert event.status == "draft"
    # 16:00 in Paris in January (CET, UTC+1) is 15:00 UTC.
    assert event.starts_at == datetime(2027, 1, 22, 15, 0)
    assert event.ends_at == datetime(2027, 1, 22, 17, 0)
    assert event.timezone == "Europe/Paris"
    assert event.languages == ["en", "fr", "es", "ar"]
    page = client.get(f"/manage/events/{event.id}/edit")
    assert b'value="16:00"' in page.data


def test_drafts_are_hidden_until_published(app, client, auth, make):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser, status="draft", published_at=None)
    auth.logout()
    assert client.get(f"/events/{event.id}").status_code == 404
    auth.login(organiser.email)
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    auth.logout()
    assert client.get(f"/events/{event.id}").status_code == 200


def test_agenda_segments_with_people_show_on_the_event_page(app, client, auth):
    organiser = auth.login_as("organiser")
    # At 09:00 UTC (11:00 in Paris), so that the segment never runs past midnight.
    start = datetime.combine(date.today() + timedelta(days=7), time(9))
    event = make_event(app, organiser, starts_at=start, ends_at=start + timedelta(hours=2))
    day = event.starts_at.date().isoformat()
    local_start = fetch(app, Event, id=event.id)
    response = client.post(
        f"/manage/events/{event.id}/agenda",
        data={
            "kind": "round",
            "en-title": "First round",
            "en-guiding_question": "What hinders local-national coordination?",
            "day": day,
            "start_time": _paris_clock(local_start.starts_at, 10),
            "end_time": _paris_clock(local_start.starts_at, 30),
            "people-0-role": "moderator",
            "people-0-name": "Sophie van Haasen",
            "people-0-job_title": "Coordinator",
            "people-0-organisation": "GFMD Mayors Mechanism",
            "people-0-country": "NL",
            "people-1-role": "speaker",
            "people-1-name": "",
        },
    )
    assert response.status_code == 302, response.data
    assert count(app, AgendaSegment, event_id=event.id) == 1
    page = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "What hinders local-national coordination?" in page
    assert "Sophie van Haasen" in page and "Netherlands" in page


def _paris_clock(start, minutes_after):
    from datetime import timedelta

    from cta_learning.community.events.times import in_zone

    return (in_zone(start + timedelta(minutes=minutes_after), "Europe/Paris")).strftime("%H:%M")


def test_postponing_tells_every_registrant_with_a_new_calendar_entry(app, client, auth, make):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser)
    member = make.user(email="ana@bogota.example.org", timezone="America/Bogota")
    auth.logout()
    auth.login(member.email)
    assert client.post(f"/events/{event.id}/register", data={"language": "es"}).status_code == 302
    auth.logout()
    auth.login(organiser.email)
    response = client.post(
        f"/manage/events/{event.id}/postpone",
        data={
            "start_date": "2027-03-10",
            "start_time": "15:00",
            "end_date": "2027-03-10",
            "end_time": "16:00",
        },
    )
    assert response.status_code == 302, response.data
    moved = fetch(app, Event, id=event.id)
    assert moved.starts_at == datetime(2027, 3, 10, 14, 0) and moved.sequence == 1
    messages = outbox(app, to=member.email)
    assert [m.subject for m in messages][-1].startswith("New date")
    ics = messages[-1].attachments[0]["content"]
    assert "SEQUENCE:1" in ics and "DTSTART;TZID=Europe/Paris:20270310T150000" in ics


def test_cancelling_tells_registrants_and_removes_the_calendar_entry(app, client, auth, make):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser)
    member = make.user()
    auth.logout()
    auth.login(member.email)
    client.post(f"/events/{event.id}/register", data={})
    auth.logout()
    auth.login(organiser.email)
    response = client.post(
        f"/manage/events/{event.id}/cancel", data={"reason": "The speakers cannot travel."}
    )
    assert response.status_code == 302
    message = outbox(app, to=member.email)[-1]
    assert "The speakers cannot travel." in message.body_text
    assert "STATUS:CANCELLED" in message.attachments[0]["content"]
    assert fetch(app, Registration, user_id=member.id).status == "confirmed"


def test_a_series_has_sessions_that_can_be_joined_on_their_own(app, client, auth, make):
    organiser = auth.login_as("organiser")
    series = make_event(app, organiser, title="Migration in crisis contexts: a three-day event")
    response = client.post(
        f"/manage/events/new?series={series.id}",
        data=event_form(title="On the road to the IMRF", kind="briefing"),
    )
    assert response.status_code == 302, response.data
    session = fetch(app, Event, title="On the road to the IMRF")
    assert session.series_id == series.id
    client.post(f"/manage/events/{session.id}/publish")
    series_page = page_text(client.get(f"/events/{series.id}"))
    assert "Sessions" in series_page and "On the road to the IMRF" in series_page
    assert "Part of" in page_text(client.get(f"/events/{session.id}"))
    member = make.user()
    auth.logout()
    auth.login(member.email)
    assert client.post(f"/events/{session.id}/register").status_code == 302
    assert fetch(app, Registration, user_id=member.id).event_id == session.id


def test_materials_registrations_csv_messages_and_attendance(app, client, auth, make):
    from datetime import timedelta

    from cta_learning.database import utcnow

    organiser = auth.login_as("organiser")
    start = utcnow() - timedelta(hours=3)
    event = make_event(app, organiser, starts_at=start, ends_at=start + timedelta(hours=2))
    came, missed = make.user(name="=HYPERLINK(1)"), make.user(name="Missed")
    with app.test_request_context():
        from cta_learning.community.events.models import Registration as Row
        from cta_learning.extensions import db

        for person in (came, missed):
            db.session.add(
                Row(event_id=event.id, user_id=person.id, status="confirmed", language="fr")
            )
        db.session.commit()
    response = client.post(
        f"/manage/events/{event.id}/materials",
        data={
            "recording_url": "https://video.example.org/recording",
            "materials_summary": "Cities agreed to **share data**.",
            "documents": "Concept note https://docs.example.org/note.pdf",
        },
    )
    assert response.status_code == 302
    text = page_text(client.get(f"/events/{event.id}"))
    assert "Watch the recording" in text and "Concept note" in text
    with nothing_changes(app):
        bad = client.post(f"/manage/events/{event.id}/materials", data={"documents": "just text"})
        assert "Write each document as its title" in page_text(bad)

    came_row = fetch(app, Registration, user_id=came.id)
    response = client.post(
        f"/manage/events/{event.id}/attendance", data={"attended": [came_row.id]}
    )
    assert response.status_code == 302
    assert fetch(app, Registration, user_id=came.id).attended is True
    assert fetch(app, Registration, user_id=missed.id).attended is False

    csv = client.get(f"/manage/events/{event.id}/registrations.csv").get_data(as_text=True)
    assert "'=HYPERLINK(1)" in csv and ",yes" in csv and ",no" in csv

    response = client.post(
        f"/manage/events/{event.id}/message",
        data={"subject": "Slides", "body": "The slides are online."},
    )
    assert response.status_code == 302
    assert outbox(app, to=missed.email)[-1].subject == f"Slides ({event.title})"
