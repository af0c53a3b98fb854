"""Local MGI interest for members: the form, the organisation's request and its history.

Who may register interest is decided in `rules.py`; a member reaches only their own
organisation's requests, through `own_request()`.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cta_learning.community.mgi import operations
from cta_learning.community.mgi.forms import InterestForm
from cta_learning.community.mgi.models import LANGUAGES, STEPS, MgiRequest
from cta_learning.community.mgi.rules import eligibility, refusal_message
from cta_learning.database import utcnow
from cta_learning.extensions import db
from cta_learning.refusals import Refused
from cta_learning.security import acting_user, require_role
from cta_learning.templating import add_template_values

bp = Blueprint("mgi", __name__, url_prefix="/mgi")
add_template_values(bp, mgi_labels={"steps": STEPS, "languages": LANGUAGES})


def own_request(request_id: int) -> MgiRequest:
    """A request of the person's own organisation; 404 for any other."""
    found = db.session.get(MgiRequest, request_id)
    organisation = current_user.organisation
    if found is None or organisation is None or found.organisation_id != organisation.id:
        abort(404)
    return found


def _interest_form() -> InterestForm:
    form = InterestForm()
    if request.method == "GET":
        form.focal_name.data = current_user.name
        form.focal_email.data = current_user.email
        form.language.data = current_user.locale if current_user.locale in LANGUAGES else "en"
    return form


@bp.route("/", methods=["GET", "POST"])
@require_role("member")
def index():
    reason = eligibility(current_user)
    if reason != "eligible":
        if request.method == "POST":
            raise Refused(refusal_message(reason))
        return render_template("mgi/index.html", reason=reason, message=refusal_message(reason))
    organisation = current_user.organisation
    current = operations.open_request_of(organisation)
    form = _interest_form()
    if current is None and form.validate_on_submit():
        values = {name: getattr(form, name).data for name in operations.INTEREST_FIELDS}
        try:
            operations.register_interest(organisation, values, acting_user(), utcnow())
        except operations.AlreadyOpen:  # nothing was recorded: show the open one
            flash(_("Your organisation already has an open request: here it is."), "info")
            return redirect(url_for("mgi.index"))
        flash(_("Your interest is registered. The secretariat will be in touch."), "success")
        return redirect(url_for("mgi.index"))
    if current is not None and request.method == "POST":
        flash(_("Your organisation already has an open request: here it is."), "info")
        return redirect(url_for("mgi.index"))
    history = [item for item in operations.requests_of(organisation) if item is not current]
    return render_template(
        "mgi/index.html", reason=reason, current=current, history=history, form=form
    )


@bp.get("/<int:request_id>")
@require_role("member")
def detail(request_id: int):
    return render_template("mgi/detail.html", mgi_request=own_request(request_id))
