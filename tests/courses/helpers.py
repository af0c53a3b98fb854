"""Arranging course tests: the shipped course imported, unlocked organisations, answers."""

import copy
import os
from functools import lru_cache

from cta_learning import access
from cta_learning.accounts.models import Organisation, User
from cta_learning.courses.content import CourseFiles, read_course
from cta_learning.courses.importing import import_course
from cta_learning.courses.models import Course
from cta_learning.extensions import db

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
COURSE_PATH = os.path.join(ROOT, "content", "courses", "localising-global-compacts")
SLUG = "localising-global-compacts"


@lru_cache(maxsize=1)
def _shipped() -> CourseFiles:
    return read_course(COURSE_PATH, frozenset(range(1, 9)))


def shipped_files() -> CourseFiles:
    """The shipped course as read from its folder (read once per test process; a copy)."""
    return copy.copy(_shipped())


def import_shipped(app) -> int:
    """Import the shipped course into the test database; returns its id."""
    with app.app_context():
        report = import_course(shipped_files())
        db.session.commit()
        return report.course.id


def unlock(app, organisation: Organisation) -> None:
    """Give an organisation its benefits, as an admin would by hand."""
    with app.app_context():
        admin = User(
            email=f"grant-{organisation.id}@example.org",
            name="Admin",
            role="admin",
            password_hash="!",  # noqa: S106 - cannot log in
        )
        db.session.add(admin)
        db.session.flush()
        access.grant_manually(db.session.get(Organisation, organisation.id), "test", admin)
        db.session.commit()


def lesson_text(lesson_slug: str, language: str = "en") -> dict:
    return _shipped().lessons[(lesson_slug, language)]


def right_answers(lesson_slug: str) -> dict[str, list[str]]:
    """Form data answering every question of a quiz right."""
    return {
        "lesson": lesson_slug,
        **{
            f"answer-{question['id']}": [c["id"] for c in question["choices"] if c["correct"]]
            for question in lesson_text(lesson_slug)["questions"]
        },
    }


def wrong_answers(lesson_slug: str) -> dict[str, list[str]]:
    """Form data answering every question of a quiz wrong."""
    return {
        "lesson": lesson_slug,
        **{
            f"answer-{question['id']}": [
                next(c["id"] for c in question["choices"] if not c["correct"])
            ]
            for question in lesson_text(lesson_slug)["questions"]
        },
    }


def course_lessons(app) -> list[tuple[str, str]]:
    """(slug, kind) of every lesson of the shipped course, in order."""
    with app.app_context():
        course = db.session.scalar(db.select(Course).where(Course.slug == SLUG))
        return [(lesson.slug, lesson.kind) for lesson in course.lessons]


def game_answers(app, lesson_slug: str, right: bool = True) -> dict[str, str]:
    """Form data placing every item of a game (all right, or all on the same wrong answer)."""
    from cta_learning.courses.grading import match_options
    from cta_learning.courses.models import Lesson

    game = lesson_text(lesson_slug)["game"]
    if game["kind"] == "sort":
        first = game["categories"][0]["id"]
        second = game["categories"][1]["id"]
        return {
            "lesson": lesson_slug,
            **{
                f"answer-{item['id']}": item["category"]
                if right
                else (second if item["category"] == first else first)
                for item in game["items"]
            },
        }
    with app.app_context():
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == lesson_slug))
        tokens = {pair["id"]: token for token, pair in match_options(lesson, game)}
    ids = list(tokens)
    return {
        "lesson": lesson_slug,
        **{
            f"answer-{pair_id}": tokens[pair_id] if right else tokens[ids[(i + 1) % len(ids)]]
            for i, pair_id in enumerate(ids)
        },
    }
