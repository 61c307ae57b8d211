"""CQL2 filters (OGC API - Features Part 3) as SQL conditions on sites, on either database.

Parsing is pygeofilter's (CQL2 text and CQL2 JSON); the translation is ours, because
pygeofilter's SQLAlchemy back end writes PostGIS-only SQL (`ST_GeomFromEWKT`) and knows nothing
of SpatiaLite. Only the queryables below can be named: a filter on anything else is a 400,
never a silent "matches nothing". Names compare without case or diacritics
(`name = 'chua thien mu'` finds Chùa Thiên Mụ), as the catalogue's folded sort name does.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import shapely
from lark.exceptions import UnexpectedInput
from pygeofilter import ast, values
from pygeofilter.backends.evaluator import Evaluator, handle
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text
from shapely.geometry import box, shape
from sqlalchemy import ColumnElement, and_, exists, false, func, not_, or_, true

from search.text import fold

from ..errors import InvalidInput
from . import crs as crs_module
from .models import Site, SiteCategory
from .spatial import SpatialSQL
from .taxonomy import KINDS

LANGUAGES = ("cql2-text", "cql2-json")

# name -> (JSON Schema of the queryable, description)
QUERYABLES: dict[str, dict] = {
    "id": {"type": "string", "title": "Identifier"},
    "slug": {"type": "string", "title": "Slug"},
    "kind": {"type": "string", "enum": list(KINDS), "title": "Kind of site"},
    "name": {
        "type": "string",
        "title": "Name",
        "description": (
            "The primary name (Vietnamese where there is one), compared without case or diacritics"
        ),
    },
    "admin_area": {"type": "string", "title": "Province or city (as the source wrote it)"},
    "province": {"type": "string", "title": "2025 province code (46: Huế)"},
    "category": {"type": "string", "title": "Category code (=, <> and IN only)"},
    "is_zone": {"type": "boolean", "title": "Has an area"},
    "updated_at": {"type": "string", "format": "date-time", "title": "Last change"},
    "published_at": {"type": "string", "format": "date-time", "title": "First published"},
    "geometry": {
        "$ref": "https://geojson.org/schema/Geometry.json",
        "title": "Location (sites) or footprint (zones)",
    },
}


@dataclass(frozen=True)
class Cql2Filter:
    """A parsed filter and its canonical text (which goes into cursors' fingerprints)."""

    node: ast.Node
    key: str


def parse(text: str, lang: str | None = None, filter_crs: str | None = None) -> Cql2Filter:
    """A filter from the `filter`, `filter-lang` and `filter-crs` parameters, or a 400 saying
    where in the text the parser stopped."""
    lang = lang or ("cql2-json" if text.lstrip().startswith("{") else "cql2-text")
    if lang not in LANGUAGES:
        raise InvalidInput(
            f"filter-lang must be one of {', '.join(LANGUAGES)}.",
            {"filter-lang": [f"Unsupported: {lang!r}."]},
        )
    source_crs = crs_module.require(filter_crs, "filter-crs")
    try:
        node = parse_text(text) if lang == "cql2-text" else parse_json(text)
    except UnexpectedInput as exc:
        line, column, found = _error_position(exc, text)
        raise InvalidInput(
            f"filter is not valid CQL2 text: unexpected {found} at line {line}, column {column}.",
            {"filter": [f"Syntax error at line {line}, column {column}."]},
        ) from exc
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"filter is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.",
            {"filter": [f"Syntax error at line {exc.lineno}, column {exc.colno}."]},
        ) from exc
    except Exception as exc:  # pygeofilter raises ValueError/KeyError/TypeError on bad trees
        raise InvalidInput(
            f"filter is not valid {lang}: {exc}", {"filter": ["Not a valid expression."]}
        ) from exc
    _check_names(node)
    return Cql2Filter(node=node, key=f"{lang}|{source_crs}|{text}")


def _error_position(exc: UnexpectedInput, text: str) -> tuple[int, int, str]:
    """Where the parser stopped; at the end of the text, the column after its last character
    (lark names the last token's start instead)."""
    token = getattr(exc, "token", None)
    if token is not None and token.type == "$END":
        lines = text.split("\n")
        return len(lines), len(lines[-1]) + 1, "end of text"
    found = token if token is not None else getattr(exc, "char", "")
    return exc.line, exc.column, repr(str(found))


def _check_names(node) -> None:
    if isinstance(node, ast.Attribute):
        if node.name not in QUERYABLES:
            raise InvalidInput(
                f"filter names {node.name!r}, which is not a queryable; "
                f"see /collections/{{id}}/queryables.",
                {"filter": [f"Unknown property {node.name!r}."]},
            )
        return
    children = getattr(node, "get_sub_nodes", None)
    for child in children() if children else []:
        if isinstance(child, list):
            for item in child:
                _check_names(item)
        else:
            _check_names(child)


def to_sql(
    parsed: Cql2Filter, spatial: SpatialSQL, geometry_column, filter_crs: str
) -> ColumnElement:
    """The filter as a condition on `sites`; geometries are moved from filter-crs to WGS 84."""
    evaluator = _SqlEvaluator(spatial, geometry_column, crs_module.canonical(filter_crs))
    try:
        return evaluator.evaluate(parsed.node)
    except InvalidInput:
        raise
    except NotImplementedError as exc:
        raise InvalidInput(
            f"filter uses something this server does not support: {exc}",
            {"filter": ["Unsupported operator or function."]},
        ) from exc


_Marker = str  # a queryable with no single column: "category", "name"


class _SqlEvaluator(Evaluator):
    def __init__(self, spatial: SpatialSQL, geometry_column, filter_crs: str) -> None:
        self.spatial = spatial
        self.geometry_column = geometry_column
        self.filter_crs = filter_crs

    # -- logic ----------------------------------------------------------------------

    @handle(ast.Not)
    def not_(self, node, sub):
        return not_(sub)

    @handle(ast.And)
    def and_(self, node, lhs, rhs):
        return and_(lhs, rhs)

    @handle(ast.Or)
    def or_(self, node, lhs, rhs):
        return or_(lhs, rhs)

    @handle(ast.Include)
    def include(self, node):
        return false() if node.not_ else true()

    # -- comparisons ----------------------------------------------------------------

    @handle(ast.Comparison, subclasses=True)
    def comparison(self, node, lhs, rhs):
        op = node.op.value
        if lhs == "category" or rhs == "category":
            value = rhs if lhs == "category" else lhs
            if op not in ("=", "<>"):
                raise InvalidInput(
                    "category takes =, <> and IN only.", {"filter": ["category: = <> IN only."]}
                )
            match = self._has_category([value])
            return match if op == "=" else not_(match)
        lhs, rhs = self._operands(lhs, rhs)
        operators = {
            "=": lambda a, b: a == b,
            "<>": lambda a, b: a != b,
            "<": lambda a, b: a < b,
            "<=": lambda a, b: a <= b,
            ">": lambda a, b: a > b,
            ">=": lambda a, b: a >= b,
        }
        return operators[op](lhs, rhs)

    @handle(ast.Between)
    def between(self, node, lhs, low, high):
        lhs, low = self._operands(lhs, low)
        _, high = self._operands(lhs, high)
        condition = and_(lhs >= low, lhs <= high)
        return not_(condition) if node.not_ else condition

    @handle(ast.Like)
    def like(self, node, lhs):
        pattern = node.pattern
        if not isinstance(pattern, str):
            raise NotImplementedError("LIKE takes a text pattern")
        # CQL2's wildcards are % and _ , as SQL's are.
        if lhs == "name":
            condition = Site.sort_name.like(fold(pattern), escape="\\")
        elif lhs == "category":
            raise InvalidInput("category takes =, <> and IN only.", {"filter": ["category."]})
        elif node.nocase:
            condition = func.lower(lhs).like(pattern.lower(), escape="\\")
        else:
            condition = lhs.like(pattern, escape="\\")
        return not_(condition) if node.not_ else condition

    @handle(ast.In)
    def in_(self, node, lhs, *options):
        if lhs == "category":
            condition = self._has_category(list(options))
        else:
            lhs, _ = self._operands(lhs, options[0] if options else None)
            condition = lhs.in_([self._operands(lhs, option)[1] for option in options])
        return not_(condition) if node.not_ else condition

    @handle(ast.IsNull)
    def null(self, node, lhs):
        if isinstance(lhs, str):
            raise InvalidInput(f"{lhs} is never null.", {"filter": [f"{lhs} IS NULL."]})
        condition = lhs.is_(None)
        return not_(condition) if node.not_ else condition

    # -- time ------------------------------------------------------------------------

    @handle(ast.TemporalPredicate, subclasses=True)
    def temporal(self, node, lhs, rhs):
        op = node.op.value
        if isinstance(rhs, tuple):  # an interval
            start, end = rhs
            if op in ("DURING", "TINTERSECTS", "INTERSECTS"):
                parts = [lhs >= start] if start is not None else []
                parts += [lhs <= end] if end is not None else []
                return and_(true(), *parts)
            if op == "BEFORE":
                return lhs < start if start is not None else false()
            if op == "AFTER":
                return lhs > end if end is not None else false()
        else:
            simple = {
                "BEFORE": lambda: lhs < rhs,
                "AFTER": lambda: lhs > rhs,
                "TEQUALS": lambda: lhs == rhs,
                "EQUALS": lambda: lhs == rhs,
                "TINTERSECTS": lambda: lhs == rhs,
                "INTERSECTS": lambda: lhs == rhs,
            }
            if op in simple:
                return simple[op]()
        raise NotImplementedError(f"temporal operator {op}")

    # -- space -----------------------------------------------------------------------

    @handle(ast.SpatialComparisonPredicate, subclasses=True)
    def spatial_operation(self, node, lhs, rhs):
        functions = {
            "INTERSECTS": func.ST_Intersects,
            "DISJOINT": func.ST_Disjoint,
            "CONTAINS": func.ST_Contains,
            "WITHIN": func.ST_Within,
            "TOUCHES": func.ST_Touches,
            "CROSSES": func.ST_Crosses,
            "OVERLAPS": func.ST_Overlaps,
            "EQUALS": func.ST_Equals,
        }
        function = functions.get(node.op.name)
        if function is None:
            raise NotImplementedError(f"spatial operator {node.op.name}")
        result = function(lhs, rhs)
        # SpatiaLite answers 1, 0 or -1 (undecidable): only 1 is true.
        return result == 1 if self.spatial.is_sqlite else result

    @handle(ast.BBox)
    def bbox(self, node, lhs):
        return self.spatial_operation(
            ast.GeometryIntersects(lhs, None),
            lhs,
            self._geometry(box(node.minx, node.miny, node.maxx, node.maxy)),
        )

    @handle(values.Geometry)
    def geometry(self, node):
        return self._geometry(shape(node.geometry))

    @handle(values.Envelope)
    def envelope(self, node):
        return self._geometry(box(node.x1, node.y1, node.x2, node.y2))

    @handle(ast.Function)
    def function(self, node, *arguments):
        name = node.name.lower()
        if name == "bbox" and len(arguments) in (4, 6):
            numbers = arguments if len(arguments) == 4 else (*arguments[:2], *arguments[3:5])
            return self._geometry(box(*numbers))
        if name in ("lower", "casei"):
            (argument,) = arguments
            if argument == "name" or isinstance(argument, str):
                return argument if argument == "name" else argument.lower()
            return func.lower(argument)
        if name == "accenti":
            (argument,) = arguments
            if argument == "name" or isinstance(argument, str):
                return argument
        raise NotImplementedError(f"function {node.name}")

    # -- names and values ------------------------------------------------------------

    @handle(ast.Attribute)
    def attribute(self, node):
        columns = {
            "id": Site.id,
            "slug": Site.slug,
            "kind": Site.kind,
            "admin_area": Site.admin_area,
            "province": Site.province_code,
            "is_zone": Site.is_zone,
            "updated_at": Site.updated_at,
            "published_at": Site.published_at,
            "geometry": self.geometry_column,
        }
        if node.name in ("name", "category"):
            return node.name
        return columns[node.name]

    @handle(values.Interval)
    def interval(self, node, start, end):
        return (_instant(start), _instant(end))

    @handle(str, int, float, bool, datetime, date, time)
    def literal(self, node):
        if isinstance(node, datetime | date):
            return _instant(node)
        return node

    # -- helpers ---------------------------------------------------------------------

    def _operands(self, lhs, rhs):
        """Columns compare with their values; `name` compares folded."""
        if lhs == "name":
            return Site.sort_name, fold(rhs) if isinstance(rhs, str) else rhs
        if rhs == "name":
            return fold(lhs) if isinstance(lhs, str) else lhs, Site.sort_name
        return lhs, rhs

    def _has_category(self, codes: list) -> ColumnElement:
        return exists().where(
            SiteCategory.site_id == Site.id, SiteCategory.category_code.in_([str(c) for c in codes])
        )

    def _geometry(self, geometry) -> ColumnElement:
        if self.filter_crs != crs_module.CRS84:
            geometry = shapely.transform(
                geometry, crs_module.transformer(self.filter_crs, crs_module.CRS84)
            )
        return self.spatial.geometry_from_wkb(shapely.to_wkb(geometry))


def _instant(value) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=UTC)
    return value


def for_search(parsed: Cql2Filter) -> ast.Node:
    """The filter as the search backends evaluate it (pygeofilter's Elasticsearch and native
    evaluators): `name` literals folded, as the indexed sort name is, and `BBOX(...)` written
    as an envelope, which those evaluators know."""
    return _normalised(parsed.node)


def _normalised(node):
    if isinstance(node, list):
        return [_normalised(item) for item in node]
    if isinstance(node, ast.Function) and node.name.lower() == "bbox":
        args = node.arguments
        if len(args) == 6:
            args = [args[0], args[1], args[3], args[4]]
        if len(args) == 4 and all(isinstance(a, int | float) for a in args):
            return values.Envelope(args[0], args[2], args[1], args[3])
    if not isinstance(node, ast.Node) or not dataclasses.is_dataclass(node):
        return node
    changes = {
        f.name: _normalised(getattr(node, f.name))
        for f in dataclasses.fields(node)
        if isinstance(getattr(node, f.name), ast.Node | list | values.Geometry)
    }
    names_name = any(
        isinstance(getattr(node, f.name, None), ast.Attribute)
        and getattr(node, f.name).name == "name"
        for f in dataclasses.fields(node)
    )
    if names_name:
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if f.name in ("rhs", "lhs", "pattern", "low", "high") and isinstance(value, str):
                changes[f.name] = fold(value)
            if f.name == "sub_nodes":
                changes[f.name] = [fold(v) if isinstance(v, str) else v for v in value]
    return dataclasses.replace(node, **changes) if changes else node
