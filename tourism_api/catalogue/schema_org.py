"""A site as schema.org JSON-LD, for search engines and linked-data clients.

Every site is a `TouristAttraction`, plus the schema.org type its kind corresponds to (a
pagoda is a `BuddhistTemple`, a museum a `Museum`). Texts keep every language with its
`@language`, photos carry their licence and creator, closures become special opening hours
(opens = closes = 00:00 is schema.org's "closed that day").
"""

from __future__ import annotations

from datetime import date, timedelta

from media_store.iiif import rights_url

from .events import moments, occurrences
from .geometry import geojson_from_db
from .models import Site
from .opening_hours import DAYS, closure_dates

CONTEXT = "https://schema.org"

# Our kinds and the schema.org type beside TouristAttraction (None: that one alone).
TYPES: dict[str, str | None] = {
    "monument": "LandmarksOrHistoricalBuildings",
    "citadel": "LandmarksOrHistoricalBuildings",
    "palace": "LandmarksOrHistoricalBuildings",
    "tomb": "LandmarksOrHistoricalBuildings",
    "pagoda": "BuddhistTemple",
    "temple": "PlaceOfWorship",
    "church": "Church",
    "museum": "Museum",
    "archaeological_site": "LandmarksOrHistoricalBuildings",
    "heritage_site": "LandmarksOrHistoricalBuildings",
    "heritage_zone": "LandmarksOrHistoricalBuildings",
    "protected_area": "Park",
    "landscape": "Landform",
    "craft_village": "Place",
    "market": "LocalBusiness",
    "route": None,
    "tourist_service": "LocalBusiness",
    "other": None,
}
_DAY_NAMES = dict(
    zip(
        DAYS,
        ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
        strict=True,
    )
)


def _texts(values: dict | None) -> list[dict]:
    return [{"@value": text, "@language": lang} for lang, text in (values or {}).items() if text]


def _opening_hours(hours: dict | None) -> tuple[list[dict], list[dict]]:
    if not hours:
        return [], []
    weekly = [
        {
            "@type": "OpeningHoursSpecification",
            "dayOfWeek": f"https://schema.org/{_DAY_NAMES[day]}",
            "opens": interval["opens"],
            "closes": interval["closes"],
        }
        for day in DAYS
        for interval in (hours.get("weekly") or {}).get(day, [])
    ]
    closures = [
        {
            "@type": "OpeningHoursSpecification",
            "validFrom": start.isoformat(),
            "validThrough": end.isoformat(),
            "opens": "00:00",
            "closes": "00:00",
            **({"description": _texts(reason)} if reason else {}),
        }
        # Lunar closures as their solar dates this year and next.
        for start, end, reason in closure_dates(hours, date.today())
    ]
    return weekly, closures


def _address(address: dict, admin_area: str | None) -> dict | None:
    fields = {
        "streetAddress": address.get("street"),
        "addressLocality": address.get("ward") or address.get("district"),
        "addressRegion": address.get("province") or admin_area,
        "postalCode": address.get("postal_code"),
        "addressCountry": address.get("country"),
    }
    kept = {k: v for k, v in fields.items() if v}
    return {"@type": "PostalAddress", **kept} if kept else None


def _images(site: Site, base_url: str) -> list[dict]:
    images = []
    for media in sorted(site.media, key=lambda m: (not m.is_primary, m.position)):
        image = {
            "@type": "ImageObject",
            "contentUrl": f"{base_url}/iiif/3/{media.id}/full/max/0/default.jpg",
            "thumbnailUrl": f"{base_url}/v1/media/{media.id}/thumb.jpg",
            "width": media.width,
            "height": media.height,
        }
        if media.caption:
            image["caption"] = _texts(media.caption)
        if media.licence:
            image["license"] = rights_url(media.licence) or media.licence
        if media.creator:
            image["creator"] = {"@type": "Person", "name": media.creator}
        if media.attribution:
            image["creditText"] = media.attribution
        images.append(image)
    return images


def _shape(site: Site) -> dict | None:
    """A zone's outline as a schema.org GeoShape ("lat lon lat lon ..." of the outer ring)."""
    footprint = geojson_from_db(site.footprint)
    if not footprint or footprint["type"] not in ("Polygon", "MultiPolygon"):
        return None
    ring = footprint["coordinates"][0]
    if footprint["type"] == "MultiPolygon":
        ring = ring[0]
    return {"@type": "GeoShape", "polygon": " ".join(f"{lat} {lon}" for lon, lat in ring)}


# Upcoming occurrences given as schema.org Events (lunar dates have no schema.org
# recurrence rule, so each occurrence is its own Event with solar dates).
UPCOMING_EVENTS = 6


def _events(site: Site, site_id: str, default_zone: str) -> list[dict]:
    today = date.today()
    found = []
    for event in site.events or []:
        for occurrence in occurrences(event, today, today + timedelta(days=366)):
            starts, ends = moments(event, occurrence, default_zone)
            found.append((starts, event, ends))
    found.sort(key=lambda item: item[0])
    documents = []
    for starts, event, ends in found[:UPCOMING_EVENTS]:
        document = {
            "@type": "Event",
            "name": _texts(event.get("name")),
            "startDate": starts,
            "endDate": ends,
            "eventAttendanceMode": "https://schema.org/OfflineEventAttendanceMode",
            "location": {"@id": site_id},
        }
        if event.get("description"):
            document["description"] = _texts(event["description"])
        if event.get("url"):
            document["url"] = event["url"]
        documents.append(document)
    return documents


def site_jsonld(site: Site, base_url: str, default_zone: str = "Asia/Ho_Chi_Minh") -> dict:
    """`base_url` is the API's public root (no trailing slash); ids and links are absolute."""
    point = geojson_from_db(site.location)
    specific = TYPES.get(site.kind)
    document: dict = {
        "@context": CONTEXT,
        "@type": ["TouristAttraction", specific] if specific else "TouristAttraction",
        "@id": f"{base_url}/v1/sites/{site.id}",
        "identifier": site.id,
        "url": f"{base_url}/collections/sites/items/{site.id}?f=html",
        "name": _texts(site.name),
        "geo": {
            "@type": "GeoCoordinates",
            "latitude": point["coordinates"][1],
            "longitude": point["coordinates"][0],
        },
        "dateModified": site.updated_at.isoformat(),
    }
    if site.aliases:
        document["alternateName"] = site.aliases
    description = site.short_description or site.description
    if description:
        document["description"] = _texts(description)
    shape = _shape(site)
    if shape:
        document["geo"] = [document["geo"], shape]
    address = _address(site.address or {}, site.admin_area)
    if address:
        document["address"] = address
    weekly, closures = _opening_hours(site.opening_hours)
    if (site.opening_hours or {}).get("osm"):
        # schema.org's openingHours text is OSM's syntax for the common cases.
        document["openingHours"] = site.opening_hours["osm"]
    elif weekly:
        document["openingHoursSpecification"] = weekly
    if closures:
        document["specialOpeningHoursSpecification"] = closures
    admission = site.admission or {}
    if "free" in admission:
        document["isAccessibleForFree"] = bool(admission["free"])
    wheelchair = (site.accessibility or {}).get("wheelchair")
    if wheelchair and wheelchair != "unknown":
        document["amenityFeature"] = [
            {
                "@type": "LocationFeatureSpecification",
                "name": "Wheelchair access",
                "value": {"yes": True, "no": False}.get(wheelchair, wheelchair),
            }
        ]
    contact = site.contact or {}
    for ours, theirs in (("phone", "telephone"), ("email", "email")):
        if contact.get(ours):
            document[theirs] = contact[ours]
    # A source's page about this very record (its id in the URL), not a list it came from.
    same_as = [s.url for s in site.sources if s.url and s.source_id in s.url] + (
        [contact["website"]] if contact.get("website") else []
    )
    if same_as:
        document["sameAs"] = same_as
    images = _images(site, base_url)
    if images:
        document["image"] = images
    events = _events(site, document["@id"], default_zone)
    if events:
        document["event"] = events
    return document
