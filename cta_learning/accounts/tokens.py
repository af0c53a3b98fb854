"""Signed, expiring tokens for links sent by email."""

import hashlib
import hmac
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from cta_learning.accounts.models import User
from cta_learning.extensions import db


def _serializer(purpose: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=f"cta-{purpose}")


def make_token(purpose: str, payload: dict) -> str:
    return _serializer(purpose).dumps(payload)


def read_token(purpose: str, token: str, max_age: int) -> dict | None:
    """The payload of a valid, unexpired token for this purpose, else None."""
    if not token or len(token) > 1000:
        return None
    try:
        payload = _serializer(purpose).loads(token, max_age=max_age)
    except BadSignature:  # also covers SignatureExpired
        return None
    return payload if isinstance(payload, dict) else None


def _account_state(purpose: str, user: User, extra: dict) -> str:
    """A keyed digest of what an account link was issued for: the address, the password hash,
    whether the address is confirmed, and the link's own data (e.g. the new address)."""
    parts = [purpose, str(user.id), user.email, user.password_hash]
    parts.append("confirmed" if user.email_confirmed_at else "unconfirmed")
    parts += [f"{key}={value}" for key, value in sorted(extra.items())]
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, "\x00".join(parts).encode(), hashlib.sha256).hexdigest()[:32]


def make_bound_token(purpose: str, user: User, **extra: str) -> str:
    """A link token that stops working once the account's address, password or confirmation
    changes: using it for its purpose changes one of them, so it also works only once."""
    return make_token(
        purpose, {**extra, "uid": user.id, "fp": _account_state(purpose, user, extra)}
    )


def read_bound_token(purpose: str, token: str, max_age: int) -> tuple[User, dict] | None:
    """The active user and extra data of a valid token whose account state is unchanged."""
    payload = read_token(purpose, token, max_age)
    if not payload:
        return None
    user_id, state = payload.pop("uid", None), payload.pop("fp", None)
    if type(user_id) is not int or not isinstance(state, str):
        return None
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(state, _account_state(purpose, user, payload)):
        return None
    return user, payload


def fingerprint(value: str) -> str:
    """A short digest that changes when `value` changes (makes a token single-use)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def new_random_token() -> tuple[str, str]:
    """A random token for a link and the hash kept in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_random_token(token)


def hash_random_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
