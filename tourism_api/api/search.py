"""/v1/search and /v1/suggest: served from the search index alone."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate
from webargs.fields import DelimitedList

from ..catalogue.taxonomy import DESIGNATIONS
from .args import FormatArgs, SiteListArgs
from .caching import cache
from .collections import page_answer
from .context import services
from .negotiation import GEOJSON, preferred_languages
from .schemas import SiteFeatureCollectionSchema, SitePageSchema, SuggestListSchema

blp = Blueprint("search", __name__, url_prefix="/v1", description="Text, place and facet search")


class SearchArgs(SiteListArgs):
    zone = fields.Str(
        validate=validate.Length(max=100),
        metadata={"description": "Id or slug of a zone to search inside"},
    )
    designation = DelimitedList(fields.Str(validate=validate.OneOf(tuple(DESIGNATIONS))))
    has_lang = DelimitedList(
        fields.Str(validate=validate.Length(max=20)),
        metadata={"description": "Only sites with a name in each of these languages"},
    )
    facets = fields.Bool(
        load_default=False, metadata={"description": "Counts per kind, category, designation"}
    )
    filter = fields.Str(
        validate=validate.Length(max=4000),
        metadata={"description": "A CQL2 filter on the queryables of /collections/sites"},
    )
    filter_lang = fields.Str(
        data_key="filter-lang",
        validate=validate.OneOf(("cql2-text", "cql2-json")),
        metadata={"description": "cql2-text (default) or cql2-json"},
    )

    class Meta:
        unknown = RAISE


class SuggestArgs(FormatArgs):
    q = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=20))

    class Meta:
        unknown = RAISE


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SitePageSchema)
@blp.alt_response(200, schema=SiteFeatureCollectionSchema, content_type=GEOJSON, success=True)
def search(args):
    """Search published sites by text (any language, with or without diacritics), place and filters.

    `q` is matched against names, descriptions, categories and designations in
    every language; "chua thien mu" finds "Chùa Thiên Mụ" and "hue" finds "Huế",
    and a match that also agrees on diacritics ranks first. Sort by `relevance`
    (default with `q`), `distance` (default with `lat`/`lon`) or `name`.
    """
    page = services().listing.search(args, preferred=preferred_languages(args.get("lang")))
    return page_answer(page, args.get("f"))


@blp.route("/suggest", methods=["GET"])
@blp.arguments(SuggestArgs(), location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SuggestListSchema)
def suggest(args):
    """Names completing what was typed in a search box ("thien m" -> "Chùa Thiên Mụ")."""
    items = services().listing.suggest(
        args["q"], limit=args["limit"], preferred=preferred_languages(args.get("lang"))
    )
    cache(public=True)
    return {"items": items}
