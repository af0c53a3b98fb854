"""The OpenAPI document: valid, complete (every /api/v1 route of the app is in it), and true:
generated requests to the public operations never get a server error nor an answer that breaks
the document's schemas (schemathesis)."""

from datetime import timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import GenerationMode
from schemathesis.specs.openapi import checks as openapi_checks

from cta_learning.actions.models import ActionTranslation
from cta_learning.community.events.models import EventTranslation
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.api.personal_helpers import bearer, make_token
from tests.community.events.helpers import make_event
from tests.courses.helpers import import_shipped, unlock

PUBLIC_TAGS = ["priorities", "actions", "courses", "events"]
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


def _flask_path(rule: str) -> str:
    """A Flask rule in OpenAPI's spelling: /actions/<int:action_id> -> /actions/{action_id}."""
    for part in rule.split("<")[1:]:
        inside = part.split(">")[0]
        rule = rule.replace(f"<{inside}>", "{" + inside.split(":")[-1] + "}")
    return rule


def test_the_document_is_valid_openapi(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validate(document)
    assert document["openapi"].startswith("3.")
    schemes = document["components"]["securitySchemes"]
    assert schemes["token"] == {"type": "http", "scheme": "bearer"}
    assert schemes["session"]["in"] == "cookie"


def test_every_api_route_of_the_app_is_documented(app, client):
    """A route added under /api/v1 without its documentation fails here."""
    documented = {
        (path, method.upper())
        for path, operations in client.get("/api/v1/openapi.json").get_json()["paths"].items()
        for method in operations
    }
    routed = {
        (_flask_path(rule.rule), method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert routed - documented == set()
    assert documented - routed == set()


def test_the_webhook_is_documented_with_its_signature_headers(client):
    document = client.get("/api/v1/openapi.json").get_json()
    webhook = document["paths"]["/api/v1/hooks/action-submitted"]["post"]
    headers = {p["name"] for p in webhook["parameters"] if p["in"] == "header"}
    assert headers == {"X-CTA-Timestamp", "X-CTA-Signature"}
    assert {"200", "201", "401", "422"} <= set(webhook["responses"])


def test_public_operations_declare_their_errors_with_the_shared_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    actions = document["paths"]["/api/v1/actions"]["get"]
    assert actions["responses"]["400"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"
    }
    assert "security" not in actions
    one = document["paths"]["/api/v1/actions/{action_id}"]["get"]
    assert "404" in one["responses"]
    names = {p["name"] for p in actions["parameters"]}
    assert {"page", "per_page", "priority", "region", "country", "year", "lang"} <= names


def _some_data(app, make):
    user, organisation = make.member()
    action_id = make_action(app, organisation, user, "published", title="Désk ✓")
    make_action(app, organisation, user, "draft")
    event = make_event(app, priorities=[1])
    make_event(
        app,
        starts_at=utcnow() - timedelta(days=2),
        ends_at=utcnow() - timedelta(days=2) + timedelta(hours=1),
    )
    with app.app_context():
        db.session.add(
            ActionTranslation(action_id=action_id, language="fr", title="T", description="D")
        )
        db.session.add(EventTranslation(event_id=event.id, language="es", title="Evento"))
        db.session.commit()
    import_shipped(app)


def _run(app, tags, mode, headers=None) -> list[int]:
    """Generated requests to the operations with these tags; the statuses they got."""
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app).include(tag=tags)
    operations = [result.ok() for result in schema.get_all_operations()]
    statuses: list[int] = []
    for operation in operations:

        @settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            response = case.call(headers=headers)
            statuses.append(response.status_code)
            case.validate_response(response, checks=CHECKS)

        check()
    return statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_get_no_server_error_and_conform(app, make, mode):
    _some_data(app, make)
    statuses = _run(app, PUBLIC_TAGS, mode)
    # Really exercised: answers and refusals both (positive cases also reach 404s and 400s).
    assert len(statuses) >= 6 * 10
    assert {200, 400} <= set(statuses) if mode == GenerationMode.NEGATIVE else 200 in statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_personal_requests_with_a_token_get_no_server_error_and_conform(app, make, mode):
    _some_data(app, make)
    user, organisation = make.member()
    unlock(app, organisation)
    secret = make_token(app, user)
    statuses = _run(app, ["personal"], mode, headers=bearer(secret))
    assert len(statuses) >= 6 * 10
    assert 200 in statuses
    assert 500 not in statuses
