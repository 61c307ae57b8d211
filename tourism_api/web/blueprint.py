"""The workspace's blueprint and what every page shares: who is signed in, the page
language, the CSRF token of forms, the map settings, and errors shown as pages."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    abort,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import Babel, get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from ..access.tokens import Principal
from ..api.auth import authorize, principal
from ..api.context import services
from ..errors import DomainError, Unauthorized

HERE = Path(__file__).parent
log = logging.getLogger(__name__)
UI_LANGUAGES = ("vi", "en", "fr")

blp = Blueprint(
    "staff",
    __name__,
    url_prefix="/staff",
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/static",
)


def me() -> Principal | None:
    """The signed-in person (None on the sign-in page, or when the request's credentials
    were refused and the page says so)."""
    try:
        return principal()
    except DomainError:
        return None


def require(action: str, site_ref: str | None = None) -> Principal:
    """The signed-in person if their role (and office) allows `action`; otherwise the
    sign-in page or a 403 page, through the error handler below."""
    return authorize(action, site_ref)


def problem_details(exc: DomainError) -> str:
    """A refusal's field messages on one line ("licence: An SPDX id..."), for a flash."""
    return "; ".join(
        f"{field}: {' '.join(map(str, reasons)) if isinstance(reasons, list) else reasons}"
        for field, reasons in (exc.errors or {}).items()
    )


def problem_text(exc: DomainError) -> str:
    """A refusal as one line: what went wrong, then the fields at fault."""
    return f"{exc.message} {problem_details(exc)}".strip()


def form_int(name: str) -> int:
    """A whole number a form sends in a hidden field (a version); 400 if it is not one."""
    try:
        return int(request.form.get(name, ""))
    except ValueError:
        abort(400)


def safe_next(target: str | None) -> str:
    """Only a path of this workspace: never a redirect to another site."""
    parts = urlsplit(target or "")
    if parts.scheme or parts.netloc or not parts.path.startswith("/staff") or "\\" in target:
        return url_for("staff.dashboard")
    return target


def _ui_language() -> str:
    """The language just picked, else the person's own (kept with their account), else
    this browser's last pick, else what the browser asks for; Vietnamese by default.
    The tourist app (one Babel per application) chooses its own way."""
    if request.blueprint == "explore":
        from ..explore.pages import language

        return language()
    chosen = request.args.get("ui")
    if chosen in UI_LANGUAGES:
        return chosen
    person = _person_language()
    if person in UI_LANGUAGES:
        return person
    chosen = request.cookies.get("staff_lang")
    if chosen in UI_LANGUAGES:
        return chosen
    return request.accept_languages.best_match(UI_LANGUAGES) or "vi"


def _person():
    """The signed-in person's account, read once per request (None for scripts' tokens)."""
    who = me()
    if who is None or who.account_id is None:
        return None
    if "staff_person" not in g:
        g.staff_person = services().accounts.get(who.account_id)
    return g.staff_person


def _person_language() -> str | None:
    person = _person()
    return person.language if person is not None else None


def configure(app: Flask) -> None:
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(HERE / "translations"))
    Babel(app, locale_selector=_ui_language)


@blp.after_request
def _remember_language(response):
    chosen = request.args.get("ui")
    if chosen in UI_LANGUAGES:
        response.set_cookie("staff_lang", chosen, max_age=365 * 24 * 3600, samesite="Lax")
        person = _person()
        if person is not None and person.language != chosen:
            services().accounts.update(person.username, language=chosen)
    # Pages hold drafts and the CSRF token: never stored by a shared cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


@blp.context_processor
def _page_context() -> dict:
    settings = services().settings
    return {
        "me": me(),
        "csrf_token": session.get("csrf", ""),
        "languages": settings.languages,
        "ui_language": str(get_locale()),
        "ui_languages": UI_LANGUAGES,
        "map_tiles": settings.map_tiles_url,
        "map_attribution": settings.map_attribution,
    }


@blp.errorhandler(DomainError)
def _error_page(error: DomainError):
    if isinstance(error, Unauthorized):
        return redirect(url_for("staff.sign_in", next=request.full_path.rstrip("?")))
    return render_template("error.html", error=error), error.status


@blp.errorhandler(HTTPException)
def _http_error_page(error: HTTPException):
    page = DomainError(error.description or error.name, status=error.code or 500)
    return render_template("error.html", error=page), error.code or 500


@blp.errorhandler(Exception)
def _unexpected_error_page(error: Exception):
    """A bug: logged with its traceback, and a page (not JSON) that says nothing internal."""
    log.exception("unhandled error on %s %s", request.method, request.path)
    page = DomainError(_("Something went wrong on our side; it has been logged."), status=500)
    return render_template("error.html", error=page), 500
