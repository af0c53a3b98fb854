"""The API's framework: one error shape for every answer of 400 and above under /api/v1 (the
webhook keeps its own), in the language asked for; the rate limit; the documentation page."""

import pytest
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from cta_learning.api.v1.errors import MESSAGES
from cta_learning.refusals import Refused
from tests.conftest import build_app

LOG_IN = _l("Please log in to see this page.")  # a message the catalogues already translate


def _refuse():
    raise Refused(LOG_IN, 409, details={"seats": ["The event is full."]})


def _fail():
    raise RuntimeError("a bug")


def _read_body():
    from flask import request

    return {"length": len(request.get_data())}


@pytest.fixture
def app(request, tmp_path):
    """The app with a few routes under /api/v1 that refuse, fail or read a body."""
    app, _ = build_app(request, tmp_path, PROPAGATE_TEST_ERRORS=False, MAX_CONTENT_LENGTH=1024)
    app.add_url_rule("/api/v1/test/refused", "test_refused", _refuse)
    app.add_url_rule("/api/v1/test/failing", "test_failing", _fail)
    app.add_url_rule("/api/v1/test/body", "test_body", _read_body, methods=["POST"])
    return app


def shape(answer) -> dict:
    assert answer.mimetype == "application/json"
    body = answer.get_json()
    assert set(body) == {"error"}
    assert set(body["error"]) <= {"code", "message", "fields"}
    return body["error"]


@pytest.mark.parametrize(
    "method, address, status, code",
    [
        ("GET", "/api/v1/nothing/here", 404, "not_found"),
        ("GET", "/api/v1", 404, "not_found"),
        ("GET", "/api/v1/actions/99999999999999999999", 404, "not_found"),
        ("DELETE", "/api/v1/actions", 405, "method_not_allowed"),
        ("POST", "/api/v1/priorities", 405, "method_not_allowed"),
        ("GET", "/api/v1/test/failing", 500, "internal_server_error"),
        ("GET", "/api/v1/actions?page=%00", 400, "bad_request"),
    ],
)
def test_every_error_has_the_one_shape(client, method, address, status, code):
    answer = client.open(address, method=method)
    assert answer.status_code == status
    error = shape(answer)
    assert error["code"] == code
    assert error["message"] == str(MESSAGES[status]) or status == 400
    if status == 405:
        assert "GET" in answer.headers["Allow"]


def test_a_body_too_large_is_a_413_in_the_shape(client):
    answer = client.post("/api/v1/test/body", data=b"x" * 2048, content_type="application/json")
    assert answer.status_code == 413
    assert shape(answer)["code"] == "request_entity_too_large"


def test_a_refusal_keeps_its_message_status_and_details(client):
    answer = client.get("/api/v1/test/refused")
    assert answer.status_code == 409
    assert shape(answer) == {
        "code": "conflict",
        "message": "Please log in to see this page.",
        "fields": {"seats": ["The event is full."]},
    }


@pytest.mark.parametrize(
    "how", [{"query_string": {"lang": "fr"}}, {"headers": {"Accept-Language": "fr"}}]
)
def test_messages_come_in_the_language_asked_for(app, client, how):
    with app.test_request_context(), force_locale("fr"):
        french_refusal, french_not_found = str(LOG_IN), str(MESSAGES[404])
    assert french_refusal != "Please log in to see this page."
    assert shape(client.get("/api/v1/test/refused", **how))["message"] == french_refusal
    assert shape(client.get("/api/v1/nowhere", **how))["message"] == french_not_found
    # Each request is answered in its own language: nothing is remembered for the next one.
    answer = client.get("/api/v1/nowhere")
    assert shape(answer)["message"] == "Nothing was found at this address."
    assert "Set-Cookie" not in answer.headers


def test_the_webhook_keeps_its_own_error_shape(client):
    answer = client.post("/api/v1/hooks/action-submitted", json={})
    assert answer.status_code in (401, 503)
    assert set(answer.get_json()) == {"error", "details"}


def test_the_api_is_rate_limited_per_address(request, tmp_path):
    app, _ = build_app(request, tmp_path, RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute")
    client = app.test_client()
    for _ in range(3):
        assert client.get("/api/v1/priorities").status_code == 200
    answer = client.get("/api/v1/actions")
    assert answer.status_code == 429
    assert shape(answer)["code"] == "too_many_requests"
    other = client.get("/api/v1/priorities", environ_base={"REMOTE_ADDR": "192.0.2.9"})
    assert other.status_code == 200


def test_the_documentation_page_lists_every_operation(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for path in (
        "/api/v1/priorities",
        "/api/v1/actions/{action_id}",
        "/api/v1/events",
        "/api/v1/hooks/action-submitted",
    ):
        assert f'<code class="api-path">{path}</code>' in html
    assert (
        "curl -H &#39;Accept-Language: fr&#39; &#39;https://learning.example.org/api/v1/actions?page=1&#39;"
        in html
    )
    assert "&#34;links&#34;" in html  # an example answer
    assert "http://" not in html.replace("http://www.w3.org", "")  # nothing from another host
    assert client.get("/api/v1/docs?lang=fr").status_code == 200


def test_the_footer_links_to_the_documentation(client):
    assert 'href="/api/v1/docs"' in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "kwargs, fields",
    [
        ({"json": {"name": 3}}, {"name": ["Not a valid string."]}),
        ({"json": {}}, {"name": ["This field is required."]}),
        ({"json": {"name": "x", "other": 1}}, {"other": ["Unknown field."]}),
        ({"data": "{not json", "content_type": "application/json"}, None),
        ({"data": "name=x", "content_type": "application/x-www-form-urlencoded"}, None),
    ],
)
def test_a_json_body_is_validated_field_by_field(app, kwargs, fields):
    """What `endpoint(body=...)` does before the view runs (no public operation has a body)."""
    from marshmallow import Schema
    from marshmallow import fields as marshmallow_fields

    from cta_learning.api.v1 import framework

    schema = Schema.from_dict({"name": marshmallow_fields.String(required=True)})()
    with app.test_request_context("/api/v1/x", method="POST", **kwargs):
        with pytest.raises(framework._Invalid) as invalid:
            framework._load(schema, framework._json_body())
        answer = invalid.value.response
        assert answer.status_code == 400
        error = answer.get_json()["error"]
        assert error["code"] == "bad_request"
        assert error.get("fields", {}) == (fields or {})
