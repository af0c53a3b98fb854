"""A member of an unlocked city registers its interest in Local MGI; the secretariat, in a
browser of its own, shares the request with IOM, and the member's dashboard shows the step."""

import pytest

from tests.browser.conftest import log_in
from tests.conftest import Factories, outbox
from tests.courses.helpers import unlock

pytestmark = pytest.mark.browser


def test_register_interest_and_see_the_step_change(page, browser, live_server, live_app):
    make = Factories(live_app)
    ana, city = make.member(
        email="ana@sanjose.example.org", name="Ana Mora", locale="en", timezone="America/Bogota"
    )
    unlock(live_app, city)
    admin = make.user(role="admin", email="admin@example.org", locale="en")

    # From her dashboard, the member opens the form and registers the city's interest.
    log_in(page, ana.email)
    page.locator("#my-mgi").get_by_role("link", name="Register interest").click()
    page.get_by_role("heading", name="Register your government's interest").wait_for()
    assert page.get_by_label("Name of the focal point").input_value() == "Ana Mora"
    page.get_by_label("Position").fill("Head of the Office for Migrant Inclusion")
    page.get_by_label("Phone").fill("+506 2547 6000")
    page.get_by_label("Why does your government want").fill("An inventory and an action plan.")
    page.get_by_label("Population and migration context").fill("350,000 inhabitants.")
    page.get_by_label("Spanish").check()
    page.get_by_role("button", name="Register our interest").click()
    page.get_by_text("Please correct the highlighted fields.").wait_for()  # no consent yet
    page.get_by_label("I agree that the secretariat shares").check()
    page.get_by_role("button", name="Register our interest").click()
    page.get_by_text("Your interest is registered.").wait_for()
    page.goto("/dashboard")
    assert "Received" in page.locator("#my-mgi").inner_text()

    # The secretariat, in another browser, shares the request with IOM.
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    context.set_default_timeout(10_000)
    desk = context.new_page()
    log_in(desk, admin.email)
    desk.goto("/admin/mgi/")
    desk.get_by_role("link", name=city.name).click()
    desk.get_by_label("New step").select_option("shared")
    desk.get_by_label("Note to the organisation").fill("Sent to IOM's regional office.")
    desk.get_by_role("button", name="Change the step").click()
    desk.get_by_text("The request is now at the step").wait_for()
    context.close()

    # The member's dashboard shows the new step, and the email says so.
    page.reload()
    assert "Shared with IOM" in page.locator("#my-mgi").inner_text()
    subjects = [message.subject for message in outbox(live_app, to=ana.email)]
    assert "Local MGI: your request is now “Shared with IOM”" in subjects
