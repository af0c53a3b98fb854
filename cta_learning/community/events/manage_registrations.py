"""An event's registrations for its organisers: the list, approval, attendance, messages, CSV."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cta_learning.accounts.models import Membership, User
from cta_learning.community.events import operations, registration_operations
from cta_learning.community.events.forms import ConfirmForm, MessageForm
from cta_learning.community.events.manage import managed_event
from cta_learning.community.events.models import REGISTRATION_STATUSES, Event, Registration
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.security import acting_user, require_role
from cta_learning.spreadsheets import csv_response, safe_cell

bp = Blueprint("event_registrations", __name__, url_prefix="/manage/events/<int:event_id>")


@bp.before_request
@require_role("organiser")
def _organisers_only():
    """Every page here is for organisers and admins."""


def _registrations(event: Event, status: str | None = None) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event.id)
        .options(
            joinedload(Registration.user)
            .joinedload(User.membership)
            .joinedload(Membership.organisation)
        )
        .order_by(Registration.queued_at, Registration.id)
    )
    if status:
        query = query.where(Registration.status == status)
    return list(db.session.scalars(query))


@bp.get("/registrations")
def index(event_id: int):
    event = managed_event(event_id)
    status = request.args.get("status")
    if status not in REGISTRATION_STATUSES:
        status = None
    return render_template(
        "events_manage/registrations.html",
        event=event,
        registrations=_registrations(event, status),
        status=status,
        form=ConfirmForm(),
        can_mark_attendance=event.has_started(utcnow()),
    )


def _registration(event: Event, registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None or registration.event_id != event.id:
        abort(404)
    return registration


@bp.post("/registrations/<int:registration_id>/<any(approve, decline):decision>")
def decide(event_id: int, registration_id: int, decision: str):
    event = managed_event(event_id)
    registration = _registration(event, registration_id)
    if not ConfirmForm().validate():
        abort(400)
    operation = (
        registration_operations.approve
        if decision == "approve"
        else registration_operations.decline
    )
    operation(registration, acting_user(), utcnow())
    flash(
        _("The registration is approved.")
        if decision == "approve"
        else _("The registration is declined."),
        "success",
    )
    return redirect(url_for("event_registrations.index", event_id=event.id))


@bp.post("/attendance")
def attendance(event_id: int):
    event = managed_event(event_id)
    if not ConfirmForm().validate():
        abort(400)
    try:
        attended = {int(value) for value in request.form.getlist("attended")}
    except ValueError:
        abort(400)
    count = registration_operations.mark_attendance(event, attended, acting_user(), utcnow())
    flash(_("Attendance is saved: %(count)s people came.", count=count), "success")
    return redirect(url_for("event_registrations.index", event_id=event.id))


@bp.route("/message", methods=["GET", "POST"])
def message(event_id: int):
    event = managed_event(event_id)
    form = MessageForm()
    if form.validate_on_submit():
        count = operations.message_registrants(
            event, form.subject.data, form.body.data, acting_user()
        )
        flash(_("The message is on its way to %(count)s people.", count=count), "success")
        return redirect(url_for("event_registrations.index", event_id=event.id))
    return render_template("events_manage/message.html", event=event, form=form)


@bp.get("/registrations.csv")
def export(event_id: int):
    event = managed_event(event_id)
    rows = (_export_row(registration) for registration in _registrations(event))
    return csv_response(f"event-{event.id}-registrations.csv", EXPORT_COLUMNS, rows)


EXPORT_COLUMNS = (
    "name",
    "email",
    "organisation",
    "country",
    "status",
    "language",
    "registered_at",
    "confirmed_at",
    "attended",
)


def _export_row(registration: Registration) -> list:
    organisation = registration.user.organisation
    return [
        safe_cell(registration.user.name),
        safe_cell(registration.user.email),
        safe_cell(organisation.name if organisation else ""),
        organisation.country if organisation else "",
        registration.status,
        registration.language or "",
        isoformat_utc(registration.registered_at),
        isoformat_utc(registration.confirmed_at) or "",
        "" if registration.attended is None else ("yes" if registration.attended else "no"),
    ]
