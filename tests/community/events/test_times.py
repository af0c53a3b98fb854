"""Time zones far from Europe and clock changes: stored in UTC, shown right everywhere."""

from datetime import date, datetime, time

import pytest
from flask_babel import force_locale

from cta_learning.community.events.models import Event
from cta_learning.community.events.times import (
    NonexistentTime,
    in_zone,
    span_in_zone,
    to_utc,
    zone_label,
)
from tests.community.events.helpers import event_form, make_event
from tests.conftest import count
from tests.hostile import assert_form_refused, nothing_changes, page_text

# Europe moves its clocks forward on Sunday 28 March 2027; New Zealand moves back on Sunday
# 4 April 2027 and forward on Sunday 26 September 2027; Colombia, the Philippines and Kenya
# keep the same offset all year.
BEFORE, AFTER = date(2027, 3, 26), date(2027, 4, 2)


def local(moment, zone):
    return in_zone(moment, zone).strftime("%Y-%m-%d %H:%M")


@pytest.mark.parametrize(
    ("zone", "before", "after"),
    [
        ("America/Bogota", "2027-03-26 10:00", "2027-04-02 09:00"),
        ("Africa/Nairobi", "2027-03-26 18:00", "2027-04-02 17:00"),
        ("Asia/Manila", "2027-03-26 23:00", "2027-04-02 22:00"),
        ("Pacific/Auckland", "2027-03-27 04:00", "2027-04-03 03:00"),
    ],
)
def test_a_weekly_paris_event_moves_for_viewers_when_europe_changes_clocks(zone, before, after):
    first = to_utc(BEFORE, time(16), "Europe/Paris")
    second = to_utc(AFTER, time(16), "Europe/Paris")
    assert (first, second) == (datetime(2027, 3, 26, 15), datetime(2027, 4, 2, 14))
    assert (local(first, zone), local(second, zone)) == (before, after)


def test_auckland_changes_its_own_clocks_a_week_later():
    after_new_zealand_change = to_utc(date(2027, 4, 9), time(16), "Europe/Paris")
    assert local(after_new_zealand_change, "Pacific/Auckland") == "2027-04-10 02:00"


def test_a_bogota_event_keeps_its_utc_time_while_paris_changes():
    bogota = [to_utc(date(2027, 3, day), time(10), "America/Bogota") for day in (24, 31)]
    assert [moment.hour for moment in bogota] == [15, 15]
    assert [local(moment, "Europe/Paris")[-5:] for moment in bogota] == ["16:00", "17:00"]


def test_a_skipped_local_time_is_refused_and_a_repeated_one_is_the_first():
    with pytest.raises(NonexistentTime):
        to_utc(date(2027, 9, 26), time(2, 30), "Pacific/Auckland")
    with pytest.raises(NonexistentTime):
        to_utc(date(2027, 3, 28), time(2, 30), "Europe/Paris")
    # 02:30 happens twice in Auckland on 4 April 2027: the first one is still summer time.
    assert to_utc(date(2027, 4, 4), time(2, 30), "Pacific/Auckland") == datetime(2027, 4, 3, 13, 30)


def test_spans_are_written_in_each_language(app):
    start, end = datetime(2027, 1, 22, 15), datetime(2027, 1, 22, 17)
    with app.test_request_context():
        with force_locale("fr"):
            assert span_in_zone(start, end, "Africa/Nairobi") == (
                "vendredi 22 janvier 2027, 18:00 \u2013 20:00"
            )
        with force_locale("es"):
            assert span_in_zone(start, end, "Asia/Manila") == (
                "viernes, 22 de enero de 2027, 23:00 \u2013 sábado, 23 de enero de 2027, 1:00"
            )
            assert span_in_zone(start, end, "America/Bogota") == (
                "viernes, 22 de enero de 2027, 10:00 \u2013 12:00"
            )
        with force_locale("ar"):  # the Arabic comma joins the day and the time
            assert span_in_zone(start, end, "Asia/Amman") == (
                "الجمعة، 22 يناير 2027، 6:00 م \u2013 8:00 م"  # UTC+3
            )


def test_universal_time_is_named_and_not_an_unknown_region(app):
    names = {}
    with app.test_request_context():
        for language in ("en", "fr", "es", "ar"):
            with force_locale(language):
                names[language] = zone_label("UTC")
    assert names == {
        "en": "Coordinated Universal Time",
        "fr": "temps universel coordonné",
        "es": "tiempo universal coordinado",
        "ar": "التوقيت العالمي المنسق",
    }


def test_the_page_shows_the_viewer_s_time_and_the_event_s_beside_it(app, client, auth):
    event = make_event(app, starts_at=datetime(2027, 4, 9, 14), ends_at=datetime(2027, 4, 9, 16))
    auth.login_as(timezone="Pacific/Auckland")
    text = page_text(client.get(f"/events/{event.id}"))
    assert "Saturday, April 10, 2027, 2:00\u202fAM \u2013 4:00\u202fAM" in text
    assert "(New Zealand Time)" in text
    assert (
        "4:00\u202fPM \u2013 6:00\u202fPM in the event's time zone (Central European Time)" in text
    )


def test_the_calendar_file_carries_both_sides_of_a_clock_change(app, client):
    event = make_event(app, starts_at=datetime(2027, 3, 26, 15), ends_at=datetime(2027, 4, 2, 17))
    body = client.get(f"/events/{event.id}/calendar.ics").get_data(as_text=True)
    assert "DTSTART;TZID=Europe/Paris:20270326T160000" in body
    assert "DTEND;TZID=Europe/Paris:20270402T190000" in body
    assert "TZOFFSETTO:+0200" in body and "TZOFFSETTO:+0100" in body


def test_the_form_refuses_a_time_the_clocks_skip(app, client, auth):
    auth.login_as("organiser", timezone="Pacific/Auckland")
    data = event_form(
        timezone="Pacific/Auckland",
        start_date="2027-09-26",
        start_time="02:30",
        end_date="2027-09-26",
        end_time="04:00",
    )
    with nothing_changes(app):
        response = client.post("/manage/events/new", data=data)
    assert_form_refused(response, "This time does not exist in that time zone")
    assert count(app, Event) == 0
