"""The course for an Arabic reader: its titles and welcome lesson in Arabic, the rest in English."""

from markupsafe import escape

from cta_learning.languages import PLATFORM
from tests.courses.helpers import SLUG, lesson_text, right_answers, shipped_files
from tests.courses.test_learning import finish_lessons
from tests.hostile import page_text

COURSE = f"/courses/{SLUG}"


def test_the_course_holds_its_titles_and_welcome_lesson_in_arabic():
    files = shipped_files()
    assert "ar" in PLATFORM
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
    # The English texts keep their direction; the page's own words around them keep Arabic's.
    assert '<div class="description" lang="en" dir="ltr">' in response.text
    assert '<html lang="ar" dir="rtl">' in response.text
    assert lesson_text("people-on-the-move")["title"] in page_text(response)
    welcome = client.get(f"{COURSE}/welcome/")
    assert 'id="fallback"' not in welcome.text
    assert lesson_text("welcome", "ar")["title"] in page_text(welcome)


def test_an_english_quiz_and_its_answers_read_left_to_right_inside_the_arabic_page(
    app, client, learner
):
    client.post("/account/language", data={"lang": "ar", "next": "/"})
    finish_lessons(client, app, until="chapter-1-quiz")
    quiz = client.get(f"{COURSE}/chapter-1-quiz/").text
    [question] = lesson_text("chapter-1-quiz")["questions"][:1]
    assert f'1. <bdi lang="en" dir="ltr">{escape(question["prompt"])}</bdi>' in quiz
    assert f'<bdi lang="en" dir="ltr">{escape(question["choices"][0]["text"])}</bdi>' in quiz
    answered = client.post(f"{COURSE}/chapter-1-quiz/answers", data=right_answers("chapter-1-quiz"))
    result = client.get(answered.headers["Location"]).text
    assert f'<p lang="en" dir="ltr"><strong>{escape(question["prompt"])}</strong></p>' in result
    assert 'class="feedback" lang="en" dir="ltr"' in result
    # Its title in the breadcrumb and above the score, isolated and labelled as English.
    title = escape(lesson_text("chapter-1-quiz")["title"])
    assert f'<bdi lang="en">{title}</bdi>' in result


def test_a_lesson_title_in_the_readers_language_is_not_marked(app, client, learner):
    client.post("/account/language", data={"lang": "fr", "next": "/"})
    syllabus = client.get(f"{COURSE}/").text
    assert escape(lesson_text("people-on-the-move", "fr")["title"]) in syllabus
    assert "<bdi lang=" not in syllabus


def test_the_catalogue_names_the_courses_languages_in_the_readers(client, course):
    pages = {
        language: page_text(client.get(f"/courses/?lang={language}"))
        for language in ("en", "fr", "ar")
    }
    assert "In English, French, and Spanish" in pages["en"]
    assert "En anglais, français et espagnol" in pages["fr"]
    assert "باللغات: الإنجليزية والفرنسية والإسبانية" in pages["ar"]
