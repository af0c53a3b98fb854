"""Signed, expiring tokens for links sent by email."""

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer


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


def fingerprint(value: str) -> str:
    """A short digest that changes when `value` changes (makes a token single-use)."""
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def new_random_token() -> tuple[str, str]:
    """A random token for a link and the hash kept in the database."""
    token = secrets.token_urlsafe(32)
    return token, hash_random_token(token)


def hash_random_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
