"""Joining and leaving the mailing list: members on unlock, everyone else by double opt-in.

A preferences link carries a signed token (the subscriber's id and a fingerprint of the
address), so every message lets its reader change topics or leave without logging in.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, Protocol

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from cta_learning import audit
from cta_learning.access import access_for, organisation_unlocked
from cta_learning.accounts.models import Organisation, User
from cta_learning.accounts.organisation_operations import member_joined
from cta_learning.accounts.tokens import fingerprint, hash_random_token, new_random_token
from cta_learning.community.mailing.models import (
    TOPICS,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
)
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.mail.delivery import message_refused
from cta_learning.mail.models import OutboxMessage
from cta_learning.mail.operations import queue_email, withdraw
from cta_learning.security import public_url_for

log = logging.getLogger(__name__)
CONFIRM_FOR = timedelta(hours=48)
HARD_BOUNCES_BEFORE_SUPPRESSION = 3
CAMPAIGN_BATCHES = "campaign:"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="cta-mailing-preferences")


class Addressee(Protocol):
    """What a preferences token is made of: a Subscriber, or a row of one (campaigns)."""

    @property
    def id(self) -> int: ...
    @property
    def email(self) -> str: ...


def preferences_token(subscriber: Addressee) -> str:
    return _serializer().dumps({"s": subscriber.id, "e": fingerprint(subscriber.email)})


def subscriber_from_token(token: str) -> Subscriber | None:
    """The subscriber a preferences token names, if it is genuine and still theirs."""
    if not token or len(token) > 200:
        return None
    try:
        payload = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("s"), int):
        return None
    subscriber = db.session.get(Subscriber, payload["s"])
    if subscriber is None or payload.get("e") != fingerprint(subscriber.email):
        return None
    return subscriber


def find(email: str) -> Subscriber | None:
    return db.session.scalar(select(Subscriber).where(Subscriber.email == email.strip().lower()))


def subscription_of(user: User) -> Subscriber | None:
    """The person's own subscription, topics loaded in the same query (one query)."""
    # By the account's confirmed address only, never by the account link: a subscription
    # belongs to whoever holds its address, so a former address's list stays private.
    if user.email_confirmed_at is None:
        return None
    query = (
        select(Subscriber)
        .options(joinedload(Subscriber.topic_links))
        .where(Subscriber.email == user.email.strip().lower())
    )
    return db.session.execute(query).unique().scalar_one_or_none()


def _set_topics(subscriber: Subscriber, topics: Iterable[str]) -> None:
    subscriber.topic_links = [SubscriberTopic(topic=t) for t in sorted(set(topics) & set(TOPICS))]


def subscribe_member(user: User, organisation: Organisation, now: datetime) -> Subscriber | None:
    """Subscribe a member of an unlocked organisation, recording which action opened it; an
    address that left the list is never subscribed again this way."""
    subscriber = find(user.email)
    linked = db.session.scalar(select(Subscriber).where(Subscriber.user_id == user.id))
    if subscriber is None:
        subscriber = linked  # the account's address changed since it was subscribed
    if subscriber is not None and subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return None
    # One subscription per account (user_id is unique): link only if no other row holds it.
    account_id = user.id if linked is None or linked is subscriber else None
    grants = access_for(organisation).grants
    action_id = next((grant.action_id for grant in grants if grant.action_id), None)
    if subscriber is None:
        subscriber = Subscriber(email=user.email, name=user.name, language=user.locale)
        _set_topics(subscriber, TOPICS)
        db.session.add(subscriber)
    subscriber.email = user.email
    if subscriber.is_subscribed:
        subscriber.user_id = account_id or subscriber.user_id
        return subscriber
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.user_id = account_id or subscriber.user_id
    subscriber.consent_source = "unlock"
    subscriber.consent_organisation_id = organisation.id
    subscriber.consent_action_id = action_id
    subscriber.consented_at = now
    subscriber.confirm_token_hash = subscriber.confirm_expires_at = None
    db.session.flush()
    audit.record("mailing.subscribed", subscriber, user, source="unlock", action=action_id)
    return subscriber


@organisation_unlocked.connect
def _subscribe_members(organisation: Organisation, actor: User | None = None) -> None:
    now = utcnow()
    for membership in organisation.memberships:
        subscribe_member(membership.user, organisation, now)


@member_joined.connect
def _subscribe_newcomer(organisation: Organisation, user: User | None = None) -> None:
    if organisation.unlocked_at is not None and user is not None:
        subscribe_member(user, organisation, utcnow())


def request_signup(
    email: str, name: str, language: str, topics: list[str], now: datetime
) -> Subscriber | None:
    """Ask a new address to confirm (a single-use link, valid 48 hours); an address already
    subscribed gets its preferences link instead; one refused by its server gets nothing."""
    email = email.strip().lower()
    subscriber = find(email)
    if subscriber is not None and subscriber.suppressed_at:
        return None
    if subscriber is not None and subscriber.is_subscribed:
        # Its own choices stay: what was typed in the form may not be the owner's.
        send_preferences_link(subscriber)
        return subscriber
    if subscriber is None:
        subscriber = Subscriber(email=email, status=SubscriberStatus.PENDING)
        db.session.add(subscriber)
    subscriber.name, subscriber.language = name, language
    _set_topics(subscriber, topics)
    token, subscriber.confirm_token_hash = new_random_token()
    subscriber.confirm_expires_at = now + CONFIRM_FOR
    db.session.flush()
    queue_email(
        email,
        "mailing_confirm",
        locale=language,
        to_name=name,
        category="mailing",
        confirm_url=public_url_for("mailing.confirm", token=token, lang=language),
    )
    log.info("mailing sign-up of subscriber %s awaits confirmation", subscriber.id)
    return subscriber


def send_preferences_link(subscriber: Subscriber) -> None:
    """Email a subscriber the link to their preferences, in the language they chose."""
    language = subscriber.language
    queue_email(
        subscriber.email,
        "mailing_preferences_link",
        locale=language,
        to_name=subscriber.name,
        category="mailing",
        preferences_url=public_url_for(
            "mailing.preferences", token=preferences_token(subscriber), lang=language
        ),
    )
    log.info("preferences link sent to subscriber %s", subscriber.id)


def pending_for(token: str, now: datetime) -> Subscriber | None:
    """The subscriber a confirmation link belongs to, while it is valid."""
    if not token or len(token) > 200:
        return None
    return db.session.scalar(
        select(Subscriber).where(
            Subscriber.confirm_token_hash == hash_random_token(token),
            Subscriber.confirm_expires_at > now,
        )
    )


def confirm(subscriber: Subscriber, ip_address: str, now: datetime) -> Subscriber:
    """The double opt-in: record where and when the person said yes; the link is spent."""
    subscriber.status = SubscriberStatus.SUBSCRIBED
    subscriber.consent_source = "signup"
    subscriber.consented_at = subscriber.opt_in_at = now
    subscriber.opt_in_ip = ip_address[:45]
    subscriber.confirm_token_hash = subscriber.confirm_expires_at = None
    subscriber.unsubscribed_at = subscriber.unsubscribe_source = None
    audit.record("mailing.subscribed", subscriber, None, source="signup")
    return subscriber


def unsubscribe(subscriber: Subscriber, source: str, now: datetime) -> bool:
    """Leave at once: nothing more is sent, not even messages already queued."""
    if subscriber.status == SubscriberStatus.UNSUBSCRIBED:
        return False
    subscriber.status = SubscriberStatus.UNSUBSCRIBED
    subscriber.unsubscribed_at = now
    subscriber.unsubscribe_source = source
    subscriber.confirm_token_hash = subscriber.confirm_expires_at = None
    withdrawn = withdraw(subscriber.email, CAMPAIGN_BATCHES)
    audit.record("mailing.unsubscribed", subscriber, None, source=source, withdrawn=withdrawn)
    return True


def update_preferences(subscriber: Subscriber, topics: list[str], language: str) -> None:
    _set_topics(subscriber, topics)
    subscriber.language = language
    audit.record("mailing.preferences", subscriber, None, topics=sorted(topics))


def export_data(subscriber: Subscriber) -> dict[str, Any]:
    """Everything kept about a subscription, for its owner."""
    return {
        "email": subscriber.email,
        "name": subscriber.name,
        "language": subscriber.language,
        "status": subscriber.status,
        "topics": subscriber.topics,
        "consent": {
            "source": subscriber.consent_source,
            "organisation_id": subscriber.consent_organisation_id,
            "action_id": subscriber.consent_action_id,
            "at": isoformat_utc(subscriber.consented_at),
            "opt_in_ip": subscriber.opt_in_ip,
            "opt_in_at": isoformat_utc(subscriber.opt_in_at),
        },
        "unsubscribed_at": isoformat_utc(subscriber.unsubscribed_at),
        "unsubscribe_source": subscriber.unsubscribe_source,
        "hard_bounces": subscriber.hard_bounces,
        "suppressed_at": isoformat_utc(subscriber.suppressed_at),
        "created_at": isoformat_utc(subscriber.created_at),
    }


def erase(subscriber: Subscriber) -> None:
    """Delete the subscription and everything kept about it."""
    withdraw(subscriber.email, CAMPAIGN_BATCHES)
    audit.record("mailing.erased", subscriber, None)
    db.session.delete(subscriber)


@message_refused.connect
def _count_hard_bounce(message: OutboxMessage) -> None:
    """A campaign message refused for good: after three, the address is never mailed again."""
    if not (message.batch or "").startswith(CAMPAIGN_BATCHES):
        return
    subscriber = find(message.to_address)
    if subscriber is None:
        return
    subscriber.hard_bounces += 1
    if subscriber.hard_bounces >= HARD_BOUNCES_BEFORE_SUPPRESSION and not subscriber.suppressed_at:
        subscriber.suppressed_at = utcnow()
        withdraw(subscriber.email, CAMPAIGN_BATCHES)  # the rest would bounce too
        log.warning(
            "subscriber %s suppressed after %s hard bounces", subscriber.id, subscriber.hard_bounces
        )
