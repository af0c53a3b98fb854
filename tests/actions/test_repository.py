"""The public repository: published actions only, filters, pages, languages, query counts."""

from datetime import date

import pytest

from cta_learning.actions import operations
from cta_learning.actions.models import Action
from cta_learning.extensions import db
from tests.actions.bulk import add_published_actions
from tests.actions.helpers import make_action
from tests.conftest import count_queries


@pytest.fixture
def owner(make):
    return make.member()


def publish_one(app, make, country="SN", region="africa", **fields):
    user, organisation = make.member(organisation=make.organisation(country=country, region=region))
    return make_action(app, organisation, user, status="published", **fields)


def test_lists_published_actions_only(app, client, owner):
    user, organisation = owner
    published = make_action(app, organisation, user, "published", title="Published desk")
    make_action(app, organisation, user, "submitted", title="Submitted desk")
    make_action(app, organisation, user, "draft", title="Draft desk")
    page = client.get("/actions/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Published desk" in html and f"/actions/{published}" in html
    assert "Submitted desk" not in html and "Draft desk" not in html
    assert "1 action" in html


def test_empty_repository_says_so(client):
    html = client.get("/actions/").get_data(as_text=True)
    assert "No published action matches these filters" in html
    assert "0 actions" in html


@pytest.mark.parametrize(
    "query, kept",
    [
        ("priority=7", "Match"),
        ("region=americas", "Match"),
        ("country=BR", "Match"),
        ("pledge_type=idps", "Match"),
        ("target_group=idps", "Match"),
        ("year=2021", "Match"),
    ],
)
def test_each_filter_narrows_the_results(app, client, make, query, kept):
    publish_one(app, make, title="Other action")
    publish_one(
        app,
        make,
        country="BR",
        region="americas",
        title="Match action",
        priorities=[7],
        target_groups={"idps"},
        start_on=date(2021, 3, 1),
    )
    html = client.get(f"/actions/?{query}").get_data(as_text=True)
    assert "Match action" in html
    assert "Other action" not in html
    assert "1 action" in html


def test_filters_combine_and_can_find_nothing(app, client, make):
    publish_one(app, make, country="BR", region="americas", title="Brazil action")
    html = client.get("/actions/?country=BR&region=africa").get_data(as_text=True)
    assert "Brazil action" not in html
    assert "No published action matches these filters" in html


@pytest.mark.parametrize(
    "query",
    [
        "priority=999",
        "priority=abc",
        "region=mars",
        "country=XX",
        "pledge_type=<script>",
        "year=1850",
        "year=abc",
        "target_group=aliens",
        "page=abc",
    ],
)
def test_unknown_filter_values_are_ignored_not_errors(app, client, make, query):
    publish_one(app, make, title="Visible action")
    response = client.get(f"/actions/?{query}")
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "Visible action" in response.get_data(as_text=True)


def test_filter_form_works_without_javascript(client):
    html = client.get("/actions/").get_data(as_text=True)
    assert '<form method="get"' in html
    for name in ("priority", "region", "country", "pledge_type", "target_group", "year"):
        assert f'name="{name}"' in html


def test_pagination_twenty_a_page_keeps_filters(app, client, owner):
    add_published_actions(app, 85)
    first = client.get("/actions/").get_data(as_text=True)
    assert first.count('class="card"') == 20
    assert "85 actions" in first and "Page 1 of 5" in first
    last = client.get("/actions/?page=5").get_data(as_text=True)
    assert last.count('class="card"') == 5
    filtered = client.get("/actions/?pledge_type=gcm").get_data(as_text=True)
    assert "21 actions" in filtered  # one in four is a GCM pledge
    assert "pledge_type=gcm" in filtered and "page=2" in filtered
    assert client.get("/actions/?page=99").status_code == 404


def test_detail_shows_the_action_and_its_classification(app, client, make):
    action_id = publish_one(
        app,
        make,
        title="Welcome desk",
        partners=["un-agencies"],
        links="https://city.example.org/desk\njavascript:alert(1)",
        start_on=date(2023, 10, 1),
    )
    page = client.get(f"/actions/{action_id}?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Welcome desk" in html and "City" in html and "Senegal" in html and "Africa" in html
    assert "Oct 2023 – ongoing" in html  # noqa: RUF001 - an en dash
    assert "Protect the most vulnerable" in html  # priority 3, from content/priorities.yaml
    assert "Migrants" in html and "Refugees" in html and "UN agencies" in html
    assert "Mirror pledge" in html and "Commitment" in html and "GCM pledging platform" in html
    assert '<a href="https://city.example.org/desk"' in html
    assert 'href="javascript' not in html
    assert "<strong>desk</strong>" in html  # the description's Markdown


def test_detail_in_french_shows_localised_names(app, client, make):
    action_id = publish_one(
        app, make, start_on=date(2023, 10, 1), is_ongoing=False, end_on=date(2024, 12, 31)
    )
    html = client.get(f"/actions/{action_id}?lang=fr").get_data(as_text=True)
    assert "Sénégal" in html
    assert "déc. 2024" in html or "déc 2024" in html


@pytest.mark.parametrize("status", ["draft", "submitted", "returned", "rejected"])
def test_unpublished_actions_are_not_found(app, client, owner, status):
    user, organisation = owner
    action_id = make_action(app, organisation, user, "draft" if status == "draft" else "submitted")
    if status in ("returned", "rejected"):
        with app.app_context():
            action = db.session.get(Action, action_id)
            move = operations.return_to_organisation if status == "returned" else operations.reject
            move(action, "Not valid", action.created_by)
            db.session.commit()
    assert client.get(f"/actions/{action_id}").status_code == 404
    assert client.get("/actions/999999").status_code == 404


def test_translation_is_shown_otherwise_a_note(app, client, make):
    action_id = publish_one(app, make, title="Bureau d'accueil", language="fr")
    html = client.get(f"/actions/{action_id}?lang=en").get_data(as_text=True)
    assert "This action is written in French." in html
    with app.app_context():
        action = db.session.get(Action, action_id)
        operations.set_translation(
            action, "en", "Welcome office", "In *English*.", action.created_by
        )
        db.session.commit()
    english = client.get(f"/actions/{action_id}?lang=en").get_data(as_text=True)
    assert "Welcome office" in english and "<em>English</em>" in english
    assert "This action is written in" not in english
    listing = client.get("/actions/?lang=en").get_data(as_text=True)
    assert "Welcome office" in listing
    french = client.get(f"/actions/{action_id}?lang=fr").get_data(as_text=True)
    assert "Bureau d&#39;accueil" in french and "Welcome office" not in french


def queries_for(app, client, paths):
    result = {}
    for path in paths:
        assert client.get(path).status_code == 200, path  # warm caches outside the count
        with count_queries(app) as queries:
            assert client.get(path).status_code == 200, path
        result[path] = len(queries)
    return result


@pytest.mark.slow
def test_query_counts_do_not_grow_with_actions(app, make):
    visitor = app.test_client()
    action_id = publish_one(app, make)
    paths = [
        "/actions/",
        "/actions/?priority=3",
        "/actions/?region=americas&year=2021",
        "/actions/?pledge_type=mirror&target_group=refugees&country=BR&page=2",
        f"/actions/{action_id}",
    ]
    add_published_actions(app, 10)
    small = queries_for(app, visitor, [*paths[:-2], paths[-1]])
    add_published_actions(app, 9_990)
    large = queries_for(app, visitor, paths)
    assert {path: large[path] for path in small} == small
    assert max(large.values()) <= 4, large
