"""The signed webhook (api/hooks.py) in the OpenAPI document, written by hand: it predates the
framework and keeps its own error shape, {"error": "<reason>", "details": {...}}."""

from apispec import APISpec
from marshmallow import Schema, fields

from cta_learning.api.schemas import ActionSubmittedSchema

PATH = "/api/v1/hooks/action-submitted"


class WebhookAnswerSchema(Schema):
    action_id = fields.Integer(required=True)
    organisation_id = fields.Integer(required=True)
    unlocked = fields.Boolean(required=True)


class WebhookErrorSchema(Schema):
    error = fields.String(required=True, metadata={"example": "bad signature"})
    details = fields.Dict(required=True)


def _answer(description: str, schema: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document_webhook(spec: APISpec) -> None:
    """Add the action-submitted webhook to `spec`, with its signature headers."""
    spec.components.schema("WebhookAnswer", schema=WebhookAnswerSchema)
    spec.components.schema("WebhookError", schema=WebhookErrorSchema)
    error = "WebhookError"
    spec.path(
        path=PATH,
        operations={
            "post": {
                "operationId": "action_submitted",
                "summary": "The submission site reports a submitted action (signed webhook)",
                "description": (
                    "Records the action as submitted and unlocks its organisation, once per "
                    "action external_id: a repeated notification answers 200 and changes "
                    "nothing. Sign `<timestamp>.<raw body>` with HMAC-SHA256 and the shared "
                    "secret (CTA_WEBHOOK_SECRET); requests more than five minutes old or ahead "
                    "are refused."
                ),
                "tags": ["webhooks"],
                "parameters": [
                    {
                        "in": "header",
                        "name": "X-CTA-Timestamp",
                        "required": True,
                        "description": "Unix seconds when the request was signed.",
                        "schema": {"type": "string", "pattern": "^[0-9]{1,12}$"},
                    },
                    {
                        "in": "header",
                        "name": "X-CTA-Signature",
                        "required": True,
                        "description": '"sha256=" and the hex HMAC-SHA256 of '
                        '"<timestamp>.<raw body>".',
                        "schema": {"type": "string", "pattern": "^sha256=[0-9a-f]{64}$"},
                    },
                ],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ActionSubmittedSchema}},
                },
                "responses": {
                    "200": _answer("Already recorded: nothing changed", "WebhookAnswer"),
                    "201": _answer("Recorded and unlocked", "WebhookAnswer"),
                    "400": _answer("Invalid JSON", error),
                    "401": _answer("Missing, stale or bad signature", error),
                    "409": _answer("The external id belongs to another organisation", error),
                    "413": _answer("Body larger than 64 KiB", error),
                    "415": _answer("Not application/json", error),
                    "422": _answer("Invalid submission (details per field)", error),
                    "429": _answer("Too many requests", error),
                    "503": _answer("Webhook not configured", error),
                },
            }
        },
    )
