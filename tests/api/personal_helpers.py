"""Arranging personal API tests: tokens made directly, and their Authorization header."""

from cta_learning.accounts.models import User
from cta_learning.api import tokens
from cta_learning.extensions import db

ALL_SCOPES = ("read", "registrations")


def make_token(app, user, scopes=ALL_SCOPES, name="Reporting script") -> str:
    """A live token of `user` (committed); returns its secret."""
    with app.app_context():
        _token, secret = tokens.create_token(db.session.get(User, user.id), name, list(scopes))
        db.session.commit()
        return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def api_error(response) -> dict:
    """The error of an API answer, checked to have the API's one shape."""
    assert response.mimetype == "application/json", response.data
    error = response.get_json()["error"]
    assert set(error) <= {"code", "message", "fields"} and error["message"]
    return error
