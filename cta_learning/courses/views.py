"""The MOOC for learners: catalogue, syllabus, lessons, quizzes and games, certificates.

Who may do what is decided in one place, `_readable()` with `check_open()`:
visitors see the catalogue, syllabi and preview lessons; enrolment needs the unlock
(`access.may_use(user, "mooc")`); lessons open chapter after chapter when the course says so.
"""

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from cta_learning import content, printing
from cta_learning.access import may_use
from cta_learning.actions.operations import priority_areas_of
from cta_learning.caching import shared_page
from cta_learning.courses import certificates, grading, operations
from cta_learning.courses.grading import Incomplete
from cta_learning.courses.media import content_security_policy, recording_for, send_media
from cta_learning.courses.models import Course, Lesson
from cta_learning.courses.progress import (
    Progress,
    check_open,
    complete,
    learner_courses,
    progress_for,
    visit,
)
from cta_learning.courses.versions import CERTIFICATES, COURSES
from cta_learning.extensions import login_manager
from cta_learning.forms import BaseForm
from cta_learning.i18n import current_language
from cta_learning.refusals import Refused
from cta_learning.security import acting_user, require_role

bp = Blueprint("courses", __name__)

KIND_LABELS = {
    "reading": _l("Reading"),
    "video": _l("Video"),
    "podcast": _l("Podcast"),
    "quiz": _l("Quiz"),
    "game": _l("Game"),
}


def _course(slug: str) -> Course:
    course = operations.course_by_slug(slug)
    if course is None:
        abort(404)
    return course


def _lesson(course: Course, lesson_slug: str) -> Lesson:
    lesson = next((lesson for lesson in course.lessons if lesson.slug == lesson_slug), None)
    if lesson is None:
        abort(404)
    return lesson


def _learner(course: Course) -> Progress:
    """The signed-in person's progress (no enrolment: an empty one)."""
    return progress_for(
        course,
        operations.enrolment_for(acting_user() if current_user.is_authenticated else None, course),
    )


@bp.get("/courses/")
@shared_page(COURSES)
def catalogue():
    courses = operations.courses()
    enrolled = {}
    if current_user.is_authenticated:
        enrolled = {
            enrolment.course_id: (enrolment, done, total)
            for enrolment, done, total in learner_courses(current_user)
        }
    return render_template(
        "courses/catalogue.html", courses=courses, enrolled=enrolled, language=current_language()
    )


@bp.get("/courses/<slug>/")
@shared_page(COURSES)
def syllabus(slug: str):
    course = _course(slug)
    progress = _learner(course)
    recommended = set()
    if current_user.is_authenticated and current_user.organisation is not None:
        recommended = operations.recommended_chapters(
            course, priority_areas_of(current_user.organisation)
        )
    return render_template(
        "courses/syllabus.html",
        course=course,
        progress=progress,
        may_enrol=progress.enrolment is None and may_use(current_user, "mooc"),
        recommended=recommended,
        certificate=certificates.certificate_for(progress.enrolment),
        priorities={priority.id: priority for priority in content.priorities()},
        language=current_language(),
        kind_labels=KIND_LABELS,
        form=BaseForm(),
    )


@bp.post("/courses/<slug>/enrol")
@require_role("member")
def enrol(slug: str):
    course = _course(slug)
    if not BaseForm().validate_on_submit():
        abort(400)
    operations.enrol(acting_user(), course)
    flash(_("You are enrolled. Welcome to the course!"), "success")
    first = course.lessons[0] if course.lessons else None
    if first is None:
        return redirect(url_for("courses.syllabus", slug=course.slug))
    return redirect(url_for("courses.lesson", slug=course.slug, lesson_slug=first.slug))


@bp.get("/courses/<slug>/<lesson_slug>/")
def lesson(slug: str, lesson_slug: str):
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    progress, followed = _readable(course, lesson)
    if followed:
        visit(progress, lesson)
    return _render_lesson(course, lesson, progress)


def _readable(course: Course, lesson: Lesson) -> tuple[Progress, bool]:
    """The learner's progress and True when they follow the lesson; a preview is open to
    everyone and followed by no one; a visitor is asked to log in, anyone else refused."""
    progress = _learner(course)
    try:
        check_open(acting_user(), progress, lesson)
    except Refused as error:
        if lesson.preview:
            return Progress(course, None), False
        if not current_user.is_authenticated:
            abort(login_manager.unauthorized())
        raise error.leading_to(operations.back_to_course(course)) from None
    return progress, True


@bp.get("/courses/<slug>/<lesson_slug>/transcript.txt")
def transcript(slug: str, lesson_slug: str):
    """A recording's transcript as a text file, to read offline."""
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    _readable(course, lesson)
    text, fallback = operations.lesson_content(lesson, current_language())
    if "transcript" not in text:
        abort(404)
    name = f"{lesson.slug}.{'en' if fallback else current_language()}.txt"
    return text["transcript"], {
        "Content-Type": "text/plain; charset=utf-8",
        "Content-Disposition": f'attachment; filename="{name}"',
    }


def _render_lesson(course, lesson, progress, error=None, answers=None, status=200):
    language = current_language()
    text, fallback = operations.lesson_content(lesson, language)
    lessons = course.lessons
    position = lessons.index(lesson)
    game = text.get("game")
    recording = recording_for(lesson, language) if lesson.kind in ("video", "podcast") else None
    policy = content_security_policy(recording)
    return (
        render_template(
            "courses/lesson.html",
            course=course,
            lesson=lesson,
            text=text,
            fallback=fallback,
            progress=progress,
            previous=lessons[position - 1] if position else None,
            following=lessons[position + 1] if position + 1 < len(lessons) else None,
            match_options=grading.match_options(lesson, game)
            if game and game["kind"] == "match"
            else [],
            attempts=grading.attempts_for(progress, lesson) if lesson.is_graded else [],
            pass_mark=grading.pass_mark(lesson, course),
            recording=recording,
            language=language,
            kind_labels=KIND_LABELS,
            error=error,
            answers=answers or {},
            form=BaseForm(),
        ),
        status,
        {"Content-Security-Policy": policy} if policy else {},
    )


def _enrolled_lesson(slug: str, lesson_slug: str):
    """For changes: the course, the lesson and the learner's progress (operations check them)."""
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    if not BaseForm().validate_on_submit():
        abort(400)
    return course, lesson, _learner(course)


@bp.post("/courses/<slug>/<lesson_slug>/done")
@require_role("member")
def done(slug: str, lesson_slug: str):
    course, lesson, progress = _enrolled_lesson(slug, lesson_slug)
    certificate = complete(acting_user(), progress, lesson)
    return _after(course, lesson, progress, certificate)


def _after(course, lesson, progress, certificate):
    if certificate is not None:
        flash(_("You have completed the course: here is your certificate."), "success")
        return redirect(url_for("courses.my_certificate", slug=course.slug))
    following = progress.next_lesson()
    if following is None:
        return redirect(url_for("courses.syllabus", slug=course.slug))
    if following.chapter_id != lesson.chapter_id and progress.chapter_done(lesson.chapter):
        flash(_("Chapter completed. The next one is open."), "success")
    return redirect(url_for("courses.lesson", slug=course.slug, lesson_slug=following.slug))


@bp.post("/courses/<slug>/<lesson_slug>/answers")
@require_role("member")
def answer(slug: str, lesson_slug: str):
    try:
        course, lesson, progress = _enrolled_lesson(slug, lesson_slug)
        chapter_was_done = progress.chapter_done(lesson.chapter)
        answers = grading.answers_from(request.form, lesson)
        attempt, certificate = grading.submit_attempt(acting_user(), progress, lesson, answers)
    except Incomplete:  # nothing was recorded: the lesson again, with what is missing
        return _render_lesson(
            course,
            lesson,
            progress,
            error=_("Answer every question before sending.")
            if lesson.kind == "quiz"
            else _("Place every item before sending."),
            answers=answers,
        )
    if certificate is not None:
        flash(_("You have completed the course: here is your certificate."), "success")
    elif not chapter_was_done and progress.chapter_done(lesson.chapter):
        flash(_("Chapter completed. The next one is open."), "success")
    return redirect(
        url_for("courses.attempt", slug=course.slug, lesson_slug=lesson.slug, attempt_id=attempt.id)
    )


@bp.get("/courses/<slug>/<lesson_slug>/attempts/<int:attempt_id>")
@require_role("member")
def attempt(slug: str, lesson_slug: str, attempt_id: int):
    course = _course(slug)
    lesson = _lesson(course, lesson_slug)
    progress = _learner(course)
    attempt = grading.attempt_by_id(progress, lesson, attempt_id)
    if attempt is None:
        abort(404)
    language = current_language()
    text, fallback = operations.lesson_content(lesson, language)
    game = text.get("game")
    return render_template(
        "courses/attempt.html",
        course=course,
        lesson=lesson,
        text=text,
        fallback=fallback,
        attempt=attempt,
        progress=progress,
        passed_once=progress.is_done(lesson),
        match_options=dict(grading.match_options(lesson, game))
        if game and game["kind"] == "match"
        else {},
        pass_mark=grading.pass_mark(lesson, course),
        following=progress.next_lesson(),
        certificate=certificates.certificate_for(progress.enrolment),
        language=language,
        form=BaseForm(),
    )


@bp.get("/courses/<slug>/certificate")
@require_role("member")
def my_certificate(slug: str):
    course = _course(slug)
    certificate = certificates.certificate_for(operations.enrolment_for(current_user, course))
    if certificate is None:
        flash(_("Complete every lesson of the course to receive its certificate."), "info")
        return redirect(url_for("courses.syllabus", slug=course.slug))
    return render_template(
        "courses/certificate.html", certificate=certificate, language=current_language(), own=True
    )


@bp.get("/courses/<slug>/certificate.pdf")
@require_role("member")
def certificate_pdf(slug: str):
    """The learner's own certificate as a PDF in their language; anyone else finds nothing."""
    course = _course(slug)
    certificate = certificates.certificate_for(operations.enrolment_for(current_user, course))
    if certificate is None:
        abort(404)
    document = certificates.certificate_pdf(certificate, current_language(), current_user.timezone)
    return printing.download(document, certificates.pdf_filename(certificate))


@bp.get("/certificates/")
def verify():
    code = request.args.get("code", "").strip()
    if code:
        return redirect(url_for("courses.certificate", code=code.upper()))
    return render_template("courses/verify.html")


@bp.get("/certificates/<code>")
@shared_page(CERTIFICATES, COURSES)
def certificate(code: str):
    found = certificates.certificate_by_code(code)
    if found is None:
        return render_template("courses/verify.html", code=code, not_found=True), 404
    return render_template(
        "courses/certificate.html", certificate=found, language=current_language(), own=False
    )


@bp.get("/courses/media/<filename>")
def media(filename: str):
    """Recordings, captions and posters of lessons (see media.send_media)."""
    return send_media(filename, request.args.get("v"))


@bp.get("/courses/<slug>/resume")
@require_role("member")
def resume(slug: str):
    """Back to where the learner left off (from the dashboard)."""
    course = _course(slug)
    progress = _learner(course)
    following = progress.next_lesson() if progress.enrolment else None
    if following is None:
        return redirect(url_for("courses.syllabus", slug=course.slug))
    return redirect(url_for("courses.lesson", slug=course.slug, lesson_slug=following.slug))
