"""The action-submitted webhook: signed JSON from the submission site records a submitted
action and unlocks its organisation, once; anything else is refused with a JSON error and
leaves no trace."""

import copy
import hashlib
import hmac
import io
import json
import threading
import time

import pytest

from cta_learning import access, create_app
from cta_learning.access import AccessGrant
from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action
from cta_learning.api import hooks
from cta_learning.audit import AuditEvent
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG, build_app, count, fetch, outbox
from tests.hostile import nothing_changes

SECRET = "test-webhook-secret-0123456789abcdef"
URL = "/api/v1/hooks/action-submitted"


@pytest.fixture
def hook_app(app):
    """The app with the webhook (until create_app registers it) and a shared secret."""
    if "api_hooks" not in app.blueprints:
        app.register_blueprint(hooks.bp)
    app.config["WEBHOOK_SECRET"] = SECRET
    return app


@pytest.fixture
def client(hook_app):
    return hook_app.test_client()


def payload(**changes) -> dict:
    """A valid notification; `changes` replace parts, e.g. action={"title": "x"}."""
    body = {
        "organisation": {
            "external_id": "org-42",
            "name": "City of Dakar",
            "kind": "lrg",
            "country": "SN",
            "preferred_language": "fr",
        },
        "action": {
            "external_id": "act-1001",
            "title": "Welcome desks in every district",
            "description": "Information and orientation for newcomers.",
            "language": "fr",
            "start_on": "2024-03-01",
            "end_on": "2026-12-31",
            "target_groups": ["migrants", "refugees"],
            "priorities": [1, 3],
            "partners": ["civil-society"],
            "results": "1,200 people advised.",
            "links": ["https://dakar.example.org/desks"],
            "budget": "250000.00",
            "currency": "XOF",
            "beneficiaries": 5000,
        },
        "submitted_at": "2025-01-15T10:30:00+01:00",
    }
    for part, value in changes.items():
        if isinstance(value, dict):
            body[part] = {**body[part], **value}
        else:
            body[part] = value
    return body


def without(body: dict, part: str, name: str) -> dict:
    body = copy.deepcopy(body)
    del body[part][name]
    return body


def sign(body: bytes, secret: str = SECRET, timestamp: int | str | None = None) -> dict:
    timestamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return {"X-CTA-Timestamp": timestamp, "X-CTA-Signature": f"sha256={digest.hexdigest()}"}


def post(client, body, headers=None, content_type="application/json"):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post(
        URL, data=raw, content_type=content_type, headers=sign(raw) if headers is None else headers
    )


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    data = response.get_json()
    assert data["error"] and isinstance(data["details"], dict)
    return data


# --- a valid notification ------------------------------------------------------------------


def test_creates_the_organisation_and_a_submitted_action_that_unlocks(hook_app, client):
    response = post(client, payload())

    assert response.status_code == 201, response.get_data(as_text=True)
    data = response.get_json()
    assert data["unlocked"] is True
    organisation = fetch(hook_app, Organisation, external_id="org-42")
    assert (organisation.id, organisation.name, organisation.kind) == (
        data["organisation_id"],
        "City of Dakar",
        "lrg",
    )
    assert (organisation.country, organisation.region, organisation.preferred_language) == (
        "SN",
        "africa",
        "fr",
    )
    assert organisation.unlocked_at is not None
    action = fetch(hook_app, Action, external_id="act-1001")
    assert action.id == data["action_id"] and action.organisation_id == organisation.id
    assert action.status == "submitted" and action.submitted_by_id is None
    assert action.submitted_at.isoformat() == "2025-01-15T09:30:00"  # stored in UTC
    assert (action.title, action.language, action.pledge_type) == (
        "Welcome desks in every district",
        "fr",
        "mirror",
    )
    assert action.end_on.isoformat() == "2026-12-31" and not action.is_ongoing
    assert str(action.budget) == "250000.00" and action.currency == "XOF"
    assert action.links == "https://dakar.example.org/desks"
    with hook_app.app_context():
        stored = db.session.get(Action, action.id)
        assert stored.priority_ids == [1, 3]
        assert stored.target_groups == {"migrants", "refugees"}
        assert access.access_for(stored.organisation).is_unlocked
    assert count(hook_app, AccessGrant, action_id=action.id) == 1
    assert count(hook_app, AuditEvent, verb="action.submitted", actor_id=None) == 1
    assert outbox(hook_app) == []  # a new organisation has nobody to tell yet


def test_an_ongoing_action_with_only_the_required_fields(hook_app, client):
    body = payload(action={"ongoing": True, "end_on": None})
    for optional in ("partners", "results", "links", "budget", "currency", "beneficiaries"):
        body = without(body, "action", optional)
    body = without(body, "organisation", "preferred_language")

    assert post(client, body).status_code == 201
    action = fetch(hook_app, Action, external_id="act-1001")
    assert action.is_ongoing and action.end_on is None and action.budget is None
    assert action.partners == [] and action.links == "" and action.results == ""
    assert fetch(hook_app, Organisation, external_id="org-42").preferred_language == "en"


def test_a_repeated_notification_changes_nothing(hook_app, client):
    first = post(client, payload())
    with nothing_changes(hook_app):
        again = post(client, payload(action={"title": "Changed on the way"}))

    assert again.status_code == 200
    assert again.get_json() == {**first.get_json(), "unlocked": True}
    assert count(hook_app, Action) == 1 and count(hook_app, AccessGrant) == 1


def test_an_existing_organisation_is_matched_and_keeps_its_profile(hook_app, client, make):
    member, organisation = make.member(
        organisation=make.organisation(external_id="org-42", name="Ville de Dakar")
    )

    response = post(client, payload())

    assert response.status_code == 201
    assert response.get_json()["organisation_id"] == organisation.id
    assert count(hook_app, Organisation) == 1
    kept = fetch(hook_app, Organisation, id=organisation.id)
    assert (kept.name, kept.preferred_language) == ("Ville de Dakar", "fr")
    assert [m.to_address for m in outbox(hook_app)] == [member.email]  # benefits_open
    assert post(client, payload()).status_code == 200
    assert len(outbox(hook_app)) == 1


def test_a_second_action_of_an_open_organisation_grants_without_another_email(
    hook_app, client, make
):
    make.member(organisation=make.organisation(external_id="org-42"))
    post(client, payload())

    response = post(client, payload(action={"external_id": "act-1002"}))

    assert response.status_code == 201
    assert count(hook_app, AccessGrant) == 2
    assert len(outbox(hook_app)) == 1


def test_an_action_id_of_another_organisation_is_a_conflict(hook_app, client):
    post(client, payload())
    with nothing_changes(hook_app):
        response = post(client, payload(organisation={"external_id": "org-43"}))

    assert_json_error(response, 409)


def test_the_same_notification_twice_at_once_records_one_action(hook_app):
    body = json.dumps(payload()).encode()
    barrier, responses = threading.Barrier(2), []

    def send():
        client = hook_app.test_client()
        barrier.wait()
        responses.append(
            client.post(URL, data=body, content_type="application/json", headers=sign(body))
        )

    threads = [threading.Thread(target=send) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(response.status_code for response in responses) == [200, 201]
    assert len({response.get_json()["action_id"] for response in responses}) == 1
    assert count(hook_app, Organisation) == 1 and count(hook_app, Action) == 1
    assert count(hook_app, AccessGrant) == 1
    assert count(hook_app, AuditEvent, verb="organisation.created") == 1
    assert count(hook_app, AuditEvent, verb="access.granted") == 1


def test_csrf_protection_does_not_apply(request, tmp_path):
    app, _ = build_app(request, tmp_path, WTF_CSRF_ENABLED=True, WEBHOOK_SECRET=SECRET)
    if "api_hooks" not in app.blueprints:
        app.register_blueprint(hooks.bp)

    assert post(app.test_client(), payload()).status_code == 201


def test_the_secret_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CTA_WEBHOOK_SECRET", SECRET)
    app = create_app({**TEST_CONFIG, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/env.db"})

    assert app.config["WEBHOOK_SECRET"] == SECRET


# --- refusals: a JSON error, and nothing stored -------------------------------------------


def test_without_a_configured_secret_nothing_is_accepted(hook_app, client):
    hook_app.config["WEBHOOK_SECRET"] = ""
    with nothing_changes(hook_app):
        response = post(client, payload())

    assert_json_error(response, 503)


STALE = -6 * 60
AHEAD = 6 * 60


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param(lambda raw: {}, id="no-headers"),
        pytest.param(
            lambda raw: {"X-CTA-Signature": sign(raw)["X-CTA-Signature"]}, id="no-timestamp"
        ),
        pytest.param(
            lambda raw: {"X-CTA-Timestamp": sign(raw)["X-CTA-Timestamp"]}, id="no-signature"
        ),
        pytest.param(lambda raw: sign(raw, "not-the-secret"), id="wrong-secret"),
        pytest.param(lambda raw: sign(raw + b" "), id="other-body"),
        pytest.param(
            lambda raw: {**sign(raw), "X-CTA-Signature": sign(raw)["X-CTA-Signature"][7:]},
            id="no-sha256-prefix",
        ),
        pytest.param(lambda raw: {**sign(raw), "X-CTA-Signature": "sha256=é"}, id="non-ascii"),
        pytest.param(lambda raw: sign(raw, timestamp=int(time.time()) + STALE), id="stale"),
        pytest.param(lambda raw: sign(raw, timestamp=int(time.time()) + AHEAD), id="future"),
        pytest.param(lambda raw: sign(raw, timestamp="1.5e9"), id="timestamp-not-an-integer"),
        pytest.param(lambda raw: sign(raw, timestamp="-1"), id="negative-timestamp"),
    ],
)
def test_an_unsigned_or_stale_request_is_refused(hook_app, client, headers):
    raw = json.dumps(payload()).encode()
    with nothing_changes(hook_app):
        response = post(client, raw, headers=headers(raw))

    assert_json_error(response, 401)


def test_a_replay_of_a_signed_request_after_five_minutes_is_refused(hook_app, client):
    raw = json.dumps(payload()).encode()
    old = sign(raw, timestamp=int(time.time()) - 301)
    with nothing_changes(hook_app):
        assert_json_error(post(client, raw, headers=old), 401)


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", ""],
)
def test_a_body_that_is_not_declared_json_is_refused(hook_app, client, content_type):
    with nothing_changes(hook_app):
        response = post(client, payload(), content_type=content_type)

    assert_json_error(response, 415)


def test_a_body_over_64_kib_is_refused(hook_app, client):
    raw = json.dumps(payload(action={"description": "x" * 70_000})).encode()
    with nothing_changes(hook_app):
        response = post(client, raw)

    assert_json_error(response, 413)


def chunked(client, raw: bytes):
    """Sent without Content-Length, as a server hands over a chunked body."""
    return client.post(
        URL,
        input_stream=io.BytesIO(raw),
        content_type="application/json",
        headers=sign(raw),
        environ_overrides={"wsgi.input_terminated": True},
    )


def test_a_chunked_body_is_read_whole_and_limited_to_64_kib(hook_app, client):
    raw = json.dumps(payload(action={"description": "x" * 70_000})).encode()
    with nothing_changes(hook_app):
        assert_json_error(chunked(client, raw), 413)

    assert chunked(client, json.dumps(payload()).encode()).status_code == 201


@pytest.mark.parametrize(
    "raw", [b"{", b"", b"not json", b'{"a": NaN}', b"\xff\xfe", b"[" * 20_000 + b"]" * 20_000]
)
def test_invalid_json_is_refused(hook_app, client, raw):
    with nothing_changes(hook_app):
        response = post(client, raw)

    assert_json_error(response, 400)


def case(case_id: str, where: str, body=None, **changes) -> pytest.param:
    """A signed, well-formed body the schema refuses, and where the message must be
    ("action.title"); `changes` as for payload(), or a whole `body`."""
    return pytest.param(payload(**changes) if body is None else body, where.split("."), id=case_id)


def missing_part(name: str) -> dict:
    return {part: value for part, value in payload().items() if part != name}


LINKS = [f"https://x.org/{n}" for n in range(11)]
SCHEMA_CASES = [
    case("unknown-top-level", "extra", extra=1),
    case(
        "unknown-in-organisation", "organisation.website", organisation={"website": "https://x.org"}
    ),
    case("unknown-in-action", "action.status", action={"status": "published"}),
    case("no-organisation", "organisation", body=missing_part("organisation")),
    case("not-an-object", "_schema", body=[payload()]),
    case("no-title", "action.title", body=without(payload(), "action", "title")),
    case("blank-title", "action.title", action={"title": "   "}),
    case("long-title", "action.title", action={"title": "x" * 201}),
    case("title-on-two-lines", "action.title", action={"title": "a\nb"}),
    case("nul-in-description", "action.description", action={"description": "a\x00b"}),
    case("long-description", "action.description", action={"description": "x" * 10_001}),
    case("title-a-number", "action.title", action={"title": 12}),
    case("priorities-a-string", "action.priorities", action={"priorities": "1"}),
    case("priority-a-string", "action.priorities", action={"priorities": ["1"]}),
    case("priority-true", "action.priorities", action={"priorities": [True]}),
    case("priority-99", "action.priorities", action={"priorities": [99]}),
    case("no-priority", "action.priorities", action={"priorities": []}),
    case("no-target-group", "action.target_groups", action={"target_groups": []}),
    case("unknown-target-group", "action.target_groups", action={"target_groups": ["tourists"]}),
    case("unknown-partner", "action.partners", action={"partners": ["banks"]}),
    case("country-zz", "organisation.country", organisation={"country": "ZZ"}),
    case("lower-case-country", "organisation.country", organisation={"country": "sn"}),
    case("unknown-kind", "organisation.kind", organisation={"kind": "ngo"}),
    case("unknown-language", "action.language", action={"language": "de"}),
    case(
        "long-org-external-id", "organisation.external_id", organisation={"external_id": "x" * 101}
    ),
    case("empty-action-external-id", "action.external_id", action={"external_id": ""}),
    case("start-2018", "action.start_on", action={"start_on": "2018-12-31"}),
    case("start-not-a-date", "action.start_on", action={"start_on": "01/03/2024"}),
    case("end-before-start", "action.end_on", action={"end_on": "2024-02-29"}),
    case("no-end-and-not-ongoing", "action.end_on", action={"end_on": None}),
    case("end-and-ongoing", "action.end_on", action={"ongoing": True}),
    case("ongoing-a-string", "action.ongoing", action={"ongoing": "yes", "end_on": None}),
    case("eleven-links", "action.links", action={"links": LINKS}),
    case("javascript-link", "action.links", action={"links": ["javascript:alert(1)"]}),
    case("ftp-link", "action.links", action={"links": ["ftp://x.org/file"]}),
    case("negative-budget", "action.budget", action={"budget": -1}),
    case("budget-too-large", "action.budget", action={"budget": "1e20"}),
    case("budget-a-word", "action.budget", action={"budget": "lots"}),
    case("lower-case-currency", "action.currency", action={"currency": "eur"}),
    case("negative-beneficiaries", "action.beneficiaries", action={"beneficiaries": -5}),
    case("fractional-beneficiaries", "action.beneficiaries", action={"beneficiaries": 2.5}),
    case("huge-beneficiaries", "action.beneficiaries", action={"beneficiaries": 2**40}),
    case("no-submitted-at", "submitted_at", body=missing_part("submitted_at")),
    case("submitted-at-not-a-datetime", "submitted_at", submitted_at="yesterday"),
]


@pytest.mark.parametrize(("body", "where"), SCHEMA_CASES)
def test_a_body_the_schema_refuses(hook_app, client, body, where):
    with nothing_changes(hook_app):
        response = post(client, body)

    details = assert_json_error(response, 422)["details"]
    for key in where:
        assert key in details, details
        details = details[key]


def test_the_rate_limit_answers_in_json(request, tmp_path):
    app, _ = build_app(request, tmp_path, RATELIMIT_ENABLED=True, WEBHOOK_SECRET=SECRET)
    if "api_hooks" not in app.blueprints:
        app.register_blueprint(hooks.bp)
    client = app.test_client()

    statuses = [post(client, b"{").status_code for _ in range(60)]

    assert statuses == [400] * 60
    assert_json_error(post(client, payload()), 429)
    assert count(app, Action) == 0
