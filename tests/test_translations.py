"""Every message is translated into French and Spanish, and the compiled catalogues are fresh."""

import os
import re

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

TRANSLATIONS = os.path.join(os.path.dirname(__file__), "..", "cta_learning", "translations")
LANGUAGES = ("fr", "es")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


def catalogue(language: str, kind: str = "po"):
    path = os.path.join(TRANSLATIONS, language, "LC_MESSAGES", f"messages.{kind}")
    with open(path, "rb") as handle:
        return read_po(handle) if kind == "po" else read_mo(handle)


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_message_is_untranslated_or_fuzzy(language):
    problems = []
    for message in catalogue(language):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(message.id)
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_every_placeholder(language):
    wrong = []
    for message in catalogue(language):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        wrong += [ids[0] for string in strings if set(PLACEHOLDER.findall(string)) != wanted]
    assert wrong == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po_file(language):
    def key(value):
        return tuple(value) if isinstance(value, list | tuple) else value

    po = {key(m.id): key(m.string) for m in catalogue(language) if m.id and not m.fuzzy}
    mo = {key(m.id): key(m.string) for m in catalogue(language, "mo") if m.id}
    assert mo == po, "run `make translations` to compile the catalogues"


def test_catalogues_contain_every_message_of_the_code(tmp_path):
    from babel.messages.frontend import CommandLineInterface

    root = os.path.join(os.path.dirname(__file__), "..")
    pot = tmp_path / "messages.pot"
    CommandLineInterface().run(
        [
            "pybabel",
            "-q",
            "extract",
            "-F",
            os.path.join(root, "babel.cfg"),
            "-k",
            "_l",
            "--no-location",
            "-o",
            str(pot),
            os.path.join(root, "cta_learning"),
            os.path.join(root, "templates"),
        ]
    )
    with open(pot, "rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    for language in LANGUAGES:
        missing = extracted - {m.id for m in catalogue(language) if m.id}
        assert missing == set(), (
            f"run `make translations`: {language} lacks {sorted(missing, key=str)[:5]}"
        )
