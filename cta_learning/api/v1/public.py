"""The public operations of the API: no sign-in, what a visitor sees on the pages, in the
language asked for (each text says which language it is in, as the pages fall back)."""

from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from cta_learning import content, i18n
from cta_learning.accounts.models import Organisation
from cta_learning.actions.models import Action
from cta_learning.actions.operations import classification
from cta_learning.actions.repository_views import (
    published_action,
    published_conditions,
    with_details,
)
from cta_learning.api.v1 import schemas
from cta_learning.api.v1.framework import endpoint, not_found, page_of, paginate
from cta_learning.community.events import listing
from cta_learning.community.events.models import AgendaSegment, Event, EventStatus
from cta_learning.courses import operations as courses
from cta_learning.extensions import db
from cta_learning.security import public_url_for


def _text(texts: dict, language: str) -> dict:
    """A {language: text} mapping in `language`, else as the pages fall back; with its language."""
    if not texts:
        return {"text": "", "language": language}
    text, fallback = i18n.translated(texts, language)
    if not fallback:
        return {"text": text, "language": language}
    return {"text": text, "language": next(code for code, value in texts.items() if value == text)}


def _utc(moment: datetime | None) -> datetime | None:
    """A stored (naive, UTC) time, marked as UTC for clients."""
    return moment.replace(tzinfo=UTC) if moment and moment.tzinfo is None else moment


def _written(text: str, language: str) -> dict:
    return {"text": text or "", "language": language}


# --- Priorities ----------------------------------------------------------------------------


@endpoint(
    "/priorities",
    summary=_l("The Call's priority areas"),
    tags=["priorities"],
    response=schemas.PriorityListSchema,
)
def priorities():
    """The priority areas, in order, with their link to the Global Compacts."""
    language = i18n.current_language()
    return {
        "items": [
            {
                "id": priority.id,
                "slug": priority.slug,
                "title": _text(priority.title, language),
                "description": _text(priority.description, language),
                "example": _text(priority.example, language),
                "gcr_area": _text(priority.gcr_area, language),
                "gcm_objectives": list(priority.gcm_objectives),
                "url": public_url_for("pages.priorities") + "#" + priority.slug,
            }
            for priority in content.priorities()
        ]
    }


# --- Actions -------------------------------------------------------------------------------


def _action(action: Action, language: str, detail: bool = False) -> dict:
    translation = action.translations[0] if action.translations else None
    written = translation.language if translation else action.language
    organisation = action.organisation
    answer = {
        "id": action.id,
        "url": public_url_for("repository.detail", action_id=action.id),
        "title": _written(translation.title if translation else action.title, written),
        "organisation": {
            "name": organisation.name,
            "country": organisation.country,
            "region": organisation.region,
        },
        "start_on": action.start_on,
        "end_on": action.end_on,
        "is_ongoing": action.is_ongoing,
        "pledge_type": action.pledge_type,
        "target_groups": sorted(action.target_groups),
        "priorities": action.priority_ids,
        "published_at": _utc(action.published_at),
    }
    if detail:
        derived = classification(action)
        answer |= {
            "description": _written(
                translation.description if translation else action.description, written
            ),
            "results": _written(action.results, action.language),
            "partners": list(action.partners or []),
            "beneficiaries": action.beneficiaries,
            "links": action.link_list,
            "status": derived.status if derived else None,
            "platforms": list(derived.platforms) if derived else [],
        }
    return answer


@endpoint(
    "/actions",
    summary=_l("Published actions, with the repository's filters"),
    tags=["actions"],
    query=schemas.ActionQuery,
    response=page_of(schemas.PublicActionSchema),
)
def actions(args: dict):
    """Published actions, latest first, filtered as in the public repository."""
    language = i18n.current_language()
    chosen = {name: str(args[name]) for name in schemas.ActionQuery.filters if name in args}
    conditions = published_conditions(chosen)
    statement = (
        with_details(select(Action).where(*conditions), language)
        .options(
            joinedload(Action.organisation).load_only(
                Organisation.name, Organisation.country, Organisation.region
            )
        )
        .order_by(Action.published_at.desc(), Action.id.desc())
    )
    count = select(func.count()).select_from(Action).where(*conditions)
    page = paginate(statement, args, count)
    page["items"] = [_action(action, language) for action in page["items"]]
    return page


@endpoint(
    "/actions/<int:action_id>",
    summary=_l("One published action"),
    tags=["actions"],
    response=schemas.PublicActionDetailSchema,
)
def action(action_id: int):
    """A published action; any other (draft, submitted, returned) is not found."""
    language = i18n.current_language()
    found = published_action(action_id, language)
    if found is None:
        return not_found()
    return _action(found, language, detail=True)


# --- Courses -------------------------------------------------------------------------------


def _course(course, language: str) -> dict:
    return {
        "id": course.id,
        "slug": course.slug,
        "url": public_url_for("courses.syllabus", slug=course.slug),
        "title": _text(course.title, language),
        "summary": _text(course.summary, language),
        "languages": list(course.languages),
        "minutes": course.minutes,
        "pass_mark": course.pass_mark,
        "chapters": [
            {
                "id": chapter.id,
                "slug": chapter.slug,
                "title": _text(chapter.title, language),
                "summary": _text(chapter.summary, language),
                "minutes": chapter.minutes,
                "priorities": list(chapter.priorities or []),
                "lessons": [
                    {
                        "id": lesson.id,
                        "slug": lesson.slug,
                        "title": _text(lesson.titles, language),
                        "kind": lesson.kind,
                        "minutes": lesson.minutes,
                        "preview": lesson.preview,
                    }
                    for lesson in chapter.lessons
                ],
            }
            for chapter in course.chapters
        ],
    }


@endpoint(
    "/courses",
    summary=_l("The courses, with their syllabi"),
    tags=["courses"],
    response=schemas.CourseListSchema,
)
def course_list():
    """Every course in catalogue order: chapters and lessons (titles, kinds, minutes)."""
    language = i18n.current_language()
    outlines = [courses.course_by_slug(course.slug) for course in courses.courses()]
    return {"items": [_course(course, language) for course in outlines if course is not None]}


# --- Events --------------------------------------------------------------------------------


def _event(event: Event, language: str) -> dict:
    text = event.text(language)
    return {
        "id": event.id,
        "url": public_url_for("events.detail", event_id=event.id),
        "status": event.status,
        "kind": event.kind,
        "format": event.format,
        "venue": event.venue,
        "title": _written(text.title, text.lang("title")),
        "summary": _written(text.summary, text.lang("summary")),
        "starts_at": _utc(event.starts_at),
        "ends_at": _utc(event.ends_at),
        "timezone": event.timezone,
        "interpretation": list(event.languages or []),
        "audience": event.audience,
        "priorities": event.priority_ids,
        "capacity": event.capacity,
        "places_left": event.places_left(),
        "registration_deadline": _utc(event.registration_deadline),
        "series_id": event.series_id,
    }


@endpoint(
    "/events",
    summary=_l("Events, with the list's filters"),
    tags=["events"],
    query=schemas.EventQuery,
    response=page_of(schemas.EventSchema),
)
def events(args: dict):
    """Published and cancelled events, upcoming (soonest first) or past (latest first)."""
    language = i18n.current_language()
    filters = {name: str(args[name]) for name in ("kind", "priority", "language") if name in args}
    statement, count = listing.events(filters, past=args["when"] == "past")
    page = paginate(statement.options(selectinload(Event.priority_links)), args, count)
    listing.load_translations(page["items"])
    page["items"] = [_event(event, language) for event in page["items"]]
    return page


def _segment(segment: AgendaSegment, language: str) -> dict:
    text = segment.text(language)
    return {
        "kind": segment.kind,
        "title": _written(text.title, text.lang("title")),
        "guiding_question": _written(text.guiding_question, text.lang("guiding_question")),
        "starts_at": _utc(segment.starts_at),
        "ends_at": _utc(segment.ends_at),
        "people": [
            {
                "role": person.role,
                "name": person.name,
                "job_title": person.job_title,
                "organisation": person.organisation,
                "country": person.country,
                "biography": _written(person.biography, segment.language),
            }
            for person in segment.people
        ],
    }


@endpoint(
    "/events/<int:event_id>",
    summary=_l("One event, with its agenda"),
    tags=["events"],
    response=schemas.EventDetailSchema,
)
def event(event_id: int):
    """A published or cancelled event (drafts are not found), its agenda and materials."""
    language = i18n.current_language()
    found = db.session.scalar(
        select(Event)
        .where(Event.id == event_id, Event.status != EventStatus.DRAFT)
        .options(
            selectinload(Event.priority_links),
            selectinload(Event.sessions),
            selectinload(Event.segments).selectinload(AgendaSegment.people),
            selectinload(Event.segments).selectinload(AgendaSegment.translations),
        )
    )
    if found is None:
        return not_found()
    listing.load_translations([found])
    text = found.text(language)
    return _event(found, language) | {
        "description": _written(text.description, text.lang("description")),
        "objectives": _written(text.objectives, text.lang("objectives")),
        "expected_results": _written(text.expected_results, text.lang("expected_results")),
        "cancel_reason": found.cancel_reason or "",
        "agenda": [_segment(segment, language) for segment in found.segments],
        "sessions": [s.id for s in found.sessions if s.status != EventStatus.DRAFT],
        "recording_url": found.recording_url,
        "materials_summary": found.materials_summary or "",
        "documents": [
            {"title": str(d.get("title", "")), "url": str(d.get("url", ""))}
            for d in found.documents or []
        ],
    }
