"""The public API: priorities, published actions, courses and events as visitors see them, in
the language asked for, paginated, with the one error shape for what is not found or not valid."""

from datetime import date, timedelta

import pytest

from cta_learning.actions.models import ActionTranslation
from cta_learning.community.events.models import (
    AgendaSegment,
    EventTranslation,
    SegmentPerson,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.community.events.helpers import make_event
from tests.conftest import count_queries
from tests.courses.helpers import SLUG, import_shipped

BASE = "https://learning.example.org"  # TEST_CONFIG's PUBLIC_URL


def publish(app, make, country="SN", region="africa", **fields) -> int:
    user, organisation = make.member(organisation=make.organisation(country=country, region=region))
    return make_action(app, organisation, user, status="published", **fields)


def add_translation(app, model, **values):
    with app.app_context():
        db.session.add(model(**values))
        db.session.commit()


# --- Priorities ----------------------------------------------------------------------------


def test_priorities_in_the_language_asked_for(client):
    english = client.get("/api/v1/priorities").get_json()["items"]
    french = client.get("/api/v1/priorities?lang=fr").get_json()["items"]
    assert [p["id"] for p in english] == list(range(1, 9))
    assert english[0]["title"]["language"] == "en"
    assert french[0]["title"]["language"] == "fr"
    assert french[0]["title"]["text"] != english[0]["title"]["text"]
    spanish = client.get("/api/v1/priorities", headers={"Accept-Language": "es"}).get_json()
    assert spanish["items"][0]["title"]["language"] == "es"
    assert english[0]["url"] == f"{BASE}/priorities#{english[0]['slug']}"


# --- Actions -------------------------------------------------------------------------------


def test_lists_published_actions_only_without_personal_data(app, client, make):
    user, organisation = make.member()
    published = make_action(app, organisation, user, "published", title="Published desk")
    make_action(app, organisation, user, "submitted", title="Submitted desk")
    make_action(app, organisation, user, "draft", title="Draft desk", budget=1000)
    answer = client.get("/api/v1/actions")
    assert answer.status_code == 200
    body = answer.get_json()
    assert body["total"] == 1
    [item] = body["items"]
    assert item["id"] == published
    assert item["title"] == {"text": "Published desk", "language": "en"}
    assert item["url"] == f"{BASE}/actions/{published}"
    assert item["organisation"]["country"] == "SN"
    text = answer.get_data(as_text=True)
    assert "budget" not in text and "@" not in text


@pytest.mark.parametrize(
    "query",
    [
        "priority=7",
        "region=americas",
        "country=BR",
        "pledge_type=idps",
        "target_group=idps",
        "year=2021",
        "country=BR&year=2021&priority=7",
    ],
)
def test_each_filter_narrows_the_actions(app, client, make, query):
    publish(app, make, title="Other action")
    match = publish(
        app,
        make,
        country="BR",
        region="americas",
        title="Match action",
        priorities=[7],
        target_groups={"idps"},
        start_on=date(2021, 3, 1),
    )
    body = client.get(f"/api/v1/actions?{query}").get_json()
    assert [item["id"] for item in body["items"]] == [match]


@pytest.mark.parametrize(
    "query, field",
    [
        ("page=zero", "page"),
        ("page=0", "page"),
        ("page=501", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("per_page=1.5", "per_page"),
        ("priority=99", "priority"),
        ("priority=" + "9" * 5000, "priority"),
        ("region=atlantis", "region"),
        ("country=ZZ", "country"),
        ("country=%C3%A9t%C3%A9", "country"),
        ("country=" + "A" * 100_000, "country"),
        ("pledge_type=%E2%9C%93", "pledge_type"),
        ("target_group=aliens", "target_group"),
        ("year=1990", "year"),
        ("year=3000", "year"),
    ],
)
def test_bad_arguments_are_a_400_naming_the_field(client, query, field):
    answer = client.get(f"/api/v1/actions?{query}")
    assert answer.status_code == 400
    error = answer.get_json()["error"]
    assert error["code"] == "bad_request"
    assert error["message"] == "Some values are not valid."
    assert list(error["fields"]) == [field]
    assert all(isinstance(message, str) for message in error["fields"][field])


def test_pagination_links_keep_the_other_arguments(app, client, make):
    for n in range(5):
        publish(app, make, country="BR", region="americas", title=f"Action {n}")
    publish(app, make, title="Elsewhere")
    first = client.get("/api/v1/actions?country=BR&per_page=2&lang=fr").get_json()
    assert (first["total"], first["page"], first["per_page"]) == (5, 1, 2)
    assert first["links"]["prev"] is None
    assert first["links"]["self"] == f"{BASE}/api/v1/actions?country=BR&per_page=2&lang=fr&page=1"
    assert first["links"]["next"] == f"{BASE}/api/v1/actions?country=BR&per_page=2&lang=fr&page=2"
    second = client.get(first["links"]["next"].removeprefix(BASE)).get_json()
    assert second["links"]["prev"].endswith("&page=1")
    last = client.get("/api/v1/actions?country=BR&per_page=2&page=3").get_json()
    assert len(last["items"]) == 1 and last["links"]["next"] is None
    titles = {item["title"]["text"] for page in (first, second, last) for item in page["items"]}
    assert titles == {f"Action {n}" for n in range(5)}
    past = client.get("/api/v1/actions?country=BR&per_page=2&page=9").get_json()
    assert past["items"] == [] and past["links"]["prev"].endswith("page=3")


def test_one_action_in_its_translation_or_original_language(app, client, make):
    action_id = publish(app, make, title="Welcome desk", results="Visits **doubled**.")
    add_translation(
        app,
        ActionTranslation,
        action_id=action_id,
        language="fr",
        title="Guichet",
        description="Un guichet.",
    )
    french = client.get(f"/api/v1/actions/{action_id}?lang=fr").get_json()
    assert french["title"] == {"text": "Guichet", "language": "fr"}
    assert french["description"] == {"text": "Un guichet.", "language": "fr"}
    assert french["results"] == {"text": "Visits **doubled**.", "language": "en"}
    spanish = client.get(f"/api/v1/actions/{action_id}", headers={"Accept-Language": "es"})
    assert spanish.get_json()["title"] == {"text": "Welcome desk", "language": "en"}
    assert spanish.get_json()["priorities"] == [3, 5]
    assert "budget" not in spanish.get_data(as_text=True)


@pytest.mark.parametrize("status", ["draft", "submitted"])
def test_unpublished_and_missing_actions_are_not_found(app, client, make, status):
    user, organisation = make.member()
    hidden = make_action(app, organisation, user, status)
    for address in (
        f"/api/v1/actions/{hidden}",
        "/api/v1/actions/999999",
        "/api/v1/actions/99999999999999",
    ):
        answer = client.get(address)
        assert answer.status_code == 404
        assert answer.get_json() == {
            "error": {"code": "not_found", "message": "Nothing was found at this address."}
        }


def test_actions_list_runs_the_same_queries_for_2_or_12_actions(app, client, make):
    for n in range(2):
        publish(app, make, title=f"Action {n}")
    with count_queries(app) as few:
        assert client.get("/api/v1/actions?lang=fr").status_code == 200
    for n in range(10):
        publish(app, make, title=f"More {n}")
    with count_queries(app) as many:
        assert len(client.get("/api/v1/actions?lang=fr").get_json()["items"]) == 12
    assert len(many) == len(few) <= 6


# --- Courses -------------------------------------------------------------------------------


def test_courses_with_their_syllabi(app, client):
    import_shipped(app)
    [course] = client.get("/api/v1/courses?lang=fr").get_json()["items"]
    assert course["slug"] == SLUG and course["url"] == f"{BASE}/courses/{SLUG}/"
    assert course["title"]["language"] == "fr"
    assert len(course["chapters"]) >= 3
    lesson = course["chapters"][0]["lessons"][0]
    assert set(lesson) == {"id", "slug", "title", "kind", "minutes", "preview"}
    assert lesson["title"]["language"] == "fr" and lesson["minutes"] > 0
    kinds = {lesson["kind"] for chapter in course["chapters"] for lesson in chapter["lessons"]}
    assert {"reading", "quiz"} <= kinds
    with count_queries(app) as queries:
        client.get("/api/v1/courses")
    assert len(queries) <= 6  # not one per chapter or lesson


# --- Events --------------------------------------------------------------------------------


def test_events_list_upcoming_or_past_never_drafts(app, client):
    soon = make_event(app, title="Soon")
    later = make_event(
        app,
        title="Later",
        starts_at=utcnow() + timedelta(days=30),
        ends_at=utcnow() + timedelta(days=31),
    )
    make_event(app, title="Draft", status="draft")
    cancelled = make_event(app, title="Cancelled", status="cancelled")
    past = make_event(
        app,
        title="Past",
        starts_at=utcnow() - timedelta(days=3),
        ends_at=utcnow() - timedelta(days=3, hours=-2),
    )
    upcoming = client.get("/api/v1/events").get_json()
    assert [e["id"] for e in upcoming["items"]] == [soon.id, cancelled.id, later.id]
    assert upcoming["items"][1]["status"] == "cancelled"
    assert upcoming["items"][0]["starts_at"].endswith("+00:00")
    assert "online_url" not in client.get("/api/v1/events").get_data(as_text=True)
    assert [e["id"] for e in client.get("/api/v1/events?when=past").get_json()["items"]] == [
        past.id
    ]


@pytest.mark.parametrize("query", ["kind=webinar", "priority=2", "language=ar"])
def test_event_filters(app, client, query):
    make_event(app, title="Other", languages=["en"])
    match = make_event(app, title="Match", kind="webinar", priorities=[2], languages=["ar"])
    assert [e["id"] for e in client.get(f"/api/v1/events?{query}").get_json()["items"]] == [
        match.id
    ]


@pytest.mark.parametrize(
    "query", ["when=tomorrow", "kind=party", "priority=x", "language=klingon", "page=zero"]
)
def test_bad_event_arguments_are_a_400(client, query):
    answer = client.get(f"/api/v1/events?{query}")
    assert answer.status_code == 400
    assert query.split("=")[0] in answer.get_json()["error"]["fields"]


def test_one_event_with_its_agenda_falls_back_to_its_language(app, client):
    event = make_event(app, title="Welcoming cities", summary="Cities share.", language="en")
    add_translation(
        app, EventTranslation, event_id=event.id, language="fr", title="Villes accueillantes"
    )
    with app.app_context():
        segment = AgendaSegment(
            event_id=event.id,
            kind="presentation",
            title="Opening",
            starts_at=event.starts_at,
            ends_at=event.ends_at,
        )
        segment.people = [SegmentPerson(role="speaker", name="Awa Diop", biography="Mayor.")]
        db.session.add(segment)
        db.session.commit()
    body = client.get(f"/api/v1/events/{event.id}?lang=fr").get_json()
    assert body["title"] == {"text": "Villes accueillantes", "language": "fr"}
    assert body["summary"] == {"text": "Cities share.", "language": "en"}
    [item] = body["agenda"]
    assert item["title"] == {"text": "Opening", "language": "en"}
    assert item["people"][0]["name"] == "Awa Diop"
    assert "online_url" not in body and "meet.example.org" not in str(body)


def test_draft_and_missing_events_are_not_found(app, client):
    draft = make_event(app, status="draft")
    for address in (f"/api/v1/events/{draft.id}", "/api/v1/events/424242"):
        answer = client.get(address)
        assert answer.status_code == 404
        assert answer.get_json()["error"]["code"] == "not_found"


def test_events_list_runs_the_same_queries_for_2_or_12_events(app, client):
    def add(n):
        for i in range(n):
            event = make_event(app, title=f"Event {i}", priorities=[1, 2])
            add_translation(
                app, EventTranslation, event_id=event.id, language="fr", title=f"Fr {i}"
            )

    add(2)
    with count_queries(app) as few:
        client.get("/api/v1/events?lang=fr")
    add(10)
    with count_queries(app) as many:
        assert len(client.get("/api/v1/events?lang=fr").get_json()["items"]) == 12
    assert len(many) == len(few) <= 6
