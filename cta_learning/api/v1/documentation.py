"""The API's own documentation: the OpenAPI document, and a page rendered from it by the
application (no script or asset from elsewhere), with an example request and answer for each
operation built from its schemas."""

import json
import shlex
from urllib.parse import urlencode

from flask import current_app, render_template

from cta_learning.api.v1.framework import bp, spec
from cta_learning.api.v1.webhook_spec import document_webhook

document_webhook(spec)
spec.path(
    path="/api/v1/openapi.json",
    operations={
        "get": {
            "operationId": "openapi",
            "summary": "This OpenAPI document",
            "tags": ["documentation"],
            "responses": {
                "200": {
                    "description": "OpenAPI 3.0.3",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    },
)
spec.path(
    path="/api/v1/docs",
    operations={
        "get": {
            "operationId": "docs",
            "summary": "This documentation as a web page",
            "tags": ["documentation"],
            "responses": {
                "200": {
                    "description": "HTML",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        }
    },
)

EXAMPLE_DEPTH = 6  # nested schemas deeper than this are shown as {}


@bp.get("/openapi.json")
def openapi():
    return spec.to_dict()


@bp.get("/docs")
def docs():
    document = spec.to_dict()
    return render_template(
        "api/docs.html",
        document=document,
        operations=operations(document, current_app.config["PUBLIC_URL"]),
    )


def _resolve(schema: dict, components: dict) -> dict:
    reference = schema.get("$ref")
    if reference:
        return components["schemas"][reference.rsplit("/", 1)[-1]]
    return schema


def example(schema: dict, components: dict, depth: int = 0):
    """A value that fits `schema` (a JSON schema of the document), for the page's examples."""
    schema = _resolve(schema, components)
    if "example" in schema:
        return schema["example"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth >= EXAMPLE_DEPTH:
            return {}
        properties = schema.get("properties", {})
        return {name: example(value, components, depth + 1) for name, value in properties.items()}
    if kind == "array":
        return [example(schema.get("items", {}), components, depth + 1)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1.5
    if kind == "boolean":
        return True
    if schema.get("format") == "date-time":
        return "2026-03-01T14:00:00+00:00"
    if schema.get("format") == "date":
        return "2026-03-01"
    return "…"


def _curl(base: str, path: str, method: str, operation: dict, components: dict) -> str:
    """The example request: required path values filled in, the language asked for."""
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", "1")
    words = ["curl"]
    if method != "GET":
        words += ["-X", method]
    words += ["-H", "Accept-Language: fr"]
    if operation.get("security"):
        words += ["-H", "Authorization: Bearer YOUR_TOKEN"]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "header":
            words += ["-H", f"{parameter['name']}: …"]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if body:
        words += ["-H", "Content-Type: application/json"]
        words += ["--data", json.dumps(example(body["schema"], components), ensure_ascii=False)]
    query = {"page": 1} if any(p["name"] == "page" for p in operation.get("parameters", [])) else {}
    address = base.rstrip("/") + path + ("?" + urlencode(query) if query else "")
    return " ".join(shlex.quote(word) for word in [*words, address])


def _answer(operation: dict, components: dict) -> tuple[str, str]:
    """The first success's status and an example body."""
    for status, response in sorted(operation["responses"].items()):
        if status.startswith("2"):
            content = response.get("content", {}).get("application/json")
            if content is None:
                return status, ""
            value = example(content["schema"], components)
            return status, json.dumps(value, indent=2, ensure_ascii=False)
    return "", ""


def operations(document: dict, base: str) -> list[dict]:
    """Every operation of the document, in its order, with what the page shows of it."""
    components = document.get("components", {})
    listed = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            status, answer = _answer(operation, components)
            listed.append(
                {
                    "path": path,
                    "method": method.upper(),
                    "anchor": operation.get("operationId", path),
                    "curl": _curl(base, path, method.upper(), operation, components),
                    "status": status,
                    "answer": answer,
                    "errors": sorted(code for code in operation["responses"] if code >= "400"),
                    **operation,
                }
            )
    return listed
