"""Certificates people can file: the course certificate's PDF from its page, and a certificate
of attendance from "Your events", downloaded in Chromium at desktop and phone width."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from cta_learning.accounts.models import User
from cta_learning.community.events.models import Registration
from cta_learning.courses import operations
from cta_learning.courses.models import Certificate
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.community.events.helpers import make_event
from tests.conftest import PASSWORD, Factories
from tests.courses.helpers import SLUG, import_shipped, unlock
from tests.courses.test_certificate_pdf import pdf_links

pytestmark = pytest.mark.browser


def _certified(app, locale: str) -> User:
    import_shipped(app)
    make = Factories(app)
    member, city = make.member(
        make.organisation(name="Ciudad de México"), name="María José Hernández", locale=locale
    )
    unlock(app, city)
    with app.app_context():
        course = operations.course_by_slug(SLUG)
        enrolment = operations.enrol(db.session.get_one(User, member.id), course)
        enrolment.completed_at = utcnow()
        db.session.flush()
        db.session.add(
            Certificate(
                code="ABCD-EFGH-JKLM",
                enrolment_id=enrolment.id,
                course_id=course.id,
                name=member.name,
            )
        )
        db.session.commit()
    return member


def _download(link) -> tuple[str, bytes]:
    with link.page.expect_download() as started:
        link.click()
    download = started.value
    with open(download.path(), "rb") as handle:
        return download.suggested_filename, handle.read()


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("width", ["desktop", "390"])
def test_the_certificate_page_offers_the_pdf(request, live_app, language, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    member = _certified(live_app, language)
    _log_in(page, member.email)
    page.goto(f"/courses/{SLUG}/certificate")
    link = page.locator(f'a[href="/courses/{SLUG}/certificate.pdf"]')
    link.wait_for()
    assert link.is_visible()
    assert overflowing(page) == [] and not _scrolls_sideways(page)
    screenshot(page, f"certificate-page-{language}-{width}")
    filename, document = _download(link)
    assert filename == f"certificate-{SLUG}.pdf"
    assert document.startswith(b"%PDF-")


def _log_in(page, email: str) -> None:
    """Log in through the English form; the person's own language follows from their setting."""
    page.goto("/login?lang=en")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/dashboard")


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_a_certificate_of_attendance_from_your_events_and_its_check_page(request, live_app, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    make = Factories(live_app)
    member, _ = make.member(
        make.organisation(name="Kampala Capital City Authority"), name="Grace Nakato"
    )
    start = utcnow().replace(microsecond=0) - timedelta(days=20)
    event = make_event(
        live_app,
        title="Peer exchange on inclusive local recovery plans",
        starts_at=start,
        ends_at=start + timedelta(hours=2),
        timezone="Africa/Kampala",
    )
    with live_app.app_context():
        db.session.add(
            Registration(event_id=event.id, user_id=member.id, status="confirmed", attended=True)
        )
        db.session.commit()

    log_in(page, member.email)
    page.goto("/events/mine")
    page.get_by_text("You attended.").wait_for()
    assert overflowing(page) == [] and not _scrolls_sideways(page)
    screenshot(page, f"certificate-attendance-mine-{width}")
    filename, document = _download(
        page.locator(f'a[href="/events/{event.id}/attendance-certificate.pdf"]')
    )
    assert filename == f"certificate-of-attendance-{event.id}.pdf"
    assert document.startswith(b"%PDF-")

    check_url = _check_url(document)
    page.goto(check_url)
    page.get_by_text("This certificate of attendance is genuine").wait_for()
    assert page.get_by_text("Kampala Capital City Authority").is_visible()
    assert overflowing(page) == [] and not _scrolls_sideways(page)
    screenshot(page, f"certificate-attendance-check-{width}")
    page.goto(check_url[:-3] + "xyz")
    page.get_by_text("No certificate of attendance has this address").wait_for()
    screenshot(page, f"certificate-attendance-forged-{width}")


def _check_url(document: bytes) -> str:
    """The check page's path, from the PDF's link (the same address as its QR code)."""
    [link] = [url for url in pdf_links(document) if "/events/attendance/" in url]
    return urlsplit(link).path


def _scrolls_sideways(page) -> bool:
    """Text running out of its box (a long address) widens the page without an element doing so."""
    return page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
