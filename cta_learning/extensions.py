"""Extension objects, bound to the application in create_app()."""

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import request
from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _client_address() -> str:
    """The caller's address; behind a proxy, ProxyFix (CTA_PROXY_COUNT) has already set it."""
    return get_remote_address() or request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)

# Models derive from Model, which is db.Model. mypy cannot take an attribute as a base class
# (python/mypy#8603), so to it they derive from Base, which db.Model extends at run time.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
limiter = Limiter(key_func=_client_address, default_limits=[])
# Redis when CTA_REDIS_URL is set, else a SimpleCache per process (see create_app).
cache = Cache()


def cache_get(key: str) -> Any:
    """The cached value, or None: a cache that fails (Redis unreachable) only costs the work."""
    try:
        return cache.get(key)
    except Exception:
        logging.getLogger(__name__).warning("cache unavailable for %s", key, exc_info=True)
        return None


def cache_set(key: str, value: Any) -> None:
    """Keep a value; a cache that fails keeps nothing, and says so in the log."""
    try:
        cache.set(key, value)
    except Exception:
        logging.getLogger(__name__).warning("cache unavailable for %s", key, exc_info=True)


def cache_get_or_make(key: str, make: Callable[[], Any]) -> Any:
    """The cached value, else `make()`'s, kept for the next time (None is never kept)."""
    found = cache_get(key)
    if found is None:
        found = make()
        cache_set(key, found)
    return found
