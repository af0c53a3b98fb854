"""Campaigns and subscribers, for admins: write per language, preview, test, schedule or send,
follow delivery per recipient, pause and resume; export subscribers with their consent."""

from collections.abc import Iterator
from datetime import datetime

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from cta_learning import i18n
from cta_learning.community.events.times import NonexistentTime, to_utc
from cta_learning.community.mailing import campaigns
from cta_learning.community.mailing.forms import LANGUAGES, ButtonForm, CampaignForm, ScheduleForm
from cta_learning.community.mailing.models import (
    AUDIENCES,
    CAMPAIGN_STATUSES,
    Campaign,
    CampaignStatus,
    Subscriber,
    SubscriberStatus,
    SubscriberTopic,
)
from cta_learning.database import isoformat_utc, utcnow
from cta_learning.extensions import db
from cta_learning.mail.models import STATUS_LABELS
from cta_learning.pagination import paginate
from cta_learning.security import acting_user, require_role
from cta_learning.spreadsheets import csv_response, safe_cell

bp = Blueprint("mailing_manage", __name__, url_prefix="/admin/mailing")
IMMEDIATE_LIMIT = 1_000  # recipients queued during the request; beyond, the worker does it


@bp.before_request
@require_role("admin")
def _admins_only():
    """Every page here is for admins."""


def _campaign(campaign_id: int) -> Campaign:
    campaign = db.session.get(Campaign, campaign_id)
    if campaign is None:
        abort(404)
    return campaign


@bp.get("/")
def index():
    query = select(Campaign)
    count = select(func.count(Campaign.id))
    page = paginate(query.order_by(Campaign.id.desc()), count, 30)
    per_topic = dict(
        db.session.execute(
            select(SubscriberTopic.topic, func.count())
            .join(Subscriber, Subscriber.id == SubscriberTopic.subscriber_id)
            .where(
                Subscriber.status == SubscriberStatus.SUBSCRIBED, Subscriber.suppressed_at.is_(None)
            )
            .group_by(SubscriberTopic.topic)
        ).all()
    )
    per_status = dict(
        db.session.execute(
            select(Subscriber.status, func.count()).group_by(Subscriber.status)
        ).all()
    )
    return render_template(
        "mailing_manage/index.html",
        page=page,
        per_topic=per_topic,
        per_status=per_status,
        statuses=CAMPAIGN_STATUSES,
        shown=campaigns.shown_statuses(page.items),
    )


def _form(campaign: Campaign | None = None) -> CampaignForm:
    form = CampaignForm()
    form.set_choices(i18n.current_language())
    if request.method == "GET" and campaign is not None:
        form.fill(campaign)
    return form


@bp.route("/campaigns/new", methods=["GET", "POST"])
def new():
    form = _form()
    if form.validate_on_submit():
        campaign = campaigns.save_campaign(None, form.values(), acting_user())
        flash(_("The campaign is saved as a draft. Check the preview, then send it."), "success")
        return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))
    return render_template("mailing_manage/form.html", form=form, campaign=None)


@bp.route("/campaigns/<int:campaign_id>/edit", methods=["GET", "POST"])
def edit(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = _form(campaign)
    if form.validate_on_submit():
        campaigns.save_campaign(campaign, form.values(), acting_user())
        flash(_("The campaign is saved."), "success")
        return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))
    return render_template("mailing_manage/form.html", form=form, campaign=campaign)


@bp.get("/campaigns/<int:campaign_id>")
def campaign(campaign_id: int):
    campaign = _campaign(campaign_id)
    language = request.args.get("preview", "en")
    if language not in LANGUAGES:
        abort(404)
    subject, _text, html = campaigns.render(campaign, language)
    return render_template(
        "mailing_manage/campaign.html",
        campaign=campaign,
        language=language,
        preview_languages=LANGUAGES,
        preview_subject=subject,
        preview_html=html.replace(campaigns.PREFERENCES, "#").replace(campaigns.UNSUBSCRIBE, "#"),
        audience_size=campaigns.audience_size(campaign)
        if campaign.status != CampaignStatus.SENT
        else 0,
        counts=campaigns.delivery_counts(campaign),
        failures=campaigns.failures(campaign),
        schedule_form=ScheduleForm(),
        button=ButtonForm(),
        statuses=CAMPAIGN_STATUSES,
        shown=campaigns.shown_statuses([campaign]),
        audiences=AUDIENCES,
        delivery_labels=STATUS_LABELS,
    )


@bp.post("/campaigns/<int:campaign_id>/test")
def test(campaign_id: int):
    campaign = _campaign(campaign_id)
    if not ButtonForm().validate():
        abort(400)
    campaigns.send_test(campaign, acting_user())
    flash(_("A test is on its way to %(email)s.", email=current_user.email), "success")
    return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))


def _moment(form: ScheduleForm) -> datetime | None:
    if form.when.data == "now":
        return utcnow()
    try:
        return to_utc(form.date.data, form.time.data, current_user.timezone)
    except NonexistentTime:
        form.time.errors.append(
            _("This time does not exist in your time zone: the clocks change then.")
        )
        return None


@bp.post("/campaigns/<int:campaign_id>/schedule")
def schedule(campaign_id: int):
    campaign = _campaign(campaign_id)
    form = ScheduleForm()
    if not form.validate() or (at := _moment(form)) is None:
        flash(" ".join(str(e) for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))
    campaigns.schedule(campaign, at, acting_user())
    if at <= utcnow() and campaigns.audience_size(campaign) <= IMMEDIATE_LIMIT:
        while campaigns.queue_batch(campaign, utcnow()):
            pass
    if campaign.status == CampaignStatus.SENT:
        flash(
            _("The campaign is queued for %(count)s people.", count=campaign.queued_count),
            "success",
        )
    else:
        flash(_("The campaign is scheduled; the mailing worker queues it from then on."), "success")
    return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))


@bp.post("/campaigns/<int:campaign_id>/<any(pause, resume):change>")
def pause_or_resume(campaign_id: int, change: str):
    campaign = _campaign(campaign_id)
    if not ButtonForm().validate():
        abort(400)
    if change == "pause":
        campaigns.pause(campaign, acting_user())
    else:
        campaigns.resume(campaign, acting_user())
    flash(
        _("The campaign is paused.") if change == "pause" else _("The campaign is sending again."),
        "success",
    )
    return redirect(url_for("mailing_manage.campaign", campaign_id=campaign.id))


@bp.get("/subscribers.csv")
def subscribers():
    return csv_response(
        "mailing-subscribers.csv", SUBSCRIBER_COLUMNS, _subscriber_rows(), stream=True
    )


SUBSCRIBER_COLUMNS = (
    "email",
    "name",
    "language",
    "status",
    "topics",
    "consent_source",
    "consent_organisation_id",
    "consent_action_id",
    "consented_at",
    "opt_in_ip",
    "opt_in_at",
    "unsubscribed_at",
    "unsubscribe_source",
    "hard_bounces",
    "suppressed_at",
)


def _subscriber_rows() -> Iterator[list]:
    # A generator, so that the query runs while the response streams, in batches.
    query = (
        select(Subscriber)
        .options(selectinload(Subscriber.topic_links))
        .order_by(Subscriber.id)
        .execution_options(yield_per=1000)
    )
    for subscriber in db.session.scalars(query):
        yield [
            safe_cell(subscriber.email),
            safe_cell(subscriber.name),
            subscriber.language,
            subscriber.status,
            " ".join(subscriber.topics),
            subscriber.consent_source or "",
            subscriber.consent_organisation_id or "",
            subscriber.consent_action_id or "",
            isoformat_utc(subscriber.consented_at) or "",
            subscriber.opt_in_ip or "",
            isoformat_utc(subscriber.opt_in_at) or "",
            isoformat_utc(subscriber.unsubscribed_at) or "",
            subscriber.unsubscribe_source or "",
            subscriber.hard_bounces,
            isoformat_utc(subscriber.suppressed_at) or "",
        ]
