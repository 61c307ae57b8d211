"""Signing in and out of the workspace."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from ..api.context import services
from ..api.sessions import start_session
from ..errors import Unauthorized
from .blueprint import blp, me, safe_next


@blp.route("/sign-in", methods=["GET"])
def sign_in():
    if me() is not None:
        return redirect(safe_next(request.args.get("next")))
    return render_template("sign_in.html", next=request.args.get("next", ""), problem=None)


@blp.route("/sign-in", methods=["POST"])
def sign_in_post():
    username = request.form.get("username", "").strip()
    try:
        account = services().accounts.check_password(username, request.form.get("password", ""))
    except Unauthorized:
        problem = _("Wrong username or password, or the account is locked for a while.")
        page = render_template(
            "sign_in.html", next=request.form.get("next", ""), problem=problem, username=username
        )
        return page, 401
    start_session(account.id)
    return redirect(safe_next(request.form.get("next")), code=303)


@blp.route("/sign-out", methods=["POST"])
def sign_out():
    session.clear()
    return redirect(url_for("staff.sign_in"), code=303)
