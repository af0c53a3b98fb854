"""The secretariat moderates actions: publish, return, reject, translate, correct."""

from datetime import date

import pytest

from cta_learning.access import access_for
from cta_learning.accounts.models import Organisation, User
from cta_learning.actions import operations
from cta_learning.actions.models import Action, ActionTranslation, CorrectionRequest
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.conftest import count, fetch, outbox


@pytest.fixture
def submitted(app, make):
    """A submitted action of an organisation with two members: (action id, owner, other)."""
    owner, organisation = make.member()
    other, _ = make.member(organisation, role="member")
    return make_action(app, organisation, owner, "submitted"), owner, other


@pytest.fixture
def admin(auth):
    return auth.login_as("admin")


def status_of(app, action_id):
    return fetch(app, Action, id=action_id).status


def is_unlocked(app, organisation_id):
    with app.app_context():
        return access_for(db.session.get(Organisation, organisation_id)).is_unlocked


def messages(app, to, subject_part):
    return [m for m in outbox(app, to) if subject_part in m.subject]


def open_correction(app, action_id, user, message="Please fix the start date."):
    with app.app_context():
        action = db.session.get(Action, action_id)
        request = operations.request_correction(action, message, db.session.get(User, user.id))
        db.session.commit()
        return request.id


def test_queue_lists_submitted_first(app, client, make, admin, submitted):
    action_id, owner, _ = submitted
    organisation = fetch(app, Organisation, id=fetch(app, Action, id=action_id).organisation_id)
    make_action(app, organisation, owner, "published", title="Old published")
    html = client.get("/admin/actions/").get_data(as_text=True)
    assert html.index("Welcome desk for newcomers") < html.index("Old published")
    only_published = client.get("/admin/actions/?status=published").get_data(as_text=True)
    assert "Old published" in only_published and "Welcome desk" not in only_published
    assert client.get("/admin/actions/?status=bogus").status_code == 200


def test_publish_shows_in_repository_and_emails_members(app, client, admin, submitted):
    action_id, owner, other = submitted
    assert client.get(f"/actions/{action_id}").status_code == 404
    response = client.post(f"/admin/actions/{action_id}/publish")
    assert response.status_code == 302
    assert status_of(app, action_id) == "published"
    assert client.get(f"/actions/{action_id}").status_code == 200
    for person in (owner, other):
        [mail] = messages(app, person.email, "published")
        assert f"https://learning.example.org/actions/{action_id}" in mail.body_text


def test_publishing_twice_is_refused_clearly(app, client, admin, submitted):
    action_id, owner, _ = submitted
    client.post(f"/admin/actions/{action_id}/publish")
    response = client.post(f"/admin/actions/{action_id}/publish", follow_redirects=True)
    assert "Nothing was changed" in response.get_data(as_text=True)
    assert len(messages(app, owner.email, "published")) == 1


def test_return_sends_the_reason_and_keeps_the_benefits(app, client, admin, submitted):
    action_id, owner, _ = submitted
    organisation_id = fetch(app, Action, id=action_id).organisation_id
    response = client.post(
        f"/admin/actions/{action_id}/return", data={"return-reason": "Please describe the results."}
    )
    assert response.status_code == 302
    action = fetch(app, Action, id=action_id)
    assert action.status == "returned"
    assert action.moderation_reason == "Please describe the results."
    [mail] = messages(app, owner.email, "needs changes")
    assert "Please describe the results." in mail.body_text
    assert is_unlocked(app, organisation_id)


@pytest.mark.parametrize("route", ["return", "reject"])
@pytest.mark.parametrize("reason", ["", "   ", "x" * 2001])
def test_a_reason_is_required_and_bounded(app, client, admin, submitted, route, reason):
    action_id, *_ = submitted
    response = client.post(f"/admin/actions/{action_id}/{route}", data={f"{route}-reason": reason})
    assert response.status_code == 400
    assert "Please correct the highlighted fields." in response.get_data(as_text=True)
    assert status_of(app, action_id) == "submitted"


def test_reject_revokes_when_it_was_the_only_action(app, client, admin, submitted):
    action_id, owner, _ = submitted
    organisation_id = fetch(app, Action, id=action_id).organisation_id
    assert is_unlocked(app, organisation_id)
    response = client.post(
        f"/admin/actions/{action_id}/reject", data={"reject-reason": "This is a test entry."}
    )
    assert response.status_code == 302
    assert status_of(app, action_id) == "rejected"
    assert not is_unlocked(app, organisation_id)
    [mail] = messages(app, owner.email, "not accepted")
    assert "This is a test entry." in mail.body_text and "MOOC" in mail.body_text


def test_reject_keeps_access_opened_by_another_action(app, client, admin, submitted):
    action_id, owner, _ = submitted
    organisation = fetch(app, Organisation, id=fetch(app, Action, id=action_id).organisation_id)
    make_action(app, organisation, owner, "submitted", title="Second action")
    client.post(f"/admin/actions/{action_id}/reject", data={"reject-reason": "Duplicate."})
    assert status_of(app, action_id) == "rejected"
    assert is_unlocked(app, organisation.id)


def test_rejecting_a_published_action_removes_it_from_the_repository(app, client, admin, submitted):
    action_id, *_ = submitted
    client.post(f"/admin/actions/{action_id}/publish")
    client.post(f"/admin/actions/{action_id}/reject", data={"reject-reason": "Invalid."})
    assert client.get(f"/actions/{action_id}").status_code == 404


def test_action_page_shows_content_classification_and_forms(app, client, admin, submitted):
    action_id, *_ = submitted
    html = client.get(f"/admin/actions/{action_id}").get_data(as_text=True)
    assert "Welcome desk for newcomers" in html and "Mirror pledge" in html
    assert "Publish in the repository" in html and "Reject the action" in html
    assert "revokes what this action alone unlocked" in html
    assert 'name="return-reason"' in html and 'name="reject-reason"' in html


def test_translation_added_then_replaced(app, client, admin, submitted):
    action_id, *_ = submitted
    data = {"language": "fr", "title": "Guichet d'accueil", "description": "Un guichet."}
    assert client.post(f"/admin/actions/{action_id}/translation", data=data).status_code == 302
    data["title"] = "Guichet pour les nouveaux arrivants"
    assert client.post(f"/admin/actions/{action_id}/translation", data=data).status_code == 302
    assert count(app, ActionTranslation, action_id=action_id) == 1
    assert fetch(app, ActionTranslation, action_id=action_id).title == data["title"]


@pytest.mark.parametrize(
    "data",
    [
        {"language": "en", "title": "Same language", "description": "No."},
        {"language": "de", "title": "Unknown", "description": "Nein."},
        {"language": "fr", "title": "", "description": "Sans titre."},
        {"language": "fr", "title": "x" * 201, "description": "Trop long."},
        {"language": "fr", "title": "Line\nbreak", "description": "Non."},
    ],
)
def test_bad_translations_are_refused(app, client, admin, submitted, data):
    action_id, *_ = submitted
    response = client.post(f"/admin/actions/{action_id}/translation", data=data)
    assert response.status_code == 400
    assert count(app, ActionTranslation, action_id=action_id) == 0


def test_script_in_a_translation_is_sanitised(app, client, admin, submitted):
    action_id, *_ = submitted
    client.post(f"/admin/actions/{action_id}/publish")
    client.post(
        f"/admin/actions/{action_id}/translation",
        data={
            "language": "fr",
            "title": "<script>alert(1)</script>",
            "description": "<script>alert(2)</script> [x](javascript:alert(3))",
        },
    )
    html = app.test_client().get(f"/actions/{action_id}?lang=fr").get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript' not in html
    admin_html = client.get(f"/admin/actions/{action_id}").get_data(as_text=True)
    assert "<script>alert" not in admin_html


def correction_data(**changes):
    data = {
        "title": "Welcome desk for all newcomers",
        "description": "A desk at the city hall.",
        "start_on": "2023-09-01",
        "is_ongoing": "y",
        "results": "",
        "end_on": "",
        "target_groups": ["migrants", "refugees"],
        "priorities": ["3", "5"],
        "partners": ["networks"],
        "links": "https://city.example.org/desk",
        "budget": "1000",
        "currency": "EUR",
        "beneficiaries": "120",
    }
    data.update(changes)
    return data


def test_correction_page_is_prefilled(app, client, admin, submitted):
    action_id, owner, _ = submitted
    request_id = open_correction(app, action_id, owner)
    html = client.get(f"/admin/actions/corrections/{request_id}").get_data(as_text=True)
    assert "Please fix the start date." in html
    assert 'value="Welcome desk for newcomers"' in html and 'value="2023-10-01"' in html


def test_correction_applied_records_changes_and_emails(app, client, admin, submitted):
    action_id, owner, _ = submitted
    request_id = open_correction(app, action_id, owner)
    response = client.post(f"/admin/actions/corrections/{request_id}", data=correction_data())
    assert response.status_code == 302
    correction = fetch(app, CorrectionRequest, id=request_id)
    assert correction.status == "applied"
    assert correction.changes["title"] == [
        "Welcome desk for newcomers",
        "Welcome desk for all newcomers",
    ]
    assert correction.changes["start_on"] == ["2023-10-01", "2023-09-01"]
    action = fetch(app, Action, id=action_id)
    assert action.start_on == date(2023, 9, 1) and action.beneficiaries == 120
    assert action.status == "submitted"
    [mail] = messages(app, owner.email, "correction is made")
    assert "Welcome desk for all newcomers" in mail.subject
    again = client.post(
        f"/admin/actions/corrections/{request_id}", data=correction_data(), follow_redirects=True
    )
    assert "Nothing was changed" in again.get_data(as_text=True)


@pytest.mark.parametrize(
    "changes",
    [
        {"title": ""},
        {"start_on": "not a date"},
        {"target_groups": []},
        {"priorities": []},
        {"is_ongoing": "", "end_on": ""},
        {"is_ongoing": "", "end_on": "2020-01-01"},
        {"links": "javascript:alert(1)"},
        {"budget": "-5"},
        {"currency": "XYZW"},
        {"priorities": ["99"]},
    ],
)
def test_invalid_corrections_change_nothing(app, client, admin, submitted, changes):
    action_id, owner, _ = submitted
    request_id = open_correction(app, action_id, owner)
    response = client.post(
        f"/admin/actions/corrections/{request_id}", data=correction_data(**changes)
    )
    assert response.status_code == 400
    assert fetch(app, CorrectionRequest, id=request_id).status == "open"
    assert fetch(app, Action, id=action_id).title == "Welcome desk for newcomers"


def test_correction_declined_with_a_reason(app, client, admin, submitted):
    action_id, owner, _ = submitted
    request_id = open_correction(app, action_id, owner)
    assert (
        client.post(
            f"/admin/actions/corrections/{request_id}/decline", data={"decline-reason": ""}
        ).status_code
        == 400
    )
    response = client.post(
        f"/admin/actions/corrections/{request_id}/decline",
        data={"decline-reason": "The dates are right."},
    )
    assert response.status_code == 302
    correction = fetch(app, CorrectionRequest, id=request_id)
    assert correction.status == "declined" and correction.reason == "The dates are right."
    [mail] = messages(app, owner.email, "declined")
    assert "The dates are right." in mail.body_text


@pytest.mark.parametrize(
    "path",
    [
        "/admin/actions/999999",
        "/admin/actions/corrections/999999",
    ],
)
def test_unknown_ids_are_not_found(client, admin, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/admin/actions/999999/publish",
        "/admin/actions/999999/return",
        "/admin/actions/999999/reject",
        "/admin/actions/999999/translation",
        "/admin/actions/corrections/999999",
        "/admin/actions/corrections/999999/decline",
    ],
)
def test_unknown_ids_are_not_found_on_post(client, admin, path):
    assert client.post(path, data={}).status_code == 404


@pytest.mark.parametrize("role", ["member", "organiser"])
@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/admin/actions/"),
        ("get", "/admin/actions/{id}"),
        ("post", "/admin/actions/{id}/publish"),
        ("post", "/admin/actions/{id}/return"),
        ("post", "/admin/actions/{id}/reject"),
        ("post", "/admin/actions/{id}/translation"),
    ],
)
def test_only_admins_moderate(app, client, auth, submitted, role, method, path):
    action_id, *_ = submitted
    auth.login_as(role)
    response = getattr(client, method)(
        path.format(id=action_id), data={"reject-reason": "x", "return-reason": "x"}
    )
    assert response.status_code == 403
    assert status_of(app, action_id) == "submitted"


def test_visitors_are_sent_to_login(client, submitted):
    action_id, *_ = submitted
    response = client.post(f"/admin/actions/{action_id}/publish")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.slow
def test_admin_pages_query_counts_do_not_grow(app, client, admin, submitted):
    from tests.actions.bulk import add_published_actions

    action_id, owner, _ = submitted
    request_id = open_correction(app, action_id, owner)
    paths = [
        "/admin/actions/",
        "/admin/actions/?status=published",
        f"/admin/actions/{action_id}",
        f"/admin/actions/corrections/{request_id}",
    ]

    def counts():
        from tests.conftest import count_queries

        result = {}
        for path in paths:
            client.get(path)
            with count_queries(app) as queries:
                assert client.get(path).status_code == 200, path
            result[path] = len(queries)
        return result

    add_published_actions(app, 10)
    small = counts()
    add_published_actions(app, 2_000)
    assert counts() == small
    assert max(small.values()) <= 6, small
