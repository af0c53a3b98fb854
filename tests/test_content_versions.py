"""Content versions: bumped with each change the repository shows; its count cached per version."""

from cta_learning import create_app
from cta_learning.accounts.models import Organisation, User
from cta_learning.actions import operations
from cta_learning.actions.models import Action
from cta_learning.actions.versions import REPOSITORY
from cta_learning.content_versions import bump, current
from cta_learning.extensions import db
from cta_learning.pagination import MAX_PAGE, Page
from tests.actions.helpers import make_action
from tests.conftest import TEST_CONFIG, count_queries
from tests.servers import start_redis


def version(app) -> int:
    with app.app_context():
        return current(REPOSITORY)


def count_statements(queries: list[str]) -> list[str]:
    return [query for query in queries if "count(" in query.lower()]


def test_bump_creates_then_increments_in_the_transaction(app):
    with app.app_context():
        assert current("other") == 0
        bump("other")
        bump("other")
        db.session.rollback()  # not committed: nothing happened
        assert current("other") == 0
        bump("other")
        bump("other")
        db.session.commit()
        assert current("other") == 2
        assert current(REPOSITORY) == 0


def test_publish_reject_translate_and_organisation_changes_bump_the_repository(app, make):
    user, organisation = make.member()
    draft = make_action(app, organisation, user, "submitted")
    assert version(app) == 0  # drafts and submissions are not on the repository
    with app.app_context():
        action = db.session.get(Action, draft)
        operations.publish(action, db.session.get(User, user.id))
        db.session.commit()
    assert version(app) == 1
    with app.app_context():
        action = db.session.get(Action, draft)
        admin = db.session.get(User, user.id)
        operations.set_translation(action, "fr", "Bureau", "Un bureau.", admin)
        db.session.commit()
    assert version(app) == 2
    with app.app_context():
        db.session.get(Organisation, organisation.id).population = 5  # not shown: no bump
        db.session.commit()
        assert current(REPOSITORY) == 2
        db.session.get(Organisation, organisation.id).name = "Renamed city"
        db.session.commit()
        assert current(REPOSITORY) == 3
        action = db.session.get(Action, draft)
        operations.reject(action, "Not an action.", db.session.get(User, user.id))
        db.session.commit()
        assert current(REPOSITORY) == 4


def test_the_count_is_cached_until_a_change_shows(app, client, auth, make):
    user, organisation = make.member()
    first = make_action(app, organisation, user, "published")
    auth.login(user.email)  # a signed-in person's page is rendered each time; the count is not
    with count_queries(app) as cold:
        assert "1 action" in client.get("/actions/?region=africa").get_data(as_text=True)
        assert "1 action" in client.get("/actions/").get_data(as_text=True)
    with count_queries(app) as warm:
        assert "1 action" in client.get("/actions/?region=africa").get_data(as_text=True)
        assert "1 action" in client.get("/actions/").get_data(as_text=True)
    assert len(count_statements(cold)) == 2 and count_statements(warm) == []
    assert len(warm) == len(cold) - 2

    make_action(app, organisation, user, "published")  # operations.publish, committed
    assert "2 actions" in client.get("/actions/").get_data(as_text=True)
    with app.app_context():
        action = db.session.get(Action, first)
        operations.reject(action, "Not an action.", db.session.get(User, user.id))
        db.session.commit()
    assert "1 action" in client.get("/actions/").get_data(as_text=True)


def test_two_applications_each_with_its_own_cache_see_a_change_at_the_next_request(app, make):
    other = create_app(
        {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    )
    try:
        user, organisation = make.member()
        make_action(app, organisation, user, "published")
        clients = (app.test_client(), other.test_client())
        for client in clients:  # both cache "1 action"
            assert "1 action" in client.get("/actions/").get_data(as_text=True)
        make_action(app, organisation, user, "published")
        for client in clients:
            assert "2 actions" in client.get("/actions/").get_data(as_text=True)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()


def test_pages_stop_at_the_cap(client):
    page = Page([], total=MAX_PAGE * 20 + 1_000, page=MAX_PAGE, per_page=20)
    assert page.pages == MAX_PAGE and not page.has_next
    assert client.get(f"/actions/?page={MAX_PAGE + 1}").status_code == 404


def test_with_redis_two_applications_share_the_count(app, make, tmp_path):
    process, url = start_redis(tmp_path)
    shared = {**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]}
    first, second = (create_app({**shared, "REDIS_URL": url}) for _ in range(2))
    try:
        user, organisation = make.member()
        make_action(app, organisation, user, "published")
        assert "1 action" in first.test_client().get("/actions/").get_data(as_text=True)
        with count_queries(second) as queries:  # counted by the first application
            html = second.test_client().get("/actions/").get_data(as_text=True)
        assert "1 action" in html and count_statements(queries) == []
        make_action(first, organisation, user, "published")  # as every process: with Redis
        for application in (first, second):
            html = application.test_client().get("/actions/").get_data(as_text=True)
            assert "2 actions" in html
    finally:
        for application in (first, second):
            with application.app_context():
                db.session.remove()
                db.engine.dispose()
        process.terminate()
        process.wait(timeout=10)
