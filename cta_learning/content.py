"""Editable content files in content/: the priority areas and the FAQ, validated on load."""

import os
from dataclasses import dataclass
from functools import lru_cache

import yaml
from flask import current_app
from marshmallow import Schema, ValidationError, fields, validate

from cta_learning.languages import PLATFORM

LANGUAGES = PLATFORM  # every content text is given in each of them, and in no other


class ContentError(ValueError):
    """A content file is missing or does not match its schema."""


class TranslatedText(fields.Dict):
    """A text in each of the platform's languages ({en: ..., fr: ..., es: ..., ar: ...})."""

    def __init__(self, **kwargs):
        super().__init__(
            keys=fields.String(validate=validate.OneOf(LANGUAGES)),
            values=fields.String(validate=validate.Length(min=1)),
            **kwargs,
        )

    def _deserialize(self, value, attr, data, **kwargs):
        result = super()._deserialize(value, attr, data, **kwargs)
        missing = [language for language in LANGUAGES if not result.get(language)]
        if missing:
            raise ValidationError(f"missing languages: {', '.join(missing)}")
        return result


class PrioritySchema(Schema):
    id = fields.Integer(required=True, validate=validate.Range(min=1))
    slug = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]+$"))
    gcm_objectives = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=23)), required=True
    )
    title = TranslatedText(required=True)
    gcr_area = TranslatedText(required=True)
    description = TranslatedText(required=True)
    example = TranslatedText(required=True)


class QuestionSchema(Schema):
    id = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9-]+$"))
    question = TranslatedText(required=True)
    answer = TranslatedText(required=True)


class FaqSectionSchema(Schema):
    section = TranslatedText(required=True)
    questions = fields.List(
        fields.Nested(QuestionSchema), required=True, validate=validate.Length(min=1)
    )


@dataclass(frozen=True)
class Priority:
    id: int
    slug: str
    gcm_objectives: tuple[int, ...]
    title: dict
    gcr_area: dict
    description: dict
    example: dict


def _load(name: str, schema: Schema) -> list[dict]:
    path = os.path.join(current_app.config["CONTENT_PATH"], name)
    try:
        with open(path, encoding="utf-8") as handle:
            raw = yaml.safe_load(handle)
        return schema.load(raw, many=True)
    except (OSError, yaml.YAMLError) as error:
        raise ContentError(f"{name}: {error}") from error
    except ValidationError as error:
        raise ContentError(f"{name}: {error.messages}") from error


@lru_cache(maxsize=4)
def _priorities(content_path: str) -> tuple[Priority, ...]:
    items = _load("priorities.yaml", PrioritySchema())
    ids = [item["id"] for item in items]
    if len(set(ids)) != len(ids):
        raise ContentError("priorities.yaml: priority ids must be unique")
    return tuple(
        Priority(**{**item, "gcm_objectives": tuple(item["gcm_objectives"])})
        for item in sorted(items, key=lambda item: item["id"])
    )


def priorities() -> tuple[Priority, ...]:
    """The priority areas of the Call, in order."""
    return _priorities(current_app.config["CONTENT_PATH"])


def priority_ids() -> frozenset[int]:
    return frozenset(priority.id for priority in priorities())


@lru_cache(maxsize=4)
def _faq(content_path: str) -> tuple[dict, ...]:
    sections = _load("faq.yaml", FaqSectionSchema())
    ids = [question["id"] for section in sections for question in section["questions"]]
    if len(set(ids)) != len(ids):
        raise ContentError("faq.yaml: question ids must be unique")
    return tuple(sections)


def faq() -> tuple[dict, ...]:
    """The FAQ, as sections of questions."""
    return _faq(current_app.config["CONTENT_PATH"])
