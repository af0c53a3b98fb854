"""The review page shows the action as it will be published; a draft in progress is resumed,
not piled up; the form's steps read as a numbered list."""

import re
from datetime import date
from decimal import Decimal

import pytest

from cta_learning.actions import operations
from cta_learning.actions.models import Action
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.community.events.helpers import make_event
from tests.conftest import count
from tests.courses.helpers import SLUG, import_shipped
from tests.hostile import page_text

PUBLISHED = {
    "title": "Welcome desk",
    "results": "310 families **housed** by December.",
    "links": "https://city.example.org/desk",
    "partners": ["networks"],
    "beneficiaries": 300,
    "budget": Decimal("12000.50"),
    "currency": "EUR",
}


def section(html: str, css_class: str) -> str:
    """The HTML of the page's <section> whose class list starts with `css_class`."""
    found = re.search(rf'<section class="{css_class}[^"]*".*?</section>', html, re.S)
    assert found, css_class
    return found.group(0)


def headings_removed(html: str) -> str:
    """The HTML with heading levels erased (the review nests the action one level deeper)."""
    return re.sub(r"<(/?)h[1-6]", r"<\1h", html)


# --- 1. the review page is the published page --------------------------------------------------


def test_review_renders_the_published_page_with_the_budget_apart(app, client, auth, make):
    owner, organisation = make.member()
    action_id = make_action(app, organisation, owner, status="published", **PUBLISHED)
    public = client.get(f"/actions/{action_id}?lang=en").get_data(as_text=True)
    auth.login(owner.email)
    review = client.get(f"/my/actions/{action_id}").get_data(as_text=True)

    preview = section(review, "card preview")
    for html in (public, preview):  # results and links, which the review used to leave out
        assert "Results so far" in html and "<strong>housed</strong>" in html
        assert '<a href="https://city.example.org/desk"' in html
        assert "Networks" in html and "300" in html and "Africa" in html
    # The preview is the public page's action, heading levels aside.
    start = public.index('<h1 id="action-title">')
    end = public.index("</main>")
    assert (
        headings_removed(public[start:end]).split()
        == headings_removed(preview[preview.index("<h2") : preview.rindex("</section>")]).split()
    )

    # The budget, which the public page leaves out, is marked as the secretariat's only.
    assert "12,000.50" not in public and "Budget" not in public
    assert "12,000.50" not in preview
    private = section(review, "card secretariat-only")
    assert "Seen only by the secretariat" in private and "€12,000.50" in private

    # The public page is still one copy shared by visitors (a 304 for the one who has it).
    visitor = app.test_client()
    first = visitor.get(f"/actions/{action_id}?lang=en")
    etag = first.headers["ETag"]
    again = visitor.get(f"/actions/{action_id}?lang=en", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_review_of_a_draft_says_when_no_budget_is_given(app, client, auth, make):
    owner, organisation = make.member()
    action_id = make_action(app, organisation, owner)
    auth.login(owner.email)
    private = section(client.get(f"/my/actions/{action_id}").get_data(as_text=True), "card secr")
    assert "Not given" in private


def test_review_in_french_shows_results_and_links(app, client, auth, make):
    owner, organisation = make.member(locale="fr")
    action_id = make_action(app, organisation, owner, **PUBLISHED)
    auth.login(owner.email)
    response = client.get(f"/my/actions/{action_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and '<html lang="fr">' in html
    preview = section(html, "card preview")
    assert "<strong>housed</strong>" in preview and "https://city.example.org/desk" in preview
    assert "anglais" in preview  # "written in English", the language named in French


# --- 2. resume a draft rather than pile up blank ones ------------------------------------------


def test_starting_twice_keeps_one_blank_draft(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    first = client.post("/my/actions/new").headers["Location"]
    assert client.post("/my/actions/new").headers["Location"] == first
    assert count(app, Action, organisation_id=organisation.id) == 1

    # Once something is entered, it is a draft in progress: "start another" makes a new one.
    client.post(first, data={"title": "Welcome desk", "description": "", "language": "en"})
    second = client.post("/my/actions/new").headers["Location"]
    assert second != first and count(app, Action, organisation_id=organisation.id) == 2


@pytest.mark.parametrize(
    "entered",
    [
        {"results": "Something"},
        {"is_ongoing": True},
        {"priorities": [2]},
        {"partners": ["networks"]},
        {"budget": Decimal(0), "currency": "EUR"},
        {"beneficiaries": 0},
        {"links": "https://city.example.org"},
    ],
    ids=lambda entered: next(iter(entered)),
)
def test_a_draft_with_any_answer_is_not_reused(app, client, auth, make, entered):
    owner, organisation = make.member()
    blank = {"title": "", "description": "", "start_on": None, "target_groups": set()}
    blank["priorities"] = []
    draft = make_action(app, organisation, owner, **{**blank, "is_ongoing": False, **entered})
    auth.login(owner.email)
    new = client.post("/my/actions/new").headers["Location"]
    assert f"/my/actions/{draft}/" not in new
    assert client.post("/my/actions/new").headers["Location"] == new  # that one is blank


def test_another_organisations_blank_draft_is_not_reused(app, client, auth, make):
    stranger, elsewhere = make.member()
    auth.login(stranger.email)
    theirs = client.post("/my/actions/new").headers["Location"]
    auth.logout()
    owner, _ = make.member()
    auth.login(owner.email)
    ours = client.post("/my/actions/new").headers["Location"]
    assert ours != theirs and client.post("/my/actions/new").headers["Location"] == ours


def _half_done_draft(app, organisation, owner) -> int:
    """A draft with its first step answered, so it resumes at the timeline."""
    return make_action(app, organisation, owner, start_on=None, target_groups=set(), priorities=[])


@pytest.fixture
def locked_pages(app):
    """Pages that stay locked until an action is submitted, each offering to start one."""
    import_shipped(app)
    event = make_event(app, audience="members")
    return ["/dashboard", "/my/actions/", "/mgi/", f"/courses/{SLUG}/", f"/events/{event.id}"]


def test_pages_offer_to_resume_the_draft_first(app, client, auth, make, locked_pages):
    owner, organisation = make.member()
    draft = _half_done_draft(app, organisation, owner)
    auth.login(owner.email)
    for path in locked_pages:
        html = client.get(path).get_data(as_text=True)
        offer = re.search(r'<div class="start-action">.*?</div>', html, re.S)
        assert offer, path
        resume, start = (
            offer.group(0).index("Resume your draft"),
            offer.group(0).index("Start another action"),
        )
        assert resume < start, path
        assert f'href="/my/actions/{draft}/timeline"' in offer.group(0), path
        assert "Start an action" not in page_text(client.get(path)), path


def test_without_a_draft_pages_offer_to_start_one(app, client, auth, make, locked_pages):
    owner, organisation = make.member()
    rejected = make_action(app, organisation, owner, status="submitted")
    with app.app_context():
        action = db.session.get(Action, rejected)
        operations.reject(action, "Not an action", action.created_by)
        db.session.commit()
    auth.login(owner.email)
    for path in locked_pages:
        text = page_text(client.get(path))
        assert "Start an action" in text and "Resume your draft" not in text, path


def test_resume_goes_to_the_latest_drafts_next_step(app, client, auth, make):
    owner, organisation = make.member()
    _half_done_draft(app, organisation, owner)
    complete = make_action(app, organisation, owner)  # changed last, nothing missing
    auth.login(owner.email)
    html = client.get("/dashboard").get_data(as_text=True)
    assert f'<a class="button" href="/my/actions/{complete}">Resume your draft</a>' in html
    assert "Your draft: “Welcome desk for newcomers”" in page_text(client.get("/dashboard"))


# --- 3. the steps read as a numbered list -------------------------------------------------------


def test_steps_are_numbered_and_the_current_one_is_marked(app, client, auth, make):
    owner, organisation = make.member()
    draft = make_action(app, organisation, owner, start_on=date(2023, 10, 1))
    auth.login(owner.email)
    html = client.get(f"/my/actions/{draft}/timeline").get_data(as_text=True)
    nav = re.search(r'<nav aria-label="Steps of the form".*?</nav>', html, re.S).group(0)
    items = [
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li[^>]*>(.*?)</li>", nav, re.S)
    ]
    assert items == [
        "1 About the action",
        "2 Timeline",
        "3 People and priorities",
        "4 Partners and resources",
        "5 Review and submit",
    ]
    assert re.findall(r'aria-current="step">([^<]+)<', nav) == ["Timeline"]
    review = client.get(f"/my/actions/{draft}").get_data(as_text=True)
    assert '<strong aria-current="step">Review and submit</strong>' in review
