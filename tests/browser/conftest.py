"""Browser tests: the app on a real HTTP server, driven in Debian's headless Chromium."""

import os
import re
import time
from pathlib import Path

import pyotp
import pytest

from cta_learning import create_app
from cta_learning.extensions import db
from tests.conftest import PASSWORD, TEST_CONFIG, TOTP_SECRET
from tests.servers import LiveServer


@pytest.fixture
def live_app(request, tmp_path):
    app = create_app(
        {
            **TEST_CONFIG,
            "WTF_CSRF_ENABLED": True,
            "TESTING": False,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}",
            **getattr(request, "param", {}),
        }
    )
    with app.app_context():
        db.create_all()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_server(live_app):
    with LiveServer(live_app) as server:
        yield server


def new_page(
    browser, live_server, phone: bool = False, locale: str = "en-GB", zone: str = "America/Bogota"
):
    """A page in a new browser context (its own cookies), at desktop or phone width (390 px,
    touch), whose browser asks for `locale` and lives in time zone `zone`."""
    screen = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    context = browser.new_context(
        base_url=live_server.url, locale=locale, timezone_id=zone, **(screen if phone else {})
    )
    context.set_default_timeout(10_000)
    return context.new_page()


@pytest.fixture
def page(browser, live_server):
    page = new_page(browser, live_server)
    yield page
    page.context.close()


@pytest.fixture
def phone(browser, live_server):
    """A page the width of a phone (390 px), on a touch screen."""
    page = new_page(browser, live_server, phone=True)
    yield page
    page.context.close()


SCREENSHOTS = Path(os.environ.get("CTA_SCREENSHOTS", "build/screenshots"))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as build/screenshots/<name>.png (CTA_SCREENSHOTS to move it)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    return path


def overflowing(page) -> list[str]:
    """The elements wider than the window (what would scroll sideways on a phone)."""
    return page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            return [...document.querySelectorAll('body *')]
                .filter((e) => e.getBoundingClientRect().right > width + 1)
                .map((e) => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
        }"""
    )


def log_in(page, email: str) -> None:
    """Log in through the form (and the code, with two-step on) and wait for the dashboard."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r"/(login/verify|dashboard)"))
    if "/login/verify" in page.url:
        enter_code(page)
    # The dashboard, in whatever language the person reads (not only "Hello").
    page.wait_for_url(re.compile(r"/dashboard"))
    page.locator("main h1").wait_for()


def enter_code(page, secret: str = TOTP_SECRET) -> None:
    """Type the authenticator app's code; the next one if this one was just used."""
    totp = pyotp.TOTP(secret)
    for offset in (0, totp.interval):
        page.get_by_label("Code").fill(totp.at(time.time() + offset))
        page.get_by_role("button", name="Verify").click()
        refused = page.get_by_text("This code is not right")
        refused.or_(page.get_by_role("heading", name=re.compile("^Hello"))).first.wait_for()
        if not refused.is_visible():
            return
