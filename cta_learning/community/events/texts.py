"""An event's texts in the reader's language.

Organisers write an event in one language, its own (`Event.language`): the event's and its
segments' columns hold that original. They may add the other platform languages (translation
rows). A reader sees each text in their language when it was written, else in the original, and
the page says so ("This event is written in French."), as it does for actions.
"""

from collections.abc import Iterable
from typing import Any

from cta_learning.languages import PLATFORM

TEXT_LANGUAGES = PLATFORM  # the languages organisers write in (each has its form fields)
EVENT_TEXTS = ("title", "summary", "description", "objectives", "expected_results")
SEGMENT_TEXTS = ("title", "guiding_question")


class Localised:
    """Texts for one reader: `text.title`, and `text.lang("title")` the language it is in."""

    def __init__(self, values: dict[str, str], languages: dict[str, str], reader: str) -> None:
        self._values = values
        self._languages = languages
        self.reader = reader

    def __getattr__(self, name: str) -> str:
        try:
            return self.__dict__["_values"][name]
        except KeyError:
            raise AttributeError(name) from None

    def __repr__(self) -> str:
        return f"<Localised {self.reader} {self._values.get('title', '')!r}>"

    def lang(self, name: str) -> str:
        return self._languages[name]

    @property
    def language(self) -> str:
        """The language of the title, which the page's note speaks of."""
        return self._languages["title"]

    @property
    def is_fallback(self) -> bool:
        """The reader's language was not written: the texts are the original's."""
        return self.language != self.reader


def localise(
    original: Any,
    translations: Iterable[Any],
    original_language: str,
    fields: tuple[str, ...],
    language: str,
) -> Localised:
    """Each field in `language` when a translation gives it, else the original's."""
    translation = None
    if language != original_language:
        translation = next((row for row in translations if row.language == language), None)
    values, languages = {}, {}
    for name in fields:
        translated = getattr(translation, name, "") if translation is not None else ""
        if translated:
            values[name], languages[name] = translated, language
        else:
            values[name], languages[name] = getattr(original, name) or "", original_language
    return Localised(values, languages, language)
