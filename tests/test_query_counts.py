"""Pages run the same number of SQL queries with 10 or 10,000 organisations."""

import pytest

from tests.bulk import add_organisations
from tests.conftest import Auth, count_queries

pytestmark = pytest.mark.slow

VISITOR_PAGES = ["/", "/priorities", "/faq", "/login", "/signup"]
MEMBER_PAGES = ["/dashboard", "/organisation", "/organisation/members", "/account"]
ADMIN_PAGES = [
    "/admin/users",
    "/admin/organisations",
    "/admin/organisations?q=city",
    "/admin/mailbox/",
]


def queries_per_page(app, client, pages) -> dict[str, int]:
    result = {}
    for path in pages:
        client.get(path)  # warm caches (country names, templates) outside the count
        with count_queries(app) as queries:
            assert client.get(path).status_code == 200, path
        result[path] = len(queries)
    return result


def test_query_counts_do_not_grow_with_organisations(app, client, auth, make):
    owner, organisation = make.member()
    make.member(organisation, role="member")
    admin_client = app.test_client()
    admin = make.user(role="admin")
    Auth(admin_client, make).login(admin.email)  # with the code: admins have two-step on
    auth.login(owner.email)

    add_organisations(app, 10)
    small = (
        queries_per_page(app, app.test_client(), VISITOR_PAGES),
        queries_per_page(app, client, MEMBER_PAGES),
        queries_per_page(app, admin_client, ADMIN_PAGES),
    )
    add_organisations(app, 9_990)
    large = (
        queries_per_page(app, app.test_client(), VISITOR_PAGES),
        queries_per_page(app, client, MEMBER_PAGES),
        queries_per_page(app, admin_client, ADMIN_PAGES),
    )
    assert large == small
    visitors, members, admins = small
    assert all(number == 0 for number in visitors.values()), visitors
    # The dashboard is the busiest: access, actions, courses, your events, and the events
    # recommended for your organisation's priority areas (two queries), and the government's
    # Local MGI request.
    assert members["/dashboard"] <= 7, members
    assert max(count for path, count in members.items() if path != "/dashboard") <= 4, members
    assert max(admins.values()) <= 4, admins


def test_members_page_query_count_does_not_grow_with_members(app, client, auth, make):
    owner, organisation = make.member()
    auth.login(owner.email)
    client.post("/organisation/members", data={"email": "a@city.example.org", "role": "member"})
    few = queries_per_page(app, client, ["/organisation/members"])
    for _ in range(20):
        make.member(organisation, role="member")
        client.post(
            "/organisation/members", data={"email": f"x{_}@city.example.org", "role": "member"}
        )
    assert queries_per_page(app, client, ["/organisation/members"]) == few
