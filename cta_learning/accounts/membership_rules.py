"""Pages of a member's organisation: the one check that the signed-in person has a membership
(of a person in charge, when asked), used by every page that acts for an organisation."""

from collections.abc import Callable
from functools import wraps

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from cta_learning.security import require_role


def require_membership(owner: bool = False) -> Callable:
    """The view needs the signed-in person's membership (of an owner, when `owner`)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        @require_role("member")
        def wrapped(*args, **kwargs):
            membership = current_user.membership
            if membership is None:
                flash(
                    _(
                        "Create your organisation's profile, or ask its person in charge "
                        "to invite you."
                    ),
                    "info",
                )
                return redirect(url_for("organisations.create"))
            if owner and not membership.is_owner:
                abort(403)
            return view(membership, *args, **kwargs)

        return wrapped

    return decorator
