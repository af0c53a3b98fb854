"""The secretariat's pipeline: steps, records, emails to every member, filters, counts, CSV."""

import csv
import io

import pytest
from sqlalchemy import insert, select

from cta_learning.accounts.models import Organisation
from cta_learning.audit import AuditEvent
from cta_learning.community.mgi.models import MgiRequest, MgiStepChange
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.bulk import add_organisations
from tests.community.mgi.helpers import make_request
from tests.conftest import Auth, count, fetch, outbox
from tests.courses.helpers import unlock
from tests.hostile import page_text
from tests.test_query_counts import queries_per_page


def test_the_secretariat_moves_a_request_and_every_member_hears_of_it(app, client, auth, make):
    owner, city = make.member(email="owner@city.example.org", locale="fr")
    colleague, _ = make.member(city, role="member", email="colleague@city.example.org")
    unlock(app, city)
    request = make_request(app, city, owner)
    admin = auth.login_as("admin")
    before = {person.email: len(outbox(app, to=person.email)) for person in (owner, colleague)}

    for step in ("shared", "in_contact", "scheduled", "completed"):
        note = "The assessment starts on 3 March." if step == "scheduled" else ""
        response = client.post(f"/admin/mgi/{request.id}/step", data={"step": step, "note": note})
        assert response.status_code == 302, page_text(response)
        assert response.headers["Location"] == f"/admin/mgi/{request.id}"

    assert fetch(app, MgiRequest, id=request.id).step == "completed"
    with app.app_context():
        changes = db.session.execute(
            select(
                MgiStepChange.from_step,
                MgiStepChange.to_step,
                MgiStepChange.changed_by_id,
                MgiStepChange.note,
            )
            .where(MgiStepChange.request_id == request.id)
            .order_by(MgiStepChange.id)
        ).all()
    assert [tuple(change[:2]) for change in changes] == [
        (None, "received"),
        ("received", "shared"),
        ("shared", "in_contact"),
        ("in_contact", "scheduled"),
        ("scheduled", "completed"),
    ]
    assert all(change.changed_by_id == admin.id for change in changes[1:])
    assert changes[3].note == "The assessment starts on 3 March."
    assert count(app, AuditEvent, verb="mgi.step_changed") == 4
    for person in (owner, colleague):
        messages = outbox(app, to=person.email)[before[person.email] :]
        assert len(messages) == 4
    french = outbox(app, to=owner.email)[-1]
    assert french.locale == "fr" and "https://learning.example.org/mgi/" in french.body_text
    assert "The assessment starts on 3 March." in outbox(app, to=colleague.email)[-2].body_text
    history = page_text(client.get(f"/admin/mgi/{request.id}"))
    assert "Assessment scheduled" in history and "Move the request on" not in history


def test_declining_needs_a_reason_which_the_organisation_receives(app, client, auth, make):
    owner, city = make.member(email="owner@city.example.org")
    unlock(app, city)
    request = make_request(app, city, owner, step="shared")
    auth.login_as("admin")
    reason = "IOM runs no assessment in this country this year."
    response = client.post(
        f"/admin/mgi/{request.id}/step", data={"step": "declined", "note": reason}
    )
    assert response.status_code == 302
    declined = fetch(app, MgiRequest, id=request.id)
    assert declined.step == "declined" and declined.decline_reason == reason
    message = outbox(app, to=owner.email)[-1]
    assert reason in message.body_text and "Declined" in message.subject
    auth.logout()
    auth.login(owner.email)
    assert reason in page_text(client.get(f"/mgi/{request.id}"))


def test_the_dashboard_shows_the_current_step(app, client, auth, make):
    owner, city = make.member()
    unlock(app, city)
    make_request(app, city, owner, step="in_contact")
    auth.login(owner.email)
    text = page_text(client.get("/dashboard"))
    assert "Local MGI" in text and "In contact" in text


def _csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_csv_for_iom_holds_the_filtered_requests_and_no_formulas(app, client, auth, make):
    owner, dakar = make.member(organisation=make.organisation(name="=HYPERLINK(1)"))
    make_request(app, dakar, owner, focal_name="@Ana", motivation="+Know\nwhere we stand.")
    _, lima = make.member(organisation=make.organisation(region="americas", country="PE"))
    make_request(app, lima, step="shared")
    auth.login_as("admin")

    response = client.get("/admin/mgi/requests.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = _csv(response)
    assert len(rows) == 2
    row = next(row for row in rows if row["region"] == "africa")
    assert row["organisation"] == "'=HYPERLINK(1)" and row["focal_name"] == "'@Ana"
    assert row["motivation"] == "'+Know\nwhere we stand." and row["step"] == "received"
    assert row["focal_email"] == "focal@city.example.org" and row["country"] == "SN"
    assert row["created_at"].endswith("Z")

    only_americas = _csv(client.get("/admin/mgi/requests.csv?region=americas"))
    assert [row["country"] for row in only_americas] == ["PE"]
    assert _csv(client.get("/admin/mgi/requests.csv?step=completed")) == []


def test_the_list_filters_and_counts_per_step_and_region(app, client, auth, make):
    for region, country, step in (
        ("africa", "SN", "received"),
        ("africa", "GH", "shared"),
        ("americas", "CR", "shared"),
        ("europe", "IT", "declined"),
    ):
        owner, organisation = make.member(
            organisation=make.organisation(region=region, country=country, name=f"City {country}")
        )
        make_request(app, organisation, owner, step=step)
    auth.login_as("admin")
    response = client.get("/admin/mgi/")
    html = response.get_data(as_text=True)
    assert 'data-step="shared">2<' in html and 'data-step="declined">1<' in html
    assert 'data-region="africa">2<' in html and 'data-region="oceania">0<' in html
    assert all(f"City {code}" in html for code in ("SN", "GH", "CR", "IT"))

    text = page_text(client.get("/admin/mgi/?step=shared&region=africa"))
    assert "City GH" in text and "City SN" not in text and "City CR" not in text
    text = page_text(client.get("/admin/mgi/?step=nonsense&region=mars"))  # ignored
    assert all(f"City {code}" in text for code in ("SN", "GH", "CR", "IT"))


def _add_requests(app, number: int) -> None:
    """`number` more organisations, each with an open request."""
    add_organisations(app, number, members_each=1)
    now = utcnow()
    with app.app_context():
        taken = select(MgiRequest.organisation_id)
        ids = db.session.scalars(
            select(Organisation.id).where(Organisation.id.not_in(taken)).order_by(Organisation.id)
        ).all()
        values = {
            "focal_name": "Focal",
            "focal_position": "Adviser",
            "focal_email": "focal@example.org",
            "focal_phone": "+1 555 0100",
            "motivation": "Know where we stand.",
            "population_context": "",
            "previous_assessments": "",
            "departments": "",
            "decline_reason": "",
            "language": "en",
            "consented_at": now,
            "created_at": now,
            "step_changed_at": now,
        }
        db.session.execute(
            insert(MgiRequest.__table__),
            [
                {**values, "organisation_id": org_id, "step": ("received", "shared")[n % 2]}
                for n, org_id in enumerate(ids)
            ],
        )
        db.session.commit()


@pytest.mark.slow
def test_the_admin_pages_run_the_same_queries_for_10_or_1000_requests(app, make):
    admin = make.user(role="admin")
    client = app.test_client()
    Auth(client, make).login(admin.email)  # with the code: admins have two-step on
    pages = ["/admin/mgi/", "/admin/mgi/?step=shared&region=americas", "/admin/mgi/requests.csv"]
    _add_requests(app, 10)
    first = fetch(app, MgiRequest)
    pages.append(f"/admin/mgi/{first.id}")
    small = queries_per_page(app, client, pages)
    _add_requests(app, 990)
    large = queries_per_page(app, client, pages)
    assert large == small
    # The list: the account, the count, a page of requests with their organisations, the
    # counts per step and region.
    assert small["/admin/mgi/"] <= 4, small
    assert max(small.values()) <= 4, small
