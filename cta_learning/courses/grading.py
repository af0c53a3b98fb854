"""Quizzes and games: reading the answers, grading them, keeping the attempts."""

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from cta_learning.accounts.models import User
from cta_learning.courses.certificates import finish_if_complete
from cta_learning.courses.models import Attempt, Certificate, Course, Lesson
from cta_learning.courses.operations import NOT_THIS_LESSON
from cta_learning.courses.progress import Progress, check_open, lesson_row
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.refusals import Refused


class Incomplete(Exception):
    """Some questions or items were left unanswered: the learner is asked to finish."""


@dataclass
class Grade:
    score: int  # percent
    passed: bool
    answers: dict[str, list[str]]
    correct: dict[str, bool]  # per question or item


def answers_from(
    form: MultiDict[str, str], lesson: Lesson, prefix: str = "answer-"
) -> dict[str, list[str]]:
    """{id: [values]} from fields named answer-<id>. The form names its lesson: answers sent
    from another lesson's page are refused."""
    if form.get("lesson") != lesson.slug:
        raise Refused(NOT_THIS_LESSON, 400)
    return {
        key[len(prefix) :]: [value for value in form.getlist(key) if value]
        for key in form
        if key.startswith(prefix)
    }


def pass_mark(lesson: Lesson, course: Course) -> int:
    """The score that passes the lesson: its own, else the course's."""
    return lesson.pass_mark or course.pass_mark


def _grade_quiz(questions: list[dict[str, Any]], answers: dict[str, list[str]], mark: int) -> Grade:
    known = {question["id"]: question for question in questions}
    if set(answers) - set(known):
        raise Refused(NOT_THIS_LESSON, 400)
    correct = {}
    for question_id, question in known.items():
        chosen = answers.get(question_id) or []
        choices = {choice["id"]: choice for choice in question["choices"]}
        if set(chosen) - set(choices) or len(set(chosen)) != len(chosen):
            raise Refused(NOT_THIS_LESSON, 400)
        if question["kind"] != "multiple" and len(chosen) > 1:
            raise Refused(NOT_THIS_LESSON, 400)
        if not chosen:
            raise Incomplete
        right = {choice_id for choice_id, choice in choices.items() if choice["correct"]}
        correct[question_id] = set(chosen) == right
    return _grade(answers, correct, mark)


def _grade(answers: dict[str, Any], correct: dict[str, bool], mark: int) -> Grade:
    score = round(100 * sum(correct.values()) / len(correct))
    return Grade(score=score, passed=score >= mark, answers=answers, correct=correct)


def match_options(lesson: Lesson, game: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """The right-hand sides of a match game as (token, pair), in an order that gives nothing
    away: tokens are not pair ids, and the order is keyed by the site's secret."""
    secret = current_app.config["SECRET_KEY"].encode()

    def key(pair: dict[str, Any]) -> str:
        message = f"{lesson.course_id}:{lesson.slug}:{pair['id']}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    ordered = sorted(game["pairs"], key=key)
    return [(f"r{position + 1}", pair) for position, pair in enumerate(ordered)]


def _grade_game(lesson: Lesson, game: dict[str, Any], answers: dict[str, list[str]]) -> Grade:
    if game["kind"] == "sort":
        items = {item["id"]: item["category"] for item in game["items"]}
        targets = {category["id"] for category in game["categories"]}
    else:
        items = {pair["id"]: token for token, pair in match_options(lesson, game)}
        targets = set(items.values())
    if set(answers) - set(items):
        raise Refused(NOT_THIS_LESSON, 400)
    correct = {}
    for item_id, expected in items.items():
        chosen = answers.get(item_id) or []
        if len(chosen) > 1 or set(chosen) - targets:
            raise Refused(NOT_THIS_LESSON, 400)
        if not chosen:
            raise Incomplete
        correct[item_id] = chosen[0] == expected
    # A game is for learning: playing it through completes the lesson, whatever the score.
    return _grade(answers, correct, mark=0)


def grade(lesson: Lesson, course: Course, answers: dict[str, list[str]]) -> Grade:
    """Grade answers against the lesson in its first language (ids are the same in all)."""
    content = lesson.content[course.languages[0]]
    if lesson.kind == "quiz":
        return _grade_quiz(content["questions"], answers, pass_mark(lesson, course))
    if lesson.kind == "game":
        return _grade_game(lesson, content["game"], answers)
    raise Refused(NOT_THIS_LESSON, 400)


def submit_attempt(
    user: User, progress: Progress, lesson: Lesson, answers: dict[str, list[str]]
) -> tuple[Attempt, Certificate | None]:
    """Grade and keep an attempt; the best score counts; passing completes the lesson.

    Raises Refused (nothing is recorded) or Incomplete (nothing is recorded either).
    """
    check_open(user, progress, lesson)
    result = grade(lesson, progress.course, answers)
    attempt = Attempt(
        enrolment_id=progress.enrolled.id,
        lesson_id=lesson.id,
        answers=result.answers,
        score=result.score,
        passed=result.passed,
    )
    db.session.add(attempt)
    row = lesson_row(progress, lesson)
    row.attempts = (row.attempts or 0) + 1
    row.best_score = max(row.best_score or 0, result.score)
    if result.passed and row.completed_at is None:
        row.completed_at = utcnow()
    db.session.flush()
    return attempt, finish_if_complete(progress)


def attempts_for(progress: Progress, lesson: Lesson) -> list[Attempt]:
    """The learner's attempts at the lesson, latest first."""
    if progress.enrolment is None:
        return []
    return list(
        db.session.scalars(
            select(Attempt)
            .where(Attempt.enrolment_id == progress.enrolment.id, Attempt.lesson_id == lesson.id)
            .order_by(Attempt.created_at.desc(), Attempt.id.desc())
        )
    )


def attempt_by_id(progress: Progress, lesson: Lesson, attempt_id: int) -> Attempt | None:
    """One of the learner's own attempts at the lesson (none for anybody else's)."""
    if progress.enrolment is None:
        return None
    return db.session.scalar(
        select(Attempt).where(
            Attempt.id == attempt_id,
            Attempt.enrolment_id == progress.enrolment.id,
            Attempt.lesson_id == lesson.id,
        )
    )
