"""`flask seed-demo`: sample organisations, actions, accounts and events (idempotent).

Organisations and their actions come from content/demo/actions.yaml (facts of the Call's 2023
report); the accounts below belong to some of them. The events come from
content/demo/events.yaml: the two past events are those of the Mayors Mechanism's concept note
of January 2021 and briefing of April 2022; the three upcoming ones are dated from the day the
command runs.
"""

import os
from datetime import date, datetime, time, timedelta

import click
import yaml
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from cta_learning.accounts import two_factor
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.accounts.operations import hash_password
from cta_learning.actions import operations as actions
from cta_learning.actions.models import Action
from cta_learning.community.events import operations as events
from cta_learning.community.events.models import Event, Registration
from cta_learning.community.events.operations import EventDetails
from cta_learning.community.events.texts import EVENT_TEXTS
from cta_learning.community.events.times import in_zone, to_utc
from cta_learning.database import utcnow
from cta_learning.demo_mailing import seed_mailing, seed_mgi
from cta_learning.extensions import db
from cta_learning.i18n import region_for_country
from cta_learning.security import STAFF_ROLES

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
    path = os.path.join(current_app.config["CONTENT_PATH"], "demo", "actions.yaml")
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
    for user in users:
        if user.role in STAFF_ROLES:  # staff sign in with two steps
            two_factor.enable_development_secret(user)
    for spec in specs:
        for action_spec in spec.get("actions", []):
            _action(organisations[spec["name"]], action_spec, admin)
    seed_events(users)
    seed_mailing(admin)
    seed_mgi(next(user for user in users if user.email == MONTREAL), admin)
    return users


# --- Peer-learning events ---------------------------------------------------------------------

MONTREAL = "member@montreal.demo.cta-learning.org"
ORGANISER = "organiser@demo.cta-learning.org"
PAST_EVENTS = ("networking_2021", "peer_learning_2022", "briefing_2022")


def _read_clock_times(item: dict) -> None:
    item["start"] = time.fromisoformat(item["start"])
    item["end"] = time.fromisoformat(item["end"])


def _load_events_file() -> dict:
    """The demo events of content/demo/events.yaml, their clock times read as times."""
    path = os.path.join(current_app.config["CONTENT_PATH"], "demo", "events.yaml")
    with open(path, encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    for spec in [*(data[name] for name in PAST_EVENTS), *data["upcoming"]]:
        _read_clock_times(spec)
        for segment in spec.get("agenda", ()):
            _read_clock_times(segment)
    return data


def _at(day: date, clock: time, zone: str) -> datetime:
    return to_utc(day, clock, zone)


def _demo_event(spec: dict, organiser: User, users: dict, now: datetime, series=None):
    """Create one event (published, with its agenda, materials and registrations) unless an
    event of the same title exists; the event."""
    existing = db.session.scalar(select(Event).where(Event.title == spec["title"]))
    if existing is not None:
        return existing
    zone = spec["timezone"]
    day = spec["day"]
    if isinstance(day, int):  # days from today, in the event's zone
        day = in_zone(now, zone).date() + timedelta(days=day)
    starts_at = _at(day, spec["start"], zone)
    ends_at = _at(spec.get("end_day", day), spec["end"], zone)
    deadline = spec.get("deadline_days")
    language = spec.get("language", "en")
    texts = {
        language: {name: spec.get(name, "") for name in EVENT_TEXTS},
        # Other languages, as {language: {title: …, summary: …}}.
        **{
            other: {name: given.get(name, "") for name in EVENT_TEXTS}
            for other, given in spec.get("translations", {}).items()
        },
    }
    values = {
        "kind": spec["kind"],
        "format": "online",
        "language": language,
        "timezone": zone,
        "online_url": None if ends_at <= now else "https://meet.example.org/cta-demo",
        "venue": None,
        "languages": spec["languages"],
        "audience": spec.get("audience", "everyone"),
        "registration_deadline": starts_at - timedelta(days=deadline) if deadline else None,
        "requires_approval": False,
    }
    details = EventDetails(
        values,
        starts_at,
        ends_at,
        spec.get("capacity"),
        priority_ids=spec["priorities"],
        texts=texts,
    )
    event = events.create_event(details, organiser, series)
    for item in spec.get("agenda", ()):
        segment = {
            "kind": item["kind"],
            "texts": {language: {"title": item["title"], "guiding_question": item["question"]}},
            "starts_at": _at(day, item["start"], zone),
            "ends_at": _at(day, item["end"], zone),
        }
        events.save_segment(event, None, segment, item["people"], organiser)
    events.publish_event(event, organiser, now)
    if spec.get("materials"):
        events.save_materials(event, None, spec["materials"], [], organiser)
    # Published a while before it starts; registrations made directly, in order, an hour
    # apart, so that the demo sends no email.
    opened = min(now - timedelta(days=2), starts_at - timedelta(days=14))
    event.created_at = event.published_at = opened
    for number, registration in enumerate(spec["registrations"]):
        registered_at = opened + timedelta(hours=number + 1)
        confirmed = registration["status"] == "confirmed"
        db.session.add(
            Registration(
                event=event,
                user=users[registration["email"]],
                status=registration["status"],
                language=registration["language"],
                registered_at=registered_at,
                queued_at=registered_at,
                confirmed_at=registered_at if confirmed else None,
                attended=registration["attended"],
            )
        )
    event.seats_taken = sum(
        registration["status"] == "confirmed" for registration in spec["registrations"]
    )
    db.session.flush()
    return event


def seed_events(users: list[User]) -> list[Event]:
    """Two past events of the Mayors Mechanism (one a session of a three-day series) and
    three upcoming ones, by the demo organiser."""
    by_email = {user.email: user for user in users}
    organiser = by_email[ORGANISER]
    now = utcnow()
    specs = _load_events_file()
    made = [_demo_event(specs["networking_2021"], organiser, by_email, now)]
    series = _demo_event(specs["peer_learning_2022"], organiser, by_email, now)
    briefing = _demo_event(specs["briefing_2022"], organiser, by_email, now, series=series)
    made += [series, briefing]
    made += [_demo_event(spec, organiser, by_email, now) for spec in specs["upcoming"]]
    return made


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
    click.echo("Events: 2 past (with agenda and summary) and 3 upcoming, at /events/.")
    click.echo(f"Links in emails lead to {current_app.config['PUBLIC_URL']} (CTA_PUBLIC_URL).")
    click.echo(
        "The admin and the organiser sign in with two steps. Either add this development-only\n"
        f"key to an authenticator app: {two_factor.DEVELOPMENT_SECRET}\n"
        "or print the current code after the password, for example with:\n"
        "  .venv/bin/flask --app cta_learning users totp-code admin@demo.cta-learning.org"
    )
