"""A newcomer signs up, confirms, logs in, creates a profile and switches languages."""

import re

import pytest

from tests.conftest import outbox

pytestmark = pytest.mark.browser


def test_sign_up_confirm_log_in_create_profile_and_switch_language(page, live_app, live_server):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Your name").fill("Awa Diop")
    page.get_by_label("Email").fill("awa@dakar.example.org")
    page.get_by_label("Password", exact=True).fill("a long password")
    page.get_by_label("Repeat the password").fill("a long password")
    # the browser's time zone is pre-selected by a small script
    assert page.get_by_label("Time zone").input_value() == "America/Bogota"
    page.get_by_role("button", name="Create my account").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()

    [message] = outbox(live_app, to="awa@dakar.example.org")
    link = re.search(r"https://learning\.example\.org(/confirm/\S+)", message.body_text).group(1)
    page.goto(link)
    page.get_by_text("Your email address is confirmed").wait_for()

    page.get_by_label("Email").fill("awa@dakar.example.org")
    page.get_by_label("Password").fill("a long password")
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("heading", name="Hello, Awa Diop").wait_for()

    page.get_by_role("link", name="Create a profile").click()
    page.get_by_label("Local or regional government").check()
    page.get_by_label("Name of the organisation").fill("Ville de Dakar")
    page.get_by_label("Country").select_option("SN")
    page.get_by_label("Population (optional)").fill("1146053")
    page.get_by_label("International Migration Review Forum (IMRF)").check()
    page.get_by_role("button", name="Create the profile").click()
    page.get_by_role("heading", name="Ville de Dakar").wait_for()
    assert "Senegal" in page.content()

    page.get_by_role("button", name="Français").click()
    page.get_by_role("link", name="Tableau de bord").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert "Sénégal" in page.content()

    page.get_by_role("button", name="Español").click()
    page.get_by_role("link", name="Panel").wait_for()
    assert page.locator("html").get_attribute("lang") == "es"
    assert "Senegal" in page.content()
