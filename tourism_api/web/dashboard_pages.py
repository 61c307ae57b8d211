"""The dashboard and the find page."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..api.context import services
from ..catalogue.taxonomy import KINDS, STATUSES
from ..services.workspace import Finding
from .blueprint import blp, require


@blp.route("", methods=["GET"])
def home():
    return redirect(url_for("staff.dashboard"))


@blp.route("/", methods=["GET"])
def dashboard():
    who = require("read_drafts")
    return render_template("dashboard.html", board=services().workspace.dashboard(who))


@blp.route("/sites", methods=["GET"])
def find():
    who = require("read_drafts")
    args = request.args
    finding = Finding(
        q=args.get("q", "")[:200],
        status=args.get("status", ""),
        kind=args.get("kind", ""),
        missing=args.get("missing", ""),
    )
    sites, more = services().workspace.find(who, finding)
    return render_template(
        "find.html",
        finding=finding,
        sites=sites,
        more=more,
        kinds=KINDS,
        statuses=STATUSES,
    )
