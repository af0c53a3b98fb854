"""Figures for organisers: enrolment, progress and completion per course and chapter."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from cta_learning.courses.models import Chapter, Course, Enrolment, Lesson, LessonProgress
from cta_learning.extensions import db


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


def course_figures(course: Course) -> CourseFigures:
    """Enrolment, progress and completion per course and chapter (five queries, counted in SQL)."""
    enrolled, completed = db.session.execute(
        select(func.count(), func.count(Enrolment.completed_at)).where(
            Enrolment.course_id == course.id
        )
    ).one()
    started_course = db.session.scalars(
        select(func.count(func.distinct(LessonProgress.enrolment_id)))
        .join(Enrolment, Enrolment.id == LessonProgress.enrolment_id)
        .where(Enrolment.course_id == course.id)
    ).one()
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
    started = dict(started_rows)
    done: dict[int, int] = dict(completed_rows)
    scores: dict[int, Decimal | float] = dict(score_rows)  # AVG: a Decimal on PostgreSQL
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
