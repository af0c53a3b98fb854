"""The JSON API's framework: one decorator declares an operation once, for the URL map, the
validation of its arguments and body, the serialisation of its answer and the OpenAPI document.

    @endpoint("/actions", summary=_l("Published actions"), tags=["actions"],
              query=ActionQuery(), response=page_of(ActionSchema))
    def actions(args):
        return paginate(select(Action)..., args)

Invalid arguments or bodies are a 400 with a message per field; every error under /api/v1 has
the one shape of `errors.py`. `spec` is the OpenAPI document: what is not declared through
`endpoint` (or by hand, like the webhook) is not documented, and a test refuses that.
"""

import re
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import wraps
from math import ceil
from urllib.parse import urlencode

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate
from sqlalchemy import Select
from werkzeug.http import HTTP_STATUS_CODES

from cta_learning.api.v1.errors import error_response, invalid
from cta_learning.extensions import db, limiter
from cta_learning.languages import PLATFORM
from cta_learning.pagination import MAX_PAGE, count_of
from cta_learning.security import public_url_for
from cta_learning.urls import LARGEST_ID

bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
# Per address, like the public pages' forms; a client that needs more asks the secretariat.
limiter.shared_limit(lambda: current_app.config["API_RATE_LIMIT"], scope="api_v1")(bp)

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
LANGUAGES = PLATFORM


def _decimal_bounds_as_numbers(converter, field, ret: dict, **kwargs) -> dict:
    """A Decimal range's bounds as JSON numbers (apispec would write them as strings)."""
    return {
        key: float(ret[key]) for key in ("minimum", "maximum") if isinstance(ret.get(key), Decimal)
    }


def _patterns_in_ecma_syntax(converter, field, ret: dict, **kwargs) -> dict:
    """Python's end anchor \\Z (no newline before the end) as JSON Schema's $."""
    pattern = ret.get("pattern")
    return {"pattern": pattern.replace("\\Z", "$")} if isinstance(pattern, str) else {}


_marshmallow = MarshmallowPlugin()
spec = APISpec(
    title="CTA Learning API",
    version="1",
    openapi_version="3.0.3",
    plugins=[_marshmallow],
    info={
        "description": (
            "The JSON API of CTA Learning, the learning and community platform of the Call to "
            "Local Action for Migrants and Refugees. Texts are given in the language asked for "
            f"with ?lang= or Accept-Language ({', '.join(LANGUAGES)}); each text says in which "
            'language it is. Errors have one shape: {"error": {"code", "message", "fields"}}.'
        )
    },
)
_marshmallow.converter.add_attribute_function(_decimal_bounds_as_numbers)  # type: ignore[union-attr]
_marshmallow.converter.add_attribute_function(_patterns_in_ecma_syntax)  # type: ignore[union-attr]
spec.components.security_scheme("token", {"type": "http", "scheme": "bearer"})
spec.components.security_scheme(
    "session", {"type": "apiKey", "in": "cookie", "name": "cta_session"}
)


class ErrorDetailSchema(Schema):
    code = fields.String(required=True, metadata={"example": "bad_request"})
    message = fields.String(required=True, metadata={"example": "Some values are not valid."})
    field_messages = fields.Dict(
        data_key="fields",
        metadata={"description": "Per field (or argument), the list of what is wrong."},
    )


class ErrorSchema(Schema):
    error = fields.Nested(ErrorDetailSchema, required=True)


spec.components.schema("Error", schema=ErrorSchema)


class QuerySchema(Schema):
    """Query arguments: unknown ones (cache busters, `lang`) are ignored, as by the pages."""

    class Meta:
        unknown = EXCLUDE


BETWEEN = _l("Must be from {min} to {max}.")


class PageQuery(QuerySchema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(1, MAX_PAGE, error=BETWEEN),
        metadata={"description": "The page number, from 1."},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(1, MAX_PER_PAGE, error=BETWEEN),
        metadata={"description": f"Items per page, 1 to {MAX_PER_PAGE}."},
    )


class LinksSchema(Schema):
    self = fields.String(required=True)
    next = fields.String(required=True, allow_none=True)
    prev = fields.String(required=True, allow_none=True)


_page_schemas: dict[type[Schema], type[Schema]] = {}


def page_of(item_schema: type[Schema]) -> Schema:
    """The schema of a page of items: items, page, per_page, total and links."""
    if item_schema not in _page_schemas:
        name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
        _page_schemas[item_schema] = Schema.from_dict(
            {
                "items": fields.List(fields.Nested(item_schema), required=True),
                "page": fields.Integer(required=True),
                "per_page": fields.Integer(required=True),
                "total": fields.Integer(required=True),
                "links": fields.Nested(LinksSchema, required=True),
            },
            name=name,
        )
    return _page_schemas[item_schema]()


def _page_link(number: int) -> str:
    """This request's absolute address with another page number, other arguments kept."""
    arguments = [(key, value) for key, value in request.args.items(multi=True) if key != "page"]
    arguments.append(("page", str(number)))
    # From CTA_PUBLIC_URL, never from the Host header a caller may choose.
    here = public_url_for(request.endpoint or "", **(request.view_args or {}))
    return f"{here}?{urlencode(arguments)}"


def paginate(statement: Select, args: dict, count_statement: Select | None = None) -> dict:
    """The page named by `args` (from PageQuery) of a select of rows: one query for the count,
    one for the rows; past the last page, no items."""
    number, per_page = args["page"], args["per_page"]
    total = (
        db.session.scalar(count_statement if count_statement is not None else count_of(statement))
        or 0
    )
    rows = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page))
    pages = min(MAX_PAGE, ceil(total / per_page))
    return {
        "items": list(rows.unique()),
        "page": number,
        "per_page": per_page,
        "total": total,
        "links": {
            "self": _page_link(number),
            "next": _page_link(number + 1) if number < pages else None,
            "prev": _page_link(min(number - 1, max(pages, 1))) if number > 1 else None,
        },
    }


def _query_data(schema: Schema) -> dict:
    """The query arguments the schema knows; a list field takes every repetition."""
    data: dict = {}
    for name, field in schema.load_fields.items():
        key = field.data_key or name
        if key not in request.args:
            continue
        values = request.args.getlist(key)
        data[key] = values if isinstance(field, fields.List) else values[-1]
    return data


def _json_body() -> object:
    if request.mimetype != "application/json":
        raise _Invalid(invalid({}, _("The body must be JSON (Content-Type: application/json).")))
    data = request.get_json(silent=True)
    if data is None:
        raise _Invalid(invalid({}, _("The body is not valid JSON.")))
    return data


class _Invalid(Exception):
    def __init__(self, response: Response):
        self.response = response


def _load(schema: Schema, data: object) -> dict:
    try:
        return schema.load(data)  # type: ignore[arg-type]
    except ValidationError as error:
        raise _Invalid(invalid(error.normalized_messages())) from None


def _instance(schema: Schema | type[Schema] | None) -> Schema | None:
    return schema() if isinstance(schema, type) else schema


_PATH_ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")


def _openapi_path(rule: str) -> tuple[str, list[dict]]:
    """A Flask rule as an OpenAPI path ("/actions/<int:action_id>" -> "/actions/{action_id}")
    and its path parameters."""
    parameters = []
    for converter, name in _PATH_ARGUMENT.findall(rule):
        schema: dict = {"type": "string"}
        if converter == "int":
            schema = {"type": "integer", "minimum": 0, "maximum": LARGEST_ID}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
    return _PATH_ARGUMENT.sub(r"{\2}", (bp.url_prefix or "") + rule), parameters


def _error_responses(codes: Iterable[int]) -> dict:
    return {
        str(code): {
            "description": HTTP_STATUS_CODES.get(code, "Error"),
            "content": {"application/json": {"schema": "Error"}},
        }
        for code in sorted(set(codes))
    }


LANGUAGE_PARAMETER = {
    "in": "query",
    "name": "lang",
    "required": False,
    "description": "The language of the texts and messages (else Accept-Language).",
    "schema": {"type": "string", "enum": list(LANGUAGES)},
}


def _document(
    rule, methods, view, *, summary, tags, query, body, response, status, security, errors
):
    path, parameters = _openapi_path(rule)
    if query is not None:
        parameters.append({"in": "query", "schema": query})
    parameters.append(LANGUAGE_PARAMETER)
    codes = set(errors) | {429, 500}
    if query is not None or body is not None:
        codes.add(400)
    if "<" in rule:
        codes.add(404)
    answer: dict = {"description": HTTP_STATUS_CODES.get(status, "OK")}
    if response is not None:
        answer["content"] = {"application/json": {"schema": response}}
    operation: dict = {
        "operationId": view.__name__,
        "summary": str(summary),
        "description": (view.__doc__ or "").strip(),
        "tags": list(tags),
        "parameters": parameters,
        "responses": {str(status): answer, **_error_responses(codes)},
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    if security:
        operation["security"] = [{"token": []}, {"session": []}]
    spec.path(path=path, operations={method.lower(): operation for method in methods})


def endpoint(
    rule: str,
    methods: Iterable[str] = ("GET",),
    *,
    summary: str,
    tags: Iterable[str],
    query: Schema | type[Schema] | None = None,
    body: Schema | type[Schema] | None = None,
    response: Schema | type[Schema] | None = None,
    status: int = 200,
    security: bool = False,
    errors: Iterable[int] = (),
) -> Callable:
    """Declare an API operation: its route on `bp`, the validated `args=` (query) and `body=`
    passed to the view, its answer serialised by `response`, and its entry in `spec`."""
    methods = tuple(methods)
    query, body, response = _instance(query), _instance(body), _instance(response)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def run(**values):
            try:
                if query is not None:
                    values["args"] = _load(query, _query_data(query))
                if body is not None:
                    values["body"] = _load(body, _json_body())
            except _Invalid as problem:
                return problem.response
            result = view(**values)
            if isinstance(result, Response):
                return result
            answer = current_app.json.response(
                response.dump(result) if response is not None else result
            )
            answer.status_code = status
            return answer

        bp.add_url_rule(rule, view.__name__, run, methods=list(methods))
        _document(
            rule,
            methods,
            view,
            summary=summary,
            tags=tags,
            query=query,
            body=body,
            response=response,
            status=status,
            security=security,
            errors=errors,
        )
        return run

    return decorator


def not_found() -> Response:
    """The API's 404, for a view whose row does not exist or is not shown."""
    return error_response(404)
