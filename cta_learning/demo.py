"""`flask seed-demo`: sample organisations, actions and accounts (idempotent).

Organisations and their actions come from content/demo_actions.yaml (facts of the Call's 2023
report); the accounts below belong to some of them.
"""

import os

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.accounts.operations import hash_password
from cta_learning.actions import operations as actions
from cta_learning.actions.models import Action
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.i18n import region_for_country

DEMO_PASSWORD = "demo-password"  # noqa: S105 - printed on purpose: demo accounts only
PROFILE_FIELDS = (
    "kind",
    "country",
    "preferred_language",
    "population",
    "declaration_signed_on",
    "declaration_signatory",
    "endorsed_on",
)
ACTION_FIELDS = (
    "title",
    "description",
    "language",
    "start_on",
    "end_on",
    "results",
    "target_groups",
    "priorities",
    "partners",
    "beneficiaries",
)

# (email, name, role, locale, time zone, organisation name or None, membership role)
ACCOUNTS = [
    (
        "admin@demo.cta-learning.org",
        "Amina Secretariat",
        "admin",
        "en",
        "Europe/Brussels",
        None,
        None,
    ),
    (
        "organiser@demo.cta-learning.org",
        "Oscar Organiser",
        "organiser",
        "es",
        "Europe/Madrid",
        None,
        None,
    ),
    (
        "member@montreal.demo.cta-learning.org",
        "Claire Tremblay",
        "member",
        "fr",
        "America/Toronto",
        "Montréal",
        "owner",
    ),
    (
        "member@accra.demo.cta-learning.org",
        "Kwame Mensah",
        "member",
        "en",
        "Africa/Accra",
        "Accra Metropolitan Assembly",
        "owner",
    ),
    (
        "member@braga.demo.cta-learning.org",
        "Inês Costa",
        "member",
        "en",
        "Europe/Lisbon",
        "Braga",
        "owner",
    ),
    (
        "member@famsi.demo.cta-learning.org",
        "Lucía Romero",
        "member",
        "es",
        "Europe/Madrid",
        "FAMSI",
        "owner",
    ),
]

DESCRIPTIONS = {
    "admin@demo.cta-learning.org": "admin (secretariat)",
    "organiser@demo.cta-learning.org": "organiser of events",
    "member@montreal.demo.cta-learning.org": "member of a city that has submitted an action",
    "member@accra.demo.cta-learning.org": "member of a city that has not yet submitted",
}


def _load_demo_file() -> list[dict]:
    path = os.path.join(current_app.config["CONTENT_PATH"], "demo_actions.yaml")
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)["organisations"]


def _organisation(spec: dict) -> Organisation:
    organisation = db.session.scalar(select(Organisation).where(Organisation.name == spec["name"]))
    if organisation is None:
        organisation = Organisation(
            name=spec["name"],
            region=region_for_country(spec["country"]),
            policy_processes=[],
            **{field: spec.get(field) for field in PROFILE_FIELDS},
        )
        db.session.add(organisation)
        db.session.flush()
    return organisation


def _action(organisation: Organisation, spec: dict, admin: User) -> None:
    exists = db.session.scalar(
        select(Action.id).where(
            Action.organisation_id == organisation.id, Action.title == spec["title"]
        )
    )
    if exists:
        return
    action = actions.create_draft(organisation, admin, spec["language"])
    data = {field: spec[field] for field in ACTION_FIELDS if field in spec}
    actions.apply_fields(
        action, {**data, "is_ongoing": "end_on" not in spec, "results": spec.get("results") or ""}
    )
    if spec["state"] in ("submitted", "published"):
        actions.submit(action, admin)
    if spec["state"] == "published":
        actions.publish(action, admin)


def _account(email, name, role, locale, timezone, organisation, membership_role) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            name=name,
            role=role,
            locale=locale,
            timezone=timezone,
            password_hash=hash_password(DEMO_PASSWORD),
            email_confirmed_at=utcnow(),
        )
        db.session.add(user)
        if organisation is not None:
            db.session.add(Membership(organisation=organisation, user=user, role=membership_role))
        db.session.flush()
    return user


def seed() -> list[User]:
    """Create the demo organisations, accounts and actions that do not exist yet."""
    specs = _load_demo_file()
    organisations = {spec["name"]: _organisation(spec) for spec in specs}
    users = [
        _account(email, name, role, locale, zone, organisations.get(org), member_role)
        for email, name, role, locale, zone, org, member_role in ACCOUNTS
    ]
    admin = users[0]
    for spec in specs:
        for action_spec in spec.get("actions", []):
            _action(organisations[spec["name"]], action_spec, admin)
    return users


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
        organisation = user.organisation
        default = f"member of {organisation.name}" if organisation else user.role
        click.echo(f"  {user.email:<42} {DESCRIPTIONS.get(user.email, default)}")
