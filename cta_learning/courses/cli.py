"""`flask courses check` validates course folders; `flask courses import` writes them."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from cta_learning.content import priority_ids
from cta_learning.courses.content import CourseFiles, read_course
from cta_learning.courses.importing import import_course
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
            click.echo(f"{result.path}: {lessons} lessons in {', '.join(result.languages)}: OK.")
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
