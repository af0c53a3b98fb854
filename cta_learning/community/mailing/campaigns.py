"""Campaigns: written per language, sent to the subscribers of their topics through the outbox.

Queueing goes in batches ordered by subscriber id and records each recipient, so it can stop
and start again (a paused campaign, a restarted worker) without sending anyone a message twice,
and its memory does not grow with the list. Each message is rendered once per language; only
the personal links differ from one recipient to the next.
"""

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from flask import render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Row, Select, exists, func, insert, select

from cta_learning import audit
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.actions.operations import organisations_acting_in
from cta_learning.community.mailing.models import (
    DUE_STATUSES,
    UNSENT_STATUSES,
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
)
from cta_learning.community.mailing.subscriptions import preferences_token
from cta_learning.extensions import db
from cta_learning.i18n import text_and_language, translated
from cta_learning.mail.models import MessageStatus, OutboxMessage
from cta_learning.mail.operations import SUBJECT_MAX, hold_batch, release_batch
from cta_learning.refusals import Refused
from cta_learning.security import public_url_for
from cta_learning.templating import render_markdown

log = logging.getLogger(__name__)
BATCH_SIZE = 500
PREFERENCES = "%%PREFERENCES_URL%%"
UNSUBSCRIBE = "%%UNSUBSCRIBE_URL%%"


def save_campaign(campaign: Campaign | None, values: dict[str, Any], by: User) -> Campaign:
    """Create or change a campaign while it is a draft or scheduled."""
    if campaign is None:
        campaign = Campaign(created_by_id=by.id)
        db.session.add(campaign)
    elif campaign.status not in UNSENT_STATUSES:
        raise Refused(_("A campaign that has started sending cannot be changed."), 409)
    for name in ("subjects", "bodies", "topics", "audience", "region", "priority_id"):
        setattr(campaign, name, values[name])
    db.session.flush()
    audit.record("mailing.campaign_saved", campaign, by)
    return campaign


Recipient = Row[int, str, str, str]  # a subscriber's id, email, name and language


def audience(campaign: Campaign) -> Select[int, str, str, str]:
    """The subscribers the campaign is for (not yet queued): subscribed, not suppressed, on
    one of its topics, and for a members-only campaign, of an unlocked organisation (in the
    region, acting in the priority area, when the campaign says so)."""
    query = select(Subscriber.id, Subscriber.email, Subscriber.name, Subscriber.language).where(
        Subscriber.status == SubscriberStatus.SUBSCRIBED,
        Subscriber.suppressed_at.is_(None),
        exists().where(
            SubscriberTopic.subscriber_id == Subscriber.id,
            SubscriberTopic.topic.in_(campaign.topics),
        ),
        ~exists().where(
            CampaignRecipient.campaign_id == campaign.id,
            CampaignRecipient.subscriber_id == Subscriber.id,
        ),
    )
    if campaign.audience == "members":
        organisations = select(Organisation.id).where(Organisation.unlocked_at.is_not(None))
        if campaign.region:
            organisations = organisations.where(Organisation.region == campaign.region)
        if campaign.priority_id:
            organisations = organisations.where(
                Organisation.id.in_(organisations_acting_in(campaign.priority_id))
            )
        members = select(Membership.user_id).where(Membership.organisation_id.in_(organisations))
        query = query.where(Subscriber.user_id.in_(members))
    return query


def audience_size(campaign: Campaign) -> int:
    return db.session.scalars(select(func.count()).select_from(audience(campaign).subquery())).one()


def render(campaign: Campaign, language: str) -> tuple[str, str, str]:
    """Subject, text and HTML in a language (English when it has no text in it), with
    placeholders for the personal links."""
    subject = translated(campaign.subjects, language)[0][:SUBJECT_MAX]
    body, body_language = text_and_language(campaign.bodies, language)
    with force_locale(language):
        context = {
            "subject": subject,
            "body_language": body_language,
            "preferences_url": PREFERENCES,
            "unsubscribe_url": UNSUBSCRIBE,
        }
        text = render_template("mail/campaign.txt", body=body, **context)
        html = render_template("mail/campaign.html", body=render_markdown(body), **context)
    return subject, text, html


def _personal(text: str, token: str, language: str) -> str:
    """The personal links, which open in the subscriber's language."""
    return text.replace(
        PREFERENCES, public_url_for("mailing.preferences", token=token, lang=language)
    ).replace(UNSUBSCRIBE, public_url_for("mailing.unsubscribe", token=token, lang=language))


def message_for(
    campaign: Campaign, rendered: tuple[str, str, str], recipient: Recipient, locale: str
) -> dict[str, Any]:
    """An outbox row for one recipient, with the one-click unsubscribe headers (RFC 8058)."""
    subject, text, html = rendered
    token = preferences_token(recipient)
    return {
        "category": "mailing",
        "batch": campaign.batch,
        "to_address": recipient.email,
        "to_name": recipient.name[:120],
        "locale": locale,
        "subject": subject,
        "body_text": _personal(text, token, locale),
        "body_html": _personal(html, token, locale),
        "headers": {
            "List-Unsubscribe": f"<{public_url_for('mailing.unsubscribe', token=token)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        "attachments": [],
        "status": MessageStatus.QUEUED,
    }


def schedule(campaign: Campaign, at: datetime, by: User) -> None:
    """Send at `at` (now or later); the mailing worker queues it from then on."""
    if campaign.status not in UNSENT_STATUSES:
        raise Refused(_("This campaign has already started sending."), 409)
    if not campaign.subjects.get("en") or not campaign.bodies.get("en"):
        raise Refused(_("Write the campaign in English first: it is the fallback."), 409)
    campaign.status, campaign.scheduled_at = CampaignStatus.SCHEDULED, at
    audit.record("mailing.campaign_scheduled", campaign, by, at=at.isoformat())


def _next_recipients(campaign: Campaign, size: int) -> Sequence[Recipient]:
    """The next `size` recipients by id. Searched from past the last one queued first: from
    the start, each batch would check every recipient queued before it (quadratic in the
    list). Then from the start, for anyone who joined behind that front (a lower id)."""
    front = db.session.scalar(
        select(func.max(CampaignRecipient.subscriber_id)).where(
            CampaignRecipient.campaign_id == campaign.id
        )
    )
    query = audience(campaign).order_by(Subscriber.id).limit(size)
    if front is not None:
        recipients = db.session.execute(query.where(Subscriber.id > front)).all()
        if recipients:
            return recipients
    return db.session.execute(query).all()


def queue_batch(campaign: Campaign, now: datetime, size: int = BATCH_SIZE) -> int:
    """Queue the next recipients of a due campaign; 0 once everyone has it (or while paused)."""
    at = campaign.scheduled_at  # set by schedule() with either status; None would be a bug
    if campaign.status not in DUE_STATUSES or at is None or at > now:
        return 0
    campaign.status = CampaignStatus.SENDING
    recipients = _next_recipients(campaign, size)
    if not recipients:
        campaign.status, campaign.sent_at = CampaignStatus.SENT, now
        log.info("campaign %s: every recipient queued (%s)", campaign.id, campaign.queued_count)
        return 0
    rendered = {}
    rows = []
    for recipient in recipients:
        language = recipient.language
        if language not in rendered:
            rendered[language] = render(campaign, language)
        rows.append(message_for(campaign, rendered[language], recipient, language))
    # In the order of `rows` (not guaranteed without sort_by_parameter_order), so that each
    # recipient is recorded with their own message.
    ids = db.session.scalars(
        insert(OutboxMessage).returning(OutboxMessage.id, sort_by_parameter_order=True), rows
    ).all()
    db.session.execute(
        insert(CampaignRecipient),
        [
            {"campaign_id": campaign.id, "subscriber_id": r.id, "message_id": message_id}
            for r, message_id in zip(recipients, ids, strict=True)
        ],
    )
    campaign.queued_count += len(rows)
    return len(rows)


def due_campaigns(now: datetime) -> list[Campaign]:
    return list(
        db.session.scalars(
            select(Campaign)
            .where(Campaign.status.in_(DUE_STATUSES), Campaign.scheduled_at <= now)
            .order_by(Campaign.scheduled_at)
        )
    )


def pause(campaign: Campaign, by: User) -> int:
    """Stop a campaign: what is not yet queued waits, what is queued is held in the outbox.
    A campaign queued for everyone ("sent") can still be paused while messages wait."""
    if campaign.status not in (*DUE_STATUSES, CampaignStatus.SENT):
        raise Refused(_("Only a campaign that is sending or scheduled can be paused."), 409)
    if campaign.status == CampaignStatus.SENT and not delivery_counts(campaign).get(
        MessageStatus.QUEUED
    ):
        raise Refused(_("Every message of this campaign has left already."), 409)
    campaign.status = CampaignStatus.PAUSED
    held = hold_batch(campaign.batch)
    audit.record("mailing.campaign_paused", campaign, by, held=held)
    return held


def resume(campaign: Campaign, by: User) -> int:
    if campaign.status != CampaignStatus.PAUSED:
        raise Refused(_("Only a paused campaign can be resumed."), 409)
    # Queued for everyone before the pause: sent again, without queueing newcomers.
    campaign.status = CampaignStatus.SENT if campaign.sent_at else CampaignStatus.SENDING
    released = release_batch(campaign.batch)
    audit.record("mailing.campaign_resumed", campaign, by, released=released)
    return released


def shown_statuses(campaigns: list[Campaign]) -> dict[int, str]:
    """Each campaign's status as admins see it: a campaign whose recipients are all queued
    ("sent") is still "sending" while some of its messages wait in the outbox (one query)."""
    sent = [campaign.batch for campaign in campaigns if campaign.status == CampaignStatus.SENT]
    waiting = set()
    if sent:
        waiting = set(
            db.session.scalars(
                select(OutboxMessage.batch)
                .where(OutboxMessage.batch.in_(sent), OutboxMessage.status == MessageStatus.QUEUED)
                .distinct()
            )
        )
    return {
        campaign.id: CampaignStatus.SENDING if campaign.batch in waiting else campaign.status
        for campaign in campaigns
    }


def delivery_counts(campaign: Campaign) -> dict[str, int]:
    """How many of its messages are queued, held, sent or failed (one query)."""
    return dict(
        db.session.execute(
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.batch == campaign.batch)
            .group_by(OutboxMessage.status)
        ).all()
    )


def failures(campaign: Campaign, limit: int = 100) -> list[OutboxMessage]:
    return list(
        db.session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.batch == campaign.batch, OutboxMessage.status == MessageStatus.FAILED
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
    )


def send_test(campaign: Campaign, user: User) -> OutboxMessage:
    """The campaign as the admin's language would show it, to the admin alone."""
    subject, text, html = render(campaign, user.locale)
    message = OutboxMessage(
        category="mailing-test",
        to_address=user.email,
        to_name=user.name,
        locale=user.locale,
        subject=_("[Test] %(subject)s", subject=subject)[:SUBJECT_MAX],
        body_text=text.replace(PREFERENCES, "#").replace(UNSUBSCRIBE, "#"),
        body_html=html.replace(PREFERENCES, "#").replace(UNSUBSCRIBE, "#"),
        headers={},
    )
    db.session.add(message)
    return message
