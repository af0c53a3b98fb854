"""Completing a course: the certificate, its verification code and the email that brings it."""

import secrets
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cta_learning import audit, printing
from cta_learning.accounts.models import User
from cta_learning.courses.models import Certificate, Enrolment
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.i18n import translated
from cta_learning.mail.operations import email_user
from cta_learning.security import public_url_for

if TYPE_CHECKING:  # progress imports this module to finish a course
    from cta_learning.courses.progress import Progress

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read aloud


def _new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def finish_if_complete(progress: "Progress") -> Certificate | None:
    """Issue the certificate, and tell the learner, when the last lesson is done."""
    enrolment = progress.enrolled
    if enrolment.completed_at is not None or not progress.is_complete:
        return None
    enrolment.completed_at = utcnow()
    user = db.session.get_one(User, enrolment.user_id)
    certificate = Certificate(
        code=_new_code(),
        enrolment_id=enrolment.id,
        course=progress.course,
        name=user.name,
        issued_at=enrolment.completed_at,
    )
    db.session.add(certificate)
    db.session.flush()
    audit.record("course.completed", user, user, course=progress.course.slug)
    try:
        document = certificate_pdf(certificate, user.locale, user.timezone)
        attachments = [printing.attachment(document, pdf_filename(certificate))]
    except printing.PrintingFailed:
        # The course is still complete: the email then says where to download the PDF.
        attachments = []
    email_user(
        user,
        "course_completed",
        course_title=translated(progress.course.title, user.locale)[0],
        certificate_url=public_url_for("courses.certificate", code=certificate.code),
        attachments=attachments,
        attached=bool(attachments),
    )
    return certificate


def pdf_filename(certificate: Certificate) -> str:
    return f"certificate-{certificate.course.slug}.pdf"


def certificate_pdf(certificate: Certificate, locale: str, zone: str) -> bytes:
    """The certificate printed in `locale`, dated in `zone`, with the address that checks it."""
    check_url = public_url_for("courses.certificate", code=certificate.code)
    return printing.render_pdf(
        "courses/certificate_pdf.html",
        locale,
        name=printing.shorten(certificate.name),
        course_title=translated(certificate.course.title, locale)[0],
        issued_on=printing.local_date(certificate.issued_at, zone, locale),
        code=certificate.code,
        check_url=check_url,
        qr=printing.qr_code(check_url),
    )


def certificate_for(enrolment: Enrolment | None) -> Certificate | None:
    """The certificate of a completed enrolment (none before completion)."""
    if enrolment is None or enrolment.completed_at is None:
        return None
    return db.session.scalar(select(Certificate).where(Certificate.enrolment_id == enrolment.id))


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate a verification code names, typed by anyone (spaces, lower case)."""
    normalised = code.strip().upper()
    if len(normalised) > 20:
        return None
    return db.session.scalar(
        select(Certificate)
        .where(Certificate.code == normalised)
        .options(selectinload(Certificate.course))
    )
