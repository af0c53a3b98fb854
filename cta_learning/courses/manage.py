"""Course figures for organisers and admins: enrolment, progress and completion, and CSV."""

from flask import Blueprint, abort, render_template

from cta_learning.courses import operations
from cta_learning.courses.figures import course_figures
from cta_learning.i18n import current_language, translated
from cta_learning.security import require_role
from cta_learning.spreadsheets import csv_response

bp = Blueprint("courses_manage", __name__, url_prefix="/manage/courses")


@bp.before_request
@require_role("organiser")
def _organisers_only():
    """Every page here is for organisers and admins."""


@bp.get("/")
def index():
    return render_template(
        "courses_manage/index.html",
        figures=[course_figures(course) for course in operations.courses()],
        language=current_language(),
    )


@bp.get("/<slug>.csv")
def export(slug: str):
    course = operations.course_by_slug(slug)
    if course is None:
        abort(404)
    figures = course_figures(course)
    language = current_language()
    title = translated(course.title, language)[0]
    whole_course = [
        title,
        "",
        "",
        figures.enrolled,
        figures.started,
        figures.completed,
        figures.rate(figures.completed, figures.enrolled),
        "",
    ]
    chapters = [
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
        for row in figures.chapters
    ]
    return csv_response(f"{course.slug}-figures.csv", FIGURE_COLUMNS, [whole_course, *chapters])


FIGURE_COLUMNS = (
    "course",
    "chapter",
    "position",
    "enrolled",
    "started",
    "completed",
    "completion_rate",
    "quiz_average",
)
