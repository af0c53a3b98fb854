"""The shipped course is valid, and every kind of mistake in a course folder is reported."""

import os
import shutil

import pytest

from cta_learning import create_app
from cta_learning.courses.content import read_course
from tests.conftest import TEST_CONFIG

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
COURSE = os.path.join(ROOT, "content", "courses", "localising-global-compacts")
PRIORITIES = frozenset(range(1, 9))


def test_the_shipped_course_is_valid_and_complete():
    result = read_course(COURSE, PRIORITIES)
    assert result.problems == []
    chapters = result.course["chapters"]
    lessons = [lesson for chapter in chapters for lesson in chapter["lessons"]]
    kinds = [lesson["kind"] for lesson in lessons]
    assert len(chapters) >= 4 and len(lessons) >= 20
    assert kinds.count("quiz") >= len(chapters) and kinds.count("game") >= 2
    assert "podcast" in kinds and "video" in kinds
    assert all(chapter["lessons"][-1]["kind"] == "quiz" for chapter in chapters)
    assert len(result.lessons) == len(lessons) * 3 + 1  # every lesson in en, fr, es; welcome in ar
    games = {
        result.lessons[(lesson["id"], "en")]["game"]["kind"]
        for lesson in lessons
        if lesson["kind"] == "game"
    }
    assert games == {"sort", "match"}


def test_check_command_reports_ok(tmp_path):
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db"})
    result = app.test_cli_runner().invoke(args=["courses", "check"])
    assert result.exit_code == 0, result.output
    assert "24 lessons in en, fr, es, 1 in ar: OK." in result.output


@pytest.fixture
def broken(tmp_path):
    """A copy of the shipped course to break."""
    target = tmp_path / "course"
    shutil.copytree(COURSE, target)
    return target


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_missing_translation_is_reported_with_its_file(broken):
    (broken / "lessons" / "welcome.es.md").unlink()
    problems = read_course(str(broken), PRIORITIES).problems
    assert any(p.endswith("welcome.es.md: missing file") for p in problems)


def test_a_partial_language_needs_only_the_lessons_written_in_it(broken):
    course = broken / "course.yaml"
    assert read_course(str(broken), PRIORITIES).problems == []  # welcome only
    (broken / "lessons" / "two-compacts.ar.md").write_text("no header", encoding="utf-8")
    [problem] = read_course(str(broken), PRIORITIES).problems  # a lesson written is checked
    assert problem.endswith("two-compacts.ar.md: no YAML header between --- lines")
    (broken / "lessons" / "two-compacts.ar.md").unlink()
    (broken / "lessons" / "welcome.ar.md").unlink()
    assert read_course(str(broken), PRIORITIES).problems == [f"{course}: no lesson is in ar"]
    edit(course, "partial_languages: [ar]", "partial_languages: [es]")
    problems = read_course(str(broken), PRIORITIES).problems
    assert problems == [
        f"{course}: {{partial_languages: [a language is either complete or partial]}}"
    ]


def test_a_complete_language_needs_every_lesson(broken):
    edit(
        broken / "course.yaml",
        "languages: [en, fr, es]\npartial_languages: [ar]",
        "languages: [en, fr, es, ar]",
    )
    problems = read_course(str(broken), PRIORITIES).problems
    assert len(problems) == 23 and all(p.endswith(".ar.md: missing file") for p in problems)


def test_a_quiz_without_a_correct_answer_is_reported(broken):
    quiz = broken / "lessons" / "chapter-1-quiz.fr.md"
    text = quiz.read_text(encoding="utf-8").replace("correct: true", "correct: false")
    quiz.write_text(text, encoding="utf-8")
    [problem] = read_course(str(broken), PRIORITIES).problems
    assert "chapter-1-quiz.fr.md" in problem and "no choice is correct" in problem


def test_answers_that_differ_between_languages_are_reported(broken):
    edit(broken / "lessons" / "chapter-2-quiz.es.md", "id: q1", "id: q99")
    [problem] = read_course(str(broken), PRIORITIES).problems
    assert "chapter-2-quiz.*.md" in problem and "differ between languages" in problem


def test_unknown_fields_kinds_and_priorities_are_reported(broken):
    edit(broken / "course.yaml", "kind: video}", "kind: movie}")
    problems = read_course(str(broken), PRIORITIES).problems
    assert any("course.yaml" in p and "movie" not in p and "kind" in p for p in problems)
    shutil.copy(COURSE + "/course.yaml", broken / "course.yaml")
    edit(broken / "course.yaml", "priorities: [1, 3, 8]", "priorities: [1, 3, 42]")
    assert read_course(str(broken), PRIORITIES).problems == [
        f"{broken}/course.yaml: chapter human-mobility: unknown priorities [42]"
    ]
    shutil.copy(COURSE + "/course.yaml", broken / "course.yaml")
    edit(broken / "lessons" / "welcome.en.md", "minutes:", "colour: blue\nminutes:")
    [problem] = read_course(str(broken), PRIORITIES).problems
    assert "welcome.en.md" in problem and "colour" in problem


def test_a_media_lesson_needs_its_media(broken):
    lesson = broken / "lessons" / "compacts-explained.en.md"
    lines = [
        line
        for line in lesson.read_text(encoding="utf-8").splitlines()
        if not line.startswith("media:")
    ]
    lesson.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [problem] = read_course(str(broken), PRIORITIES).problems
    assert "compacts-explained.en.md: a video lesson needs: media" in problem


def test_the_check_command_fails_on_a_broken_course(broken, tmp_path):
    (broken / "lessons" / "welcome.fr.md").write_text("no header", encoding="utf-8")
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/c.db"})
    result = app.test_cli_runner().invoke(args=["courses", "check", str(broken)])
    assert result.exit_code == 1
    assert "welcome.fr.md: no YAML header" in result.output
