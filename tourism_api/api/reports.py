"""Visitors report problems with a site (no account); the owning office's reviewers act."""

from __future__ import annotations

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from ..errors import InvalidInput
from ..services.reports import CATEGORIES, MAX_CONTACT, MAX_TEXT
from .auth import STAFF, authorize
from .bodies import load_json, read_json_object
from .context import services
from .schemas import ApiErrorSchema

blp = Blueprint(
    "reports",
    __name__,
    url_prefix="/v1",
    description="Visitors' reports (closed today, wrong hours, wrong photo) and their review",
)


class ReportInputSchema(Schema):
    class Meta:
        unknown = RAISE

    category = fields.Str(
        required=True,
        validate=validate.OneOf(CATEGORIES),
        metadata={"description": "closed (today), hours, location, photo, info or other"},
    )
    text = fields.Str(
        load_default="",
        validate=validate.Length(max=MAX_TEXT),
        metadata={"description": "What is wrong, in any language"},
    )
    contact = fields.Str(
        validate=validate.Length(max=MAX_CONTACT),
        metadata={"description": "Optional e-mail or phone, seen only by reviewers"},
    )
    lang = fields.Str(validate=validate.Length(max=20))
    website = fields.Str(
        validate=validate.Length(max=500),
        metadata={"description": "Leave empty (a field only robots fill)"},
    )


class ReportReceiptSchema(Schema):
    id = fields.Int()
    status = fields.Str(metadata={"description": "received: it waits for the office"})
    site = fields.Str()


class ReportSchema(Schema):
    id = fields.Int()
    site = fields.Dict()
    category = fields.Str()
    text = fields.Str()
    contact = fields.Str(allow_none=True)
    lang = fields.Str(allow_none=True)
    photo = fields.Str(allow_none=True, metadata={"description": "Reviewers only"})
    count = fields.Int(metadata={"description": "How many people sent the same report"})
    status = fields.Str(metadata={"enum": ["open", "resolved", "dismissed", "spam"]})
    created_at = fields.Str()
    updated_at = fields.Str()
    decided_by = fields.Str(allow_none=True)
    decided_at = fields.Str(allow_none=True)
    comment = fields.Str(allow_none=True)


class ReportListSchema(Schema):
    items = fields.List(fields.Nested(ReportSchema))


class ReportQueueArgs(Schema):
    status = fields.Str(
        load_default="open", validate=validate.OneOf(("open", "resolved", "dismissed", "spam"))
    )


class ReportDecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    comment = fields.Str(validate=validate.Length(max=2000))


REPORT_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": ReportInputSchema},
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["category"],
                "properties": {
                    "category": {"type": "string", "enum": list(CATEGORIES)},
                    "text": {"type": "string"},
                    "contact": {"type": "string"},
                    "lang": {"type": "string"},
                    "website": {"type": "string"},
                    "photo": {"type": "string", "format": "binary"},
                },
            }
        },
    },
}


def _report_body() -> tuple[dict, bytes | None]:
    """JSON, or a form with an optional `photo` part (a picture of what is wrong)."""
    if request.mimetype == "multipart/form-data":
        request.max_content_length = services().settings.max_image_bytes + 64 * 1024
        raw, upload = dict(request.form), request.files.get("photo")
        photo = upload.read() if upload is not None and upload.filename else None
    else:
        raw, photo = read_json_object(), None
    try:
        body = ReportInputSchema().load(raw)
    except ValidationError as exc:
        raise InvalidInput("The report is invalid.", exc.normalized_messages()) from exc
    return body, photo


@blp.route("/sites/<string:ref>/reports", methods=["POST"])
@blp.doc(requestBody=REPORT_BODY)
@blp.response(202, ReportReceiptSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such published site")
@blp.alt_response(429, schema=ApiErrorSchema, description="Too many reports from here")
def report(ref):
    """Report a problem or suggest a correction, without an account (optionally with a
    photo). It goes to the office that owns the site; it never changes the record itself."""
    body, photo = _report_body()
    receipt = services().reports.submit(ref, body, photo, request.remote_addr or "")
    return receipt, 202


@blp.route("/reviews/reports", methods=["GET"])
@blp.doc(security=STAFF)
@blp.arguments(ReportQueueArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, ReportListSchema)
def queue(args):
    """Visitors' reports on your office's sites (all, for administrators), most reported
    first."""
    who = authorize("review")
    return {"items": services().reports.queue(who.organisation_id, args["status"])}


def _decide(report_id: int, decision: str) -> dict:
    who = authorize("review")
    body = load_json(ReportDecisionSchema(), "The decision is invalid.", optional=True)
    return services().reports.decide(
        report_id, decision, who.name, who.organisation_id, body.get("comment")
    )


@blp.route("/reviews/reports/<int:report_id>/resolve", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(200, ReportSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="Already decided")
def resolve(report_id):
    """Mark a report as acted on (the record was corrected through the usual review)."""
    return _decide(report_id, "resolve")


@blp.route("/reviews/reports/<int:report_id>/dismiss", methods=["POST"])
@blp.doc(security=STAFF)
@blp.response(200, ReportSchema)
@blp.alt_response(409, schema=ApiErrorSchema, description="Already decided")
def dismiss(report_id):
    """Dismiss a report (wrong, or not about this site), with a comment."""
    return _decide(report_id, "dismiss")


@blp.route("/reviews/reports/<int:report_id>/photo", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, {"type": "string", "format": "binary"}, content_type="image/jpeg")
@blp.alt_response(404, schema=ApiErrorSchema, description="No such photo")
def photo(report_id):
    """The photo a visitor sent with a report (reviewers only; re-encoded without EXIF)."""
    who = authorize("review")
    data = services().reports.photo(report_id, who.organisation_id)
    response = Response(data, mimetype="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    return response
