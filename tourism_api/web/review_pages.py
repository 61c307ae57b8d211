"""The reviewers' queue: approve or reject submitted sites, decide import proposals."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from ..api.context import services
from .blueprint import blp, form_int, require, safe_next


@blp.route("/reviews", methods=["GET"])
def reviews():
    who = require("review")
    svc = services()
    return render_template(
        "reviews.html",
        items=svc.reviews.pending(who.organisation_id),
        proposals=svc.proposals.pending(who.organisation_id),
        reports=svc.reports.queue(who.organisation_id),
    )


@blp.route("/reviews/<string:ref>/<any(approve, reject):decision>", methods=["POST"])
def decide(ref, decision):
    who = require("review", ref)
    comment = request.form.get("comment", "").strip()
    queue = services().reviews
    if decision == "approve":
        queue.approve(ref, who.name, expected_version=form_int("version"), comment=comment or None)
    else:
        queue.reject(ref, who.name, expected_version=form_int("version"), comment=comment)
    return redirect(url_for("staff.reviews"), code=303)


@blp.route("/proposals/<int:proposal_id>/<any(accept, dismiss):decision>", methods=["POST"])
def decide_proposal(proposal_id, decision):
    proposals = services().proposals
    who = require("review", proposals.get(proposal_id).site_id)
    comment = request.form.get("comment", "").strip() or None
    if decision == "accept":
        proposals.accept(
            proposal_id, who.name, expected_version=form_int("version"), comment=comment
        )
    else:
        proposals.dismiss(proposal_id, who.name, comment=comment)
    return redirect(safe_next(request.form.get("back") or url_for("staff.reviews")), code=303)


@blp.route("/reports/<int:report_id>/<any(resolve, dismiss):decision>", methods=["POST"])
def decide_report(report_id, decision):
    who = require("review")
    comment = request.form.get("comment", "").strip() or None
    services().reports.decide(report_id, decision, who.name, who.organisation_id, comment)
    return redirect(url_for("staff.reviews") + "#reports", code=303)
