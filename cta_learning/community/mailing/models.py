"""Subscribers of the Call's mailing list, their topics and consent, and campaigns.

A subscriber is an email address, not an account: members of unlocked organisations are
subscribed on unlock (consent source: the organisation's action), anyone else by double opt-in.
Leaving is recorded, never deleted, so that nobody is subscribed again without asking; erasing
one's data deletes the row.
"""

from datetime import datetime
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cta_learning.database import one_of, utcnow
from cta_learning.extensions import Model

TOPICS = {
    "global_processes": _l("Global processes: IMRF, Global Refugee Forum, HLPF, GFMD"),
    "cities_fund": _l("Calls of the Global Cities Fund for Migrants and Refugees"),
    "events": _l("Announcements of peer-learning events"),
}


class SubscriberStatus(StrEnum):
    """Where a subscriber stands (the values are those stored)."""

    PENDING = "pending"  # awaiting the confirmation of a double opt-in
    SUBSCRIBED = "subscribed"
    UNSUBSCRIBED = "unsubscribed"  # left: kept so that nobody is subscribed again unasked


# Labels, looked up with the stored values too (plain strings).
SUBSCRIBER_STATUSES: dict[str, str] = {
    SubscriberStatus.PENDING: _l("Awaiting confirmation"),
    SubscriberStatus.SUBSCRIBED: _l("Subscribed"),
    SubscriberStatus.UNSUBSCRIBED: _l("Unsubscribed"),
}
CONSENT_SOURCES = {"unlock": _l("Organisation unlocked"), "signup": _l("Public sign-up")}


class CampaignStatus(StrEnum):
    """Where a campaign stands (the values are those stored)."""

    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"  # its recipients are being queued
    PAUSED = "paused"
    SENT = "sent"  # every recipient queued; its messages may still wait in the outbox


CAMPAIGN_STATUSES: dict[str, str] = {
    CampaignStatus.DRAFT: _l("Draft"),
    CampaignStatus.SCHEDULED: _l("Scheduled"),
    CampaignStatus.SENDING: _l("Sending"),
    CampaignStatus.PAUSED: _l("Paused"),
    CampaignStatus.SENT: _l("Sent"),
}
# A campaign may still be edited, scheduled or sent now while it is one of these.
UNSENT_STATUSES = (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED)
# The campaigns that queue their recipients when their time comes.
DUE_STATUSES = (CampaignStatus.SCHEDULED, CampaignStatus.SENDING)
AUDIENCES = {
    "subscribers": _l("Every subscriber of the chosen topics"),
    "members": _l("Only members of unlocked organisations"),
}


class Subscriber(Model):
    __tablename__ = "mailing_subscribers"
    __table_args__ = (
        CheckConstraint(one_of("status", SubscriberStatus), name="status"),
        Index("ix_mailing_subscribers_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)  # lower-case
    name: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")
    status: Mapped[str] = mapped_column(String(15), default=SubscriberStatus.PENDING)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), unique=True
    )
    consent_source: Mapped[str | None] = mapped_column(String(10))
    consent_organisation_id: Mapped[int | None]  # kept even if the organisation goes
    consent_action_id: Mapped[int | None]
    consented_at: Mapped[datetime | None]
    opt_in_ip: Mapped[str | None] = mapped_column(String(45))
    opt_in_at: Mapped[datetime | None]
    confirm_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    confirm_expires_at: Mapped[datetime | None]
    unsubscribed_at: Mapped[datetime | None]
    unsubscribe_source: Mapped[str | None] = mapped_column(String(20))
    hard_bounces: Mapped[int] = mapped_column(default=0)
    suppressed_at: Mapped[datetime | None]  # too many hard bounces: never mailed again
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    topic_links: Mapped[list["SubscriberTopic"]] = relationship(
        cascade="all, delete-orphan", order_by="SubscriberTopic.topic"
    )

    def __repr__(self) -> str:
        return f"<Subscriber {self.id} {self.status}>"

    @property
    def topics(self) -> list[str]:
        return [link.topic for link in self.topic_links]

    @property
    def is_subscribed(self) -> bool:
        return self.status == SubscriberStatus.SUBSCRIBED and self.suppressed_at is None


class SubscriberTopic(Model):
    __tablename__ = "mailing_subscriber_topics"
    __table_args__ = (Index("ix_mailing_subscriber_topics_topic", "topic", "subscriber_id"),)

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("mailing_subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(30), primary_key=True)

    def __repr__(self) -> str:
        return f"<SubscriberTopic {self.subscriber_id} {self.topic}>"


class Campaign(Model):
    __tablename__ = "mailing_campaigns"
    __table_args__ = (CheckConstraint(one_of("status", CampaignStatus), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.DRAFT, index=True)
    subjects: Mapped[dict] = mapped_column(JSON, default=dict)  # {language: text}
    bodies: Mapped[dict] = mapped_column(JSON, default=dict)  # {language: Markdown}
    topics: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(15), default="subscribers")
    region: Mapped[str | None] = mapped_column(String(20))
    priority_id: Mapped[int | None]
    scheduled_at: Mapped[datetime | None]
    queued_count: Mapped[int] = mapped_column(default=0)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    sent_at: Mapped[datetime | None]  # when the last recipient was queued

    def __repr__(self) -> str:
        return f"<Campaign {self.id} {self.status}>"

    @property
    def batch(self) -> str:
        """The outbox batch of its messages."""
        return f"campaign:{self.id}"


class CampaignRecipient(Model):
    """Who a campaign was queued for (once each), and the outbox message that carries it."""

    __tablename__ = "mailing_campaign_recipients"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("mailing_campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("mailing_subscribers.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<CampaignRecipient {self.campaign_id} {self.subscriber_id}>"
