"""A signed-in person finds their own subscription (on the mailing page, the account page and the
dashboard) and reaches its preferences without an emailed link; nobody sees anyone else's."""

import re

import pytest

from cta_learning.accounts.models import User
from cta_learning.community.mailing import subscriptions
from cta_learning.community.mailing.models import Subscriber
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.community.mailing.helpers import make_subscriber, preferences_path, subscriber
from tests.conftest import count_queries, outbox
from tests.courses.helpers import unlock
from tests.hostile import page_text

ANA = "ana@bogota.example.org"
ALL_TOPICS = ("cities_fund", "events", "global_processes")


def text_of(response) -> str:
    """The page's words, tags removed and spaces folded."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page_text(response)))


def status_block(response) -> str:
    """The words of the page's "Mailing list" block ('' when there is none)."""
    match = re.search(r'<section[^>]*id="mailing-status".*?</section>', page_text(response), re.S)
    return text_of_html(match.group(0)) if match else ""


def text_of_html(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_the_operation_finds_the_account_address_whatever_its_case(app, make):
    make_subscriber(app, ANA, "fr", topics=ALL_TOPICS)
    with app.app_context():
        ana = User(email="Ana@Bogota.Example.org ", name="Ana", password_hash="!")  # noqa: S106
        ana.email_confirmed_at = None
        assert subscriptions.subscription_of(ana) is None  # an address not proved is nobody's
        ana.email_confirmed_at = utcnow()
        found = subscriptions.subscription_of(ana)
        assert found.email == ANA and found.status == "subscribed" and found.language == "fr"
        assert found.topics == sorted(ALL_TOPICS)


def test_the_operation_never_returns_a_subscription_at_another_address(app, make):
    bob = make.user(email="bob@quito.example.org")
    # Linked to Bob's account once (an address he has since left), now someone else's.
    make_subscriber(app, "old-bob@quito.example.org", user_id=bob.id)
    with app.app_context():
        assert subscriptions.subscription_of(db.session.get(User, bob.id)) is None


def test_a_signed_in_subscriber_sees_their_status_instead_of_the_form(app, client, auth, make):
    make_subscriber(app, ANA, "fr", topics=("events", "cities_fund"))
    auth.login_as(email=ANA)
    response = client.get("/mailing/")
    block = status_block(response)
    assert f"You are subscribed as {ANA}." in block
    assert "Announcements of peer-learning events" in block
    assert "Calls of the Global Cities Fund" in block and "Global processes" not in block
    assert "Language of the messages French" in block
    assert "Manage your subscription" in block
    assert 'name="email"' not in page_text(response)  # no sign-up form to fill again


def test_manage_leads_the_owner_to_their_own_preferences(app, client, auth, make):
    ana = make_subscriber(app, ANA, "es")
    auth.login_as(email=ANA)
    response = client.get("/mailing/mine")
    assert response.status_code == 302
    path = response.headers["Location"]
    assert path.startswith("/mailing/preferences/")
    with app.test_request_context():
        assert subscriptions.subscriber_from_token(path.rsplit("/", 1)[1]).id == ana.id
    assert f"For {ANA}." in text_of(client.get(path))


def test_visitors_are_asked_to_log_in_for_their_subscription(client):
    response = client.get("/mailing/mine")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_another_person_s_subscription_is_never_shown(app, client, auth, make):
    make_subscriber(app, ANA, "es")
    auth.login_as(email="bob@quito.example.org", name="Bob")
    page = client.get("/mailing/")
    assert ANA not in page_text(page)
    assert "Not subscribed." in status_block(page)
    # The form is there, filled in with his own address and name.
    assert re.search(r'name="email"[^>]*value="bob@quito\.example\.org"', page_text(page))
    assert re.search(r'name="name"[^>]*value="Bob"', page_text(page))
    # "His" subscription page sends him to the form, not to anyone's preferences.
    assert client.get("/mailing/mine").headers["Location"] == "/mailing/"
    for path in ("/account", "/dashboard"):
        response = client.get(path)
        assert ANA not in page_text(response), path
        assert "Not subscribed." in status_block(response), path


def test_an_unconfirmed_sign_up_says_it_awaits_confirmation(app, client, auth, make):
    make_subscriber(app, ANA, status="pending", consent_source=None)
    auth.login_as(email=ANA)
    page = client.get("/mailing/")
    assert f"Your subscription as {ANA} awaits confirmation" in status_block(page)
    assert 'name="email"' in page_text(page)  # the form sends a new link
    account = status_block(client.get("/account"))
    assert "awaits confirmation" in account and "Send me a new link" in account


def test_a_person_who_left_sees_so_and_may_come_back(app, client, auth, make):
    make_subscriber(app, ANA, status="unsubscribed")
    auth.login_as(email=ANA)
    page = client.get("/mailing/")
    assert "You left the mailing list" in status_block(page)
    assert re.search(r'name="email"[^>]*value="ana@bogota\.example\.org"', page_text(page))
    dashboard = status_block(client.get("/dashboard"))
    assert "You left the mailing list" in dashboard and "Subscribe again" in dashboard


def test_visitors_keep_the_public_form_from_the_shared_copy(app, client, auth, make):
    make_subscriber(app, ANA)
    visitor = app.test_client()
    first = visitor.get("/mailing/")
    assert first.headers.get("ETag")  # visitors are served the shared copy
    assert status_block(first) == "" and 'name="email"' in page_text(first)
    auth.login_as(email=ANA)
    mine = client.get("/mailing/")  # after a visitor filled the shared copy
    assert f"You are subscribed as {ANA}." in status_block(mine)
    assert "ETag" not in mine.headers
    again = visitor.get("/mailing/")
    assert ANA not in page_text(again) and status_block(again) == ""


def test_the_account_page_shows_the_subscription(app, client, auth, make):
    member, organisation = make.member(email=ANA)
    unlock(app, organisation)  # members are subscribed on unlock
    auth.login(ANA)
    block = status_block(client.get("/account"))
    assert f"You are subscribed as {ANA}." in block and "Manage your subscription" in block
    assert "Language of the messages English" in block


def test_the_dashboard_shows_the_subscription_in_one_query(app, client, auth, make):
    member, organisation = make.member(email=ANA)
    auth.login(ANA)
    client.get("/dashboard")
    with count_queries(app) as before:
        block = status_block(client.get("/dashboard"))
    assert "Not subscribed." in block and "Subscribe to the mailing list" in block
    make_subscriber(app, ANA, topics=ALL_TOPICS)
    with count_queries(app) as after:
        block = status_block(client.get("/dashboard"))
    assert f"You are subscribed as {ANA}." in block and "Manage your subscription" in block
    assert len(after) == len(before)  # its topics come with it


def test_a_person_without_an_organisation_sees_the_block_too(app, client, auth, make):
    make_subscriber(app, "solo@example.org")
    auth.login_as(email="solo@example.org")
    assert "You are subscribed as solo@example.org." in status_block(client.get("/dashboard"))


def test_a_french_page_shows_the_block(app, client, auth, make):
    make_subscriber(app, ANA, "es")
    auth.login_as(email=ANA, locale="fr")
    response = client.get("/mailing/")
    assert response.status_code == 200 and 'lang="fr"' in page_text(response)
    assert "espagnol" in status_block(response).lower()  # the language named in French


def test_the_benefits_email_links_to_the_subscription(app, client, auth, make):
    member, organisation = make.member(email=ANA)
    unlock(app, organisation)
    [message] = [m for m in outbox(app, to=ANA) if "benefits are open" in m.subject]
    assert "https://learning.example.org/mailing/mine" in message.body_text
    auth.login(ANA)
    response = client.get("/mailing/mine")
    assert response.headers["Location"].startswith("/mailing/preferences/")


def test_a_subscribed_address_sent_through_the_form_gets_its_preferences_link(app, client):
    make_subscriber(app, ANA, "fr", topics=("events",), name="Ana")
    response = client.post(
        "/mailing/",
        data={"email": "ANA@bogota.example.org", "language": "es", "topics": ["cities_fund"]},
    )
    assert "Check your inbox" in text_of(response)
    [message] = outbox(app, to=ANA)
    assert message.locale == "fr" and message.category == "mailing"
    assert "?lang=fr" in message.body_text
    path = preferences_path(message)
    assert f"For {ANA}." in text_of(client.get(path))
    assert subscriber(app, ANA).topics == ["events"]  # nothing changed


@pytest.mark.parametrize("status", ["subscribed", "pending", "unsubscribed", None])
def test_every_address_gets_the_same_answer(app, client, status):
    if status:
        make_subscriber(app, ANA, status=status)
    response = client.post("/mailing/", data={"email": ANA, "language": "en", "topics": ["events"]})
    assert response.status_code == 200
    assert text_of(response).count("A message is on its way to ana@bogota.example.org.") == 1
    assert len(outbox(app, to=ANA)) == 1


def test_a_suppressed_address_is_sent_nothing(app, client):
    make_subscriber(app, ANA, suppressed_at=utcnow(), hard_bounces=3)
    response = client.post("/mailing/", data={"email": ANA, "language": "en", "topics": ["events"]})
    assert "A message is on its way to ana@bogota.example.org." in text_of(response)
    assert outbox(app, to=ANA) == []  # its server refuses them: the answer alone is the same


def test_preferences_links_are_rate_limited_like_confirmations(tmp_path, request):
    from tests.conftest import build_app

    app, _ = build_app(request, tmp_path, RATELIMIT_ENABLED=True, SIGNUP_RATE_LIMIT="2 per minute")
    make_subscriber(app, ANA)
    client = app.test_client()
    signup = {"email": ANA, "language": "en", "topics": ["events"]}
    statuses = [client.post("/mailing/", data=signup).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert len(outbox(app, to=ANA)) == 2
    with app.app_context():
        assert db.session.query(Subscriber).count() == 1
