"""A member of an unlocked city enrols in the MOOC, reads a lesson, fails then passes a quiz,
plays a game without JavaScript, completes the course in Spanish, and a visitor verifies the
certificate with its code."""

import re

import pytest

from tests.browser.conftest import log_in
from tests.conftest import Factories
from tests.courses.helpers import (
    SLUG,
    course_lessons,
    import_shipped,
    lesson_text,
    shipped_files,
    unlock,
)

pytestmark = pytest.mark.browser

TITLES = shipped_files().course["title"]
COURSE_TITLE = TITLES["en"]
NAME = "María Fernanda Rojas"
EMAIL = "learner@bogota.example.org"

# Course buttons found by their form rather than their words: the Spanish catalogue may not
# translate them yet, and the test must not depend on it.
DONE_BUTTON = "form[action$='/done'] button[type=submit]"
QUIZ_BUTTON = "form.quiz button[type=submit]"


def heading(page) -> str:
    return page.locator("main h1").inner_text().strip()


def expect_lesson(page, slug, language="en"):
    page.wait_for_url(f"**/courses/{SLUG}/{slug}/")
    assert heading(page) == lesson_text(slug, language)["title"]


def answer_quiz(page, slug, right, language="en"):
    """Tick the choices by their visible text, question by question, and send."""
    for question in lesson_text(slug, language)["questions"]:
        choices = question["choices"]
        chosen = (
            [choice for choice in choices if choice["correct"]]
            if right
            else [next(choice for choice in choices if not choice["correct"])]
        )
        fieldset = page.locator(f"#question-{question['id']}")
        for choice in chosen:
            fieldset.get_by_label(choice["text"], exact=True).check()
    page.locator(QUIZ_BUTTON).click()
    page.wait_for_url(f"**/courses/{SLUG}/{slug}/attempts/*")


def test_enrol_learn_play_without_scripts_finish_in_spanish_and_verify(
    page, browser, live_server, live_app
):
    import_shipped(live_app)
    make = Factories(live_app)
    member, bogota = make.member(
        make.organisation(name="Bogotá", country="CO", region="americas"),
        email=EMAIL,
        name=NAME,
        locale="en",
    )
    unlock(live_app, bogota)
    lessons = course_lessons(live_app)
    slugs = [slug for slug, _ in lessons]
    kinds = dict(lessons)

    # Enrol from the catalogue; the first lesson opens.
    log_in(page, member.email)
    page.goto("/courses/")
    page.get_by_role("link", name=COURSE_TITLE).click()
    page.get_by_role("heading", name=COURSE_TITLE).wait_for()
    page.get_by_role("button", name="Enrol in the course").click()
    expect_lesson(page, "welcome")
    assert page.get_by_text("You are enrolled. Welcome to the course!").is_visible()

    # Chapter 1: readings and a podcast, each marked as done.
    chapter_1 = slugs[: slugs.index("chapter-1-quiz")]
    for slug in chapter_1:
        expect_lesson(page, slug)
        if kinds[slug] == "podcast":
            assert page.get_by_role("heading", name="Transcript").is_visible()
        page.get_by_role("button", name="Mark as done and continue").click()
    expect_lesson(page, "chapter-1-quiz")

    # The quiz, answered wrong: below the pass mark, with feedback but no right answers.
    answer_quiz(page, "chapter-1-quiz", right=False)
    result = page.locator("#result").inner_text()
    assert "You scored 0%" in result
    assert "the pass mark is 70%" in result
    assert page.locator(".result.wrong").count() == len(lesson_text("chapter-1-quiz")["questions"])
    assert page.get_by_text("The right answers are shown once you pass the quiz.").is_visible()

    # Tried again, answered right: passed, and chapter 2 opens.
    page.get_by_role("link", name="Try again").click()
    expect_lesson(page, "chapter-1-quiz")
    assert "not passed" in page.locator("#attempts-heading + p + ul").inner_text()
    answer_quiz(page, "chapter-1-quiz", right=True)
    assert "You scored 100%: you passed (pass mark 70%)." in page.locator("#result").inner_text()
    page.get_by_role("link", name="Next lesson").click()

    game = "match-the-compacts"
    for slug in slugs[slugs.index("two-compacts") : slugs.index(game)]:
        expect_lesson(page, slug)
        page.get_by_role("button", name="Mark as done and continue").click()
    expect_lesson(page, game)

    # The game, played on another device with JavaScript turned off: plain selects.
    no_script = browser.new_context(
        base_url=live_server.url,
        locale="en-GB",
        timezone_id="America/Bogota",
        java_script_enabled=False,
    )
    no_script.set_default_timeout(10_000)
    try:
        plain = no_script.new_page()
        log_in(plain, member.email)
        plain.goto(f"/courses/{SLUG}/{game}/")
        expect_lesson(plain, game)
        assert plain.locator(".game-status").inner_text() == ""  # game.js did not run
        pairs = lesson_text(game)["game"]["pairs"]
        # Every pair right but the first two, swapped.
        rights = [pair["right"] for pair in pairs]
        rights[0], rights[1] = rights[1], rights[0]
        for pair, right in zip(pairs, rights, strict=True):
            plain.get_by_label(pair["left"], exact=True).select_option(label=right)
        plain.get_by_role("button", name="Check my answers").click()
        plain.wait_for_url(f"**/courses/{SLUG}/{game}/attempts/*")
        assert plain.get_by_role("heading", name="Your answers").is_visible()
        assert "80% of your answers are right." in plain.locator("#result").inner_text()
        assert plain.locator(".result.wrong").count() == 2
        assert plain.locator(".result.right").count() == len(pairs) - 2
        for pair in pairs:
            assert plain.get_by_text(pair["feedback"], exact=True).is_visible()
    finally:
        no_script.close()

    # Back on the first device, the syllabus resumes after the game.
    page.get_by_role("link", name=COURSE_TITLE).first.click()
    following = slugs[slugs.index(game) + 1]
    page.get_by_role("link", name=f"Continue: {lesson_text(following)['title']}").click()
    expect_lesson(page, following)

    # The member switches the site to Spanish; the lesson is shown again in Spanish.
    page.locator(".languages").get_by_role("button", name="Español").click()
    expect_lesson(page, following, "es")
    assert page.locator("html").get_attribute("lang") == "es"

    # The rest of the course, in Spanish, following the site from lesson to lesson.
    for slug in slugs[slugs.index(following) :]:
        expect_lesson(page, slug, "es")
        assert page.locator("#fallback").count() == 0
        kind = kinds[slug]
        if kind == "quiz":
            answer_quiz(page, slug, right=True, language="es")
            assert "100%" in page.locator("#result").inner_text()
            if slug == slugs[-1]:
                page.locator(f"a.button[href$='/courses/{SLUG}/certificate']").click()
            else:
                page.locator(f"a.button[href$='/{slugs[slugs.index(slug) + 1]}/']").click()
        elif kind == "game":
            for item in lesson_text(slug, "es")["game"]["items"]:
                page.locator(f"select[name=answer-{item['id']}]").select_option(item["category"])
            page.locator("form.game button[type=submit]").click()
            page.wait_for_url(f"**/courses/{SLUG}/{slug}/attempts/*")
            assert "100%" in page.locator("#result").inner_text()
            page.locator(f"a.button[href$='/{slugs[slugs.index(slug) + 1]}/']").click()
        else:
            page.locator(DONE_BUTTON).click()

    # The certificate, with the member's name and a code.
    page.wait_for_url(f"**/courses/{SLUG}/certificate")
    assert page.locator(".certificate-name").inner_text() == NAME
    assert page.locator(".certificate-course").inner_text() == TITLES["es"]
    match = re.search(
        r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b", page.locator(".certificate-code").inner_text()
    )
    assert match is not None
    code = match.group(1)
    page.locator("form[action$='/logout'] button[type=submit]").click()
    page.wait_for_url("**/")

    # A visitor checks the code, typed in lower case: the certificate is genuine.
    page.goto("/certificates/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_label("Certificate code").fill(code.lower())
    page.get_by_role("button", name="Check").click()
    page.wait_for_url(f"**/certificates/{code}")
    assert "This certificate is genuine" in page.locator("#verdict").inner_text()
    assert page.locator(".certificate-name").inner_text() == NAME
    assert page.locator(".certificate-course").inner_text() == COURSE_TITLE

    # A code no certificate carries: not found.
    page.goto("/certificates/")
    page.get_by_label("Certificate code").fill("ZZZZ-ZZZZ-ZZZZ")
    with page.expect_navigation(url="**/certificates/ZZZZ-ZZZZ-ZZZZ") as navigation:
        page.get_by_role("button", name="Check").click()
    assert navigation.value.status == 404
    assert "No certificate has the code ZZZZ-ZZZZ-ZZZZ" in page.locator("#verdict").inner_text()
