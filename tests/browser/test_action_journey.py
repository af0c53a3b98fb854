"""A city drafts an action over two visits, submits it, sees its benefits open; the secretariat
publishes it and a visitor finds it in the repository, filtered by priority area, in French."""

import re

import pytest

from tests.browser.conftest import log_in
from tests.conftest import Factories

pytestmark = pytest.mark.browser


def log_out(page):
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/")


def test_draft_submit_unlock_publish_and_find(page, live_app):
    make = Factories(live_app)
    member, _ = make.member(
        make.organisation(name="Dakar", country="SN", region="africa"),
        email="member@dakar.example.org",
        locale="en",
    )
    admin = make.user(role="admin", email="admin@example.org")

    # First visit: start the action, fill the first step, leave.
    log_in(page, member.email)
    assert page.get_by_text("What submitting an action opens").is_visible()
    page.get_by_role("button", name="Start an action").click()
    page.get_by_label("Title of the action").fill("Neighbourhood welcome desks")
    page.get_by_label("Description").fill("Desks in every district help **newcomers**.")
    page.get_by_role("button", name="Save and finish later").click()
    page.get_by_text("Your draft is saved").wait_for()
    log_out(page)

    # Second visit: resume from the dashboard, finish and submit.
    log_in(page, member.email)
    page.get_by_role("link", name="Neighbourhood welcome desks").click()
    assert page.get_by_label("Title of the action").input_value() == "Neighbourhood welcome desks"
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Start date").fill("2023-10-01")
    page.get_by_label("Ongoing, with no planned end date").check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_label("Migrants").check()
    page.get_by_label("Refugees").check()
    page.get_by_label(
        "Provide access to urban infrastructure, social services and education, "
        "regardless of status"
    ).check()
    page.get_by_role("button", name="Save and continue").click()
    page.get_by_role("button", name="Save and continue").click()  # partners: nothing to add
    assert page.get_by_text("Mirror pledge (GCM and GCR)").is_visible()
    page.get_by_role("button", name="Submit the action").click()

    page.get_by_role("heading", name="Open to you").wait_for()
    for benefit in ("mooc", "member_events", "mailing_list", "mgi_interest"):
        assert page.locator(f'[data-benefit="{benefit}"]').is_visible()
    log_out(page)

    # The secretariat publishes it.
    log_in(page, admin.email)
    page.goto("/admin/actions/")
    page.get_by_role("link", name="Neighbourhood welcome desks").click()
    page.get_by_role("button", name="Publish in the repository").click()
    page.get_by_text("published", exact=False).first.wait_for()
    log_out(page)

    # A visitor finds it in French, filtered by its priority area.
    page.goto("/actions/?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.locator("select[name=priority]").select_option("4")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*priority=4.*"))
    assert page.get_by_role("link", name="Neighbourhood welcome desks").is_visible()
    page.locator("select[name=priority]").select_option("1")
    page.locator("form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*priority=1.*"))
    assert page.get_by_role("link", name="Neighbourhood welcome desks").count() == 0
