"""Certificates of attendance: a PDF for each event a person attended, checked by anyone.

No table holds them: the certificate's code is a signed token of the registration (its id,
event and person), and the check page reads the registration as it stands. So a certificate
stops being confirmed as soon as the organisers unmark the attendance, the registration
goes (a deleted account) or the secret key changes; nobody can forge or alter a code.
"""

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cta_learning import printing
from cta_learning.accounts.models import Membership, User
from cta_learning.community.events.models import Event, Registration
from cta_learning.extensions import db
from cta_learning.security import public_url_for

CODE_LIMIT = 200  # longer codes are not ours: refused before checking the signature


@dataclass(frozen=True)
class Attendance:
    """What a certificate of attendance states."""

    registration: Registration
    event: Event
    name: str
    organisation: str


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="cta-attendance-certificate")


def certificate_code(registration: Registration) -> str:
    """The code (and address) of a registration's certificate: the same every time."""
    return str(_serializer().dumps([registration.id, registration.event_id, registration.user_id]))


def check_url(registration: Registration) -> str:
    return public_url_for("events.attendance_check", code=certificate_code(registration))


def _attendance(registration: Registration | None) -> Attendance | None:
    if registration is None or registration.attended is not True:
        return None
    user = registration.user
    organisation = user.organisation
    return Attendance(
        registration=registration,
        event=registration.event,
        name=user.name,
        organisation=organisation.name if organisation is not None else "",
    )


def _registration(**conditions: int) -> Registration | None:
    return db.session.scalar(
        select(Registration)
        .filter_by(**conditions)
        .options(
            joinedload(Registration.event),
            joinedload(Registration.user)
            .joinedload(User.membership)
            .joinedload(Membership.organisation),
        )
    )


def attendance_by_code(code: str) -> Attendance | None:
    """The attendance a code certifies; None for a forged, altered or withdrawn one."""
    if len(code) > CODE_LIMIT:
        return None
    try:
        registration_id, event_id, user_id = _serializer().loads(code)
    except (BadSignature, TypeError, ValueError):
        return None
    registration = _registration(id=registration_id)
    if registration is None or (registration.event_id, registration.user_id) != (
        event_id,
        user_id,
    ):
        return None  # a registration id used again (SQLite reuses the highest deleted one)
    return _attendance(registration)


def attendance_of(event: Event, user: User) -> Attendance | None:
    """A person's own attendance at an event, if the organisers marked it."""
    return _attendance(_registration(event_id=event.id, user_id=user.id))


def pdf_filename(attendance: Attendance) -> str:
    return f"certificate-of-attendance-{attendance.event.id}.pdf"


def attendance_pdf(attendance: Attendance, locale: str) -> bytes:
    """The certificate of attendance printed in `locale`, with the address that checks it."""
    event = attendance.event
    url = check_url(attendance.registration)
    return printing.render_pdf(
        "events/attendance_certificate_pdf.html",
        locale,
        name=printing.shorten(attendance.name),
        organisation=printing.shorten(attendance.organisation),
        event_title=printing.shorten(event.text(locale).title, 200),
        dates=printing.local_dates(event.starts_at, event.ends_at, event.timezone, locale),
        check_url=url,
        qr=printing.qr_code(url),
    )
