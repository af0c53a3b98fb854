"""A small world whose every figure is known (see `known_world` for the counts)."""

from dataclasses import dataclass
from datetime import date, datetime

from cta_learning.accounts.models import Membership, Organisation, User
from cta_learning.actions.models import Action, ActionPriority
from cta_learning.community.events.models import Event, Registration
from cta_learning.community.mailing.models import Subscriber, SubscriberTopic
from cta_learning.community.mgi.models import MgiRequest
from cta_learning.courses.models import Certificate, Course, Enrolment
from cta_learning.extensions import db

PAST = 2023
THIS_YEAR = date.today().year
PEOPLE = {  # names and addresses that no public figure may show
    "carla": ("Carla Ortiz", "carla.ortiz@bogota.example.org"),
    "samba": ("Samba Ndiaye", "samba.ndiaye@dakar.example.org"),
    "alone": ("Noor Alone", "noor.alone@example.org"),
}
SIGNATORY = "Mayor Jeanne Dupont"
FOCAL = ("Focal Fatou", "fatou.focal@dakar.example.org")
READER = ("Public Reader", "reader@example.org")


@dataclass
class World:
    users: dict[str, int]
    organisations: dict[str, int]


def _in(year: int, month: int = 3) -> datetime:
    return datetime(year, month, 1, 12, 0)


def _action(organisation: Organisation, year: int, groups, priorities, **fields) -> Action:
    values = {
        "status": "published",
        "title": f"Action of {organisation.name}",
        "description": "What the city does.",
        "start_on": date(2023, 10, 1),
        "is_ongoing": True,
        "published_at": _in(year),
        "submitted_at": _in(year, 2),
        "pledge_type": fields.pop("pledge_type"),
        **{f"targets_{group}": True for group in groups},
        **fields,
    }
    action = Action(organisation=organisation, **values)
    action.priority_links = [ActionPriority(priority_id=p) for p in priorities]
    return action


def known_world(app, copy: int = 0) -> World:
    """Eight organisations with 14 published actions, a course, events, subscribers, requests.

    - Colombia (americas): five governments with one action each, published in 2023, mirror
      pledges (migrants, refugees), priorities 3 and 5, ongoing since 2023 (commitments).
    - Senegal (africa): two governments, three actions published this year (2 + 1), GCM
      (migrants), priority 1, concluded in 2023 (good practices); plus a draft and a submitted
      action, counted nowhere.
    - France (europe): one partner organisation, six actions this year, priority 3, ongoing
      with results (commitments and good practices): four GCR (refugees), two IDPs.

    `copy` adds the same world again (unique addresses and codes), to grow the data.
    """
    tag = f"{copy}." if copy else ""
    with app.app_context():
        orgs = {}
        for number in range(1, 6):
            orgs[f"co{number}"] = Organisation(
                kind="lrg", name=f"Ciudad {number}", country="CO", region="americas"
            )
        orgs["sn1"] = Organisation(
            kind="lrg", name="Dakar", country="SN", region="africa", declaration_signatory=SIGNATORY
        )
        orgs["sn2"] = Organisation(kind="lrg", name="Thiès", country="SN", region="africa")
        orgs["fr1"] = Organisation(kind="partner", name="Réseau", country="FR", region="europe")
        for org in orgs.values():
            org.policy_processes = []
        db.session.add_all(orgs.values())
        actions = [
            _action(orgs[f"co{n}"], PAST, ("migrants", "refugees"), (3, 5), pledge_type="mirror")
            for n in range(1, 6)
        ]
        concluded = {"start_on": date(2022, 1, 1), "end_on": date(2023, 1, 1), "is_ongoing": False}
        for org in ("sn1", "sn1", "sn2"):
            actions.append(
                _action(orgs[org], THIS_YEAR, ("migrants",), (1,), pledge_type="gcm", **concluded)
            )
        evidence = {"start_on": date(2024, 1, 1), "results": "Evidence of results."}
        for kind, groups in (("gcr", ("refugees",)),) * 4 + (("idps", ("idps",)),) * 2:
            actions.append(
                _action(orgs["fr1"], THIS_YEAR, groups, (3,), pledge_type=kind, **evidence)
            )
        actions.append(
            _action(
                orgs["sn1"],
                THIS_YEAR,
                ("migrants",),
                (2,),
                pledge_type="gcm",
                status="draft",
                published_at=None,
            )
        )
        actions.append(
            _action(
                orgs["sn1"],
                THIS_YEAR,
                ("migrants",),
                (2,),
                pledge_type="gcm",
                status="submitted",
                published_at=None,
            )
        )
        db.session.add_all(actions)

        users = {  # nobody signs in as them: no password
            key: User(email=tag + email, name=name, password_hash="!", email_confirmed_at=_in(PAST))  # noqa: S106
            for key, (name, email) in PEOPLE.items()
        }
        db.session.add_all(users.values())
        db.session.flush()
        db.session.add_all(
            [
                Membership(organisation_id=orgs["co1"].id, user_id=users["carla"].id),
                Membership(organisation_id=orgs["sn1"].id, user_id=users["samba"].id),
            ]
        )
        _learning(users, tag)
        _events(users)
        _community(orgs, users, tag)
        db.session.commit()
        return World(
            {key: user.id for key, user in users.items()},
            {key: org.id for key, org in orgs.items()},
        )


def _learning(users, tag: str) -> None:
    """Carla enrolled in 2023 and finished (certificate); Samba enrolled this year; Noor
    (no organisation) enrolled and finished this year (certificate)."""
    course = Course(
        slug=f"{tag}course-one",
        languages=["en", "fr", "es"],
        title={"en": "Course one", "fr": "Cours un", "es": "Curso uno"},
        summary={"en": "", "fr": "", "es": ""},
    )
    db.session.add(course)
    db.session.flush()
    plans = (("carla", PAST, PAST), ("samba", THIS_YEAR, None), ("alone", THIS_YEAR, THIS_YEAR))
    for number, (person, enrolled, completed) in enumerate(plans):
        enrolment = Enrolment(
            user_id=users[person].id,
            course_id=course.id,
            enrolled_at=_in(enrolled, 1),
            completed_at=_in(completed, 2) if completed else None,
        )
        db.session.add(enrolment)
        db.session.flush()
        if completed:
            db.session.add(
                Certificate(
                    code=f"{tag}CODE-{number}",
                    enrolment_id=enrolment.id,
                    course_id=course.id,
                    name=users[person].name,
                    issued_at=_in(completed, 2),
                )
            )


def _event(year: int, status: str = "published") -> Event:
    return Event(
        status=status,
        kind="peer_exchange",
        title=f"Exchange {year} {status}",
        starts_at=_in(year, 1),
        ends_at=_in(year, 1).replace(hour=14),
        timezone="UTC",
        languages=[],
        audience="everyone",
    )


def _events(users) -> None:
    """2023: one event, Carla (attended) and Samba confirmed, Noor cancelled; this year: one
    event, Noor confirmed, Carla waiting; a draft event's registrations count nowhere."""
    past, current, draft = _event(PAST), _event(THIS_YEAR), _event(PAST, "draft")
    db.session.add_all([past, current, draft])
    db.session.flush()
    seats = [
        (past, "carla", "confirmed", True),
        (past, "samba", "confirmed", False),
        (past, "alone", "cancelled", None),
        (current, "alone", "confirmed", None),
        (current, "carla", "waiting", None),
        (draft, "carla", "confirmed", True),
    ]
    for event, person, status, attended in seats:
        db.session.add(
            Registration(
                event_id=event.id, user_id=users[person].id, status=status, attended=attended
            )
        )


def _community(orgs, users, tag: str) -> None:
    """Subscribers: Carla (es: events, Global Cities Fund), a public reader (fr: events); one
    pending, one unsubscribed and one suppressed count nowhere. Local MGI: Dakar's request
    shared (this year), Ciudad 1's completed (2023), Ciudad 2's received (this year)."""
    subscribers = [
        ("carla", "es", "subscribed", ("events", "cities_fund"), None),
        (READER, "fr", "subscribed", ("events",), None),
        (("Pending", "pending@example.org"), "en", "pending", ("events",), None),
        (("Gone", "gone@example.org"), "en", "unsubscribed", ("events",), None),
        (("Bounced", "bounced@example.org"), "en", "subscribed", ("events",), _in(PAST)),
    ]
    for who, language, status, topics, suppressed in subscribers:
        user = users[who] if isinstance(who, str) else None
        name, email = (user.name, user.email) if user else (who[0], tag + who[1])
        subscriber = Subscriber(
            email=email,
            name=name,
            language=language,
            status=status,
            user_id=user.id if user else None,
            suppressed_at=suppressed,
        )
        subscriber.topic_links = [SubscriberTopic(topic=topic) for topic in topics]
        db.session.add(subscriber)
    for org, step, year in (
        ("sn1", "shared", THIS_YEAR),
        ("co1", "completed", PAST),
        ("co2", "received", THIS_YEAR),
    ):
        db.session.add(
            MgiRequest(
                organisation_id=orgs[org].id,
                step=step,
                focal_name=FOCAL[0],
                focal_position="Adviser",
                focal_email=FOCAL[1],
                focal_phone="+221 33 123 45 67",
                motivation="Know where we stand.",
                language="fr",
                consented_at=_in(year),
                created_at=_in(year),
            )
        )
