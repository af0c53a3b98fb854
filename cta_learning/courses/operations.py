"""The MOOC's catalogue and who may enrol in it, and a person's courses in their data export.

The rest of the rules of the MOOC live beside this module: `progress` (what is open, what is
done), `grading` (answers and attempts), `certificates` (completion) and `figures` (for
organisers)."""

from typing import Any

from flask import current_app, g
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from cta_learning import audit, content_versions
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
from cta_learning.courses.versions import COURSES
from cta_learning.database import isoformat_utc
from cta_learning.extensions import db
from cta_learning.i18n import translated
from cta_learning.refusals import Refused, WayForward

NOT_UNLOCKED = _l(
    "The MOOC opens to members of an organisation that has submitted an action to the Call."
)
NOT_ENROLLED = _l("Enrol in the course before following its lessons.")
NOT_OPEN = _l("This lesson opens once you have completed the previous chapter.")
NOT_THIS_LESSON = _l(
    "These answers do not belong to this lesson. Reload the page and answer again."
)


def back_to_course(course: Course) -> WayForward:
    """The way forward offered with a refusal about a course: its syllabus."""
    return WayForward(_l("Back to the course"), "courses.syllabus", {"slug": course.slug})


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


OUTLINES_KEPT = 16
LESSON_TEXTS_KEPT = 256


def _courses_version() -> tuple[int, ...]:
    """The courses' content version, read once per request."""
    if "cta_courses_version" not in g:
        g.cta_courses_version = content_versions.current_many((COURSES,))
    version: tuple[int, ...] = g.cta_courses_version
    return version


def _kept(name: str, limit: int) -> dict[Any, Any]:
    """A dictionary this process keeps across requests, emptied when it holds `limit` items
    (its keys carry the courses version, so stale items are never read, only dropped)."""
    kept: dict[Any, Any] = current_app.extensions.setdefault(name, {})
    if len(kept) >= limit:
        kept.clear()
    return kept


def _outline(slug: str) -> Course | None:
    """The course with its chapters and lessons, lesson texts left out, detached (three queries
    in a session of its own)."""
    with Session(db.engine) as session:
        course = session.scalar(
            select(Course)
            .where(Course.slug == slug)
            .options(selectinload(Course.chapters).selectinload(Chapter.lessons))
        )
        session.expunge_all()
    return course


def course_by_slug(slug: str) -> Course | None:
    """The course with its chapters and lessons, lesson texts left out.

    Read once per courses version in each process (courses change only by import), then copied
    into the request's session without a query: a lesson page reads the outline of 29 rows
    on every view, which cost more than the rest of the page."""
    outlines = _kept("cta_course_outlines", OUTLINES_KEPT)
    key = (slug, _courses_version())
    outline = outlines.get(key)
    if outline is None:
        outline = _outline(slug)
        if outline is None:  # unknown addresses are not kept
            return None
        outlines[key] = outline
    return db.session.merge(outline, load=False)


def lesson_counts() -> dict[int, int]:
    """The number of lessons of each course, counted once per courses version in each process."""
    counts = _kept("cta_lesson_counts", 4)
    version = _courses_version()
    if version not in counts:
        rows = db.session.execute(select(Lesson.course_id, func.count()).group_by(Lesson.course_id))
        counts[version] = {course_id: number for course_id, number in rows}
    found: dict[int, int] = counts[version]
    return found


def lesson_content(lesson: Lesson, language: str) -> tuple[dict[str, Any], bool]:
    """The lesson in `language` (else English) and whether it is that fallback.

    The texts (every language, a few kB to a few dozen) are read once per courses version in
    each process; callers only read them."""
    texts = _kept("cta_lesson_texts", LESSON_TEXTS_KEPT)
    key = (lesson.id, _courses_version())
    if key not in texts:
        texts[key] = lesson.content
    return translated(texts[key], language)


def recommended_chapters(course: Course, priority_ids: set[int]) -> set[int]:
    """Chapters serving at least one priority area of the organisation's actions."""
    return {chapter.id for chapter in course.chapters if set(chapter.priorities) & priority_ids}


# --- Enrolment --------------------------------------------------------------------------------


def enrolment_for(user: User | None, course: Course) -> Enrolment | None:
    """The person's enrolment in the course, if any (none for a visitor)."""
    if user is None or not user.is_authenticated:
        return None
    return db.session.scalar(
        select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
    )


def enrol(user: User, course: Course) -> Enrolment:
    """Enrol a member whose organisation unlocked the MOOC; enrolling twice changes nothing."""
    if not may_use(user, "mooc"):
        raise Refused(NOT_UNLOCKED, forward=back_to_course(course))
    existing = enrolment_for(user, course)
    if existing is not None:
        return existing
    enrolment = Enrolment(user_id=user.id, course_id=course.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrolment)
    except IntegrityError:  # enrolled at the same moment in another tab
        return db.session.scalars(
            select(Enrolment).where(Enrolment.user_id == user.id, Enrolment.course_id == course.id)
        ).one()
    audit.record("course.enrolled", user, user, course=course.slug)
    return enrolment


# --- A person's courses in their data export --------------------------------------------------


@account_exporting.connect
def _export(user: User) -> dict[str, Any]:
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
