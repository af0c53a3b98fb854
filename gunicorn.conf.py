"""Gunicorn settings (read by `make serve`, and by gunicorn itself when started from here).

The app is loaded once, in the master, before the workers fork (`preload_app`): they share
its code and data pages instead of each holding a copy (lower PSS), and a broken setting
stops the start at once. Nothing opened before the fork may be used by two workers: the
start-up check closes its database connection, `post_fork` discards any left in the pool,
Redis clients connect lazily (and redis-py reconnects in a forked child), and gunicorn
reseeds `random` in each worker.

Rate limits (log-in, sign-up, reset, webhook) are counted in CTA_RATELIMIT_STORAGE_URI. The
default, `memory://`, is private to one process: several workers would each count on their
own and let through several times the limit. So without shared storage (Redis) the site runs
ONE worker with threads, and refuses to start several; with Redis it runs several workers.
"""

import gc
import multiprocessing
import os
import sys

STORAGE = os.environ.get("CTA_RATELIMIT_STORAGE_URI", "memory://")
LIMITS_ON = os.environ.get("CTA_RATELIMIT_ENABLED", "true").lower() not in ("false", "0")
SHARED = STORAGE.split(":", 1)[0] != "memory"

wsgi_app = "cta_learning.wsgi:app"
preload_app = True
worker_class = "gthread"
threads = int(os.environ.get("CTA_THREADS", "8"))
workers = int(
    os.environ.get("CTA_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9) if SHARED else 1)
)


def on_starting(server) -> None:
    """Refuse several workers that would each keep their own rate-limit counters."""
    if server.cfg.workers > 1 and LIMITS_ON and not SHARED:
        sys.exit(
            f"Refusing to start {server.cfg.workers} workers with CTA_RATELIMIT_STORAGE_URI="
            f"{STORAGE}: each worker would count rate limits on its own. Run one worker "
            "(threads serve concurrent requests), or set "
            "CTA_RATELIMIT_STORAGE_URI=redis://host:6379 so that every worker shares the counts."
        )


def pre_fork(server, worker) -> None:
    """Keep the loaded app's objects out of the collector's reach, so that collecting in a
    worker does not write to (and so copy) the pages it shares with the master."""
    gc.freeze()


def post_fork(server, worker) -> None:
    """Give each worker its own database connections: none may cross the fork."""
    wsgi = sys.modules.get("cta_learning.wsgi")
    if wsgi is None:  # not preloaded: the worker builds the app itself, after the fork
        return
    from cta_learning.extensions import db

    with wsgi.app.app_context():
        for engine in db.engines.values():
            # close=False: the connections belong to the master; the worker only forgets them.
            engine.dispose(close=False)
