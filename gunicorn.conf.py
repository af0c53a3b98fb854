"""Gunicorn settings (read by `make serve`, and by gunicorn itself when started from here).

Rate limits (log-in, sign-up, reset, webhook) are counted in CTA_RATELIMIT_STORAGE_URI. The
default, `memory://`, is private to one process: several workers would each count on their
own and let through several times the limit. So without shared storage (Redis) the site runs
ONE worker with threads, and refuses to start several; with Redis it runs several workers.
"""

import multiprocessing
import os
import sys

STORAGE = os.environ.get("CTA_RATELIMIT_STORAGE_URI", "memory://")
LIMITS_ON = os.environ.get("CTA_RATELIMIT_ENABLED", "true").lower() not in ("false", "0")
SHARED = STORAGE.split(":", 1)[0] != "memory"

wsgi_app = "cta_learning.wsgi:app"
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
