"""The secretariat's audit log page: filters, pages, CSV, readable details, bounded queries."""

import ast
import csv
import io
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from cta_learning import access, audit
from cta_learning.accounts.models import Organisation, User
from cta_learning.audit_labels import KIND_LABELS
from cta_learning.audit_listing import PER_PAGE
from cta_learning.extensions import db
from tests.actions.helpers import make_action
from tests.community.mgi.helpers import make_request
from tests.conftest import count_queries
from tests.hostile import nothing_changes

PACKAGE = Path(__file__).resolve().parent.parent / "cta_learning"


def audited_verbs() -> set[str]:
    """Every verb the code passes to `audit.record` (both branches of a conditional too)."""
    verbs = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and node.args:
                name = getattr(node.func, "attr", getattr(node.func, "id", None))
                if name == "record":
                    verbs |= {
                        c.value
                        for c in ast.walk(node.args[0])
                        if isinstance(c, ast.Constant) and isinstance(c.value, str)
                    }
    return verbs


def test_every_audited_kind_has_a_label():
    verbs = audited_verbs()
    assert "organisation.unlocked" in verbs  # the scan finds them
    assert sorted(verbs - set(KIND_LABELS)) == []


def add_event(app, verb, subject, actor=None, at=None, **details):
    """Record an audit event about `subject` (a detached row), at `at` (UTC) if given."""
    with app.app_context():
        event = audit.record(
            verb,
            db.session.get(type(subject), subject.id),
            actor and db.session.get(User, actor.id),
            **details,
        )
        if at is not None:
            event.at = at
        db.session.commit()
        return event.id


@pytest.fixture
def admin(auth):
    return auth.login_as("admin", name="Ada Admin", timezone="America/Bogota")


def rows_of(response) -> list[str]:
    html = response.get_data(as_text=True)
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return body.split("<tr>")[1:]


def test_an_unlock_reads_plainly_newest_first(app, client, make, admin):
    _member, organisation = make.member(name="Mara Member")
    with app.app_context():
        city = db.session.get(Organisation, organisation.id)
        access.grant_manually(
            city, "Invited partner of the 2026 summit", db.session.get(User, admin.id)
        )
        db.session.commit()
    response = client.get("/admin/audit-log")
    assert response.status_code == 200
    rows = rows_of(response)
    [opened] = [n for n, row in enumerate(rows) if "Benefits opened" in row]
    [granted] = [n for n, row in enumerate(rows) if "Access granted by the secretariat" in row]
    assert opened < granted  # recorded after the grant: newest first
    assert "Invited partner of the 2026 summit" in rows[granted] and "Reason" in rows[granted]
    assert "Ada Admin" in rows[granted] and organisation.name in rows[granted]


def test_the_organisation_page_links_to_its_own_log(app, client, make, admin):
    _member, organisation = make.member()
    _other, other = make.member()
    add_event(app, "organisation.updated", organisation)
    add_event(app, "organisation.updated", other)
    page = client.get(f"/admin/organisations/{organisation.id}").get_data(as_text=True)
    link = f"/admin/audit-log?organisation={organisation.id}"
    assert link in page
    response = client.get(link)
    assert len(rows_of(response)) == 1 and organisation.name in rows_of(response)[0]
    assert f'<option selected value="{organisation.id}">' in response.get_data(as_text=True)


def test_an_organisation_s_log_holds_its_actions_and_requests(app, client, make, admin):
    member, organisation = make.member()
    other_member, other = make.member()
    make_action(app, organisation, member, status="submitted")
    make_action(app, other, other_member, status="submitted")
    make_request(app, organisation, member)
    add_event(app, "mgi.requested", fetch_request(app, organisation), member)
    rows = rows_of(client.get(f"/admin/audit-log?organisation={organisation.id}"))
    assert len([row for row in rows if "Action submitted" in row]) == 1  # not the other's
    assert len([row for row in rows if "Local MGI interest registered" in row]) == 1


def fetch_request(app, organisation):
    from cta_learning.community.mgi.models import MgiRequest
    from tests.conftest import fetch

    return fetch(app, MgiRequest, organisation_id=organisation.id)


def test_filter_by_person_finds_what_they_did_and_what_was_done_to_them(app, client, make, admin):
    alice = make.user(name="Alice Akinyi", email="alice@nairobi.example.org")
    bob = make.user(name="Bob Banda")
    _member, organisation = make.member()
    add_event(app, "organisation.updated", organisation, alice)
    add_event(app, "user.role_changed", alice, bob, role="organiser")
    add_event(app, "organisation.updated", organisation, bob)
    for term in ("akinyi", "ALICE@nairobi"):
        rows = rows_of(client.get("/admin/audit-log", query_string={"person": term}))
        assert len(rows) == 2
        assert "Role changed" in rows[0] and "organiser" in rows[0]
    assert rows_of(client.get("/admin/audit-log?person=100%25")) == []  # % is not a wildcard


def test_filter_by_kind_and_by_days_in_the_admin_s_time_zone(app, client, make, admin):
    _member, organisation = make.member()
    # 3 May 2026, 23:30 in Bogotá (UTC-5) is 4 May at 04:30 UTC: a 3 May event for this admin.
    add_event(app, "organisation.updated", organisation, at=datetime(2026, 5, 4, 4, 30))
    add_event(app, "organisation.updated", organisation, at=datetime(2026, 5, 4, 5, 30))
    add_event(app, "organisation.created", organisation, at=datetime(2026, 5, 3, 12, 0))
    may_3 = {"since": "2026-05-03", "until": "2026-05-03"}
    assert len(rows_of(client.get("/admin/audit-log", query_string=may_3))) == 2
    rows = rows_of(
        client.get("/admin/audit-log", query_string={**may_3, "kind": "organisation.updated"})
    )
    assert len(rows) == 1 and "Profile edited" in rows[0]
    html = client.get("/admin/audit-log").get_data(as_text=True)
    assert '<optgroup label="Organisations">' in html


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"organisation": "abc"}, "Not a valid choice"),
        ({"organisation": "999999"}, "Not a valid choice"),
        ({"kind": "user.hacked"}, "Not a valid choice"),
        ({"since": "2026-13-45"}, "Enter a date, for example 2027-01-22."),
        ({"until": "yesterday"}, "Enter a date, for example 2027-01-22."),
        ({"since": "2026-05-04", "until": "2026-05-03"}, "The end date is before the start date."),
        ({"person": "x" * 255}, "At most 254 characters."),
    ],
)
def test_a_wrong_filter_is_a_400_with_its_reason(app, client, make, admin, arguments, message):
    _member, organisation = make.member()
    add_event(app, "organisation.updated", organisation)
    with nothing_changes(app):
        response = client.get("/admin/audit-log", query_string=arguments)
        export = client.get("/admin/audit-log.csv", query_string=arguments)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert export.status_code == 400 and "These filters are not valid" in export.get_data(
        as_text=True
    )


def test_the_log_is_paginated_and_keeps_its_filters(app, client, make, admin):
    _member, organisation = make.member()
    with app.app_context():
        city = db.session.get(Organisation, organisation.id)
        for _ in range(PER_PAGE + 3):
            audit.record("organisation.updated", city)
        db.session.commit()
    first = client.get(f"/admin/audit-log?organisation={organisation.id}")
    assert len(rows_of(first)) == PER_PAGE
    assert f"/admin/audit-log?page=2&amp;organisation={organisation.id}" in first.get_data(
        as_text=True
    )
    second = client.get(f"/admin/audit-log?page=2&organisation={organisation.id}")
    assert len(rows_of(second)) == 3
    assert client.get(f"/admin/audit-log?page=3&organisation={organisation.id}").status_code == 404


def test_csv_export_of_the_filtered_list_is_safe_in_spreadsheets(app, client, make, admin):
    plotter = make.user(name='=HYPERLINK("http://evil")', email="plotter@city.example.org")
    _member, organisation = make.member(name="Ignored")
    with app.app_context():
        db.session.get(Organisation, organisation.id).name = "+Sum City"
        db.session.commit()
    add_event(app, "organisation.updated", organisation, plotter)
    add_event(app, "organisation.locked", organisation, at=datetime(2020, 1, 1))
    response = client.get(
        "/admin/audit-log.csv",
        query_string={"organisation": organisation.id, "since": "2021-01-01"},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0][:3] == ["time_utc", "kind", "kind_label"]
    assert len(rows) == 2  # the 2020 event is filtered out
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["kind"] == "organisation.updated" and row["kind_label"] == "Profile edited"
    assert row["person"].startswith("'=") and row["subject"] == "'+Sum City"
    assert row["person_email"] == "plotter@city.example.org"


def test_the_page_s_queries_do_not_grow_with_its_events(app, client, make, admin):
    def queries_for_page() -> int:
        with count_queries(app) as queries:
            assert client.get("/admin/audit-log").status_code == 200
        return len(queries)

    member, organisation = make.member()
    add_event(app, "organisation.updated", organisation, member)
    add_event(app, "user.signed_up", member, member)
    few = queries_for_page()
    for number in range(12):
        someone, place = make.member()
        add_event(app, "organisation.updated", place, someone)
        add_event(app, "user.signed_up", someone, someone, number=number)
    assert queries_for_page() == few


def test_deleted_subjects_and_unknown_kinds_still_read(app, client, make, admin):
    _member, organisation = make.member()
    add_event(app, "organisation.updated", organisation, changes={"name": ["Old", "New"]})
    with app.app_context():
        db.session.get(Organisation, organisation.id).name = "Renamed"
        audit.record("feature.not_labelled_yet", db.session.get(Organisation, organisation.id))
        db.session.commit()
    html = client.get("/admin/audit-log").get_data(as_text=True)
    assert "feature.not_labelled_yet" in html and "name: Old → New" in html
    with app.app_context():
        db.session.delete(db.session.get(Organisation, organisation.id))
        db.session.commit()
    html = client.get("/admin/audit-log").get_data(as_text=True)
    assert f"number {organisation.id} (no longer there)" in html


def test_the_log_renders_in_french(app, client, make, auth):
    auth.login_as("admin", locale="fr")
    _member, organisation = make.member()
    add_event(app, "organisation.updated", organisation)
    response = client.get("/admin/audit-log")
    assert response.status_code == 200 and '<html lang="fr">' in response.get_data(as_text=True)


def test_events_within_the_last_day_show_with_today_s_filter(app, client, make, admin):
    _member, organisation = make.member()
    add_event(app, "organisation.updated", organisation)
    today = datetime.now(ZoneInfo("America/Bogota")).date().isoformat()  # the admin's day
    assert len(rows_of(client.get("/admin/audit-log", query_string={"since": today}))) == 1
