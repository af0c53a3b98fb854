"""An organiser in Paris creates an event, gives it an agenda and publishes it; a member in
Bogotá sees it in her own time, joins the waiting list for its single place, adds it to her
calendar, and gets the place when the first registrant cancels."""

import re
from datetime import date

import pytest
from babel.dates import format_date
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import Factories, outbox

pytestmark = pytest.mark.browser

TITLE = "Networking meeting of the Mayors Mechanism"
JOIN_URL = "https://meet.example.org/networking"
NNBSP = "\u202f"  # CLDR puts a narrow no-break space before AM and PM
DASH = "\u2013"


@pytest.fixture
def open_page(browser, live_server):
    """A page in a browser of its own, one per person, closed after the test."""
    contexts = []

    def open_page(timezone_id):
        context = browser.new_context(
            base_url=live_server.url, locale="en-GB", timezone_id=timezone_id
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def test_create_publish_wait_download_and_get_the_freed_place(page, open_page, live_app):
    make = Factories(live_app)
    organiser = make.user(
        role="organiser", email="organiser@example.org", timezone="Europe/Paris", locale="en"
    )
    first = make.user(email="first@dakar.example.org", timezone="Africa/Dakar", locale="en")
    ana = make.user(
        email="ana@bogota.example.org",
        name="Ana Rojas",
        timezone="America/Bogota",
        locale="en",
    )
    # Mid-January next year: Paris is on CET (UTC+1), Bogotá on UTC-5 all year.
    day = date(date.today().year + 1, 1, 15)

    # The organiser creates the event, in her own zone.
    desk = open_page("Europe/Paris")
    log_in(desk, organiser.email)
    desk.goto("/manage/events/new")
    assert desk.get_by_label("Time zone of the event").input_value() == "Europe/Paris"
    # Written in her own language, English, open first; the others are optional.
    english = desk.get_by_role("group", name="English", exact=True)
    english.get_by_label("Title").fill(TITLE)
    desk.get_by_label("Kind of event").select_option("networking")
    english.get_by_label("Summary").fill("National and local governments on inclusive recovery.")
    desk.get_by_label("Time zone of the event").select_option("Europe/Paris")
    desk.get_by_label("Start date").fill(day.isoformat())
    desk.get_by_label("Start time").fill("16:00")
    desk.get_by_label("End date").fill(day.isoformat())
    desk.get_by_label("End time").fill("18:00")
    desk.get_by_label("Online", exact=True).check()
    desk.get_by_label("Link to join online").fill(JOIN_URL)
    desk.get_by_label("French").check()
    desk.get_by_label("Spanish").check()
    desk.get_by_label("Everyone with an account").check()
    desk.get_by_label("Number of places").fill("1")
    desk.get_by_role("button", name="Save").click()

    # Saved as a draft, on its agenda page: one round with its moderator.
    desk.wait_for_url(re.compile(r".*/manage/events/\d+/agenda$"))
    desk.get_by_text("The event is saved as a draft").wait_for()
    desk.get_by_label("Kind of segment").select_option("round")
    english = desk.get_by_role("group", name="English", exact=True)
    english.get_by_label("Title").fill("First round")
    english.get_by_label("Guiding question").fill("What hinders local-national coordination?")
    desk.get_by_label("Starts at").fill("16:10")
    desk.get_by_label("Ends at").fill("16:40")
    moderator = desk.locator(".person").first
    moderator.get_by_label("Role").select_option("moderator")
    moderator.get_by_label("Name").fill("Sophie van Haasen")
    moderator.get_by_label("Title").fill("Coordinator")
    moderator.get_by_label("Organisation").fill("GFMD Mayors Mechanism")
    moderator.get_by_label("Country").select_option("NL")
    desk.get_by_role("button", name="Add to the agenda").click()
    desk.get_by_text("The segment is added to the agenda.").wait_for()
    agenda = desk.locator("ol.agenda").inner_text()
    assert f"4:10{NNBSP}PM {DASH} 4:40{NNBSP}PM" in agenda
    assert "What hinders local-national coordination?" in agenda
    assert "Moderator: Sophie van Haasen" in agenda

    # Published from the details page.
    desk.get_by_role("link", name="Details").click()
    desk.get_by_role("button", name="Publish", exact=True).click()
    desk.get_by_text("The event is published.").wait_for()
    event_path = desk.evaluate("location.pathname")
    assert re.fullmatch(r"/events/\d+", event_path)

    # A first member takes the single place.
    log_in(page, first.email)
    page.goto(event_path)
    page.get_by_role("button", name="Register").click()
    page.get_by_text("You are registered. A confirmation is on its way by email.").wait_for()

    # In Bogotá, the list shows the event in her time, and in the event's own.
    bogota = open_page("America/Bogota")
    log_in(bogota, ana.email)
    bogota.goto("/events/")
    card = bogota.locator(".event-list li", has=bogota.get_by_role("link", name=TITLE))
    when = card.locator("p", has=bogota.locator("time")).inner_text()
    weekday = format_date(day, "full", locale="en")
    assert f"{weekday}, 10:00{NNBSP}AM {DASH} 12:00{NNBSP}PM (Colombia Time)" in when
    assert (
        f"{weekday}, 4:00{NNBSP}PM {DASH} 6:00{NNBSP}PM in the event's time zone "
        "(Central European Time)"
    ) in when
    assert "Full: waiting list open" in card.inner_text()

    # She joins the waiting list, with Spanish interpretation.
    card.get_by_role("link", name=TITLE).click()
    bogota.wait_for_url(f"**{event_path}")
    assert "Guiding question: What hinders local-national coordination?" in (
        bogota.locator("ol.agenda").inner_text()
    )
    assert f"10:10{NNBSP}AM {DASH} 10:40{NNBSP}AM" in bogota.locator("ol.agenda").inner_text()
    bogota.get_by_label("Interpretation language").select_option(label="Spanish")
    bogota.get_by_role("button", name="Join the waiting list").click()
    bogota.get_by_text("You are number 1 on the waiting list.").wait_for()
    assert bogota.get_by_role("link", name=JOIN_URL).count() == 0

    # The event goes into her calendar, in the organiser's zone, with a reminder.
    with bogota.expect_download() as download_info:
        bogota.get_by_role("link", name="Add to your calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), encoding="utf-8") as handle:
        ics = handle.read()
    assert "BEGIN:VCALENDAR" in ics
    assert "DTSTART;TZID=Europe/Paris:" in ics
    assert "BEGIN:VALARM" in ics

    # The first member cancels; the place goes to the first person waiting.
    page.reload()
    page.get_by_role("button", name="Cancel my registration").click()
    page.get_by_text("Your registration is cancelled.").wait_for()

    bogota.reload()
    bogota.get_by_text("You are registered.", exact=True).wait_for()
    assert "Interpretation: Spanish." in bogota.locator("#registration").inner_text()
    assert bogota.get_by_role("link", name=JOIN_URL).is_visible()

    subjects = [message.subject for message in outbox(live_app, to=ana.email)]
    assert f"A place is yours: {TITLE}" in subjects


def test_a_visitor_also_sees_the_time_in_the_browser_s_zone(open_page, live_app):
    from datetime import datetime

    from tests.community.events.helpers import make_event

    # 15:00 UTC in mid-January: 16:00 in Paris, 23:00 in Manila.
    start = datetime(date.today().year + 1, 1, 15, 15)
    event = make_event(live_app, starts_at=start, ends_at=start.replace(hour=17))
    visitor = open_page("Asia/Manila")
    visitor.goto(f"/events/{event.id}")
    local = visitor.locator("[data-local-time]")
    expect(local).to_be_visible()
    assert re.search(r"Your time: .*11:00\s?PM", local.inner_text()), local.inner_text()
    # In the event's own zone, the line stays hidden: there is nothing to add.
    paris = open_page("Europe/Paris")
    paris.goto(f"/events/{event.id}")
    assert not paris.locator("[data-local-time]").is_visible()
