"""Events for participants: the list, each event's page, registering, calendars.

Who may see a draft or manage an event, and who may register, is decided in `rules.py`.
"""

from datetime import timedelta
from functools import lru_cache

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import joinedload, selectinload
from wtforms import SelectField

from cta_learning import content, i18n
from cta_learning.community.events import calendar, operations, registrations, times
from cta_learning.community.events.forms import ConfirmForm, RegisterForm
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
)
from cta_learning.community.events.rules import Refused, can_manage, registration_refusal
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.forms import choices
from cta_learning.pagination import paginate
from cta_learning.security import require_role

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
bp.add_app_template_global(LABELS, "event_labels")
bp.add_app_template_global(times, "event_times")


def viewer_zone(event: Event) -> str:
    """The signed-in person's zone; visitors see the event's own."""
    return current_user.timezone if current_user.is_authenticated else event.timezone


bp.add_app_template_global(viewer_zone, "event_viewer_zone")


def language_names(codes: list[str]) -> str:
    """'English, French, Arabic' in the reader's language."""
    return ", ".join(str(INTERPRETATION_LANGUAGES.get(code, code)) for code in codes)


bp.add_app_template_global(language_names, "language_names")


def priority_titles() -> dict[int, str]:
    language = i18n.current_language()
    return {p.id: i18n.translated(p.title, language)[0] for p in content.priorities()}


@lru_cache(maxsize=8)
def _filter_choices(language: str) -> tuple[list, ...]:
    """The filters' options as plain text in one language (translated once, not per page)."""
    with force_locale(language):
        everything = [("", str(_l("All")))]

        def plain(pairs):
            return choices([(value, str(label)) for value, label in pairs])

        return (
            plain([("upcoming", _l("Upcoming")), ("past", _l("Past"))]),
            plain(everything + list(KINDS.items())),
            plain(
                everything
                + [(str(p.id), i18n.translated(p.title, language)[0]) for p in content.priorities()]
            ),
            plain(everything + list(INTERPRETATION_LANGUAGES.items())),
        )


class FilterForm(FlaskForm):
    """The list's filters: a GET form; an unknown value is ignored."""

    class Meta:
        csrf = False

    when = SelectField(
        _l("When"), choices=choices([("upcoming", _l("Upcoming")), ("past", _l("Past"))])
    )
    kind = SelectField(_l("Kind of event"))
    priority = SelectField(_l("Priority area"))
    language = SelectField(_l("Language"))

    def set_choices(self, language: str) -> None:
        when, kinds, priorities, languages = _filter_choices(language)
        self.when.choices = when
        self.kind.choices = kinds
        self.priority.choices = priorities
        self.language.choices = languages

    def chosen(self) -> dict[str, str]:
        self.validate()
        return {
            name: field.data
            for name, field in self._fields.items()
            if field.data and not field.errors and name != "when"
        }


def _listing(filters: dict, past: bool):
    now = utcnow()
    query = select(Event).where(Event.status != "draft")
    if past:
        query = query.where(Event.ends_at <= now)
    else:
        query = query.where(Event.ends_at > now)
    if "kind" in filters:
        query = query.where(Event.kind == filters["kind"])
    if "priority" in filters:
        query = query.where(Event.priority_links.any(priority_id=int(filters["priority"])))
    if "language" in filters:
        query = query.where(cast(Event.languages, String).like(f'%"{filters["language"]}"%'))
    count = select(func.count()).select_from(query.subquery())
    order = Event.starts_at.desc() if past else Event.starts_at
    return query.options(joinedload(Event.series)).order_by(order, Event.id), count


@bp.get("/")
def index():
    form = FilterForm(request.args)
    form.set_choices(i18n.current_language())
    filters = form.chosen()
    past = form.when.data == "past"
    query, count = _listing(filters, past)
    page = paginate(query, count, PER_PAGE)
    mine = {}
    if current_user.is_authenticated and page.items:
        mine = dict(
            db.session.execute(
                select(Registration.event_id, Registration.status).where(
                    Registration.user_id == current_user.id,
                    Registration.event_id.in_([event.id for event in page.items]),
                )
            ).all()
        )
    args = dict(filters, when="past") if past else filters
    return render_template(
        "events/index.html", form=form, page=page, filters=args, past=past, mine=mine
    )


def _event(event_id: int) -> Event:
    """A published or cancelled event; drafts only for those who manage them."""
    event = db.session.get(Event, event_id)
    if event is None or (event.status == "draft" and not can_manage(current_user, event)):
        abort(404)
    return event


def _me():
    return current_user._get_current_object()


@bp.get("/<int:event_id>")
def detail(event_id: int):
    event = _event(event_id)
    segments = db.session.scalars(
        select(AgendaSegment)
        .where(AgendaSegment.event_id == event.id)
        .options(selectinload(AgendaSegment.people))
        .order_by(AgendaSegment.starts_at, AgendaSegment.id)
    ).all()
    registration = refusal = position = None
    if current_user.is_authenticated:
        registration = registrations.registration_of(event, current_user)
        if registration is not None and registration.status == "waiting":
            position = registrations.waiting_position(registration)
        if registration is None or registration.status == "cancelled":
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


def refusal_page(error: Refused):
    """The error page with the reason; nothing of the request is kept."""
    db.session.rollback()
    return render_template("errors/error.html", code=error.status, message=error.message), (
        error.status
    )


@bp.post("/<int:event_id>/register")
@require_role("member")
def register(event_id: int):
    event = _event(event_id)
    form = RegisterForm()
    form.language.choices = choices([("", "")] + [(code, code) for code in event.languages])
    if not form.validate():
        return refusal_page(Refused(_("Choose one of the event's languages."), 400))
    try:
        registration = registrations.register(event, _me(), form.language.data or None, utcnow())
    except Refused as error:
        return refusal_page(error)
    db.session.commit()
    messages = {
        "confirmed": _("You are registered. A confirmation is on its way by email."),
        "waiting": _(
            "The event is full: you are on the waiting list. We will email you if a place frees up."
        ),
        "pending": _("Your registration is waiting for the organisers' approval."),
    }
    flash(messages[registration.status], "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/<int:event_id>/cancel")
@require_role("member")
def cancel(event_id: int):
    event = _event(event_id)
    registration = registrations.registration_of(event, current_user)
    if not ConfirmForm().validate() or registration is None:
        abort(400)
    try:
        registrations.cancel(registration, _me(), utcnow())
    except Refused as error:
        return refusal_page(error)
    db.session.commit()
    flash(_("Your registration is cancelled."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.get("/<int:event_id>/calendar.ics")
def calendar_entry(event_id: int):
    event = _event(event_id)
    registered = False
    if current_user.is_authenticated:
        registration = registrations.registration_of(event, current_user)
        registered = registration is not None and registration.status == "confirmed"
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
        .where(Registration.user_id == current_user.id, Registration.status != "cancelled")
        .order_by(Event.starts_at.desc())
    ).all()
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
    operations.calendar_feed(_me(), renew=True)
    db.session.commit()
    if renewing:
        flash(_("Your calendar address is renewed: the old one no longer works."), "success")
    return redirect(url_for("events.mine"))


@bp.get("/calendar/<token>.ics")
def feed(token: str):
    user_id = operations.feed_owner(token)
    if user_id is None:
        abort(404)
    since = utcnow() - timedelta(days=FEED_HISTORY_DAYS)
    events = operations.feed_events(user_id, since)
    body = calendar.calendar_file([(event, True) for event in events], name="CTA Learning")
    response = _ics(body, "events.ics", download=False)
    response[2]["Cache-Control"] = "private, max-age=300"
    return response
