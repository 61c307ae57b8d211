"""The dashboard and the find page."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for

from ..api.context import services
from ..catalogue.geometry import from_db
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
        category=args.get("category", "")[:60],
        area=args.get("area", "")[:120],
        flagged=bool(args.get("flagged")),
    )
    sites, more = services().workspace.find(who, finding)
    points = {}
    for site in sites:
        point = from_db(site.location)
        points[site.id] = (round(point.x, 6), round(point.y, 6))
    return render_template(
        "find.html",
        finding=finding,
        sites=sites,
        site_points=points,
        more=more,
        kinds=KINDS,
        statuses=STATUSES,
        categories=services().taxonomy.categories(),
        areas=services().workspace.areas(who),
    )


@blp.route("/<path:anything>", methods=["GET", "POST"])
def no_such_page(anything):
    """Any other address under /staff: the workspace's own 404 page, not the API's JSON."""
    abort(404)
