"""`flask courses check`: validate course folders without writing anything."""

import os

import click
from flask import current_app
from flask.cli import with_appcontext

from cta_learning.content import priority_ids
from cta_learning.courses.content import read_course


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
