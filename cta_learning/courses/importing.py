"""`flask courses import`: write a validated course folder into the database.

Chapters and lessons are matched by their ids, so re-importing a changed course updates them in
place and every learner keeps their progress on the lessons that remain; lessons and chapters
that left the folder are removed with their progress. Importing the same files twice changes
nothing (the files' hash is kept).
"""

import hashlib
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cta_learning.courses.content import CourseFiles
from cta_learning.courses.models import Chapter, Course, Lesson
from cta_learning.courses.transcripts import plain_text
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.templating import render_markdown


@dataclass
class ImportReport:
    course: Course
    created: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: bool = False


def _hash(files: CourseFiles) -> str:
    payload = json.dumps(
        [files.course, sorted((list(key), value) for key, value in files.lessons.items())],
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def is_web_media(media: str) -> bool:
    return media.startswith("https://")


def media_folder() -> str:
    """Where lesson audio and video files live (content/media/)."""
    return os.path.join(current_app.config["CONTENT_PATH"], "media")


@lru_cache(maxsize=512)
def _render_body(body: str) -> str:
    return str(render_markdown(body, tables=True))


def _lesson_content(lesson: dict[str, Any]) -> dict[str, Any]:
    """What a lesson page needs in one language: the body rendered once, here."""
    content: dict[str, Any] = {"body_html": _render_body(lesson["body"])}
    if "media" in lesson:  # whether its files exist is seen when the page is shown (media.py)
        content["transcript"] = plain_text(lesson["title"], lesson["body"])
    for name in ("media", "duration", "captions", "poster", "questions", "game"):
        if name in lesson:
            content[name] = lesson[name]
    return content


def import_course(files: CourseFiles, position: int = 0) -> ImportReport:
    """Create or update the course from validated files (`files.problems` must be empty)."""
    if files.problems or files.course is None:
        raise ValueError("the course has problems; run `flask courses check`")
    data = files.course
    digest = _hash(files)
    course = db.session.scalar(
        select(Course)
        .where(Course.slug == data["id"])
        .options(selectinload(Course.chapters).selectinload(Chapter.lessons))
    )
    if course is not None and course.content_hash == digest:
        return ImportReport(course=course, unchanged=True)
    if course is None:
        course = Course(slug=data["id"])
        db.session.add(course)
    course.position = position
    course.languages = list(data["languages"])
    course.sequential = data["sequential"]
    course.pass_mark = data["pass_mark"]
    course.title = data["title"]
    course.summary = data["summary"]
    course.content_hash = digest
    course.imported_at = utcnow()
    report = ImportReport(course=course)
    chapters = {chapter.slug: chapter for chapter in course.chapters}
    lessons = {lesson.slug: lesson for chapter in course.chapters for lesson in chapter.lessons}
    kept_chapters = []
    for chapter_position, chapter_data in enumerate(data["chapters"]):
        chapter = chapters.pop(chapter_data["id"], None) or Chapter(slug=chapter_data["id"])
        chapter.position = chapter_position
        chapter.minutes = chapter_data["minutes"]
        chapter.priorities = list(chapter_data["priorities"])
        chapter.title = chapter_data["title"]
        chapter.summary = chapter_data["summary"]
        kept_chapters.append(chapter)
        chapter_lessons = []
        for lesson_position, ref in enumerate(chapter_data["lessons"]):
            lesson = lessons.pop(ref["id"], None)
            if lesson is None:
                lesson = Lesson(slug=ref["id"], course=course)
                report.created += 1
            else:
                report.updated += 1
            _fill_lesson(lesson, ref, files, lesson_position)
            chapter_lessons.append(lesson)
        chapter.lessons = chapter_lessons
    course.chapters = kept_chapters
    for lesson in lessons.values():
        db.session.delete(lesson)
        report.removed += 1
    db.session.flush()
    return report


def _fill_lesson(lesson: Lesson, ref: dict, files: CourseFiles, position: int) -> None:
    languages = files.languages
    texts = {  # a language missing here is read in English (operations.lesson_content)
        language: files.lessons[(ref["id"], language)]
        for language in languages + files.partial_languages
        if (ref["id"], language) in files.lessons
    }
    lesson.position = position
    lesson.kind = ref["kind"]
    lesson.preview = ref["preview"]
    lesson.pass_mark = ref.get("pass_mark")
    lesson.minutes = texts[languages[0]]["minutes"]
    lesson.titles = {language: text["title"] for language, text in texts.items()}
    lesson.content = {language: _lesson_content(text) for language, text in texts.items()}
