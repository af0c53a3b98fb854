"""What every template can use: Markdown, languages, dates, and the page chrome."""

from functools import lru_cache

import nh3
from flask import Blueprint, Flask
from flask.sansio.blueprints import BlueprintSetupState
from flask_babel import format_currency, format_date, format_datetime, format_decimal
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from cta_learning import chrome, i18n, languages
from cta_learning.security import has_role, holds_role

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": True})
# Course lessons may also hold tables.
_lesson_markdown = MarkdownIt(
    "commonmark", {"html": False, "linkify": False, "typographer": True}
).enable("table")
_ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "ul",
    "ol",
    "li",
    "blockquote",
    "code",
    "pre",
    "h2",
    "h3",
    "h4",
    "a",
    "hr",
}
_TABLE_TAGS = {"table", "thead", "tbody", "tr", "th", "td"}


def render_markdown(text: str | None, tables: bool = False) -> Markup:
    """Markdown to HTML, sanitised: no raw HTML, no scripts, only http(s) and mailto links."""
    html = (_lesson_markdown if tables else _markdown).render(text or "")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS | _TABLE_TAGS if tables else _ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow noopener",
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 above


@lru_cache(maxsize=4096)
def _cached_markdown(text: str) -> Markup:
    return render_markdown(text)


def isolate(text: object) -> Markup:
    """A user-written text (a name, an address) set in running text in its own direction."""
    return Markup("<bdi>%s</bdi>") % text


def in_language_bdi(texts: dict | None) -> Markup:
    """`in_language` for a heading or running text: a text shown in another language than the
    page's (an English lesson title on an Arabic page) is isolated and labelled with its own
    language, so that it reads in its own direction and a screen reader speaks it in its voice."""
    if not texts:
        return Markup("")
    text, shown = i18n.text_and_language(texts, i18n.current_language())
    if shown == i18n.current_language():
        return escape(text)
    return Markup('<bdi lang="%s">%s</bdi>') % (shown, text)


def lang_attributes(code: str | None) -> Markup:
    """` lang="en" dir="ltr"` for a text written in another language than the page's (the
    direction only when it differs), so that it reads in its own direction and is spoken in its
    own voice; nothing for a text in the page's language."""
    page = i18n.current_language()
    if not code or code == page:
        return Markup("")
    own = languages.direction(code)
    if own == languages.direction(page):
        return Markup(' lang="%s"') % code
    return Markup(' lang="%s" dir="%s"') % (code, own)


def _template_globals() -> dict:
    return {
        "languages": languages.own_names(),
        "current_language": i18n.current_language(),
        "current_direction": languages.direction(i18n.current_language()),
        "lang_attributes": lang_attributes,
        "forward_arrow": languages.forward_arrow,
        "back_arrow": languages.back_arrow,
        "has_role": has_role,
        "holds_role": holds_role,
    }


def add_template_values(bp: Blueprint, **values: object) -> None:
    """Give every template these values (label tables, modules) once `bp` is registered.

    `add_app_template_global` does the same, but is typed for functions only."""

    def install(state: BlueprintSetupState) -> None:
        state.app.jinja_env.globals.update(values)

    bp.record_once(install)


def init_app(app: Flask) -> None:
    # Render {% trans %} blocks trimmed, as babel.cfg extracts them.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.context_processor(_template_globals)
    app.after_request(i18n.remember_visitor_language)
    app.jinja_env.filters.update(
        markdown=_cached_markdown,
        datetime=format_datetime,
        date=format_date,
        number=format_decimal,
        currency=lambda amount, code: format_currency(amount, code or "USD"),
        country=i18n.country_name,
        region=i18n.region_name,
        language_name=i18n.language_name,
        language_label=languages.label,
        bdi=isolate,
        direction=languages.direction,
        in_language=i18n.in_language,
        list_text=i18n.list_text,
        in_language_bdi=in_language_bdi,
    )
    app.jinja_env.globals.update(
        url_with_language=chrome.url_with_language,
        language_return_path=chrome.language_return_path,
        site_header=chrome.site_header,
        site_footer=chrome.site_footer,
    )
