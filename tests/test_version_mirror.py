"""The content versions' copy in Redis: shared pages without a database query, never stale."""

import pytest

from cta_learning import content_versions, create_app, version_mirror
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.conftest import TEST_CONFIG
from tests.servers import free_port, start_redis


@pytest.fixture
def redis_url(tmp_path):
    process, url = start_redis(tmp_path)
    yield url + "/1"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def servers(app, redis_url):
    """Two applications on the test's database and one Redis, as two servers would be."""
    shared = {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": redis_url,
    }
    pair = [create_app(shared) for _ in range(2)]
    yield pair
    for each in pair:
        with each.app_context():
            db.engine.dispose()


@pytest.fixture
def database_reads(monkeypatch):
    """How many times the versions were read from the database."""
    reads = []
    original = content_versions.read_database

    def counted():
        reads.append(1)
        return original()

    monkeypatch.setattr(content_versions, "read_database", counted)
    return reads


def _on_a_database_server(app) -> bool:
    return app.config["CTA_BACKEND"] == "postgresql"


def test_a_warm_mirror_serves_shared_pages_without_reading_the_database(
    app, make, servers, database_reads
):
    user, organisation = make.member()
    make_action(app, organisation, user, "published", title="Mirrored desk")
    visitor = servers[0].test_client()
    for _ in range(3):
        assert "Mirrored desk" in visitor.get("/actions/").get_data(as_text=True)
    if _on_a_database_server(app):
        assert len(database_reads) == 1  # the first request, which wrote the mirror
    else:  # on SQLite the table costs less than Redis: no mirror
        assert len(database_reads) == 3
        assert "cta_version_mirror" not in servers[0].extensions


def test_a_change_through_one_server_shows_on_the_other_at_the_next_request(app, make, servers):
    user, organisation = make.member()
    make_action(app, organisation, user, "published")
    first, second = (server.test_client() for server in servers)
    assert "1 action" in second.get("/actions/").get_data(as_text=True)
    make_action(servers[0], organisation, user, "published")  # through the first server
    assert "2 actions" in second.get("/actions/").get_data(as_text=True)
    assert "2 actions" in first.get("/actions/").get_data(as_text=True)


def test_an_older_number_never_replaces_a_newer_one(app, servers):
    with servers[0].app_context():
        if not _on_a_database_server(app):  # no mirror: the database answers every time
            version_mirror.offer({"events": 5})
            assert not version_mirror.active() and version_mirror.read(("events",)) is None
            return
        version_mirror.offer({"events": 5})
        version_mirror.offer({"events": 3})  # read from the database just before a change
        assert version_mirror.read(("events",)) == {"events": 5}
        version_mirror.offer({"events": 6})
        assert version_mirror.read(("events", "never")) is None  # one missing: the database
        version_mirror.offer({}, ("never",))
        assert version_mirror.read(("events", "never")) == {"events": 6, "never": 0}


def test_versions_come_from_the_database_while_redis_is_down(app, make, database_reads):
    user, organisation = make.member()
    make_action(app, organisation, user, "published", title="Still right")
    settings = {
        **TEST_CONFIG,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/1",
    }
    down = create_app(settings)
    try:
        visitor = down.test_client()
        for _ in range(2):
            page = visitor.get("/actions/")
            assert page.status_code == 200 and "Still right" in page.get_data(as_text=True)
        assert len(database_reads) == 2
    finally:
        with down.app_context():
            db.engine.dispose()
