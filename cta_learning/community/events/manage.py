"""Running events, for organisers (their own events) and admins (every event): details,
publication, postponement, cancellation, agenda and materials.

Every page checks the person through `managed_event()`, which asks `rules.can_manage`.
"""

from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from cta_learning import i18n
from cta_learning.accounts.models import Organisation
from cta_learning.community.events import operations
from cta_learning.community.events.forms import (
    CancelEventForm,
    ConfirmForm,
    EventForm,
    MaterialsForm,
    PostponeForm,
    SegmentForm,
    texts_by_language,
)
from cta_learning.community.events.models import (
    AgendaSegment,
    Event,
    Registration,
    RegistrationStatus,
)
from cta_learning.community.events.operations import EventDetails
from cta_learning.community.events.rules import can_manage, segment_fits
from cta_learning.community.events.texts import EVENT_TEXTS, SEGMENT_TEXTS
from cta_learning.community.events.times import NonexistentTime, in_zone, to_utc
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.forms import choices
from cta_learning.pagination import paginate
from cta_learning.security import acting_user, has_role, require_role
from cta_learning.urls import LARGEST_ID

bp = Blueprint("events_manage", __name__, url_prefix="/manage/events")
PER_PAGE = 30


@bp.before_request
@require_role("organiser")
def _organisers_only():
    """Every page here is for organisers and admins."""


def managed_event(event_id: int) -> Event:
    """The event, if this person may manage it: 404 when unknown, 403 when someone else's."""
    event = db.session.get(Event, event_id) if 0 < event_id <= LARGEST_ID else None
    if event is None:
        abort(404)
    if not can_manage(current_user, event):
        abort(403)
    return event


@bp.get("/")
def index():
    query = select(Event)
    if not has_role(current_user, "admin"):
        query = query.where(Event.created_by_id == current_user.id)
    count = select(func.count()).select_from(query.subquery())
    page = paginate(query.order_by(Event.starts_at.desc(), Event.id), count, PER_PAGE)
    waiting = dict(
        db.session.execute(
            select(Registration.event_id, func.count())
            .where(
                Registration.event_id.in_([event.id for event in page.items]),
                Registration.status.in_((RegistrationStatus.WAITING, RegistrationStatus.PENDING)),
            )
            .group_by(Registration.event_id)
        ).all()
    )
    return render_template("events_manage/index.html", page=page, waiting=waiting)


def _fill_texts(form, row: Event | AgendaSegment, fields: tuple[str, ...]) -> None:
    """Show the row's texts in its language and its translations in theirs."""
    for texts in (row, *row.translations):
        for name in fields:
            form[texts.language].form[name].data = getattr(texts, name)


def _event_form(event: Event | None = None) -> EventForm:
    form = EventForm(obj=event)
    organisations = db.session.execute(
        select(Organisation.id, Organisation.name).order_by(Organisation.name)
    ).all()
    form.set_choices(i18n.current_language(), [(row.id, row.name) for row in organisations])
    if request.method == "GET":
        zone = event.timezone if event else current_user.timezone
        form.timezone.data = zone
        if event is None:
            form.language.data = i18n.current_language()
        else:
            _fill_texts(form, event, EVENT_TEXTS)
            start, end = in_zone(event.starts_at, zone), in_zone(event.ends_at, zone)
            form.start_date.data, form.start_time.data = start.date(), start.time()
            form.end_date.data, form.end_time.data = end.date(), end.time()
            form.priority_ids.data = event.priority_ids
            form.invited_ids.data = [link.organisation_id for link in event.invitations]
            if event.registration_deadline:
                deadline = in_zone(event.registration_deadline, zone)
                form.deadline_date.data, form.deadline_time.data = deadline.date(), deadline.time()
    return form


def _details(form: EventForm) -> EventDetails:
    values = {
        name: getattr(form, name).data
        for name in operations.DETAIL_FIELDS
        if name != "registration_deadline"
    }
    values["registration_deadline"] = form.deadline
    values["online_url"] = values["online_url"] or None
    values["venue"] = values["venue"] or None
    return EventDetails(
        values=values,
        starts_at=form.starts_at,
        ends_at=form.ends_at,
        capacity=form.capacity.data,
        priority_ids=form.priority_ids.data or [],
        invited_ids=form.invited_ids.data or [],
        texts=texts_by_language(form, form.language.data),
    )


@bp.route("/new", methods=["GET", "POST"])
def new():
    series = None
    if request.args.get("series"):
        series = managed_event(request.args.get("series", type=int) or 0)
    form = _event_form()
    if request.method == "GET" and series is not None:
        form.kind.data, form.timezone.data = series.kind, series.timezone
        form.language.data = series.language
        form.languages.data, form.audience.data = series.languages, series.audience
        form.priority_ids.data = series.priority_ids
    if form.validate_on_submit():
        event = operations.create_event(_details(form), acting_user(), series=series)
        flash(_("The event is saved as a draft. Add its agenda, then publish it."), "success")
        return redirect(url_for("events_manage.agenda", event_id=event.id))
    return render_template("events_manage/form.html", form=form, event=None, series=series)


@bp.route("/<int:event_id>/edit", methods=["GET", "POST"])
def edit(event_id: int):
    event = managed_event(event_id)
    form = _event_form(event)
    if form.validate_on_submit():
        operations.update_event(event, _details(form), acting_user(), utcnow())
        flash(_("The event is saved."), "success")
        return redirect(url_for("events_manage.edit", event_id=event.id))
    return render_template("events_manage/form.html", form=form, event=event, series=event.series)


@bp.post("/<int:event_id>/publish")
def publish(event_id: int):
    event = managed_event(event_id)
    if not ConfirmForm().validate():
        abort(400)
    operations.publish_event(event, acting_user(), utcnow())
    flash(_("The event is published."), "success")
    return redirect(url_for("events.detail", event_id=event.id))


@bp.post("/<int:event_id>/delete")
def delete(event_id: int):
    event = managed_event(event_id)
    if not ConfirmForm().validate():
        abort(400)
    operations.delete_draft(event, acting_user())
    flash(_("The draft is deleted."), "success")
    return redirect(url_for("events_manage.index"))


@bp.route("/<int:event_id>/postpone", methods=["GET", "POST"])
def postpone(event_id: int):
    event = managed_event(event_id)
    form = PostponeForm()
    form.timezone.choices = [(event.timezone, event.timezone)]
    form.timezone.data = event.timezone
    if form.validate_on_submit():
        starts_at, ends_at = form.times()
        if starts_at <= utcnow():
            form.start_date.errors.append(_("The new date must be in the future."))
        else:
            told = operations.postpone_event(event, starts_at, ends_at, acting_user(), utcnow())
            flash(_("The event is moved. %(count)s registrants were told.", count=told), "success")
            return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events_manage/postpone.html", form=form, event=event)


@bp.route("/<int:event_id>/cancel", methods=["GET", "POST"])
def cancel(event_id: int):
    event = managed_event(event_id)
    form = CancelEventForm()
    if form.validate_on_submit():
        told = operations.cancel_event(event, form.reason.data, acting_user(), utcnow())
        flash(_("The event is cancelled. %(count)s registrants were told.", count=told), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events_manage/cancel.html", form=form, event=event)


def _days(event: Event) -> list[tuple[str, str]]:
    """The local dates the event covers, for placing agenda segments."""
    first = in_zone(event.starts_at, event.timezone).date()
    last = in_zone(event.ends_at, event.timezone).date()
    count = min((last - first).days, 30) + 1
    return [(str(first + timedelta(days=n)), str(first + timedelta(days=n))) for n in range(count)]


def _segment_form(event: Event, segment: AgendaSegment | None) -> SegmentForm:
    form = SegmentForm(obj=segment)
    form.original = event.language
    form.day.choices = choices(_days(event))
    for entry in form.people:
        entry.form.country.choices = choices([("", ""), *i18n.country_choices()])
    if request.method == "GET" and segment is not None:
        _fill_texts(form, segment, SEGMENT_TEXTS)
        start, end = (
            in_zone(segment.starts_at, event.timezone),
            in_zone(segment.ends_at, event.timezone),
        )
        form.day.data, form.start_time.data, form.end_time.data = (
            str(start.date()),
            start.time(),
            end.time(),
        )
    return form


def _segment_values(form: SegmentForm, event: Event) -> tuple[dict, list[dict]] | None:
    """The segment's values in UTC and its people, or None with the errors set on the form."""
    day = date.fromisoformat(form.day.data)  # one of the choices: checked by the form
    try:
        starts_at = to_utc(day, form.start_time.data, event.timezone)
        ends_at = to_utc(day, form.end_time.data, event.timezone)
    except NonexistentTime:
        form.start_time.errors.append(
            _("This time does not exist in that time zone: the clocks change then.")
        )
        return None
    if ends_at <= starts_at:
        form.end_time.errors.append(_("The segment must end after it starts."))
        return None
    if not segment_fits(event, starts_at, ends_at):
        form.start_time.errors.append(_("The segment must fit within the event's times."))
        return None
    people = [
        {
            "role": entry.form.role.data,
            "name": entry.form.name.data,
            "job_title": entry.form.job_title.data or "",
            "organisation": entry.form.organisation.data or "",
            "country": entry.form.country.data or None,
            "biography": entry.form.biography.data or "",
        }
        for entry in form.people
        if entry.form.name.data
    ]
    values = {
        "kind": form.kind.data,
        "texts": texts_by_language(form, event.language),
        "starts_at": starts_at,
        "ends_at": ends_at,
    }
    return values, people


@bp.route("/<int:event_id>/agenda", methods=["GET", "POST"])
def agenda(event_id: int):
    event = managed_event(event_id)
    form = _segment_form(event, None)
    if form.validate_on_submit() and (checked := _segment_values(form, event)):
        operations.save_segment(event, None, *checked, acting_user())
        flash(_("The segment is added to the agenda."), "success")
        return redirect(url_for("events_manage.agenda", event_id=event.id))
    return render_template(
        "events_manage/agenda.html", event=event, form=form, delete_form=ConfirmForm()
    )


def _segment(event: Event, segment_id: int) -> AgendaSegment:
    segment = db.session.get(AgendaSegment, segment_id)
    if segment is None or segment.event_id != event.id:
        abort(404)
    return segment


@bp.route("/<int:event_id>/agenda/<int:segment_id>", methods=["GET", "POST"])
def segment(event_id: int, segment_id: int):
    event = managed_event(event_id)
    segment = _segment(event, segment_id)
    form = _segment_form(event, segment)
    if form.validate_on_submit() and (checked := _segment_values(form, event)):
        operations.save_segment(event, segment, *checked, acting_user())
        flash(_("The segment is saved."), "success")
        return redirect(url_for("events_manage.agenda", event_id=event.id))
    return render_template("events_manage/segment.html", event=event, segment=segment, form=form)


@bp.post("/<int:event_id>/agenda/<int:segment_id>/delete")
def delete_segment(event_id: int, segment_id: int):
    event = managed_event(event_id)
    segment = _segment(event, segment_id)
    if not ConfirmForm().validate():
        abort(400)
    operations.delete_segment(segment, acting_user())
    flash(_("The segment is removed from the agenda."), "success")
    return redirect(url_for("events_manage.agenda", event_id=event.id))


@bp.route("/<int:event_id>/materials", methods=["GET", "POST"])
def materials(event_id: int):
    event = managed_event(event_id)
    form = MaterialsForm(obj=event)
    if request.method == "GET":
        form.documents.data = "\n".join(f"{doc['title']} {doc['url']}" for doc in event.documents)
    if form.validate_on_submit():
        operations.save_materials(
            event,
            form.recording_url.data or None,
            form.materials_summary.data or "",
            form.links,
            acting_user(),
        )
        flash(_("The materials are saved."), "success")
        return redirect(url_for("events.detail", event_id=event.id))
    return render_template("events_manage/materials.html", event=event, form=form)
