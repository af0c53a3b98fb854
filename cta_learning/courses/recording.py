"""`flask courses media`: the course's recordings, made on this machine from the transcripts.

Speech is synthesised phrase by phrase with espeak-ng, so the duration of every phrase is known
exactly and becomes the timing of its caption cue; the phrases are joined with short pauses and
encoded as Opus at 16 kbit/s mono (about 120 kB a minute). A video adds slides (the lesson's
title, then one slide per paragraph, in DejaVu Sans) shown while their paragraph is spoken, as
VP9 at one frame a second: a slide that does not move costs almost nothing. Needs espeak-ng and
ffmpeg (Debian: `apt-get install espeak-ng ffmpeg`). The same transcript gives the same files.
"""

import os
import re
import shutil
import subprocess
import tempfile
import textwrap
import wave
from dataclasses import dataclass, field

from cta_learning.courses.media import duration_minutes
from cta_learning.courses.transcripts import Block, Cue, blocks, cue_text, webvtt

PROGRAMS = ("espeak-ng", "ffmpeg")
SPEED = 165  # words a minute: a little slower than espeak's default, for non-native listeners
SAMPLE_RATE = 22050  # espeak-ng's own
PAUSE_IN_BLOCK = 0.25  # seconds between the phrases of a paragraph
PAUSE_AFTER_BLOCK = 0.6
# Speakers get voices in the order they first speak; titles and scene descriptions have theirs.
SPEAKER_VOICES = ("f3", "m3", "f4", "m7")
DESCRIPTION_VOICE = "m1"
WIDTH, HEIGHT = 640, 360
FONTS = "/usr/share/fonts/truetype/dejavu"
CAPTION_SPACE = 84  # pixels kept free at the bottom, where players draw captions and controls


@dataclass
class Made:
    """What one recording came to: its duration and the files written, with their sizes."""

    duration: float
    files: dict[str, int] = field(default_factory=dict)


def missing_programs() -> list[str]:
    """The Debian packages to install before recordings can be made here."""
    missing = [program for program in PROGRAMS if shutil.which(program) is None]
    if not os.path.isfile(os.path.join(FONTS, "DejaVuSans.ttf")):
        missing.append("fonts-dejavu-core")
    return missing


def _run(arguments: list[str], text: str | None = None) -> None:
    subprocess.run(arguments, input=text, text=True, check=True, capture_output=True)  # noqa: S603 - our own arguments; texts go through stdin and files


def _ffmpeg(*arguments: str) -> None:
    _run(["ffmpeg", "-nostdin", "-v", "error", "-y", *arguments])


def _voices(language: str, all_blocks: list[Block]) -> list[str]:
    """The espeak-ng voice of each block."""
    speakers: dict[str | None, str] = {}
    result = []
    for block in all_blocks:
        if block.kind in ("title", "heading", "description"):
            result.append(f"{language}+{DESCRIPTION_VOICE}")
            continue
        if block.speaker not in speakers:
            speakers[block.speaker] = SPEAKER_VOICES[len(speakers) % len(SPEAKER_VOICES)]
        result.append(f"{language}+{speakers[block.speaker]}")
    return result


def _speak(text: str, voice: str, path: str) -> bytes:
    """The phrase as 16-bit mono samples at SAMPLE_RATE."""
    _run(["espeak-ng", "-v", voice, "-s", str(SPEED), "--stdin", "-w", path], text=text)
    with wave.open(path, "rb") as sound:
        if sound.getframerate() != SAMPLE_RATE or sound.getnchannels() != 1:
            raise RuntimeError(f"espeak-ng wrote an unexpected format to {path}")
        return sound.readframes(sound.getnframes())


def _silence(seconds: float) -> bytes:
    return b"\0\0" * round(seconds * SAMPLE_RATE)


def narrate(all_blocks: list[Block], language: str, work: str) -> tuple[list[Cue], list[float]]:
    """Write work/narration.wav; return the cues and the time each block starts."""
    samples = bytearray()
    cues: list[Cue] = []
    starts: list[float] = []
    phrase_file = os.path.join(work, "phrase.wav")
    for block, voice in zip(all_blocks, _voices(language, all_blocks), strict=True):
        starts.append(len(samples) / 2 / SAMPLE_RATE)
        for index, phrase in enumerate(block.phrases):
            start = len(samples) / 2 / SAMPLE_RATE
            samples += _speak(phrase, voice, phrase_file)
            cues.append(Cue(start, len(samples) / 2 / SAMPLE_RATE, cue_text(block, index)))
            if index + 1 < len(block.phrases):
                samples += _silence(PAUSE_IN_BLOCK)
        samples += _silence(PAUSE_AFTER_BLOCK)
    with wave.open(os.path.join(work, "narration.wav"), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(2)
        sound.setframerate(SAMPLE_RATE)
        sound.writeframes(bytes(samples))
    return cues, starts


def _filter_path(path: str) -> str:
    """A path inside an ffmpeg filter argument, its special characters escaped."""
    return path.replace("\\", "\\\\").replace(":", "\\:").replace("'", "\\'")


def _text_layer(work: str, name: str, text: str, font: str, size: int, y: int, colour: str):
    path = os.path.join(work, f"{name}.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)
    return (
        f"drawtext=fontfile='{_filter_path(os.path.join(FONTS, font))}'"
        f":textfile='{_filter_path(path)}':expansion=none:fontsize={size}:fontcolor={colour}"
        f":line_spacing={size // 3}:x=32:y={y}"
    )


def _fitted(text: str, top: int) -> tuple[str, int]:
    """The text wrapped at the largest size that fits between `top` and the bottom margin."""
    for size in (26, 24, 22, 20, 18, 16, 14, 13, 12):
        columns = int((WIDTH - 64) / (size * 0.6))
        lines = textwrap.wrap(text, columns) or [""]
        if len(lines) * (size + size // 3) <= HEIGHT - top - CAPTION_SPACE:
            break
    return "\n".join(lines), size


def render_slide(work: str, name: str, title: str, block: Block, heading: str | None) -> str:
    """A 640x360 PNG of one paragraph under the lesson's title (the title alone, larger)."""
    path = os.path.join(work, f"{name}.png")
    if block.kind == "title":
        text, size = _fitted(block.text, 120)
        layers = [_text_layer(work, f"{name}-t", text, "DejaVuSans-Bold.ttf", size, 130, "white")]
    else:
        label = heading if block.kind != "heading" else None
        if block.speaker:
            label = f"{label} · {block.speaker}" if label else block.speaker
        font = "DejaVuSans-Oblique.ttf" if block.kind == "description" else "DejaVuSans.ttf"
        if block.kind == "heading":
            font = "DejaVuSans-Bold.ttf"
        text, size = _fitted(block.text, 84)
        layers = [_text_layer(work, f"{name}-h", title, "DejaVuSans.ttf", 14, 16, "0xbcd0e6")]
        if label:
            layers.append(
                _text_layer(work, f"{name}-l", label, "DejaVuSans-Bold.ttf", 18, 46, "0xffd166")
            )
        layers.append(_text_layer(work, f"{name}-t", text, font, size, 84, "white"))
    background = f"color=c=0x1d3557:s={WIDTH}x{HEIGHT}:d=1"
    _ffmpeg("-f", "lavfi", "-i", background, "-vf", ",".join(layers), "-frames:v", "1", path)
    return path


AUDIO = ["-ac", "1", "-c:a", "libopus", "-b:a", "16k", "-application", "voip"]
EXACT = ["-map_metadata", "-1", "-fflags", "+bitexact", "-flags", "+bitexact"]


def _slides(work: str, title: str, all_blocks: list[Block], starts: list[float], end: float):
    """The concat list showing each block's slide from its start to the next one's."""
    lines = ["ffconcat version 1.0"]
    heading = None
    for index, block in enumerate(all_blocks):
        if block.kind == "heading":
            heading = block.text
        slide = render_slide(work, f"slide-{index:03d}", title, block, heading)
        following = starts[index + 1] if index + 1 < len(all_blocks) else end
        lines += [f"file '{slide}'", f"duration {following - starts[index]:.3f}"]
    lines.append(f"file '{slide}'")  # the concat demuxer needs the last image twice
    path = os.path.join(work, "slides.txt")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def make_recording(kind: str, language: str, title: str, body: str, paths: dict[str, str]) -> Made:
    """Write the recording (`paths["media"]`), its captions and, for a video, its poster."""
    all_blocks = blocks(title, body)
    with tempfile.TemporaryDirectory(prefix="cta-media-") as work:
        cues, starts = narrate(all_blocks, language, work)
        narration = os.path.join(work, "narration.wav")
        with wave.open(narration, "rb") as sound:
            duration = sound.getnframes() / SAMPLE_RATE
        media = paths["media"]
        if kind == "video":
            slides = _slides(work, all_blocks[0].text, all_blocks, starts, duration)
            video = [
                "-c:v", "libvpx-vp9", "-crf", "45", "-b:v", "0", "-g", "60", "-deadline", "good",
                "-cpu-used", "4", "-threads", "1", "-vf", "fps=1,format=yuv420p",
            ]  # fmt: skip
            inputs = ["-f", "concat", "-safe", "0", "-i", slides, "-i", narration]
            _ffmpeg(
                *inputs, "-map", "0:v", "-map", "1:a", *video, *AUDIO, "-shortest", *EXACT, media
            )
            if "poster" in paths:
                shutil.copyfile(os.path.join(work, "slide-000.png"), paths["poster"])
        else:
            _ffmpeg("-i", narration, *AUDIO, *EXACT, media)
    written = [media]
    if "captions" in paths:
        with open(paths["captions"], "w", encoding="utf-8") as handle:
            handle.write(webvtt(cues, language))
        written.append(paths["captions"])
    if "poster" in paths and kind == "video":
        written.append(paths["poster"])
    return Made(duration, {path: os.path.getsize(path) for path in written})


_DURATION_LINE = re.compile(r"^duration: .*$", re.MULTILINE)


_MINUTES_LINE = re.compile(r"^minutes: .*$", re.MULTILINE)


def set_duration(lesson_file: str, seconds: float) -> None:
    """Write the recording's real duration (mm:ss) into the lesson file's header, and its
    length in whole minutes as the lesson's time, so the syllabus and the player agree."""
    with open(lesson_file, encoding="utf-8") as handle:
        text = handle.read()
    header_end = text.index("\n---", 3)
    minutes, rest = divmod(round(seconds), 60)
    duration = f"{minutes:02d}:{rest:02d}"
    header = _DURATION_LINE.sub(f'duration: "{duration}"', text[:header_end], 1)
    header = _MINUTES_LINE.sub(f"minutes: {duration_minutes(duration)}", header, 1)
    with open(lesson_file, "w", encoding="utf-8") as handle:
        handle.write(header + text[header_end:])
