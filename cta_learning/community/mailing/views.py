"""The mailing list for everyone: sign up (double opt-in), preferences and leaving without an
account (signed links), one's data, and the public archive of campaigns.

Every page acting on a subscription finds it through `_subscriber(token)`: a genuine preferences
token, or nothing (404); a signed-in person reaches their own through `own_subscription()`
(their account's address), never anyone else's. Unsubscribing acts only on POST (link scanners
follow GET links).
"""

import json

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import String, cast, func, select

from cta_learning.caching import shared_page
from cta_learning.community.mailing import subscriptions
from cta_learning.community.mailing.forms import ButtonForm, PreferencesForm, SubscribeForm
from cta_learning.community.mailing.models import TOPICS, Campaign, CampaignStatus, Subscriber
from cta_learning.database import utcnow
from cta_learning.extensions import csrf, db, limiter
from cta_learning.i18n import current_language, text_and_language
from cta_learning.pagination import paginate
from cta_learning.security import acting_user, require_role, signed_in
from cta_learning.templating import add_template_values

bp = Blueprint("mailing", __name__, url_prefix="/mailing")
add_template_values(bp, mailing_topics=TOPICS)
ARCHIVE_PER_PAGE = 20


def _limit():
    return limiter.limit(lambda: current_app.config["SIGNUP_RATE_LIMIT"], methods=["POST"])


def own_subscription() -> Subscriber | None:
    """The signed-in person's subscription, for their pages (the account page asks here)."""
    return subscriptions.subscription_of(acting_user()) if signed_in() else None


bp.add_app_template_global(own_subscription, "own_mailing_subscription")


@bp.route("/", methods=["GET", "POST"])
@_limit()
@shared_page()  # visitors' copy only: a signed-in person's page is always their own
def subscribe():
    form = SubscribeForm()
    if request.method == "GET":
        form.language.data = current_language()
        form.topics.data = list(TOPICS)
        if signed_in():
            form.email.data, form.name.data = current_user.email, current_user.name
    if form.validate_on_submit():
        subscriptions.request_signup(
            form.email.data, form.name.data or "", form.language.data, form.topics.data, utcnow()
        )
        # The same answer whether the address was new or known: it reveals nobody.
        return render_template("mailing/check_email.html", email=form.email.data)
    return render_template(
        "mailing/subscribe.html",
        form=form,
        subscription=own_subscription(),
        signed_in=signed_in(),
    )


@bp.get("/mine")
@require_role("member")
def mine():
    """The signed-in person's own preferences page, without an emailed link."""
    subscription = own_subscription()
    if subscription is None:
        return redirect(url_for("mailing.subscribe"))
    token = subscriptions.preferences_token(subscription)
    return redirect(url_for("mailing.preferences", token=token))


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm(token: str):
    subscriber = subscriptions.pending_for(token, utcnow())
    if subscriber is None:
        return render_template("mailing/link_invalid.html"), 404
    form = ButtonForm()
    if form.validate_on_submit():
        subscriptions.confirm(subscriber, request.remote_addr or "", utcnow())
        flash(_("Your subscription is confirmed. Welcome to the Call's mailing list."), "success")
        return redirect(
            url_for("mailing.preferences", token=subscriptions.preferences_token(subscriber))
        )
    return render_template("mailing/confirm.html", form=form, subscriber=subscriber)


def _subscriber(token: str) -> Subscriber:
    """The subscription a link names; an altered or outdated link gets a 404 that says so."""
    subscriber = subscriptions.subscriber_from_token(token)
    if subscriber is None:
        abort(Response(render_template("mailing/link_invalid.html"), 404))
    return subscriber


@bp.route("/preferences/<token>", methods=["GET", "POST"])
def preferences(token: str):
    subscriber = _subscriber(token)
    form = PreferencesForm(obj=subscriber)
    if request.method == "GET":
        form.topics.data = subscriber.topics
    if form.validate_on_submit():
        subscriptions.update_preferences(subscriber, form.topics.data, form.language.data)
        flash(_("Your preferences are saved."), "success")
        return redirect(url_for("mailing.preferences", token=token))
    return render_template(
        "mailing/preferences.html",
        form=form,
        subscriber=subscriber,
        token=token,
        button=ButtonForm(),
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs post here with no form (RFC 8058)
def unsubscribe(token: str):
    subscriber = _subscriber(token)
    if request.method == "POST":
        one_click = request.form.get("List-Unsubscribe") == "One-Click"
        subscriptions.unsubscribe(subscriber, "one-click" if one_click else "page", utcnow())
        if one_click:
            return "", 204
        return render_template("mailing/unsubscribed.html", token=token)
    return render_template("mailing/unsubscribe.html", subscriber=subscriber, token=token)


@bp.get("/preferences/<token>/data.json")
def data(token: str):
    subscriber = _subscriber(token)
    body = json.dumps(subscriptions.export_data(subscriber), ensure_ascii=False, indent=2)
    return Response(
        body,
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="mailing-subscription.json"'},
    )


@bp.route("/preferences/<token>/erase", methods=["GET", "POST"])
def erase(token: str):
    subscriber = _subscriber(token)
    form = ButtonForm()
    if form.validate_on_submit():
        subscriptions.erase(subscriber)
        return render_template("mailing/erased.html")
    return render_template("mailing/erase.html", subscriber=subscriber, token=token, form=form)


@bp.get("/archive/")
@bp.get("/archive/<topic>/")
def archive(topic: str | None = None):
    if topic is not None and topic not in TOPICS:
        abort(404)
    # Campaigns for members only stay out of the public archive.
    query = select(Campaign).where(
        Campaign.status == CampaignStatus.SENT, Campaign.audience == "subscribers"
    )
    if topic:
        query = query.where(cast(Campaign.topics, String).like(f'%"{topic}"%'))
    count = select(func.count()).select_from(query.subquery())
    page = paginate(query.order_by(Campaign.sent_at.desc()), count, ARCHIVE_PER_PAGE)
    return render_template("mailing/archive.html", page=page, topic=topic)


@bp.get("/archive/campaigns/<int:campaign_id>")
def archived(campaign_id: int):
    campaign = db.session.get(Campaign, campaign_id)
    if (
        campaign is None
        or campaign.status != CampaignStatus.SENT
        or campaign.audience != "subscribers"
    ):
        abort(404)
    body, body_language = text_and_language(campaign.bodies, current_language())
    return render_template(
        "mailing/archived.html", campaign=campaign, body=body, body_language=body_language
    )
