"""`flask courses check` validates course folders; `flask courses import` writes them."""

import os
from collections.abc import Iterator

import click
from flask import current_app
from flask.cli import with_appcontext

from cta_learning.content import priority_ids
from cta_learning.courses.content import CourseFiles, read_course
from cta_learning.courses.importing import import_course, is_web_media, media_folder
from cta_learning.courses.recording import make_recording, missing_programs, set_duration
from cta_learning.extensions import db


@click.group()
def courses() -> None:
    """Course content."""


def _course_folders(paths: tuple[str, ...]) -> list[str]:
    if paths:
        return list(paths)
    root = os.path.join(current_app.config["CONTENT_PATH"], "courses")
    return sorted(
        os.path.join(root, name)
        for name in os.listdir(root)
        if os.path.isdir(os.path.join(root, name))
    )


@courses.command()
@click.argument("paths", nargs=-1, type=click.Path(file_okay=False))
@with_appcontext
def check(paths: tuple[str, ...]) -> None:
    """Validate every course folder (all of content/courses/ by default)."""
    results = _read_all(paths)
    for result in results:
        if not result.problems:
            lessons = len({lesson for lesson, _ in result.lessons})
            partial = "".join(
                f", {sum(written == language for _, written in result.lessons)} in {language}"
                for language in result.partial_languages
            )
            click.echo(
                f"{result.path}: {lessons} lessons in {', '.join(result.languages)}{partial}: OK."
            )
    if any(result.problems for result in results):
        raise SystemExit(1)


def _read_all(paths: tuple[str, ...]) -> list[CourseFiles]:
    """Read every folder, reporting each problem with its file on standard error."""
    results = [read_course(folder, priority_ids()) for folder in _course_folders(paths)]
    for result in results:
        for problem in result.problems:
            click.echo(problem, err=True)
        if result.problems:
            click.echo(f"{result.path}: {len(result.problems)} problem(s).", err=True)
    return results


@courses.command("import")
@click.argument("paths", nargs=-1, type=click.Path(file_okay=False))
@with_appcontext
def import_command(paths: tuple[str, ...]) -> None:
    """Validate and import course folders (all of content/courses/ by default).

    Idempotent; learners keep their progress on every lesson whose id remains.
    """
    results = _read_all(paths)
    if any(result.problems for result in results):
        click.echo("Nothing was imported.", err=True)
        raise SystemExit(1)
    for position, result in enumerate(results):
        report = import_course(result, position=position)
        if report.unchanged:
            click.echo(f"{result.path}: unchanged.")
        else:
            click.echo(
                f"{result.path}: {report.created} lesson(s) added, {report.updated} updated, "
                f"{report.removed} removed."
            )
    db.session.commit()


@courses.command("media")
@click.option("--lesson", "only_lessons", multiple=True, help="Only this lesson (repeatable).")
@click.option("--language", "only_languages", multiple=True, help="Only this language.")
@click.argument("paths", nargs=-1, type=click.Path(file_okay=False))
@with_appcontext
def media_command(
    only_lessons: tuple[str, ...], only_languages: tuple[str, ...], paths: tuple[str, ...]
) -> None:
    """Make the recordings of video and podcast lessons from their transcripts (content/media/).

    Writes each file the lesson names (media, captions, poster) and the real duration into the
    lesson's header; media hosted elsewhere is left alone.
    """
    if missing_programs():
        click.echo(f"Install {', '.join(missing_programs())} first.", err=True)
        raise SystemExit(1)
    results = _read_all(paths)
    if any(result.problems for result in results):
        raise SystemExit(1)
    folder = media_folder()
    os.makedirs(folder, exist_ok=True)
    for result in results:
        for lesson_id, kind, language, text in _recordings(result):
            if (only_lessons and lesson_id not in only_lessons) or (
                only_languages and language not in only_languages
            ):
                continue
            paths_of = {"media": text["media"], "poster": text.get("poster")}
            paths_of["captions"] = (text.get("captions") or {}).get(language)
            local = {
                name: os.path.join(folder, file)
                for name, file in paths_of.items()
                if file and not is_web_media(file)
            }
            made = make_recording(kind, language, text["title"], text["body"], local)
            set_duration(
                os.path.join(result.path, "lessons", f"{lesson_id}.{language}.md"), made.duration
            )
            for path, size in made.files.items():
                click.echo(f"{path}: {size / 1e6:.2f} MB, {made.duration / 60:.1f} min")


def _recordings(result: CourseFiles) -> Iterator[tuple[str, str, str, dict]]:
    """(lesson id, kind, language, lesson) of each video and podcast whose media is a file here."""
    chapters = result.course["chapters"] if result.course else []
    for ref in (ref for chapter in chapters for ref in chapter["lessons"]):
        if ref["kind"] in ("video", "podcast"):
            for language in result.languages:
                text = result.lessons[(ref["id"], language)]
                if not is_web_media(text["media"]):
                    yield ref["id"], ref["kind"], language, text
