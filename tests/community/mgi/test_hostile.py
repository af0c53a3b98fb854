"""Bad input to the Local MGI pages: a clear message, a 4xx where it is HTTP, nothing changed."""

import pytest

from cta_learning.community.mgi.models import MgiRequest
from tests.community.mgi.helpers import interest_form, make_request
from tests.conftest import fetch
from tests.courses.helpers import unlock
from tests.hostile import assert_form_refused, nothing_changes, page_text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"focal_name": "Ana\r\nBcc: victim@example.org"}, "This field must fit on one line."),
        ({"focal_position": "Head\nof office"}, "This field must fit on one line."),
        ({"focal_phone": "+506\r\n2547"}, "This field must fit on one line."),
        ({"focal_name": "Ana\x00Mora"}, "This field contains characters that are not allowed."),
        ({"focal_name": ""}, "This field is required."),
        ({"focal_name": "A" * 121}, "At most 120 characters."),
        ({"focal_email": "not-an-address"}, "Enter a valid email address, like name@city.org."),
        ({"focal_email": "ana@"}, "Enter a valid email address, like name@city.org."),
        ({"focal_email": ""}, "Enter the focal point's email address."),
        ({"focal_email": "a" * 300 + "@x.org"}, "An email address has at most 254 characters."),
        ({"focal_phone": "call me"}, "Enter a phone number with its country code"),
        ({"focal_phone": "+1 23"}, "Enter a phone number with its country code"),
        ({"focal_phone": "+1 555 0100 <script>"}, "Enter a phone number with its country code"),
        ({"focal_phone": "1" * 41}, "At most 40 characters."),
        ({"motivation": ""}, "This field is required."),
        ({"motivation": "x" * 5_001}, "At most 5000 characters."),
        ({"language": "de"}, "Not a valid choice."),
        ({"consent": ""}, "Your consent is needed: the request goes to IOM."),
    ],
)
def test_the_interest_form_refuses_bad_input(app, client, auth, make, changes, message):
    owner, city = make.member()
    unlock(app, city)
    auth.login(owner.email)
    data = interest_form(**changes)
    if not data["consent"]:
        del data["consent"]
    with nothing_changes(app):
        response = client.post("/mgi/", data=data)
    assert_form_refused(response, message)


def _admin_with_request(app, auth, make, step="received"):
    owner, city = make.member()
    request = make_request(app, city, owner, step=step)
    auth.login_as("admin")
    return request


@pytest.mark.parametrize(
    ("step", "data", "status", "message"),
    [
        ("received", {"step": "archived"}, 400, "Not a valid choice."),
        ("received", {"step": ""}, 400, "Not a valid choice."),
        ("shared", {"step": "declined", "note": "  "}, 400, "Give the reason for declining"),
        ("shared", {"step": "declined"}, 400, "Give the reason for declining"),
        ("scheduled", {"step": "received"}, 409, "cannot move back to an earlier step"),
        ("in_contact", {"step": "shared"}, 409, "cannot move back to an earlier step"),
        ("shared", {"step": "shared"}, 409, "already at this step"),
        ("completed", {"step": "declined", "note": "Too late"}, 409, "can no longer change"),
        ("declined", {"step": "shared"}, 409, "can no longer change"),
        ("declined", {"step": "completed"}, 409, "can no longer change"),
        ("received", {"step": "shared", "note": "x" * 5_001}, 400, "At most 5000 characters."),
    ],
)
def test_the_pipeline_refuses_bad_moves(app, client, auth, make, step, data, status, message):
    request = _admin_with_request(app, auth, make, step)
    with nothing_changes(app):
        response = client.post(f"/admin/mgi/{request.id}/step", data=data)
    assert response.status_code == status
    assert message in page_text(response)
    assert fetch(app, MgiRequest, id=request.id).step == step


def test_unknown_requests_are_not_found(app, client, auth, make):
    _admin_with_request(app, auth, make)
    with nothing_changes(app):
        assert client.get("/admin/mgi/999999").status_code == 404
        assert client.post("/admin/mgi/999999/step", data={"step": "shared"}).status_code == 404
        assert client.get("/admin/mgi/?page=0").status_code == 404
        assert client.get("/admin/mgi/?page=99").status_code == 404


def test_another_organisation_s_request_is_not_found(app, client, auth, make):
    other_owner, other = make.member()
    theirs = make_request(app, other, other_owner)
    owner, city = make.member()
    unlock(app, city)
    auth.login(owner.email)
    with nothing_changes(app):
        assert client.get(f"/mgi/{theirs.id}").status_code == 404
        assert client.get("/mgi/999999").status_code == 404
        assert client.post(f"/admin/mgi/{theirs.id}/step", data={"step": "shared"}).status_code == (
            403
        )
    assert "Focal Point" not in page_text(client.get("/mgi/"))


@pytest.mark.parametrize("role", ["member", "organiser"])
def test_the_pipeline_is_for_admins_only(app, client, auth, make, role):
    owner, city = make.member()
    request = make_request(app, city, owner)
    auth.login_as(role)
    with nothing_changes(app):
        for path in ("/admin/mgi/", "/admin/mgi/requests.csv", f"/admin/mgi/{request.id}"):
            assert client.get(path).status_code == 403, path
        response = client.post(f"/admin/mgi/{request.id}/step", data={"step": "shared"})
        assert response.status_code == 403


def test_the_form_does_not_take_a_json_body_or_extra_fields(app, client, auth, make):
    owner, city = make.member()
    unlock(app, city)
    auth.login(owner.email)
    with nothing_changes(app):
        response = client.post("/mgi/", json=interest_form())
    assert response.status_code == 200 and "Please correct the highlighted fields." in page_text(
        response
    )
    client.post("/mgi/", data=interest_form(step="completed", organisation_id="1"))
    request = fetch(app, MgiRequest, organisation_id=city.id)
    assert request.step == "received"
