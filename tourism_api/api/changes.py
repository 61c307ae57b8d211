"""/v1/changes: the public change feed offline apps sync from."""

from __future__ import annotations

from urllib.parse import urlencode

from flask_smorest import Blueprint
from marshmallow import RAISE, Schema, fields, validate

from .caching import cache
from .context import services
from .negotiation import preferred_languages, public_base
from .schemas import ApiErrorSchema, ChangePageSchema

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/v1/changes",
    description="What changed in the public catalogue since a token (offline sync)",
)


class ChangeArgs(Schema):
    since = fields.Str(
        validate=validate.Length(max=200),
        metadata={"description": "The `next` token of the previous read; none: from the start"},
    )
    limit = fields.Int(validate=validate.Range(min=1, max=1000), load_default=100)
    lang = fields.Str(validate=validate.Length(max=50))


@blp.route("", methods=["GET"])
@blp.arguments(ChangeArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, ChangePageSchema)
@blp.alt_response(400, schema=ApiErrorSchema, description="A token this feed did not give out")
def changes(args):
    """Every public change since `since`, oldest first: created, updated and deleted
    (unpublished or archived: a tombstone). Keep `next` and ask with it again; while `more`
    is true, ask at once. A token can be reused after a crash: the same changes come again,
    and a change committed late by a slow writer is never skipped."""
    page = services().change_feed.read(
        args.get("since"), args["limit"], preferred=preferred_languages(args.get("lang"))
    )
    query = {"since": page["next"], "limit": args["limit"]}
    if args.get("lang"):
        query["lang"] = args["lang"]
    page["links"] = {"next": f"{public_base()}/v1/changes?{urlencode(query)}"}
    # Changes arrive at any moment: revalidate each time (the ETag makes that cheap).
    cache(public=True)
    return page
