"""Who may register interest in Local MGI, and which moves the pipeline allows.

Every view asks here; nothing else decides. The unlock itself is `access.may_use`.
"""

from flask_babel import gettext as _
from flask_login import AnonymousUserMixin

from cta_learning.access import may_use
from cta_learning.accounts.models import User
from cta_learning.community.mgi.models import FINAL_STEPS, STEPS, MgiRequest, MgiStep
from cta_learning.refusals import Refused

ORDER: list[str] = list(MgiStep)


def eligibility(user: User | AnonymousUserMixin) -> str:
    """'eligible', or why not: 'no_organisation', 'partner' or 'locked'."""
    organisation = user.organisation if user.is_authenticated else None
    if organisation is None:
        return "no_organisation"
    if not organisation.is_government:
        return "partner"
    if not may_use(user, "mgi_interest"):
        return "locked"
    return "eligible"


def refusal_message(reason: str) -> str:
    """The sentence shown to someone who may not register interest."""
    messages = {
        "no_organisation": _(
            "Local MGI interest is registered by an organisation. Create your government's "
            "profile, or ask its person in charge to invite you."
        ),
        "partner": _(
            "The Local MGI assessment is for local and regional governments. Partner "
            "organisations cannot register interest."
        ),
        "locked": _(
            "Local MGI interest opens once your organisation has submitted an action to the Call. "
            "Submit an action first."
        ),
    }
    return messages[reason]


def next_step(request: MgiRequest) -> str | None:
    """The step an open request usually goes to next (declining is the other way out)."""
    if request.step in FINAL_STEPS:
        return None
    return ORDER[ORDER.index(request.step) + 1]


def step_refusal(request: MgiRequest, to_step: str, note: str) -> Refused | None:
    """Why the request may not move to `to_step`, or None: the pipeline only goes forward,
    a final step is final, and declining needs a reason."""
    if to_step not in STEPS:
        return Refused(_("Choose a step from the list."), 400)
    if request.step in FINAL_STEPS:
        return Refused(
            _(
                "This request is closed (%(step)s): its step can no longer change.",
                step=STEPS[request.step],
            ),
            409,
        )
    if to_step == request.step:
        return Refused(_("The request is already at this step."), 409)
    if to_step != MgiStep.DECLINED and ORDER.index(to_step) < ORDER.index(request.step):
        return Refused(_("A request cannot move back to an earlier step."), 409)
    if to_step == MgiStep.DECLINED and not note.strip():
        return Refused(_("Give the reason for declining: the organisation receives it."), 400)
    return None
