"""The public repository of published actions: a filtered list and each action's page."""

from datetime import date
from urllib.parse import urlencode

from babel.dates import format_skeleton
from flask import Blueprint, abort, current_app, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, load_only, selectinload
from wtforms import SelectField

from cta_learning import content, content_versions, i18n
from cta_learning.accounts.models import Organisation
from cta_learning.actions import labels
from cta_learning.actions.classification import TARGET_GROUPS
from cta_learning.actions.models import Action, ActionPriority, ActionStatus, ActionTranslation
from cta_learning.actions.operations import classification
from cta_learning.actions.versions import REPOSITORY
from cta_learning.caching import shared_page
from cta_learning.extensions import db
from cta_learning.forms import FilterForm as BaseFilterForm
from cta_learning.forms import choices
from cta_learning.pagination import paginate
from cta_learning.security import public_url_for
from cta_learning.templating import add_template_values

bp = Blueprint("repository", __name__, url_prefix="/actions")
# Labels and the duration for every template (the drafting and admin pages use them too).
add_template_values(bp, action_labels=labels)
bp.add_app_template_global(public_url_for, "public_url_for")  # links in e-mails

PER_PAGE = 20
FIRST_YEAR = 2019  # the Call asks for actions started from 2019 onwards


def duration(action: Action) -> str:
    """'Oct 2023 - ongoing' or 'Aug 2023 - Dec 2024' (with an en dash), in the viewer's language."""
    if action.start_on is None:
        return ""
    language = i18n.current_language()
    start = format_skeleton("yMMM", action.start_on, locale=language)
    if action.is_ongoing or action.end_on is None:
        return _("%(start)s – ongoing", start=start)  # noqa: RUF001 - an en dash
    end = format_skeleton("yMMM", action.end_on, locale=language)
    return f"{start} – {end}"  # noqa: RUF001 - an en dash


bp.add_app_template_filter(duration, "action_duration")


def priority_titles(language: str) -> dict[int, str]:
    """The priority areas' titles by id, as an action's page lists them."""
    return {p.id: p.title[language] for p in content.priorities()}


class FilterForm(BaseFilterForm):
    """The repository's filters: a GET form, so it works without JavaScript."""

    priority = SelectField(_l("Priority area"), coerce=str)
    region = SelectField(_l("Region"))
    country = SelectField(_l("Country"))
    pledge_type = SelectField(_l("Pledge type"))
    target_group = SelectField(_l("Target group"))
    year = SelectField(_l("Year started"))

    def set_choices(self, language: str) -> None:
        everything = [("", _l("All"))]
        self.priority.choices = choices(
            everything + [(str(p.id), p.title[language]) for p in content.priorities()]
        )
        self.region.choices = choices(everything + list(i18n.REGION_NAMES.items()))
        self.country.choices = choices(everything + i18n.country_choices())
        self.pledge_type.choices = choices(everything + list(labels.PLEDGE_TYPE_LABELS.items()))
        self.target_group.choices = choices(everything + list(labels.TARGET_GROUP_LABELS.items()))
        years = range(date.today().year + 1, FIRST_YEAR - 1, -1)
        self.year.choices = choices(everything + [(str(year), str(year)) for year in years])


def published_conditions(chosen: dict[str, str]) -> list:
    """SQL conditions on published actions for the chosen filters."""
    conditions = [Action.status == ActionStatus.PUBLISHED]
    if "priority" in chosen:
        conditions.append(
            Action.priority_links.any(ActionPriority.priority_id == int(chosen["priority"]))
        )
    place = [
        getattr(Organisation, name) == chosen[name]
        for name in ("region", "country")
        if name in chosen
    ]
    if place:
        conditions.append(Action.organisation_id.in_(select(Organisation.id).where(*place)))
    if "pledge_type" in chosen:
        conditions.append(Action.pledge_type == chosen["pledge_type"])
    if "target_group" in chosen and chosen["target_group"] in TARGET_GROUPS:
        conditions.append(getattr(Action, f"targets_{chosen['target_group']}").is_(True))
    if "year" in chosen:
        year = int(chosen["year"])
        conditions.append(Action.start_on.between(date(year, 1, 1), date(year, 12, 31)))
    return conditions


def with_details(query, language: str):
    """Load the organisation, priorities and the translation in `language` with the actions."""
    return query.options(
        joinedload(Action.organisation),
        selectinload(Action.priority_links),
        selectinload(Action.translations.and_(ActionTranslation.language == language)),
    )


def published_action(action_id: int, language: str) -> Action | None:
    """A published action with its details (`with_details`); None for any other."""
    return db.session.scalar(
        with_details(
            select(Action).where(Action.id == action_id, Action.status == ActionStatus.PUBLISHED),
            language,
        )
    )


FILTER_FORMS_KEPT = 512
# What the list shows: loading only these keeps long descriptions out of the page query.
LIST_COLUMNS = (
    Action.title,
    Action.organisation_id,
    Action.start_on,
    Action.end_on,
    Action.is_ongoing,
    Action.pledge_type,
    Action.language,
    Action.published_at,
)


def _filters_html(form: FilterForm, chosen: dict[str, str], language: str) -> Markup:
    """The filter form, rendered once per language and choice: its ~300 options are costly."""
    cache = current_app.extensions.setdefault("cta_repository_filters", {})
    key = (language, tuple(sorted(chosen.items())))
    if key not in cache:
        if len(cache) >= FILTER_FORMS_KEPT:
            cache.clear()
        cache[key] = Markup(render_template("actions/_filters.html", form=form, filters=chosen))  # noqa: S704 - autoescaped template
    return cache[key]


@bp.get("/")
@shared_page(REPOSITORY, arguments=(*FilterForm.argument_names(), "page"))
def index():
    language = i18n.current_language()
    form = FilterForm(formdata=request.args)
    form.set_choices(language)
    chosen = form.chosen()
    conditions = published_conditions(chosen)
    query = (
        with_details(select(Action).where(*conditions), language)
        .options(
            load_only(*LIST_COLUMNS),
            joinedload(Action.organisation).load_only(Organisation.name, Organisation.country),
        )
        .order_by(Action.published_at.desc(), Action.id.desc())
    )
    # The count (~45,000 rows unfiltered) is cached per filters until the repository changes.
    version = content_versions.current(REPOSITORY)
    count_key = f"{REPOSITORY}:{version}:{urlencode(sorted(chosen.items()))}"
    count = select(func.count()).select_from(Action).where(*conditions)
    page = paginate(query, count, PER_PAGE, cache_key=count_key)
    return render_template(
        "actions/index.html",
        page=page,
        filters=chosen,
        language=language,
        filters_html=_filters_html(form, chosen, language),
        priorities=priority_titles(language),
    )


@bp.get("/<int:action_id>")
@shared_page(REPOSITORY)
def detail(action_id: int):
    language = i18n.current_language()
    action = published_action(action_id, language)
    if action is None:
        abort(404)
    translation = action.translations[0] if action.translations else None
    return render_template(
        "actions/detail.html",
        action=action,
        translation=translation,
        language=language,
        classification=classification(action),
        priorities=priority_titles(language),
        level=1,
    )
