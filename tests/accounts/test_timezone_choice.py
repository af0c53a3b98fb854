"""Choosing a time zone without JavaScript: a first guess from the browser's languages, and a
list grouped by region whose options name a city, its country and the offset from UTC."""

import re
from datetime import UTC, datetime

import pytest

from cta_learning.accounts.models import User
from cta_learning.timezones import guessed_timezone, offset_text
from tests.conftest import PASSWORD, fetch
from tests.hostile import nothing_changes


@pytest.mark.parametrize(
    ("accept_language", "zone"),
    [
        ("es-CO,es;q=0.9,en;q=0.8", "America/Bogota"),
        ("fr-SN", "Africa/Dakar"),
        ("fr-FR,fr;q=0.9", "Europe/Paris"),
        ("fr", "UTC"),  # a language alone says no country
        ("en-US,en;q=0.9", "UTC"),  # a country with several time zones: no guess
        ("es-419,es-CO;q=0.5", "America/Bogota"),  # a region of the world is no country
        ("en;q=0.5,fr-SN;q=0.9", "Africa/Dakar"),  # the preferred language comes first
        ("zh-Hant-TW", "Asia/Taipei"),
        ("", "UTC"),
        ("xx-QQ, ;;;=", "UTC"),
    ],
)
def test_the_zone_is_guessed_from_the_browser_s_languages(app, accept_language, zone):
    with app.test_request_context("/signup", headers={"Accept-Language": accept_language}):
        assert guessed_timezone() == zone


def test_offsets_follow_summer_time():
    winter, summer = datetime(2027, 1, 15, tzinfo=UTC), datetime(2027, 7, 15, tzinfo=UTC)
    assert offset_text("America/New_York", winter) == "UTC-05:00"
    assert offset_text("America/New_York", summer) == "UTC-04:00"
    assert offset_text("Asia/Kolkata", winter) == "UTC+05:30"
    assert offset_text("Etc/GMT+5", summer) == "UTC-05:00"  # POSIX's inverted sign


def selected_zone(html: str) -> str:
    select = html.split('name="timezone"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option selected value="([^"]+)"', select).group(1)


def test_sign_up_preselects_the_guess_and_each_visitor_gets_their_own(client):
    bogota = client.get("/signup", headers={"Accept-Language": "es-CO,es;q=0.9"})
    html = bogota.get_data(as_text=True)
    assert selected_zone(html) == "America/Bogota"
    assert ">Bogotá, Colombia (UTC-05:00)</option>" in html  # Spanish page: Spanish names
    assert '<optgroup label="Américas">' in html
    # Same language, another country: the copy shared between visitors is not the first one's.
    mexico = client.get("/signup", headers={"Accept-Language": "es-MX,es;q=0.9"})
    assert selected_zone(mexico.get_data(as_text=True)) == "UTC"
    dakar = client.get("/signup", headers={"Accept-Language": "fr-SN"}).get_data(as_text=True)
    assert selected_zone(dakar) == "Africa/Dakar"
    assert ">Dakar, Sénégal (UTC+00:00)</option>" in dakar and 'label="Afrique"' in dakar


def test_the_list_is_grouped_by_region_with_readable_labels(client):
    html = client.get("/signup", headers={"Accept-Language": "en"}).get_data(as_text=True)
    select = html.split('name="timezone"', 1)[1].split("</select>", 1)[0]
    groups = re.findall(r'<optgroup label="([^"]+)">', select)
    assert groups[:5] == ["Africa", "Americas", "Asia", "Europe", "Oceania"]
    assert select.index('value="UTC"') < select.index("<optgroup")  # UTC first, on its own
    assert re.search(r'value="America/Bogota">Bogota, Colombia \(UTC-05:00\)<', select)
    assert re.search(r'value="America/New_York">New York, United States \(UTC-0[45]:00\)<', select)
    assert "data-zone-filter=" in html  # the script adds its filter box above the list


def test_a_grouped_zone_is_kept_at_sign_up(app, client):
    response = client.post(
        "/signup",
        data={
            "name": "Awa Diop",
            "email": "awa@dakar.example.org",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "locale": "fr",
            "timezone": "Africa/Dakar",
        },
    )
    assert response.status_code in (302, 303)
    assert fetch(app, User, email="awa@dakar.example.org").timezone == "Africa/Dakar"


def test_a_zone_not_in_the_list_is_refused(app, client):
    data = {
        "name": "Awa Diop",
        "email": "awa@dakar.example.org",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "locale": "fr",
        "timezone": "Mars/Olympus_Mons",
    }
    with nothing_changes(app):
        response = client.post("/signup", data=data)
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    # The page sent back keeps the person's choices: no guess from the script replaces them.
    assert "data-guess-timezone" not in response.get_data(as_text=True)


def test_the_account_page_has_the_same_list(app, client, auth):
    auth.login_as("member", timezone="Asia/Kolkata")
    html = client.get("/account").get_data(as_text=True)
    assert selected_zone(html) == "Asia/Kolkata"
    assert ">Kolkata, India (UTC+05:30)</option>" in html and "data-zone-filter=" in html
    assert "data-guess-timezone" not in html  # a saved choice is never replaced
    assert "js/timezone.js" in html
