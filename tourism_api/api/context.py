"""The request's way to the application's services (built once per app by `create_app`).

Blueprints import this, never `app.py`, so the app factory can import the
blueprints without a cycle."""

from __future__ import annotations

from flask import current_app

from ..container import Services

EXTENSION = "tourism"


def services() -> Services:
    return current_app.extensions[EXTENSION]
