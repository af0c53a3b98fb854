"""The platform read in Arabic, right to left: the main pages keep within the window and the
header starts at the right edge, at desktop and phone width."""

from datetime import timedelta

import pytest

from cta_learning.community.events.models import AgendaSegment
from cta_learning.courses import operations as courses
from cta_learning.courses.models import Course
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.community.events.helpers import make_event
from tests.conftest import Factories
from tests.courses.helpers import SLUG, import_shipped, unlock

pytestmark = pytest.mark.browser

EMAIL = "layla@amman.example.org"


@pytest.fixture
def city(live_app) -> dict[str, str]:
    """A member of an unlocked city, following the course, and an event with an agenda."""
    import_shipped(live_app)
    make = Factories(live_app)
    member, amman = make.member(
        make.organisation(name="أمانة عمان الكبرى", country="JO", region="asia"),
        email=EMAIL,
        name="ليلى حداد",
        locale="en",
    )
    unlock(live_app, amman)
    event = make_event(live_app, title="التعافي الشامل: تبادل بين المدن")
    with live_app.app_context():
        db.session.add(
            AgendaSegment(
                event_id=event.id,
                kind="welcome",
                title="كلمة ترحيب",
                starts_at=event.starts_at,
                ends_at=event.starts_at + timedelta(minutes=10),
            )
        )
        courses.enrol(db.session.merge(member), db.session.scalars(db.select(Course)).one())
        db.session.commit()
    return {
        "home": "/",
        "courses": "/courses/",
        "lesson": f"/courses/{SLUG}/welcome/",
        "quiz": f"/courses/{SLUG}/chapter-1-quiz/",
        "events": "/events/",
        "event": f"/events/{event.id}",
        "dashboard": "/dashboard",
        "figures": "/figures",
    }


BRAND_AT_RIGHT = """() => {
    const brand = document.querySelector('.brand').getBoundingClientRect();
    const header = document.querySelector('.header-row');
    const row = header.getBoundingClientRect(), style = getComputedStyle(header);
    return {brandRight: brand.right, rowRight: row.right - parseFloat(style.paddingRight),
            brandLeft: brand.left, rowLeft: row.left + parseFloat(style.paddingLeft)};
}"""


def _problems(page, name: str, width: str) -> list[str]:
    problems = []
    if page.evaluate("[document.documentElement.lang, document.documentElement.dir]") != [
        "ar",
        "rtl",
    ]:
        problems.append(f"{name}: not right to left in Arabic")
    wide = overflowing(page)
    if wide:
        problems.append(f"{name}: wider than the window: {wide[:5]}")
    box = page.evaluate(BRAND_AT_RIGHT)
    # The brand starts the header: at its right edge, far from its left one.
    if abs(box["brandRight"] - box["rowRight"]) > 2 or box["brandLeft"] - box["rowLeft"] < 20:
        problems.append(f"{name}: the brand is not at the right edge: {box}")
    screenshot(page, f"rtl-{name}-{width}")
    return problems


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_visitor_reads_arabic_right_to_left(request, live_app, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    page.goto("/?lang=ar")  # the switcher's link: remembered for the next pages
    problems = []
    for name, path in {"home": "/", "sign-up": "/signup", "courses": "/courses/"}.items():
        page.goto(path)
        problems += _problems(page, f"visitor-{name}", width)
    assert problems == []


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_member_reads_the_main_pages_right_to_left(request, city, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    log_in(page, EMAIL)
    page.locator('.languages button[value="ar"]').click()  # the switcher saves the setting
    page.wait_for_function("document.documentElement.dir === 'rtl'")
    problems = []
    for name, path in city.items():
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems.append(f"{name}: answered {response and response.status}")
            continue
        problems += _problems(page, name, width)
    assert problems == []
    # The agenda's line runs down the right side, where its times start.
    page.goto(city["event"])
    agenda = page.locator(".agenda").evaluate(
        "e => [getComputedStyle(e).borderRightWidth, getComputedStyle(e).borderLeftWidth]"
    )
    assert agenda == ["3px", "0px"]
