"""A learner's progress in a course: what is open, what is done, where to resume.

`check_open` is the one place that decides who may follow a lesson."""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cta_learning.access import may_use
from cta_learning.accounts.models import User
from cta_learning.courses import certificates
from cta_learning.courses.models import (
    Certificate,
    Chapter,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from cta_learning.courses.operations import (
    NOT_ENROLLED,
    NOT_OPEN,
    NOT_THIS_LESSON,
    NOT_UNLOCKED,
    lesson_counts,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.refusals import Refused

VISIT_RESOLUTION = timedelta(minutes=5)


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

    @property
    def enrolled(self) -> Enrolment:
        """The enrolment, where only a learner gets (past `check_open`)."""
        if self.enrolment is None:
            raise Refused(NOT_ENROLLED)
        return self.enrolment

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
    """The person's enrolments with (lessons done, lessons in the course): three queries."""
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
    totals = lesson_counts()
    return [
        (enrolment, done.get(enrolment.id, 0), totals.get(enrolment.course_id, 0))
        for enrolment in enrolments
    ]


def lesson_row(progress: Progress, lesson: Lesson) -> LessonProgress:
    """The learner's row for the lesson, added on first use."""
    row = progress.lessons.get(lesson.id)
    if row is None:
        row = LessonProgress(enrolment_id=progress.enrolled.id, lesson_id=lesson.id)
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
    enrolment, now = progress.enrolled, utcnow()
    if (
        enrolment.last_lesson_id != lesson.id
        or enrolment.last_seen_at is None
        or now - enrolment.last_seen_at > VISIT_RESOLUTION
    ):
        enrolment.last_lesson_id = lesson.id
        enrolment.last_seen_at = now
    lesson_row(progress, lesson)


def complete(user: User, progress: Progress, lesson: Lesson) -> Certificate | None:
    """Mark a reading, video or podcast as done; returns the certificate if that ends the course."""
    check_open(user, progress, lesson)
    if lesson.is_graded:
        raise Refused(NOT_THIS_LESSON, 400)
    row = lesson_row(progress, lesson)
    row.completed_at = row.completed_at or utcnow()
    return certificates.finish_if_complete(progress)
