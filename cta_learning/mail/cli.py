"""`flask mail send` (once) and `flask mail work` (a worker that keeps going)."""

import signal
import time

import click
from flask.cli import with_appcontext

from cta_learning.mail.delivery import SmtpNotConfigured, deliver_due

NOT_CONFIGURED = (
    "No SMTP server is configured (CTA_SMTP_HOST): messages stay in the outbox, "
    "viewable by admins at /admin/mailbox."
)


@click.group()
def mail() -> None:
    """Deliver the outbox."""


@mail.command()
@with_appcontext
def send() -> None:
    """Deliver every message that is due, then stop."""
    total_sent = total_failed = 0
    try:
        while True:
            sent, failed = deliver_due()
            total_sent, total_failed = total_sent + sent, total_failed + failed
            if sent + failed == 0 or sent == 0:
                break
    except SmtpNotConfigured:
        click.echo(NOT_CONFIGURED)
        return
    click.echo(f"{total_sent} sent, {total_failed} not sent (retried later or failed).")


@mail.command()
@click.option("--interval", default=5.0, show_default=True, help="Seconds between polls.")
@with_appcontext
def work(interval: float) -> None:
    """Deliver messages as they come, until stopped (SIGINT or SIGTERM)."""
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    click.echo("Mail worker started.")
    try:
        while not stopping:
            try:
                sent, failed = deliver_due()
            except SmtpNotConfigured:
                raise click.ClickException(NOT_CONFIGURED) from None
            if sent or failed:
                click.echo(f"{sent} sent, {failed} not sent.")
            if not sent:
                time.sleep(interval)
    except KeyboardInterrupt:
        pass
    click.echo("Mail worker stopped.")
