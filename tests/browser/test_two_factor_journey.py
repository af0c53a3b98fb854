"""An organiser without two-step sign-in is asked to set it up, then signs in with the code."""

import re

import pyotp
import pytest

from tests.browser.conftest import enter_code, log_in
from tests.conftest import PASSWORD, Factories

pytestmark = pytest.mark.browser


def test_organiser_sets_up_two_step_then_logs_in_with_the_code(page, live_app, live_server):
    organiser = Factories(live_app).user(
        role="organiser", email="oscar@example.org", two_step=False
    )
    log_in(page, organiser.email)

    page.goto("/manage/events/")
    page.get_by_text("Set up two-step sign-in to open the staff pages").wait_for()
    page.get_by_role("button", name="Set up two-step sign-in").click()
    qr_code = page.get_by_role("img", name="QR code for your authenticator app")
    qr_code.wait_for()
    # The SVG drawn on the server is allowed by the Content-Security-Policy and shows.
    assert qr_code.evaluate("image => image.complete && image.naturalWidth > 0")
    secret = page.locator("#totp-key").inner_text().replace(" ", "")

    totp = pyotp.TOTP(secret)
    page.get_by_label("Code").fill(str((int(totp.now()) + 500_000) % 1_000_000).zfill(6))
    page.get_by_role("button", name="Turn on").click()
    page.get_by_text("This code is not right").wait_for()
    page.get_by_label("Code").fill(totp.now())
    page.get_by_role("button", name="Turn on").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    assert len(page.locator("ul.recovery-codes li").all()) == 10
    page.get_by_role("link", name="I have saved them").click()

    page.goto("/manage/events/")
    page.get_by_role("heading", name="Events you run").wait_for()

    page.get_by_role("button", name="Log out").click()
    page.goto("/login")
    page.get_by_label("Email").fill(organiser.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Two-step sign-in").wait_for()
    enter_code(page, secret)
    page.get_by_role("heading", name=re.compile("^Hello")).wait_for()
