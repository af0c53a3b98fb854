"""Languages listed once (config's LANGUAGES, named by Babel), and pages, emails and charts that
lay out right to left for Arabic, with one stylesheet for both directions."""

import re
from datetime import UTC, datetime
from pathlib import Path

from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask_babel import ngettext

from cta_learning import languages
from cta_learning.figures.charts import Chart, Row, draw
from cta_learning.mail.operations import render_email
from tests.conftest import Factories, build_app

STYLESHEET = Path(__file__).parent.parent / "static" / "css" / "site.css"
# Physical properties the stylesheet may keep, with the reason (none today).
PHYSICAL_ALLOWED: dict[str, str] = {}
PHYSICAL = re.compile(
    r"(?P<property>[a-z-]*(?:left|right)[a-z-]*)\s*:"  # margin-left, border-right-color, left…
    r"|(?:text-align|float|clear|caption-side)\s*:\s*(?P<value>left|right)"
)
FOUR_SIDES = re.compile(r"(?:^|[\s;{])(?:margin|padding|inset)\s*:\s*([^;}]+)")


def _rules_without_comments() -> list[tuple[int, str]]:
    text = re.sub(
        r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), STYLESHEET.read_text(), flags=re.S
    )
    return list(enumerate(text.splitlines(), start=1))


def test_the_stylesheet_has_no_physical_left_or_right():
    found = []
    for number, line in _rules_without_comments():
        for match in PHYSICAL.finditer(line):
            name = match.group("property") or match.group(0)
            if name not in PHYSICAL_ALLOWED:
                found.append(f"{number}: {match.group(0)}")
        for match in FOUR_SIDES.finditer(line):
            sides = match.group(1).split()
            if len(sides) == 4 and sides[1] != sides[3]:  # top right bottom left
                found.append(f"{number}: {match.group(0).strip()}")
    assert found == []


def test_each_language_is_named_in_itself_and_knows_its_direction():
    assert languages.own_names(("en", "fr", "es", "ar")) == {
        "en": "English",
        "fr": "Français",
        "es": "Español",
        "ar": "العربية",
    }
    assert [languages.direction(code) for code in ("en", "fr", "ar", None)] == [
        "ltr",
        "ltr",
        "rtl",
        "ltr",
    ]


def test_an_arabic_reader_gets_a_right_to_left_page(app):
    page = app.test_client().get("/", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in page
    assert (
        '<a href="/?lang=ar"' not in page
        and '<span aria-current="true" lang="ar">العربية</span>' in page
    )


def test_other_readers_keep_left_to_right_and_the_switcher_offers_arabic(app):
    page = app.test_client().get("/", headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr">' in page
    assert 'hreflang="ar">العربية</a>' in page


def test_arabic_is_a_setting_of_the_account(app):
    make = Factories(app)
    user = make.user(locale="en")
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    settings = client.get("/account").text
    assert '<option value="ar">العربية</option>' in settings
    client.post("/account/language", data={"lang": "ar", "next": "/dashboard"})
    assert '<html lang="ar" dir="rtl">' in client.get("/dashboard").text


def test_the_switcher_offers_the_configured_languages_only(tmp_path):
    app, _backend = build_app(None, tmp_path, LANGUAGES=("en", "fr"))
    page = app.test_client().get("/", headers={"Accept-Language": "es"}).text
    assert '<html lang="en">' in page
    assert 'hreflang="fr">Français</a>' in page and "Español" not in page


def test_an_arabic_email_is_written_right_to_left(app):
    with app.test_request_context():
        _subject, text, html = render_email(
            "confirm_email", "ar", to_name="ليلى", link="https://learning.example.org/x", hours=48
        )
    assert '<html lang="ar" dir="rtl">' in html
    assert not text.startswith("\u200f")  # plain text: the reader's program finds the direction


def test_a_chart_is_mirrored_right_to_left(app):
    chart = Chart("regions", "Members", [("members", "Members")], [Row("africa", "Africa", [10])])
    with app.test_request_context("/?lang=ar"):
        rtl = str(draw(chart))
    with app.test_request_context("/?lang=en"):
        ltr = str(draw(chart))
    assert 'direction="ltr"' in ltr and '<rect x="0"' in ltr
    assert 'direction="rtl"' in rtl and 'preserveAspectRatio="xMaxYMin meet"' in rtl
    bar = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', rtl)
    assert bar and float(bar.group(1)) + float(bar.group(2)) == 360  # ends at the right edge
    assert '<text x="360"' in rtl  # the label starts at the right edge


def test_arrows_point_the_way_the_page_reads(app):
    with app.test_request_context("/?lang=ar"):
        assert (languages.back_arrow(), languages.forward_arrow()) == ("→", "←")
    with app.test_request_context("/?lang=fr"):
        assert (languages.back_arrow(), languages.forward_arrow()) == ("←", "→")


def test_dates_times_and_numbers_are_written_the_arabic_way(app):
    moment = datetime(2026, 3, 12, 14, 5)  # stored in UTC
    with app.test_request_context("/?lang=ar"):
        filters = app.jinja_env.filters
        date, number = filters["date"](moment, "long"), filters["number"](1146053)
        when = filters["datetime"](moment, "short")
        many = ngettext("%(num)d place left", "%(num)d places left", 3)
    # Babel's Arabic (CLDR): the month's Arabic name and Arabic punctuation; Western digits, as
    # Babel writes them by default and as most Arabic sites do.
    assert date == babel_dates.format_date(moment, "long", locale="ar")
    assert "مارس" in date
    assert number == babel_numbers.format_decimal(1146053, locale="ar")
    assert when == babel_dates.format_datetime(moment, "short", tzinfo=UTC, locale="ar")
    assert re.search(
        "[\u0600-\u06ff]", many
    )  # translated, in the form for three (n % 100 in 3..10)


def test_arabic_has_six_plural_forms():
    from babel.messages.pofile import read_po

    path = Path(__file__).parent.parent / "cta_learning/translations/ar/LC_MESSAGES/messages.po"
    with path.open("rb") as handle:
        catalogue = read_po(handle, locale="ar")
    assert catalogue.num_plurals == 6
    plurals = [message for message in catalogue if message.id and isinstance(message.id, tuple)]
    assert plurals and all(len(message.string) == 6 and all(message.string) for message in plurals)


def test_names_and_addresses_in_sentences_are_isolated(app, client, make, auth):
    # An Arabic organisation name in an English sentence, a Latin address in an Arabic one:
    # each keeps its own direction, and the sentence's full stop stays where it belongs.
    user, organisation = make.member(make.organisation(name="أمانة عمان الكبرى"), locale="ar")
    auth.login(user.email)
    members = client.get("/organisation/members").text
    assert "<bdi>أمانة عمان الكبرى</bdi>" in members
    change = client.get("/account/email").text
    assert f"<bdi>{user.email}</bdi>" in change


def test_lists_are_written_the_way_each_language_writes_them(app):
    from cta_learning.i18n import list_text

    written = {}
    for language in ("en", "fr", "es", "ar"):
        with app.test_request_context(f"/?lang={language}"):
            written[language] = list_text(["A", "B", "C"])
    assert written == {"en": "A, B, and C", "fr": "A, B et C", "es": "A, B y C", "ar": "A وB وC"}


def test_a_text_in_another_language_says_so_and_its_direction_when_it_differs(app):
    from cta_learning.templating import lang_attributes

    with app.test_request_context("/?lang=ar"):
        arabic_page = [str(lang_attributes(code)) for code in ("ar", "en", None)]
    with app.test_request_context("/?lang=fr"):
        french_page = [str(lang_attributes(code)) for code in ("fr", "en", "ar")]
    assert arabic_page == ["", ' lang="en" dir="ltr"', ""]
    assert french_page == ["", ' lang="en"', ' lang="ar" dir="rtl"']


def test_an_english_action_on_an_arabic_page_reads_left_to_right(app, client, make):
    from tests.actions.helpers import make_action

    user, organisation = make.member()
    action = make_action(app, organisation, user, status="published")
    page = client.get(f"/actions/{action}?lang=ar").text
    assert '<h1 id="action-title" lang="en" dir="ltr">' in page
    assert '<div class="description" lang="en" dir="ltr">' in page
