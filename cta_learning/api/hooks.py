"""Webhooks: the Call's submission site tells this platform that an action was submitted.

Each request is signed: X-CTA-Timestamp (unix seconds) and X-CTA-Signature, "sha256=" and the
hex HMAC-SHA256 of "<timestamp>.<raw body>" with CTA_WEBHOOK_SECRET. Requests more than five
minutes old (or ahead) are refused; a replay inside that window changes nothing, because a
repeated action external id answers 200 with the action already recorded.
"""

import hashlib
import hmac
import json
import logging
import time
from decimal import Decimal

from flask import Blueprint, current_app, request
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from cta_learning import access
from cta_learning.api import operations
from cta_learning.api.schemas import ActionSubmittedSchema
from cta_learning.extensions import csrf, limiter
from cta_learning.refusals import Refused

log = logging.getLogger(__name__)

bp = Blueprint("api_hooks", __name__, url_prefix="/api/v1/hooks")
csrf.exempt(bp)  # callers prove who they are with the signature, not a session

MAX_BODY = 64 * 1024
MAX_CLOCK_SKEW = 300  # seconds, either way


# The webhook's answers keep the shape its callers were given, {"error": ..., "details": {...}},
# rather than the API's {"error": {"code", "message"}}; the edge still rolls back (status >= 400).
@bp.errorhandler(Refused)
def _refused(refusal: Refused):
    return {"error": str(refusal.message), "details": refusal.details}, refusal.status


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException):  # e.g. 429 from the rate limit, in the same shape
    return {"error": error.name, "details": {}}, error.code or 500


def _signature_problem(secret: str, body: bytes) -> str | None:
    """Why the request's signature is refused, or None when it is valid and fresh."""
    timestamp = request.headers.get("X-CTA-Timestamp", "")
    signature = request.headers.get("X-CTA-Signature", "")
    if not timestamp or not signature:
        return "missing X-CTA-Timestamp or X-CTA-Signature header"
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return "X-CTA-Timestamp must be unix seconds"
    if abs(time.time() - int(timestamp)) > MAX_CLOCK_SKEW:
        return "timestamp too old or too far ahead"
    expected = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    given = signature.encode("utf-8", "replace")
    if not hmac.compare_digest(b"sha256=" + expected.hexdigest().encode(), given):
        return "bad signature"
    return None


def _signed_body() -> bytes:
    """The raw body of a signed JSON request of at most MAX_BODY bytes, or Refused."""
    secret = current_app.config.get("WEBHOOK_SECRET", "")
    if not secret or not isinstance(secret, str):
        log.error("webhook refused: CTA_WEBHOOK_SECRET is not set (or is not text)")
        raise Refused("webhook not configured", 503)
    if request.mimetype != "application/json":
        raise Refused("Content-Type must be application/json", 415)
    too_large = Refused("body too large", 413, details={"max_bytes": MAX_BODY})
    if (request.content_length or 0) > MAX_BODY:
        raise too_large
    # A chunked body (no Content-Length) is cut one byte past the limit, silently: hence +1.
    request.max_content_length = MAX_BODY + 1
    try:
        body = request.get_data(cache=True)
    except RequestEntityTooLarge:
        raise too_large from None
    if len(body) > MAX_BODY:
        raise too_large
    problem = _signature_problem(secret, body)
    if problem:
        log.warning("webhook refused from %s: %s", request.remote_addr, problem)
        raise Refused(problem, 401)
    return body


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _submission(body: bytes) -> dict:
    """The validated notification, or Refused (400 for bad JSON, 422 for the schema)."""
    try:
        payload = json.loads(body, parse_float=Decimal, parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        raise Refused("invalid JSON", 400) from None
    try:
        return ActionSubmittedSchema().load(payload)
    except ValidationError as error:
        raise Refused("invalid submission", 422, details=error.normalized_messages()) from None


@bp.route("/action-submitted", methods=["POST"])
@limiter.limit(lambda: current_app.config["WEBHOOK_RATE_LIMIT"])
def action_submitted():
    data = _submission(_signed_body())
    try:
        submission = operations.record_submitted_action(
            data["organisation"], data["action"], data["submitted_at"]
        )
    except operations.ExternalIdConflict:
        raise Refused("action external_id belongs to another organisation", 409) from None
    return {
        "action_id": submission.action.id,
        "organisation_id": submission.organisation.id,
        "unlocked": access.access_for(submission.organisation).is_unlocked,
    }, 201 if submission.created else 200
