"""The content in Arabic, seen in the browser: the course's titles and welcome lesson, a lesson
shown in English (marked, left to right inside the right-to-left page), the priority areas and
the FAQ, at desktop and phone width."""

import pytest

from cta_learning.courses import operations as courses
from cta_learning.courses.models import Course
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories
from tests.courses.helpers import SLUG, import_shipped, unlock

pytestmark = pytest.mark.browser

COURSE = f"/courses/{SLUG}"
EMAIL = "rania@amman.example.org"
WIDTHS = ["desktop", "phone"]


def _page(request, width):
    return request.getfixturevalue("page" if width == "desktop" else "phone")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_course_title_chapters_and_welcome_in_arabic(request, live_app, width):
    import_shipped(live_app)
    page = _page(request, width)
    page.goto(f"{COURSE}/?lang=ar")
    page.get_by_text("التنقل البشري ودور الحكومات المحلية والإقليمية").first.wait_for()
    assert "توطين الميثاقين العالميين" in page.locator("h1").inner_text()
    assert overflowing(page) == []
    screenshot(page, f"content-ar-syllabus-{width}")
    page.goto(f"{COURSE}/welcome/")
    assert page.locator("h1").inner_text() == "مرحبًا بكم في الدورة"
    assert page.locator("#fallback").count() == 0
    assert page.locator("article.lesson").evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert overflowing(page) == []
    screenshot(page, f"content-ar-welcome-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_a_lesson_without_arabic_shows_its_english_left_to_right_with_the_notice(
    request, live_app, width
):
    import_shipped(live_app)
    make = Factories(live_app)
    member, amman = make.member(
        make.organisation(name="أمانة عمان الكبرى", country="JO", region="asia"),
        email=EMAIL,
        name="رانيا منصور",
        locale="ar",
    )
    unlock(live_app, amman)
    with live_app.app_context():
        courses.enrol(db.session.merge(member), db.session.scalars(db.select(Course)).one())
        db.session.commit()
    page = _page(request, width)
    log_in(page, EMAIL)
    page.goto(f"{COURSE}/people-on-the-move/")
    assert page.locator("#fallback").is_visible()
    text = page.locator("article.lesson .description")
    assert text.get_attribute("lang") == "en"
    assert text.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert page.evaluate("document.documentElement.dir") == "rtl"
    # The page's own words around the English text (the button) stay right to left.
    button = page.locator("article.lesson form button[type=submit]")
    assert button.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert overflowing(page) == []
    screenshot(page, f"content-ar-fallback-lesson-{width}")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_priority_areas_and_the_faq_in_arabic(request, live_app, width):
    page = _page(request, width)
    page.goto("/priorities?lang=ar")
    page.get_by_role("heading", name="حماية الفئات الأكثر ضعفًا").wait_for()
    assert overflowing(page) == []
    screenshot(page, f"content-ar-priorities-{width}")
    page.goto("/faq")
    page.get_by_text("كيف تنضم حكومتنا إلى النداء؟").click()  # opens the answer
    page.locator("#how-to-join strong").first.wait_for()  # the answer, open
    assert overflowing(page) == []
    screenshot(page, f"content-ar-faq-{width}")
