"""A newcomer's whole journey in Chromium, through nginx only: sign up, confirm by the email the
mail worker delivers, create the organisation, submit an action, find the benefits open, enrol
and open a lesson, register for a members' event and receive the confirmation. nginx alternates
between the two servers, so the journey proves sessions, CSRF tokens and caches across them.
"""

import re
import secrets
import time
from email.message import EmailMessage

import pytest

from cta_learning.mail.models import MessageStatus
from tests.community.events.helpers import make_event
from tests.conftest import BACKENDS, outbox
from tests.courses.helpers import SLUG, lesson_text, shipped_files

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif("postgresql" not in BACKENDS, reason="needs PostgreSQL"),
]

PASSWORD = "a long password"


def _text(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _log_sizes(layout) -> list[int]:
    return [log.stat().st_size if log.exists() else 0 for log in layout.access_logs]


def _requests_since(layout, sizes: list[int]) -> list[list[str]]:
    """Each server's access-log lines written since `sizes` were taken."""
    lines = []
    for log, size in zip(layout.access_logs, sizes, strict=True):
        with log.open("rb") as handle:
            handle.seek(size)
            lines.append(handle.read().decode().splitlines())
    return lines


def _settled(app, address: str, seconds: float = 10) -> list:
    """The person's outbox once nothing in it is still waiting to leave."""
    deadline = time.monotonic() + seconds
    while True:
        messages = outbox(app, to=address)
        if all(m.status == MessageStatus.SENT for m in messages) or time.monotonic() > deadline:
            return messages
        time.sleep(0.2)


def test_sign_up_submit_learn_and_register_through_nginx(browser, layout, make):
    email = f"awa-{secrets.token_hex(4)}@dakar.example.org"
    title = f"Peer exchange for members {secrets.token_hex(4)}"
    make_event(make.app, title=title, audience="members")  # open to unlocked organisations
    sizes = _log_sizes(layout)
    context = browser.new_context(
        base_url=f"http://127.0.0.1:{layout.nginx}", locale="en-GB", timezone_id="Africa/Dakar"
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()

        # Sign up; the confirmation arrives through the mail worker and the SMTP server.
        page.goto("/")
        page.get_by_role("link", name="Sign up").click()
        page.get_by_label("Your name").fill("Awa Diop")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_label("Repeat the password").fill(PASSWORD)
        page.get_by_role("button", name="Create my account").click()
        page.get_by_role("heading", name="Check your inbox").wait_for()
        message = layout.wait_for_mail(email, "Confirm your email address")
        link = re.search(rf"http://127\.0\.0\.1:{layout.nginx}(/confirm/\S+)", _text(message))
        assert link, _text(message)
        page.goto(link[1])
        page.get_by_text("Your email address is confirmed").wait_for()
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.get_by_role("heading", name="Hello, Awa Diop").wait_for()

        # The organisation.
        page.get_by_role("link", name="Create a profile").click()
        page.get_by_label("Local or regional government").check()
        page.get_by_label("Name of the organisation").fill("Ville de Dakar")
        page.get_by_label("Country").select_option("SN")
        page.get_by_role("button", name="Create the profile").click()
        page.get_by_role("heading", name="Ville de Dakar").wait_for()

        # The smallest valid action, submitted: the benefits open.
        page.goto("/dashboard")
        page.get_by_role("button", name="Start an action").click()
        page.get_by_label("Title of the action").fill("Neighbourhood welcome desks")
        page.get_by_label("Description").fill("Desks in every district help newcomers.")
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_label("Start date").fill("2023-10-01")
        page.get_by_label("Ongoing, with no planned end date").check()
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_label("Migrants").check()
        page.get_by_label(
            "Provide access to urban infrastructure, social services and education, "
            "regardless of status"
        ).check()
        page.get_by_role("button", name="Save and continue").click()
        page.get_by_role("button", name="Save and continue").click()  # partners: none
        page.get_by_role("button", name="Submit the action").click()
        page.get_by_role("heading", name="Open to you").wait_for()
        assert page.locator('[data-benefit="mooc"]').is_visible()
        layout.wait_for_mail(email, "Your learning benefits are open")

        # Enrol in the course and open its first lesson.
        course_title = shipped_files().course["title"]["en"]
        page.goto("/courses/")
        page.get_by_role("link", name=course_title).click()
        page.get_by_role("button", name="Enrol in the course").click()
        page.wait_for_url(f"**/courses/{SLUG}/welcome/")
        assert page.get_by_text("You are enrolled. Welcome to the course!").is_visible()
        assert page.locator("main h1").inner_text().strip() == lesson_text("welcome")["title"]

        # Register for the upcoming event, found in the list.
        page.goto("/events/")
        page.get_by_role("link", name=title).click()
        page.get_by_role("button", name="Register").click()
        page.get_by_text("You are registered. A confirmation is on its way by email.").wait_for()
    finally:
        context.close()
    layout.wait_for_mail(email, f"You are registered: {title}")

    # Both servers served the journey (nginx's round robin)...
    served = [len(lines) for lines in _requests_since(layout, sizes)]
    assert min(served) >= sum(served) // 4, served
    # ...and nothing is lost: every message to the person left, exactly once.
    messages = _settled(make.app, email)
    assert [m.status for m in messages] == [MessageStatus.SENT] * len(messages)
    assert layout.mail.recipients()[email] == len(messages) >= 3
