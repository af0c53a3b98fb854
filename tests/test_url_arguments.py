"""Hostile numbers and strings in every URL, generated from the URL map: never a 5xx.

Every rule with arguments is requested with each argument in turn replaced by a number past
64 bits, a huge one, -1, 0 and a non-ASCII string (the other arguments keep a plain value),
by GET and by POST where the rule allows them, as a visitor, a member and an admin. Every GET
route is also asked for hostile `?page=` values. A new route is covered as soon as it exists.
"""

from urllib.parse import quote

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

HOSTILE_ARGUMENTS = [str(2**31), str(2**63), str(10**30), "-1", "0", "é٣ü"]
HOSTILE_PAGES = [str(2**63), str(10**30), "-1", "0", "abc", "٣", "1e3", "9" * 400]
ROLES = ["visitor", "member", "admin"]


def _plain_value(converter) -> str:
    """A value the argument's converter accepts, for the arguments not under test."""
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    if isinstance(converter, IntegerConverter):
        return "1"
    return "x"


def _path(rule, values: dict[str, str]) -> str:
    """The rule's path with each <converter:name> replaced by its (quoted) value."""
    path = ""
    for is_argument, text in rule._trace:
        path += quote(values[text], safe="") if is_argument else text
    return path.split("|", 1)[1]


def _hostile_requests(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.arguments:
            continue
        plain = {name: _plain_value(c) for name, c in rule._converters.items()}
        for name in sorted(rule.arguments):
            for value in HOSTILE_ARGUMENTS:
                path = _path(rule, {**plain, name: value})
                for method in sorted(rule.methods & {"GET", "POST"}):
                    yield method, path


def _sign_in(auth, role: str) -> None:
    if role != "visitor":
        auth.login_as(role)


@pytest.mark.parametrize("role", ROLES)
def test_hostile_url_arguments_are_never_a_server_error(app, client, auth, make, role):
    make.organisation()  # so that "1" names a row on the organisation routes
    _sign_in(auth, role)
    app.config["PROPAGATE_TEST_ERRORS"] = False  # list every failure, not just the first
    failures = []
    for method, path in _hostile_requests(app):
        response = client.open(path, method=method)
        response.close()  # ends a streamed response (CSV) before the next request
        if response.status_code >= 500:
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize(
    "path", ["/events/9223372036854775808", "/actions/99999999999999999999999"]
)
def test_numbers_past_64_bits_are_not_found(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_hostile_page_numbers_are_never_a_server_error(app, client, auth, role):
    _sign_in(auth, role)
    app.config["PROPAGATE_TEST_ERRORS"] = False
    paths = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and not rule.arguments and rule.endpoint != "static"
    ]
    failures = []
    for path in paths:
        for value in HOSTILE_PAGES:
            response = client.get(path, query_string={"page": value})
            response.close()
            if response.status_code >= 500:
                failures.append(f"GET {path}?page={value}: {response.status_code}")
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("page", [str(2**63), "-1", "0", "100001"])
def test_admin_lists_answer_404_for_pages_out_of_range(client, auth, page):
    auth.login_as("admin")
    for path in ["/admin/users", "/admin/organisations", "/admin/actions/", "/admin/mailbox/"]:
        assert client.get(path, query_string={"page": page}).status_code == 404, path


@pytest.mark.parametrize("series", [str(2**63), str(10**30), "-1"])
def test_new_event_in_a_series_past_the_largest_id_is_not_found(client, auth, series):
    auth.login_as("organiser")
    assert client.get("/manage/events/new", query_string={"series": series}).status_code == 404


@pytest.mark.parametrize("digits", ["2147483648", "9999999999", "6048933660248281088"])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_a_number_no_row_can_have_is_not_found_whatever_the_method(auth, make, digits, method):
    """Not 405: the address exists for POST and DELETE with any real event number."""
    auth.login_as("member")
    response = auth.client.open(f"/api/v1/events/{digits}/registration", method=method)
    assert response.status_code == 404 if method != "GET" else response.status_code in (404, 405)
    response = auth.client.get(f"/events/{digits}")
    assert response.status_code == 404
