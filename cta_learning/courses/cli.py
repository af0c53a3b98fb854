"""`flask courses check` validates course folders; `flask courses import` writes them."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from cta_learning.content import priority_ids
from cta_learning.courses.content import read_course
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
    failed = False
    for folder in _course_folders(paths):
        result = read_course(folder, priority_ids())
        for problem in result.problems:
            click.echo(problem, err=True)
        if result.problems:
            failed = True
            click.echo(f"{folder}: {len(result.problems)} problem(s).", err=True)
        else:
            lessons = len({lesson for lesson, _ in result.lessons})
            click.echo(
                f"{folder}: {lessons} lessons in {', '.join(result.course['languages'])}: OK."
            )
    if failed:
        raise SystemExit(1)


@courses.command("import")
@click.argument("paths", nargs=-1, type=click.Path(file_okay=False))
@with_appcontext
def import_command(paths: tuple[str, ...]) -> None:
    """Validate and import course folders (all of content/courses/ by default).

    Idempotent; learners keep their progress on every lesson whose id remains.
    """
    folders = _course_folders(paths)
    results = [read_course(folder, priority_ids()) for folder in folders]
    failed = [result for result in results if result.problems]
    for result in failed:
        for problem in result.problems:
            click.echo(problem, err=True)
        click.echo(f"{result.path}: {len(result.problems)} problem(s).", err=True)
    if failed:
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
