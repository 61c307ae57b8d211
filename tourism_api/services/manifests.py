"""A site's photos as a IIIF Presentation 3.0 manifest, with labels in every language,
rights and navPlace (the site's point), so IIIF viewers show them with no glue."""

from __future__ import annotations

from media_store.iiif import rights_url

from ..catalogue.geometry import geojson_from_db
from ..catalogue.models import Media, Site


def _thumbnail(base_url: str, photo: Media) -> list[dict]:
    return [
        {
            "id": f"{base_url}/v1/media/{photo.id}/thumb.jpg",
            "type": "Image",
            "format": "image/jpeg",
        }
    ]


def _canvas(base_url: str, manifest_base: str, index: int, photo: Media) -> dict:
    canvas_id = f"{manifest_base}/canvas/{index}"
    service = f"{base_url}/iiif/3/{photo.id}"
    canvas = {
        "id": canvas_id,
        "type": "Canvas",
        "label": {lang: [text] for lang, text in (photo.caption or {}).items()}
        or {"none": [f"{index}"]},
        "width": photo.width,
        "height": photo.height,
        "thumbnail": _thumbnail(base_url, photo),
        "items": [
            {
                "id": f"{canvas_id}/page",
                "type": "AnnotationPage",
                "items": [
                    {
                        "id": f"{canvas_id}/page/painting",
                        "type": "Annotation",
                        "motivation": "painting",
                        "target": canvas_id,
                        "body": {
                            "id": f"{service}/full/max/0/default.jpg",
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": photo.width,
                            "height": photo.height,
                            "service": [
                                {"id": service, "type": "ImageService3", "profile": "level2"}
                            ],
                        },
                    }
                ],
            }
        ],
    }
    statement = " · ".join(p for p in (photo.creator, photo.attribution, photo.licence) if p)
    if statement:
        canvas["requiredStatement"] = {
            "label": {"en": ["Attribution"]},
            "value": {"none": [statement]},
        }
    if rights_url(photo.licence):
        canvas["rights"] = rights_url(photo.licence)
    return canvas


def site_manifest(site: Site, photos: list[Media], base_url: str) -> dict:
    """`base_url` is the API's public root (no trailing slash); every id is absolute."""
    manifest_base = f"{base_url}/iiif/3/sites/{site.id}"
    label = {lang: [text] for lang, text in site.name.items()}
    body: dict = {
        "@context": [
            "http://iiif.io/api/extension/navplace/context.json",
            "http://iiif.io/api/presentation/3/context.json",
        ],
        "id": f"{manifest_base}/manifest",
        "type": "Manifest",
        "label": label,
    }
    summary = {lang: [text] for lang, text in (site.short_description or {}).items()}
    if summary:
        body["summary"] = summary
    body["homepage"] = [
        {
            "id": f"{base_url}/v1/sites/{site.id}",
            "type": "Text",
            "label": label,
            "format": "application/json",
        }
    ]
    body["navPlace"] = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"label": label},
                # The footprint when there is one: viewers draw the zone, not a pin.
                "geometry": geojson_from_db(site.footprint or site.location),
            }
        ],
    }
    body["items"] = [
        _canvas(base_url, manifest_base, index, photo)
        for index, photo in enumerate(photos, start=1)
    ]
    primary = next((p for p in photos if p.is_primary), None)
    if primary is not None:
        body["thumbnail"] = _thumbnail(base_url, primary)
    licences = {p.licence for p in photos if p.licence}
    if len(licences) == 1 and rights_url(next(iter(licences))):
        body["rights"] = rights_url(next(iter(licences)))
    return body
