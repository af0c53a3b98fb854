"""A member creates a personal API token on the account page, copies its secret (shown once),
uses it, and revokes it; at desktop and phone width."""

import json
import re
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories

pytestmark = pytest.mark.browser

EMAIL = "awa@dakar.example.org"


def call_me(base_url: str, secret: str) -> int:
    """The status of GET /api/v1/me with the token, as a program would send it."""
    request = urllib.request.Request(  # noqa: S310 - the test server on loopback
        base_url + "/api/v1/me", headers={"Authorization": f"Bearer {secret}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            assert json.load(response)["email"] == EMAIL
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_a_member_creates_copies_uses_and_revokes_a_token(request, live_app, live_server, width):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    Factories(live_app).member(email=EMAIL, name="Awa")
    log_in(page, EMAIL)
    page.goto("/account")
    section = page.locator("#api-tokens")
    expect(section).to_contain_text("You have no API token.")

    section.get_by_label("Token name").fill("Reporting script")
    section.get_by_label("Register for events and cancel registrations").check()
    section.get_by_role("button", name="Create the token").click()
    secret_field = page.locator("#new-token-secret")
    expect(secret_field).to_have_value(re.compile(r"^cta_[\w-]{43}$"))
    secret = secret_field.input_value()
    expect(section).to_contain_text("it will not be shown again")
    copy = section.get_by_role("button", name="Copy")
    copy.click()
    expect(section.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    expect(section).to_contain_text(secret[:8])
    assert overflowing(page) == []
    section.scroll_into_view_if_needed()
    screenshot(page, f"api-tokens-created-{width}")
    assert call_me(live_server.url, secret) == 200

    page.goto("/account")  # the secret is shown on the answer to the form only
    expect(page.locator("#new-token-secret")).to_have_count(0)
    expect(section).to_contain_text("Reporting script")
    expect(section).to_contain_text("Last used")
    screenshot(page, f"api-tokens-list-{width}")

    section.get_by_role("button", name="Revoke “Reporting script”").click()
    expect(page.get_by_text("The token “Reporting script” is revoked")).to_be_visible()
    expect(page.locator("#api-tokens")).to_contain_text("You have no API token.")
    assert overflowing(page) == []
    screenshot(page, f"api-tokens-revoked-{width}")
    assert call_me(live_server.url, secret) == 401
