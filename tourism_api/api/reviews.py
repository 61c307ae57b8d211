"""/v1/reviews: the reviewers' queue, and approving or rejecting what waits in it."""

from __future__ import annotations

from flask import request
from flask_smorest import Blueprint
from marshmallow import ValidationError

from ..errors import InvalidInput
from .auth import STAFF, authorize
from .bodies import IF_MATCH, expected_version, read_json_object
from .context import services
from .schemas import ApiErrorSchema, DecisionSchema, ReviewListSchema, SiteSchema
from .sites import ETAG_HEADER, site_answer, versioned_write

blp = Blueprint(
    "reviews", __name__, url_prefix="/v1/reviews", description="Review before publishing"
)
DECISION_BODY = {
    "required": False,
    "content": {"application/json": {"schema": DecisionSchema}},
}


def _decision() -> dict:
    has_body = request.content_length or request.headers.get("Transfer-Encoding")
    try:
        return DecisionSchema().load(read_json_object() if has_body else {})
    except ValidationError as exc:
        raise InvalidInput("The decision is invalid.", exc.normalized_messages()) from exc


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
