"""Bad input to the events pages: a clear message, a 4xx where it is HTTP, nothing changed."""

import pytest

from cta_learning.community.events.models import Event
from tests.community.events.helpers import event_form, make_event
from tests.conftest import count, fetch
from tests.hostile import assert_form_refused, nothing_changes, page_text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "15:00"}, "The event must end after it starts."),
        ({"end_date": "2027-01-21"}, "The event must end after it starts."),
        ({"timezone": "Mars/Olympus_Mons"}, "Choose a time zone from the list."),
        ({"start_date": "22/01/2027"}, "Enter a date, for example 2027-01-22."),
        ({"start_time": "25:00"}, "Enter a time, for example 16:00."),
        ({"kind": "party"}, "Not a valid choice."),
        ({"online_url": "javascript:alert(1)"}, "Enter a full web address starting with https://."),
        ({"format": "in_person", "venue": ""}, "Say where the event takes place."),
        ({"audience": "invited"}, "Choose at least one organisation to invite."),
        ({"audience": "priority_areas", "priority_ids": []}, "Choose the priority areas"),
        ({"capacity": "0"}, "At least one place."),
        ({"capacity": "many"}, "Not a valid integer value."),
        ({"languages": ["en", "klingon"]}, "not a valid choice"),
        ({"priority_ids": ["99"]}, "not a valid choice"),
        ({"title": "Line\r\nBcc: victim@example.org"}, "This field must fit on one line."),
        (
            {"deadline_date": "2027-01-23", "deadline_time": "10:00"},
            "Registration must close before the event ends.",
        ),
        ({"deadline_date": "2027-01-20"}, "Give both a date and a time, or neither."),
    ],
)
def test_the_event_form_refuses_bad_input(app, client, auth, changes, message):
    auth.login_as("organiser")
    with nothing_changes(app):
        response = client.post("/manage/events/new", data=event_form(**changes))
    assert_form_refused(response, message)


def test_capacity_cannot_drop_below_the_places_given(app, client, auth, make):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser, capacity=3)
    auth.logout()
    for _ in range(2):
        auth.login(make.user().email)
        client.post(f"/events/{event.id}/register")
        auth.logout()
    auth.login(organiser.email)
    with nothing_changes(app):
        response = client.post(f"/manage/events/{event.id}/edit", data=event_form(capacity="1"))
    assert response.status_code == 400
    assert "2 people already hold a place" in page_text(response)


def test_script_in_markdown_is_rendered_harmless(app, client, auth):
    organiser = auth.login_as("organiser")
    description = (
        "<script>alert(1)</script> [click](javascript:alert(2)) <img src=x onerror=alert(3)>"
    )
    client.post("/manage/events/new", data=event_form(description=description))
    event = fetch(app, Event, created_by_id=organiser.id)
    client.post(f"/manage/events/{event.id}/publish")
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "<script>alert(1)" not in html and 'href="javascript:' not in html
    assert "<img" not in html and "&lt;script&gt;" in html


def test_another_organiser_s_event_cannot_be_touched(app, client, auth, make):
    owner = make.user(role="organiser")
    event = make_event(app, owner, status="draft", published_at=None)
    auth.login_as("organiser")
    with nothing_changes(app):
        for path in ("edit", "publish", "delete", "cancel", "agenda", "materials", "message"):
            response = client.post(f"/manage/events/{event.id}/{path}", data=event_form())
            assert response.status_code == 403, path
        assert client.get(f"/events/{event.id}").status_code == 404
    assert count(app, Event) == 1


def test_unknown_segments_and_registrations_are_not_found(app, client, auth):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser)
    with nothing_changes(app):
        assert client.get(f"/manage/events/{event.id}/agenda/999").status_code == 404
        url = f"/manage/events/{event.id}/registrations/999/approve"
        assert client.post(url).status_code == 404
        url = f"/manage/events/{event.id}/registrations/1/cancel"
        assert client.post(url).status_code == 404
        assert (
            client.post(f"/manage/events/{event.id}/attendance", data={"attended": "x"}).status_code
            == 400
        )
        assert client.get("/events/calendar/%00.ics").status_code in (400, 404)
        assert client.get("/events/?page=0").status_code == 404


def test_postponing_to_the_past_or_to_a_skipped_time_is_refused(app, client, auth):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser)
    with nothing_changes(app):
        past = {
            "start_date": "2020-01-01",
            "start_time": "10:00",
            "end_date": "2020-01-01",
            "end_time": "11:00",
        }
        response = client.post(f"/manage/events/{event.id}/postpone", data=past)
        assert_form_refused(response, "The new date must be in the future.")
        skipped = {
            "start_date": "2027-03-28",
            "start_time": "02:30",
            "end_date": "2027-03-28",
            "end_time": "04:00",
        }
        response = client.post(f"/manage/events/{event.id}/postpone", data=skipped)
        assert_form_refused(response, "This time does not exist in that time zone")
