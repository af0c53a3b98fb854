"""Public pages, shared by every visitor: light, rendered once per language, no database query."""

from flask import Blueprint, jsonify, render_template

from cta_learning import content
from cta_learning.caching import shared_page
from cta_learning.database import database_status
from cta_learning.i18n import current_language

bp = Blueprint("pages", __name__)


@bp.get("/")
@shared_page()
def home():
    return render_template("pages/home.html")


@bp.get("/priorities")
@shared_page()
def priorities():
    return render_template(
        "pages/priorities.html", priorities=content.priorities(), language=current_language()
    )


@bp.get("/faq")
@shared_page()
def faq():
    return render_template("pages/faq.html", sections=content.faq(), language=current_language())


@bp.get("/healthz")
def healthz():
    status = database_status()
    response = jsonify(status="ok" if status == "ok" else "degraded", database=status)
    response.status_code = 200 if status == "ok" else 503
    response.headers["Cache-Control"] = "no-store"
    return response
