"""Languages listed once (config's LANGUAGES, named by Babel), and pages, emails and charts that
lay out right to left for Arabic, with one stylesheet for both directions."""

import re
from pathlib import Path

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


def test_an_arabic_reader_gets_a_right_to_left_page(arabic_app):
    page = arabic_app.test_client().get("/", headers={"Accept-Language": "ar"}).text
    assert '<html lang="ar" dir="rtl">' in page
    assert (
        '<a href="/?lang=ar"' not in page
        and '<span aria-current="true" lang="ar">العربية</span>' in page
    )


def test_other_readers_keep_left_to_right_and_the_switcher_offers_arabic(arabic_app):
    page = arabic_app.test_client().get("/", headers={"Accept-Language": "fr"}).text
    assert '<html lang="fr">' in page
    assert 'hreflang="ar">العربية</a>' in page


def test_arabic_is_a_setting_of_the_account(arabic_app):
    make = Factories(arabic_app)
    user = make.user(locale="en")
    client = arabic_app.test_client()
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


def test_an_arabic_email_is_written_right_to_left(arabic_app):
    with arabic_app.test_request_context():
        _subject, text, html = render_email(
            "confirm_email", "ar", to_name="ليلى", link="https://learning.example.org/x", hours=48
        )
    assert '<html lang="ar" dir="rtl">' in html
    assert not text.startswith("\u200f")  # plain text: the reader's program finds the direction


def test_a_chart_is_mirrored_right_to_left(arabic_app):
    chart = Chart("regions", "Members", [("members", "Members")], [Row("africa", "Africa", [10])])
    with arabic_app.test_request_context("/?lang=ar"):
        rtl = str(draw(chart))
    with arabic_app.test_request_context("/?lang=en"):
        ltr = str(draw(chart))
    assert 'direction="ltr"' in ltr and '<rect x="0"' in ltr
    assert 'direction="rtl"' in rtl and 'preserveAspectRatio="xMaxYMin meet"' in rtl
    bar = re.search(r'<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"', rtl)
    assert bar and float(bar.group(1)) + float(bar.group(2)) == 360  # ends at the right edge
    assert '<text x="360"' in rtl  # the label starts at the right edge


def test_arrows_point_the_way_the_page_reads(arabic_app):
    with arabic_app.test_request_context("/?lang=ar"):
        assert (languages.back_arrow(), languages.forward_arrow()) == ("→", "←")
    with arabic_app.test_request_context("/?lang=fr"):
        assert (languages.back_arrow(), languages.forward_arrow()) == ("←", "→")
