"""A copy of the content versions in Redis, so that a shared page costs no database query.

The database stays the truth: each version is bumped in the transaction of the change
(`content_versions`). Once that transaction is committed, the new numbers are written here,
before the response that follows the change leaves; every server reads them here at its next
request. Versions only grow, so every write keeps the greatest number (a server that read the
database just before a change can never put an older number back). A number not found here
(Redis restarted, or the copy expired) is read from the database and written back. A copy
lasts MIRROR_SECONDS after its last increase, so a write lost while Redis was unreachable heals
within that time.

Used with Redis (`CTA_REDIS_URL`) and a database server: on SQLite, reading the table in the
same process costs less than asking Redis. If Redis fails, versions are read from the database.
"""

import logging

from flask import current_app

log = logging.getLogger(__name__)

MIRROR_SECONDS = 60
PREFIX = "cta:version:"
# Set the key to ARGV[1] (for ARGV[2] seconds) when it is missing or holds a smaller number.
# An equal or greater number is left as it is, with its lifetime: a copy lives MIRROR_SECONDS
# after its last increase, so even numbers left too high (a database restored from a backup)
# give way to the database's within that time.
_KEEP_GREATEST = """
local current = tonumber(redis.call('GET', KEYS[1]))
local offered = tonumber(ARGV[1])
if current == nil or offered > current then
  redis.call('SET', KEYS[1], offered, 'EX', ARGV[2])
  return offered
end
return current
"""


def active() -> bool:
    """Whether versions are mirrored: Redis configured and a database server."""
    return bool(current_app.config["REDIS_URL"]) and not current_app.config[
        "SQLALCHEMY_DATABASE_URI"
    ].startswith("sqlite")


def _client():
    """One Redis client per process, made at first use (after gunicorn forks its workers)."""
    client = current_app.extensions.get("cta_version_mirror")
    if client is None:
        import redis  # only where versions are mirrored

        client = redis.Redis.from_url(
            current_app.config["REDIS_URL"], socket_timeout=1, socket_connect_timeout=1
        )
        current_app.extensions["cta_version_mirror"] = client
    return client


def read(names: tuple[str, ...]) -> dict[str, int] | None:
    """The versions of `names` from Redis; None when one is missing or Redis fails."""
    if not active():
        return None
    try:
        values = _client().mget([PREFIX + name for name in names])
    except Exception:  # Redis unreachable: the database answers
        log.warning("content versions: Redis unavailable, read from the database", exc_info=True)
        return None
    if any(value is None for value in values):
        return None
    return {name: int(value) for name, value in zip(names, values, strict=True)}


def offer(versions: dict[str, int], names: tuple[str, ...] = ()) -> None:
    """Write the versions read from the database, keeping any greater number already there.
    Names not in the table yet (never bumped) are written as 0."""
    if not active():
        return
    everything = {**dict.fromkeys(names, 0), **versions}
    try:
        client = _client()
        pipeline = client.pipeline(transaction=False)
        for name, version in everything.items():
            pipeline.eval(_KEEP_GREATEST, 1, PREFIX + name, version, MIRROR_SECONDS)
        pipeline.execute()
    except Exception:  # the copy heals within MIRROR_SECONDS; the database is the truth
        log.warning("content versions: Redis unavailable, not mirrored", exc_info=True)
