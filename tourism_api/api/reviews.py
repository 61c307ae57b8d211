"""/v1/reviews: the reviewers' queue, and approving or rejecting what waits in it."""

from __future__ import annotations

from flask_smorest import Blueprint

from .auth import STAFF, authorize
from .bodies import IF_MATCH, expected_version, load_json
from .context import services
from .schemas import (
    ApiErrorSchema,
    DecisionSchema,
    ProposalListSchema,
    ProposalSchema,
    ReviewListSchema,
    SiteSchema,
)
from .sites import ETAG_HEADER, site_answer, versioned_write

blp = Blueprint(
    "reviews", __name__, url_prefix="/v1/reviews", description="Review before publishing"
)
DECISION_BODY = {
    "required": False,
    "content": {"application/json": {"schema": DecisionSchema}},
}


def _decision() -> dict:
    return load_json(DecisionSchema(), "The decision is invalid.", optional=True)


@blp.route("", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ReviewListSchema)
def queue():
    """Sites waiting for review in your organisation (all, for administrators), oldest
    first, with what changed since each was last published."""
    who = authorize("review")
    return {"items": services().reviews.pending(who.organisation_id)}


@blp.route("/<string:ref>/approve", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH], requestBody=DECISION_BODY)
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
@blp.alt_response(
    403, schema=ApiErrorSchema, description="Your own change (four-eyes), or not yours"
)
def approve(ref):
    """Approve and publish (reviewers). Someone who changed the site cannot approve it."""
    who = authorize("review", ref)
    decision = _decision()
    site = services().reviews.approve(
        ref, who.name, expected_version=expected_version(), comment=decision.get("comment")
    )
    return site_answer(site)


@blp.route("/<string:ref>/reject", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH], requestBody={**DECISION_BODY, "required": True})
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
def reject(ref):
    """Send back to draft with the reason (reviewers); the editor sees it in the history."""
    who = authorize("review", ref)
    decision = _decision()
    site = services().reviews.reject(
        ref, who.name, expected_version=expected_version(), comment=decision.get("comment", "")
    )
    return site_answer(site)


@blp.route("/proposals", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ProposalListSchema)
def proposals():
    """Values imports sent that wait for a reviewer, oldest first: conflicts with people's
    changes (both values shown) and updates to published sites queued by their profile."""
    who = authorize("review")
    return {"items": services().proposals.pending(who.organisation_id)}


def _proposal_site(proposal_id: int) -> str:
    """The site a proposal is about, for the organisation check (404 if no such proposal)."""
    return services().proposals.get(proposal_id).site_id


@blp.route("/proposals/<int:proposal_id>/accept", methods=["POST"])
@blp.doc(security=STAFF, parameters=[IF_MATCH], requestBody=DECISION_BODY)
@blp.response(200, SiteSchema, headers=ETAG_HEADER)
@versioned_write
@blp.alt_response(409, schema=ApiErrorSchema, description="Already accepted or dismissed")
def accept_proposal(proposal_id):
    """Give the field the source's value (reviewers); recorded in the site's history."""
    who = authorize("review", _proposal_site(proposal_id))
    decision = _decision()
    site = services().proposals.accept(
        proposal_id,
        who.name,
        expected_version=expected_version(),
        comment=decision.get("comment"),
    )
    return site_answer(site)


@blp.route("/proposals/<int:proposal_id>/dismiss", methods=["POST"])
@blp.doc(security=STAFF, requestBody=DECISION_BODY)
@blp.response(200, ProposalSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="Already accepted or dismissed")
def dismiss_proposal(proposal_id):
    """Keep the site's value (reviewers); the source sending it again raises nothing new."""
    who = authorize("review", _proposal_site(proposal_id))
    decision = _decision()
    return services().proposals.dismiss(proposal_id, who.name, comment=decision.get("comment"))
