"""/explore: the tourists' app shell and a page per site, on the same services as the API.

Pages are rendered on the server (so the first view needs no script and is indexable, with
its schema.org JSON-LD), then a small script adds the map (the API's own vector tiles
through Leaflet.VectorGrid), suggestions as you type, "near me" and filters. A service
worker keeps the shell, the pages and the tiles already seen for when the signal goes.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask import Blueprint, Response, g, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from ..api.context import services
from ..api.negotiation import preferred_languages, public_base
from ..catalogue.opening_hours import DAYS
from ..catalogue.records import public_view
from ..catalogue.schema_org import site_jsonld
from ..catalogue.taxonomy import KINDS
from ..errors import DomainError
from ..services.reports import CATEGORIES
from . import words

HERE = Path(__file__).parent
LANGUAGES = ("vi", "en", "fr")
COOKIE = "explore_lang"
# The tourist's first view: what is near Huế's centre, until they say where they are.
HOME = (107.5909, 16.4637)
HOME_RADIUS_M = 15_000
# A site page lists its events of the coming two months.
EVENT_DAYS = 60

blp = Blueprint(
    "explore",
    __name__,
    url_prefix="/explore",
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/static",
)


def language() -> str:
    """?lang= (remembered in a cookie), else the cookie, else the browser's languages."""
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        return chosen
    chosen = request.cookies.get(COOKIE)
    if chosen in LANGUAGES:
        return chosen
    return request.accept_languages.best_match(LANGUAGES) or "vi"


def _preferred() -> tuple[str, ...]:
    """The page language first, then the browser's own order for what a record lacks."""
    return tuple(dict.fromkeys([str(get_locale()), *preferred_languages(None)]))


@blp.after_request
def _remember(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        response.set_cookie(COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax")
    response.headers.setdefault("Vary", "Accept-Language, Cookie")
    return response


@blp.context_processor
def _context() -> dict:
    settings = services().settings
    return {
        "lang": str(get_locale()),
        "languages": LANGUAGES,
        # "none": no base map (an intranet, a kiosk, a benchmark); the sites still show.
        "map_tiles": "" if settings.map_tiles_url in ("none", "off") else settings.map_tiles_url,
        "map_attribution": settings.map_attribution,
        "strings": _client_strings(),
        "words": words,
    }


def _client_strings() -> dict:
    """What the script writes on the page, translated here (no i18n library in the app)."""
    return {
        "open": _("Open"),
        "closed": _("Closed"),
        "unknown": _("Hours unknown"),
        "noResults": _("Nothing found here. Try another word or a wider area."),
        "nearMe": _("Near me"),
        "locating": _("Finding where you are…"),
        "noLocation": _("Your location is not available; showing Huế."),
        "offline": _("You are offline: showing what was saved on this phone."),
        "km": _("km"),
        "m": _("m"),
        "mapUnavailable": _("The base map cannot load; the sites are still shown."),
    }


def _site_summary(view: dict) -> dict:
    return {
        "slug": view["slug"],
        "kind": view["kind"],
        "name": view["display"]["name"],
        "name_lang": view["display"]["lang"],
        "short": view["display"]["short_description"],
        "short_lang": view["display"].get("short_description_lang"),
        "open_now": view.get("open_now"),
        "distance_m": view.get("distance_m"),
        "image": (view.get("image") or {}).get("thumbnail"),
        "lon": view["location"]["coordinates"][0],
        "lat": view["location"]["coordinates"][1],
    }


@blp.route("/", methods=["GET"])
def app_shell():
    """The map and the list; the first page of results is in the HTML already."""
    svc = services()
    params = {"lon": HOME[0], "lat": HOME[1], "radius": HOME_RADIUS_M, "limit": 20}
    try:
        page = svc.listing.search(params, preferred=_preferred())
        first = [_site_summary(v) for v in page.items]
    except DomainError:  # the search engine is down: the script will retry
        first = []
    return render_template(
        "explore/app.html",
        sites=first,
        kinds=sorted(KINDS),
        categories=svc.taxonomy.categories(),
        home=HOME,
    )


@blp.route("/plan", methods=["GET"])
def plan():
    """Plan my day: pick sites (or none, for suggestions), a start time, hours and a way of
    getting around; the plan comes from POST /v1/itineraries and is drawn on the map."""
    svc = services()
    params = {"lon": HOME[0], "lat": HOME[1], "radius": 40_000, "limit": svc.settings.max_page_size}
    try:
        sites = [_site_summary(v) for v in svc.listing.search(params, preferred=_preferred()).items]
    except DomainError:
        sites = []
    return render_template(
        "explore/plan.html",
        sites=sorted(sites, key=lambda s: s["name"] or ""),
        chosen=set(request.args.getlist("sites")),
        home=HOME,
        plan_strings={
            "minutes": _("min of travel"),
            "back": _("Back at"),
            "nothing": _("No site fits in this time."),
            "offline": _("You are offline: plans need the network."),
        },
    )


@blp.route("/sites/<string:ref>", methods=["GET"])
def site_page(ref: str):
    svc = services()
    site = svc.catalogue.get_site(ref)
    if ref != site.slug:
        kept = {k: v for k, v in request.args.items() if k != "ref" and not k.startswith("_")}
        return redirect(url_for("explore.site_page", ref=site.slug, **kept), code=301)
    now = datetime.now(UTC)
    view = public_view(
        site,
        preferred=_preferred(),
        languages=svc.settings.languages,
        now=now,
        staff=False,
        with_hours_now=True,
    )
    today = svc.events.today()
    events, _next = svc.events.find(
        {"from": today, "to": today + timedelta(days=EVENT_DAYS), "limit": 10},
        preferred=_preferred(),
        site_ref=site.id,
    )
    # The site is published (get_site found it), so its photos are everyone's.
    photos = svc.media.list_for_site(site.id, staff=False)
    return render_template(
        "explore/site.html",
        site=view,
        jsonld=site_jsonld(site, public_base(), svc.settings.default_timezone),
        events=events,
        photos=photos,
        days=DAYS,
        hours_text=_hours_text(view.get("hours_now") or {}, view.get("opening_hours")),
        categories=CATEGORIES,
        reported=request.args.get("reported") == "1",
    )


def _hours_text(now: dict, hours: dict | None) -> str:
    """Today's state in words: "Open · closes at 17:30", "Closed for Tết · opens ..."."""
    if now.get("open") is None:
        return _("Opening hours unknown")
    change = now.get("next_change")
    when = ""
    if change:
        moment = datetime.fromisoformat(change)
        today = datetime.now(moment.tzinfo).date()
        clock = moment.strftime("%H:%M")
        if moment.date() == today:
            when = clock
        elif moment.date() == today + timedelta(days=1):
            when = _("tomorrow at %(time)s", time=clock)
        else:
            when = moment.strftime("%Y-%m-%d %H:%M")
    if now["open"]:
        return _("Open · closes at %(time)s", time=when) if when else _("Open")
    reason = now.get("closed_for") or {}
    why = reason.get(str(get_locale())) or next(iter(reason.values()), "")
    head = _("Closed for %(reason)s", reason=why) if why else _("Closed")
    return f"{head} · " + _("opens %(when)s", when=when) if when else head


@blp.route("/sites/<string:ref>/report", methods=["POST"])
def report(ref: str):
    """The report form without a script: the same service as the API, then back."""
    svc = services()
    form = request.form
    body = {k: form.get(k, "") for k in ("category", "text", "contact", "website")}
    body["lang"] = str(get_locale())
    upload = request.files.get("photo")
    photo = upload.read() if upload is not None and upload.filename else None
    svc.reports.submit(ref, body, photo, request.remote_addr or "")
    return redirect(url_for("explore.site_page", ref=ref, reported=1) + "#report", code=303)


@blp.errorhandler(DomainError)
def _error_page(error: DomainError):
    """A tourist gets a page, not JSON: what went wrong, and the way back."""
    return render_template("explore/error.html", error=error), error.status


@blp.route("/manifest.webmanifest", methods=["GET"])
def manifest():
    body = {
        "name": _("Heritage of Huế, Vĩnh Long and Ninh Bình"),
        "short_name": _("Heritage"),
        "start_url": url_for("explore.app_shell"),
        "scope": url_for("explore.app_shell"),
        "display": "standalone",
        "background_color": "#fbf8f1",
        "theme_color": "#7a1f1f",
        "lang": str(get_locale()),
        "icons": [
            {
                "src": url_for("explore.static", filename=f"icon-{size}.png"),
                "sizes": f"{size}x{size}",
                "type": "image/png",
                "purpose": "any maskable",
            }
            for size in (192, 512)
        ],
    }
    response = Response(json.dumps(body, ensure_ascii=False), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@blp.route("/sw.js", methods=["GET"])
def service_worker():
    """Served from /explore/ so it may control every page of the app."""
    script = (HERE / "static" / "sw.js").read_text()
    response = Response(script.replace("__VERSION__", _asset_version()), mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/explore/"
    # The worker fetches from this server only (the page's own policy governs the rest).
    response.headers["Content-Security-Policy"] = "default-src 'self'"
    return response


def _asset_version() -> str:
    """Changes whenever a static file of the app changes: the worker then refreshes its
    cache of the shell."""
    if "explore_assets" not in g:
        stamps = [p.stat().st_mtime_ns for p in (HERE / "static").rglob("*") if p.is_file()]
        g.explore_assets = str(max(stamps, default=0) % 10**10)
    return g.explore_assets
