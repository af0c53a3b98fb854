"""The course certificate as a PDF: in the learner's language, for its owner only, with the
address and QR code that check it, attached to the email; any name prints on one page."""

import base64
import io
import sys
from datetime import datetime

import pytest
from pypdf import PdfReader

from cta_learning import printing
from cta_learning.accounts.models import User
from cta_learning.courses import certificates, operations
from cta_learning.courses.models import Certificate, Course
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.conftest import outbox
from tests.courses.helpers import SLUG, unlock
from tests.courses.test_learning import COURSE, finish_lessons
from tests.hostile import page_text

PDF = f"{COURSE}/certificate.pdf"
CODE = "ABCD-EFGH-JKLM"
CHECK_URL = f"https://learning.example.org/certificates/{CODE}"


def pdf_text(document: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(document)).pages)


def pdf_links(document: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(document))
    return [
        annotation.get_object()["/A"]["/URI"]
        for page in reader.pages
        for annotation in page.get("/Annots", [])
        if annotation.get_object().get("/A", {}).get("/URI")
    ]


def pdf_fonts(document: bytes) -> set[str]:
    reader = PdfReader(io.BytesIO(document))
    return {
        font.get_object()["/BaseFont"].partition("+")[2]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }


def certified(app, make, name="Awa Diop", locale="en", **fields) -> User:
    """A member of an unlocked city who completed the course on 12 March 2026, 10:00 UTC."""
    user, organisation = make.member(name=name[:120], locale=locale, **fields)
    unlock(app, organisation)
    with app.app_context():
        course = operations.course_by_slug(SLUG)
        enrolment = operations.enrol(db.session.get_one(User, user.id), course)
        enrolment.completed_at = issued = datetime(2026, 3, 12, 10, 0)
        db.session.flush()
        db.session.add(
            Certificate(
                code=CODE,
                enrolment_id=enrolment.id,
                course_id=course.id,
                name=name,
                issued_at=issued,
            )
        )
        db.session.commit()
    return user


def test_the_owner_downloads_the_certificate_as_a_pdf_in_their_language(
    app, client, make, auth, course
):
    owner = certified(app, make, name="Amélie Dupont-Lefèvre", locale="fr")
    auth.login(owner.email)
    page = client.get(f"{COURSE}/certificate")
    assert 'href="/courses/localising-global-compacts/certificate.pdf"' in page.get_data(
        as_text=True
    )
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="certificate-{SLUG}.pdf"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    document = response.get_data()
    assert document.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(document)).pages) == 1
    text = pdf_text(document)
    assert "Amélie Dupont-Lefèvre" in text and CODE in text
    assert "12 mars 2026" in text  # the date in French, by Babel
    assert "Localising the Global Compacts" in text or "Localiser" in text


@pytest.mark.parametrize("who", ["member", "organiser", "admin"])
def test_nobody_else_gets_the_pdf(app, client, make, auth, course, who):
    certified(app, make)
    if who == "member":  # enrolled in the same course, not finished
        other, organisation = make.member()
        unlock(app, organisation)
        with app.app_context():
            operations.enrol(db.session.get_one(User, other.id), operations.course_by_slug(SLUG))
            db.session.commit()
    else:
        other = make.user(role=who)
    auth.login(other.email)
    assert client.get(PDF).status_code == 404


def test_a_visitor_is_asked_to_log_in(app, client, make, course):
    certified(app, make)
    response = client.get(PDF)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_qr_code_and_the_link_lead_to_the_public_check_page(
    app, client, make, auth, course, monkeypatch
):
    owner = certified(app, make)
    printed = {}
    render = printing.render_pdf

    def spy(template, locale, **context):
        printed.update(context)
        return render(template, locale, **context)

    monkeypatch.setattr(printing, "render_pdf", spy)
    auth.login(owner.email)
    document = client.get(PDF).get_data()
    assert printed["check_url"] == CHECK_URL
    assert printed["qr"] == printing.qr_code(CHECK_URL)
    assert "<svg" in printed["qr"] and "<path" in printed["qr"]
    assert CHECK_URL in pdf_links(document) and CHECK_URL in pdf_text(document)
    check = app.test_client().get(CHECK_URL.removeprefix("https://learning.example.org"))
    assert check.status_code == 200 and "This certificate is genuine" in page_text(check)


NAMES = {
    "accented": ("Łukasz Żółć-Müller Ñúñez", "DejaVu-Serif-Bold"),
    "arabic": ("محمد عبد الرحمن", "DejaVu-Sans-Bold"),
    "chinese": ("张伟 王芳", "WenQuanYi-Micro-Hei"),
}


@pytest.mark.parametrize("script", NAMES)
def test_names_in_every_script_print_with_a_font_that_has_them(app, course, script):
    name, font = NAMES[script]
    document = _printed(app, name)
    fonts = pdf_fonts(document)
    assert any(used.startswith(font) for used in fonts), fonts
    if script != "arabic":  # Arabic is shaped: its text comes back as presentation forms
        assert name in pdf_text(document)


@pytest.mark.parametrize(
    "name",
    ["W" * 200, " ".join(["Maria-Fernanda de los Ángeles"] * 6)[:200], "长" * 200],
)
def test_an_enormous_name_is_shortened_and_keeps_to_one_page(app, course, name):
    document = _printed(app, name)
    assert len(PdfReader(io.BytesIO(document)).pages) == 1
    text = pdf_text(document).replace("\n", "")
    assert name[:60] in text and "…" in text and name not in text
    assert "Anyone can check" in text  # the check address is still on the page


def _printed(app, name: str) -> bytes:
    with app.test_request_context():
        certificate = Certificate(code=CODE, name=name, issued_at=utcnow())
        certificate.course = db.session.scalars(db.select(Course)).first()
        return certificates.certificate_pdf(certificate, "en", "UTC")


def test_completing_the_course_attaches_the_pdf_to_the_email(app, client, make, auth, course):
    user, organisation = make.member(name="Awa Diop", email="awa@dakar.example.org")
    unlock(app, organisation)
    auth.login(user.email)
    client.post(f"{COURSE}/enrol")
    finish_lessons(client, app)
    [email] = [m for m in outbox(app, to=user.email) if "certificate" in m.subject.lower()]
    assert "attached to this message as a PDF" in email.body_text
    [attachment] = email.attachments
    assert attachment["filename"] == f"certificate-{SLUG}.pdf"
    assert attachment["content_type"] == "application/pdf"
    document = base64.b64decode(attachment["content"])
    assert document.startswith(b"%PDF-") and "Awa Diop" in pdf_text(document)


def test_the_web_process_never_loads_the_printing_library(app, client, make, auth, course):
    import sys

    owner = certified(app, make)
    auth.login(owner.email)
    assert client.get(PDF).data.startswith(b"%PDF-")
    # Printed by a child process: a worker that printed stays as light as one that did not.
    assert "weasyprint" not in sys.modules


@pytest.fixture
def broken_printer(monkeypatch):
    """The printer stops without a PDF, as it would with its fonts missing or memory short."""
    monkeypatch.setattr(printing, "PRINTER", ["false"])


def test_a_printer_failure_is_a_clear_503_and_changes_nothing(
    app, client, make, auth, course, broken_printer, caplog
):
    owner = certified(app, make)
    auth.login(owner.email)
    response = client.get(PDF)
    assert response.status_code == 503
    assert "could not be printed just now" in page_text(response)
    assert "printing failed" in caplog.text


def test_a_printer_failure_still_completes_the_course_and_emails_the_way_to_the_pdf(
    app, client, make, auth, course, broken_printer
):
    user, organisation = make.member(name="Awa Diop", email="awa@dakar.example.org")
    unlock(app, organisation)
    auth.login(user.email)
    client.post(f"{COURSE}/enrol")
    finish_lessons(client, app)
    [email] = [m for m in outbox(app, to=user.email) if "certificate" in m.subject.lower()]
    assert email.attachments == []
    assert "ready to download as a PDF" in email.body_text
    assert "attached" not in email.body_text
    with app.app_context():
        assert db.session.scalars(db.select(Certificate)).one().name == "Awa Diop"


def test_a_printer_killed_by_a_signal_is_run_once_more(
    app, client, make, auth, course, monkeypatch, tmp_path, caplog
):
    # The first printer dies by SIGSEGV (as with a font cache rebuilt beside it); the second
    # prints: the reader gets the PDF without asking twice.
    marker = tmp_path / "crashed-once"
    script = (
        "import os, signal, sys\n"
        f"marker = {str(marker)!r}\n"
        "if not os.path.exists(marker):\n"
        "    open(marker, 'w').close()\n"
        "    os.kill(os.getpid(), signal.SIGSEGV)\n"
        "sys.stdin.buffer.read()\n"
        "sys.stdout.buffer.write(b'%PDF-1.7 printed again')\n"
    )
    monkeypatch.setattr(printing, "PRINTER", [sys.executable, "-c", script])
    owner = certified(app, make)
    auth.login(owner.email)
    response = client.get(PDF)
    assert response.status_code == 200
    assert response.data == b"%PDF-1.7 printed again"
    assert "printing again" in caplog.text


def test_a_printer_that_crashes_twice_is_a_503(app, client, make, auth, course, monkeypatch):
    script = "import os, signal; os.kill(os.getpid(), signal.SIGSEGV)"
    monkeypatch.setattr(printing, "PRINTER", [sys.executable, "-c", script])
    owner = certified(app, make)
    auth.login(owner.email)
    assert client.get(PDF).status_code == 503
