"""An accessibility check (axe-core, as bundled by axe-playwright-python) of the main pages read
in Arabic, right to left, by a visitor and by a member: no serious or critical issue."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import log_in
from tests.browser.test_right_to_left import EMAIL, city  # noqa: F401 - city is a fixture

pytestmark = pytest.mark.browser

BLOCKING = {"serious", "critical"}
VISITOR_PAGES = {
    "home": "/",
    "sign-up": "/signup",
    "log-in": "/login",
    "priorities": "/priorities",
    "faq": "/faq",
    "mailing-list": "/mailing/",
    "courses": "/courses/",
    "events": "/events/",
    "figures": "/figures",
}
MEMBER_PAGES = {"account": "/account", "my-actions": "/my/actions/", "local-mgi": "/mgi/"}


def blocking_issues(page, axe: Axe, name: str) -> list[str]:
    """Each serious or critical rule broken on the page, with the first elements that break it."""
    results = axe.run(page).response
    return [
        f"{name}: {issue['id']} ({issue['impact']}): {issue['help']}: "
        + ", ".join(str(node["target"]) for node in issue["nodes"][:3])
        for issue in results["violations"]
        if issue["impact"] in BLOCKING
    ]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


def visit_all(page, axe: Axe, pages: dict[str, str]) -> list[str]:
    problems = []
    for name, path in pages.items():
        response = page.goto(path)
        if response is None or response.status >= 400:
            problems.append(f"{name}: answered {response and response.status}")
            continue
        assert page.evaluate("document.documentElement.dir") == "rtl", name
        problems += blocking_issues(page, axe, name)
    return problems


def test_the_public_pages_in_arabic_have_no_serious_accessibility_issue(page, live_app, axe):
    page.goto("/?lang=ar")  # remembered for the next pages
    assert visit_all(page, axe, VISITOR_PAGES) == []


def test_a_members_pages_in_arabic_have_no_serious_accessibility_issue(
    phone,
    city,  # noqa: F811
    axe,
):
    log_in(phone, EMAIL)
    phone.locator('.languages button[value="ar"]').click()  # the switcher saves the setting
    phone.wait_for_function("document.documentElement.dir === 'rtl'")
    assert visit_all(phone, axe, {**city, **MEMBER_PAGES}) == []


def test_the_check_finds_a_serious_issue_where_there_is_one(page, axe):
    page.set_content(
        '<html lang="ar" dir="rtl"><head><title>صفحة</title></head>'
        '<body><main><h1>صفحة</h1><img src="x.png"></main></body></html>'
    )
    assert [problem.split(":")[1].strip() for problem in blocking_issues(page, axe, "x")] == [
        "image-alt (critical)"
    ]
