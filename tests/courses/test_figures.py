"""Organisers see enrolment, progress and completion per course and chapter, and export them."""

import csv
import io

from tests.courses.helpers import SLUG, import_shipped, unlock
from tests.courses.test_learning import COURSE, finish_lessons


def test_figures_count_learners_per_course_and_chapter(app, client, make, auth):
    import_shipped(app)
    for finish in (None, "two-compacts"):  # one only enrolled, one through chapter 1
        user, organisation = make.member()
        unlock(app, organisation)
        learner = app.test_client()
        learner.post("/login", data={"email": user.email, "password": "correct horse battery"})
        assert learner.post(f"{COURSE}/enrol").status_code == 302
        if finish:
            finish_lessons(learner, app, until=finish)
    organiser = make.user(role="organiser")
    auth.login(organiser.email)

    page = client.get("/manage/courses/")
    assert page.status_code == 200
    response = client.get(f"/manage/courses/{SLUG}.csv")
    assert response.mimetype == "text/csv"
    assert f'filename="{SLUG}-figures.csv"' in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    course, *chapters = rows
    assert (course["enrolled"], course["started"], course["completed"]) == ("2", "1", "0")
    assert [row["completed"] for row in chapters] == ["1", "0", "0", "0"]
    assert [row["started"] for row in chapters] == ["1", "0", "0", "0"]
    assert chapters[0]["completion_rate"] == "50"
    assert chapters[0]["quiz_average"] == "100" and chapters[1]["quiz_average"] == ""
