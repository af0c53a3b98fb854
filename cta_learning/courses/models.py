"""Courses imported from content files, and what each learner did in them.

A course, its chapters and lessons are rewritten by `flask courses import`; they are matched by
their ids (`slug`), so a learner's progress stays attached to every lesson whose id remains.
A lesson's texts per language (`content`) are loaded only on its own page; navigation needs only
`titles`.
"""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from cta_learning.accounts.models import User
from cta_learning.database import utcnow
from cta_learning.extensions import Model


class Course(Model):
    __tablename__ = "courses"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(100), unique=True)
    position: Mapped[int] = mapped_column(default=0)
    languages: Mapped[list] = mapped_column(JSON)
    sequential: Mapped[bool] = mapped_column(default=True)
    pass_mark: Mapped[int] = mapped_column(default=70)
    title: Mapped[dict] = mapped_column(JSON)  # {language: text}
    summary: Mapped[dict] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64), default="")
    imported_at: Mapped[datetime] = mapped_column(default=utcnow)

    chapters: Mapped[list["Chapter"]] = relationship(
        back_populates="course", order_by="Chapter.position", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Course {self.slug}>"

    @property
    def lessons(self) -> list["Lesson"]:
        return [lesson for chapter in self.chapters for lesson in chapter.lessons]

    @property
    def minutes(self) -> int:
        return sum(chapter.minutes for chapter in self.chapters)


class Chapter(Model):
    __tablename__ = "course_chapters"
    __table_args__ = (UniqueConstraint("course_id", "slug", name="uq_course_chapters_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=60)
    priorities: Mapped[list] = mapped_column(JSON, default=list)  # priority area ids
    title: Mapped[dict] = mapped_column(JSON)
    summary: Mapped[dict] = mapped_column(JSON)

    course: Mapped[Course] = relationship(back_populates="chapters")
    lessons: Mapped[list["Lesson"]] = relationship(
        back_populates="chapter", order_by="Lesson.position"
    )

    def __repr__(self) -> str:
        return f"<Chapter {self.slug}>"


class Lesson(Model):
    __tablename__ = "course_lessons"
    __table_args__ = (UniqueConstraint("course_id", "slug", name="uq_course_lessons_slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    chapter_id: Mapped[int] = mapped_column(
        ForeignKey("course_chapters.id", ondelete="CASCADE"), index=True
    )
    slug: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[str] = mapped_column(String(10))
    preview: Mapped[bool] = mapped_column(default=False)
    pass_mark: Mapped[int | None]
    minutes: Mapped[int] = mapped_column(default=5)
    titles: Mapped[dict] = mapped_column(JSON)  # {language: title}
    # {language: {"body_html", "media", "duration", "questions", "game"}}: answers included,
    # so it is read only by the server and never sent whole to a browser.
    content: Mapped[dict] = deferred(mapped_column(JSON))

    course: Mapped[Course] = relationship()
    chapter: Mapped[Chapter] = relationship(back_populates="lessons")

    def __repr__(self) -> str:
        return f"<Lesson {self.slug}>"

    @property
    def is_graded(self) -> bool:
        return self.kind in ("quiz", "game")


class Enrolment(Model):
    __tablename__ = "course_enrolments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id", name="uq_course_enrolments_user"),
        Index("ix_course_enrolments_course_completed", "course_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_lesson_id: Mapped[int | None] = mapped_column(
        ForeignKey("course_lessons.id", ondelete="SET NULL")
    )
    last_seen_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<Enrolment user={self.user_id} course={self.course_id}>"


class LessonProgress(Model):
    __tablename__ = "course_lesson_progress"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "lesson_id", name="uq_course_lesson_progress_lesson"),
        Index("ix_course_lesson_progress_lesson_completed", "lesson_id", "completed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("course_enrolments.id", ondelete="CASCADE")
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    best_score: Mapped[int | None]  # percent, quizzes and games

    def __repr__(self) -> str:
        return f"<LessonProgress enrolment={self.enrolment_id} lesson={self.lesson_id}>"


class Attempt(Model):
    """One submitted quiz or game, kept whole: the answers and what they were worth."""

    __tablename__ = "course_attempts"
    __table_args__ = (Index("ix_course_attempts_enrolment_lesson", "enrolment_id", "lesson_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("course_enrolments.id", ondelete="CASCADE")
    )
    lesson_id: Mapped[int] = mapped_column(ForeignKey("course_lessons.id", ondelete="CASCADE"))
    answers: Mapped[dict] = mapped_column(JSON)  # {question or item id: [choice ids]}
    score: Mapped[int]  # percent
    passed: Mapped[bool]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Attempt {self.id} lesson={self.lesson_id} score={self.score}>"


class Certificate(Model):
    """Proof of completion; the public page shows only the name, the course and the date."""

    __tablename__ = "course_certificates"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("course_enrolments.id", ondelete="CASCADE"), unique=True
    )
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))  # as it was when the course was completed
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()

    def __repr__(self) -> str:
        return f"<Certificate {self.code}>"
