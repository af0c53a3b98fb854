"""`flask seed-demo`: sample organisations and accounts for trying the platform (idempotent)."""

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.accounts.operations import hash_password
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.i18n import region_for_country

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed on purpose: demo accounts only

ORGANISATIONS = [
    {"name": "Montréal", "kind": "lrg", "country": "CA", "preferred_language": "fr",
     "population": 1_762_949, "declaration_signed_on": date(2018, 12, 8),
     "declaration_signatory": "Mayor of Montréal", "policy_processes": ["gcm-national"]},
    {"name": "Accra Metropolitan Assembly", "kind": "lrg", "country": "GH",
     "preferred_language": "en", "population": 284_124,
     "declaration_signed_on": date(2021, 11, 30), "declaration_signatory": "Mayor of Accra",
     "policy_processes": ["gcm-national", "imrf"]},
    {"name": "Braga", "kind": "lrg", "country": "PT", "preferred_language": "en",
     "population": 193_333, "declaration_signed_on": date(2022, 5, 18),
     "declaration_signatory": "Mayor of Braga", "policy_processes": []},
    {"name": "FAMSI", "kind": "partner", "country": "ES", "preferred_language": "es",
     "endorsed_on": date(2022, 6, 1), "policy_processes": ["gfmd"]},
]

# (email, name, role, locale, time zone, organisation name or None, membership role)
ACCOUNTS = [
    ("admin@demo.cta-learning.org", "Amina Secretariat", "admin", "en", "Europe/Brussels",
     None, None),
    ("organiser@demo.cta-learning.org", "Oscar Organiser", "organiser", "es", "Europe/Madrid",
     None, None),
    ("member@montreal.demo.cta-learning.org", "Claire Tremblay", "member", "fr",
     "America/Toronto", "Montréal", "owner"),
    ("member@accra.demo.cta-learning.org", "Kwame Mensah", "member", "en", "Africa/Accra",
     "Accra Metropolitan Assembly", "owner"),
    ("member@braga.demo.cta-learning.org", "Inês Costa", "member", "en", "Europe/Lisbon",
     "Braga", "owner"),
    ("member@famsi.demo.cta-learning.org", "Lucía Romero", "member", "es", "Europe/Madrid",
     "FAMSI", "owner"),
]

DESCRIPTIONS = {
    "admin@demo.cta-learning.org": "admin (secretariat)",
    "organiser@demo.cta-learning.org": "organiser of events",
    "member@montreal.demo.cta-learning.org": "member of a city that has submitted an action",
    "member@accra.demo.cta-learning.org": "member of a city that has not yet submitted",
}


def _organisation(spec: dict) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == spec["name"]))
    if organisation is None:
        organisation = Organisation(region=region_for_country(spec["country"]), **spec)
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _account(email, name, role, locale, timezone, organisation, membership_role) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(email=email, name=name, role=role, locale=locale, timezone=timezone,
                    password_hash=hash_password(DEMO_PASSWORD), email_confirmed_at=utcnow())
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(organisation=organisation, user=user, role=membership_role))
        db.session.flush()
    return user


def seed() -> list[User]:
    """Create the demo organisations and accounts that do not exist yet."""
    organisations = {spec["name"]: _organisation(spec) for spec in ORGANISATIONS}
    return [
        _account(email, name, role, locale, zone, organisations.get(org), member_role)
        for email, name, role, locale, zone, org, member_role in ACCOUNTS
    ]


@click.command("seed-demo")
@with_appcontext
def seed_demo() -> None:
    """Load demo data (safe to run again: existing rows are kept)."""
    if current_app.config["ENV_NAME"] == "production":
        raise click.ClickException("Demo data is not loaded in production.")
    users = seed()
    db.session.commit()
    click.echo(f"Demo data ready. Every demo account's password is: {DEMO_PASSWORD}")
    for user in users:
        click.echo(f"  {user.email:<42} {DESCRIPTIONS.get(user.email, 'member of ' + (user.organisation.name if user.organisation else '-'))}")
