"""/v1/session: people sign in with their username and password (the staff web app).

The session is a signed, HttpOnly, SameSite=Lax cookie holding the account id and a
CSRF token; the account is read again on every request, so a disabled account or a
changed role takes effect at once. Writes made with the cookie must echo the CSRF
token in `X-CSRF-Token`, or in a `csrf_token` field of a form post (scripts use bearer
tokens instead and need none)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

from flask import Flask, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy.exc import DBAPIError

from ..access.secrets import signing_key
from ..errors import Forbidden, Unauthorized
from .bodies import load_json
from .context import services

blp = Blueprint("session", __name__, url_prefix="/v1/session", description="Signing in (people)")
LIFETIME = timedelta(hours=12)
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


class LoginSchema(Schema):
    username = fields.Str(required=True, validate=validate.Length(min=1, max=60))
    password = fields.Str(required=True, validate=validate.Length(min=1, max=1000))


class SessionSchema(Schema):
    username = fields.Str()
    display_name = fields.Str()
    role = fields.Str()
    organisation_id = fields.Int()
    csrf_token = fields.Str(metadata={"description": "Send as X-CSRF-Token with every write"})


def _view(account) -> dict:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "role": account.role,
        "organisation_id": account.organisation_id,
        "csrf_token": session["csrf"],
    }


def session_account_id() -> int | None:
    """The signed-in account of this request's cookie, with the CSRF check for writes."""
    account_id = session.get("account")
    if account_id is None:
        return None
    if request.method in UNSAFE and request.path != "/v1/session":
        sent = request.headers.get("X-CSRF-Token", "")
        if not sent and request.mimetype in FORMS:
            sent = request.form.get("csrf_token", "")  # the workspace's plain HTML forms
        if not hmac.compare_digest(sent, session.get("csrf", "")):
            raise Forbidden(
                "Send the session's CSRF token in X-CSRF-Token with every change.",
                {"X-CSRF-Token": ["Missing or wrong."]},
            )
    return account_id


@blp.route("", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {"schema": LoginSchema}}})
@blp.response(200, SessionSchema)
def sign_in():
    """Sign in with username and password; five wrong passwords lock the account 15 minutes."""
    form = load_json(LoginSchema(), "Give username and password.")
    account = services().accounts.check_password(form["username"], form["password"])
    start_session(account.id)
    return _view(account)


def start_session(account_id: int) -> None:
    """A fresh session for a person who just signed in (a new CSRF token too): the API's
    sign-in and the workspace's sign-in page both end here."""
    session.clear()
    session.permanent = True
    session["account"] = account_id
    session["csrf"] = secrets.token_urlsafe(32)


@blp.route("", methods=["GET"])
@blp.response(200, SessionSchema)
def who_am_i():
    """The signed-in account (401 when nobody is)."""
    account_id = session.get("account")
    account = services().accounts.get(account_id) if account_id is not None else None
    if account is None or account.disabled_at is not None:
        raise Unauthorized("Nobody is signed in.", headers={})
    return _view(account)


@blp.route("", methods=["DELETE"])
@blp.response(204)
def sign_out():
    """Sign out: the cookie is cleared."""
    session.clear()
    return "", 204


def configure(app: Flask) -> None:
    settings = app.extensions["tourism"].settings
    app.config.update(
        SESSION_COOKIE_NAME="tourism_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=(settings.public_url or "").startswith("https://"),
        PERMANENT_SESSION_LIFETIME=LIFETIME,
    )
    app.session_interface = _KeyFromTheDatabase(app.extensions["tourism"].sessions, settings)


class _KeyFromTheDatabase(SecureCookieSessionInterface):
    """Signs cookies with a key that lives in the database (or TOURISM_SECRET_KEY), fetched
    on the first request rather than at start-up, when the schema may not exist yet."""

    def __init__(self, sessions, settings) -> None:
        self._sessions = sessions
        self._settings = settings

    def get_signing_serializer(self, app: Flask):
        if app.secret_key is None:
            try:
                app.secret_key = signing_key(self._sessions, self._settings.secret_key, "sessions")
            except DBAPIError:
                return None  # no schema yet: no sessions (the request fails on its own)
        return super().get_signing_serializer(app)
