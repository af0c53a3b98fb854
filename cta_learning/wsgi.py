"""The application as web servers load it: `gunicorn cta_learning.wsgi:app`."""

from cta_learning import create_app

app = create_app({"DB_MIGRATIONS": False})
