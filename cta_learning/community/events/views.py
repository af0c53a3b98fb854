"""Events for participants: the list, each event's page, registering, calendars.

Who may see a draft or manage an event, and who may register, is decided in `rules.py`.
"""

from datetime import timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cta_learning import content, i18n, printing
from cta_learning.caching import shared_page
from cta_learning.community.events import (
    calendar,
    certificates,
    listing,
    operations,
    registration_operations,
    texts,
    times,
)
from cta_learning.community.events.forms import ConfirmForm, RegisterForm
from cta_learning.community.events.listing import load_translations
from cta_learning.community.events.models import (
    AUDIENCES,
    FORMATS,
    INTERPRETATION_LANGUAGES,
    KINDS,
    PERSON_ROLES,
    REGISTRATION_STATUSES,
    SEGMENT_KINDS,
    STATUSES,
    AgendaSegment,
    Event,
    Registration,
    RegistrationStatus,
)
from cta_learning.community.events.rules import can_manage, may_see, registration_refusal
from cta_learning.community.events.versions import EVENTS
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.forms import choices
from cta_learning.pagination import paginate
from cta_learning.refusals import Refused
from cta_learning.security import acting_user, require_role
from cta_learning.templating import add_template_values

bp = Blueprint("events", __name__, url_prefix="/events")
PER_PAGE = 20
FEED_HISTORY_DAYS = 90
LABELS = {
    "kinds": KINDS,
    "formats": FORMATS,
    "audiences": AUDIENCES,
    "languages": INTERPRETATION_LANGUAGES,
    "segments": SEGMENT_KINDS,
    "roles": PERSON_ROLES,
    "statuses": REGISTRATION_STATUSES,
    "event_statuses": STATUSES,
}
add_template_values(
    bp, event_labels=LABELS, event_times=times, event_text_languages=texts.TEXT_LANGUAGES
)


def viewer_zone(event: Event) -> str:
    """The signed-in person's zone; visitors see the event's own."""
    return current_user.timezone if current_user.is_authenticated else event.timezone


bp.add_app_template_global(viewer_zone, "event_viewer_zone")


def language_names(codes: list[str]) -> str:
    """'English, French, and Arabic' in the reader's language."""
    return i18n.list_text(INTERPRETATION_LANGUAGES.get(code, code) for code in codes)


bp.add_app_template_global(language_names, "language_names")


def event_text(row: Event | AgendaSegment):
    """An event's or segment's texts in the reader's language (the recipient's, in an email),
    else in its own (see `texts.localise`)."""
    return row.text(i18n.current_language())


bp.add_app_template_global(event_text, "event_text")


def priority_titles() -> dict[int, str]:
    language = i18n.current_language()
    return {p.id: i18n.translated(p.title, language)[0] for p in content.priorities()}


@bp.get("/")
@shared_page(EVENTS, arguments=(*listing.FilterForm.argument_names(), "page"), fresh_for=60)
def index():
    form = listing.FilterForm(request.args)
    form.set_choices(i18n.current_language())
    filters = form.chosen()
    past = form.when.data == "past"
    page = paginate(*listing.events(filters, past), PER_PAGE)
    load_translations(page.items)
    mine = listing.statuses_of(acting_user(), page.items) if current_user.is_authenticated else {}
    args = dict(filters, when="past") if past else filters
    return render_template(
        "events/index.html", form=form, page=page, filters=args, past=past, mine=mine
    )


def _event(event_id: int) -> Event:
    """A published or cancelled event; drafts only for those who manage them."""
    event = db.session.get(Event, event_id)
    if event is None or not may_see(current_user, event):
        abort(404)
    return event


@bp.get("/<int:event_id>")
@shared_page(EVENTS, fresh_for=60)  # registration opens and closes with the clock
def detail(event_id: int):
    event = _event(event_id)
    segments = db.session.scalars(
        select(AgendaSegment)
        .where(AgendaSegment.event_id == event.id)
        .options(selectinload(AgendaSegment.people), selectinload(AgendaSegment.translations))
        .order_by(AgendaSegment.starts_at, AgendaSegment.id)
    ).all()
    load_translations([event, event.series, *event.sessions])
    registration = refusal = position = None
    if current_user.is_authenticated:
        registration = registration_operations.registration_of(event, current_user)
        if registration is not None and registration.status == RegistrationStatus.WAITING:
            position = registration_operations.waiting_position(registration)
        if registration is None or registration.status == RegistrationStatus.CANCELLED:
            refusal = registration_refusal(current_user, event, utcnow())
    form = RegisterForm()
    form.language.choices = choices(
        [("", _("No interpretation needed"))]
        + [(code, INTERPRETATION_LANGUAGES[code]) for code in event.languages]
    )
    return render_template(
        "events/detail.html",
        event=event,
        segments=segments,
        registration=registration,
        position=position,
        refusal=refusal,
        form=form,
        cancel_form=ConfirmForm(),
        now=utcnow(),
        priorities=priority_titles(),
        manages=current_user.is_authenticated and can_manage(current_user, event),
    )


@bp.post("/<int:event_id>/register")
@require_role("member")
def register(event_id: int):
    event = _event(event_id)
    form = RegisterForm()
    form.language.choices = choices([("", "")] + [(code, code) for code in event.languages])
    if not form.validate():
        raise Refused(_("Choose one of the event's languages."), 400)
    registration = registration_operations.register(
        event, acting_user(), form.language.data or None, utcnow()
    )
    flash(registration_operations.outcome_message(registration.status), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/<int:event_id>/cancel")
@require_role("member")
def cancel(event_id: int):
    event = _event(event_id)
    registration = registration_operations.registration_of(event, current_user)
    if not ConfirmForm().validate() or registration is None:
        abort(400)
    registration_operations.cancel(registration, acting_user(), utcnow())
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.get("/<int:event_id>/calendar.ics")
def calendar_entry(event_id: int):
    event = _event(event_id)
    registered = False
    if current_user.is_authenticated:
        registration = registration_operations.registration_of(event, current_user)
        registered = (
            registration is not None and registration.status == RegistrationStatus.CONFIRMED
        )
    return _ics(calendar.calendar_file([(event, registered)]), f"event-{event.id}.ics")


def _ics(body: bytes, filename: str, download: bool = True):
    headers = {"Content-Type": f"{calendar.CONTENT_TYPE}; charset=utf-8"}
    if download:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return body, 200, headers


@bp.get("/mine")
@require_role("member")
def mine():
    rows = db.session.execute(
        select(Registration, Event)
        .join(Event, Event.id == Registration.event_id)
        .where(
            Registration.user_id == current_user.id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
        .order_by(Event.starts_at.desc())
    ).all()
    load_translations(row.Event for row in rows)
    feed = db.session.get(operations.CalendarFeed, current_user.id)
    now = utcnow()
    return render_template(
        "events/mine.html",
        upcoming=[row for row in rows if not row.Event.has_ended(now)][::-1],
        past=[row for row in rows if row.Event.has_ended(now)],
        feed=feed,
        form=ConfirmForm(),
    )


@bp.post("/mine/calendar")
@require_role("member")
def renew_feed():
    if not ConfirmForm().validate():
        abort(400)
    renewing = db.session.get(operations.CalendarFeed, current_user.id) is not None
    operations.calendar_feed(acting_user(), renew=True)
    if renewing:
        flash(_("Your calendar address is renewed: the old one no longer works."), "success")
    return redirect(url_for("events.mine"))


@bp.get("/<int:event_id>/attendance-certificate.pdf")
@require_role("member")
def attendance_certificate(event_id: int):
    """One's own certificate of attendance, once the organisers marked it; else nothing."""
    attendance = certificates.attendance_of(_event(event_id), current_user)
    if attendance is None:
        abort(404)
    document = certificates.attendance_pdf(attendance, i18n.current_language())
    return printing.download(document, certificates.pdf_filename(attendance))


@bp.get("/attendance/<code>")
def attendance_check(code: str):
    """The public page a certificate of attendance's address and QR code lead to."""
    attendance = certificates.attendance_by_code(code)
    if attendance is None:
        return render_template("events/attendance_check.html", attendance=None), 404
    return render_template("events/attendance_check.html", attendance=attendance)


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    owner = operations.feed_owner(token)
    if owner is None:
        abort(404)
    user_id, locale = owner
    since = utcnow() - timedelta(days=FEED_HISTORY_DAYS)
    events = operations.feed_events(user_id, since)
    load_translations(events)
    with force_locale(locale):  # the owner's, whoever's calendar program asks
        body = calendar.calendar_file([(event, True) for event in events], name="CTA Learning")
    response = _ics(body, "events.ics", download=False)
    response[2]["Cache-Control"] = "private, max-age=300"
    return response
