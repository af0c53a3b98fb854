"""One JSON line per request on the `cta_learning.requests` logger, when CTA_REQUEST_LOG=json.

Each line holds: time (ISO 8601 UTC, when the request arrived), method, path (never the
query string, and a `token` URL argument masked as "…"), endpoint, status, duration_ms,
size (bytes), user (id or null), client (after ProxyFix), request_id (nginx's X-Request-Id,
else a new one; sent back in the X-Request-Id response header). A request that ends in an
exception is logged too, as a 500. Every other log record goes through the same formatter,
so production's stderr holds JSON lines only (`jq` reads them; see the README).

The line is written at teardown, once the final status is known: the after-request hook only
notes the status and size, so the edges' commit and every other hook are counted.
"""

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Request, Response, g, has_request_context, request
from sqlalchemy import inspect

REQUEST_LOGGER = "cta_learning.requests"
log = logging.getLogger(REQUEST_LOGGER)

MASK = "…"
SECRET_ARGUMENTS = ("token",)
# What is trusted from nginx's X-Request-Id ($request_id: 32 hexadecimal digits); anything
# else is replaced, so a client cannot write arbitrary text into the logs.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
_ARGUMENT = re.compile(r"<(?:[^<>:]+:)?([^<>]+)>")


class JsonFormatter(logging.Formatter):
    """Every record as one JSON object on one line: a request's fields, or the usual ones."""

    def format(self, record: logging.LogRecord) -> str:
        fields = getattr(record, "request_fields", None)
        if fields is None:
            fields = self._record_fields(record)
        return json.dumps(fields, ensure_ascii=False, separators=(",", ":"), default=str)

    def _record_fields(self, record: logging.LogRecord) -> dict[str, Any]:
        message = record.getMessage()
        fields: dict[str, Any] = {
            "time": _iso_utc(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
        }
        entry = g.get("request_log") if has_request_context() else None
        if entry is not None:
            fields["request_id"] = entry.request_id
            # Messages such as "unexpected error on GET /password/reset/<token>" name the path.
            masked = logged_path(request)
            if masked != request.path:
                fields["message"] = message.replace(request.path, masked)
        if record.exc_info:
            fields["exception"] = self.formatException(record.exc_info)
        return fields


class StderrHandler(logging.StreamHandler):
    """Writes to the sys.stderr of the moment, as logging's last resort does (tests swap it)."""

    def __init__(self) -> None:
        logging.Handler.__init__(self)

    @property
    def stream(self):
        return sys.stderr


def _iso_utc(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="milliseconds")
    return moment.removesuffix("+00:00") + "Z"


def logged_path(current: Request) -> str:
    """The request's path without query string, its secret URL arguments masked."""
    rule, arguments = current.url_rule, current.view_args
    if rule is None or not arguments or not any(name in arguments for name in SECRET_ARGUMENTS):
        return current.path

    def value(match: re.Match) -> str:
        name = match.group(1)
        return MASK if name in SECRET_ARGUMENTS else str(arguments.get(name, ""))

    return _ARGUMENT.sub(value, rule.rule)


def _user_id(user: object) -> int | None:
    # Only a person already loaded by the request: loading one here would cost a query, and
    # reading `user.id` after the commit would reload the expired row. The identity map
    # knows the key without either.
    state = inspect(user, raiseerr=False) if user is not None else None
    if state is None or state.identity is None:
        return None
    return state.identity[0]


class _Entry:
    """What the hooks note during a request (one object: each `g.x` costs a proxy lookup)."""

    __slots__ = ("request_id", "size", "started", "status", "time")

    def __init__(self, request_id: str) -> None:
        self.started, self.time = time.perf_counter(), time.time()
        self.request_id = request_id
        self.status: int = 500  # until a response is made
        self.size: int | None = None


def _start() -> None:
    sent = request.headers.get("X-Request-Id", "")
    g.request_log = _Entry(sent if _REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex)


def _note_response(response: Response) -> Response:
    entry = g.request_log
    entry.status, entry.size = response.status_code, response.content_length
    response.headers["X-Request-Id"] = entry.request_id
    return response


def _write(error: BaseException | None) -> None:
    context = g._get_current_object()
    entry = getattr(context, "request_log", None)
    if entry is None:  # a failure before the first hook
        return
    current = request._get_current_object()  # type: ignore[attr-defined]
    fields = {
        "time": _iso_utc(entry.time),
        "method": current.method,
        "path": logged_path(current),
        "endpoint": current.endpoint,
        "status": 500 if error is not None else entry.status,
        "duration_ms": round((time.perf_counter() - entry.started) * 1000, 1),
        "size": entry.size,
        "user": _user_id(getattr(context, "_login_user", None)),
        "client": current.remote_addr,
        "request_id": entry.request_id,
    }
    log.info("request", extra={"request_fields": fields})


def init_app(app: Flask) -> None:
    """Log every request when CTA_REQUEST_LOG=json; register before the edges, so the status
    noted is the final one (after-request hooks run in reverse order)."""
    if app.config["REQUEST_LOG"] != "json":
        return
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_note_response)
    app.teardown_request(_write)
