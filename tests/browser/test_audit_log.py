"""An admin reads why an organisation's benefits are open: from its page to its audit log,
filtered without JavaScript, at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from cta_learning import access
from cta_learning.accounts.models import Organisation, User
from cta_learning.extensions import db
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories

pytestmark = pytest.mark.browser

ADMIN = "ada@secretariat.example.org"


def arrange(app) -> int:
    """Two cities, one opened by the secretariat; returns its id."""
    make = Factories(app)
    make.user(role="admin", email=ADMIN, name="Ada Admin")
    _member, dakar = make.member(make.organisation(name="Dakar"), name="Awa Diop")
    make.member(make.organisation(name="Quito", country="EC", region="americas"))
    with app.app_context():
        admin = db.session.scalar(db.select(User).where(User.email == ADMIN))
        reason = "Partner of the 2026 summit, invited before its first action"
        access.grant_manually(db.session.get(Organisation, dakar.id), reason, admin)
        db.session.commit()
    return dakar.id


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_an_admin_follows_open_because_of_to_the_audit_log(request, live_app, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    dakar = arrange(live_app)
    log_in(page, ADMIN)
    page.goto(f"/admin/organisations/{dakar}")
    expect(page.get_by_text("Open, because of:")).to_be_visible()
    page.get_by_role("link", name="See this organisation's audit log").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    expect(page.get_by_label("Organisation")).to_have_value(str(dakar))
    log = page.locator("table.audit-log tbody")
    expect(log.locator("tr").filter(has_text="Benefits opened")).to_have_count(1)
    granted = log.locator("tr").filter(has_text="Access granted by the secretariat")
    expect(granted).to_contain_text("Partner of the 2026 summit")
    expect(granted).to_contain_text("Ada Admin")
    expect(log).not_to_contain_text("Quito")
    assert overflowing(page) == []
    screenshot(page, f"audit-log-organisation-{width}")

    page.get_by_label("Kind").select_option("access.granted_manually")
    page.get_by_role("button", name="Filter").click()
    expect(log.locator("tr")).to_have_count(1)
    expect(page.get_by_role("link", name="Download these entries as CSV")).to_have_attribute(
        "href", f"/admin/audit-log.csv?organisation={dakar}&kind=access.granted_manually"
    )
    screenshot(page, f"audit-log-filtered-{width}")


def test_a_wrong_date_is_explained_on_a_phone(phone, live_app):
    arrange(live_app)
    log_in(phone, ADMIN)
    phone.goto("/admin/audit-log?since=2026-02-30")
    expect(phone.get_by_text("Enter a date, for example 2027-01-22.")).to_be_visible()
    assert overflowing(phone) == []
    screenshot(phone, "audit-log-wrong-date-390")
