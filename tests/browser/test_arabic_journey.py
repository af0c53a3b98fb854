"""An Arabic-speaking official, on a phone whose browser asks for Arabic, goes from sign-up to
certificate in Arabic, right to left: sign up, confirm, log in, create the city's profile,
submit an action, enrol, pass the last quiz and download the certificate. Every button and
label is found by its Arabic text (from the catalogue), so an untranslated one fails the test;
each step is kept as a screenshot (build/screenshots/ar-journey-*.png)."""

import re

import pytest
from flask_babel import force_locale, gettext

from cta_learning.accounts.models import User
from cta_learning.courses import operations, progress
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.browser.conftest import SCREENSHOTS, new_page, overflowing, screenshot
from tests.browser.test_course_journey import answer_quiz
from tests.conftest import outbox
from tests.courses.helpers import SLUG, course_lessons, import_shipped, lesson_text, shipped_files

pytestmark = pytest.mark.browser

NAME = "ليلى حداد"
EMAIL = "layla@amman.example.org"
PASSWORD = "كلمة سر طويلة 2026"
CITY = "أمانة عمان الكبرى"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")


@pytest.fixture
def phone(browser, live_server):
    """A phone (390 px) whose browser asks for Arabic, in Amman's time zone."""
    page = new_page(browser, live_server, phone=True, locale="ar", zone="Asia/Amman")
    yield page
    page.context.close()


def ar(app, message: str, **values: object) -> str:
    """The Arabic text of an interface message; an untranslated one stops the test."""
    with app.test_request_context(), force_locale("ar"):
        text = gettext(message, **values)
    assert ARABIC_LETTER.search(text), f"not translated into Arabic: {message!r}"
    return text


def step(page, name: str) -> None:
    """The page is Arabic and right to left, keeps within the phone's width, and is kept."""
    page.wait_for_load_state()
    assert page.evaluate("[document.documentElement.lang, document.documentElement.dir]") == [
        "ar",
        "rtl",
    ], name
    assert overflowing(page) == [], name
    screenshot(page, f"ar-journey-{name}")


def test_from_sign_up_to_certificate_in_arabic_on_a_phone(phone, live_app):
    import_shipped(live_app)
    page, t = phone, (lambda message, **values: ar(live_app, message, **values))

    page.goto("/")
    step(page, "01-home")
    page.get_by_role("link", name=t("Sign up")).first.click()
    page.get_by_label(t("Your name")).fill(NAME)
    page.get_by_label(t("Email")).fill(EMAIL)
    page.get_by_label(t("Password"), exact=True).fill(PASSWORD)
    page.get_by_label(t("Repeat the password")).fill(PASSWORD)
    assert page.get_by_label(t("Time zone")).input_value() == "Asia/Amman"
    step(page, "02-sign-up")
    page.get_by_role("button", name=t("Create my account")).click()
    page.get_by_role("heading", name=t("Check your inbox")).wait_for()
    step(page, "03-check-your-inbox")

    # The confirmation email is Arabic, right to left.
    [message] = outbox(live_app, to=EMAIL)
    assert ARABIC_LETTER.search(message.subject)
    assert 'dir="rtl"' in message.body_html
    link = re.search(r"https://learning\.example\.org(/confirm/\S+)", message.body_text).group(1)
    page.goto(link)
    page.get_by_text(t("Your email address is confirmed. You can log in.")).wait_for()
    page.get_by_label(t("Email")).fill(EMAIL)
    page.get_by_label(t("Password")).fill(PASSWORD)
    step(page, "04-log-in")
    page.get_by_role("button", name=t("Log in")).click()
    page.get_by_role("heading", name=t("Hello, %(name)s", name=NAME)).wait_for()
    step(page, "05-dashboard")

    # The city's profile.
    page.get_by_role("link", name=t("Create a profile")).click()
    page.get_by_label(t("Local or regional government")).check()
    page.get_by_label(t("Name of the organisation")).fill(CITY)
    page.get_by_label(t("Country"), exact=True).select_option("JO")
    step(page, "06-profile-form")
    page.get_by_role("button", name=t("Create the profile")).click()
    page.get_by_role("heading", name=CITY).wait_for()
    assert "الأردن" in page.content()  # Jordan, named in Arabic
    step(page, "07-profile")

    # An action, step by step.
    page.goto("/dashboard")
    page.get_by_role("button", name=t("Start an action")).first.click()
    page.get_by_label(t("Title of the action")).fill("مكاتب ترحيب في الأحياء")
    page.get_by_label(t("Description")).fill("مكاتب في كل حي تساعد **القادمين الجدد**.")
    step(page, "08-action-step-1")
    page.get_by_role("button", name=t("Save and continue")).click()
    page.get_by_label(t("Start date")).fill("2023-10-01")
    page.get_by_label(t("Ongoing, with no planned end date")).check()
    page.get_by_role("button", name=t("Save and continue")).click()
    page.get_by_label(t("Migrants"), exact=True).check()
    page.get_by_label(t("Refugees"), exact=True).check()
    page.locator("input[name=priorities]").first.check()
    step(page, "09-action-step-3")
    page.get_by_role("button", name=t("Save and continue")).click()
    page.get_by_role("button", name=t("Save and continue")).click()  # partners: none
    step(page, "10-action-review")
    page.get_by_role("button", name=t("Submit the action")).click()
    page.get_by_role("heading", name=t("Open to you")).wait_for()
    step(page, "11-benefits-open")

    # The course: titles in Arabic; enrolled, every lesson but the last done (here, quickly).
    title = shipped_files().course["title"]["ar"]
    page.goto("/courses/")
    page.get_by_role("link", name=title).first.click()
    step(page, "12-syllabus")
    page.get_by_role("button", name=t("Enrol in the course")).click()
    page.wait_for_url(f"**/courses/{SLUG}/welcome/")
    assert page.locator("main h1").inner_text().strip() == lesson_text("welcome", "ar")["title"]
    step(page, "13-welcome-lesson")
    slugs = [slug for slug, _ in course_lessons(live_app)]
    with live_app.app_context():
        user = db.session.scalars(db.select(User).filter_by(email=EMAIL)).one()
        course = operations.course_by_slug(SLUG)
        enrolment = operations.enrolment_for(user, course)
        done = progress.progress_for(course, enrolment)
        for lesson in course.lessons[:-1]:  # as their pages would (tested in English)
            progress.lesson_row(done, lesson).completed_at = utcnow()
        db.session.commit()

    # The last quiz: its text in English (marked), its frame in Arabic.
    last = slugs[-1]
    page.goto(f"/courses/{SLUG}/{last}/")
    assert page.locator("#fallback").is_visible()
    step(page, "14-last-quiz")
    answer_quiz(page, last, right=True)
    step(page, "15-quiz-passed")
    page.locator(f"a.button[href$='/courses/{SLUG}/certificate']").click()
    page.wait_for_url(f"**/courses/{SLUG}/certificate")
    assert page.locator(".certificate-name").inner_text() == NAME
    assert page.locator(".certificate-course").inner_text() == title
    step(page, "16-certificate")

    with page.expect_download() as started:
        page.locator(f'a[href="/courses/{SLUG}/certificate.pdf"]').click()
    with open(started.value.path(), "rb") as handle:
        document = handle.read()
    assert document.startswith(b"%PDF-")
    (SCREENSHOTS / "ar-journey-17-certificate.pdf").write_bytes(document)

    # The certificate's email came in Arabic too.
    [email] = [
        m for m in outbox(live_app, to=EMAIL) if m.body_html and "certificate" in m.body_text
    ]
    assert ARABIC_LETTER.search(email.subject)
