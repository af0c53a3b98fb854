"""Course figures for organisers and admins: enrolment, progress and completion, and CSV."""

import csv
import io

from flask import Blueprint, Response, abort, render_template

from cta_learning.courses import operations
from cta_learning.i18n import current_language, translated
from cta_learning.security import require_role

bp = Blueprint("courses_manage", __name__, url_prefix="/manage/courses")


@bp.before_request
@require_role("organiser")
def _organisers_only():
    """Every page here is for organisers and admins."""


@bp.get("/")
def index():
    return render_template(
        "courses_manage/index.html",
        figures=[operations.figures(course) for course in operations.courses()],
        language=current_language(),
    )


@bp.get("/<slug>.csv")
def export(slug: str):
    course = operations.course_by_slug(slug)
    if course is None:
        abort(404)
    figures = operations.figures(course)
    language = current_language()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            "course",
            "chapter",
            "position",
            "enrolled",
            "started",
            "completed",
            "completion_rate",
            "quiz_average",
        ]
    )
    title = translated(course.title, language)[0]
    writer.writerow(
        [
            title,
            "",
            "",
            figures.enrolled,
            figures.started,
            figures.completed,
            figures.rate(figures.completed, figures.enrolled),
            "",
        ]
    )
    for row in figures.chapters:
        writer.writerow(
            [
                title,
                translated(row.chapter.title, language)[0],
                row.chapter.position + 1,
                figures.enrolled,
                row.started,
                row.completed,
                figures.rate(row.completed, figures.enrolled),
                "" if row.quiz_average is None else row.quiz_average,
            ]
        )
    return Response(
        buffer.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{course.slug}-figures.csv"'},
    )
