"""The course for an Arabic reader: its titles and welcome lesson in Arabic, the rest in English."""

import pytest

from cta_learning.content import CONTENT_LANGUAGES
from cta_learning.languages import PLATFORM
from tests.conftest import WITH_ARABIC
from tests.courses.helpers import SLUG, lesson_text, shipped_files
from tests.hostile import page_text

COURSE = f"/courses/{SLUG}"


@pytest.fixture
def app(app):
    """The app with Arabic among the languages readers may choose, as once it is complete."""
    app.config.update(WITH_ARABIC)
    return app


def test_the_course_holds_arabic_whatever_the_platforms_languages():
    files = shipped_files()
    assert "ar" in CONTENT_LANGUAGES and set(PLATFORM) <= set(CONTENT_LANGUAGES)
    assert files.problems == [] and files.partial_languages == ["ar"]
    assert files.course["title"]["ar"].startswith("توطين الميثاقين العالميين")
    assert all("ar" in chapter["title"] for chapter in files.course["chapters"])
    assert [lesson for lesson, language in files.lessons if language == "ar"] == ["welcome"]


def test_an_arabic_visitor_reads_the_titles_and_the_welcome_lesson_in_arabic(client, course):
    syllabus = page_text(client.get(f"{COURSE}/", headers={"Accept-Language": "ar"}))
    assert "توطين الميثاقين العالميين بشأن الهجرة واللاجئين" in syllabus
    assert "التنقل البشري ودور الحكومات المحلية والإقليمية" in syllabus  # chapter 1
    assert "المجالات الثمانية ذات الأولوية، مع أمثلة من عمل المدن" in syllabus  # chapter 3
    response = client.get(f"{COURSE}/welcome/?lang=ar")
    text = page_text(response)
    assert lesson_text("welcome", "ar")["title"] in text
    assert "لمن هذه الدورة" in text and "Who the course is for" not in text
    assert 'id="fallback"' not in response.text


def test_another_lesson_is_shown_in_english_with_the_notice(app, client, learner):
    client.post("/account/language", data={"lang": "ar", "next": "/"})
    response = client.get(f"{COURSE}/people-on-the-move/")
    assert response.status_code == 200
    assert 'id="fallback"' in response.text
    assert '<article class="lesson" lang="en" dir="ltr">' in response.text
    assert lesson_text("people-on-the-move")["title"] in page_text(response)
    welcome = client.get(f"{COURSE}/welcome/")
    assert 'id="fallback"' not in welcome.text
    assert lesson_text("welcome", "ar")["title"] in page_text(welcome)
