"""A learner plays the course's podcast and video: the files load in the browser (length known,
captions read), seeking works, at desktop width in English and on a phone in French."""

import pytest

from cta_learning.accounts.models import User
from cta_learning.courses.models import Lesson
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories
from tests.courses.helpers import SLUG, import_shipped, unlock

pytestmark = pytest.mark.browser

LOADED = """(element) => {
    const tracks = [...element.textTracks];
    return element.readyState >= 1 && element.duration > 0
        && tracks.length > 0 && tracks.every((t) => t.mode === "disabled" || (t.cues && t.cues.length > 0));
}"""


class ClosingEverything:
    """Keeps every response to close it at the end: werkzeug's test server skips closing a file
    when the browser drops the connection midway, as players do once they have what they need
    (gunicorn closes it), and the file left open would fail a later test with a warning."""

    def __init__(self, app):
        self.app = app
        self.responses = []

    def __call__(self, environ, start_response):
        response = self.app(environ, start_response)
        self.responses.append(response)
        return response

    def close(self) -> None:
        for response in self.responses:
            response.close()


@pytest.fixture
def live_app(live_app):
    closing = live_app.wsgi_app = ClosingEverything(live_app.wsgi_app)
    yield live_app
    closing.close()


def load_metadata(page, selector: str) -> float:
    """Ask the player for its file's metadata (the page asks for none before play) and wait."""
    player = page.locator(selector)
    player.evaluate("(element) => { element.preload = 'metadata'; element.load(); }")
    page.wait_for_function(LOADED, arg=player.element_handle())
    return player.evaluate("(element) => element.duration")


def seek(page, selector: str, seconds: float) -> None:
    """Jump into the recording (a range request) and wait for the frame and caption there."""
    page.locator(selector).evaluate(
        """(element, seconds) => new Promise((done) => {
            element.addEventListener('seeked', done, {once: true});
            element.currentTime = seconds;
        })""",
        seconds,
    )
    page.wait_for_function(
        "(element) => element.readyState >= 2", arg=page.locator(selector).element_handle()
    )


def prepare(live_app):
    """The course imported, two enrolled-to-be members of an unlocked city, the video open."""
    import_shipped(live_app)
    make = Factories(live_app)
    organisation = make.organisation(name="Dakar", country="SN", region="africa")
    english, _ = make.member(organisation, email="awa@dakar.example.org", locale="en")
    french, _ = make.member(organisation, role="member", email="moussa@dakar.example.org")
    unlock(live_app, organisation)
    with live_app.app_context():
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "compacts-explained"))
        lesson.preview = True  # the video without finishing chapter 1 first
        db.session.commit()
    return english, french


def enrol(page) -> None:
    page.goto(f"/courses/{SLUG}/")
    page.locator(f"form[action$='/{SLUG}/enrol'] button[type=submit]").click()
    page.wait_for_url(f"**/courses/{SLUG}/welcome/")


def test_the_podcast_and_the_video_play_on_a_desktop_and_a_phone(page, phone, live_app):
    english, french = prepare(live_app)

    log_in(page, english.email)
    enrol(page)
    page.goto(f"/courses/{SLUG}/cities-on-the-front-line/")
    assert load_metadata(page, "audio") > 60
    assert page.get_by_text("Download the recording").is_visible()
    assert page.locator("#media-facts").inner_text().startswith("Audio, ")
    seek(page, "audio", 95)
    caption = page.locator("#caption-line")  # a podcast's caption, drawn under its player
    caption.wait_for()
    assert caption.inner_text() in page.locator(".description").inner_text()
    screenshot(page, "lesson-podcast-en-desktop")

    page.goto(f"/courses/{SLUG}/compacts-explained/")
    assert load_metadata(page, "video") > 60
    assert page.locator("video").evaluate("(v) => v.textTracks[0].mode") == "showing"
    seek(page, "video", 40)
    page.wait_for_function("() => document.querySelector('video').videoWidth === 640")
    screenshot(page, "lesson-video-en-desktop")

    log_in(phone, french.email)
    with live_app.app_context():
        db.session.get(User, french.id).locale = "fr"
        db.session.commit()
    enrol(phone)
    phone.goto(f"/courses/{SLUG}/cities-on-the-front-line/")
    assert (
        phone.locator("audio")
        .get_attribute("src")
        .startswith("/courses/media/cities-on-the-front-line.fr.opus")
    )
    assert load_metadata(phone, "audio") > 60
    assert phone.locator("track[default]").get_attribute("srclang") == "fr"
    assert overflowing(phone) == []
    screenshot(phone, "lesson-podcast-fr-390")

    phone.goto(f"/courses/{SLUG}/compacts-explained/")
    assert load_metadata(phone, "video") > 60
    seek(phone, "video", 40)
    assert phone.locator("video").bounding_box()["width"] <= 390
    assert overflowing(phone) == []
    screenshot(phone, "lesson-video-fr-390")
