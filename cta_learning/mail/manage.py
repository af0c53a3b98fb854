"""The outbox for admins: every message, with its delivery status (the demo's mailbox)."""

from flask import Blueprint, abort, render_template, request
from sqlalchemy import select

from cta_learning.extensions import db
from cta_learning.mail.delivery import attachment_bytes, headers_as_sent, smtp_configured
from cta_learning.mail.models import MESSAGE_STATUSES, STATUS_LABELS, OutboxMessage
from cta_learning.pagination import count_of, paginate
from cta_learning.security import require_role

bp = Blueprint("mail_manage", __name__, url_prefix="/admin/mailbox")


@bp.get("/")
@require_role("admin")
def index():
    status = request.args.get("status")
    query = select(OutboxMessage).order_by(OutboxMessage.id.desc())
    if status in MESSAGE_STATUSES:
        query = query.where(OutboxMessage.status == status)
    page = paginate(query, count_of(query), 50)
    return render_template(
        "mail_manage/index.html",
        page=page,
        status=status if status in MESSAGE_STATUSES else None,
        statuses=MESSAGE_STATUSES,
        status_labels=STATUS_LABELS,
        smtp_configured=smtp_configured(),
    )


@bp.get("/<int:message_id>")
@require_role("admin")
def detail(message_id: int):
    message = db.get_or_404(OutboxMessage, message_id)
    try:
        headers, header_error = headers_as_sent(message), None
    except Exception as error:  # a row no message can be made of: delivery would fail it too
        headers, header_error = [], f"{type(error).__name__}: {error}"
    return render_template(
        "mail_manage/detail.html",
        message=message,
        status_labels=STATUS_LABELS,
        headers=headers,
        header_error=header_error,
    )


@bp.get("/<int:message_id>/attachments/<int:number>")
@require_role("admin")
def attachment(message_id: int, number: int):
    message = db.get_or_404(OutboxMessage, message_id)
    if not 1 <= number <= len(message.attachments or ()):
        abort(404)
    item = message.attachments[number - 1]
    binary = item.get("encoding") == "base64"
    return (
        attachment_bytes(item),
        200,
        {
            "Content-Type": item["content_type"]
            if binary
            else f"{item['content_type']}; charset=utf-8",
            "Content-Disposition": f'attachment; filename="{item["filename"]}"',
        },
    )
