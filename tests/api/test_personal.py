"""The personal API: one's account, organisation, courses and registrations, and registering
for events and cancelling, with a token or the session; never anyone else's data."""

from datetime import timedelta

import pytest

from cta_learning.community.events.models import Registration
from cta_learning.courses.models import (
    Certificate,
    Chapter,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.api.personal_helpers import api_error, bearer, make_token
from tests.community.events.helpers import make_event
from tests.conftest import count, fetch
from tests.courses.helpers import unlock
from tests.hostile import nothing_changes


@pytest.fixture
def caller(app, make):
    """A member of an organisation (not yet unlocked) and an API client with their token."""
    user, organisation = make.member(name="Amina Diallo", locale="fr", timezone="Africa/Dakar")
    client = app.test_client()
    secret = make_token(app, user)

    class Caller:
        def get(self, path, **kw):
            return client.get(path, headers=bearer(secret), **kw)

        def post(self, path, **kw):
            return client.post(path, headers=bearer(secret), **kw)

        def delete(self, path, **kw):
            return client.delete(path, headers=bearer(secret), **kw)

    found = Caller()
    found.user, found.organisation = user, organisation
    return found


def test_me_is_the_token_s_owner_and_the_session_s_person(app, client, auth, caller):
    answer = caller.get("/api/v1/me").get_json()
    assert answer == {
        "id": caller.user.id,
        "name": "Amina Diallo",
        "email": caller.user.email,
        "language": "fr",
        "time_zone": "Africa/Dakar",
        "role": "member",
    }
    other = auth.login_as(name="Someone Else")
    assert client.get("/api/v1/me").get_json()["name"] == "Someone Else"
    assert client.get("/api/v1/me").get_json()["id"] == other.id


def test_my_organisation_shows_its_benefits_and_the_action_that_opened_them(app, caller, make):
    closed = caller.get("/api/v1/me/organisation").get_json()
    assert closed["name"] == caller.organisation.name and closed["role"] == "owner"
    assert closed["unlocked_at"] is None and closed["grants"] == []
    assert {b["benefit"] for b in closed["benefits"] if b["open"]} == set()
    action_id = make_action(app, caller.organisation, caller.user, status="submitted")
    opened = caller.get("/api/v1/me/organisation").get_json()
    assert opened["unlocked_at"] is not None
    assert all(b["open"] and b["since"] == opened["unlocked_at"] for b in opened["benefits"])
    assert [b["benefit"] for b in opened["benefits"]] == [
        "mooc",
        "member_events",
        "mailing_list",
        "cities_fund_news",
        "mgi_interest",
    ]
    (grant,) = opened["grants"]
    assert grant["manual"] is False and grant["action"]["id"] == action_id
    assert grant["action"]["status"] == "submitted" and grant["action"]["url"] is None
    # Another organisation's member sees only theirs.
    other, other_organisation = make.member()
    theirs = make_token(app, other)
    seen = app.test_client().get("/api/v1/me/organisation", headers=bearer(theirs)).get_json()
    assert seen["id"] == other_organisation.id and seen["grants"] == []


def test_without_an_organisation_my_organisation_is_404(app, client, make):
    loner = make.user()
    response = client.get("/api/v1/me/organisation", headers=bearer(make_token(app, loner)))
    assert response.status_code == 404
    assert api_error(response) == {
        "code": "not_found",
        "message": "You do not belong to an organisation.",
    }


def _course(app, slug, lessons=2):
    with app.app_context():
        course = Course(
            slug=slug,
            languages=["en", "fr"],
            title={"en": f"Course {slug}", "fr": f"Cours {slug}"},
            summary={"en": "…"},
        )
        chapter = Chapter(course=course, slug="one", title={"en": "One"}, summary={"en": "…"})
        db.session.add_all([course, chapter])
        db.session.flush()
        ids = []
        for number in range(lessons):
            lesson = Lesson(
                course_id=course.id,
                chapter_id=chapter.id,
                slug=f"lesson-{number}",
                position=number,
                kind="reading",
                titles={"en": f"Lesson {number}"},
                content={},
            )
            db.session.add(lesson)
            db.session.flush()
            ids.append(lesson.id)
        db.session.commit()
        return course.id, ids


def _enrol(app, user, course_id, lesson_ids, done, certificate_code=None):
    with app.app_context():
        enrolment = Enrolment(user_id=user.id, course_id=course_id)
        db.session.add(enrolment)
        db.session.flush()
        for lesson_id in lesson_ids[:done]:
            db.session.add(
                LessonProgress(
                    enrolment_id=enrolment.id, lesson_id=lesson_id, completed_at=utcnow()
                )
            )
        if certificate_code:
            enrolment.completed_at = utcnow()
            db.session.add(
                Certificate(
                    code=certificate_code,
                    enrolment_id=enrolment.id,
                    course_id=course_id,
                    name=user.name,
                )
            )
        db.session.commit()


def test_my_courses_give_progress_and_the_certificate_to_check(app, caller, make):
    started, started_lessons = _course(app, "started", lessons=4)
    finished, finished_lessons = _course(app, "finished", lessons=2)
    _enrol(app, caller.user, started, started_lessons, done=1)
    _enrol(app, caller.user, finished, finished_lessons, done=2, certificate_code="ABCD-EFGH-JKLM")
    _enrol(app, make.user(), started, started_lessons, done=3)  # someone else's
    items = caller.get("/api/v1/me/courses?lang=fr").get_json()["items"]
    by_slug = {item["course"]["slug"]: item for item in items}
    assert set(by_slug) == {"started", "finished"}
    assert by_slug["started"]["progress"] == {"done": 1, "total": 4, "percent": 25}
    assert by_slug["started"]["certificate"] is None
    assert by_slug["started"]["course"]["title"] == {"text": "Cours started", "language": "fr"}
    assert by_slug["finished"]["progress"] == {"done": 2, "total": 2, "percent": 100}
    assert by_slug["finished"]["certificate"]["code"] == "ABCD-EFGH-JKLM"
    check = by_slug["finished"]["certificate"]["check_url"]
    assert check == "https://learning.example.org/certificates/ABCD-EFGH-JKLM"
    assert app.test_client().get("/certificates/ABCD-EFGH-JKLM").status_code == 200


def test_my_registrations_are_mine_only(app, caller, make):
    upcoming, past = (
        make_event(app),
        make_event(
            app,
            starts_at=utcnow() - timedelta(days=3),
            ends_at=utcnow() - timedelta(days=3, hours=-2),
        ),
    )
    caller.post(f"/api/v1/events/{upcoming.id}/registration?language=fr")
    someone = make.user()
    with app.app_context():
        for user, event in ((caller.user, past), (someone, upcoming)):
            db.session.add(
                Registration(
                    event_id=event.id,
                    user_id=user.id,
                    status="confirmed",
                    registered_at=utcnow(),
                    queued_at=utcnow(),
                )
            )
        db.session.commit()
    page = caller.get("/api/v1/me/registrations").get_json()
    assert page["total"] == 2 and page["links"]["next"] is None
    assert [item["event"]["id"] for item in page["items"]] == [upcoming.id, past.id]
    first = page["items"][0]
    assert (first["status"], first["language"]) == ("confirmed", "fr")
    assert first["event"]["title"]["text"] == "Inclusive recovery: a peer exchange"
    assert first["event"]["starts_at"].endswith("+00:00")
    only_past = caller.get("/api/v1/me/registrations?when=past").get_json()["items"]
    assert [item["event"]["id"] for item in only_past] == [past.id]
    refused = caller.get("/api/v1/me/registrations?page=zero")
    assert refused.status_code == 400 and "page" in api_error(refused)["fields"]


def test_registering_takes_a_place_then_the_waiting_list_and_cancelling_passes_it_on(
    app, caller, make
):
    event = make_event(app, capacity=1)
    path = f"/api/v1/events/{event.id}/registration"
    first = caller.post(path)
    assert first.status_code == 200
    assert first.get_json()["status"] == "confirmed"
    assert first.get_json()["message"].startswith("You are registered.")
    with nothing_changes(app):  # registering twice changes nothing
        assert caller.post(path).get_json()["status"] == "confirmed"
    other = make.user()
    waiting = app.test_client().post(path, headers=bearer(make_token(app, other)))
    assert waiting.get_json()["status"] == "waiting"
    assert waiting.get_json()["waiting_position"] == 1
    assert "waiting list" in waiting.get_json()["message"]
    cancelled = caller.delete(path)
    assert cancelled.status_code == 200
    assert cancelled.get_json()["status"] == "cancelled"
    assert fetch(app, Registration, user_id=other.id).status == "confirmed"  # promoted
    with nothing_changes(app):
        assert caller.delete(path).get_json()["status"] == "cancelled"  # twice: the same


def test_registration_follows_the_page_s_rules(app, caller, make):
    members_only = make_event(app, audience="members")
    closed = make_event(app, registration_deadline=utcnow() - timedelta(minutes=1))
    cancelled = make_event(app, status="cancelled")
    draft = make_event(app, status="draft", published_at=None)
    with nothing_changes(app):
        refused = caller.post(f"/api/v1/events/{members_only.id}/registration?lang=en")
        assert refused.status_code == 403
        assert "Submit an action to join it." in api_error(refused)["message"]
        late = caller.post(f"/api/v1/events/{closed.id}/registration?lang=en")
        assert late.status_code == 409
        assert api_error(late)["message"] == "Registration for this event has closed."
        assert caller.post(f"/api/v1/events/{cancelled.id}/registration").status_code == 409
        for path in (f"/api/v1/events/{draft.id}", "/api/v1/events/999999"):
            for answer in (
                caller.post(path + "/registration"),
                caller.delete(path + "/registration"),
            ):
                assert answer.status_code == 404  # a draft is not there, as on the pages
        wrong = caller.post(f"/api/v1/events/{members_only.id}/registration?language=xx")
        assert wrong.status_code == 400 and "language" in api_error(wrong)["fields"]
        not_registered = caller.delete(f"/api/v1/events/{members_only.id}/registration?lang=en")
        assert not_registered.status_code == 404
        assert api_error(not_registered)["message"] == "You are not registered for this event."
    unlock(app, caller.organisation)
    assert caller.post(f"/api/v1/events/{members_only.id}/registration").status_code == 200


def test_cancelling_never_touches_someone_else_s_registration(app, caller, make):
    event = make_event(app)
    other = make.user()
    app.test_client().post(
        f"/api/v1/events/{event.id}/registration", headers=bearer(make_token(app, other))
    )
    with nothing_changes(app):
        assert caller.delete(f"/api/v1/events/{event.id}/registration").status_code == 404
    assert fetch(app, Registration, user_id=other.id).status == "confirmed"
    assert count(app, Registration) == 1


def test_the_openapi_document_declares_the_personal_operations_secured(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path, method in [
        ("/api/v1/me", "get"),
        ("/api/v1/me/organisation", "get"),
        ("/api/v1/me/courses", "get"),
        ("/api/v1/me/registrations", "get"),
        ("/api/v1/events/{event_id}/registration", "post"),
        ("/api/v1/events/{event_id}/registration", "delete"),
    ]:
        operation = paths[path][method]
        assert operation["security"] == [{"token": []}, {"session": []}]
        assert "401" in operation["responses"]
