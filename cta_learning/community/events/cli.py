"""`flask events remind`: email everyone whose event starts within 24 hours (run it often)."""

import click
from flask.cli import with_appcontext

from cta_learning.community.events.registration_operations import send_reminders
from cta_learning.database import utcnow
from cta_learning.extensions import db


@click.group()
def events() -> None:
    """Peer-learning events."""


@events.command()
@with_appcontext
def remind() -> None:
    """Queue the 24-hour reminders that are due; each person is reminded once per event."""
    sent = send_reminders(utcnow())
    db.session.commit()
    click.echo(f"{sent} reminders queued.")
