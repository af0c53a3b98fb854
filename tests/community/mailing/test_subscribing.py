"""Joining the mailing list: on unlock, or by double opt-in; preferences and leaving by link."""

import json
import re
from datetime import timedelta

from cta_learning.accounts.models import Invitation
from cta_learning.accounts.tokens import hash_random_token
from cta_learning.audit import AuditEvent
from cta_learning.community.mailing.models import (
    TOPICS,
    Campaign,
    CampaignRecipient,
    Subscriber,
    SubscriberTopic,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import OutboxMessage
from tests.actions.helpers import make_action
from tests.community.mailing.helpers import subscriber
from tests.conftest import count, fetch, outbox
from tests.courses.helpers import unlock
from tests.hostile import nothing_changes, page_text

SIGNUP = {
    "email": "Ana@Bogota.example.org",
    "name": "Ana",
    "language": "es",
    "topics": ["global_processes", "events"],
}


def confirm_link(app, email) -> str:
    """The path of the confirmation link (without its ?lang=, so pages stay in English)."""
    message = outbox(app, to=email)[-1]
    return re.search(r"https?://[^/\s]+(/mailing/confirm/[^\s?]+)", message.body_text).group(1)


def test_double_opt_in_records_where_and_when(app, client):
    response = client.post("/mailing/", data=SIGNUP)
    assert response.status_code == 200 and "Check your inbox" in page_text(response)
    subscriber = fetch(app, Subscriber, email="ana@bogota.example.org")
    assert subscriber.status == "pending"
    with app.app_context():
        from cta_learning.extensions import db

        assert db.session.get(Subscriber, subscriber.id).topics == ["events", "global_processes"]
    link = confirm_link(app, "ana@bogota.example.org")
    assert client.get(link).status_code == 200
    assert fetch(app, Subscriber, id=subscriber.id).status == "pending"  # GET changes nothing
    response = client.post(link)
    assert response.status_code == 302
    subscriber = fetch(app, Subscriber, id=subscriber.id)
    assert subscriber.status == "subscribed" and subscriber.opt_in_ip == "127.0.0.1"
    assert subscriber.opt_in_at is not None and subscriber.consent_source == "signup"
    # The link is spent.
    with nothing_changes(app):
        assert client.post(link).status_code == 404


def test_a_subscribed_address_gets_no_duplicate(app, client):
    client.post("/mailing/", data=SIGNUP)
    client.post(confirm_link(app, "ana@bogota.example.org"))
    before = count(app, OutboxMessage)
    response = client.post("/mailing/", data={**SIGNUP, "topics": ["cities_fund"]})
    assert "Check your inbox" in page_text(response)
    # Only a message with its preferences link: no second row, its choices untouched.
    assert count(app, OutboxMessage) == before + 1
    assert count(app, Subscriber) == 1
    assert subscriber(app, "ana@bogota.example.org").topics == ["events", "global_processes"]


def test_members_are_subscribed_when_their_organisation_unlocks(app, make):
    member, organisation = make.member(email="awa@dakar.example.org")
    unlock(app, organisation)
    subscriber = fetch(app, Subscriber, email="awa@dakar.example.org")
    assert subscriber.status == "subscribed" and subscriber.consent_source == "unlock"
    assert subscriber.consent_organisation_id == organisation.id


def test_unsubscribing_needs_a_post_and_one_click_works(app, client):
    client.post("/mailing/", data=SIGNUP)
    response = client.post(confirm_link(app, "ana@bogota.example.org"))
    preferences = response.headers["Location"]
    token = preferences.rsplit("/", 1)[1]
    with nothing_changes(app):
        assert client.get(f"/mailing/unsubscribe/{token}").status_code == 200
    response = client.post(f"/mailing/unsubscribe/{token}", data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    subscriber = fetch(app, Subscriber, email="ana@bogota.example.org")
    assert subscriber.status == "unsubscribed" and subscriber.unsubscribe_source == "one-click"


def test_tampered_and_expired_links_change_nothing(app, client):
    client.post("/mailing/", data=SIGNUP)
    link = confirm_link(app, "ana@bogota.example.org")
    with nothing_changes(app):
        assert client.post(link + "x").status_code == 404
        assert client.get("/mailing/preferences/not-a-token").status_code == 404
        assert client.post("/mailing/unsubscribe/eyJzIjoxfQ.forged").status_code == 404
    with app.app_context():
        from cta_learning.extensions import db

        subscriber = db.session.scalar(db.select(Subscriber))
        subscriber.confirm_expires_at -= timedelta(days=3)
        db.session.commit()
    with nothing_changes(app):
        assert client.post(link).status_code == 404


def preferences_token(app, client) -> str:
    """Sign Ana up and confirm; the token of her preferences link."""
    client.post("/mailing/", data=SIGNUP)
    response = client.post(confirm_link(app, "ana@bogota.example.org"))
    return response.headers["Location"].rsplit("/", 1)[1]


def test_preferences_change_through_the_signed_link(app, client):
    token = preferences_token(app, client)
    page = page_text(client.get(f"/mailing/preferences/{token}"))
    assert "For ana@bogota.example.org." in page and "Unsubscribe" in page
    response = client.post(
        f"/mailing/preferences/{token}", data={"language": "fr", "topics": ["cities_fund"]}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/mailing/preferences/{token}"
    ana = subscriber(app, "ana@bogota.example.org")
    assert ana.language == "fr" and ana.topics == ["cities_fund"]
    assert ana.status == "subscribed"  # choosing topics is not leaving
    assert fetch(app, AuditEvent, verb="mailing.preferences", subject_id=ana.id) is not None
    assert "Your preferences are saved." in page_text(client.get(response.headers["Location"]))


def test_a_person_downloads_their_subscription_data(app, client):
    token = preferences_token(app, client)
    response = client.get(f"/mailing/preferences/{token}/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["email"] == "ana@bogota.example.org" and data["name"] == "Ana"
    assert data["language"] == "es" and data["status"] == "subscribed"
    assert data["topics"] == ["events", "global_processes"]
    assert data["consent"]["source"] == "signup"
    assert data["consent"]["opt_in_ip"] == "127.0.0.1"
    assert data["consent"]["opt_in_at"].endswith("Z")
    # Everything kept, the delivery record included.
    assert data["hard_bounces"] == 0 and data["suppressed_at"] is None
    assert data["unsubscribed_at"] is None and data["unsubscribe_source"] is None


def test_a_person_erases_their_subscription(app, client):
    token = preferences_token(app, client)
    ana = subscriber(app, "ana@bogota.example.org")
    campaign = make_campaign_queued_for(app, ana.id)
    response = client.post(f"/mailing/preferences/{token}/erase")
    assert response.status_code == 200
    assert "Your subscription is erased" in page_text(response)
    assert count(app, Subscriber) == 0 and count(app, SubscriberTopic) == 0
    assert count(app, CampaignRecipient) == 0
    # Its message still waiting in the outbox leaves no more.
    [message] = [m for m in outbox(app) if m.batch == campaign]
    assert message.status == "failed" and "withdrawn" in message.last_error
    # The link is dead; signing up again starts from scratch, with a confirmation.
    with nothing_changes(app):
        response = client.get(f"/mailing/preferences/{token}")
    assert response.status_code == 404 and "This link does not work" in page_text(response)
    client.post("/mailing/", data=SIGNUP)
    assert subscriber(app, "ana@bogota.example.org").status == "pending"


def make_campaign_queued_for(app, subscriber_id: int) -> str:
    """A campaign with one message queued for the subscriber; returns its outbox batch."""
    from cta_learning.community.mailing import campaigns

    with app.test_request_context():
        campaign = Campaign(
            subjects={"en": "News"}, bodies={"en": "Text"}, topics=["events"], status="draft"
        )
        db.session.add(campaign)
        db.session.flush()
        campaigns.schedule(campaign, utcnow(), None)
        assert campaigns.queue_batch(campaign, utcnow()) >= 1
        db.session.commit()
        assert db.session.get(Subscriber, subscriber_id) is not None
        return campaign.batch


def test_coming_back_after_unsubscribing_needs_a_new_confirmation(app, client):
    token = preferences_token(app, client)
    client.post(f"/mailing/unsubscribe/{token}")
    left = subscriber(app, "ana@bogota.example.org")
    assert left.status == "unsubscribed" and left.unsubscribe_source == "page"
    messages = count(app, OutboxMessage)
    response = client.post("/mailing/", data={**SIGNUP, "topics": ["cities_fund"]})
    assert "Check your inbox" in page_text(response)
    assert count(app, OutboxMessage) == messages + 1  # a new confirmation link
    waiting = subscriber(app, "ana@bogota.example.org")
    assert waiting.status == "unsubscribed"  # nothing is sent before the person confirms
    assert waiting.unsubscribed_at == left.unsubscribed_at
    response = client.post(confirm_link(app, "ana@bogota.example.org"))
    assert response.status_code == 302
    back = subscriber(app, "ana@bogota.example.org")
    assert back.status == "subscribed" and back.unsubscribed_at is None
    assert back.topics == ["cities_fund"] and back.opt_in_at > left.opt_in_at
    assert count(app, Subscriber) == 1


def test_a_newcomer_to_an_unlocked_organisation_is_subscribed(app, client, auth, make):
    owner, organisation = make.member(email="owner@dakar.example.org")
    unlock(app, organisation)
    newcomer = auth.login_as(email="newcomer@dakar.example.org", locale="fr")
    with app.app_context():
        db.session.add(
            Invitation(
                organisation_id=organisation.id,
                email=newcomer.email,
                role="member",
                token_hash=hash_random_token("welcome-token"),
                expires_at=utcnow() + timedelta(days=7),
            )
        )
        db.session.commit()
    assert subscriber(app, newcomer.email) is None
    assert client.post("/invitations/welcome-token").status_code == 302
    joined = subscriber(app, newcomer.email)
    assert joined.status == "subscribed" and joined.user_id == newcomer.id
    assert joined.consent_source == "unlock" and joined.consent_organisation_id == organisation.id
    assert joined.language == "fr" and joined.topics == sorted(TOPICS)


def test_a_newcomer_to_a_locked_organisation_is_not_subscribed(app, client, auth, make):
    _, organisation = make.member(email="owner@dakar.example.org")
    newcomer = auth.login_as(email="newcomer@dakar.example.org")
    with app.app_context():
        db.session.add(
            Invitation(
                organisation_id=organisation.id,
                email=newcomer.email,
                role="member",
                token_hash=hash_random_token("welcome-token"),
                expires_at=utcnow() + timedelta(days=7),
            )
        )
        db.session.commit()
    assert client.post("/invitations/welcome-token").status_code == 302
    assert count(app, Subscriber) == 0


def test_unlock_records_the_action_that_opened_the_organisation(app, make):
    owner, organisation = make.member(email="awa@dakar.example.org")
    colleague, _ = make.member(organisation, role="member", email="ibou@dakar.example.org")
    action_id = make_action(app, organisation, owner, status="submitted")
    for email in ("awa@dakar.example.org", "ibou@dakar.example.org"):
        member = subscriber(app, email)
        assert member.status == "subscribed" and member.consent_action_id == action_id
        assert member.consented_at is not None and member.opt_in_ip is None
    assert count(app, Subscriber) == 2


def test_a_member_who_left_the_list_is_not_subscribed_again_on_unlock(app, client, make):
    member, organisation = make.member(email="ana@bogota.example.org")
    token = preferences_token(app, client)
    client.post(f"/mailing/unsubscribe/{token}")
    unlock(app, organisation)
    left = subscriber(app, "ana@bogota.example.org")
    assert left.status == "unsubscribed" and left.consent_source == "signup"
    assert count(app, Subscriber) == 1


def test_a_member_already_subscribed_gets_no_second_subscription_on_unlock(app, client, make):
    member, organisation = make.member(email="ana@bogota.example.org")
    preferences_token(app, client)
    unlock(app, organisation)
    ana = subscriber(app, "ana@bogota.example.org")
    assert count(app, Subscriber) == 1
    # Her own choices stay; the account is linked, so members-only campaigns reach her.
    assert ana.topics == ["events", "global_processes"] and ana.user_id == member.id


def test_a_pending_sign_up_is_confirmed_by_unlock(app, client, make):
    member, organisation = make.member(email="ana@bogota.example.org")
    client.post("/mailing/", data=SIGNUP)
    link = confirm_link(app, "ana@bogota.example.org")
    unlock(app, organisation)
    ana = subscriber(app, "ana@bogota.example.org")
    assert ana.status == "subscribed" and ana.consent_source == "unlock"
    assert client.post(link).status_code == 404  # the confirmation link is spent


def test_sign_up_is_rate_limited(tmp_path, request):
    from tests.conftest import build_app

    app, _ = build_app(request, tmp_path, RATELIMIT_ENABLED=True, SIGNUP_RATE_LIMIT="2 per minute")
    client = app.test_client()
    statuses = [
        client.post("/mailing/", data={**SIGNUP, "email": f"p{n}@example.org"}).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
    assert count(app, Subscriber) == 2
    assert client.get("/mailing/").status_code == 200  # only sign-ups are limited


def test_a_member_whose_address_changed_is_found_again_on_a_new_unlock(app, make):
    from cta_learning import access
    from cta_learning.accounts.models import User

    member, organisation = make.member(email="awa@dakar.example.org")
    admin = make.user(role="admin")
    unlock(app, organisation)
    with app.app_context():
        db.session.get(User, member.id).email = "awa@senegal.example.org"
        opened = db.session.get(type(organisation), organisation.id)
        [grant] = access.access_for(opened).grants
        access.revoke(grant, "mistake", None)
        db.session.commit()
        # Opened again: the subscription linked to the account follows its new address.
        access.grant_manually(opened, "partner", db.session.get(User, admin.id))
        db.session.commit()
    assert count(app, Subscriber) == 1
    awa = subscriber(app, "awa@senegal.example.org")
    assert awa.status == "subscribed" and awa.user_id == member.id
