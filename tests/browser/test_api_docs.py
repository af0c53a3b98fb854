"""The API's documentation page in a browser: reached from the footer, every operation with its
example request and answer, in English and French, at desktop and phone width, nothing
scrolling sideways and nothing loaded from another host."""

import pytest

from tests.browser.conftest import overflowing, screenshot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_api_documentation_reads_at_desktop_and_phone_width(page, phone, live_server, language):
    for device, width in ((page, "desktop"), (phone, "390")):
        requested = []
        device.on("request", lambda request, seen=requested: seen.append(request.url))
        device.goto(f"/?lang={language}")
        device.locator("footer a[href='/api/v1/docs']").click()
        device.wait_for_url("**/api/v1/docs")
        operations = device.locator("section.api-operation")
        assert operations.count() >= 9
        if language == "en":
            device.get_by_role("heading", name="API documentation", level=1).wait_for()
            actions = device.locator("#actions")
            assert "Example request" in actions.inner_text()
            assert "curl" in actions.locator("pre").first.inner_text()
            assert '"links"' in actions.locator("pre").nth(1).inner_text()
        assert overflowing(device) == [], (language, width)
        assert all(url.startswith(live_server.url) for url in requested)
        screenshot(device, f"api-docs-{language}-{width}")
