"""The rules of the MOOC: who may enrol, what is open, how answers are graded, when it is done."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from cta_learning import audit
from cta_learning.access import may_use
from cta_learning.accounts.models import User
from cta_learning.accounts.operations import account_exporting
from cta_learning.courses.models import (
    Attempt,
    Certificate,
    Chapter,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.i18n import translated
from cta_learning.mail.operations import email_user
from cta_learning.security import public_url_for

VISIT_RESOLUTION = timedelta(minutes=5)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


class Refused(Exception):
    """A request the learner may not make; `message` says why, `status` is the HTTP answer."""

    def __init__(self, message: str, status: int = 403):
        super().__init__(str(message))
        self.message = message
        self.status = status


NOT_UNLOCKED = _l(
    "The MOOC opens to members of an organisation that has submitted an action to the Call."
)
NOT_ENROLLED = _l("Enrol in the course before following its lessons.")
NOT_OPEN = _l("This lesson opens once you have completed the previous chapter.")
NOT_THIS_LESSON = _l(
    "These answers do not belong to this lesson. Reload the page and answer again."
)


# --- Reading the catalogue -------------------------------------------------------------------


def courses() -> list[Course]:
    """Every course, in catalogue order, with its chapters (two queries)."""
    return list(
        db.session.scalars(
            select(Course)
            .order_by(Course.position, Course.slug)
            .options(selectinload(Course.chapters))
        )
    )


def course_by_slug(slug: str) -> Course | None:
    """The course with its chapters and lessons (three queries), lesson texts left out."""
    return db.session.scalar(
        select(Course)
        .where(Course.slug == slug)
        .options(selectinload(Course.chapters).selectinload(Chapter.lessons))
    )


def lesson_content(lesson: Lesson, language: str) -> tuple[dict, bool]:
    """The lesson in `language` (else English) and whether it is that fallback."""
    return translated(lesson.content, language)


# --- Enrolment and progress -------------------------------------------------------------------


def enrolment_for(user: User | None, course: Course) -> Enrolment | None:
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol a member whose organisation unlocked the MOOC; enrolling twice changes nothing."""
    if not may_use(user, "mooc"):
        raise Refused(NOT_UNLOCKED)
    existing = enrolment_for(user, course)
    if existing is not None:
        return existing
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # enrolled at the same moment in another tab
        return enrolment_for(user, course)
    audit.record("course.enrolled", user, user, course=course.slug)
    return enrolment


@dataclass
class Progress:
    """A learner's state in a course: what is done, what is open, what comes next."""

    course: Course
    enrolment: Enrolment | None
    lessons: dict[int, LessonProgress] = field(default_factory=dict)

    def is_done(self, lesson: Lesson) -> bool:
        row = self.lessons.get(lesson.id)
        return bool(row and row.completed_at)

    def best_score(self, lesson: Lesson) -> int | None:
        row = self.lessons.get(lesson.id)
        return row.best_score if row else None

    def done_in(self, chapter: Chapter) -> int:
        return sum(1 for lesson in chapter.lessons if self.is_done(lesson))

    def chapter_done(self, chapter: Chapter) -> bool:
        return self.done_in(chapter) == len(chapter.lessons)

    def chapter_open(self, chapter: Chapter) -> bool:
        if self.enrolment is None:
            return False
        if not self.course.sequential:
            return True
        for earlier in self.course.chapters:
            if earlier.id == chapter.id:
                return True
            if not self.chapter_done(earlier):
                return False
        return False

    def lesson_open(self, lesson: Lesson) -> bool:
        return self.chapter_open(lesson.chapter)

    @property
    def done(self) -> int:
        return sum(1 for lesson in self.course.lessons if self.is_done(lesson))

    @property
    def total(self) -> int:
        return len(self.course.lessons)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    def next_lesson(self) -> Lesson | None:
        """Where to resume: the last lesson seen if unfinished, else the first one not done."""
        lessons = self.course.lessons
        if self.enrolment and self.enrolment.last_lesson_id:
            last = next(
                (lesson for lesson in lessons if lesson.id == self.enrolment.last_lesson_id), None
            )
            if last is not None and not self.is_done(last):
                return last
        return next(
            (lesson for lesson in lessons if not self.is_done(lesson) and self.lesson_open(lesson)),
            None,
        )


def progress_for(course: Course, enrolment: Enrolment | None) -> Progress:
    """The learner's progress in a loaded course (one query; none without an enrolment)."""
    if enrolment is None:
        return Progress(course, None)
    rows = db.session.scalars(
        select(LessonProgress).where(LessonProgress.enrolment_id == enrolment.id)
    )
    return Progress(course, enrolment, {row.lesson_id: row for row in rows})


def learner_courses(user: User) -> list[tuple[Enrolment, int, int]]:
    """The person's enrolments with (lessons done, lessons in the course): two queries."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.course))
        .order_by(Enrolment.last_seen_at.desc(), Enrolment.enrolled_at.desc())
    ).all()
    if not enrolments:
        return []
    ids = [enrolment.id for enrolment in enrolments]
    done = dict(
        db.session.execute(
            select(LessonProgress.enrolment_id, func.count())
            .where(LessonProgress.enrolment_id.in_(ids), LessonProgress.completed_at.is_not(None))
            .group_by(LessonProgress.enrolment_id)
        ).all()
    )
    totals = dict(
        db.session.execute(
            select(Lesson.course_id, func.count())
            .where(Lesson.course_id.in_({enrolment.course_id for enrolment in enrolments}))
            .group_by(Lesson.course_id)
        ).all()
    )
    return [
        (enrolment, done.get(enrolment.id, 0), totals.get(enrolment.course_id, 0))
        for enrolment in enrolments
    ]


def _row(progress: Progress, lesson: Lesson) -> LessonProgress:
    row = progress.lessons.get(lesson.id)
    if row is None:
        row = LessonProgress(enrolment_id=progress.enrolment.id, lesson_id=lesson.id)
        db.session.add(row)
        progress.lessons[lesson.id] = row
    return row


def check_open(user: User | None, progress: Progress, lesson: Lesson) -> None:
    """Refuse unless the person is enrolled, their organisation still unlocked, and the lesson
    open. The one place that decides who may follow a lesson."""
    unlocked = may_use(user, "mooc")
    if progress.enrolment is None:
        raise Refused(NOT_ENROLLED if unlocked else NOT_UNLOCKED)
    if not unlocked:
        raise Refused(NOT_UNLOCKED)
    if not progress.lesson_open(lesson):
        raise Refused(NOT_OPEN)


def visit(progress: Progress, lesson: Lesson) -> None:
    """Remember where the learner is, to resume there. Reloading the same lesson within a few
    minutes writes nothing (a write per page view would serialise readers on SQLite)."""
    enrolment, now = progress.enrolment, utcnow()
    if (
        enrolment.last_lesson_id != lesson.id
        or enrolment.last_seen_at is None
        or now - enrolment.last_seen_at > VISIT_RESOLUTION
    ):
        enrolment.last_lesson_id = lesson.id
        enrolment.last_seen_at = now
    _row(progress, lesson)


def complete(user: User, progress: Progress, lesson: Lesson) -> Certificate | None:
    """Mark a reading, video or podcast as done; returns the certificate if that ends the course."""
    check_open(user, progress, lesson)
    if lesson.is_graded:
        raise Refused(NOT_THIS_LESSON, 400)
    row = _row(progress, lesson)
    row.completed_at = row.completed_at or utcnow()
    return _finish_if_complete(progress)


# --- Grading ----------------------------------------------------------------------------------


class Incomplete(Exception):
    """Some questions or items were left unanswered: the learner is asked to finish."""


@dataclass
class Grade:
    score: int  # percent
    passed: bool
    answers: dict[str, list[str]]
    correct: dict[str, bool]  # per question or item


def answers_from(form, lesson: Lesson, prefix: str = "answer-") -> dict[str, list[str]]:
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
    return lesson.pass_mark or course.pass_mark


def _grade_quiz(questions: list[dict], answers: dict[str, list[str]], mark: int) -> Grade:
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


def _grade(answers: dict, correct: dict[str, bool], mark: int) -> Grade:
    score = round(100 * sum(correct.values()) / len(correct))
    return Grade(score=score, passed=score >= mark, answers=answers, correct=correct)


def match_options(lesson: Lesson, game: dict) -> list[tuple[str, dict]]:
    """The right-hand sides of a match game as (token, pair), in an order that gives nothing
    away: tokens are not pair ids, and the order is keyed by the site's secret."""
    secret = current_app.config["SECRET_KEY"].encode()

    def key(pair: dict) -> str:
        message = f"{lesson.course_id}:{lesson.slug}:{pair['id']}".encode()
        return hmac.new(secret, message, hashlib.sha256).hexdigest()

    ordered = sorted(game["pairs"], key=key)
    return [(f"r{position + 1}", pair) for position, pair in enumerate(ordered)]


def _grade_game(lesson: Lesson, game: dict, answers: dict[str, list[str]]) -> Grade:
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
        enrolment_id=progress.enrolment.id,
        lesson_id=lesson.id,
        answers=result.answers,
        score=result.score,
        passed=result.passed,
    )
    db.session.add(attempt)
    row = _row(progress, lesson)
    row.attempts = (row.attempts or 0) + 1
    row.best_score = max(row.best_score or 0, result.score)
    if result.passed and row.completed_at is None:
        row.completed_at = utcnow()
    db.session.flush()
    return attempt, _finish_if_complete(progress)


def attempts_for(progress: Progress, lesson: Lesson) -> list[Attempt]:
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
    if progress.enrolment is None:
        return None
    return db.session.scalar(
        select(Attempt).where(
            Attempt.id == attempt_id,
            Attempt.enrolment_id == progress.enrolment.id,
            Attempt.lesson_id == lesson.id,
        )
    )


# --- Completion and certificates --------------------------------------------------------------


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _finish_if_complete(progress: Progress) -> Certificate | None:
    enrolment = progress.enrolment
    if enrolment.completed_at is not None or not progress.is_complete:
        return None
    enrolment.completed_at = utcnow()
    user = db.session.get(User, enrolment.user_id)
    certificate = Certificate(
        code=_new_code(),
        enrolment_id=enrolment.id,
        course_id=enrolment.course_id,
        name=user.name,
        issued_at=enrolment.completed_at,
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("course.completed", user, user, course=progress.course.slug)
    email_user(
        user,
        "course_completed",
        course_title=translated(progress.course.title, user.locale)[0],
        certificate_url=public_url_for("courses.certificate", code=certificate.code),
    )
    return certificate


def certificate_for(enrolment: Enrolment | None) -> Certificate | None:
    if enrolment is None or enrolment.completed_at is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))


def certificate_by_code(code: str) -> Certificate | None:
    normalised = code.strip().upper()
    if len(normalised) > 20:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == normalised)
        .options(selectinload(Certificate.course))
    )


@account_exporting.connect
def _export(user: User) -> dict:
    """A person's courses, progress, attempts and certificates, for their data export."""
    enrolments = db.session.scalars(
        select(Enrolment)
        .where(Enrolment.user_id == user.id)
        .options(selectinload(Enrolment.course))
    ).all()
    ids = [enrolment.id for enrolment in enrolments]
    lessons = dict(db.session.execute(select(Lesson.id, Lesson.slug)).all()) if ids else {}
    progress = db.session.scalars(
        select(LessonProgress).where(LessonProgress.enrolment_id.in_(ids))
    ).all()
    attempts = db.session.scalars(select(Attempt).where(Attempt.enrolment_id.in_(ids))).all()
    certificates = {
        c.enrolment_id: c
        for c in db.session.scalars(select(Certificate).where(Certificate.enrolment_id.in_(ids)))
    }

    return {
        "courses": [
            {
                "course": enrolment.course.slug,
                "enrolled_at": isoformat_utc(enrolment.enrolled_at),
                "completed_at": isoformat_utc(enrolment.completed_at),
                "certificate": certificates[enrolment.id].code
                if enrolment.id in certificates
                else None,
                "lessons": [
                    {
                        "lesson": lessons.get(row.lesson_id),
                        "completed_at": isoformat_utc(row.completed_at),
                        "attempts": row.attempts,
                        "best_score": row.best_score,
                    }
                    for row in progress
                    if row.enrolment_id == enrolment.id
                ],
                "attempts": [
                    {
                        "lesson": lessons.get(attempt.lesson_id),
                        "at": isoformat_utc(attempt.created_at),
                        "score": attempt.score,
                        "answers": attempt.answers,
                    }
                    for attempt in attempts
                    if attempt.enrolment_id == enrolment.id
                ],
            }
            for enrolment in enrolments
        ]
    }


# --- Recommendations --------------------------------------------------------------------------


def recommended_chapters(course: Course, priority_ids: set[int]) -> set[int]:
    """Chapters serving at least one priority area of the organisation's actions."""
    return {chapter.id for chapter in course.chapters if set(chapter.priorities) & priority_ids}


# --- Figures for organisers -------------------------------------------------------------------


@dataclass
class ChapterFigures:
    chapter: Chapter
    started: int
    completed: int
    quiz_average: int | None  # average best score of the chapter's quizzes, in percent


@dataclass
class CourseFigures:
    course: Course
    enrolled: int
    started: int
    completed: int
    chapters: list[ChapterFigures]

    @staticmethod
    def rate(part: int, whole: int) -> int:
        return round(100 * part / whole) if whole else 0


def figures(course: Course) -> CourseFigures:
    """Enrolment, progress and completion per course and chapter (five queries, counted in SQL)."""
    enrolled, completed = db.session.execute(
        select(func.count(), func.count(Enrolment.completed_at)).where(
            Enrolment.course_id == course.id
        )
    ).one()
    started_course = db.session.scalar(
        select(func.count(func.distinct(LessonProgress.enrolment_id)))
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .where(Enrolment.course_id == course.id)
    )
    started_rows = db.session.execute(
        select(Lesson.chapter_id, func.count(func.distinct(LessonProgress.enrolment_id)))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id)
        .group_by(Lesson.chapter_id)
    ).all()
    lessons_in_chapter = (
        select(func.count())
        .where(Lesson.chapter_id == Chapter.id)
        .correlate(Chapter)
        .scalar_subquery()
    )
    finished = (
        select(Lesson.chapter_id.label("chapter_id"), LessonProgress.enrolment_id)
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .join(Chapter, Chapter.id == Lesson.chapter_id)
        .where(Lesson.course_id == course.id, LessonProgress.completed_at.is_not(None))
        .group_by(Lesson.chapter_id, LessonProgress.enrolment_id, Chapter.id)
        .having(func.count() == lessons_in_chapter)
        .subquery()
    )
    completed_rows = db.session.execute(
        select(finished.c.chapter_id, func.count()).group_by(finished.c.chapter_id)
    ).all()
    score_rows = db.session.execute(
        select(Lesson.chapter_id, func.avg(LessonProgress.best_score))
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(
            Lesson.course_id == course.id,
            Lesson.kind == "quiz",
            LessonProgress.best_score.is_not(None),
        )
        .group_by(Lesson.chapter_id)
    ).all()
    started, done, scores = dict(started_rows), dict(completed_rows), dict(score_rows)
    return CourseFigures(
        course=course,
        enrolled=enrolled,
        started=started_course,
        completed=completed,
        chapters=[
            ChapterFigures(
                chapter=chapter,
                started=started.get(chapter.id, 0),
                completed=done.get(chapter.id, 0),
                quiz_average=round(scores[chapter.id])
                if scores.get(chapter.id) is not None
                else None,
            )
            for chapter in course.chapters
        ],
    )
