"""/v1/search and /v1/suggest: served from the search index alone."""

from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import RAISE, fields, validate
from webargs.fields import DelimitedList

from ..app import services
from ..catalogue.records import pick_language
from ..catalogue.taxonomy import DESIGNATIONS
from .args import FormatArgs, SiteListArgs
from .common import json_response, preferred_languages
from .listing import build_search_query, search_page_response
from .schemas import SearchPageSchema, SuggestListSchema

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

    class Meta:
        unknown = RAISE


class SuggestArgs(FormatArgs):
    q = fields.Str(required=True, validate=validate.Length(min=1, max=100))
    limit = fields.Int(load_default=10, validate=validate.Range(min=1, max=20))

    class Meta:
        unknown = RAISE


@blp.route("/search", methods=["GET"])
@blp.arguments(SearchArgs, location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SearchPageSchema)
def search(args):
    """Search published sites by text (any language, with or without diacritics), place and filters.

    `q` is matched against names, descriptions, categories and designations in
    every language; "chua thien mu" finds "Chùa Thiên Mụ" and "hue" finds "Huế",
    and a match that also agrees on diacritics ranks first. Sort by `relevance`
    (default with `q`), `distance` (default with `lat`/`lon`) or `name`.
    """
    return search_page_response(build_search_query(args), args)


@blp.route("/suggest", methods=["GET"])
@blp.arguments(SuggestArgs, location="query", as_kwargs=False, unknown=RAISE)
@blp.response(200, SuggestListSchema)
def suggest(args):
    """Names completing what was typed in a search box ("thien m" -> "Chùa Thiên Mụ")."""
    svc = services()
    preferred = preferred_languages(args.get("lang"))
    items = []
    for suggestion in svc.search.suggest(args["q"], limit=args["limit"]):
        view = suggestion.view
        lang, name = pick_language(view["name"], preferred, svc.settings.languages)
        items.append(
            {
                "id": suggestion.id,
                "slug": view["slug"],
                "name": name,
                "lang": lang,
                "kind": view["kind"],
                "location": view["location"],
                "matched": suggestion.text,
            }
        )
    return json_response({"items": items}, public=True)
