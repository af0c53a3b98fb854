"""WSGI entry point of the benchmark: the real application plus one bare route.

Gunicorn serves `bench.hello:app`. The extra route `/bench/hello` is the floor every page
is compared with: it runs the same request hooks as the pages but renders no template
and touches no database. It exists only here, never in the product.
"""

from flask import Response

from cta_learning.wsgi import app


@app.get("/bench/hello")
def bench_hello() -> Response:
    """Answer a short plain string: the cheapest response the application can give."""
    return Response("hello\n", mimetype="text/plain")
