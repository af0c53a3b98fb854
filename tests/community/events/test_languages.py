"""Events in English, French and Spanish: organisers write the event's own language and any
other; readers see theirs, else the original with a note, on every page, email and calendar."""

from datetime import date, datetime, time, timedelta

import pytest

from cta_learning.community.events.models import (
    AgendaSegment,
    Event,
    EventTranslation,
    SegmentPerson,
    SegmentTranslation,
)
from cta_learning.extensions import db
from tests.community.events.helpers import event_form, make_event
from tests.conftest import count, fetch, outbox
from tests.hostile import assert_form_refused, nothing_changes, page_text

FRENCH = {
    "fr_title": "Réunion de réseau du Mécanisme des maires",
    "fr_summary": "Gouvernements nationaux et locaux : des partenariats pour une relance inclusive.",
    "fr_objectives": "Partager les priorités d'action commune.",
}


def _french_only(app, organiser=None, **fields):
    """A published event written in French, with no other language."""
    return make_event(
        app,
        organiser,
        language="fr",
        title="Villes d'accueil : un échange",
        summary="Les villes partagent ce qui a marché.",
        description="Un **dialogue** entre villes.",
        **fields,
    )


def test_an_event_written_in_two_languages_shows_each_reader_theirs(app, client, auth):
    auth.login_as("organiser")
    response = client.post("/manage/events/new", data=event_form(**FRENCH))
    assert response.status_code == 302, page_text(response)
    event = fetch(app, Event, title="Networking meeting of the Mayors Mechanism")
    assert event.language == "en"
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    auth.logout()

    french = page_text(client.get(f"/events/{event.id}?lang=fr"))
    assert FRENCH["fr_title"] in french and FRENCH["fr_summary"] in french
    assert FRENCH["fr_objectives"] in french
    assert "Networking meeting" not in french
    # Not written in French: the description is the English one, marked as such.
    assert '<div class="description" lang="en"><p>A <strong>dynamic dialogue</strong>' in french
    assert french.count('<p class="written-in">') == 2  # the description, expected results

    spanish = client.get(f"/events/{event.id}?lang=es")
    assert "Networking meeting of the Mayors Mechanism" in page_text(spanish)
    assert 'class="notice written-in"' in page_text(spanish)
    assert '<h1 lang="en">' in page_text(spanish)

    listing = page_text(client.get("/events/?lang=fr"))
    assert FRENCH["fr_title"] in listing and 'class="written-in"' not in listing


def test_readers_of_a_language_left_empty_see_the_original_with_a_note(app, client):
    event = _french_only(app)
    page = page_text(client.get(f"/events/{event.id}?lang=en"))
    assert "Villes d'accueil : un échange" in page
    assert "This event is written in French." in page
    assert '<h1 lang="fr">' in page and 'lang="fr"><p>Un <strong>dialogue</strong>' in page
    listing = page_text(client.get("/events/?lang=en"))
    assert "Villes d'accueil : un échange" in listing and "Written in French" in listing
    own = page_text(client.get(f"/events/{event.id}?lang=fr"))
    assert "written-in" not in own and 'lang="fr"' not in own.split("<main", 1)[1]


def test_filters_work_on_pages_in_every_language(app, client):
    _french_only(app, kind="webinar", languages=["fr"], priorities=[2])
    make_event(app, title="Exchange", kind="peer_exchange", languages=["en"])
    for lang in ("en", "fr", "es"):
        page = page_text(client.get(f"/events/?lang={lang}&kind=webinar&priority=2&language=fr"))
        assert "Villes d'accueil" in page and "Exchange" not in page, lang


def test_a_translation_alone_refreshes_the_shared_pages(app, client):
    event = _french_only(app)
    assert "Welcoming cities" not in page_text(client.get("/events/?lang=en"))
    with app.app_context():
        db.session.add(EventTranslation(event_id=event.id, language="en", title="Welcoming cities"))
        db.session.commit()
    assert "Welcoming cities" in page_text(client.get("/events/?lang=en"))
    assert "Welcoming cities" in page_text(client.get(f"/events/{event.id}?lang=en"))


def test_the_organiser_can_change_the_events_language(app, client, auth):
    organiser = auth.login_as("organiser")
    event = make_event(app, organiser, status="draft", published_at=None)
    form = event_form(language="fr", **FRENCH)
    assert client.post(f"/manage/events/{event.id}/edit", data=form).status_code == 302
    changed = fetch(app, Event, id=event.id)
    assert (changed.language, changed.title) == ("fr", FRENCH["fr_title"])
    english = fetch(app, EventTranslation, event_id=event.id)
    assert (english.language, english.title) == ("en", "Networking meeting of the Mayors Mechanism")
    page = page_text(client.get(f"/manage/events/{event.id}/edit"))
    assert f'value="{FRENCH["fr_title"]}"' in page
    assert 'value="Networking meeting of the Mayors Mechanism"' in page

    # Emptying a language removes it.
    form = event_form(
        language="fr",
        title="",
        summary="",
        description="",
        objectives="",
        expected_results="",
        **FRENCH,
    )
    assert client.post(f"/manage/events/{event.id}/edit", data=form).status_code == 302
    assert count(app, EventTranslation) == 0


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"language": "fr"}, "This field is required."),  # French chosen, left empty
        ({"language": "de"}, "Not a valid choice."),
        ({"fr_description": "Sans titre"}, "Fill this in too, or leave this language empty."),
        ({"fr_title": "x" * 201, "fr_summary": "Résumé"}, "At most 200 characters."),
        ({"es_title": "Título", "es_summary": "s" * 501}, "At most 500 characters."),
        ({"fr_title": "Ligne\r\nBcc: x@example.org", "fr_summary": "s"}, "fit on one line"),
        ({"fr_title": "Nul\x00", "fr_summary": "s"}, "characters that are not allowed"),
        ({"fr_description": "d" * 20_001, "fr_title": "t", "fr_summary": "s"}, "At most"),
    ],
)
def test_the_event_form_refuses_bad_texts(app, client, auth, changes, message):
    auth.login_as("organiser")
    with nothing_changes(app):
        response = client.post("/manage/events/new", data=event_form(**changes))
    assert_form_refused(response, message)


def test_texts_in_any_script_are_kept(app, client, auth):
    auth.login_as("organiser")
    title = "Ciudades de acogida: 移民 · مدن · 🌍 — «échange» ñ"
    response = client.post(
        "/manage/events/new",
        data=event_form(es_title=title, es_summary="Ciudades que acogen, ¿cómo?"),
    )
    assert response.status_code == 302
    translation = fetch(app, EventTranslation, language="es")
    assert translation.title == title
    event = fetch(app, Event, id=translation.event_id)
    assert client.post(f"/manage/events/{event.id}/publish").status_code == 302
    auth.logout()  # a signed-in person reads their own language, whatever ?lang= says
    assert title in page_text(client.get(f"/events/{event.id}?lang=es"))


def _segment_form(event, **fields):
    day = event.starts_at.date().isoformat()
    data = {
        "kind": "round",
        "en-title": "First round",
        "en-guiding_question": "What hinders local-national coordination?",
        "fr-title": "Premier tour",
        "fr-guiding_question": "Qu'est-ce qui freine la coordination ?",
        "day": day,
        "start_time": "11:10",
        "end_time": "11:40",
        "people-0-role": "speaker",
        "people-0-name": "Carola Gunnarsson",
        "people-0-biography": "Mayor of Sala, Sweden, since 2010.\nVice-president of UCLG.",
    }
    data.update(fields)
    return data


def _paris_event(app, organiser, **fields):
    # 09:00 UTC is 10:00 or 11:00 in Paris: segments at 11:10 fit within two hours.
    start = datetime.combine(date.today() + timedelta(days=7), time(9))
    return make_event(app, organiser, starts_at=start, ends_at=start + timedelta(hours=3), **fields)


def test_agenda_segments_in_two_languages_with_a_biography(app, client, auth):
    organiser = auth.login_as("organiser")
    event = _paris_event(app, organiser)
    response = client.post(f"/manage/events/{event.id}/agenda", data=_segment_form(event))
    assert response.status_code == 302, page_text(response)
    segment = fetch(app, AgendaSegment, event_id=event.id)
    assert (segment.language, segment.title) == ("en", "First round")
    assert fetch(app, SegmentTranslation, segment_id=segment.id).title == "Premier tour"
    person = fetch(app, SegmentPerson, segment_id=segment.id)
    assert person.biography.startswith("Mayor of Sala")
    auth.logout()

    french = page_text(client.get(f"/events/{event.id}?lang=fr"))
    assert "Premier tour" in french and "Qu'est-ce qui freine" in french
    assert "Mayor of Sala, Sweden, since 2010." in french
    assert '<p class="biography" lang="en">' in french
    spanish = page_text(client.get(f"/events/{event.id}?lang=es"))
    assert '<span lang="en">First round</span>' in spanish

    auth.login(organiser.email)
    page = page_text(client.get(f"/manage/events/{event.id}/agenda/{segment.id}"))
    assert 'value="Premier tour"' in page and "Vice-president of UCLG." in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"en-title": ""}, "This field is required."),
        ({"fr-title": ""}, "Fill this in too, or leave this language empty."),
        ({"people-0-biography": "b" * 601}, "At most 600 characters."),
        ({"people-0-biography": "Bell\x07"}, "characters that are not allowed"),
        ({"es-title": "t" * 201}, "At most 200 characters."),
    ],
)
def test_the_segment_form_refuses_bad_texts(app, client, auth, changes, message):
    organiser = auth.login_as("organiser")
    event = _paris_event(app, organiser)
    with nothing_changes(app):
        response = client.post(
            f"/manage/events/{event.id}/agenda", data=_segment_form(event, **changes)
        )
    assert_form_refused(response, message)


def test_emails_and_calendars_speak_the_recipients_language(app, client, auth, make):
    event = _french_only(app)
    english, _ = make.member(locale="en")
    french, _ = make.member(locale="fr")
    for person in (english, french):
        auth.login(person.email)
        assert client.post(f"/events/{event.id}/register").status_code == 302
        auth.logout()
    to_english = outbox(app, to=english.email)[-1]
    assert "Villes d'accueil : un échange" in to_english.subject
    assert "This event is written in French." in to_english.body_text
    ics = to_english.attachments[0]["content"]
    assert "This event is written in French." in ics.replace("\r\n ", "")
    assert "written in" not in outbox(app, to=french.email)[-1].body_text

    with app.app_context():
        db.session.add(EventTranslation(event_id=event.id, language="en", title="Welcoming cities"))
        db.session.commit()
    calendar = client.get(f"/events/{event.id}/calendar.ics?lang=en").get_data(as_text=True)
    assert "SUMMARY:Welcoming cities" in calendar
    # The title is in English now: no note, the summary stays the original's.
    assert "written in" not in calendar and "Les villes partagent" in calendar

    auth.login(english.email)
    client.post("/events/mine/calendar")
    dashboard = page_text(client.get("/dashboard"))
    assert "Welcoming cities" in dashboard
    token = client.get("/events/mine").get_data(as_text=True).split("/events/calendar/")[1][:43]
    auth.logout()
    feed = client.get(f"/events/calendar/{token}.ics?lang=fr").get_data(as_text=True)
    assert "SUMMARY:Welcoming cities" in feed  # the owner's language, not the asker's
