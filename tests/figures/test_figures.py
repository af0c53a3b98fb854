"""The Call in figures against a world whose every count is known (tests/figures/helpers.py)."""

import csv
import io

import pytest

from cta_learning.actions.models import Action
from cta_learning.extensions import cache, db
from tests.conftest import Auth, count_queries
from tests.figures.helpers import FOCAL, PAST, PEOPLE, READER, SIGNATORY, THIS_YEAR, known_world


@pytest.fixture
def world(app):
    return known_world(app)


def sections(client, query=""):
    response = client.get(f"/figures.json{query}")
    assert response.status_code == 200, response.data
    found = response.get_json()
    return found, {section["key"]: section for section in found["sections"]}


def values(section) -> dict:
    """{row key: the row's values} for one section ({measure: count} when there are several)."""
    if len(section["series"]) == 1:
        measure = section["series"][0]["key"]
        return {row["key"]: row["values"][measure] for row in section["rows"]}
    return {row["key"]: row["values"] for row in section["rows"]}


def test_every_figure_counts_the_known_data(client, world):
    found, by_key = sections(client)
    assert found["filters"] == {"year": None, "region": None}
    assert found["totals"] == {
        "organisations": 8,
        "actions": 14,
        "enrolments": 3,
        "completions": 2,
        "certificates": 2,
        "registrations": 3,
        "attended": 1,
        "subscribers": 2,
        "mgi_requests": 3,
    }
    assert values(by_key["years"]) == {
        str(PAST): {"organisations": 5, "actions": 5},
        str(THIS_YEAR): {"organisations": 3, "actions": 9},
    }
    assert values(by_key["pledge-types"]) == {"mirror": 5, "gcm": 3, "gcr": 4, "idps": 2}
    assert values(by_key["regions"]) == {
        "africa": {"organisations": 2, "actions": 3},
        "americas": {"organisations": 5, "actions": 5},
        "asia": {"organisations": 0, "actions": 0},
        "europe": {"organisations": 1, "actions": 6},
        "oceania": {"organisations": 0, "actions": 0},
    }
    assert values(by_key["priorities"]) == {
        "1": 3,
        "2": 0,
        "3": 11,
        "4": 0,
        "5": 5,
        "6": 0,
        "7": 0,
        "8": 0,
    }
    assert values(by_key["target-groups"]) == {
        "migrants": 8,
        "refugees": 9,
        "idps": 2,
        "stateless": 0,
    }
    assert values(by_key["natures"]) == {"commitment": 11, "good_practice": 9}
    assert values(by_key["kinds"]) == {"lrg": 7, "partner": 1}
    course = by_key["course"]["rows"][0]
    assert (course["label"], course["values"]) == (
        "Course one",
        {"enrolments": 3, "completions": 2, "certificates": 2},
    )
    assert values(by_key["events"]) == {
        str(PAST): {"events": 1, "registrations": 2, "attended": 1},
        str(THIS_YEAR): {"events": 1, "registrations": 1, "attended": 0},
    }
    assert values(by_key["topics"]) == {"global_processes": 0, "cities_fund": 1, "events": 2}
    assert values(by_key["languages"]) == {"es": 1, "fr": 1}
    assert values(by_key["mgi"]) == {
        "received": 1,
        "shared": 1,
        "in_contact": 0,
        "scheduled": 0,
        "completed": 1,
        "declined": 0,
    }


def test_the_year_and_the_region_filter_every_figure(client, world):
    found, by_key = sections(client, f"?year={PAST}")
    assert found["filters"] == {"year": PAST, "region": None}
    assert found["totals"] == {
        "organisations": 5, "actions": 5, "enrolments": 1, "completions": 1, "certificates": 1,
        "registrations": 2, "attended": 1, "subscribers": 2, "mgi_requests": 1,
    }  # fmt: skip
    assert values(by_key["mgi"])["completed"] == 1

    found, by_key = sections(client, "?region=africa")
    assert found["totals"] == {
        "organisations": 2, "actions": 3, "enrolments": 1, "completions": 0, "certificates": 0,
        "registrations": 1, "attended": 0, "subscribers": 0, "mgi_requests": 1,
    }  # fmt: skip
    assert list(values(by_key["regions"])) == ["africa"]
    assert values(by_key["mgi"])["shared"] == 1

    found, by_key = sections(client, f"?year={THIS_YEAR}&region=americas")
    assert found["totals"]["actions"] == 0
    assert found["totals"]["subscribers"] == 1  # Carla, whatever the year
    assert values(by_key["topics"]) == {"global_processes": 0, "cities_fund": 1, "events": 1}
    assert values(by_key["mgi"])["received"] == 1


def test_a_country_under_five_reads_fewer_than_five(client, world):
    _, by_key = sections(client)
    rows = {row["key"]: row for row in by_key["countries"]["rows"]}
    assert rows["CO"]["values"] == {"organisations": 5, "actions": 5}
    assert rows["CO"]["suppressed"] is False
    assert rows["FR"]["values"] == {"organisations": None, "actions": 6}
    assert rows["SN"]["values"] == {"organisations": None, "actions": None}
    assert rows["SN"]["suppressed"] is True

    table = list(csv.reader(io.StringIO(client.get("/figures.csv").get_data(as_text=True))))
    assert ["countries", "SN", "Senegal", "actions", "fewer than 5"] in table
    assert ["countries", "FR", "France", "actions", "6"] in table

    page = client.get("/figures").get_data(as_text=True)
    assert "fewer than 5" in page


@pytest.mark.parametrize("path", ["/figures", "/figures.json", "/figures.csv"])
def test_public_figures_hold_no_personal_data(client, world, path):
    shown = client.get(path).get_data(as_text=True)
    for name, email in (*PEOPLE.values(), FOCAL, READER):
        assert name not in shown and email not in shown
    assert SIGNATORY not in shown
    assert "@" not in shown.replace("@media", "")


def test_the_csv_has_one_row_per_measure(client, world):
    response = client.get("/figures.csv?region=europe")
    assert response.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == ["section", "key", "label", "measure", "value"]
    assert ["totals", "actions", "Published actions", "actions", "6"] in table
    assert all(len(row) == 5 for row in table)


def test_each_chart_is_an_image_with_its_text_and_its_table(client, world):
    page = client.get("/figures").get_data(as_text=True)
    assert page.count('<svg class="chart" role="img"') == page.count(
        '<details class="figure-data">'
    )
    assert page.count('<svg class="chart"') == 13
    assert '<title id="chart-regions-title">Organisations and actions by UN region</title>' in page
    assert "Americas: Organisations 5, Actions 5" in page  # the regions chart's <desc>
    assert 'viewBox="0 0 360 ' in page
    assert "<script" not in page.split("<main")[1]  # no chart library
    assert "http" not in page.split("<main")[1].replace("http://www.w3.org/2000/svg", "")


def test_labels_in_french(client, world):
    page = client.get("/figures?lang=fr").get_data(as_text=True)
    assert '<html lang="fr">' in page
    assert "Protéger les personnes les plus vulnérables" in page  # a priority area's title
    assert "Cours un" in page
    assert "Afrique" in page


@pytest.mark.parametrize(
    "query",
    ["?year=abc", "?year=1990", "?year=2999", "?year=%EF%BC%92%EF%BC%90%EF%BC%92%EF%BC%93",
     "?year=20233", "?region=mars", "?region=AFRICA", "?year=-2023"],
)  # fmt: skip
def test_bad_filters_are_refused_with_a_message(client, world, query):
    page = client.get(f"/figures{query}")
    assert page.status_code == 400
    assert "See every figure" in page.get_data(as_text=True)
    assert client.get(f"/figures.csv{query}").status_code == 400
    answer = client.get(f"/figures.json{query}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "bad_request"
    assert answer.get_json()["error"]["message"]


def test_a_bad_year_says_which_years(client, world):
    answer = client.get("/figures.json?year=1990").get_json()
    assert answer["error"]["message"] == f"Choose a year from 2019 to {THIS_YEAR}."


def sign_in_admin(app, make):
    client = app.test_client()
    Auth(client, make).login(make.user(role="admin").email)
    return client


def test_admins_see_the_drill_downs(app, make, world):
    admin = sign_in_admin(app, make)
    page = admin.get("/figures").get_data(as_text=True)
    assert "Actions by priority area and UN region" in page
    countries = page.split('id="countries"')[1].split("</section>")[0]
    assert '<td data-label="Organisations">2</td>' in countries  # Senegal, as it is
    assert '<td data-label="Organisations">fewer than 5</td>' not in countries
    assert "Europe 6" in page  # priority 3's stacked bar, in the chart's <desc>
    assert "published-actions.csv" in page


def test_others_see_no_drill_down(client, auth, world):
    assert "Actions by priority area and UN region" not in client.get("/figures").get_data(
        as_text=True
    )
    auth.login_as("organiser")
    page = client.get("/figures").get_data(as_text=True)
    assert "Actions by priority area and UN region" not in page
    assert "published-actions.csv" not in page


def test_the_export_has_the_report_shape(app, make, world):
    admin = sign_in_admin(app, make)
    response = admin.get("/figures/published-actions.csv?region=africa")
    assert response.status_code == 200
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0] == [
        "organisation", "country", "leader", "title", "duration", "pledge_type", "description"
    ]  # fmt: skip
    assert len(table) == 1 + 3  # Senegal's published actions, not its draft nor its submission
    assert table[1] == [
        "Dakar",
        "Senegal",
        SIGNATORY,
        "Action of Dakar",
        "Jan 2022 – Jan 2023",  # noqa: RUF001
        "Global Compact for Migration (GCM)",
        "What the city does.",
    ]


def test_the_export_cells_never_run_as_formulas(app, make, world):
    with app.app_context():
        action = db.session.query(Action).filter_by(status="published").first()
        action.title = '=HYPERLINK("http://evil.example")'
        db.session.commit()
    text = sign_in_admin(app, make).get("/figures/published-actions.csv").get_data(as_text=True)
    assert "'=HYPERLINK" in text


def test_only_admins_export(client, auth, world):
    response = client.get("/figures/published-actions.csv")
    assert response.status_code == 302 and "/login" in response.location
    auth.login_as("organiser")
    assert client.get("/figures/published-actions.csv").status_code == 403


def test_a_published_action_shows_at_once(app, client, world):
    assert sections(client)[0]["totals"]["actions"] == 14
    client.get("/figures")
    with app.app_context():
        action = db.session.query(Action).filter_by(status="submitted").one()
        action.status = "published"
        action.published_at = action.submitted_at
        db.session.commit()
    assert sections(client)[0]["totals"]["actions"] == 15
    assert "<dd>15</dd>" in client.get("/figures").get_data(as_text=True)


def queries_for(app, client, path) -> int:
    with app.app_context():
        cache.clear()
    app.extensions.pop("cta_shared_pages", None)
    with count_queries(app) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/figures", "/figures?year=2023&region=africa"])
def test_queries_are_few_and_do_not_grow_with_the_data(app, client, make, path):
    known_world(app)
    few = queries_for(app, client, path)
    for copy in range(1, 4):
        known_world(app, copy=copy)  # three times the organisations, actions, people and requests
    assert queries_for(app, client, path) == few
    assert few <= 12  # eleven counts, and the content versions
    client.get(path)
    with count_queries(app) as queries:
        assert client.get(path).status_code == 200
    assert len(queries) <= 1  # a visitor's shared copy: the content versions at most


def test_the_actions_figures_are_counted_again_only_when_the_repository_changes(app, monkeypatch):
    """The passes over every published action run once per repository version; the cheap
    figures (enrolments, subscribers, requests) follow the clock."""
    from datetime import date, datetime, timedelta

    from cta_learning.figures import operations

    calls = {"actions": 0, "courses": 0}
    count_actions, count_courses = operations._action_figures, operations._course_figures

    def actions(*args, **kwargs):
        calls["actions"] += 1
        return count_actions(*args, **kwargs)

    def courses(*args, **kwargs):
        calls["courses"] += 1
        return count_courses(*args, **kwargs)

    monkeypatch.setattr(operations, "_action_figures", actions)
    monkeypatch.setattr(operations, "_course_figures", courses)
    later = datetime.now() + timedelta(seconds=operations.FRESH_FOR * 2)

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return later

    with app.app_context():
        filters = operations.parse_filters({}, date.today())
        operations.figures(filters, date.today())
        operations.figures(filters, date.today())
        assert calls == {"actions": 1, "courses": 1}
        monkeypatch.setattr(operations, "datetime", Later)
        operations.figures(filters, date.today())
        assert calls == {"actions": 1, "courses": 2}
