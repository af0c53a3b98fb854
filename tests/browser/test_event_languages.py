"""An organiser writes an event and its agenda in English and French, with a speaker's
biography; a French reader on a phone sees it in French, a Spanish one in English with a note."""

import re

import pytest

from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories

pytestmark = pytest.mark.browser

TITLE = "Welcoming cities: a peer exchange"
TITRE = "Villes accueillantes : un échange entre pairs"
BIOGRAPHY = "Mayor of Sala, Sweden, since 2010; vice-president of UCLG for migration."


def test_an_event_in_two_languages_read_in_french_on_a_phone(page, phone, live_app):
    organiser = Factories(live_app).user(
        role="organiser", email="organiser@example.org", timezone="Europe/Paris", locale="en"
    )
    log_in(page, organiser.email)
    page.goto("/manage/events/new")
    assert page.get_by_label("Language the event is written in").input_value() == "en"
    english = page.get_by_role("group", name="English", exact=True)
    english.get_by_label("Title").fill(TITLE)
    english.get_by_label("Summary").fill("Cities share how they welcome newcomers.")
    english.get_by_label("Description").fill("Three cities tell what **worked** for them.")
    # French is optional and folded away until opened.
    french = page.get_by_role("group", name="French", exact=True)
    assert not french.get_by_label("Title").is_visible()
    page.locator("details.language-texts summary", has_text="French").click()
    french.get_by_label("Title").fill(TITRE)
    french.get_by_label("Summary").fill("Des villes racontent comment elles accueillent.")
    page.get_by_label("Start date").fill("2031-03-12")
    page.get_by_label("Start time").fill("14:00")
    page.get_by_label("End date").fill("2031-03-12")
    page.get_by_label("End time").fill("16:00")
    page.get_by_label("Link to join online").fill("https://meet.example.org/welcome")
    screenshot(page, "event-form-two-languages-desktop")
    page.get_by_role("button", name="Save").click()

    page.wait_for_url(re.compile(r".*/manage/events/\d+/agenda$"))
    event_id = re.search(r"/manage/events/(\d+)/", page.url).group(1)
    english = page.get_by_role("group", name="English", exact=True)
    english.get_by_label("Title").fill("First round")
    english.get_by_label("Guiding question").fill("What made newcomers feel at home?")
    page.locator("details.language-texts summary", has_text="French").click()
    french = page.get_by_role("group", name="French", exact=True)
    french.get_by_label("Title").fill("Premier tour")
    french.get_by_label("Guiding question").fill("Qu'est-ce qui a aidé les nouveaux venus ?")
    page.get_by_label("Starts at").fill("14:10")
    page.get_by_label("Ends at").fill("14:40")
    speaker = page.locator(".person").first
    speaker.get_by_label("Name").fill("Carola Gunnarsson")
    speaker.get_by_label("Short biography").fill(BIOGRAPHY)
    page.get_by_role("button", name="Add to the agenda").click()
    page.get_by_text("The segment is added to the agenda.").wait_for()
    page.get_by_role("link", name="Details").click()
    page.get_by_role("button", name="Publish").click()
    page.get_by_text("The event is published.").wait_for()
    screenshot(page, "event-en-detail-desktop")

    # A French reader on a phone: the list and the page in French, the biography as written.
    phone.goto("/events/?lang=fr")
    card = phone.locator(".event-list li", has_text=TITRE)
    assert "Des villes racontent" in card.inner_text()
    assert card.locator(".written-in").count() == 0
    assert overflowing(phone) == []
    screenshot(phone, "event-fr-list-390")
    card.get_by_role("link", name=TITRE).click()
    phone.wait_for_url(re.compile(rf".*/events/{event_id}$"))
    assert phone.locator("h1").inner_text() == TITRE
    agenda = phone.locator("ol.agenda").inner_text()
    assert "Premier tour" in agenda and "Qu'est-ce qui a aidé" in agenda
    assert BIOGRAPHY in agenda
    assert phone.locator("p.biography").get_attribute("lang") == "en"
    assert overflowing(phone) == []
    screenshot(phone, "event-fr-detail-390")

    # Nobody wrote it in Spanish: the English original, marked.
    phone.goto(f"/events/{event_id}?lang=es")
    assert phone.locator("h1").inner_text() == TITLE
    assert phone.locator("h1").get_attribute("lang") == "en"
    assert phone.locator(".notice.written-in").is_visible()
    assert overflowing(phone) == []
    screenshot(phone, "event-es-written-in-english-390")
