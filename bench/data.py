"""Generate the benchmark data set in a fresh database: schema by migrations, rows in bulk.

Usage: python -m bench.data PATH_OR_URL [--scale N] [--organisations N] [--users N]
       [--actions N] [--enrolments N] [--events N] [--event-registrations N] [--seed N]
PATH_OR_URL is a SQLite file to create, or the URL of an empty database (PostgreSQL).
"""

import argparse
import json
import os
import random
import secrets
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from itertools import chain, islice

import flask_migrate
from flask import current_app
from sqlalchemy import Connection, Table, insert, text
from werkzeug.security import generate_password_hash

from bench.database import analyze, reset_sequences
from bench.learner import LEARNER_ID, add_learner_rows
from cta_learning import access, create_app
from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.actions.classification import pledge_type
from cta_learning.actions.models import Action, ActionPriority
from cta_learning.community.events.models import (
    KINDS,
    AgendaSegment,
    Event,
    EventPriority,
    Registration,
    SegmentPerson,
)
from cta_learning.content import priority_ids
from cta_learning.courses.certificates import CODE_ALPHABET
from cta_learning.courses.content import read_course
from cta_learning.courses.grading import match_options
from cta_learning.courses.importing import import_course
from cta_learning.courses.models import (
    Attempt,
    Certificate,
    Course,
    Enrolment,
    Lesson,
    LessonProgress,
)
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.i18n import country_regions

DEFAULT_ORGANISATIONS = 10_000
DEFAULT_USERS = 20_000
DEFAULT_ACTIONS = 50_000
DEFAULT_ENROLMENTS = 20_000
DEFAULT_EVENTS = 2_000
DEFAULT_EVENT_REGISTRATIONS = 50_000
# The counts `--scale` multiplies (the data set at 1x), by option name.
DEFAULT_COUNTS = {
    "organisations": DEFAULT_ORGANISATIONS,
    "users": DEFAULT_USERS,
    "actions": DEFAULT_ACTIONS,
    "enrolments": DEFAULT_ENROLMENTS,
    "events": DEFAULT_EVENTS,
    "event_registrations": DEFAULT_EVENT_REGISTRATIONS,
}
USERS_PER_ORGANISATION = 2
BENCH_PASSWORD = "bench-password"  # noqa: S105 - throwaway accounts in a throwaway database
# The course imported from content/courses/, and the learner the benchmark signs in as: user
# 1, the owner of organisation 1, unlocked by hand by the one admin of the data set.
COURSE_SLUG = "localising-global-compacts"
LEARNER_EMAIL = "user00001@bench.example"
ADMIN_EMAIL = "admin@bench.example"
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
    access_grants: int
    course_lessons: int
    enrolments: int
    lesson_progress: int
    attempts: int
    certificates: int
    events: int
    event_priorities: int
    event_segments: int
    event_people: int
    event_registrations: int
    learner_actions: int
    learner_registrations: int
    seconds: float


def sqlite_url(path: str) -> str:
    """The SQLAlchemy URL of a SQLite file, as CTA_DATABASE_URL expects it."""
    return "sqlite:///" + os.path.abspath(path)


def database_url(path_or_url: str) -> str:
    """A URL as given (e.g. postgresql+psycopg://...), or a SQLite file's path made a URL."""
    return path_or_url if "://" in path_or_url else sqlite_url(path_or_url)


def scaled_counts(scale: float, explicit: dict[str, int | None]) -> dict[str, int]:
    """Every count of the data set: the default times `scale`, unless given explicitly."""
    return {
        name: explicit.get(name) or max(1, round(default * scale))
        for name, default in DEFAULT_COUNTS.items()
    }


def _insert(connection: Connection, table: Table, rows: Iterable[dict]) -> int:
    """Insert rows with Core executemany, one statement per batch (memory stays flat whatever
    the number of rows); how many were inserted."""
    rows, inserted = iter(rows), 0
    while batch := list(islice(rows, BATCH_SIZE)):
        connection.execute(insert(table), batch)
        inserted += len(batch)
    return inserted


def _organisation_rows(count: int, rng: random.Random, now: datetime) -> Iterator[dict]:
    """Organisations: mostly local governments, some partners, real countries and regions."""
    regions = country_regions()
    countries = sorted(regions)
    for number in range(1, count + 1):
        country = rng.choice(countries)
        government = rng.random() < 0.8
        signed = date(2018, 12, 10) + timedelta(days=rng.randrange(2_500))
        yield {
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


def _user_rows(count: int, rng: random.Random, now: datetime) -> Iterator[dict]:
    """Confirmed members sharing one password hash: hashing 20,000 times would take minutes."""
    password_hash = generate_password_hash(
        BENCH_PASSWORD, method=current_app.config["PASSWORD_HASH_METHOD"]
    )
    return (
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
    )


def _admin_row(number: int, now: datetime) -> dict:
    """The one admin, who unlocks the learner's organisation by hand; no organisation."""
    return {
        "id": number,
        "email": ADMIN_EMAIL,
        "name": "Bench Admin",
        "password_hash": "!",  # cannot sign in: nothing in the benchmark needs to
        "role": "admin",
        "locale": "en",
        "timezone": "UTC",
        "is_active": True,
        "session_token": secrets.token_urlsafe(32),
        "email_confirmed_at": now,
        "created_at": now,
        "last_login_at": None,
    }


def _membership_rows(users: int, organisations: int, now: datetime) -> Iterator[dict]:
    """Two users per organisation in turn, the first its owner; users beyond that have none."""
    count = min(users, organisations * USERS_PER_ORGANISATION)
    return (
        {
            "id": index + 1,
            "organisation_id": index // USERS_PER_ORGANISATION + 1,
            "user_id": index + 1,
            "role": "owner" if index % USERS_PER_ORGANISATION == 0 else "member",
            "joined_at": now,
        }
        for index in range(count)
    )


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
    first_submitted: dict[int, dict],
) -> tuple[int, int]:
    """Insert actions and their priorities batch by batch: memory stays flat whatever `count`.

    `first_submitted` receives each organisation's first submitted (or published) action.
    """
    priority_rows: list[dict] = []
    actions = _action_rows(count, organisations, users, rng, now, priority_rows)
    inserted_actions = inserted_priorities = 0
    while batch := list(islice(actions, BATCH_SIZE)):
        connection.execute(insert(Action.__table__), batch)
        connection.execute(insert(ActionPriority.__table__), priority_rows)
        inserted_actions += len(batch)
        inserted_priorities += len(priority_rows)
        priority_rows.clear()
        for row in batch:
            if row["submitted_at"] is not None and row["organisation_id"] not in first_submitted:
                # Only what the grant needs: whole rows would hold memory that grows with scale.
                first_submitted[row["organisation_id"]] = {
                    key: row[key] for key in ("id", "submitted_by_id", "submitted_at")
                }
    return inserted_actions, inserted_priorities


def _insert_grants(connection: Connection, first_submitted: dict[int, dict]) -> int:
    """One access grant per organisation that submitted an action, as `grant_for_action` makes,
    and the organisation marked unlocked from then on."""
    rows = [
        {
            "organisation_id": organisation_id,
            "action_id": action["id"],
            "reason": "action submitted",
            "granted_by_id": action["submitted_by_id"],
            "granted_at": action["submitted_at"],
        }
        for organisation_id, action in sorted(first_submitted.items())
    ]
    _insert(connection, access.AccessGrant.__table__, rows)
    connection.execute(
        text(
            "UPDATE organisations SET unlocked_at = (SELECT min(granted_at) FROM access_grants"
            " WHERE access_grants.organisation_id = organisations.id)"
        )
    )
    return len(rows)


# --- The course and its learners ---------------------------------------------------------------


@dataclass(frozen=True)
class LessonPlan:
    """What the generator needs of one lesson: its id, and right and wrong answers if graded."""

    id: int
    slug: str
    kind: str
    right: dict
    wrong: dict | None  # None for games: playing one through always passes


def _import_course() -> int:
    """Import the shipped course with the application's own reader and importer; its id."""
    path = os.path.join(current_app.config["CONTENT_PATH"], "courses", COURSE_SLUG)
    files = read_course(path, priority_ids())
    if files.problems:
        raise RuntimeError(f"{path}: " + "; ".join(files.problems))
    course_id = import_course(files).course.id
    db.session.commit()
    return course_id


def _answers(lesson: Lesson, content: dict) -> tuple[dict, dict | None]:
    """Right and wrong answers in the shape `operations.answers_from` gives."""
    if lesson.kind == "quiz":
        questions = content["questions"]
        right = {q["id"]: [c["id"] for c in q["choices"] if c["correct"]] for q in questions}
        wrong = {
            q["id"]: [next(c["id"] for c in q["choices"] if not c["correct"])] for q in questions
        }
        return right, wrong
    game = content["game"]
    if game["kind"] == "sort":
        return {item["id"]: [item["category"]] for item in game["items"]}, None
    # Match games: the tokens depend on SECRET_KEY, the server's (same environment).
    return {pair["id"]: [token] for token, pair in match_options(lesson, game)}, None


def _lesson_plans(course_id: int) -> list[LessonPlan]:
    """The course's lessons in order, with the answers of the graded ones."""
    course = db.session.get(Course, course_id)
    plans = []
    for lesson in course.lessons:
        right, wrong = {}, None
        if lesson.is_graded:
            right, wrong = _answers(lesson, lesson.content[course.languages[0]])
        plans.append(LessonPlan(lesson.id, lesson.slug, lesson.kind, right, wrong))
    db.session.close()
    return plans


@dataclass
class LearningRows:
    """One batch of enrolments and what hangs from them, ready for executemany."""

    enrolments: list[dict] = field(default_factory=list)
    progress: list[dict] = field(default_factory=list)
    attempts: list[dict] = field(default_factory=list)
    certificates: list[dict] = field(default_factory=list)


def _certificate_code(rng: random.Random, used: set[str]) -> str:
    """A code in the application's format (XXXX-XXXX-XXXX), unique in the data set."""
    while True:
        raw = "".join(rng.choice(CODE_ALPHABET) for _ in range(12))
        code = f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"
        if code not in used:
            used.add(code)
            return code


class _Learning:
    """Builds each learner's enrolment, lesson progress, attempts and certificate.

    Learners go through the lessons in order (the course is sequential): about 20 % enrolled
    without finishing a lesson, 10 % completed the course (a certificate), the others stopped
    somewhere in between; 70 % of those who did not finish are part-way through the next
    lesson (a progress row without completion, which is where they resume). A quiz is failed
    once before being passed about 30 % of the time; every graded lesson done has its attempts.
    """

    def __init__(self, course_id: int, lessons: list[LessonPlan], rng: random.Random, now):
        self.course_id = course_id
        self.lessons = lessons
        self.rng = rng
        self.now = now
        self.progress_id = self.attempt_id = self.certificate_id = 0
        self.codes: set[str] = set()

    def _progress(self, rows: LearningRows, enrolment_id: int, lesson: LessonPlan, **values):
        self.progress_id += 1
        rows.progress.append(
            {
                "id": self.progress_id,
                "enrolment_id": enrolment_id,
                "lesson_id": lesson.id,
                "attempts": 0,
                "best_score": None,
                "completed_at": None,
                **values,
            }
        )

    def _attempt(self, rows, enrolment_id, lesson, answers, score, moment) -> None:
        self.attempt_id += 1
        rows.attempts.append(
            {
                "id": self.attempt_id,
                "enrolment_id": enrolment_id,
                "lesson_id": lesson.id,
                "answers": answers,
                "score": score,
                "passed": score >= 70 or lesson.kind == "game",
                "created_at": moment,
            }
        )

    def _plan(self, number: int) -> tuple[int, bool]:
        """(lessons done, part-way through the next one)."""
        total = len(self.lessons)
        if number == LEARNER_ID:
            return 1, True  # the welcome done, reading the second lesson: the page measured
        draw = self.rng.random()
        done = total if draw < 0.1 else 0 if draw < 0.3 else self.rng.randint(1, total - 1)
        return done, done < total and self.rng.random() < 0.7

    def add(self, rows: LearningRows, number: int, name: str) -> None:
        """Learner `number` (user id and enrolment id), with everything done so far."""
        rng, total = self.rng, len(self.lessons)
        done, reading = self._plan(number)
        enrolled_at = self.now - timedelta(days=rng.randrange(1, 180), minutes=rng.randrange(1440))
        step = (self.now - enrolled_at) / (total + 2)  # every moment stays before now
        moment = enrolled_at
        for lesson in self.lessons[:done]:
            started_at = moment + step * rng.uniform(0.1, 0.5)
            moment = started_at + step * rng.uniform(0.1, 0.5)
            values = {"started_at": started_at, "completed_at": moment}
            if lesson.kind == "quiz" and rng.random() < 0.3:
                self._attempt(rows, number, lesson, lesson.wrong, 0, started_at)
                values.update(attempts=1)
            if lesson.kind in ("quiz", "game"):
                self._attempt(rows, number, lesson, lesson.right, 100, moment)
                values.update(attempts=values.get("attempts", 0) + 1, best_score=100)
            self._progress(rows, number, lesson, **values)
        last_lesson = self.lessons[done - 1] if done else None
        if reading:
            last_lesson = self.lessons[done]
            moment += step * rng.uniform(0.1, 0.5)
            self._progress(rows, number, last_lesson, started_at=moment)
        if number == LEARNER_ID:  # and one failed try at the chapter's quiz, still open
            quiz = next(lesson for lesson in self.lessons if lesson.kind == "quiz")
            self._attempt(rows, number, quiz, quiz.wrong, 0, moment)
            self._progress(rows, number, quiz, started_at=moment, attempts=1, best_score=0)
        completed_at = moment if done == total else None
        rows.enrolments.append(
            {
                "id": number,
                "user_id": number,
                "course_id": self.course_id,
                "enrolled_at": enrolled_at,
                "last_lesson_id": last_lesson.id if last_lesson else None,
                "last_seen_at": moment if last_lesson else None,
                "completed_at": completed_at,
            }
        )
        if completed_at is not None:
            self.certificate_id += 1
            rows.certificates.append(
                {
                    "id": self.certificate_id,
                    "code": _certificate_code(rng, self.codes),
                    "enrolment_id": number,
                    "course_id": self.course_id,
                    "name": name,
                    "issued_at": completed_at,
                }
            )


def _insert_learning(
    connection: Connection,
    count: int,
    course_id: int,
    lessons: list[LessonPlan],
    rng: random.Random,
    now: datetime,
) -> dict[str, int]:
    """Enrol users 1..count, batch by batch (memory stays flat); the rows inserted, by kind."""
    learning = _Learning(course_id, lessons, rng, now)
    totals = {"enrolments": 0, "progress": 0, "attempts": 0, "certificates": 0}
    for first in range(1, count + 1, BATCH_SIZE):
        rows = LearningRows()
        for number in range(first, min(first + BATCH_SIZE, count + 1)):
            learning.add(rows, number, f"User {number:05d}")
        connection.execute(insert(Enrolment.__table__), rows.enrolments)
        connection.execute(insert(LessonProgress.__table__), rows.progress)
        connection.execute(insert(Attempt.__table__), rows.attempts)
        if rows.certificates:
            connection.execute(insert(Certificate.__table__), rows.certificates)
        for name in totals:
            totals[name] += len(getattr(rows, name))
    return totals


# --- Peer-learning events ----------------------------------------------------------------------

EVENT_ZONES = ("Europe/Paris", "America/Bogota", "Africa/Nairobi", "Asia/Manila", "UTC")
EVENT_LANGUAGES = ("en", "fr", "es", "ar")
# The agenda of every event: (kind, minutes, title), people in the rounds and the opening.
AGENDA = (
    ("opening", 10, "Introduction and how the session works"),
    ("round", 30, "First round: coordination between local and national governments"),
    ("round", 30, "Second round: legal frameworks and local competences"),
    ("conversation", 20, "Open conversation"),
    ("closing", 5, "Closing remarks"),
)
PEOPLE_ROLES = {"opening": ("moderator",), "round": ("moderator", "speaker", "speaker")}


@dataclass
class EventRows:
    """Events and what hangs from them, ready for executemany."""

    events: list[dict] = field(default_factory=list)
    priorities: list[dict] = field(default_factory=list)
    segments: list[dict] = field(default_factory=list)
    people: list[dict] = field(default_factory=list)
    registrations: list[dict] = field(default_factory=list)


def _event_row(number: int, rng: random.Random, now: datetime, admin_id: int) -> dict:
    """One published event: 60 % in the past year, 40 % in the next six months, on the hour."""
    past = rng.random() < 0.6
    days = -rng.randrange(1, 366) if past else rng.randrange(1, 181)
    start = now.replace(minute=0, second=0, microsecond=0) + timedelta(
        days=days, hours=rng.randrange(-6, 7)
    )
    limited = rng.random() < 0.3  # 30 % have 20 to 59 places, and some of them fill up
    cancelled = rng.random() < 0.03
    published = min(start - timedelta(days=29), now - timedelta(days=1))
    return {
        "id": number,
        "series_id": None,
        "status": "cancelled" if cancelled else "published",
        "kind": rng.choice(list(KINDS)),
        "format": "online",
        "title": f"Event {number:05d}",
        "summary": f"Bench event {number:05d}: cities share what worked.",
        "description": "A **peer exchange** between local and national governments.",
        "objectives": "Share priorities for joint action.",
        "expected_results": "Concrete ways to bring partnerships to the regional reviews.",
        "starts_at": start,
        "ends_at": start + timedelta(minutes=sum(minutes for _, minutes, _ in AGENDA)),
        "timezone": rng.choice(EVENT_ZONES),
        "online_url": f"https://meet.bench.example/event-{number}",
        "venue": None,
        "languages": ["en", *rng.sample(EVENT_LANGUAGES[1:], rng.randint(0, 3))],
        "audience": "members" if rng.random() < 0.2 else "everyone",
        "capacity": rng.randrange(20, 60) if limited else None,
        "seats_taken": 0,
        "registration_deadline": None,
        "requires_approval": False,
        "recording_url": f"https://video.bench.example/event-{number}" if past else None,
        "materials_summary": "What the participants agreed on." if past else "",
        "documents": [],
        "sequence": 1 if cancelled else 0,
        "created_by_id": admin_id,
        "created_at": published - timedelta(days=1),
        "updated_at": published,
        "published_at": published,
        "postponed_at": None,
        "cancelled_at": start - timedelta(days=2) if cancelled else None,
        "cancel_reason": "The speakers could not attend." if cancelled else "",
    }


class _Events:
    """Builds events, their priority areas, agenda, people and registrations.

    Every tenth event is a series over three days whose next three events are its sessions,
    one a day. Registrations are spread at random over the events, by distinct users per
    event, made between publication and the start (or now): confirmed while places remain,
    then on the waiting list; about 5 % cancelled; at past events about 70 % of the confirmed
    attended.
    """

    def __init__(self, rng: random.Random, now: datetime, users: int, admin_id: int):
        self.rng = rng
        self.now = now
        self.users = users
        self.admin_id = admin_id
        self.countries = sorted(country_regions())
        self.segment_id = self.person_id = self.registration_id = 0
        self.series: dict | None = None

    def _agenda(self, rows: EventRows, event: dict) -> None:
        moment = event["starts_at"]
        for kind, minutes, title in AGENDA:
            self.segment_id += 1
            rows.segments.append(
                {
                    "id": self.segment_id,
                    "event_id": event["id"],
                    "kind": kind,
                    "title": title,
                    "guiding_question": "What hinders coordination?" if kind == "round" else "",
                    "starts_at": moment,
                    "ends_at": moment + timedelta(minutes=minutes),
                }
            )
            moment += timedelta(minutes=minutes)
            for position, role in enumerate(PEOPLE_ROLES.get(kind, ())):
                self.person_id += 1
                rows.people.append(
                    {
                        "id": self.person_id,
                        "segment_id": self.segment_id,
                        "position": position,
                        "role": role,
                        "name": f"Speaker {self.person_id:06d}",
                        "job_title": "Coordinator",
                        "organisation": f"City {self.rng.randrange(1, 10_000):05d}",
                        "country": self.rng.choice(self.countries),
                    }
                )

    def _registrations(self, rows: EventRows, event: dict, count: int) -> None:
        rng = self.rng
        confirmed = 0
        ended = event["ends_at"] <= self.now
        for user_id in rng.sample(range(1, self.users + 1), min(count, self.users)):
            until = min(event["starts_at"], self.now)
            registered_at = event["published_at"] + (until - event["published_at"]) * rng.random()
            if rng.random() < 0.05:
                status = "cancelled"
            elif event["capacity"] is None or confirmed < event["capacity"]:
                status = "confirmed"
                confirmed += 1
            else:
                status = "waiting"
            self.registration_id += 1
            rows.registrations.append(
                {
                    "id": self.registration_id,
                    "event_id": event["id"],
                    "user_id": user_id,
                    "status": status,
                    "language": rng.choice(event["languages"]),
                    "registered_at": registered_at,
                    "queued_at": registered_at,
                    "confirmed_at": registered_at if status == "confirmed" else None,
                    "cancelled_at": registered_at if status == "cancelled" else None,
                    "decided_by_id": None,
                    "attended": rng.random() < 0.7 if ended and status == "confirmed" else None,
                    "reminded_at": None,
                }
            )
        event["seats_taken"] = confirmed

    def add(self, rows: EventRows, number: int, registrations: int) -> None:
        """Event `number`, with its priority areas, agenda and `registrations` registrations."""
        event = _event_row(number, self.rng, self.now, self.admin_id)
        if number % 10 == 1:  # a series over three days: events 2-4 are its sessions
            event["ends_at"] = (
                event["starts_at"] + timedelta(days=2) + (event["ends_at"] - event["starts_at"])
            )
            self.series = event
        elif number % 10 in (2, 3, 4) and self.series is not None:
            length = event["ends_at"] - event["starts_at"]
            event["series_id"] = self.series["id"]
            event["starts_at"] = self.series["starts_at"] + timedelta(days=number % 10 - 2)
            event["ends_at"] = event["starts_at"] + length
        rows.events.append(event)
        rows.priorities.extend(
            {"event_id": number, "priority_id": priority}
            for priority in sorted(self.rng.sample(PRIORITY_IDS, self.rng.randint(1, 3)))
        )
        self._agenda(rows, event)
        self._registrations(rows, event, registrations)


def _insert_events(
    connection: Connection,
    count: int,
    registrations: int,
    users: int,
    admin_id: int,
    rng: random.Random,
    now: datetime,
) -> dict[str, int]:
    """Insert events 1..count and what hangs from them, batch by batch; the rows, by kind."""
    builder = _Events(rng, now, users, admin_id)
    per_event = [0] * count
    for _ in range(registrations):
        per_event[rng.randrange(count)] += 1
    totals = dict.fromkeys(("events", "priorities", "segments", "people", "registrations"), 0)
    tables = {
        "events": Event.__table__,
        "priorities": EventPriority.__table__,
        "segments": AgendaSegment.__table__,
        "people": SegmentPerson.__table__,
        "registrations": Registration.__table__,
    }
    for first in range(1, count + 1, BATCH_SIZE // 10):
        rows = EventRows()
        for number in range(first, min(first + BATCH_SIZE // 10, count + 1)):
            builder.add(rows, number, per_event[number - 1])
        for name, table in tables.items():
            _insert(connection, table, getattr(rows, name))
            totals[name] += len(getattr(rows, name))
    return totals


def _unlock_learner_by_hand(admin_id: int) -> None:
    """The learner's organisation gets a manual grant too, through the application's function.

    Organisation 1 is usually unlocked already by its first action; the second grant only
    makes its access check read two grants, as an organisation with a manual grant would.
    """
    learner = db.session.get(User, LEARNER_ID)
    access.grant_manually(learner.organisation, "benchmark learner", db.session.get(User, admin_id))
    db.session.commit()


def generate(
    path: str,
    organisations: int,
    users: int,
    seed: int = 42,
    actions: int = DEFAULT_ACTIONS,
    enrolments: int = DEFAULT_ENROLMENTS,
    events: int = DEFAULT_EVENTS,
    event_registrations: int = DEFAULT_EVENT_REGISTRATIONS,
) -> DataSet:
    """Create the database (`path`: a SQLite file, which must not exist, or the URL of an
    empty database), migrate it and fill it.

    Enrolments go to users 1..min(enrolments, users), user 1 being the learner the benchmark
    signs in as (its organisation is unlocked by hand, see `_unlock_learner_by_hand`; its own
    actions, registrations and subscription come from `bench/learner.py`).
    """
    url = database_url(path)
    if url.startswith("sqlite") and os.path.exists(path):
        raise FileExistsError(f"{path} exists: the data set needs a fresh database file")
    started = time.perf_counter()
    # The setting CTA_DATABASE_URL sets, passed directly: the caller's environment stays as is.
    app = create_app({"DATABASE_URL": url})
    rng = random.Random(seed)  # noqa: S311 - reproducible sample data, not secrets
    now = utcnow()
    learners = min(enrolments, users)
    with app.app_context():
        flask_migrate.upgrade()
        course_id = _import_course()
        lessons = _lesson_plans(course_id)
        admin_id = users + 1
        first_submitted: dict[int, dict] = {}
        with db.engine.begin() as connection:
            organisation_count = _insert(
                connection, Organisation.__table__, _organisation_rows(organisations, rng, now)
            )
            user_rows = chain(_user_rows(users, rng, now), [_admin_row(admin_id, now)])
            user_count = _insert(connection, User.__table__, user_rows) - 1
            membership_count = _insert(
                connection, Membership.__table__, _membership_rows(users, organisations, now)
            )
            action_count, priority_count = _insert_actions(
                connection, actions, organisations, users, rng, now, first_submitted
            )
            grant_count = _insert_grants(connection, first_submitted)
            learning = _insert_learning(connection, learners, course_id, lessons, rng, now)
            # Events last, so that the rows above stay the same for the same seed.
            event_totals = _insert_events(
                connection, events, event_registrations, users, admin_id, rng, now
            )
            reset_sequences(connection)
        _unlock_learner_by_hand(admin_id)
        learner_rows = add_learner_rows(now)
        db.session.remove()
        analyze(db.engine)
        db.engine.dispose()
    return DataSet(
        path=os.path.abspath(path) if url.startswith("sqlite") else path,
        organisations=organisation_count,
        users=user_count,
        memberships=membership_count,
        actions=action_count,
        action_priorities=priority_count,
        access_grants=grant_count + 1,
        course_lessons=len(lessons),
        enrolments=learning["enrolments"],
        lesson_progress=learning["progress"],
        attempts=learning["attempts"],
        certificates=learning["certificates"],
        events=event_totals["events"],
        event_priorities=event_totals["priorities"],
        event_segments=event_totals["segments"],
        event_people=event_totals["people"],
        event_registrations=event_totals["registrations"],
        learner_actions=learner_rows["learner_actions"],
        learner_registrations=learner_rows["learner_registrations"],
        seconds=round(time.perf_counter() - started, 2),
    )


def _positive(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def positive_number(value: str) -> float:
    """An argparse type: a number above 0 (a scale may be 0.5 or 10)."""
    try:
        number = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {value!r}") from None
    if not number > 0 or number == float("inf"):
        raise argparse.ArgumentTypeError("must be a number above 0")
    return number


def add_size_arguments(parser: argparse.ArgumentParser) -> None:
    """--scale, and the counts that override it one by one (shared with bench.run)."""
    parser.add_argument(
        "--scale",
        type=positive_number,
        default=1.0,
        help="multiply every default count (10 gives 500,000 actions)",
    )
    for name, default in DEFAULT_COUNTS.items():
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=_positive,
            default=None,
            help=f"overrides the scaled default ({default:,} at scale 1)",
        )


def counts_given(arguments: argparse.Namespace) -> dict[str, int | None]:
    """The counts given explicitly on the command line (None where not given)."""
    return {name: getattr(arguments, name) for name in DEFAULT_COUNTS}


def main(argv: list[str] | None = None) -> int:
    """Command line: generate the data set and print what it holds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "path", help="SQLite file to create (must not exist), or an empty database's URL"
    )
    add_size_arguments(parser)
    parser.add_argument("--seed", type=int, default=42, help="random seed (same seed, same data)")
    arguments = parser.parse_args(argv)
    counts = scaled_counts(arguments.scale, counts_given(arguments))
    try:
        data_set = generate(arguments.path, seed=arguments.seed, **counts)
    except FileExistsError as error:
        print(error, file=sys.stderr)
        return 2
    # One JSON line on stdout, so bench.run can read it back.
    print(json.dumps(asdict(data_set)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
