"""Reading and validating a course folder (content/courses/<id>/): every problem with its file."""

import os
import re
from dataclasses import dataclass, field

import yaml
from marshmallow import RAISE, Schema, ValidationError, fields, validate, validates_schema

from cta_learning.content import LANGUAGES, TranslatedText

LESSON_KINDS = ("reading", "video", "podcast", "quiz", "game")
IDENTIFIER = validate.Regexp(
    r"^[a-z0-9][a-z0-9-]*$", error="use lower-case letters, digits, dashes"
)
_FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n?(.*)\Z", re.DOTALL)
# A file of content/media/ (a plain name: no folder, so nothing outside it) or a web address.
MEDIA_REFERENCE = [
    validate.Length(min=1, max=500),
    validate.Regexp(
        r"^(https://\S+|[A-Za-z0-9][A-Za-z0-9._-]*)$",
        error="a file name under content/media/ or an https URL",
    ),
]


class LessonRefSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    kind = fields.String(required=True, validate=validate.OneOf(LESSON_KINDS))
    preview = fields.Boolean(load_default=False)
    pass_mark = fields.Integer(validate=validate.Range(min=1, max=100))


class ChapterSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    minutes = fields.Integer(required=True, validate=validate.Range(min=1, max=600))
    priorities = fields.List(fields.Integer(validate=validate.Range(min=1)), load_default=list)
    title = TranslatedText(required=True)
    summary = TranslatedText(required=True)
    lessons = fields.List(
        fields.Nested(LessonRefSchema), required=True, validate=validate.Length(min=1)
    )


class CourseSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    # Every lesson is written in each of `languages`, and in some of `partial_languages` only:
    # a lesson missing in one of those is shown in English, with a notice.
    languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)),
        required=True,
        validate=validate.Length(min=1),
    )
    partial_languages = fields.List(
        fields.String(validate=validate.OneOf(LANGUAGES)), load_default=list
    )
    sequential = fields.Boolean(load_default=True)
    pass_mark = fields.Integer(load_default=70, validate=validate.Range(min=1, max=100))
    title = TranslatedText(required=True)
    summary = TranslatedText(required=True)
    chapters = fields.List(
        fields.Nested(ChapterSchema), required=True, validate=validate.Length(min=1)
    )

    @validates_schema
    def check_partial_languages(self, data, **kwargs) -> None:
        if not data.get("partial_languages"):
            return
        if set(data["partial_languages"]) & set(data["languages"]):
            raise ValidationError("a language is either complete or partial", "partial_languages")
        if "en" not in data["languages"]:  # a lesson missing in a partial language is shown in it
            raise ValidationError("partial languages need every lesson in en", "partial_languages")


class ChoiceSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    text = fields.String(required=True, validate=validate.Length(min=1))
    correct = fields.Boolean(required=True)
    feedback = fields.String(required=True, validate=validate.Length(min=1))


class QuestionSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    kind = fields.String(
        required=True, validate=validate.OneOf(("single", "multiple", "true_false"))
    )
    prompt = fields.String(required=True, validate=validate.Length(min=1))
    choices = fields.List(
        fields.Nested(ChoiceSchema), required=True, validate=validate.Length(min=2)
    )

    @validates_schema
    def check_answers(self, data, **kwargs) -> None:
        correct = [choice for choice in data["choices"] if choice["correct"]]
        if not correct:
            raise ValidationError("no choice is correct", "choices")
        if data["kind"] in ("single", "true_false") and len(correct) != 1:
            raise ValidationError("exactly one choice must be correct", "choices")
        if data["kind"] == "true_false" and sorted(c["id"] for c in data["choices"]) != [
            "false",
            "true",
        ]:
            raise ValidationError("true/false questions have the choices true and false", "choices")


class SortItemSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    text = fields.String(required=True, validate=validate.Length(min=1))
    category = fields.String(required=True)
    feedback = fields.String(required=True, validate=validate.Length(min=1))


class CategorySchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    label = fields.String(required=True, validate=validate.Length(min=1))


class PairSchema(Schema):
    class Meta:
        unknown = RAISE

    id = fields.String(required=True, validate=IDENTIFIER)
    left = fields.String(required=True, validate=validate.Length(min=1))
    right = fields.String(required=True, validate=validate.Length(min=1))
    feedback = fields.String(required=True, validate=validate.Length(min=1))


class GameSchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf(("sort", "match")))
    categories = fields.List(fields.Nested(CategorySchema))
    items = fields.List(fields.Nested(SortItemSchema))
    pairs = fields.List(fields.Nested(PairSchema))

    @validates_schema
    def check_game(self, data, **kwargs) -> None:
        if data["kind"] == "sort":
            if not data.get("categories") or not data.get("items"):
                raise ValidationError("a sort game needs categories and items")
            known = {category["id"] for category in data["categories"]}
            for item in data["items"]:
                if item["category"] not in known:
                    raise ValidationError(f"item {item['id']}: unknown category", "items")
        elif len(data.get("pairs") or []) < 2:
            raise ValidationError("a match game needs at least two pairs", "pairs")


class LessonHeaderSchema(Schema):
    class Meta:
        unknown = RAISE

    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    minutes = fields.Integer(load_default=5, validate=validate.Range(min=1, max=180))
    media = fields.String(validate=MEDIA_REFERENCE)
    duration = fields.String(validate=validate.Regexp(r"^\d{1,3}:[0-5]\d$"))
    captions = fields.Dict(  # WebVTT captions of the recording, by the language they are in
        keys=fields.String(validate=validate.OneOf(LANGUAGES)),
        values=fields.String(validate=MEDIA_REFERENCE),
    )
    poster = fields.String(validate=MEDIA_REFERENCE)  # a video's still image before it plays
    questions = fields.List(fields.Nested(QuestionSchema), validate=validate.Length(min=1))
    game = fields.Nested(GameSchema)


REQUIRED_BY_KIND = {
    "video": ("media", "duration"),
    "podcast": ("media", "duration"),
    "quiz": ("questions",),
    "game": ("game",),
    "reading": (),
}


@dataclass
class CourseFiles:
    """A course read from its folder: the course, its lessons per language, and the problems."""

    path: str
    course: dict | None = None
    lessons: dict[tuple[str, str], dict] = field(default_factory=dict)  # (lesson, language)
    problems: list[str] = field(default_factory=list)

    @property
    def languages(self) -> list[str]:
        """The course's languages; none while its course file is unread or unreadable."""
        return self.course["languages"] if self.course else []

    @property
    def partial_languages(self) -> list[str]:
        """The languages only some lessons are written in."""
        return self.course["partial_languages"] if self.course else []


def _messages(error: ValidationError) -> str:
    return yaml.safe_dump(error.messages, default_flow_style=True, width=10_000).strip()


def _read_lesson(path: str, kind: str) -> tuple[dict | None, str | None]:
    """(header and body, None) or (None, the problem)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError:
        return None, "missing file"
    match = _FRONT_MATTER.match(text.replace("\r\n", "\n"))
    if not match:
        return None, "no YAML header between --- lines"
    try:
        header = LessonHeaderSchema().load(yaml.safe_load(match.group(1)) or {})
    except yaml.YAMLError as error:
        return None, f"YAML: {error}"
    except ValidationError as error:
        return None, _messages(error)
    missing = [name for name in REQUIRED_BY_KIND[kind] if name not in header]
    if missing:
        return None, f"a {kind} lesson needs: {', '.join(missing)}"
    return {**header, "body": match.group(2).strip()}, None


def _shape(lesson: dict) -> object:
    """What must be the same in every language: ids, answers and categories, not texts."""
    questions = [
        (q["id"], q["kind"], [(c["id"], c["correct"]) for c in q["choices"]])
        for q in lesson.get("questions", [])
    ]
    game = lesson.get("game") or {}
    return (
        questions,
        game.get("kind"),
        [c["id"] for c in game.get("categories") or []],
        [(i["id"], i["category"]) for i in game.get("items") or []],
        [p["id"] for p in game.get("pairs") or []],
    )


def read_course(path: str, priority_ids: frozenset[int]) -> CourseFiles:
    """Read and validate a course folder; `problems` is empty when everything is right."""
    result = CourseFiles(path=path)
    course_file = os.path.join(path, "course.yaml")
    try:
        with open(course_file, encoding="utf-8") as handle:
            result.course = CourseSchema().load(yaml.safe_load(handle))
    except OSError:
        result.problems.append(f"{course_file}: missing file")
        return result
    except yaml.YAMLError as error:
        result.problems.append(f"{course_file}: YAML: {error}")
        return result
    except ValidationError as error:
        result.problems.append(f"{course_file}: {_messages(error)}")
        return result
    seen: set[str] = set()
    for chapter in result.course["chapters"]:
        unknown = sorted(set(chapter["priorities"]) - priority_ids)
        if unknown:
            result.problems.append(
                f"{course_file}: chapter {chapter['id']}: unknown priorities {unknown}"
            )
        for ref in chapter["lessons"]:
            if ref["id"] in seen:
                result.problems.append(f"{course_file}: lesson id {ref['id']} is used twice")
            seen.add(ref["id"])
            _read_lesson_languages(result, ref)
    for language in result.partial_languages:
        if not any(written == language for _, written in result.lessons):
            result.problems.append(f"{course_file}: no lesson is in {language}")
    return result


def _read_lesson_languages(result: CourseFiles, ref: dict) -> None:
    shapes = {}
    for language in result.languages + result.partial_languages:
        lesson_file = os.path.join(result.path, "lessons", f"{ref['id']}.{language}.md")
        if language in result.partial_languages and not os.path.exists(lesson_file):
            continue  # shown in English
        lesson, problem = _read_lesson(lesson_file, ref["kind"])
        if problem or lesson is None:  # a lesson comes without a problem, and only then
            result.problems.append(f"{lesson_file}: {problem}")
            continue
        result.lessons[(ref["id"], language)] = lesson
        shapes[language] = _shape(lesson)
    if len(set(map(repr, shapes.values()))) > 1:
        result.problems.append(
            f"{os.path.join(result.path, 'lessons', ref['id'])}.*.md: ids or answers differ "
            f"between languages ({', '.join(sorted(shapes))})"
        )
