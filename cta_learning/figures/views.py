"""The Call in figures: the public page, its JSON and CSV, and the secretariat's export.

Who sees what is decided here only (`sees_details`): admins get the same page with the
drill-downs (countries' counts as they are, actions by priority area and region) and the
export of published actions in the annual report's shape; everyone else, the public figures.
"""

from collections.abc import Iterator
from datetime import date

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from cta_learning import i18n
from cta_learning.actions.labels import PLEDGE_TYPE_LABELS
from cta_learning.actions.repository_views import duration
from cta_learning.caching import shared_page
from cta_learning.extensions import db
from cta_learning.figures import operations, sections
from cta_learning.figures.charts import number
from cta_learning.figures.operations import FIRST_YEAR, FRESH_FOR, VERSIONS, Filters
from cta_learning.refusals import Refused, WayForward
from cta_learning.security import has_role, require_role
from cta_learning.spreadsheets import csv_response, safe_cell

bp = Blueprint("figures", __name__)
FILTER_ARGUMENTS = ("year", "region")
DETAILS_ROLE = "admin"  # who sees the drill-downs and the export
EXPORT_HEADER = (
    "organisation",
    "country",
    "leader",
    "title",
    "duration",
    "pledge_type",
    "description",
)


def sees_details() -> bool:
    """Whether the person sees the drill-downs: the secretariat (admins) only."""
    return has_role(current_user, DETAILS_ROLE)


def _filters() -> Filters:
    """The filters asked for; a bad value is refused (400) with a link to every figure."""
    try:
        return operations.parse_filters(request.args, date.today())
    except Refused as refusal:
        raise refusal.leading_to(WayForward(_("See every figure"), "figures.page")) from None


@bp.get("/figures")
@shared_page(*VERSIONS, arguments=FILTER_ARGUMENTS, fresh_for=FRESH_FOR)
def page():
    filters = _filters()
    details = sees_details()
    figures = operations.figures(filters, date.today(), details=details)
    return render_template(
        "figures/page.html",
        filters=filters,
        totals=sections.totals(figures),
        charts=sections.charts(figures, details=details),
        details=details,
        suppressed_under=operations.SUPPRESSED_UNDER,
        years=range(date.today().year, FIRST_YEAR - 1, -1),
        regions=i18n.REGION_NAMES,
        number_or_fewer=number,
    )


@bp.get("/figures.json")
def as_json():
    try:
        filters = _filters()
    except Refused as refusal:  # the same answer as the API's, for programs reading JSON
        error = {"code": refusal.code, "message": str(refusal.message)}
        return jsonify(error=error), refusal.status
    return jsonify(sections.as_json(operations.figures(filters, date.today())))


@bp.get("/figures.csv")
def as_csv():
    figures = operations.figures(_filters(), date.today())
    rows = ([safe_cell(cell) for cell in row] for row in sections.csv_rows(figures))
    return csv_response("cta-figures.csv", sections.CSV_HEADER, rows)


@bp.get("/figures/published-actions.csv")
@require_role(DETAILS_ROLE)
def published_actions():
    filters = _filters()
    # The rows are written after the request's commit, which forgets the signed-in person:
    # the language and the labels are settled now.
    i18n.current_language()
    pledge_types = {code: str(label) for code, label in PLEDGE_TYPE_LABELS.items()}
    rows = _export_rows(filters, pledge_types)
    return csv_response("cta-published-actions.csv", EXPORT_HEADER, rows, stream=True)


def _export_rows(filters: Filters, pledge_types: dict[str, str]) -> Iterator[list[str]]:
    # A generator, so that the query runs while the response streams, in batches.
    for row in db.session.execute(operations.published_actions(filters)):
        yield [
            safe_cell(cell)
            for cell in (
                row.name,
                i18n.country_name(row.country),
                row.declaration_signatory,
                row.title,
                duration(row),  # type: ignore[arg-type]  # the row has its dates
                pledge_types.get(row.pledge_type or "", ""),
                row.description,
            )
        ]
