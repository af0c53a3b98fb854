"""WSGI entry point of the benchmark: the real application plus one bare route.

Gunicorn serves `bench.hello:app`. The extra route `/bench/hello` is the floor every page
is compared with: it runs the same request hooks as the pages but renders no template
and touches no database. It exists only here, never in the product.
"""

from flask import Response, render_template
from flask_login import login_required

from cta_learning.wsgi import app

# A page with nothing of its own: the site's layout, for the signed-in learner.
EMPTY_PAGE = app.jinja_env.from_string(
    "{% extends 'base.html' %}{% block title %}Floor{% endblock %}{% block content %}{% endblock %}"
)


@app.get("/bench/hello")
def bench_hello() -> Response:
    """Answer a short plain string: the cheapest response the application can give."""
    return Response("hello\n", mimetype="text/plain")


@app.get("/bench/signed-in")
@login_required
def bench_signed_in() -> str:
    """The least a signed-in page costs: the person loaded and the layout, nothing else. Its
    ratio to the bare route is the best any signed-in page can reach."""
    return render_template(EMPTY_PAGE)
