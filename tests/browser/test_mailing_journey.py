"""A visitor whose browser is in French joins the mailing list by double opt-in, changes her
topics from the link every message carries, and leaves with one button; following the
unsubscribe link alone (as a link scanner does) changes nothing.

The mailing pages may not be translated yet: the locators go by input names and values, and the
texts they look for match the English and the French."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from cta_learning.community.mailing.models import Subscriber
from cta_learning.extensions import db
from tests.conftest import outbox

pytestmark = pytest.mark.browser

EMAIL = "camille@lyon.example.org"


@pytest.fixture
def french_page(browser, live_server):
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", timezone_id="Europe/Paris"
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def subscription(app, email: str) -> tuple[str, list[str]]:
    """The status and topics of the subscription of `email`."""
    with app.app_context():
        subscriber = db.session.scalars(select(Subscriber).filter_by(email=email)).one()
        return subscriber.status, subscriber.topics


def test_subscribe_confirm_change_topics_and_leave_in_french(french_page, live_app):
    page = french_page

    # The sign-up form, in French, with French chosen for the messages.
    page.goto("/mailing/?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("input[name=language][value=fr]")).to_be_checked()
    page.locator("input[name=email]").fill(EMAIL)
    page.locator("input[name=name]").fill("Camille Martin")
    page.locator("input[name=language][value=fr]").check()
    page.locator("input[name=topics][value=global_processes]").check()
    page.locator("input[name=topics][value=events]").check()
    page.locator("input[name=topics][value=cities_fund]").uncheck()
    page.locator("main form button[type=submit]").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Check your inbox|Consultez votre boîte"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert subscription(live_app, EMAIL) == ("pending", ["events", "global_processes"])

    # The confirmation email waits in the outbox, in French.
    (message,) = outbox(live_app, to=EMAIL)
    assert message.locale == "fr"
    confirm_path = re.search(r"https?://[^/\s]+(/mailing/confirm/\S+)", message.body_text)[1]

    # She opens the link: nothing happens until she says yes.
    page.goto(confirm_path)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert subscription(live_app, EMAIL)[0] == "pending"
    page.get_by_role("button", name=re.compile("Yes, subscribe me|Oui", re.I)).click()

    # Her preferences page, with her choices.
    page.wait_for_url(re.compile(r".*/mailing/preferences/[^/]+$"))
    token = page.evaluate("location.pathname").rsplit("/", 1)[1]
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert subscription(live_app, EMAIL) == ("subscribed", ["events", "global_processes"])
    preferences = page.locator("main form", has=page.locator("input[name=topics]"))
    expect(preferences.locator("input[name=language][value=fr]")).to_be_checked()
    expect(preferences.locator("input[name=topics][value=events]")).to_be_checked()
    expect(preferences.locator("input[name=topics][value=cities_fund]")).not_to_be_checked()

    # She trades the events for the calls of the Global Cities Fund, and saves.
    preferences.locator("input[name=topics][value=events]").uncheck()
    preferences.locator("input[name=topics][value=cities_fund]").check()
    with page.expect_navigation():
        preferences.locator("button[type=submit]").click()
    expect(page.locator(".flash-success")).to_be_visible()
    expect(page.locator("input[name=topics][value=cities_fund]")).to_be_checked()
    expect(page.locator("input[name=topics][value=events]")).not_to_be_checked()
    assert subscription(live_app, EMAIL) == ("subscribed", ["cities_fund", "global_processes"])

    # The unsubscribe link: opening it (as a link scanner would) changes nothing...
    leave = page.locator("main form[action*='/mailing/unsubscribe/']")
    unsubscribe_path = leave.get_attribute("action")
    assert unsubscribe_path == f"/mailing/unsubscribe/{token}"
    page.goto(unsubscribe_path)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert subscription(live_app, EMAIL)[0] == "subscribed"

    # ... the one button does.
    buttons = page.locator("main form button[type=submit]")
    expect(buttons).to_have_count(1)
    with page.expect_navigation():
        buttons.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile("You are unsubscribed|désinscrit|désabonné|désabonnement", re.I)
    )
    assert subscription(live_app, EMAIL)[0] == "unsubscribed"
