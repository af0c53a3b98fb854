"""What a video or podcast lesson plays: its recording, captions, poster, size and length.

A lesson in each language names its own recording; when the page's language has none that can
be played (its file is missing), the English recording is played, and the page says so. Files
live flat in content/media/ and are served only by a plain name with a known type, so no URL
reaches outside that folder.
"""

import os
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from flask import Response, abort, send_file, url_for

from cta_learning.courses import operations
from cta_learning.courses.importing import is_web_media, media_folder
from cta_learning.courses.models import Lesson
from cta_learning.i18n import language_name
from cta_learning.security import CONTENT_SECURITY_POLICY

MEDIA_TYPES = {
    ".opus": "audio/ogg",  # Opus in Ogg (RFC 7845)
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".mp3": "audio/mpeg",
    ".m4a": "audio/mp4",
    ".webm": "video/webm",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".webp": "image/webp",
}
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
LONG_CACHE = 365 * 24 * 3600  # a URL carrying the file's version never changes
SHORT_CACHE = 24 * 3600


@dataclass
class Track:
    language: str
    label: str
    url: str
    default: bool


@dataclass
class Recording:
    """A recording as the lesson page shows it."""

    kind: str  # audio or video
    url: str
    language: str  # the language spoken
    minutes: int
    size: int | None = None  # bytes; None for media hosted elsewhere
    poster: str | None = None
    tracks: list[Track] = field(default_factory=list)

    @property
    def has_remote_captions(self) -> bool:
        """Captions from another site load only with CORS, asked by `crossorigin`."""
        return any(is_web_media(track.url) for track in self.tracks)


def media_file(filename: str) -> tuple[str, str] | None:
    """(path, type) of a file that may be served from content/media/, else None."""
    mimetype = MEDIA_TYPES.get(os.path.splitext(filename)[1].lower())
    if mimetype is None or not _PLAIN_NAME.match(filename):
        return None
    path = os.path.join(media_folder(), filename)
    return (path, mimetype) if os.path.isfile(path) else None


def send_media(filename: str, version: str | None) -> Response:
    """The file with its type, for range requests (seeking on slow links) and conditional
    requests; kept a year by browsers when the address carries the file's current version."""
    found = media_file(filename)
    if found is None:
        abort(404)
    path, mimetype = found
    current = version == str(int(os.path.getmtime(path)))
    response = send_file(
        path, mimetype=mimetype, conditional=True, max_age=LONG_CACHE if current else SHORT_CACHE
    )
    response.cache_control.public = True
    if current:
        response.cache_control.immutable = True
    return response


def _url(reference: str) -> str | None:
    """The address of a content file or web address; None for a missing file."""
    if is_web_media(reference):
        return reference
    found = media_file(reference)
    if found is None:
        return None
    version = int(os.path.getmtime(found[0]))
    return url_for("courses.media", filename=reference, v=version)


def duration_minutes(duration: str) -> int:
    """A recording's "mm:ss" duration in whole minutes, as lessons and players show it."""
    minutes, seconds = duration.split(":")
    return max(1, round(int(minutes) + int(seconds) / 60))


def recording_for(lesson: Lesson, language: str) -> Recording | None:
    """The lesson's recording in `language`, else in English; None if neither can be played."""
    for candidate in dict.fromkeys((language, "en")):
        text, fallback = operations.lesson_content(lesson, candidate)
        url = _url(text["media"]) if "media" in text else None
        if url is not None:
            spoken = "en" if fallback else candidate
            break
    else:
        return None
    found = None if is_web_media(text["media"]) else media_file(text["media"])
    captions = {code: _url(file) for code, file in (text.get("captions") or {}).items()}
    default = language if language in captions else spoken
    return Recording(
        kind="video" if lesson.kind == "video" else "audio",
        url=url,
        language=spoken,
        minutes=duration_minutes(text["duration"]),
        size=os.path.getsize(found[0]) if found else None,
        poster=_url(text["poster"]) if text.get("poster") else None,
        tracks=[
            Track(code, _label(code), track_url, code == default)
            for code, track_url in sorted(captions.items())
            if track_url is not None
        ],
    )


def _label(code: str) -> str:
    name = language_name(code)
    return name[:1].upper() + name[1:]


def content_security_policy(recording: Recording | None) -> str | None:
    """The page's policy letting media hosted elsewhere play (None: the default one is right)."""
    if recording is None:
        return None
    urls = [recording.url, *(track.url for track in recording.tracks)]
    media = sorted({_origin(url) for url in urls if is_web_media(url)})
    poster = recording.poster or ""
    images = [_origin(poster)] if is_web_media(poster) else []
    if not media and not images:
        return None
    policy = CONTENT_SECURITY_POLICY.replace(
        "media-src 'self'", " ".join(["media-src 'self'", *media])
    )
    return policy.replace("img-src 'self'", " ".join(["img-src 'self'", *images]))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
