"""A member of an unlocked city finds their own subscription on the dashboard, the account page
and the mailing page, and opens its preferences without any emailed link; at desktop and phone
width, in English and French."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories
from tests.courses.helpers import unlock

pytestmark = pytest.mark.browser

EMAIL = "awa@dakar.example.org"


def unlocked_member(app) -> None:
    make = Factories(app)
    _, organisation = make.member(
        make.organisation(name="Dakar", country="SN", region="africa"), email=EMAIL, name="Awa"
    )
    unlock(app, organisation)  # members are subscribed on unlock


def status(page):
    return page.locator("#mailing-status")


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_a_member_finds_and_manages_their_subscription(request, live_app, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    unlocked_member(live_app)
    log_in(page, EMAIL)

    expect(status(page)).to_contain_text(f"You are subscribed as {EMAIL}.")
    status(page).scroll_into_view_if_needed()
    screenshot(page, f"mailing-member-status-dashboard-{width}")

    page.goto("/account")
    expect(status(page)).to_contain_text("Announcements of peer-learning events")
    screenshot(page, f"mailing-member-status-account-{width}")

    page.goto("/mailing/")
    expect(status(page)).to_contain_text(f"You are subscribed as {EMAIL}.")
    expect(status(page)).to_contain_text("English")
    expect(page.locator("input[name=email]")).to_have_count(0)  # no form to fill again
    assert overflowing(page) == []
    screenshot(page, f"mailing-member-status-{width}")

    status(page).get_by_role("link", name="Manage your subscription").click()
    page.wait_for_url(re.compile(r"/mailing/preferences/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your mailing list preferences")
    expect(page.get_by_text(f"For {EMAIL}.")).to_be_visible()


def test_a_member_sees_their_subscription_in_french_on_a_phone(phone, live_app):
    unlocked_member(live_app)
    log_in(phone, EMAIL)
    phone.locator("button[name=lang][value=fr]").first.click()
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    phone.goto("/mailing/")
    expect(phone.locator("html")).to_have_attribute("lang", "fr")
    expect(status(phone)).to_contain_text(EMAIL)
    expect(status(phone).locator("a.button")).to_have_attribute("href", "/mailing/mine")
    assert overflowing(phone) == []
    screenshot(phone, "mailing-member-status-fr-390")
