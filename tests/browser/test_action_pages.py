"""What a city sees while drafting: the review shows the page that will be published (the budget
apart, for the secretariat), the dashboard offers to resume the draft, the form's steps read as
a numbered list, and the organisation form shows the part for the chosen kind. At desktop and
phone width, in English and French."""

import itertools
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.actions.helpers import make_action
from tests.browser.conftest import log_in, overflowing, screenshot
from tests.conftest import Factories

pytestmark = pytest.mark.browser

WIDTHS = {"desktop": "page", "390": "phone"}
CASES = [(language, width) for language in ("en", "fr") for width in WIDTHS]
IDS = [f"{language}-{width}" for language, width in CASES]


def _screen(request, width: str):
    return request.getfixturevalue(WIDTHS[width])


def _in_language(page, language: str) -> None:
    """Switch the signed-in person's language with the switcher, as they would."""
    if language != "en":
        page.locator(".languages").get_by_role("button", name="Français").first.click()
        expect(page.locator("html")).to_have_attribute("lang", language)


def _member(live_app):
    make = Factories(live_app)
    return make.member(
        make.organisation(name="Ville de Dakar", country="SN", region="africa"), locale="en"
    )


@pytest.mark.parametrize(("language", "width"), CASES, ids=IDS)
def test_the_review_shows_the_published_page_and_the_budget_apart(
    request, live_app, language, width
):
    page = _screen(request, width)
    member, city = _member(live_app)
    draft = make_action(
        live_app,
        city,
        member,
        title="Neighbourhood welcome desks",
        results="310 families housed by December.",
        links="https://dakar.example.org/welcome-desks-in-every-district-of-the-city",
        budget=Decimal("250000"),
        currency="XOF",
    )
    log_in(page, member.email)
    _in_language(page, language)
    page.goto(f"/my/actions/{draft}")

    preview = page.locator("section.preview")
    expect(preview.get_by_text("310 families housed by December.")).to_be_visible()
    expect(preview.get_by_role("link", name="https://dakar.example.org/welcome")).to_be_visible()
    expect(preview).not_to_contain_text("250")
    private = page.locator("section.secretariat-only")
    expect(private.get_by_role("heading", level=2)).to_be_visible()
    if language == "en":
        expect(private.get_by_role("heading")).to_have_text("Seen only by the secretariat")
    expect(private).to_contain_text("250")
    assert overflowing(page) == []
    screenshot(page, f"action-review-{language}-{width}")


@pytest.mark.parametrize(("language", "width"), CASES, ids=IDS)
def test_the_steps_read_as_a_numbered_list(request, live_app, language, width):
    page = _screen(request, width)
    member, city = _member(live_app)
    draft = make_action(live_app, city, member, start_on=None, target_groups=set())
    log_in(page, member.email)
    _in_language(page, language)
    page.goto(f"/my/actions/{draft}/timeline")

    steps = page.locator("nav.steps-nav li")
    expect(steps).to_have_count(5)
    lines = [" ".join(text.split()) for text in steps.all_inner_texts()]
    assert [line.split(" ", 1)[0] for line in lines] == ["1", "2", "3", "4", "5"]
    current = page.locator("nav.steps-nav [aria-current=step]")
    expect(current).to_have_count(1)
    expect(page.locator("nav.steps-nav li").nth(1).locator("[aria-current=step]")).to_have_count(1)
    # Each step stands apart: no two share a line without a clear gap between them.
    boxes = [steps.nth(i).bounding_box() for i in range(5)]
    for left, right in itertools.pairwise(boxes):
        same_line = abs(left["y"] - right["y"]) < 4
        assert not same_line or right["x"] - (left["x"] + left["width"]) >= 12, (left, right)
    assert overflowing(page) == []
    screenshot(page, f"action-steps-{language}-{width}")


@pytest.mark.parametrize(("language", "width"), CASES, ids=IDS)
def test_the_dashboard_offers_to_resume_the_draft(request, live_app, language, width):
    page = _screen(request, width)
    member, city = _member(live_app)
    draft = make_action(live_app, city, member, start_on=None, target_groups=set())
    log_in(page, member.email)
    _in_language(page, language)
    page.goto("/dashboard")

    offer = page.locator(".start-action")
    buttons = offer.locator("a.button, button")
    expect(buttons).to_have_count(2)
    expect(buttons.first).to_have_attribute("href", f"/my/actions/{draft}/timeline")
    expect(offer.locator("form")).to_have_attribute("action", "/my/actions/new")
    if language == "en":
        expect(buttons.first).to_have_text("Resume your draft")
        expect(buttons.nth(1)).to_have_text("Start another action")
    assert overflowing(page) == []
    screenshot(page, f"action-resume-{language}-{width}")
    buttons.first.click()
    page.wait_for_url(f"**/my/actions/{draft}/timeline")


def _fieldsets(page) -> dict[str, bool]:
    parts = page.locator("fieldset[data-for-kind]")
    return {
        parts.nth(i).get_attribute("data-for-kind"): parts.nth(i).is_visible()
        for i in range(parts.count())
    }


@pytest.mark.parametrize(("language", "width"), CASES, ids=IDS)
def test_the_organisation_form_shows_the_part_for_the_chosen_kind(
    request, live_app, language, width
):
    page = _screen(request, width)
    person = Factories(live_app).user(locale="en", email=f"new-{language}-{width}@example.org")
    log_in(page, person.email)
    _in_language(page, language)
    page.goto("/organisation/new")

    assert _fieldsets(page) == {"lrg": False, "partner": False}
    page.locator("input[name=kind][value=lrg]").check()
    assert _fieldsets(page) == {"lrg": True, "partner": False}
    screenshot(page, f"organisation-form-government-{language}-{width}")
    page.locator("input[name=kind][value=partner]").check()
    assert _fieldsets(page) == {"lrg": False, "partner": True}
    assert overflowing(page) == []
    screenshot(page, f"organisation-form-partner-{language}-{width}")

    # The part hidden is not sent: a future date left in it stops nothing.
    page.locator("input[name=kind][value=lrg]").check()
    page.locator("input[name=declaration_signed_on]").fill("2999-01-01")
    page.locator("input[name=kind][value=partner]").check()
    page.locator("input[name=name]").fill("Réseau des villes")
    page.locator("select[name=country]").select_option("SN")
    page.locator("input[name=endorsed_on]").fill("2022-06-01")
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Réseau des villes")


@pytest.mark.parametrize("language", ["en", "fr"])
def test_without_javascript_both_parts_show_under_their_headings(
    browser, live_server, live_app, language
):
    person = Factories(live_app).user(locale="en", email=f"nojs-{language}@example.org")
    context = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, viewport={"width": 390, "height": 844}
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, person.email)
        if language != "en":
            page.locator(".languages").get_by_role("button", name="Français").first.click()
            expect(page.locator("html")).to_have_attribute("lang", language)
        page.goto("/organisation/new")
        assert _fieldsets(page) == {"lrg": True, "partner": True}
        legends = page.locator("fieldset[data-for-kind] legend").all_inner_texts()
        assert len(legends) == 2 and all(legend.strip() for legend in legends)
        if language == "en":
            assert legends[0].startswith("Only for a local or regional government")
            assert legends[1].startswith("Only for a partner organisation")
        screenshot(page, f"organisation-form-nojs-{language}-390")
    finally:
        context.close()
