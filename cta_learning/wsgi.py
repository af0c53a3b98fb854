"""The application as web servers load it: `gunicorn cta_learning.wsgi:app`."""

from cta_learning import create_app, startup

app = create_app({"DB_MIGRATIONS": False})
# Refuse to serve (with a message saying what to fix) rather than fail on the first request.
startup.check_ready(app)
startup.warm_up(app)
