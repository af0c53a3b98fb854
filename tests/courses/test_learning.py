"""Following the course: enrolment through the unlock, lessons, quizzes, games, certificates."""

import re

import pytest

from cta_learning import access
from cta_learning.courses.models import Attempt, Certificate, Enrolment, LessonProgress
from cta_learning.extensions import db
from tests.conftest import count, fetch, outbox
from tests.courses.helpers import (
    SLUG,
    course_lessons,
    game_answers,
    lesson_text,
    right_answers,
    unlock,
    wrong_answers,
)
from tests.hostile import nothing_changes, page_text

COURSE = f"/courses/{SLUG}"


def enrolment_of(app, user) -> Enrolment:
    return fetch(app, Enrolment, user_id=user.id)


def finish_lessons(client, app, until: str | None = None) -> None:
    """Complete lessons in order through the pages, up to (not including) `until`."""
    for slug, kind in course_lessons(app):
        if slug == until:
            return
        if kind == "quiz":
            response = client.post(f"{COURSE}/{slug}/answers", data=right_answers(slug))
        elif kind == "game":
            response = client.post(f"{COURSE}/{slug}/answers", data=game_answers(app, slug))
        else:
            response = client.post(f"{COURSE}/{slug}/done")
        assert response.status_code == 302, (slug, response.status_code)


# --- enrolment -------------------------------------------------------------------------------


def test_a_member_of_a_locked_organisation_is_told_why_and_cannot_enrol(
    app, client, make, auth, course
):
    user, _ = make.member()
    auth.login(user.email)
    syllabus = page_text(client.get(f"{COURSE}/"))
    assert "opens to members of an organisation that has submitted an action" in syllabus
    assert "Start an action" in syllabus
    with nothing_changes(app):
        response = client.post(f"{COURSE}/enrol")
    assert response.status_code == 403
    assert "submitted an action to the Call" in page_text(response)


def test_enrolling_opens_the_first_lesson_once(app, client, make, auth, course):
    user, organisation = make.member()
    unlock(app, organisation)
    auth.login(user.email)
    response = client.post(f"{COURSE}/enrol")
    assert response.headers["Location"] == f"{COURSE}/welcome/"
    client.post(f"{COURSE}/enrol")
    assert count(app, Enrolment, user_id=user.id) == 1


def test_visitors_see_the_catalogue_syllabus_and_preview_only(client, course):
    catalogue = page_text(client.get("/courses/"))
    assert "Localising the Global Compacts" in catalogue
    syllabus = page_text(client.get(f"{COURSE}/"))
    assert "Free preview" in syllabus and "Log in" in syllabus
    preview = client.get(f"{COURSE}/welcome/")
    assert preview.status_code == 200
    assert lesson_text("welcome")["title"] in page_text(preview)
    assert client.get(f"{COURSE}/people-on-the-move/").status_code == 302  # to log in


def test_the_syllabus_names_each_chapters_priority_areas_in_the_page_language(app, client, course):
    from markupsafe import escape

    from cta_learning import content

    with app.app_context():
        titles = {p.id: p for p in content.priorities()}
    syllabus = client.get(f"{COURSE}/?lang=fr").get_data(as_text=True)
    links = re.findall(r'<ul class="chapter-priorities">(.*?)</ul>', syllabus, re.S)
    assert links, "no chapter names its priority areas"
    named = " ".join(links)
    assert any(
        f'/priorities#{p.slug}">{escape(p.title["fr"])}</a>' in named for p in titles.values()
    )
    assert "<abbr" not in " ".join(links)


# --- lessons and progress --------------------------------------------------------------------


def test_reading_a_lesson_records_progress_and_resume(app, client, learner):
    client.get(f"{COURSE}/people-on-the-move/")
    assert client.get(f"{COURSE}/resume").headers["Location"] == f"{COURSE}/people-on-the-move/"
    response = client.post(f"{COURSE}/people-on-the-move/done")
    assert response.headers["Location"] == f"{COURSE}/welcome/"  # the first lesson not done
    enrolment = enrolment_of(app, learner)
    done = fetch(app, LessonProgress, enrolment_id=enrolment.id, lesson_id=enrolment.last_lesson_id)
    assert done.completed_at is not None
    dashboard = page_text(client.get("/dashboard"))
    assert "1 of 24 lessons done" in dashboard and "Resume" in dashboard


def test_media_lessons_always_show_their_transcript(client, learner):
    text = page_text(client.get(f"{COURSE}/cities-on-the-front-line/"))
    assert "Transcript" in text
    assert "Download the recording" in text  # the shipped recording plays (test_media.py)


def test_later_chapters_open_only_after_the_previous_one(app, client, learner):
    with nothing_changes(app):
        response = client.get(f"{COURSE}/two-compacts/")
    assert response.status_code == 403
    assert "once you have completed the previous chapter" in page_text(response)
    finish_lessons(client, app, until="two-compacts")
    assert client.get(f"{COURSE}/two-compacts/").status_code == 200


def test_english_is_the_fallback_and_is_marked(app, client, learner):
    with app.app_context():
        from cta_learning.courses.models import Lesson

        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == "welcome"))
        lesson.content = {"en": lesson.content["en"]}
        lesson.titles = {"en": lesson.titles["en"]}
        db.session.commit()
    text = page_text(client.get(f"{COURSE}/welcome/?lang=es"))
    assert "shown in English" not in text  # a signed-in person's language is their setting
    client.post("/account/language", data={"lang": "es", "next": "/"})
    response = client.get(f"{COURSE}/welcome/")
    assert 'id="fallback"' in response.text and 'lang="en"' in response.text
    assert lesson_text("welcome")["title"] in page_text(response)
    spanish = page_text(client.get(f"{COURSE}/people-on-the-move/"))
    assert lesson_text("people-on-the-move", "es")["title"] in spanish


# --- quizzes ---------------------------------------------------------------------------------


def test_the_quiz_page_never_holds_the_answers(client, learner):
    html = client.get(f"{COURSE}/chapter-1-quiz/").text
    quiz = lesson_text("chapter-1-quiz")
    for question in quiz["questions"]:
        assert (
            question["prompt"].replace('"', "&#34;")[:40] in html or question["prompt"][:40] in html
        )
        for choice in question["choices"]:
            assert choice["feedback"][:50] not in html
    # each choice is a bare input: nothing marks the right ones
    inputs = re.findall(r"<input [^>]*>", html.split('class="quiz"')[1].split("</form>")[0])
    choice_inputs = [tag for tag in inputs if 'name="answer-' in tag]
    assert len(choice_inputs) == sum(len(q["choices"]) for q in quiz["questions"])
    assert all(
        re.fullmatch(r'<input type="(radio|checkbox)" name="answer-q\d+" value="[a-z]+">', tag)
        for tag in choice_inputs
    ), choice_inputs


def test_failing_then_passing_a_quiz_keeps_every_attempt_and_the_best_score(app, client, learner):
    failed = client.post(f"{COURSE}/chapter-1-quiz/answers", data=wrong_answers("chapter-1-quiz"))
    result = page_text(client.get(failed.headers["Location"]))
    assert "You scored 0%: the pass mark is 70%" in result
    assert "The right answers are shown once you pass the quiz." in result
    first_feedback = lesson_text("chapter-1-quiz")["questions"][0]["choices"][0]["feedback"]
    assert first_feedback[:40] in result  # feedback on the answer given
    passed = client.post(f"{COURSE}/chapter-1-quiz/answers", data=right_answers("chapter-1-quiz"))
    assert "you passed" in page_text(client.get(passed.headers["Location"]))
    client.post(f"{COURSE}/chapter-1-quiz/answers", data=wrong_answers("chapter-1-quiz"))
    enrolment = enrolment_of(app, learner)
    assert count(app, Attempt, enrolment_id=enrolment.id) == 3
    quiz_attempt = fetch(app, Attempt, enrolment_id=enrolment.id, score=100)
    progress = fetch(
        app, LessonProgress, enrolment_id=enrolment.id, lesson_id=quiz_attempt.lesson_id
    )
    assert (progress.attempts, progress.best_score) == (3, 100)
    assert progress.completed_at is not None
    assert "Best score: 100%" in page_text(client.get(f"{COURSE}/chapter-1-quiz/"))


def test_an_unanswered_question_brings_the_quiz_back_with_the_answers_kept(app, client, learner):
    answers = right_answers("chapter-1-quiz")
    answers.pop("answer-q3")
    quiz = f"{COURSE}/chapter-1-quiz/"
    with nothing_changes(app):
        response = client.post(
            f"{quiz}answers", data=answers, headers={"Referer": f"http://localhost{quiz}"}
        )
    assert response.status_code == 200
    assert "Answer every question before sending." in page_text(response)
    assert re.search(r'name="answer-q1" value="[a-z]+" checked', response.text)
    # switching language from here leads back to the quiz, not to the address taking only POST
    assert f'name="next" value="{quiz}"' in response.text


TAMPERED = {
    "unknown question": {"answer-q99": ["a"]},
    "unknown choice": {"answer-q1": ["zz"]},
    "two answers to a single-choice question": {"answer-q1": ["a", "b"]},
    "the same answer twice": {"answer-q2": ["a", "a"]},
    "answers of another lesson": "chapter-2-quiz",
}


@pytest.mark.parametrize("case", TAMPERED, ids=list(TAMPERED))
def test_tampered_quiz_answers_are_refused_and_recorded_as_nothing(app, client, learner, case):
    tampered = TAMPERED[case]
    if isinstance(tampered, str):
        data = right_answers(tampered)  # the same question ids, from another page
    else:
        data = {**right_answers("chapter-1-quiz"), **tampered}
    with nothing_changes(app):
        response = client.post(f"{COURSE}/chapter-1-quiz/answers", data=data)
    assert response.status_code == 400
    assert "These answers do not belong to this lesson" in page_text(response)


def test_a_quiz_of_a_chapter_not_yet_open_is_refused(app, client, learner):
    with nothing_changes(app):
        response = client.post(
            f"{COURSE}/chapter-2-quiz/answers", data=right_answers("chapter-2-quiz")
        )
    assert response.status_code == 403


def test_a_revoked_unlock_closes_the_course(app, client, learner):
    with app.app_context():
        grant = db.session.scalar(db.select(access.AccessGrant))
        access.revoke(grant, "test", None)
        db.session.commit()
    with nothing_changes(app):
        response = client.post(
            f"{COURSE}/chapter-1-quiz/answers", data=right_answers("chapter-1-quiz")
        )
        assert response.status_code == 403
        assert client.get(f"{COURSE}/people-on-the-move/").status_code == 403
        assert client.post(f"{COURSE}/welcome/done").status_code == 403


def test_a_reading_takes_no_answers_and_a_quiz_is_not_marked_done_by_hand(app, client, learner):
    with nothing_changes(app):
        reading = {"lesson": "welcome", "answer-q1": "a"}
        assert client.post(f"{COURSE}/welcome/answers", data=reading).status_code == 400
        assert client.post(f"{COURSE}/chapter-1-quiz/done").status_code == 400


# --- games -----------------------------------------------------------------------------------


def test_the_match_game_gives_nothing_away_and_is_graded_without_scripts(app, client, learner):
    finish_lessons(client, app, until="match-the-compacts")
    html = client.get(f"{COURSE}/match-the-compacts/").text
    pairs = lesson_text("match-the-compacts")["game"]["pairs"]
    for pair in pairs:
        assert f'value="{pair["id"]}"' not in html
        assert pair["feedback"][:40] not in html
    answers = game_answers(app, "match-the-compacts", right=False)
    response = client.post(f"{COURSE}/match-the-compacts/answers", data=answers)
    result = page_text(client.get(response.headers["Location"]))
    assert "0% of your answers are right." in result
    assert pairs[0]["feedback"][:40] in result
    response = client.post(
        f"{COURSE}/match-the-compacts/answers", data=game_answers(app, "match-the-compacts")
    )
    assert "100% of your answers are right." in page_text(client.get(response.headers["Location"]))


def test_a_game_must_be_played_through_and_refuses_foreign_items(app, client, learner):
    finish_lessons(client, app, until="match-the-compacts")
    answers = game_answers(app, "match-the-compacts")
    first = next(key for key in answers if key.startswith("answer-"))
    partial = {key: value for key, value in answers.items() if key != first}
    with nothing_changes(app):
        response = client.post(f"{COURSE}/match-the-compacts/answers", data=partial)
        assert response.status_code == 200
        assert "Place every item before sending." in page_text(response)
        foreign = {**answers, "answer-i1": "p1"}
        assert client.post(f"{COURSE}/match-the-compacts/answers", data=foreign).status_code == 400
        wrong_value = {**answers, first: "m1"}
        assert (
            client.post(f"{COURSE}/match-the-compacts/answers", data=wrong_value).status_code == 400
        )


# --- completion and certificates -------------------------------------------------------------


def test_completing_the_course_issues_a_certificate_anyone_can_verify(app, client, learner):
    finish_lessons(client, app)
    enrolment = enrolment_of(app, learner)
    assert enrolment.completed_at is not None
    certificate = fetch(app, Certificate, enrolment_id=enrolment.id)
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", certificate.code)
    mine = page_text(client.get(f"{COURSE}/certificate"))
    assert "Awa Diop" in mine and certificate.code in mine
    [email] = [m for m in outbox(app, to=learner.email) if "certificate" in m.subject.lower()]
    assert f"https://learning.example.org/certificates/{certificate.code}" in email.body_text

    visitor = app.test_client()
    public = visitor.get(f"/certificates/{certificate.code.lower()}")
    text = page_text(public)
    assert public.status_code == 200
    assert "This certificate is genuine" in text and "Awa Diop" in text
    assert learner.email not in text and "Dakar" not in text
    assert visitor.get("/certificates/?code=" + certificate.code).status_code == 302
    missing = visitor.get("/certificates/ZZZZ-ZZZZ-ZZZZ")
    assert missing.status_code == 404
    assert "No certificate has the code ZZZZ-ZZZZ-ZZZZ" in page_text(missing)
    # finishing again issues nothing new
    client.post(f"{COURSE}/chapter-4-quiz/answers", data=right_answers("chapter-4-quiz"))
    assert count(app, Certificate) == 1


def test_no_certificate_before_the_end(client, learner):
    response = client.get(f"{COURSE}/certificate")
    assert response.headers["Location"] == f"{COURSE}/"


# --- recommendations -------------------------------------------------------------------------


def test_chapters_serving_the_organisations_priority_areas_are_recommended(
    app, client, make, auth, course
):
    from tests.actions.helpers import make_action

    user, organisation = make.member()
    make_action(app, organisation, user, status="submitted", priorities=[2])
    unlock(app, organisation)
    auth.login(user.email)
    client.post(f"{COURSE}/enrol")
    html = client.get(f"{COURSE}/").text
    recommended = re.findall(r'class="chapter recommended" id="chapter-([a-z0-9-]+)"', html)
    assert recommended == ["priority-areas"]  # the only chapter serving area 2


def test_a_learners_data_is_exported_and_deleted_with_the_account(app, client, learner):
    client.post(f"{COURSE}/welcome/done")
    client.post(f"{COURSE}/chapter-1-quiz/answers", data=wrong_answers("chapter-1-quiz"))
    exported = client.get("/account/export").get_json()
    [course] = exported["courses"]
    assert course["course"] == SLUG and course["certificate"] is None
    assert {row["lesson"] for row in course["lessons"]} >= {"welcome", "chapter-1-quiz"}
    assert course["attempts"][0]["score"] == 0

    response = client.post(
        "/account/delete", data={"current_password": "correct horse battery", "confirm": "y"}
    )
    assert response.status_code == 302
    assert (
        count(app, Enrolment) == 0 and count(app, Attempt) == 0 and count(app, LessonProgress) == 0
    )


def test_reloading_a_lesson_writes_nothing(app, client, learner):
    from tests.conftest import count_queries

    client.get(f"{COURSE}/people-on-the-move/")
    with count_queries(app) as queries:
        assert client.get(f"{COURSE}/people-on-the-move/").status_code == 200
    assert not [q for q in queries if q.lstrip().upper().startswith(("UPDATE", "INSERT"))]
    with count_queries(app) as queries:
        client.get(f"{COURSE}/welcome/")  # another lesson: where to resume changes
    assert any(q.lstrip().upper().startswith("UPDATE") for q in queries)
