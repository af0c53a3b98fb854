"""The public repository of published actions: a filtered list and each action's page."""

from datetime import date

from babel.dates import format_skeleton
from flask import Blueprint, abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.orm import contains_eager, selectinload
from wtforms import SelectField

from cta_learning import content, i18n
from cta_learning.accounts.models import Organisation
from cta_learning.actions import labels
from cta_learning.actions.classification import PLEDGE_TYPES, TARGET_GROUPS
from cta_learning.actions.models import Action, ActionPriority, ActionTranslation
from cta_learning.actions.operations import classification
from cta_learning.extensions import db
from cta_learning.forms import choices

bp = Blueprint("repository", __name__, url_prefix="/actions")
# Labels and the duration for every template (the drafting and admin pages use them too).
bp.add_app_template_global(labels, "action_labels")

PER_PAGE = 20
FIRST_YEAR = 2019  # the Call asks for actions started from 2019 onwards


def duration(action: Action) -> str:
    """'Oct 2023 – ongoing' or 'Aug 2023 – Dec 2024', in the viewer's language."""
    if action.start_on is None:
        return ""
    language = i18n.current_language()
    start = format_skeleton("yMMM", action.start_on, locale=language)
    if action.is_ongoing or action.end_on is None:
        return _("%(start)s – ongoing", start=start)
    return f"{start} – {format_skeleton('yMMM', action.end_on, locale=language)}"


bp.add_app_template_filter(duration, "action_duration")


class FilterForm(FlaskForm):
    """The repository's filters: a GET form, so it works without JavaScript."""

    class Meta:
        csrf = False

    priority = SelectField(_l("Priority area"), coerce=str)
    region = SelectField(_l("Region"))
    country = SelectField(_l("Country"))
    pledge_type = SelectField(_l("Pledge type"))
    target_group = SelectField(_l("Target group"))
    year = SelectField(_l("Year started"))

    def set_choices(self, language: str) -> None:
        everything = [("", _l("All"))]
        self.priority.choices = choices(everything + [
            (str(p.id), p.title[language]) for p in content.priorities()])
        self.region.choices = choices(everything + list(i18n.REGION_NAMES.items()))
        self.country.choices = choices(everything + i18n.country_choices())
        self.pledge_type.choices = choices(everything + list(labels.PLEDGE_TYPE_LABELS.items()))
        self.target_group.choices = choices(everything + list(labels.TARGET_GROUP_LABELS.items()))
        years = range(date.today().year + 1, FIRST_YEAR - 1, -1)
        self.year.choices = choices(everything + [(str(year), str(year)) for year in years])

    def chosen(self) -> dict[str, str]:
        """The valid, non-empty filters; an unknown value is ignored rather than refused."""
        self.validate()
        return {name: field.data for name, field in self._fields.items()
                if field.data and not field.errors}


def _filtered(query, chosen: dict[str, str]):
    if "priority" in chosen:
        query = query.where(Action.priority_links.any(
            ActionPriority.priority_id == int(chosen["priority"])))
    if "region" in chosen:
        query = query.where(Organisation.region == chosen["region"])
    if "country" in chosen:
        query = query.where(Organisation.country == chosen["country"])
    if "pledge_type" in chosen:
        query = query.where(Action.pledge_type == chosen["pledge_type"])
    if "target_group" in chosen and chosen["target_group"] in TARGET_GROUPS:
        query = query.where(getattr(Action, f"targets_{chosen['target_group']}").is_(True))
    if "year" in chosen:
        year = int(chosen["year"])
        query = query.where(Action.start_on.between(date(year, 1, 1), date(year, 12, 31)))
    return query


def _published(language: str):
    """Published actions with their organisation, priorities and translation in `language`."""
    return (
        select(Action)
        .join(Action.organisation)
        .where(Action.status == "published")
        .options(
            contains_eager(Action.organisation),
            selectinload(Action.priority_links),
            selectinload(Action.translations.and_(ActionTranslation.language == language)),
        )
    )


@bp.get("/")
def index():
    language = i18n.current_language()
    form = FilterForm(formdata=request.args)
    form.set_choices(language)
    chosen = form.chosen()
    query = _filtered(_published(language), chosen).order_by(
        Action.published_at.desc(), Action.id.desc())
    page = db.paginate(query, per_page=PER_PAGE, max_per_page=PER_PAGE)
    return render_template(
        "actions/index.html", page=page, form=form, filters=chosen, language=language,
        priorities={p.id: p.title[language] for p in content.priorities()},
        pledge_types=PLEDGE_TYPES,
    )


@bp.get("/<int:action_id>")
def detail(action_id: int):
    language = i18n.current_language()
    action = db.session.scalar(_published(language).where(Action.id == action_id))
    if action is None:
        abort(404)
    translation = action.translations[0] if action.translations else None
    return render_template(
        "actions/detail.html", action=action, translation=translation, language=language,
        classification=classification(action),
        priorities={p.id: p.title[language] for p in content.priorities()},
    )
