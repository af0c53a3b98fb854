"""Writing emails to the outbox, rendered in the recipient's language."""

import logging
import re
from typing import TYPE_CHECKING, Any

from flask import current_app, render_template
from flask_babel import force_locale
from markupsafe import Markup, escape
from sqlalchemy import update

from cta_learning.database import rows_changed
from cta_learning.extensions import db
from cta_learning.mail.models import MessageStatus, OutboxMessage

if TYPE_CHECKING:  # accounts sends mail through this module: a runtime import would be a cycle
    from cta_learning.accounts.models import User

log = logging.getLogger(__name__)
_SEPARATOR = re.compile(r"^---$", re.MULTILINE)
_WHITESPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://[^\s<>\"']+")


SUBJECT_MAX = 255  # the outbox column's size


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def text_to_html(text: str) -> list[Markup]:
    """Paragraphs of escaped text; only links to this platform become clickable."""
    public = current_app.config["PUBLIC_URL"].rstrip("/")

    def link(match: re.Match[str]) -> str:
        url = match.group(0)
        return f'<a href="{url}">{url}</a>' if url.startswith(public + "/") else url

    paragraphs = []
    for block in re.split(r"\n\s*\n", text.strip()):
        escaped = str(escape(block))
        paragraphs.append(Markup(_URL.sub(link, escaped).replace("\n", "<br>\n")))  # noqa: S704 - escaped above
    return paragraphs


def render_email(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """Subject, plain text and HTML of `templates/mail/<template>.txt` in `locale`."""
    with force_locale(locale):
        rendered = render_template(f"mail/{template}.txt", **context)
        subject, body = _SEPARATOR.split(rendered, maxsplit=1)
        subject = _shorten(_WHITESPACE.sub(" ", subject).strip(), SUBJECT_MAX)
        body = body.strip() + "\n"
        html = render_template("mail/_layout.html", subject=subject, paragraphs=text_to_html(body))
    return subject, body, html


def queue_email(
    to_address: str,
    template: str,
    *,
    locale: str,
    to_name: str = "",
    category: str = "account",
    headers: dict[str, str] | None = None,
    attachments: list[dict[str, str]] | None = None,
    **context: Any,
) -> OutboxMessage:
    """Render an email and add it to the outbox; it leaves with the transaction's commit."""
    subject, text, html = render_email(template, locale, to_name=to_name, **context)
    message = OutboxMessage(
        category=category,
        to_address=to_address,
        to_name=_shorten(_WHITESPACE.sub(" ", to_name).strip(), 120),
        locale=locale,
        subject=subject,
        body_text=text,
        body_html=html,
        headers=headers or {},
        attachments=attachments or [],
    )
    db.session.add(message)
    log.info("email %r (%s) queued for %s", template, category, to_address)
    return message


def email_user(user: "User", template: str, **context: Any) -> OutboxMessage:
    """Email a user in their own language and time zone."""
    return queue_email(
        user.email, template, locale=user.locale, to_name=user.name, user=user, **context
    )


def _set_batch_status(batch: str, from_status: str, to_status: str) -> int:
    changed = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.batch == batch, OutboxMessage.status == from_status)
        .values(status=to_status)
        .execution_options(synchronize_session=False)
    )
    log.info("batch %s: %s messages %s -> %s", batch, changed, from_status, to_status)
    return changed


def hold_batch(batch: str) -> int:
    """Keep a batch's waiting messages in the outbox (a paused campaign)."""
    return _set_batch_status(batch, MessageStatus.QUEUED, MessageStatus.HELD)


def release_batch(batch: str) -> int:
    """Let a held batch's messages go again."""
    return _set_batch_status(batch, MessageStatus.HELD, MessageStatus.QUEUED)


def withdraw(to_address: str, batch_prefix: str) -> int:
    """Drop the not-yet-sent messages of such batches to an address (someone who left a list)."""
    changed = 0
    for status in (MessageStatus.QUEUED, MessageStatus.HELD):
        changed += rows_changed(
            update(OutboxMessage)
            .where(
                OutboxMessage.to_address == to_address,
                OutboxMessage.batch.startswith(batch_prefix),
                OutboxMessage.status == status,
            )
            .values(
                status=MessageStatus.FAILED, last_error="withdrawn: the recipient left the list"
            )
            .execution_options(synchronize_session=False)
        )
    return changed
