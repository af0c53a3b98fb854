"""The secretariat's pages for actions: the moderation queue, decisions, translations and
correction requests."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from cta_learning import content, i18n
from cta_learning.actions import operations
from cta_learning.actions.labels import ACTION_STATUS_LABELS, CORRECTION_STATUS_LABELS
from cta_learning.actions.manage_forms import CorrectionForm, ReasonForm, TranslationForm
from cta_learning.actions.models import (
    ACTION_STATUSES,
    Action,
    ActionStatus,
    CorrectionRequest,
    CorrectionStatus,
)
from cta_learning.extensions import db
from cta_learning.forms import BaseForm
from cta_learning.pagination import count_of, paginate
from cta_learning.security import require_role

bp = Blueprint("actions_manage", __name__, url_prefix="/admin/actions")
MODERATED_STATUSES = tuple(status for status in ACTION_STATUSES if status != ActionStatus.DRAFT)
# Both kinds of status are strings: one table, looked up by the stored value.
_STATE_LABELS: dict[str, str] = dict(
    [*ACTION_STATUS_LABELS.items(), *CORRECTION_STATUS_LABELS.items()]
)


@bp.before_request
@require_role("admin")
def _admins_only():
    """Every page here is for admins."""


def _state_error(error: operations.ActionStateError) -> None:
    # The answer is a redirect, which the edge commits: discard whatever came before the "no".
    db.session.rollback()
    flash(
        _(
            "Nothing was changed: this is not possible while the action or request is "
            "“%(status)s”.",
            status=_STATE_LABELS.get(str(error), str(error)),
        ),
        "error",
    )


@bp.get("/")
def queue():
    status = request.args.get("status")
    status = status if status in ACTION_STATUSES else None
    query = (
        select(Action)
        .join(Action.organisation)
        .options(contains_eager(Action.organisation))
        .where(Action.status == status if status else Action.status.in_(MODERATED_STATUSES))
        .order_by(
            case((Action.status == ActionStatus.SUBMITTED, 0), else_=1),
            Action.submitted_at,
            Action.id,
        )
    )
    page = paginate(query, count_of(query), 50)
    corrections = db.session.scalars(
        select(CorrectionRequest)
        .where(CorrectionRequest.status == CorrectionStatus.OPEN)
        .options(joinedload(CorrectionRequest.action))
        .order_by(CorrectionRequest.id)
        .limit(50)
    ).all()
    return render_template(
        "actions_manage/queue.html",
        page=page,
        status=status,
        statuses=ACTION_STATUSES,
        corrections=corrections,
    )


def _action_or_404(action_id: int) -> Action:
    action = db.session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .options(
            joinedload(Action.organisation),
            selectinload(Action.priority_links),
            selectinload(Action.translations),
        )
    )
    if action is None:
        abort(404)
    return action


def _render_action(action: Action, status_code: int = 200, **forms):
    language = i18n.current_language()
    translation_form = forms.get("translation_form") or TranslationForm(formdata=None)
    translation_form.set_languages(action.language)
    corrections = db.session.scalars(
        select(CorrectionRequest)
        .where(CorrectionRequest.action_id == action.id)
        .order_by(CorrectionRequest.id.desc())
    ).all()
    return render_template(
        "actions_manage/action.html",
        action=action,
        corrections=corrections,
        classification=operations.classification(action),
        priorities={p.id: p.title[language] for p in content.priorities()},
        publish_form=BaseForm(formdata=None),
        return_form=forms.get("return_form") or ReasonForm(formdata=None, prefix="return"),
        reject_form=forms.get("reject_form") or ReasonForm(formdata=None, prefix="reject"),
        translation_form=translation_form,
    ), status_code


@bp.get("/<int:action_id>")
def detail(action_id: int):
    return _render_action(_action_or_404(action_id))


@bp.post("/<int:action_id>/publish")
def publish(action_id: int):
    action = _action_or_404(action_id)
    if BaseForm().validate_on_submit():
        try:
            operations.publish(action, current_user)
        except operations.ActionStateError as error:
            _state_error(error)
        else:
            flash(
                _("The action is published in the repository; its organisation is told."), "success"
            )
    return redirect(url_for("actions_manage.detail", action_id=action.id))


def _decide(action_id: int, prefix: str, decision, message: str):
    """Return or reject: a reason is required; the organisation receives it by email."""
    action = _action_or_404(action_id)
    form = ReasonForm(prefix=prefix)
    if not form.validate_on_submit():
        return _render_action(action, 400, **{f"{prefix}_form": form})
    try:
        decision(action, form.reason.data, current_user)
    except operations.ActionStateError as error:
        _state_error(error)
    else:
        flash(message, "success")
    return redirect(url_for("actions_manage.detail", action_id=action.id))


@bp.post("/<int:action_id>/return")
def return_action(action_id: int):
    return _decide(
        action_id,
        "return",
        operations.return_to_organisation,
        _("The action is returned to its organisation with your reason."),
    )


@bp.post("/<int:action_id>/reject")
def reject(action_id: int):
    return _decide(
        action_id,
        "reject",
        operations.reject,
        _("The action is rejected; what it alone had unlocked is revoked."),
    )


@bp.post("/<int:action_id>/translation")
def translate(action_id: int):
    action = _action_or_404(action_id)
    form = TranslationForm()
    form.set_languages(action.language)
    if not form.validate_on_submit():
        return _render_action(action, 400, translation_form=form)
    operations.set_translation(
        action, form.language.data, form.title.data, form.description.data, current_user
    )
    flash(_("The translation is saved."), "success")
    return redirect(url_for("actions_manage.detail", action_id=action.id))


def _correction_or_404(request_id: int) -> CorrectionRequest:
    correction = db.session.scalar(
        select(CorrectionRequest)
        .where(CorrectionRequest.id == request_id)
        .options(
            joinedload(CorrectionRequest.action).joinedload(Action.organisation),
            joinedload(CorrectionRequest.requested_by),
        )
    )
    if correction is None:
        abort(404)
    return correction


@bp.route("/corrections/<int:request_id>", methods=["GET", "POST"])
def correction(request_id: int):
    correction = _correction_or_404(request_id)
    form = CorrectionForm.for_action(correction.action, i18n.current_language())
    decline_form = ReasonForm(formdata=None, prefix="decline")
    if form.validate_on_submit():
        try:
            changes = operations.apply_correction(correction, form.fields_data(), current_user)
        except operations.ActionStateError as error:
            _state_error(error)
        else:
            flash(
                ngettext(
                    "The correction is applied (%(num)d field changed); the member is told.",
                    "The correction is applied (%(num)d fields changed); the member is told.",
                    len(changes),
                ),
                "success",
            )
        return redirect(url_for("actions_manage.correction", request_id=correction.id))
    status = 400 if form.errors else 200
    return render_template(
        "actions_manage/correction.html",
        correction=correction,
        action=correction.action,
        form=form,
        decline_form=decline_form,
    ), status


@bp.post("/corrections/<int:request_id>/decline")
def decline_correction(request_id: int):
    correction = _correction_or_404(request_id)
    form = ReasonForm(prefix="decline")
    if not form.validate_on_submit():
        return render_template(
            "actions_manage/correction.html",
            correction=correction,
            action=correction.action,
            form=CorrectionForm.for_action(correction.action, i18n.current_language()),
            decline_form=form,
        ), 400
    try:
        operations.decline_correction(correction, form.reason.data, current_user)
    except operations.ActionStateError as error:
        _state_error(error)
    else:
        flash(_("The correction request is declined; the member receives your reason."), "success")
    return redirect(url_for("actions_manage.correction", request_id=correction.id))
