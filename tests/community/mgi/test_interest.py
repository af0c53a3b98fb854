"""A member of an unlocked government registers interest in Local MGI; who else may not."""

from cta_learning.audit import AuditEvent
from cta_learning.community.mgi.models import MgiRequest, MgiStepChange
from tests.community.mgi.helpers import interest_form, make_request
from tests.conftest import count, fetch, outbox
from tests.courses.helpers import unlock
from tests.hostile import nothing_changes, page_text


def test_a_member_registers_interest_and_a_colleague_sees_it(app, client, auth, make):
    owner, city = make.member(email="owner@sanjose.example.org", locale="es")
    colleague, _ = make.member(city, role="member", email="colleague@sanjose.example.org")
    unlock(app, city)
    auth.login(owner.email)
    form_page = page_text(client.get("/mgi/"))
    assert "Manifestar el interés de su gobierno" in form_page  # the owner reads Spanish
    assert owner.email in form_page  # the focal point starts as the person filling the form

    response = client.post("/mgi/", data=interest_form())
    assert response.status_code == 302 and response.headers["Location"] == "/mgi/"
    request = fetch(app, MgiRequest, organisation_id=city.id)
    assert request.step == "received" and request.focal_name == "Ana Mora"
    assert request.language == "es" and request.consented_at is not None
    assert request.submitted_by_id == owner.id
    change = fetch(app, MgiStepChange, request_id=request.id)
    assert (change.from_step, change.to_step, change.changed_by_id) == (None, "received", owner.id)
    assert count(app, AuditEvent, verb="mgi.requested") == 1
    for person in (owner, colleague):
        message = outbox(app, to=person.email)[-1]
        assert "https://learning.example.org/mgi/" in message.body_text
    assert outbox(app, to=owner.email)[-1].locale == "es"

    auth.logout()
    auth.login(colleague.email)
    text = page_text(client.get("/mgi/"))
    assert "Your organisation's request" in text and "Ana Mora" in text
    assert "Register our interest" not in text  # read-only: no second form
    with nothing_changes(app):
        response = client.post("/mgi/", data=interest_form(focal_name="Someone Else"))
    assert response.status_code == 302
    assert "already has an open request" in page_text(client.get("/mgi/"))
    assert count(app, MgiRequest) == 1

    dashboard = page_text(client.get("/dashboard"))
    assert "Local MGI" in dashboard and "Received" in dashboard


def test_a_closed_request_lets_the_organisation_send_a_new_one(app, client, auth, make):
    owner, city = make.member()
    unlock(app, city)
    old = make_request(app, city, owner, step="declined", decline_reason="Not this year.")
    auth.login(owner.email)
    text = page_text(client.get("/mgi/"))
    assert "Register your government's interest" in text and "Earlier requests" in text
    assert client.post("/mgi/", data=interest_form()).status_code == 302
    assert count(app, MgiRequest, organisation_id=city.id) == 2
    assert "Not this year." in page_text(client.get(f"/mgi/{old.id}"))


def test_the_database_keeps_one_open_request_per_organisation(app, make):
    """Two members sending at the same moment: the partial unique index refuses the second."""
    import pytest
    from sqlalchemy.exc import IntegrityError

    from cta_learning.extensions import db

    owner, city = make.member()
    make_request(app, city, owner)
    with app.app_context(), pytest.raises(IntegrityError):
        db.session.add(
            MgiRequest(
                organisation_id=city.id,
                focal_name="x",
                focal_position="x",
                focal_email="x@example.org",
                focal_phone="+1 555 0100",
                motivation="x",
                consented_at=db.func.now(),
            )
        )
        db.session.commit()
    make_request(app, city, owner, step="completed")  # closed ones do not count


def test_the_race_shows_the_existing_request(app, client, auth, make, monkeypatch):
    """The check passes, then the colleague's insert wins: the person sees theirs."""
    from cta_learning.community.mgi import operations

    owner, city = make.member()
    unlock(app, city)
    auth.login(owner.email)
    client.get("/mgi/")
    made = make_request(app, city, owner)
    real, calls = operations.open_request_of, []

    def late_view(organisation):  # the page's and the operation's checks both come too early
        calls.append(organisation.id)
        return None if len(calls) <= 2 else real(organisation)

    monkeypatch.setattr(operations, "open_request_of", late_view)
    with nothing_changes(app):
        response = client.post("/mgi/", data=interest_form())
    assert response.status_code == 302 and response.headers["Location"] == "/mgi/"
    assert len(calls) == 3  # the third is after the database refused the insert
    assert count(app, MgiRequest) == 1 and fetch(app, MgiRequest).id == made.id
    assert "already has an open request" in page_text(client.get("/mgi/"))


def test_a_partner_organisation_is_told_the_assessment_is_for_governments(app, client, auth, make):
    owner, partner = make.member(organisation=make.organisation(kind="partner"))
    unlock(app, partner)
    auth.login(owner.email)
    text = page_text(client.get("/mgi/"))
    assert "for local and regional governments" in text
    assert "Register our interest" not in text
    with nothing_changes(app):
        response = client.post("/mgi/", data=interest_form())
    assert response.status_code == 403
    assert "for local and regional governments" in page_text(response)
    assert "Local MGI" not in page_text(client.get("/dashboard"))


def test_a_locked_government_is_asked_to_submit_an_action_first(app, client, auth, make):
    owner, city = make.member()
    auth.login(owner.email)
    text = page_text(client.get("/mgi/"))
    assert "Submit an action first." in text and "Start an action" in text
    with nothing_changes(app):
        response = client.post("/mgi/", data=interest_form())
    assert response.status_code == 403 and "Submit an action first." in page_text(response)


def test_someone_without_an_organisation_is_asked_to_create_one(app, client, auth):
    auth.login_as("member")
    text = page_text(client.get("/mgi/"))
    assert "Create your organisation's profile" in text
    with nothing_changes(app):
        assert client.post("/mgi/", data=interest_form()).status_code == 403


def test_visitors_are_sent_to_log_in(client):
    response = client.get("/mgi/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_requests_language_is_named_in_the_readers_language(app, client, auth, make):
    owner, city = make.member(locale="fr")
    unlock(app, city)
    make_request(app, city, owner, language="es")
    auth.login(owner.email)
    html = client.get("/mgi/").get_data(as_text=True)
    assert "<dd>espagnol</dd>" in html  # the one helper, i18n.language_name
