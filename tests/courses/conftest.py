"""Fixtures shared by the course tests: the shipped course imported, and an enrolled learner."""

import pytest

from tests.courses.helpers import SLUG, import_shipped, unlock


@pytest.fixture
def course(app):
    return import_shipped(app)


@pytest.fixture
def learner(app, make, auth, course):
    """A signed-in member of an unlocked city, enrolled."""
    user, organisation = make.member(name="Awa Diop", email="awa@dakar.example.org")
    unlock(app, organisation)
    auth.login(user.email)
    assert auth.client.post(f"/courses/{SLUG}/enrol").status_code == 302
    return user
