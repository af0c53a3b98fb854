"""Course pages run the same number of SQL queries with 10 or 20,000 learners."""

import pytest
from sqlalchemy import insert, select

from cta_learning.accounts.models import User
from cta_learning.courses.models import Course, Enrolment, Lesson, LessonProgress
from cta_learning.database import utcnow
from cta_learning.extensions import db
from tests.bulk import _insert
from tests.conftest import Auth
from tests.courses.helpers import SLUG, import_shipped, unlock
from tests.courses.test_learning import COURSE
from tests.test_query_counts import queries_per_page

pytestmark = pytest.mark.slow

VISITOR_PAGES = ["/courses/", f"{COURSE}/", f"{COURSE}/welcome/", "/certificates/"]
LEARNER_PAGES = [
    "/courses/",
    f"{COURSE}/",
    f"{COURSE}/welcome/",
    f"{COURSE}/people-on-the-move/",
    f"{COURSE}/chapter-1-quiz/",
    "/dashboard",
]
ORGANISER_PAGES = ["/manage/courses/"]


def add_learners(app, number: int) -> None:
    """`number` more people enrolled in the course, each with two lessons done."""
    now = utcnow()
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.slug == SLUG))
        lessons = db.session.scalars(
            select(Lesson.id).where(Lesson.course_id == course.id).order_by(Lesson.id).limit(2)
        ).all()
        first = db.session.scalar(select(db.func.count(User.id)))
        _insert(
            User.__table__,
            [
                {
                    "email": f"learner{first + n}@bulk.example.org",
                    "name": f"Learner {first + n}",
                    "password_hash": "x",
                    "role": "member",
                    "locale": "es",
                    "timezone": "UTC",
                    "is_active": True,
                    "session_token": f"learner-{first + n}",
                    "created_at": now,
                }
                for n in range(number)
            ],
        )
        user_ids = db.session.scalars(
            select(User.id).where(User.email.like("learner%@bulk.example.org")).order_by(User.id)
        ).all()[-number:]
        _insert(
            Enrolment.__table__,
            [{"user_id": uid, "course_id": course.id, "enrolled_at": now} for uid in user_ids],
        )
        enrolment_ids = db.session.scalars(
            select(Enrolment.id).where(
                Enrolment.user_id.in_(select(User.id).where(User.email.like("learner%")))
            )
        ).all()[-number:]
        _insert(
            LessonProgress.__table__,
            [
                {"enrolment_id": eid, "lesson_id": lid, "started_at": now, "completed_at": now}
                for eid in enrolment_ids
                for lid in lessons
            ],
        )
        db.session.commit()
    assert insert  # bulk rows go through Core inserts, not the ORM


def test_course_pages_do_not_run_more_queries_with_more_learners(app, client, make, auth):
    import_shipped(app)
    user, organisation = make.member()
    unlock(app, organisation)
    auth.login(user.email)
    client.post(f"{COURSE}/enrol")
    organiser = app.test_client()
    organiser_user = make.user(role="organiser")
    Auth(organiser, make).login(organiser_user.email)  # with the code: two-step is on

    add_learners(app, 10)
    small = (
        queries_per_page(app, app.test_client(), VISITOR_PAGES),
        queries_per_page(app, client, LEARNER_PAGES),
        queries_per_page(app, organiser, ORGANISER_PAGES),
    )
    add_learners(app, 19_990)
    large = (
        queries_per_page(app, app.test_client(), VISITOR_PAGES),
        queries_per_page(app, client, LEARNER_PAGES),
        queries_per_page(app, organiser, ORGANISER_PAGES),
    )
    assert large == small
    visitors, learners, organisers = small
    assert max(visitors.values()) <= 4, visitors
    assert learners[f"{COURSE}/people-on-the-move/"] <= 10, learners
    assert max(organisers.values()) <= 12, organisers
