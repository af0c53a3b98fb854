"""Delivering the outbox over SMTP, with retries and backoff."""

import base64
import hashlib
import logging
import smtplib
import ssl
from datetime import timedelta
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formataddr, parseaddr

from blinker import signal
from flask import current_app
from sqlalchemy import select

from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.mail.claims import claim, claimed_message, mark_sent, new_claim, release
from cta_learning.mail.models import MessageStatus, OutboxMessage

log = logging.getLogger(__name__)
# Sent with the outbox message when a server refuses it for good (a hard bounce).
message_refused = signal("message-refused")
MAX_BACKOFF = timedelta(hours=1)


class SmtpNotConfigured(RuntimeError):
    """CTA_SMTP_HOST is empty: messages stay in the development mailbox."""


def smtp_configured() -> bool:
    return bool(current_app.config["SMTP_HOST"])


def stable_message_id(message: OutboxMessage, domain: str) -> str:
    """The same Message-ID on every attempt, so that a copy sent again after an unclear
    failure (the server had it, the answer was lost) is recognised as the same message."""
    unique = hashlib.sha256(f"{message.id}/{message.created_at.isoformat()}".encode())
    return f"<{unique.hexdigest()[:32]}@{domain}>"


def attachment_bytes(attachment: dict[str, str]) -> bytes:
    """An outbox attachment's content: text as stored, or binary (a PDF) stored in base64."""
    if attachment.get("encoding") == "base64":
        return base64.b64decode(attachment["content"], validate=True)
    return attachment["content"].encode()


def build_message(message: OutboxMessage) -> EmailMessage:
    """The MIME message for an outbox row: text with an HTML alternative."""
    sender_name, sender_address = parseaddr(current_app.config["MAIL_FROM"])
    email = EmailMessage()
    email["From"] = formataddr((sender_name, sender_address))
    email["To"] = Address(display_name=message.to_name, addr_spec=message.to_address)
    email["Subject"] = message.subject
    email["Message-ID"] = stable_message_id(
        message, sender_address.rpartition("@")[2] or "localhost"
    )
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    email.add_alternative(message.body_html, subtype="html")
    for attachment in message.attachments or ():
        maintype, _, subtype = attachment["content_type"].partition("/")
        email.add_attachment(
            attachment_bytes(attachment),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
        )
    email["Content-Language"] = message.locale  # after set_content, which clears Content-*
    return email


# Headers that only describe the MIME parts; the boundary in Content-Type is drawn anew each
# time a message is built, so showing it would show a value that was never sent.
PART_HEADERS = frozenset({"content-type", "mime-version", "content-transfer-encoding"})


def headers_as_sent(message: OutboxMessage) -> list[tuple[str, str]]:
    """The headers delivery sends for an outbox row (From, To, Message-ID, List-Unsubscribe…),
    from `build_message` itself, decoded for reading."""
    email = build_message(message)
    return [(name, str(value)) for name, value in email.items() if name.lower() not in PART_HEADERS]


def _connect() -> smtplib.SMTP:
    config = current_app.config
    timeout = config["SMTP_TIMEOUT"]
    if config["SMTP_SSL"]:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            config["SMTP_HOST"],
            config["SMTP_PORT"],
            timeout=timeout,
            context=ssl.create_default_context(),
        )
    else:
        connection = smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=timeout)
        if config["SMTP_STARTTLS"]:
            connection.starttls(context=ssl.create_default_context())
    if config["SMTP_USERNAME"]:
        connection.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"])
    return connection


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is None:
        return
    try:
        connection.quit()
    except (OSError, smtplib.SMTPException):
        connection.close()


def retry_delay(attempts: int) -> timedelta:
    """The wait after the n-th failed attempt: 1, 2, 4, 8, 16, 32 minutes, then every hour."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 10)), MAX_BACKOFF)


def _record_failure(message: OutboxMessage, error: Exception, permanent: bool) -> None:
    now = utcnow()
    message.attempts += 1
    message.last_error = f"{type(error).__name__}: {error}"[:2000]
    message.locked_until = None
    message.first_failed_at = message.first_failed_at or now
    retry_for = timedelta(hours=current_app.config["MAIL_RETRY_HOURS"])
    if permanent or now - message.first_failed_at >= retry_for:
        message.status = MessageStatus.FAILED
        log.warning("email %s to %s failed for good: %s", message.id, message.to_address, error)
        if permanent:
            message_refused.send(message)
    else:
        delay = retry_delay(message.attempts)
        message.next_attempt_at = now + delay
        log.info("email %s will be retried in %s: %s", message.id, delay, error)


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, smtplib.SMTPNotSupportedError):
        return True  # the address needs SMTPUTF8, which this server does not offer
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in error.recipients.values())
    if isinstance(error, OSError | smtplib.SMTPException):
        code = getattr(error, "smtp_code", None)
        return isinstance(code, int) and code >= 500
    return True  # anything else (UnicodeEncodeError, ValueError…) is a defect of the message


def _conversation_intact(connection: smtplib.SMTP, error: Exception) -> bool:
    """After a server's answer smtplib has reset the transaction and the connection goes on;
    after anything else (a drop, a 421, an error of ours midway) it must be opened again."""
    answered = isinstance(error, smtplib.SMTPResponseException | smtplib.SMTPRecipientsRefused)
    return answered and connection.sock is not None


def _deliver_one(
    connection: smtplib.SMTP, message_id: int, token: str
) -> tuple[str | None, smtplib.SMTP | None]:
    """Send one claimed message: ("sent" | "failed" | None if skipped, the connection to go
    on with, None when it must be opened again). Only this message counts an attempt."""
    message = claimed_message(message_id, token)
    if message is None:
        return None, connection
    try:
        email = build_message(message)
    except Exception as error:  # a stored row that no message can be made of: never will be
        _record_failure(message, error, permanent=True)
        return MessageStatus.FAILED, connection
    try:
        connection.send_message(email)
    except Exception as error:  # whatever it is, it is this message's: the batch goes on
        _record_failure(message, error, permanent=_is_permanent(error))
        if not _conversation_intact(connection, error):
            _close(connection)
            return MessageStatus.FAILED, None
        return MessageStatus.FAILED, connection
    if not mark_sent(message_id, token):
        log.warning("email %s was sent, but was withdrawn or re-claimed meanwhile", message_id)
    return MessageStatus.SENT, connection


def _server_unreachable(ids: list[int], token: str, error: Exception) -> None:
    """The batch could not even connect: each of its messages counts an attempt and waits."""
    claimed = select(OutboxMessage).where(
        OutboxMessage.id.in_(ids),
        OutboxMessage.claimed_by == token,
        OutboxMessage.status == MessageStatus.QUEUED,
    )
    for message in db.session.scalars(claimed):
        _record_failure(message, error, permanent=False)
    db.session.commit()


def deliver_due(limit: int | None = None) -> tuple[int, int]:
    """Send one batch of due messages; return (sent, not sent)."""
    if not smtp_configured():
        raise SmtpNotConfigured
    token = new_claim()
    ids = claim(token, limit or current_app.config["MAIL_BATCH_SIZE"])
    if not ids:
        return 0, 0
    try:
        connection: smtplib.SMTP | None = _connect()
    except (OSError, smtplib.SMTPException) as error:
        _server_unreachable(ids, token, error)
        return 0, len(ids)
    sent = failed = 0
    try:
        for position, message_id in enumerate(ids):
            if connection is None:
                try:
                    connection = _connect()
                except (OSError, smtplib.SMTPException) as error:
                    # Not tried: back in the queue as they were, for the next batch.
                    released = release(ids[position:], token)
                    db.session.commit()
                    log.warning(
                        "SMTP reconnection failed, %s messages released: %s", released, error
                    )
                    return sent, failed + len(ids) - position
            outcome, connection = _deliver_one(connection, message_id, token)
            sent += outcome == MessageStatus.SENT
            failed += outcome == MessageStatus.FAILED
            db.session.commit()
    finally:
        _close(connection)
    return sent, failed
