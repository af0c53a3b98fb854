"""Joining the mailing list: on unlock, or by double opt-in; preferences and leaving by link."""

import re
from datetime import timedelta

from cta_learning.community.mailing.models import Subscriber
from cta_learning.mail.models import OutboxMessage
from tests.conftest import count, fetch, outbox
from tests.courses.helpers import unlock
from tests.test_hostile_input import nothing_changes, page_text

SIGNUP = {
    "email": "Ana@Bogota.example.org",
    "name": "Ana",
    "language": "es",
    "topics": ["global_processes", "events"],
}


def confirm_link(app, email) -> str:
    message = outbox(app, to=email)[-1]
    return re.search(r"https?://[^/\s]+(/mailing/confirm/\S+)", message.body_text).group(1)


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
    with nothing_changes(app):
        response = client.post("/mailing/", data=SIGNUP)
    assert "Check your inbox" in page_text(response)
    assert count(app, OutboxMessage) == before
    assert count(app, Subscriber) == 1


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
