"""The Call in figures in a browser: charts with their tables, the filters without JavaScript,
in English and French, at desktop and phone width, nothing scrolling sideways."""

import pytest

from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories
from tests.figures.helpers import known_world

pytestmark = pytest.mark.browser


def open_every_table(page) -> None:
    for summary in page.locator("details.figure-data > summary").all():
        summary.click()


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_figures_read_at_desktop_and_phone_width(page, phone, live_app, language):
    known_world(live_app)
    for device, width in ((page, "desktop"), (phone, "390")):
        device.goto(f"/figures?lang={language}")
        heading = "The Call in figures" if language == "en" else None
        if heading:
            device.get_by_role("heading", name=heading, level=1).wait_for()
        charts = device.get_by_role("img")
        assert charts.count() >= 13
        assert device.locator("svg.chart title").first.text_content()
        open_every_table(device)
        device.locator("table.figure-table").first.wait_for(state="visible")
        assert overflowing(device) == [], (language, width)
        screenshot(device, f"figures-{language}-{width}")


def test_the_filters_work_without_javascript(browser, live_server, live_app):
    known_world(live_app)
    context = browser.new_context(
        base_url=live_server.url, locale="en-GB", java_script_enabled=False
    )
    page = context.new_page()
    page.goto("/figures")
    page.get_by_label("UN region", exact=True).select_option("africa")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/figures?year=&region=africa")
    totals = page.locator(".figures-totals").inner_text()
    assert "Published actions\n3" in totals
    page.get_by_role("link", name="Clear the filters").wait_for()
    context.close()


def test_the_secretariat_sees_the_drill_downs(page, phone, live_app):
    known_world(live_app)
    admin = Factories(live_app).user(role="admin", email="admin@example.org", locale="en")
    for device, width in ((page, "desktop"), (phone, "390")):
        log_in(device, admin.email)
        device.goto("/figures")
        device.get_by_role("heading", name="Actions by priority area and UN region").wait_for()
        device.get_by_role("link", name="Published actions in the report's shape (CSV)").wait_for()
        open_every_table(device)
        assert overflowing(device) == [], width
        screenshot(device, f"figures-admin-{width}")
