"""The secretariat's Local MGI pipeline: the requests with filters and counts, each request
with its history, moving a request along, and the CSV export for IOM. Admins only."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from cta_learning.community.mgi import operations
from cta_learning.community.mgi.forms import FilterForm, StepForm
from cta_learning.community.mgi.models import STEPS, MgiRequest, MgiStepChange
from cta_learning.community.mgi.rules import next_step
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.i18n import REGION_NAMES
from cta_learning.pagination import paginate
from cta_learning.security import acting_user, require_role
from cta_learning.spreadsheets import csv_response, safe_cell

bp = Blueprint("mgi_manage", __name__, url_prefix="/admin/mgi")
PER_PAGE = 30
EXPORT_COLUMNS = (
    "id",
    "organisation",
    "country",
    "region",
    "step",
    "focal_name",
    "focal_position",
    "focal_email",
    "focal_phone",
    "language",
    "motivation",
    "population_context",
    "previous_assessments",
    "departments",
    "decline_reason",
    "consented_at",
    "created_at",
    "step_changed_at",
)


@bp.before_request
@require_role("admin")
def _admins_only():
    """Every page here is for the secretariat."""


def managed_request(request_id: int, lock: bool = False) -> MgiRequest:
    """The request, or 404; locked for the rest of the transaction when it is about to change."""
    found = db.session.get(MgiRequest, request_id, with_for_update=lock or None)
    if found is None:
        abort(404)
    return found


def _filters() -> tuple[FilterForm, dict[str, str]]:
    form = FilterForm(request.args)
    form.set_choices(STEPS, REGION_NAMES)
    return form, form.chosen()


@bp.get("/")
def index():
    form, filters = _filters()
    query, count = operations.listing(**filters)
    page = paginate(query, count, PER_PAGE)
    by_step, by_region = operations.counts()
    return render_template(
        "mgi_manage/index.html",
        form=form,
        filters=filters,
        page=page,
        by_step=by_step,
        by_region=by_region,
        regions=REGION_NAMES,
    )


@bp.get("/requests.csv")
def export():
    _form, filters = _filters()
    query, _count = operations.listing(**filters)
    rows = (_export_row(item) for item in db.session.scalars(query))
    return csv_response("local-mgi-requests.csv", EXPORT_COLUMNS, rows)


def _export_row(item: MgiRequest) -> list:
    organisation = item.organisation
    return [
        item.id,
        safe_cell(organisation.name),
        organisation.country,
        organisation.region,
        item.step,
        *(safe_cell(getattr(item, name)) for name in EXPORT_COLUMNS[5:15]),
        isoformat_utc(item.consented_at),
        isoformat_utc(item.created_at),
        isoformat_utc(item.step_changed_at),
    ]


def _render_detail(item: MgiRequest, form: StepForm, status: int = 200):
    changes = db.session.scalars(
        select(MgiStepChange)
        .where(MgiStepChange.request_id == item.id)
        .options(joinedload(MgiStepChange.changed_by))
        .order_by(MgiStepChange.changed_at, MgiStepChange.id)
    ).all()
    page = render_template("mgi_manage/detail.html", mgi_request=item, changes=changes, form=form)
    return page, status


@bp.get("/<int:request_id>")
def detail(request_id: int):
    item = db.session.scalar(
        select(MgiRequest)
        .where(MgiRequest.id == request_id)
        .options(joinedload(MgiRequest.organisation), selectinload(MgiRequest.submitted_by))
    )
    if item is None:
        abort(404)
    form = StepForm()
    form.step.data = next_step(item)
    return _render_detail(item, form)


@bp.post("/<int:request_id>/step")
def change_step(request_id: int):
    item = managed_request(request_id, lock=True)
    form = StepForm()
    if not form.validate():  # nothing was changed; the edge's rollback releases the row lock
        return _render_detail(item, form, 400)
    told = operations.change_step(
        item, form.step.data, form.note.data or "", acting_user(), utcnow()
    )
    flash(
        _(
            "The request is now at the step “%(step)s”. %(count)s members were told.",
            step=STEPS[item.step],
            count=told,
        ),
        "success",
    )
    return redirect(url_for("mgi_manage.detail", request_id=item.id))
