"""Entry point for WSGI servers: `gunicorn wsgi:app` or `waitress-serve wsgi:app`."""

from tourism_api.app import create_app

app = create_app()
