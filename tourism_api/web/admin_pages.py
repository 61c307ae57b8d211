"""Administration in the workspace (administrators): organisations, people's accounts and
roles, app keys and their plans, categories. The same services as /v1/admin and the CLI."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..access.accounts import OwnAdministratorRights
from ..access.api_keys import PLANS
from ..access.roles import ROLES
from ..api.context import services
from ..errors import DomainError
from .blueprint import blp, problem_text, require


def _back():
    return redirect(url_for("staff.admin"), code=303)


@blp.route("/admin", methods=["GET"])
def admin():
    require("administer")
    svc = services()
    return render_template(
        "admin.html",
        organisations=svc.accounts.organisations(),
        accounts=svc.accounts.list(),
        keys=svc.api_keys.list(),
        categories=svc.taxonomy.categories(),
        roles=ROLES,
        plans=PLANS,
    )


@blp.route("/admin/organisations", methods=["POST"])
def admin_organisation():
    require("administer")
    try:
        services().accounts.create_organisation(
            request.form.get("code", "").strip(), request.form.get("name", "")
        )
        flash(_("Organisation created."), "saved")
    except DomainError as exc:
        flash(problem_text(exc), "problem")
    return _back()


@blp.route("/admin/accounts", methods=["POST"])
def admin_account():
    require("administer")
    form = request.form
    try:
        services().accounts.create(
            form.get("username", "").strip(),
            form.get("display_name", ""),
            form.get("organisation", ""),
            form.get("role", ""),
            form.get("password", ""),
        )
        flash(_("Account created."), "saved")
    except DomainError as exc:
        flash(problem_text(exc), "problem")
    return _back()


@blp.route("/admin/accounts/<string:username>", methods=["POST"])
def admin_account_change(username):
    who = require("administer")
    form = request.form
    change: dict = {
        "role": form.get("role") or None,
        "organisation": form.get("organisation") or None,
        "password": form.get("password") or None,
    }
    if "disabled" in form:
        change["disabled"] = form["disabled"] == "1"
    try:
        services().accounts.update(username, acting_account_id=who.account_id, **change)
        flash(_("Account %(name)s saved.", name=username), "saved")
    except OwnAdministratorRights:
        flash(
            _("You cannot disable your own account or give up your own administrator role."),
            "problem",
        )
    except DomainError as exc:
        flash(problem_text(exc), "problem")
    return _back()


@blp.route("/admin/api-keys", methods=["POST"])
def admin_key():
    require("administer")
    svc = services()
    try:
        record, secret = svc.api_keys.create(
            request.form.get("name", ""),
            request.form.get("plan", "free"),
            request.form.get("contact") or None,
        )
    except DomainError as exc:
        flash(problem_text(exc), "problem")
        return _back()
    page = render_template("admin_key.html", record=record, secret=secret)
    return page, 201


@blp.route("/admin/api-keys/<int:key_id>/revoke", methods=["POST"])
def admin_key_revoke(key_id):
    require("administer")
    services().api_keys.revoke(key_id)
    flash(_("Key revoked."), "saved")
    return _back()


@blp.route("/admin/categories", methods=["POST"])
def admin_category():
    require("administer")
    svc = services()
    label = {
        lang: request.form.get(f"label.{lang}", "").strip()
        for lang in svc.settings.languages
        if request.form.get(f"label.{lang}", "").strip()
    }
    try:
        svc.taxonomy.add(
            request.form.get("code", "").strip(), label, request.form.get("parent") or None
        )
        flash(_("Category added."), "saved")
    except DomainError as exc:
        flash(problem_text(exc), "problem")
    return _back()


@blp.route("/admin/reindex", methods=["POST"])
def admin_reindex():
    who = require("administer")
    job = services().jobs.submit("reindex", {}, actor=who.name, organisation_id=None)
    return redirect(url_for("staff.job", job_id=job.id), code=303)
