"""The sign-up time zone: guessed from the browser's language and country without JavaScript,
the browser's own zone with it, and a list narrowed by typing; at desktop and phone width."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import overflowing, screenshot

pytestmark = pytest.mark.browser


def new_page(browser, live_server, width: str, **options):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    context = browser.new_context(
        base_url=live_server.url, **(phone if width == "390" else {}), **options
    )
    context.set_default_timeout(10_000)
    return context, context.new_page()


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_without_javascript_the_zone_follows_the_browser_s_country(browser, live_server, width):
    context, page = new_page(browser, live_server, width, locale="es-CO", java_script_enabled=False)
    page.goto("/signup")
    expect(page.locator("html")).to_have_attribute("lang", "es")
    zone = page.locator("select#timezone")
    expect(zone).to_have_value("America/Bogota")
    expect(zone.locator("option:checked")).to_have_text("Bogotá, Colombia (UTC-05:00)")
    expect(page.locator("input.zone-filter")).to_have_count(0)  # the filter is the script's
    zone.scroll_into_view_if_needed()
    assert overflowing(page) == []
    screenshot(page, f"signup-timezone-no-js-es-{width}")
    context.close()


@pytest.mark.parametrize("width", ["desktop", "390"])
def test_the_browser_s_zone_wins_and_typing_narrows_the_list(browser, live_server, width):
    context, page = new_page(
        browser, live_server, width, locale="fr-SN", timezone_id="Africa/Nairobi"
    )
    page.goto("/signup")
    zone = page.get_by_label("Fuseau horaire", exact=True)
    expect(zone).to_have_value("Africa/Nairobi")  # not the server's guess, Africa/Dakar
    box = page.get_by_placeholder("Rechercher une ville ou un pays")
    box.fill("bogota")
    expect(zone).to_have_value("America/Bogota")
    visible = zone.locator("option:not([hidden])")
    expect(visible).to_have_count(1)
    box.press("Enter")  # narrowing does not send the form
    expect(page).to_have_url(f"{live_server.url}/signup")
    box.fill("colombie")  # the country's name in the page's language finds it too
    expect(visible).to_have_text(["Bogota, Colombie (UTC-05:00)"])
    box.fill("")
    assert zone.locator("option").count() > 400
    assert overflowing(page) == []
    screenshot(page, f"signup-timezone-filter-fr-{width}")
    context.close()
