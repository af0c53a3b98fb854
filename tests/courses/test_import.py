"""`flask courses import`: validated, idempotent, and learners keep their progress."""

import copy
import os
import shutil

import pytest

from cta_learning.courses.content import read_course
from cta_learning.courses.importing import import_course
from cta_learning.courses.models import Chapter, Course, Enrolment, Lesson, LessonProgress
from cta_learning.extensions import db
from tests.conftest import count, fetch
from tests.courses.helpers import COURSE_PATH, SLUG, import_shipped, shipped_files
from tests.hostile import nothing_changes


def test_importing_the_shipped_course_writes_every_chapter_and_lesson(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", COURSE_PATH])
    assert result.exit_code == 0, result.output
    assert "24 lesson(s) added, 0 updated, 0 removed." in result.output
    assert count(app, Course) == 1 and count(app, Chapter) == 4 and count(app, Lesson) == 24
    with app.app_context():
        quiz = db.session.scalar(db.select(Lesson).where(Lesson.slug == "chapter-1-quiz"))
        assert set(quiz.content) == {"en", "fr", "es"}
        assert len(quiz.content["fr"]["questions"]) == 8
        reading = db.session.scalar(db.select(Lesson).where(Lesson.slug == "eight-priorities"))
        assert "<table>" in reading.content["en"]["body_html"]  # tables kept, HTML sanitised

    again = runner.invoke(args=["courses", "import", COURSE_PATH])
    assert again.exit_code == 0 and "unchanged" in again.output


def test_a_course_with_problems_is_not_imported_at_all(app, tmp_path):
    broken = tmp_path / "broken"
    shutil.copytree(COURSE_PATH, broken)
    os.remove(broken / "lessons" / "welcome.fr.md")
    with nothing_changes(app):
        result = app.test_cli_runner().invoke(args=["courses", "import", str(broken)])
    assert result.exit_code == 1
    assert "welcome.fr.md: missing file" in result.output
    assert "Nothing was imported." in result.output


def _changed_course():
    """The shipped course with its second lesson removed and a lesson's title changed."""
    files = shipped_files()
    files.course = copy.deepcopy(files.course)
    files.lessons = dict(files.lessons)
    first_chapter = files.course["chapters"][0]
    first_chapter["lessons"] = [
        ref for ref in first_chapter["lessons"] if ref["id"] != "people-on-the-move"
    ]
    files.lessons[("welcome", "en")] = {**files.lessons[("welcome", "en")], "title": "Hello"}
    return files


def test_reimporting_a_changed_course_keeps_progress_on_the_lessons_that_remain(app, make):
    import_shipped(app)
    user = make.user()
    with app.app_context():
        course = db.session.scalar(db.select(Course))
        lessons = {lesson.slug: lesson.id for lesson in course.lessons}
        enrolment = Enrolment(user_id=user.id, course_id=course.id)
        db.session.add(enrolment)
        db.session.flush()
        for slug in ("welcome", "people-on-the-move"):
            db.session.add(
                LessonProgress(
                    enrolment_id=enrolment.id,
                    lesson_id=lessons[slug],
                    completed_at=course.imported_at,
                )
            )
        db.session.commit()

        report = import_course(_changed_course())
        db.session.commit()
        assert (report.created, report.updated, report.removed) == (0, 23, 1)

    welcome = fetch(app, Lesson, slug="welcome")
    assert welcome.id == lessons["welcome"] and welcome.titles["en"] == "Hello"
    assert fetch(app, Lesson, slug="people-on-the-move") is None
    assert count(app, LessonProgress) == 1  # the removed lesson's progress went with it
    assert fetch(app, LessonProgress, lesson_id=lessons["welcome"]).completed_at is not None
    assert count(app, Enrolment) == 1


def test_import_refuses_files_with_problems(app):
    files = read_course(os.path.join(COURSE_PATH, "missing"), frozenset(range(1, 9)))
    with app.app_context(), pytest.raises(ValueError):
        import_course(files)


def test_check_and_import_run_over_every_shipped_course_by_default(app):
    runner = app.test_cli_runner()
    checked = runner.invoke(args=["courses", "check"])
    assert (
        checked.exit_code == 0
        and f"{SLUG}: 24 lessons in en, fr, es, 1 in ar: OK." in checked.output
    )
    imported = runner.invoke(args=["courses", "import"])
    assert imported.exit_code == 0, imported.output
    assert count(app, Course) == 1
