"""A media lesson's transcript read as what is said: blocks, sentences, plain text, WebVTT.

The Markdown transcript is the one source of a recording, its captions and its text download,
so the three cannot disagree. A transcript is a sequence of blocks separated by blank lines:
headings (`## Scene 2`), scene descriptions (a paragraph all in italics), and speech (a
paragraph, with its speaker when it starts with `**Name:**`).
"""

import re
from dataclasses import dataclass, field

_SPEAKER = re.compile(r"^\*\*([^*\n]{1,40}?)\s*:\s*\*\*\s*")
_HEADING = re.compile(r"^#{1,6}\s+")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+", re.MULTILINE)
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
# A sentence ends at . ! ? or … (and a closing quote) before a space and a capital, a digit,
# or an opening quote or ¿ ¡.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"»”\u2019)]))\s+(?=[«\"“¿¡(A-ZÀ-ÖØ-Þ0-9])")
_CLAUSE_END = re.compile(r"(?<=[,;:])\s+")
CUE_CHARACTERS = 120  # two lines of captions: longer sentences are cut at their commas


@dataclass
class Block:
    """One paragraph of the transcript: `kind` is title, heading, description or speech."""

    kind: str
    text: str
    speaker: str | None = None
    phrases: list[str] = field(default_factory=list)  # what each caption cue shows

    def __post_init__(self) -> None:
        if not self.phrases:
            self.phrases = phrases(self.text)


def plain(markdown: str) -> str:
    """The text of a Markdown paragraph without its marks (links keep their words)."""
    text = _LINK.sub(r"\1", markdown)
    text = _LIST_MARK.sub("", text)
    text = _EMPHASIS.sub("", text)
    return " ".join(text.split())


def phrases(text: str) -> list[str]:
    """Sentences, and long sentences cut at their clauses: one caption cue each."""
    result = []
    for sentence in _SENTENCE_END.split(text):
        current = ""
        for clause in _CLAUSE_END.split(sentence):
            if current and len(current) + len(clause) + 1 > CUE_CHARACTERS:
                result.append(current)
                current = clause
            else:
                current = f"{current} {clause}" if current else clause
        if current:
            result.append(current)
    return [phrase for phrase in result if phrase.strip()]


def blocks(title: str, body: str) -> list[Block]:
    """The lesson's title, then its transcript's paragraphs, in order."""
    result = [Block("title", plain(title))]
    for paragraph in re.split(r"\n\s*\n", body.replace("\r\n", "\n")):
        paragraph = paragraph.strip()
        if not paragraph or _RULE.match(paragraph):
            continue
        if _HEADING.match(paragraph):
            result.append(Block("heading", plain(_HEADING.sub("", paragraph))))
            continue
        speaker = _SPEAKER.match(paragraph)
        if speaker:
            text = plain(paragraph[speaker.end() :])
            result.append(Block("speech", text, speaker=plain(speaker.group(1))))
        elif re.fullmatch(r"\*[^*].*[^*]\*|_[^_].*[^_]_", paragraph, re.DOTALL):
            result.append(Block("description", plain(paragraph)))
        else:
            result.append(Block("speech", plain(paragraph)))
    return result


def plain_text(title: str, body: str) -> str:
    """The transcript as a text file: one paragraph each, speakers named, descriptions in []."""
    lines = []
    for block in blocks(title, body):
        if block.kind == "description":
            lines.append(f"[{block.text}]")
        elif block.speaker:
            lines.append(f"{block.speaker}: {block.text}")
        elif block.kind == "heading":
            lines.append(f"## {block.text}")
        else:
            lines.append(block.text)
    return "\n\n".join(lines) + "\n"


@dataclass
class Cue:
    start: float  # seconds
    end: float
    text: str


def _timestamp(seconds: float) -> str:
    milliseconds = round(seconds * 1000)
    hours, rest = divmod(milliseconds, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webvtt(cues: list[Cue], language: str) -> str:
    """A WebVTT file: one numbered cue per phrase, descriptions in italics."""
    parts = [f"WEBVTT\nLanguage: {language}\n"]
    for number, cue in enumerate(cues, start=1):
        parts.append(f"{number}\n{_timestamp(cue.start)} --> {_timestamp(cue.end)}\n{cue.text}\n")
    return "\n".join(parts)


def cue_text(block: Block, index: int) -> str:
    """What a cue shows: the speaker before their first phrase, descriptions in italics."""
    text = _escape(block.phrases[index])
    if block.kind == "description":
        return f"<i>{text}</i>"
    if block.speaker and index == 0:
        return f"{_escape(block.speaker)}: {text}"
    return text
