"""Recordings that play: the shipped files and captions, the player, the files served safely."""

import os
import re
import shutil
from itertools import pairwise

import pytest

from cta_learning import create_app
from cta_learning.courses.content import read_course
from cta_learning.courses.models import Lesson
from cta_learning.courses.recording import make_recording, missing_programs
from cta_learning.courses.transcripts import blocks, phrases, plain_text
from cta_learning.extensions import db
from tests.conftest import TEST_CONFIG
from tests.courses.helpers import COURSE_PATH, ROOT, SLUG, shipped_files
from tests.hostile import page_text
from tests.servers import missing

COURSE = f"/courses/{SLUG}"
MEDIA = os.path.join(ROOT, "content", "media")
MEDIA_LESSONS = ("cities-on-the-front-line", "city-stories", "compacts-explained")
MEDIA_LESSONS += ("reporting-and-visibility",)
CUE_TIMES = re.compile(r"^(\d\d):(\d\d):(\d\d)\.(\d\d\d) --> (\d\d):(\d\d):(\d\d)\.(\d\d\d)$")


def change_lesson(app, slug: str, preview: bool | None = None, **languages: dict) -> None:
    """Open a lesson as a preview, or change some of its header fields in some languages."""
    with app.app_context():
        lesson = db.session.scalar(db.select(Lesson).where(Lesson.slug == slug))
        if preview is not None:
            lesson.preview = preview
        lesson.content = {
            language: {**text, **languages.get(language, {})}
            for language, text in lesson.content.items()
        }
        db.session.commit()


def read(client, path: str, **options):
    """The response, its file read and closed (files are streamed)."""
    response = client.get(path, **options)
    response.get_data()
    response.close()
    return response


def cue_times(vtt: str) -> list[tuple[float, float]]:
    """The (start, end) of every cue, checking the file is WebVTT."""
    assert vtt.startswith("WEBVTT\n")
    times = []
    for line in vtt.splitlines():
        match = CUE_TIMES.match(line)
        if match:
            h1, m1, s1, ms1, h2, m2, s2, ms2 = map(int, match.groups())
            times.append(
                (h1 * 3600 + m1 * 60 + s1 + ms1 / 1000, h2 * 3600 + m2 * 60 + s2 + ms2 / 1000)
            )
    assert times and "-->" not in vtt.split("\n\n", 1)[0]
    return times


# --- the shipped recordings -------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("slug", MEDIA_LESSONS)
def test_every_media_lesson_ships_a_small_recording_with_timed_captions(slug, language):
    text = shipped_files().lessons[(slug, language)]
    media = os.path.join(MEDIA, text["media"])
    assert os.path.getsize(media) < 2_000_000
    assert text["media"].endswith(
        ".webm" if slug.startswith(("compacts", "reporting")) else ".opus"
    )
    with open(os.path.join(MEDIA, text["captions"][language]), encoding="utf-8") as handle:
        times = cue_times(handle.read())
    assert all(start < end for start, end in times)
    assert all(end <= following for (_, end), (following, _) in pairwise(times))
    minutes, seconds = map(int, text["duration"].split(":"))
    assert abs(times[-1][1] - (minutes * 60 + seconds)) < 2  # the header says the real length
    if "poster" in text:
        assert os.path.getsize(os.path.join(MEDIA, text["poster"])) < 100_000


def test_a_transcript_reads_as_speakers_descriptions_and_short_phrases():
    body = (
        "*Scene 1. A bus stops.*\n\n## Scene 2\n\n**Host:** Welcome. Is it *simple*?\n\n---\n\n"
        "**Animatrice :** ¿Y bien? " + "Une phrase longue, " * 12 + "fin."
    )
    title, description, heading, host, french = blocks("Podcast: [cities](https://x.org)", body)
    assert title.text == "Podcast: cities" and description.kind == "description"
    assert heading.kind == "heading" and (host.speaker, host.phrases) == (
        "Host",
        ["Welcome.", "Is it simple?"],
    )
    assert french.speaker == "Animatrice" and french.phrases[0] == "¿Y bien?"
    assert all(len(phrase) <= 120 for phrase in phrases(french.text))
    assert "Host: Welcome. Is it simple?" in plain_text("T", body)
    assert "[Scene 1. A bus stops.]" in plain_text("T", body)


def test_one_tiny_recording_is_made_here_with_its_captions_and_poster(tmp_path):
    if missing_programs():
        missing(f"{', '.join(missing_programs())} not installed (apt-get install espeak-ng ffmpeg)")
    paths = {
        name: str(tmp_path / f"tiny.{ext}")
        for name, ext in (("media", "webm"), ("captions", "vtt"), ("poster", "png"))
    }
    made = make_recording(
        "video", "fr", "Vidéo : essai", "**Narratrice :** Bonjour. Au revoir.", paths
    )
    assert 1 < made.duration < 10 and all(size > 0 for size in made.files.values())
    with open(paths["media"], "rb") as handle:
        assert handle.read(4) == b"\x1a\x45\xdf\xa3"  # a Matroska/WebM file
    times = cue_times((tmp_path / "tiny.vtt").read_text(encoding="utf-8"))
    assert len(times) == 3 and abs(times[-1][1] - made.duration) < 1  # title, then two phrases


def test_the_media_command_makes_what_the_lesson_names_and_writes_its_length(tmp_path):
    if missing_programs():
        missing(f"{', '.join(missing_programs())} not installed (apt-get install espeak-ng ffmpeg)")
    content = tmp_path / "content"
    shutil.copytree(COURSE_PATH, content / "courses" / SLUG)
    shutil.copy(os.path.join(ROOT, "content", "priorities.yaml"), content)
    lesson = content / "courses" / SLUG / "lessons" / "compacts-explained.en.md"
    header = lesson.read_text(encoding="utf-8").split("\n---\n", 1)[0]
    lesson.write_text(header + "\n---\n\n**Narrator:** Two compacts. One call.\n", encoding="utf-8")
    app = create_app(
        {**TEST_CONFIG, "CONTENT_PATH": str(content), "SQLALCHEMY_DATABASE_URI": "sqlite://"}
    )
    result = app.test_cli_runner().invoke(
        args=["courses", "media", "--lesson", "compacts-explained", "--language", "en"]
    )
    assert result.exit_code == 0, result.output
    made = sorted(os.listdir(content / "media"))
    assert made == [f"compacts-explained.en.{ext}" for ext in ("png", "vtt", "webm")]
    assert 'duration: "00:0' in lesson.read_text(encoding="utf-8")  # seconds, no longer 06:47
    assert "compacts-explained.en.webm: 0.0" in result.output


def test_a_media_file_outside_content_media_is_refused_by_the_course_check(tmp_path):
    target = tmp_path / "course"
    shutil.copytree(COURSE_PATH, target)
    lesson = target / "lessons" / "city-stories.fr.md"
    text = lesson.read_text(encoding="utf-8").replace(
        "media: city-stories.fr.opus", "media: ../secret.opus"
    )
    lesson.write_text(text, encoding="utf-8")
    [problem] = read_course(str(target), frozenset(range(1, 9))).problems
    assert (
        "city-stories.fr.md" in problem
        and "a file name under content/media/ or an https URL" in problem
    )


# --- the lesson page ------------------------------------------------------------------------


def test_a_podcast_plays_with_captions_its_size_and_downloads(client, learner):
    response = client.get(f"{COURSE}/cities-on-the-front-line/")
    html = response.get_data(as_text=True)
    size = os.path.getsize(os.path.join(MEDIA, "cities-on-the-front-line.en.opus"))
    assert re.search(
        r'<audio controls preload="none" src="/courses/media/cities-on-the-front-line\.en\.opus\?v=\d+"',
        html,
    )
    assert re.search(
        r'<track kind="captions" src="/courses/media/cities-on-the-front-line\.en\.vtt\?v=\d+" srclang="en" label="English" default>',
        html,
    )
    text = page_text(response)
    minutes = shipped_files().lessons[("cities-on-the-front-line", "en")]["duration"].split(":")
    expected_minutes = round(int(minutes[0]) + int(minutes[1]) / 60)
    assert f"Audio, {size / 1e6:.1f} MB, {expected_minutes} min" in text
    assert "Download the recording" in text and "cannot be played from this site yet" not in text
    assert f'href="{COURSE}/cities-on-the-front-line/transcript.txt" download' in html
    assert "<strong>Host:</strong> Welcome to this episode." in html  # the transcript, shown


def test_a_french_page_plays_the_french_recording_with_french_captions(client, learner):
    client.post("/account/language", data={"lang": "fr", "next": "/"})
    html = client.get(f"{COURSE}/cities-on-the-front-line/").get_data(as_text=True)
    assert 'src="/courses/media/cities-on-the-front-line.fr.opus?v=' in html
    assert re.search(r'srclang="fr" label="Français" default>', html)
    assert 'id="recording-language"' not in html


def test_without_its_own_recording_a_language_plays_the_english_one(app, client, learner):
    change_lesson(app, "cities-on-the-front-line", fr={"media": "missing.fr.opus", "captions": {}})
    client.post("/account/language", data={"lang": "fr", "next": "/"})
    html = client.get(f"{COURSE}/cities-on-the-front-line/").get_data(as_text=True)
    assert 'src="/courses/media/cities-on-the-front-line.en.opus?v=' in html
    assert 'srclang="en"' in html and 'id="recording-language"' in html
    assert 'id="fallback"' not in html  # the text itself is in French


def test_a_video_plays_with_its_poster_and_captions(app, client, course):
    change_lesson(app, "compacts-explained", preview=True)
    response = client.get(f"{COURSE}/compacts-explained/")
    html = response.get_data(as_text=True)
    assert re.search(
        r'<video controls preload="none" src="/courses/media/compacts-explained\.en\.webm\?v=\d+" lang="en" width="640" height="360" poster="/courses/media/compacts-explained\.en\.png\?v=\d+">',
        html,
    )
    assert 'srclang="en" label="English" default>' in html
    assert re.search(r"Video, \d\.\d MB, \d+ min", page_text(response))
    assert response.headers["Content-Security-Policy"].count("media-src 'self';") == 1


def test_a_recording_hosted_elsewhere_plays_with_its_captions(app, client, course):
    web = "https://media.example.org/compacts.webm"
    captions = {"en": "https://captions.example.org/en.vtt", "fr": "compacts-explained.fr.vtt"}
    change_lesson(
        app,
        "compacts-explained",
        preview=True,
        en={"media": web, "captions": captions, "poster": "https://media.example.org/p.png"},
    )
    response = client.get(f"{COURSE}/compacts-explained/")
    html = response.get_data(as_text=True)
    assert f'src="{web}"' in html and 'crossorigin="anonymous"' in html
    assert 'src="https://captions.example.org/en.vtt" srclang="en" label="English" default>' in html
    assert 'src="/courses/media/compacts-explained.fr.vtt?v=' in html  # others available
    assert "Video, 7 min" in page_text(response)  # no size: it is not ours to measure
    policy = response.headers["Content-Security-Policy"]
    assert "media-src 'self' https://captions.example.org https://media.example.org;" in policy
    assert "img-src 'self' https://media.example.org data:;" in policy


def test_where_no_file_exists_the_page_says_so_and_shows_the_transcript(app, client, learner):
    change_lesson(app, "cities-on-the-front-line", en={"media": "nothing.en.opus"})
    text = page_text(client.get(f"{COURSE}/cities-on-the-front-line/"))
    assert "cannot be played from this site yet" in text and "Welcome to this episode" in text


def test_the_transcript_downloads_as_a_text_file(client, learner):
    response = client.get(f"{COURSE}/cities-on-the-front-line/transcript.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert (
        response.headers["Content-Disposition"]
        == 'attachment; filename="cities-on-the-front-line.en.txt"'
    )
    assert "Host: Welcome to this episode." in response.get_data(as_text=True)


# --- serving the files ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "mimetype"),
    [
        ("cities-on-the-front-line.en.opus", "audio/ogg"),
        ("compacts-explained.fr.webm", "video/webm"),
        ("city-stories.es.vtt", "text/vtt"),
        ("reporting-and-visibility.en.png", "image/png"),
    ],
)
def test_media_are_served_with_their_type_and_by_ranges(client, name, mimetype):
    whole = read(client, f"/courses/media/{name}")
    assert whole.status_code == 200 and whole.mimetype == mimetype
    assert whole.headers["Accept-Ranges"] == "bytes"
    assert whole.headers["Cache-Control"] == "public, max-age=86400"
    part = read(client, f"/courses/media/{name}", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206 and len(part.data) == 100
    assert part.data == whole.data[100:200]
    assert part.headers["Content-Range"] == f"bytes 100-199/{len(whole.data)}"


def test_a_versioned_address_is_kept_a_year(client):
    name = "cities-on-the-front-line.en.opus"
    version = int(os.path.getmtime(os.path.join(MEDIA, name)))
    response = read(client, f"/courses/media/{name}?v={version}")
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    etag = response.headers["ETag"]
    assert (
        read(client, f"/courses/media/{name}", headers={"If-None-Match": etag}).status_code == 304
    )


@pytest.mark.parametrize(
    "path",
    [
        "/courses/media/../courses/README.md",
        "/courses/media/..%2F..%2Fpyproject.toml",
        "/courses/media/%2e%2e%2fcourses%2fREADME.md",
        "/courses/media/%2e%2e",
        "/courses/media/..%5C..%5Cpyproject.toml",
        "/courses/media/caf%C3%A9.opus",
        "/courses/media/%E2%80%AEcities-on-the-front-line.en.opus",
        "/courses/media/.cities-on-the-front-line.en.opus",
        "/courses/media/courses%2Flocalising-global-compacts%2Fcourse.yaml",
    ],
)
def test_nothing_outside_the_media_folder_is_served(client, path):
    assert read(client, path).status_code == 404
    assert read(client, "/courses/media/cities-on-the-front-line.en.opus%00.png").status_code == 400
