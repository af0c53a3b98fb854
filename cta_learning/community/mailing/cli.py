"""`flask mailing dispatch`: queue the campaigns that are due, a batch at a time (run it often,
next to `flask mail work`)."""

import click
from flask.cli import with_appcontext

from cta_learning.community.mailing.campaigns import due_campaigns, queue_batch
from cta_learning.database import utcnow
from cta_learning.extensions import db


@click.group()
def mailing() -> None:
    """The Call's mailing list."""


@mailing.command()
@click.option("--batch-size", default=500, show_default=True)
@with_appcontext
def dispatch(batch_size: int) -> None:
    """Queue every due campaign for its recipients; each batch is committed on its own, so
    stopping half-way loses nothing and sends nobody a message twice."""
    for campaign in due_campaigns(utcnow()):
        total = 0
        while queued := queue_batch(campaign, utcnow(), batch_size):
            db.session.commit()
            total += queued
        db.session.commit()
        click.echo(f"campaign {campaign.id}: {total} messages queued ({campaign.status}).")
