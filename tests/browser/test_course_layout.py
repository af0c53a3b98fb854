"""The course reads well on a phone: long quiz questions stay in their box, and the syllabus
names the priority areas a chapter serves rather than their numbers."""

import copy

import pytest

from cta_learning.courses import operations
from cta_learning.courses.importing import import_course
from cta_learning.courses.models import Course
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories
from tests.courses.helpers import SLUG, shipped_files, unlock

pytestmark = pytest.mark.browser

QUIZ = "chapter-1-quiz"
# A question as officials write them: long, with an address that has no place to break.
LONG_WORD = "https://www.example.org/" + "localmigrationgovernance" * 5
LONG_PROMPT = (
    "Which of these statements about the Global Compact for Safe, Orderly and Regular "
    "Migration and the role of local and regional governments in its implementation, "
    f"follow-up and review is right (see {LONG_WORD})?"
)

BOXED = """() => [...document.querySelectorAll('fieldset.question')]
    .filter((box) => {
        const edge = box.getBoundingClientRect().right;
        return [...box.querySelectorAll('*')].some((e) => e.getBoundingClientRect().right > edge + 1);
    })
    .map((box) => box.id)"""


def _course_with_a_long_question(app) -> None:
    files = shipped_files()
    files.lessons = dict(files.lessons)
    for language in files.languages:
        text = copy.deepcopy(files.lessons[(QUIZ, language)])
        text["questions"][0]["prompt"] = LONG_PROMPT
        text["questions"][0]["choices"][0]["text"] = LONG_PROMPT
        files.lessons[(QUIZ, language)] = text
    with app.app_context():
        import_course(files)
        db.session.commit()


@pytest.mark.parametrize("language", ["en", "fr", "es"])
def test_a_long_quiz_question_stays_in_its_box_on_a_phone(phone, live_app, language):
    _course_with_a_long_question(live_app)
    make = Factories(live_app)
    member, city = make.member(make.organisation(name="Ciudad de México"), locale="en")
    unlock(live_app, city)
    with live_app.app_context():
        course = db.session.scalars(db.select(Course)).one()
        operations.enrol(db.session.merge(member), course)
        db.session.commit()

    log_in(phone, member.email)
    phone.goto(f"/courses/{SLUG}/{QUIZ}/?lang={language}")
    phone.locator("fieldset.question").first.wait_for()

    assert phone.evaluate(BOXED) == []
    assert overflowing(phone) == []
    screenshot(phone, f"quiz-long-question-{language}-390")

    # The feedback after answering shows the question again: it stays in the window too.
    for question in phone.locator("fieldset.question").all():
        question.locator("input").first.check()
    phone.locator("form.quiz button[type=submit]").click()
    phone.wait_for_url(f"**/courses/{SLUG}/{QUIZ}/attempts/*")
    assert overflowing(phone) == []


def test_the_syllabus_names_the_priority_areas_of_each_chapter(page, live_app):
    with live_app.app_context():
        import_course(shipped_files())
        db.session.commit()

    page.goto(f"/courses/{SLUG}/?lang=fr")

    areas = page.locator("ul.chapter-priorities a")
    assert areas.count() > 0
    first = areas.first
    assert first.inner_text().strip() != "" and not first.inner_text().strip().isdigit()
    first.click()
    page.wait_for_url("**/priorities#*")
    assert page.locator(":target").count() == 1
    screenshot(page, "syllabus-priority-areas-fr")
