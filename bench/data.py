"""Generate the benchmark data set in a fresh SQLite file: schema by migrations, rows in bulk.

Usage: python -m bench.data PATH [--organisations N] [--users N] [--actions N] [--seed N]
"""

import argparse
import json
import os
import random
import secrets
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from itertools import islice

import flask_migrate
from flask import current_app
from sqlalchemy import Connection, Table, insert
from werkzeug.security import generate_password_hash

from cta_learning import create_app
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.actions.classification import pledge_type
from cta_learning.actions.models import Action, ActionPriority
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.i18n import country_regions

DEFAULT_ORGANISATIONS = 10_000
DEFAULT_USERS = 20_000
DEFAULT_ACTIONS = 50_000
USERS_PER_ORGANISATION = 2
BENCH_PASSWORD = "bench-password"  # noqa: S105 - throwaway accounts in a throwaway database
LANGUAGES = ("en", "fr", "es")
# Rows per executemany call: large enough to be fast, small enough to keep memory flat.
BATCH_SIZE = 5_000


@dataclass(frozen=True)
class DataSet:
    """What was generated, and how long it took."""

    path: str
    organisations: int
    users: int
    memberships: int
    actions: int
    action_priorities: int
    seconds: float


def sqlite_url(path: str) -> str:
    """The SQLAlchemy URL of a SQLite file, as CTA_DATABASE_URL expects it."""
    return "sqlite:///" + os.path.abspath(path)


def _batches(rows: list[dict], size: int = BATCH_SIZE) -> Iterator[list[dict]]:
    """Yield the rows in slices of at most `size`."""
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _insert(connection: Connection, table: Table, rows: list[dict]) -> None:
    """Insert rows with Core executemany, one statement per batch."""
    for batch in _batches(rows):
        connection.execute(insert(table), batch)


def _organisation_rows(count: int, rng: random.Random, now: datetime) -> list[dict]:
    """Organisations: mostly local governments, some partners, real countries and regions."""
    regions = country_regions()
    countries = sorted(regions)
    rows = []
    for number in range(1, count + 1):
        country = rng.choice(countries)
        government = rng.random() < 0.8
        signed = date(2018, 12, 10) + timedelta(days=rng.randrange(2_500))
        rows.append(
            {
                "id": number,
                "kind": "lrg" if government else "partner",
                "name": f"{'City' if government else 'Partner'} {number:05d}",
                "country": country,
                "region": regions[country],
                "preferred_language": rng.choice(LANGUAGES),
                "population": rng.randrange(5_000, 5_000_000) if government else None,
                "declaration_signed_on": signed if government else None,
                "declaration_signatory": f"Mayor of City {number:05d}" if government else None,
                "endorsed_on": None if government else signed,
                "policy_processes": [],
                "policy_processes_other": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def _user_rows(count: int, rng: random.Random, now: datetime) -> list[dict]:
    """Confirmed members sharing one password hash: hashing 20,000 times would take minutes."""
    password_hash = generate_password_hash(
        BENCH_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    return [
        {
            "id": number,
            "email": f"user{number:05d}@bench.example",
            "name": f"User {number:05d}",
            "password_hash": password_hash,
            "role": "member",
            "locale": rng.choice(LANGUAGES),
            "timezone": "UTC",
            "is_active": True,
            "session_token": secrets.token_urlsafe(32),
            "email_confirmed_at": now,
            "created_at": now,
            "last_login_at": None,
        }
        for number in range(1, count + 1)
    ]


def _membership_rows(users: int, organisations: int, now: datetime) -> list[dict]:
    """Two users per organisation in turn, the first its owner; users beyond that have none."""
    count = min(users, organisations * USERS_PER_ORGANISATION)
    return [
        {
            "id": index + 1,
            "organisation_id": index // USERS_PER_ORGANISATION + 1,
            "user_id": index + 1,
            "role": "owner" if index % USERS_PER_ORGANISATION == 0 else "member",
            "joined_at": now,
        }
        for index in range(count)
    ]


# Target groups for each pledge type, consistent with classification.pledge_type.
_GROUPS_BY_PLEDGE_TYPE = {
    "mirror": (
        ("migrants", "refugees"),
        ("migrants", "refugees", "idps"),
        ("stateless",),
        ("migrants", "stateless"),
        ("refugees", "stateless"),
        ("migrants", "refugees", "idps", "stateless"),
    ),
    "gcm": (("migrants",), ("migrants", "idps")),
    "gcr": (("refugees",), ("refugees", "idps")),
    "idps": (("idps",),),
}
_PLEDGE_TYPE_WEIGHTS = {"mirror": 40, "gcm": 30, "gcr": 20, "idps": 10}
PRIORITY_IDS = range(1, 9)
FIRST_START = date(2019, 1, 1)
START_DAYS = (date(2026, 12, 31) - FIRST_START).days + 1


def _action_rows(
    count: int,
    organisations: int,
    users: int,
    rng: random.Random,
    now: datetime,
    priority_rows: list[dict],
) -> Iterator[dict]:
    """Actions, one at a time; each one's 1 to 3 priority rows are appended to `priority_rows`.

    About 90 % published, the rest submitted or draft; ids 1..count, organisations in turn
    over a shuffled order so that every organisation has a few.
    """
    kinds = list(_PLEDGE_TYPE_WEIGHTS)
    weights = list(_PLEDGE_TYPE_WEIGHTS.values())
    for number in range(1, count + 1):
        organisation_id = rng.randrange(organisations) + 1
        owner = (organisation_id - 1) * USERS_PER_ORGANISATION + 1
        author = owner if owner <= users else None
        draw = rng.random()
        status = "published" if draw < 0.9 else "submitted" if draw < 0.95 else "draft"
        kind = rng.choices(kinds, weights)[0]
        groups = set(rng.choice(_GROUPS_BY_PLEDGE_TYPE[kind]))
        start_on = FIRST_START + timedelta(days=rng.randrange(START_DAYS))
        ongoing = rng.random() < 0.4
        end_on = None if ongoing else start_on + timedelta(days=rng.randrange(30, 1_500))
        # Submitted every half hour or so up to three hours ago (published two hours later).
        submitted_at = now - timedelta(minutes=(count - number) * 30 + 180 + rng.randrange(30))
        rows_priorities = rng.sample(PRIORITY_IDS, rng.randint(1, 3))
        priority_rows.extend(
            {"action_id": number, "priority_id": priority} for priority in rows_priorities
        )
        yield {
            "id": number,
            "organisation_id": organisation_id,
            "created_by_id": author,
            "status": status,
            "language": rng.choice(LANGUAGES),
            "title": f"Action {number:06d}",
            "description": f"Bench action {number:06d}: a short description of what is done.",
            "start_on": start_on,
            "end_on": end_on,
            "is_ongoing": ongoing,
            "results": "",
            "targets_migrants": "migrants" in groups,
            "targets_refugees": "refugees" in groups,
            "targets_idps": "idps" in groups,
            "targets_stateless": "stateless" in groups,
            "pledge_type": pledge_type(groups),  # the application's rule: equals `kind`
            "partners": [],
            "budget": None,
            "currency": None,
            "beneficiaries": None,
            "links": "",
            "external_id": None,
            "created_at": submitted_at - timedelta(days=1),
            "updated_at": submitted_at,
            "submitted_at": None if status == "draft" else submitted_at,
            "submitted_by_id": None if status == "draft" else author,
            "published_at": submitted_at + timedelta(hours=2) if status == "published" else None,
            "moderation_reason": None,
        }


def _insert_actions(
    connection: Connection,
    count: int,
    organisations: int,
    users: int,
    rng: random.Random,
    now: datetime,
) -> tuple[int, int]:
    """Insert actions and their priorities batch by batch: memory stays flat whatever `count`."""
    priority_rows: list[dict] = []
    actions = _action_rows(count, organisations, users, rng, now, priority_rows)
    inserted_actions = inserted_priorities = 0
    while batch := list(islice(actions, BATCH_SIZE)):
        connection.execute(insert(Action.__table__), batch)
        connection.execute(insert(ActionPriority.__table__), priority_rows)
        inserted_actions += len(batch)
        inserted_priorities += len(priority_rows)
        priority_rows.clear()
    return inserted_actions, inserted_priorities


def generate(
    path: str, organisations: int, users: int, seed: int = 42, actions: int = DEFAULT_ACTIONS
) -> DataSet:
    """Create the database file at `path` (which must not exist), migrate it and fill it."""
    if os.path.exists(path):
        raise FileExistsError(f"{path} exists: the data set needs a fresh database file")
    started = time.perf_counter()
    # The setting CTA_DATABASE_URL sets, passed directly: the caller's environment stays as is.
    app = create_app({"DATABASE_URL": sqlite_url(path)})
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    now = utcnow()
    with app.app_context():
        flask_migrate.upgrade()
        organisation_rows = _organisation_rows(organisations, rng, now)
        user_rows = _user_rows(users, rng, now)
        membership_rows = _membership_rows(users, organisations, now)
        with db.engine.begin() as connection:
            _insert(connection, Organisation.__table__, organisation_rows)
            _insert(connection, User.__table__, user_rows)
            _insert(connection, Membership.__table__, membership_rows)
            action_count, priority_count = _insert_actions(
                connection, actions, organisations, users, rng, now
            )
        db.engine.dispose()
    return DataSet(
        path=os.path.abspath(path),
        organisations=len(organisation_rows),
        users=len(user_rows),
        memberships=len(membership_rows),
        actions=action_count,
        action_priorities=priority_count,
        seconds=round(time.perf_counter() - started, 2),
    )


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the data set and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", help="SQLite file to create (must not exist)")
    parser.add_argument("--organisations", type=_positive, default=DEFAULT_ORGANISATIONS)
    parser.add_argument("--users", type=_positive, default=DEFAULT_USERS)
    parser.add_argument("--actions", type=_positive, default=DEFAULT_ACTIONS)
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    arguments = parser.parse_args(argv)
    try:
        data_set = generate(
            arguments.path,
            arguments.organisations,
            arguments.users,
            arguments.seed,
            arguments.actions,
        )
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 2
    # One JSON line on stdout, so bench.run can read it back.
    print(json.dumps(asdict(data_set)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
