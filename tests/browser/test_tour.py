"""Every page of a city's journey, in each of the platform's languages (Arabic right to left),
at desktop and phone width: each answers in the language asked for, in its direction, and
nothing on it runs off the side of the window.

The screenshots (build/screenshots/tour-<language>-<width>-<page>.png) are what a person checks
by eye before a release."""

import pytest

from cta_learning.courses import operations as courses
from cta_learning.courses.models import Course
from cta_learning.extensions import db
from cta_learning.languages import PLATFORM, direction
from tests.actions.helpers import make_action
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.community.events.helpers import make_event
from tests.conftest import Factories
from tests.courses.helpers import SLUG, import_shipped, unlock

pytestmark = pytest.mark.browser

EMAIL = "ana.lucia@medellin.example.org"


@pytest.fixture
def city(live_app) -> dict[str, str]:
    """A city that submitted an action, is unlocked, follows the course, comes to an event and
    is subscribed to the mailing list by the unlock; with a second action in draft. Returns the pages to visit."""
    import_shipped(live_app)
    make = Factories(live_app)
    member, medellin = make.member(
        make.organisation(name="Medellín", country="CO", region="americas"),
        email=EMAIL,
        name="Ana Lucía Restrepo",
        locale="en",
    )
    published = make_action(live_app, medellin, member, status="published")
    draft = make_action(live_app, medellin, member, title="Un nuevo centro de acogida")
    unlock(live_app, medellin)
    event = make_event(live_app)
    with live_app.app_context():
        course = db.session.scalars(db.select(Course)).one()
        courses.enrol(db.session.merge(member), course)
        db.session.commit()
    return {
        "home": "/",
        "priorities": "/priorities",
        "faq": "/faq",
        "courses": "/courses/",
        "syllabus": f"/courses/{SLUG}/",
        "lesson": f"/courses/{SLUG}/welcome/",
        "quiz": f"/courses/{SLUG}/chapter-1-quiz/",
        "repository": "/actions/",
        "action": f"/actions/{published}",
        "events": "/events/",
        "event": f"/events/{event.id}",
        "my-events": "/events/mine",
        "mailing": "/mailing/",
        "mgi": "/mgi/",
        "dashboard": "/dashboard",
        "account": "/account",
        "organisation": "/organisation",
        "organisation-form": "/organisation/edit",
        "my-actions": "/my/actions/",
        "draft-step": f"/my/actions/{draft}/about",
        "draft-review": f"/my/actions/{draft}",
        "certificate-check": "/certificates/",
    }


@pytest.mark.parametrize("language", PLATFORM)
@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_every_page_of_the_journey_speaks_the_language_and_fits(request, city, language, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    log_in(page, EMAIL)
    if language != "en":  # as a person would: the switcher saves the choice
        page.locator(f'.languages button[value="{language}"]').click()
        page.wait_for_function(f"document.documentElement.lang === '{language}'")
    problems = []
    for name, path in city.items():
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems.append(f"{name}: answered {response and response.status}")
            continue
        if page.evaluate("[document.documentElement.lang, document.documentElement.dir]") != [
            language,
            "rtl" if direction(language) == "rtl" else "",
        ]:
            problems.append(f"{name}: not in {language}, {direction(language)}")
        wide = overflowing(page)
        if wide:
            problems.append(f"{name}: wider than the window: {wide[:5]}")
        screenshot(page, f"tour-{language}-{width}-{name}")
    assert problems == []
