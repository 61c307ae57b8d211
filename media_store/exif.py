"""What the original's EXIF tells staff: when and where it was taken, with which camera."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from PIL import ExifTags, Image

GPS_IFD = 0x8825
EXIF_IFD = 0x8769


@dataclass
class PhotoFacts:
    taken_at: str | None = None  # ISO 8601, camera local time (EXIF has no zone)
    lat: float | None = None
    lon: float | None = None
    camera: str | None = None
    tags: dict | None = None  # every readable tag, for staff only


def _degrees(value, ref: str | None) -> float | None:
    try:
        d, m, s = (float(x) for x in value)
    except (TypeError, ValueError):
        return None
    result = d + m / 60 + s / 3600
    return -result if ref in ("S", "W") else result


def _plain(value):
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").strip("\x00 ")
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "numerator"):
        return float(value)
    return value if isinstance(value, int | float | str) else str(value)


def read_facts(data: bytes) -> PhotoFacts:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    facts = PhotoFacts(tags={})
    if not exif:
        return facts
    sub = exif.get_ifd(EXIF_IFD)
    gps = exif.get_ifd(GPS_IFD)
    for source in (exif, sub):
        for tag, value in source.items():
            if tag in (GPS_IFD, EXIF_IFD):
                continue
            facts.tags[ExifTags.TAGS.get(tag, str(tag))] = _plain(value)
    for tag, value in gps.items():
        facts.tags["GPS" + ExifTags.GPSTAGS.get(tag, str(tag))] = _plain(value)
    raw_date = sub.get(0x9003) or exif.get(0x0132)
    if raw_date:
        try:
            facts.taken_at = datetime.strptime(
                str(raw_date).strip("\x00 "), "%Y:%m:%d %H:%M:%S"
            ).isoformat()
        except ValueError:
            facts.taken_at = None
    if 2 in gps and 4 in gps:
        lat = _degrees(gps[2], gps.get(1))
        lon = _degrees(gps[4], gps.get(3))
        if (
            lat is not None
            and lon is not None
            and -90 <= lat <= 90
            and -180 <= lon <= 180
            and (lat, lon) != (0, 0)
        ):
            facts.lat, facts.lon = round(lat, 7), round(lon, 7)
    make, model = exif.get(0x010F), exif.get(0x0110)
    camera = " ".join(str(p).strip("\x00 ") for p in (make, model) if p)
    facts.camera = camera or None
    return facts
