"""The request's edges: one commit for a successful request, a rollback for any failure, and
one answer to a refusal (a page, or JSON under /api/)."""

import pytest
from flask import Blueprint, flash, redirect, session, stream_with_context

from cta_learning.accounts.models import Organisation, User
from cta_learning.extensions import db
from cta_learning.refusals import Refused, WayForward
from tests.conftest import build_app, count

probe = Blueprint("probe", __name__)


def _add_city(name: str = "Flushed City") -> None:
    db.session.add(
        Organisation(
            kind="lrg",
            name=name,
            country="SN",
            region="africa",
            preferred_language="fr",
            policy_processes=[],
        )
    )
    db.session.flush()


@probe.post("/probe/saved")
def saved():
    _add_city()
    flash("saved")
    return redirect("/")


@probe.post("/probe/explodes")
def explodes():
    _add_city()
    raise RuntimeError("after the flush")


@probe.post("/probe/bad-request")
def bad_request():
    _add_city()
    return "not like this", 400


@probe.post("/probe/refused")
def refused():
    _add_city()
    raise Refused(
        "Not now, says the rule.", 409, WayForward("Browse the courses", "courses.catalogue")
    )


@probe.post("/api/probe/refused")
def api_refused():
    _add_city()
    raise Refused("Not now, says the rule.", 409)


@probe.post("/probe/duplicate")
def duplicate():
    email = db.session.scalar(db.select(User.email))
    db.session.add(User(email=email, name="Twin", password_hash="x"))  # noqa: S106 - fails at the commit
    session["signed_in_as"] = "twin"
    flash("saved")
    return redirect("/")


@probe.get("/probe/stream")
def stream():
    _add_city("Streamed City")

    def rows():
        yield "name\n"
        yield from (f"{name}\n" for name in db.session.scalars(db.select(Organisation.name)))

    return stream_with_context(rows())


@pytest.fixture
def probed(request, tmp_path):
    app, _backend = build_app(request, tmp_path, PROPAGATE_TEST_ERRORS=False)
    app.register_blueprint(probe)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_successful_post_commits_what_it_changed(probed):
    response = probed.test_client().post("/probe/saved")
    assert response.status_code == 302
    assert count(probed, Organisation, name="Flushed City") == 1


def test_an_exception_after_a_flush_leaves_nothing_behind(probed):
    response = probed.test_client().post("/probe/explodes")
    assert response.status_code == 500
    assert count(probed, Organisation) == 0


def test_an_error_status_after_a_flush_leaves_nothing_behind(probed):
    assert probed.test_client().post("/probe/bad-request").status_code == 400
    assert count(probed, Organisation) == 0


def test_a_refusal_is_the_error_page_with_its_status_reason_and_way_forward(probed):
    response = probed.test_client().post("/probe/refused")
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Not now, says the rule." in page
    assert '<a href="/courses/">Browse the courses</a>' in page
    assert count(probed, Organisation) == 0


def test_a_refusal_under_the_api_is_json(probed):
    response = probed.test_client().post("/api/probe/refused")
    assert response.status_code == 409
    assert response.get_json() == {
        "error": {"code": "conflict", "message": "Not now, says the rule."}
    }
    assert count(probed, Organisation) == 0


def test_a_failing_commit_is_an_error_page_and_keeps_no_success(probed):
    with probed.app_context():
        first = User(email="first@city.example.org", name="First", password_hash="x")  # noqa: S106
        db.session.add(first)
        db.session.commit()
    client = probed.test_client()
    response = client.post("/probe/duplicate")
    assert response.status_code == 500
    assert count(probed, User) == 1
    with client.session_transaction() as kept:  # neither the sign-in nor the "saved" message
        assert "signed_in_as" not in kept and "_flashes" not in kept


def test_a_streamed_response_is_committed_and_sent_whole(probed):
    response = probed.test_client().get("/probe/stream")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "name\nStreamed City\n"
    assert count(probed, Organisation, name="Streamed City") == 1
