"""A member's actions: draft over several steps, review, submit, ask for a correction."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from cta_learning.accounts.membership_rules import require_membership
from cta_learning.accounts.models import Membership
from cta_learning.actions import fields, operations
from cta_learning.actions.forms import (
    FIELD_LABELS,
    STEP_FORMS,
    STEP_TITLES,
    CorrectionRequestForm,
)
from cta_learning.actions.models import SUBMITTED_STATUSES, Action
from cta_learning.actions.repository_views import priority_titles
from cta_learning.extensions import db
from cta_learning.forms import BaseForm
from cta_learning.i18n import current_language

bp = Blueprint("actions", __name__, url_prefix="/my/actions")


def _own_action(membership: Membership, action_id: int) -> Action:
    """The action, if it belongs to the member's organisation; 404 for anyone else."""
    action = db.session.scalar(
        select(Action).where(Action.id == action_id).options(selectinload(Action.priority_links))
    )
    if action is None or action.organisation_id != membership.organisation_id:
        abort(404)
    return action


@bp.get("/")
@require_membership()
def index(membership: Membership):
    actions = db.session.scalars(
        select(Action)
        .where(Action.organisation_id == membership.organisation_id)
        .order_by(Action.created_at.desc())
    ).all()
    return render_template("actions/mine.html", actions=actions)


@bp.post("/new")
@require_membership()
def create(membership: Membership):
    if not BaseForm().validate_on_submit():
        abort(400)
    action = operations.start_draft(membership.organisation, current_user, current_language())
    return redirect(url_for("actions.step", action_id=action.id, step=fields.STEPS[0]))


def draft_to_resume() -> Action | None:
    """The signed-in member's organisation's draft to resume, for "Resume your draft"."""
    membership = current_user.membership if current_user.is_authenticated else None
    return operations.draft_to_resume(membership.organisation_id) if membership else None


def resume_url(action: Action) -> str:
    """Where a draft picks up: its first step with answers still needed, else the review."""
    step = operations.next_step(action)
    if step is None:
        return url_for("actions.review", action_id=action.id)
    return url_for("actions.step", action_id=action.id, step=step)


# Every page that offers to start an action offers to resume a draft first (actions/_start.html).
bp.add_app_template_global(draft_to_resume, "draft_to_resume")
bp.add_app_template_global(resume_url, "resume_url")


def _fill(form, action: Action, step: str) -> None:
    """Show what the draft already holds."""
    for name, value in fields.values(action, fields.STEP_FIELDS[step]).items():
        form[name].data = value


def _step_form(step: str):
    form = STEP_FORMS[step]()
    if step == "people":
        form.set_priority_choices(current_language())
    elif step == "resources":
        form.set_currency_choices(current_language())
    return form


@bp.route(f"/<int:action_id>/<any({', '.join(fields.STEPS)}):step>", methods=["GET", "POST"])
@require_membership()
def step(membership: Membership, action_id: int, step: str):
    action = _own_action(membership, action_id)
    if not action.is_editable:
        flash(
            _(
                "This action is submitted: it can no longer be changed. Ask the secretariat "
                "for a correction."
            ),
            "info",
        )
        return redirect(url_for("actions.review", action_id=action.id))
    form = _step_form(step)
    if request.method == "GET":
        _fill(form, action, step)
    elif form.validate_on_submit():
        operations.save_step(
            action, step, {name: form[name].data for name in fields.STEP_FIELDS[step]}, current_user
        )
        flash(_("Your draft is saved."), "success")
        return redirect(_after_save(action, step))
    return render_template(
        "actions/step.html",
        action=action,
        form=form,
        step=step,
        steps=fields.STEPS,
        step_titles=STEP_TITLES,
        missing=operations.missing(action),
        field_labels=FIELD_LABELS,
    )


def _after_save(action: Action, step: str) -> str:
    if request.form.get("then") == "leave":
        return url_for("actions.index")
    position = fields.STEPS.index(step)
    if position + 1 < len(fields.STEPS):
        return url_for("actions.step", action_id=action.id, step=fields.STEPS[position + 1])
    return url_for("actions.review", action_id=action.id)


@bp.get("/<int:action_id>")
@require_membership()
def review(membership: Membership, action_id: int):
    action = _own_action(membership, action_id)
    language = current_language()
    return render_template(
        "actions/review.html",
        action=action,
        missing=operations.missing(action),
        classification=operations.classification(action),
        steps=fields.STEPS,
        step_titles=STEP_TITLES,
        field_labels=FIELD_LABELS,
        priorities=priority_titles(language),
        level=2,
        language=language,
        translation=None,  # the member reviews the text they wrote
        form=BaseForm(),
    )


@bp.post("/<int:action_id>/submit")
@require_membership()
def submit(membership: Membership, action_id: int):
    action = _own_action(membership, action_id)
    if not BaseForm().validate_on_submit():
        abort(400)
    if operations.missing(action):
        flash(_("Some required answers are missing: complete them before submitting."), "error")
        return redirect(url_for("actions.review", action_id=action.id))
    if operations.submit(action, current_user):
        flash(
            _(
                "Thank you: your action is submitted. The secretariat will review it before it "
                "appears in the public repository."
            ),
            "success",
        )
    return redirect(url_for("dashboard.show"))


@bp.route("/<int:action_id>/correction", methods=["GET", "POST"])
@require_membership()
def correction(membership: Membership, action_id: int):
    action = _own_action(membership, action_id)
    if action.status not in SUBMITTED_STATUSES:
        abort(404)
    form = CorrectionRequestForm()
    if form.validate_on_submit():
        operations.request_correction(action, form.message.data, current_user)
        flash(_("Your request is sent to the secretariat, who will answer by email."), "success")
        return redirect(url_for("actions.review", action_id=action.id))
    return render_template("actions/correction.html", action=action, form=form)
