"""`flask seed-demo`: sample organisations, actions, accounts and events (idempotent).

Organisations and their actions come from content/demo_actions.yaml (facts of the Call's 2023
report); the accounts below belong to some of them. The two past events are those of the
Mayors Mechanism's concept note of January 2021 and briefing of April 2022; the three upcoming
ones are dated from the day the command runs.
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
from cta_learning.community.events.times import in_zone, to_utc
from cta_learning.database import utcnow
from cta_learning.demo_mailing import seed_mailing, seed_mgi
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
    for user in users:
        if user.role in two_factor.STAFF_ROLES:  # staff sign in with two steps
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
ACCRA = "member@accra.demo.cta-learning.org"
BRAGA = "member@braga.demo.cta-learning.org"
FAMSI = "member@famsi.demo.cta-learning.org"
ORGANISER = "organiser@demo.cta-learning.org"

MAYORS_MECHANISM = "GFMD Mayors Mechanism"
IOM = "International Organization for Migration (IOM)"

# Each event: its fields; `day` (a date, or days from today in its zone), `start` and `end` in
# its zone; its agenda as (kind, start, end, title, guiding question, people), people as
# (role, name, job title, organisation, country); and who is registered, in the order they
# registered: (email, status, interpretation language, attended).
NETWORKING_2021 = {
    "kind": "networking",
    "title": "Networking meeting of the GFMD Mayors Mechanism: local solutions for an inclusive "
    "COVID-19 response and recovery",
    "summary": "A dynamic dialogue between national government representatives and city "
    "leaders on partnerships for an inclusive response to COVID-19 and recovery, and on taking "
    "them to the 2021 regional reviews and the 2022 International Migration Review Forum.",
    "description": """\
When the Global Compact for Migration and the Global Compact on Refugees were adopted in
December 2018, 150 city representatives endorsed the Marrakech Mayors Declaration. It calls
for the **full and formal recognition** of the role of local and regional governments (LRGs)
in implementing, following up and reviewing both compacts, and commits them to **accelerate
their own efforts** to advance the compacts.

National governments increasingly recognise LRGs as key actors of migration governance, since
the New York Declaration. LRGs have recently been invited to the table where international
policy is made: the Global Refugee Forum in 2019, the regional reviews of the Global Compact
for Migration, and the Global Forum on Migration and Development (GFMD), where the **GFMD
Mayors Mechanism**, co-led by United Cities and Local Governments (UCLG), the Mayors
Migration Council (MMC) and the International Organization for Migration (IOM), coordinates
their engagement.

A seat at the table is an important first step. LRGs now ask to be seen not only as key
implementers but above all as **key partners** in making and evaluating migration policy.
This session discusses how such partnerships are taking shape, and how they should, to reach
the global goals on migration.

It takes place in the midst of the COVID-19 pandemic, a global shock with LRGs at its
epicentre: they have been at the front line of the response and have led local response and
recovery efforts with pragmatism and principle. The session **brings that expertise to the
table**, to learn, and to work towards migration being "a source of prosperity, innovation and
sustainable development in our globalized world" (Global Compact for Migration, paragraph 8).

**Participants.** Open to every national and local government delegate registered with the
GFMD. The GFMD Civil Society coordinating office, the mechanism that coordinates the private
sector's engagement in the GFMD and the organisers of the GFMD Youth Forum are invited to name
a representative to take part as observers.""",
    "objectives": "A dynamic conversation between national and local government actors, to "
    "share their **priorities for joint action, the obstacles to success and the solutions for "
    "better collaboration** on migration policy in the years ahead.",
    "expected_results": """\
- National governments and LRGs discuss the specific challenges and opportunities they met in
  ensuring an inclusive response to COVID-19, and explore how to work together on recovery.
- They learn about current local-national partnerships that make migration policies more
  flexible and effective.
- They discuss concrete ways to bring these partnerships to the 2021 Regional Migration Review
  Forums and the 2022 International Migration Review Forum (IMRF), and work out how the
  international governance space can enable new partnerships and solutions.""",
    "timezone": "Europe/Paris",  # the concept note gives times in CET
    "day": date(2021, 1, 22),
    "start": time(16, 0),
    "end": time(18, 0),
    "languages": ["en", "fr", "es", "ar"],
    "priorities": [1, 8],
    "agenda": [
        (
            "opening",
            time(16, 0),
            time(16, 5),
            "Short introduction and how the session works",
            "",
            [("moderator", "Sophie van Haasen", "Coordinator", MAYORS_MECHANISM, None)],
        ),
        (
            "welcome",
            time(16, 5),
            time(16, 10),
            "Welcome",
            "",
            [("speaker", "António Vitorino", "Director General", IOM, None)],
        ),
        (
            "round",
            time(16, 10),
            time(16, 30),
            "First round: how can coordination between local and national governments enable "
            "an inclusive response and recovery?",
            "In your own response and recovery efforts, at local or national level, have you "
            "met challenges that hinder effective local-national coordination? What would you "
            "recommend to overcome them, and are there promising examples you would like to "
            "highlight?",
            [
                (
                    "moderator",
                    "Cécile Riallant",
                    "Head of the Migration and Sustainable Development Unit",
                    IOM,
                    None,
                ),
                ("speaker", "Carola Gunnarsson", "Mayor of Sala", "City of Sala", "SE"),
                (
                    "speaker",
                    "Alexandra Young",
                    "Director, International Migration Policy, International and "
                    "Intergovernmental Relations",
                    "Immigration, Refugees and Citizenship Canada, Government of Canada",
                    "CA",
                ),
            ],
        ),
        (
            "round",
            time(16, 30),
            time(16, 50),
            "Second round: how can national and local legal frameworks enable an inclusive "
            "response and recovery?",
            "Where you work, does the national legal framework that sets the powers of local "
            "governments allow them to carry out ambitious and comprehensive response and "
            "recovery efforts in the face of COVID-19? If so, why? If not, how have you eased "
            "the situation, and how could it improve in the future?",
            [
                (
                    "moderator",
                    "Emilia Sáiz",
                    "Secretary General",
                    "United Cities and Local Governments (UCLG)",
                    None,
                ),
                (
                    "speaker",
                    "Salvatore Martello",
                    "Mayor of Lampedusa and Linosa",
                    "Municipality of Lampedusa and Linosa",
                    "IT",
                ),
                (
                    "speaker",
                    "Ahmed Skim",
                    "Director of Migration Affairs",
                    "Ministry Delegate to the Minister of Foreign Affairs, African Cooperation "
                    "and Moroccans Living Abroad, in charge of Moroccans Living Abroad",
                    "MA",
                ),
            ],
        ),
        (
            "round",
            time(16, 50),
            time(17, 10),
            "Third round: how can municipal access to international financing enable an "
            "inclusive response and recovery?",
            "How can the GFMD community work together to give municipalities better access to "
            "financing? What good practices exist, what has not worked, and what have we been "
            "too afraid to try in the past?",
            [
                (
                    "moderator",
                    "Vittoria Zanuso",
                    "Executive Director",
                    "Mayors Migration Council (MMC)",
                    None,
                ),
                (
                    "speaker",
                    "Jeniffer Villarreal de Hoyos",
                    "Secretary of Government",
                    "District of Barranquilla",
                    "CO",
                ),
                (
                    "speaker",
                    "Felipe Muñoz",
                    "Head of the Migration Unit",
                    "Inter-American Development Bank",
                    None,
                ),
            ],
        ),
        (
            "conversation",
            time(17, 10),
            time(17, 55),
            "Open conversation",
            "",
            [
                ("moderator", "Sophie van Haasen", "Coordinator", MAYORS_MECHANISM, None),
                (
                    "reaction",
                    "Bettina Etter",
                    "Senior Advisor, Global Migration Governance",
                    "Swiss Agency for Development and Cooperation, Federal Department of "
                    "Foreign Affairs",
                    "CH",
                ),
                (
                    "reaction",
                    "Ambassador Diego Morejón",
                    "Representative of Ecuador to the GFMD",
                    "Ministry of Foreign Affairs and Human Mobility",
                    "EC",
                ),
            ],
        ),
        ("closing", time(17, 55), time(18, 0), "Closing remarks", "", []),
    ],
    "materials": """\
**Summary.** A two-hour dialogue between national government representatives and city
leaders, with interpretation into English, French, Spanish and Arabic. After welcome words by
IOM's Director General, three rounds, each led by a moderator with a local and a national or
international speaker, took up how local-national coordination, national legal frameworks and
municipal access to international financing can enable an inclusive response to COVID-19 and
recovery. Reactions from Switzerland and Ecuador opened the conversation with all participants.

What was raised was meant for the 2021 Regional Migration Review Forums and the 2022
International Migration Review Forum.""",
    "registrations": [(BRAGA, "confirmed", "en", True), (MONTREAL, "confirmed", "fr", True)],
}

PEER_LEARNING_2022 = {
    "kind": "peer_exchange",
    "title": "Migration and displacement in crisis contexts: what are local and regional "
    "governments doing to save and protect lives?",
    "summary": "Three days of peer learning among local and regional governments on saving and "
    "protecting lives in crises, ending with a briefing on the road to the International "
    "Migration Review Forum.",
    "description": "A three-day peer-learning event of the Mayors Mechanism. Each session "
    "could also be joined on its own: the briefing on the road to the IMRF was open to those "
    "who wished to attend that session only.",
    "timezone": "Europe/Paris",
    "day": date(2022, 4, 11),
    "end_day": date(2022, 4, 13),
    "start": time(15, 0),  # the briefing gives 15:00-16:00 CEST for the last day only
    "end": time(16, 0),
    "languages": ["en", "fr", "es"],
    "priorities": [1, 3, 8],
    "materials": "**Summary.** Three days of peer learning on what local and regional "
    "governments do to save and protect lives when crises drive migration and displacement. "
    "The last session prepared them for the first International Migration Review Forum.",
    "registrations": [(FAMSI, "confirmed", "es", True)],
}

BRIEFING_2022 = {
    "kind": "briefing",
    "title": "Briefing on the road to the International Migration Review Forum (IMRF)",
    "summary": "What the first International Migration Review Forum (16-20 May 2022) means for "
    "local and regional governments, how to raise local voices there, and the Call to Local "
    "Action for Migrants and Refugees to be launched at the Forum.",
    "description": """\
In 2018 national governments endorsed the United Nations Global Compact for Safe, Orderly and
Regular Migration (GCM) and the Global Compact on Refugees (GCR). Both are anchored in the
2030 Agenda for Sustainable Development and pave the way to its goals by ensuring a
human-rights-based governance of migration and forced displacement. All three recognise the
key role local and regional governments (LRGs) play in supporting migrants and displaced
people and in building sustainable communities.

That same year, LRGs around the world took the lead and endorsed the **Marrakech Mayors
Declaration**. Stating that migration is first of all a local matter, its signatories called
for the full and formal recognition of the transformative role of local governments in
implementing the GCM and the GCR, and committed to deliver both compacts in unison.

From 16 to 20 May 2022, the member states of the United Nations meet for the first time to
review their progress on the GCM at the **International Migration Review Forum (IMRF)**.

This briefing is a session of the peer-learning event "Migration and displacement in crisis
contexts: what are local and regional governments doing to save and protect lives?"
(11-13 April), and is also open to participants who join for this session only.""",
    "objectives": "Inform local and regional governments of the opportunities and challenges "
    "of raising local voices at the IMRF, and share information on the **Call to Local Action "
    "for Migrants and Refugees**, an initiative of the members of the Mayors Mechanism's "
    "steering committee (UCLG, the Mayors Migration Council and IOM), in partnership with "
    "UNHCR, the UN Refugee Agency, to be launched at the IMRF.",
    "expected_results": "Local and regional governments learn what is at stake at the IMRF, "
    "assess their options for taking part, and share their questions and considerations with "
    "the Mayors Mechanism.",
    "timezone": "Europe/Paris",  # 15:00-16:00 CEST
    "day": date(2022, 4, 13),
    "start": time(15, 0),
    "end": time(16, 0),
    "languages": ["en", "fr", "es"],
    "priorities": [1, 8],
    # The briefing's agenda gives the order, not the times: these are the demo's.
    "agenda": [
        ("opening", time(15, 0), time(15, 5), "Technical details", "", []),
        (
            "presentation",
            time(15, 5),
            time(15, 25),
            "The road to the International Migration Review Forum (IMRF)",
            "",
            [
                (
                    "speaker",
                    "Monami Maulik",
                    "Stakeholder Liaison Officer",
                    "United Nations Network on Migration",
                    None,
                ),
                ("speaker", "Sophie van Haasen", "Coordinator", MAYORS_MECHANISM, None),
            ],
        ),
        (
            "questions",
            time(15, 25),
            time(15, 55),
            "Discussion, questions and answers",
            "How does your local or regional government act on migration governance? Has your "
            "national government invited you to contribute to discussions on the national "
            "implementation and review of the GCM or the GCR? Are you interested in making your "
            "voice heard on migration and displacement at the international level? Would you "
            "like to get involved in the Call to Local Action for Migrants and Refugees?",
            [],
        ),
        ("closing", time(15, 55), time(16, 0), "Conclusions", "", []),
    ],
    "materials": """\
**Summary.** The United Nations Network on Migration and the Mayors Mechanism presented the
road to the first International Migration Review Forum (16-20 May 2022): what is at stake
for local and regional governments and how they can engage, including through the Call to
Local Action for Migrants and Refugees, to be launched at the Forum. Participants then
discussed how their governments act on migration and whether their national governments
involve them in implementing and reviewing the compacts.""",
    "registrations": [(FAMSI, "confirmed", "es", True), (MONTREAL, "confirmed", "fr", False)],
}

UPCOMING = [
    {
        "kind": "webinar",
        "title": "Webinar: opening local health and education services to everyone, whatever "
        "their status",
        "summary": "Cities in Latin America and Europe explain how they opened clinics and "
        "schools to migrants and refugees, and what it took.",
        "description": "A webinar organised from Bogotá: three short presentations by cities, "
        "then questions from participants. Times are set in Bogotá's time zone.",
        "objectives": "Learn from cities that give access to health care and education "
        "regardless of migration status.",
        "expected_results": "Practical steps participants can take back to their own services.",
        "timezone": "America/Bogota",
        "day": 10,
        "start": time(9, 0),
        "end": time(10, 30),
        "languages": ["es", "en", "fr"],
        "priorities": [4, 5],
        "agenda": [
            ("welcome", time(9, 0), time(9, 10), "Welcome", "", []),
            ("presentation", time(9, 10), time(9, 50), "What three cities did", "", []),
            ("questions", time(9, 50), time(10, 25), "Questions and answers", "", []),
            ("closing", time(10, 25), time(10, 30), "Closing", "", []),
        ],
        "registrations": [(FAMSI, "confirmed", "es", None), (BRAGA, "confirmed", "en", None)],
    },
    {
        "kind": "workshop",
        "title": "Workshop: planning for climate-related displacement in secondary cities",
        "summary": "Three cities each bring their draft plan for people displaced by floods "
        "and drought, and the others review it with them.",
        "description": "A small peer-review workshop organised from Nairobi. Places are "
        "limited to three cities so that each plan gets a full review; others can join the "
        "waiting list and will get a place if one frees up.",
        "objectives": "Review three local plans for climate-related displacement.",
        "expected_results": "Each city leaves with comments on its plan from its peers.",
        "timezone": "Africa/Nairobi",
        "day": 25,
        "start": time(14, 0),
        "end": time(16, 0),
        "languages": ["en", "fr"],
        "priorities": [2, 8],
        "capacity": 3,
        "deadline_days": 3,  # registration closes three days before
        "registrations": [
            (MONTREAL, "confirmed", "fr", None),
            (BRAGA, "confirmed", "en", None),
            (FAMSI, "confirmed", "en", None),
            (ACCRA, "waiting", "en", None),
        ],
    },
    {
        "kind": "peer_exchange",
        "title": "Peer exchange: receiving people displaced by disasters, with the community",
        "summary": "Members share how their cities receive people displaced by typhoons and "
        "earthquakes, and how residents and community sponsors take part.",
        "description": "A peer exchange organised from Manila for members of organisations "
        "that have submitted an action to the Call.",
        "objectives": "Compare reception arrangements and community sponsorship schemes.",
        "expected_results": "Contacts between cities that want to work together on reception.",
        "timezone": "Asia/Manila",
        "day": 40,
        "start": time(15, 0),
        "end": time(17, 0),
        "languages": ["en", "fr", "es"],
        "priorities": [7, 3],
        "audience": "members",
        "registrations": [(MONTREAL, "confirmed", "fr", None)],
    },
]


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
    values = {
        "kind": spec["kind"],
        "format": "online",
        "title": spec["title"],
        "summary": spec["summary"],
        "description": spec["description"],
        "objectives": spec.get("objectives", ""),
        "expected_results": spec.get("expected_results", ""),
        "timezone": zone,
        "online_url": None if ends_at <= now else "https://meet.example.org/cta-demo",
        "venue": None,
        "languages": spec["languages"],
        "audience": spec.get("audience", "everyone"),
        "registration_deadline": starts_at - timedelta(days=deadline) if deadline else None,
        "requires_approval": False,
    }
    details = EventDetails(
        values, starts_at, ends_at, spec.get("capacity"), priority_ids=spec["priorities"]
    )
    event = events.create_event(details, organiser, series)
    for kind, start, end, title, question, people in spec.get("agenda", ()):
        segment = {
            "kind": kind,
            "title": title,
            "guiding_question": question,
            "starts_at": _at(day, start, zone),
            "ends_at": _at(day, end, zone),
        }
        people = [
            dict(zip(("role", "name", "job_title", "organisation", "country"), person, strict=True))
            for person in people
        ]
        events.save_segment(event, None, segment, people, organiser)
    events.publish_event(event, organiser, now)
    if spec.get("materials"):
        events.save_materials(event, None, spec["materials"], [], organiser)
    # Published a while before it starts; registrations made directly, in order, an hour
    # apart, so that the demo sends no email.
    opened = min(now - timedelta(days=2), starts_at - timedelta(days=14))
    event.created_at = event.published_at = opened
    for number, (email, status, language, attended) in enumerate(spec["registrations"]):
        registered_at = opened + timedelta(hours=number + 1)
        db.session.add(
            Registration(
                event=event,
                user=users[email],
                status=status,
                language=language,
                registered_at=registered_at,
                queued_at=registered_at,
                confirmed_at=registered_at if status == "confirmed" else None,
                attended=attended,
            )
        )
    event.seats_taken = sum(status == "confirmed" for _, status, _, _ in spec["registrations"])
    db.session.flush()
    return event


def seed_events(users: list[User]) -> list[Event]:
    """Two past events of the Mayors Mechanism (one a session of a three-day series) and
    three upcoming ones, by the demo organiser."""
    by_email = {user.email: user for user in users}
    organiser = by_email[ORGANISER]
    now = utcnow()
    made = [_demo_event(NETWORKING_2021, organiser, by_email, now)]
    series = _demo_event(PEER_LEARNING_2022, organiser, by_email, now)
    made += [series, _demo_event(BRIEFING_2022, organiser, by_email, now, series=series)]
    made += [_demo_event(spec, organiser, by_email, now) for spec in UPCOMING]
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
    click.echo(
        "The admin and the organiser sign in with two steps. Either add this development-only\n"
        f"key to an authenticator app: {two_factor.DEVELOPMENT_SECRET}\n"
        "or print the current code after the password, for example with:\n"
        "  .venv/bin/flask --app cta_learning users totp-code admin@demo.cta-learning.org"
    )
