"""Certificates of attendance: a PDF for each event a person attended, checked by anyone at
the address (and QR code) it carries, until the organisers unmark the attendance."""

import io
from datetime import datetime, timedelta

import pytest
from pypdf import PdfReader

from cta_learning import printing
from cta_learning.community.events import certificates
from cta_learning.community.events.models import Registration
from cta_learning.extensions import db
from tests.community.events.helpers import make_event
from tests.conftest import fetch
from tests.courses.test_certificate_pdf import pdf_links, pdf_text
from tests.hostile import page_text

# Two days of a workshop in Nairobi, months ago (local dates 3 and 4 March 2026).
START = datetime(2026, 3, 3, 6, 0)


@pytest.fixture
def attended(app, client, auth, make):
    """Awa attended the organiser's past two-day workshop (marked by the organiser); Ben
    registered and missed it. Signed in as the organiser."""
    organiser = auth.login_as("organiser")
    event = make_event(
        app,
        organiser,
        title="Workshop on local action plans",
        starts_at=START,
        ends_at=START + timedelta(days=1, hours=8),
        timezone="Africa/Nairobi",
    )
    awa, _ = make.member(
        make.organisation(name="Ville de Dakar"), name="Awa Diop", email="awa@dakar.example.org"
    )
    ben = make.user(name="Ben Okafor")
    with app.app_context():
        for person in (awa, ben):
            db.session.add(Registration(event_id=event.id, user_id=person.id, status="confirmed"))
        db.session.commit()
    registration = fetch(app, Registration, user_id=awa.id)
    response = client.post(
        f"/manage/events/{event.id}/attendance", data={"attended": [registration.id]}
    )
    assert response.status_code == 302
    auth.logout()
    return event, awa, ben, registration


def code_of(app, registration) -> str:
    with app.test_request_context():
        return certificates.certificate_code(db.session.get(Registration, registration.id))


def test_a_person_who_attended_downloads_a_certificate_from_their_events(
    app, client, auth, attended
):
    event, awa, _, registration = attended
    auth.login(awa.email)
    pdf = f"/events/{event.id}/attendance-certificate.pdf"
    assert f'href="{pdf}"' in client.get("/events/mine").get_data(as_text=True)
    response = client.get(pdf)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-of-attendance-{event.id}.pdf"'
    )
    document = response.get_data()
    assert document.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(document)).pages) == 1
    text = pdf_text(document)
    for expected in ("Certificate of attendance", "Awa Diop", "Ville de Dakar"):
        assert expected in text
    assert "Workshop on local action plans" in text
    assert "March 3, 2026 \u2013 March 4, 2026" in text  # both days, in the event's zone

    check_url = f"https://learning.example.org/events/attendance/{code_of(app, registration)}"
    assert check_url in pdf_links(document)
    check = app.test_client().get(check_url.removeprefix("https://learning.example.org"))
    assert check.status_code == 200
    text = page_text(check)
    assert "This certificate of attendance is genuine" in text
    assert "Awa Diop" in text and "Ville de Dakar" in text and "Workshop on local" in text
    assert awa.email not in text


def test_the_qr_code_leads_to_the_check_page(app, client, auth, attended, monkeypatch):
    event, awa, _, registration = attended
    printed = {}
    render = printing.render_pdf

    def spy(template, locale, **context):
        printed.update(context)
        return render(template, locale, **context)

    monkeypatch.setattr(printing, "render_pdf", spy)
    auth.login(awa.email)
    client.get(f"/events/{event.id}/attendance-certificate.pdf")
    assert printed["check_url"].endswith(f"/events/attendance/{code_of(app, registration)}")
    assert printed["qr"] == printing.qr_code(printed["check_url"])


def test_no_certificate_without_marked_attendance(app, client, auth, make, attended):
    event, _, ben, ben_registration = attended
    ben_registration = fetch(app, Registration, user_id=ben.id)
    assert ben_registration.attended is False
    auth.login(ben.email)
    assert "attendance-certificate.pdf" not in client.get("/events/mine").get_data(as_text=True)
    assert client.get(f"/events/{event.id}/attendance-certificate.pdf").status_code == 404
    auth.logout()
    auth.login_as("member")  # not registered at all
    assert client.get(f"/events/{event.id}/attendance-certificate.pdf").status_code == 404
    check = client.get(f"/events/attendance/{code_of(app, ben_registration)}")
    assert check.status_code == 404


def test_unmarking_attendance_makes_the_check_fail(app, client, auth, attended):
    event, _, _, registration = attended
    code = code_of(app, registration)
    assert client.get(f"/events/attendance/{code}").status_code == 200
    auth.login_as("admin")
    client.post(f"/manage/events/{event.id}/attendance", data={})
    assert fetch(app, Registration, id=registration.id).attended is False
    refused = client.get(f"/events/attendance/{code}")
    assert refused.status_code == 404
    assert "No certificate of attendance has this address" in page_text(refused)


def _altered(code: str) -> str:
    last = code[-1]
    return code[:-1] + ("A" if last != "A" else "B")


@pytest.mark.parametrize(
    "forge",
    [
        _altered,
        lambda code: code.replace(code.partition(".")[0], "WzEsMSwxXQ"),  # [1,1,1], old signature
        lambda code: "WzEsMSwxXQ",
        lambda code: "not-a-code",
        lambda code: code * 20,
        lambda code: "%C3%A9t%C3%A9",
    ],
)
def test_a_forged_or_altered_code_gives_a_clear_404(app, client, attended, forge):
    _, _, _, registration = attended
    response = client.get(f"/events/attendance/{forge(code_of(app, registration))}")
    assert response.status_code == 404
    assert "No certificate of attendance has this address" in page_text(response)


def test_a_code_signed_for_another_person_or_event_fails(app, client, attended):
    _, _, ben, registration = attended
    with app.test_request_context():
        serializer = certificates._serializer()
        wrong_person = serializer.dumps([registration.id, registration.event_id, ben.id])
    assert client.get(f"/events/attendance/{wrong_person}").status_code == 404
