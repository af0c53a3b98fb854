"""The one error shape of the JSON API under /api/v1 (the webhook keeps its own):
{"error": {"code": "bad_request", "message": "<in the request's language>", "fields": {...}}}.

Every answer of 400 and above under /api/v1 is built here, whether it comes from a view, the
URL map (no such path, wrong method), the rate limit, a rule's `Refused` or an unexpected error.
"""

from flask import Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException
from werkzeug.http import HTTP_STATUS_CODES

PREFIX = "/api/v1"
WEBHOOKS = "/api/v1/hooks/"  # signed callers, answered in the shape they were given

MESSAGES = {
    400: _l("The request is not valid."),
    401: _l("Sign in or send a valid API token."),
    403: _l("You may not do this."),
    404: _l("Nothing was found at this address."),
    405: _l("This method is not allowed at this address."),
    409: _l("This conflicts with the current state."),
    413: _l("The request body is too large."),
    415: _l("The body must be JSON (Content-Type: application/json)."),
    422: _l("The request could not be processed."),
    429: _l("Too many requests. Please wait a moment and try again."),
    500: _l("Something went wrong on our side. Please try again later."),
    503: _l("The service is unavailable for a moment. Please try again shortly."),
}

# marshmallow's own messages, marked here so that they are translated like ours.
FIELD_MESSAGES = {
    "Not a valid integer.": _l("Not a valid integer."),
    "Not a valid string.": _l("Not a valid string."),
    "Not a valid boolean.": _l("Not a valid boolean."),
    "Not a valid date.": _l("Not a valid date."),
    "Not a valid datetime.": _l("Not a valid date and time."),
    "Not a valid list.": _l("Not a valid list."),
    "Not a valid mapping type.": _l("Not a valid object."),
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be null."),
    "Unknown field.": _l("Unknown field."),
    "Invalid input type.": _l("Invalid input type."),
    "Must be one of the listed values.": _l("Must be one of the listed values."),
}


def is_api_path(path: str) -> bool:
    """Whether an answer to this path takes the API's error shape."""
    return (path == PREFIX or path.startswith(PREFIX + "/")) and not path.startswith(WEBHOOKS)


def _translated_fields(messages):
    if isinstance(messages, dict):
        return {str(key): _translated_fields(value) for key, value in messages.items()}
    if isinstance(messages, list | tuple):
        return [_translated_fields(message) for message in messages]
    text = str(messages)
    return str(FIELD_MESSAGES[text]) if text in FIELD_MESSAGES else text


def code_of(status: int) -> str:
    """The status as a word: 'bad_request', 'not_found', 'too_many_requests'…"""
    return HTTP_STATUS_CODES.get(status, "error").lower().replace(" ", "_").replace("-", "_")


def error_response(
    status: int, message: str | None = None, fields: dict | None = None, code: str | None = None
) -> Response:
    """The API's answer to an error: the one shape, the message in the request's language."""
    if message is None:
        message = str(MESSAGES.get(status) or MESSAGES[500 if status >= 500 else 400])
    error: dict = {"code": code or code_of(status), "message": str(message)}
    if fields:
        error["fields"] = _translated_fields(fields)
    response = jsonify({"error": error})
    response.status_code = status
    return response


def http_error_response(error: HTTPException) -> Response:
    """An HTTP error (from the URL map, abort() or the rate limit) in the API's shape."""
    status = error.code or 500
    response = error_response(status)
    allowed = getattr(error, "valid_methods", None)  # only on 405 Method Not Allowed
    if allowed:
        response.headers["Allow"] = ", ".join(allowed)
    if status == 429 and error.get_headers():
        for name, value in error.get_headers():
            if name.lower() == "retry-after":
                response.headers[name] = value
    return response


def invalid(fields: dict, message: str | None = None) -> Response:
    """A 400 for invalid arguments or body, with a message per field."""
    return error_response(400, message or _("Some values are not valid."), fields)


def in_api() -> bool:
    return is_api_path(request.path)
