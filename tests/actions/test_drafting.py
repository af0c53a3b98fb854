"""Drafting an action over several visits, submitting it, and the unlock that follows."""

import threading

import pytest

from cta_learning.access import AccessGrant, access_for
from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action
from cta_learning.extensions import db
from tests.actions.helpers import load, make_action
from tests.conftest import PASSWORD, count, outbox

ABOUT = {"title": "Welcome desk", "description": "A desk at the city hall.", "language": "fr"}
TIMELINE = {"start_on": "2023-10-01", "is_ongoing": "y", "results": ""}
PEOPLE = {"target_groups": ["migrants", "refugees"], "priorities": ["3", "5"]}
RESOURCES = {
    "partners": ["networks"],
    "budget": "12000.50",
    "currency": "EUR",
    "beneficiaries": "300",
    "links": "https://city.example.org/desk",
}


def new_draft(client) -> str:
    response = client.post("/my/actions/new")
    assert response.status_code == 302
    return response.headers["Location"].rsplit("/", 1)[0]  # /my/actions/<id>


def test_a_member_drafts_over_two_visits_and_a_colleague_submits(app, client, auth, make):
    owner, organisation = make.member()
    colleague, _ = make.member(organisation, role="member")
    auth.login(owner.email)
    base = new_draft(client)
    assert (
        client.post(f"{base}/about", data={**ABOUT, "then": "leave"})
        .headers["Location"]
        .endswith("/my/actions/")
    )
    auth.logout()

    auth.login(colleague.email)
    page = client.get(f"{base}/about").get_data(as_text=True)
    assert 'value="Welcome desk"' in page
    assert client.post(f"{base}/timeline", data=TIMELINE).headers["Location"].endswith("/people")
    client.post(f"{base}/people", data=PEOPLE)
    assert client.post(f"{base}/resources", data=RESOURCES).headers["Location"] == base
    review = client.get(base).get_data(as_text=True)
    assert "Mirror pledge" in review and "GCM pledging platform" in review
    assert "Submit the action" in review

    assert client.post(f"{base}/submit").headers["Location"].endswith("/dashboard")
    action = load(app, int(base.rsplit("/", 1)[1]))
    assert action.status == "submitted" and action.submitted_at is not None
    assert action.pledge_type == "mirror" and action.currency == "EUR"


def test_review_lists_what_is_missing_and_refuses_to_submit(app, client, auth, make):
    owner, _ = make.member()
    auth.login(owner.email)
    base = new_draft(client)
    client.post(f"{base}/about", data=ABOUT)
    page = client.get(base).get_data(as_text=True)
    assert "Complete these answers before submitting" in page and "Start date" in page
    client.post(f"{base}/submit")
    assert load(app, int(base.rsplit("/", 1)[1])).status == "draft"


def test_first_submission_unlocks_every_member_once(app, client, auth, make):
    owner, organisation = make.member()
    colleague, _ = make.member(organisation, role="member")
    draft = make_action(app, organisation, owner)
    auth.login(owner.email)
    before = client.get("/dashboard").get_data(as_text=True)
    assert "What submitting an action opens" in before and "Resume your draft" in before
    client.post(f"/my/actions/{draft}/submit")
    client.post(f"/my/actions/{draft}/submit")  # a double click
    with app.app_context():
        assert access_for(db.session.get(Organisation, organisation.id)).is_unlocked
    assert count(app, AccessGrant) == 1
    for person in (owner, colleague):
        assert [m.subject for m in outbox(app, to=person.email)] == [
            "Your learning benefits are open"
        ]
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Open to you" in page
    for benefit in ("mooc", "member_events", "mailing_list", "cities_fund_news", "mgi_interest"):
        assert f'data-benefit="{benefit}"' in page


def test_a_second_action_does_not_email_again(app, client, auth, make):
    owner, organisation = make.member()
    make_action(app, organisation, owner, status="submitted")
    second = make_action(app, organisation, owner)
    auth.login(owner.email)
    client.post(f"/my/actions/{second}/submit")
    assert count(app, AccessGrant) == 2
    assert [m.subject for m in outbox(app, to=owner.email)] == ["Your learning benefits are open"]


def test_someone_who_joins_an_open_organisation_is_told(app, client, auth, make):
    owner, organisation = make.member()
    make_action(app, organisation, owner, status="submitted")
    auth.login(owner.email)
    client.post("/organisation/members", data={"email": "late@city.example.org", "role": "member"})
    link = (
        outbox(app, to="late@city.example.org")[0]
        .body_text.split("https://learning.example.org")[1]
        .split()[0]
    )
    auth.logout()
    auth.login_as(email="late@city.example.org")
    client.post(link)
    assert "Your learning benefits are open" in [
        m.subject for m in outbox(app, to="late@city.example.org")
    ]
    assert "Open to you" in client.get("/dashboard").get_data(as_text=True)


def test_simultaneous_submissions_unlock_once(app, make):
    owner, organisation = make.member()
    draft = make_action(app, organisation, owner)
    clients = [app.test_client() for _ in range(4)]
    for browser in clients:
        browser.post("/login", data={"email": owner.email, "password": PASSWORD})
    barrier = threading.Barrier(len(clients))
    statuses = []

    def submit(browser):
        barrier.wait()
        statuses.append(browser.post(f"/my/actions/{draft}/submit").status_code)

    threads = [threading.Thread(target=submit, args=(browser,)) for browser in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert statuses == [302] * 4
    assert count(app, AccessGrant) == 1
    assert count(app, Action, status="submitted") == 1
    assert len(outbox(app, to=owner.email)) == 1


def test_a_submitted_action_cannot_be_changed(app, client, auth, make):
    owner, organisation = make.member()
    submitted = make_action(app, organisation, owner, status="submitted")
    auth.login(owner.email)
    response = client.post(f"/my/actions/{submitted}/about", data={**ABOUT, "title": "Changed"})
    assert response.headers["Location"].endswith(f"/my/actions/{submitted}")
    assert load(app, submitted).title == "Welcome desk for newcomers"
    assert "Ask the secretariat for a correction" in client.get(
        f"/my/actions/{submitted}"
    ).get_data(as_text=True)


def test_a_member_asks_for_a_correction(app, client, auth, make):
    from cta_learning.actions.models import CorrectionRequest

    owner, organisation = make.member()
    submitted = make_action(app, organisation, owner, status="submitted")
    auth.login(owner.email)
    short = client.post(f"/my/actions/{submitted}/correction", data={"message": "typo"})
    assert "Write between 10 and 5,000 characters" in short.get_data(as_text=True)
    client.post(
        f"/my/actions/{submitted}/correction",
        data={"message": "The start date is October, not September."},
    )
    assert count(app, CorrectionRequest, action_id=submitted, status="open") == 1


@pytest.mark.parametrize(
    "path", ["", "/about", "/timeline", "/people", "/resources", "/correction"]
)
def test_other_organisations_get_404_on_every_action_page(app, client, auth, make, path):
    owner, organisation = make.member()
    draft = make_action(app, organisation, owner)
    submitted = make_action(app, organisation, owner, status="submitted")
    stranger, _ = make.member()
    auth.login(stranger.email)
    for action_id in (draft, submitted):
        assert client.get(f"/my/actions/{action_id}{path}").status_code == 404
    assert client.post(f"/my/actions/{draft}/submit").status_code == 404
    assert client.post(f"/my/actions/{draft}/about", data=ABOUT).status_code == 404
    assert load(app, draft).title == "Welcome desk for newcomers"


HOSTILE = [
    ("about", {"title": "x" * 201}, "At most 200 characters"),
    ("about", {"title": "a\r\nb"}, "must fit on one line"),
    ("about", {"description": "y" * 10_001}, "At most 10000 characters"),
    ("about", {"language": "de"}, "Not a valid choice"),
    ("timeline", {"start_on": "2018-12-31"}, "started in 2019 or later"),
    ("timeline", {"start_on": "2024-05-01", "end_on": "2024-04-30"}, "before the start date"),
    ("timeline", {"start_on": "2024-13-45"}, "Not a valid date value"),
    (
        "timeline",
        {"start_on": "2024-05-01", "end_on": "2025-01-01", "is_ongoing": "y"},
        "An ongoing action has no end date",
    ),
    ("people", {"priorities": ["99"]}, "is not a valid choice"),
    ("people", {"priorities": ["one"]}, "Invalid choice"),
    ("people", {"target_groups": ["aliens"]}, "is not a valid choice"),
    ("people", {"priorities": ["1", "2", "3", "4"]}, "Three priority areas at most"),
    ("resources", {"currency": "XYZ"}, "Not a valid choice"),
    ("resources", {"budget": "-5", "currency": "EUR"}, "between 0 and 100 billion"),
    ("resources", {"budget": "12"}, "Choose the currency"),
    ("resources", {"budget": "12", "currency": ""}, "Choose the currency"),
    ("resources", {"links": "javascript:alert(1)"}, "must be a web address"),
    ("resources", {"beneficiaries": "many"}, "Not a valid integer value"),
]


@pytest.mark.parametrize(
    ("step", "data", "message"),
    HOSTILE,
    ids=[f"{s}-{next(iter(d))}-{i}" for i, (s, d, _) in enumerate(HOSTILE)],
)
def test_hostile_input_is_refused_and_changes_nothing(app, client, auth, make, step, data, message):
    owner, organisation = make.member()
    draft = make_action(app, organisation, owner)
    before = load(app, draft)
    auth.login(owner.email)
    response = client.post(f"/my/actions/{draft}/{step}", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    after = load(app, draft)
    assert (
        after.title,
        after.start_on,
        after.end_on,
        after.priority_ids,
        after.links,
        after.budget,
    ) == (
        before.title,
        before.start_on,
        before.end_on,
        before.priority_ids,
        before.links,
        before.budget,
    )


def test_four_priorities_with_confirmation_are_accepted(app, client, auth, make):
    owner, organisation = make.member()
    draft = make_action(app, organisation, owner)
    auth.login(owner.email)
    client.post(
        f"/my/actions/{draft}/people",
        data={
            "target_groups": ["refugees"],
            "priorities": ["1", "2", "3", "4"],
            "many_priorities_confirmed": "y",
        },
    )
    assert load(app, draft).priority_ids == [1, 2, 3, 4]


def test_script_in_the_description_is_not_run(app, client, auth, make):
    owner, organisation = make.member()
    draft = make_action(
        app,
        organisation,
        owner,
        description="Hello <script>alert(1)</script> [x](javascript:alert(2))",
    )
    auth.login(owner.email)
    page = client.get(f"/my/actions/{draft}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert 'href="javascript' not in page


def test_unknown_step_or_action_is_404(client, auth, make):
    owner, _ = make.member()
    auth.login(owner.email)
    assert client.get("/my/actions/999999").status_code == 404
    assert client.get("/my/actions/999999/about").status_code == 404


def test_admin_opens_and_withdraws_benefits_without_an_action(app, client, auth, make):
    owner, organisation = make.member(make.organisation(kind="partner"))
    auth.login_as("admin")
    refused = client.post(
        f"/admin/organisations/{organisation.id}/grants", data={"reason": ""}, follow_redirects=True
    )
    assert "Give the reason for this grant" in refused.get_data(as_text=True)
    assert count(app, AccessGrant) == 0
    client.post(
        f"/admin/organisations/{organisation.id}/grants",
        data={"reason": "Partner invited to the peer exchange"},
    )
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        [grant] = access_for(org).grants
        assert grant.is_manual and org.unlocked_at is not None
    assert outbox(app, to=owner.email)[0].subject == "Your learning benefits are open"
    client.post(f"/admin/organisations/{organisation.id}/grants/{grant.id}/revoke")
    with app.app_context():
        org = db.session.get(Organisation, organisation.id)
        assert not access_for(org).is_unlocked and org.unlocked_at is None
    _, other = make.member()
    assert (
        client.post(f"/admin/organisations/{other.id}/grants/{grant.id}/revoke").status_code == 404
    )
