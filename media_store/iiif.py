"""IIIF Image API 3.0 (level 2 features) over the stored originals.

Requests are parsed strictly and bounded: the output may not exceed
`max_width` x `max_height` pixels nor `max_area` pixels in all, so a request
for region 0,0,100000,100000 is cut to the image and a size like 99999, is
refused with 400 instead of rendering a gigapixel image.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from PIL import Image, ImageOps

from tourism_api.errors import DomainError

from .images import open_upright

QUALITIES = ("default", "color", "gray", "bitonal")
FORMATS = {
    "jpg": ("JPEG", "image/jpeg"),
    "png": ("PNG", "image/png"),
    "webp": ("WEBP", "image/webp"),
}
TILE = 512


class IIIFError(DomainError):
    """A request the Image API says to answer with 400 (or 404 for an unknown image)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message, {"iiif": [message]}, status=status)


@dataclass(frozen=True)
class Limits:
    max_width: int = 4096
    max_height: int = 4096
    max_area: int = 16_000_000


@dataclass(frozen=True)
class Request:
    region: tuple[int, int, int, int]  # x, y, w, h in full-image pixels
    size: tuple[int, int]
    mirror: bool
    rotation: int
    quality: str
    format: str

    def cache_name(self) -> str:
        x, y, w, h = self.region
        return f"iiif-{x}-{y}-{w}-{h}-{self.size[0]}x{self.size[1]}-{int(self.mirror)}{self.rotation}-{self.quality}.{self.format}"


_NUM = r"\d+(?:\.\d+)?"


def _region(text: str, width: int, height: int) -> tuple[int, int, int, int]:
    if text == "full":
        return 0, 0, width, height
    if text == "square":
        side = min(width, height)
        return (width - side) // 2, (height - side) // 2, side, side
    if match := re.fullmatch(rf"pct:({_NUM}),({_NUM}),({_NUM}),({_NUM})", text):
        px, py, pw, ph = (float(g) for g in match.groups())
        x, y, w, h = (
            round(px * width / 100),
            round(py * height / 100),
            round(pw * width / 100),
            round(ph * height / 100),
        )
    elif match := re.fullmatch(r"(\d+),(\d+),(\d+),(\d+)", text):
        x, y, w, h = (int(g) for g in match.groups())
    else:
        raise IIIFError(f"Invalid region {text!r}.")
    if w <= 0 or h <= 0:
        raise IIIFError("The region has no area.")
    if x >= width or y >= height:
        raise IIIFError("The region lies outside the image.")
    return x, y, min(w, width - x), min(h, height - y)


def _size(text: str, region_w: int, region_h: int, limits: Limits) -> tuple[int, int]:
    upscale = text.startswith("^")
    body = text[1:] if upscale else text
    aspect = region_w / region_h
    if body == "max":
        # The region at full size (^max: as large as allowed), within the server's limits.
        ceiling = float("inf") if upscale else 1.0
        scale = min(
            ceiling,
            limits.max_width / region_w,
            limits.max_height / region_h,
            (limits.max_area / (region_w * region_h)) ** 0.5,
        )
        return max(1, int(region_w * scale)), max(1, int(region_h * scale))
    if match := re.fullmatch(rf"pct:({_NUM})", body):
        pct = float(match.group(1))
        if pct <= 0 or (pct > 100 and not upscale):
            raise IIIFError("pct must be above 0, and at most 100 without ^.")
        w, h = max(1, round(region_w * pct / 100)), max(1, round(region_h * pct / 100))
    elif match := re.fullmatch(r"(\d+),", body):
        w = int(match.group(1))
        h = max(1, round(w / aspect))
    elif match := re.fullmatch(r",(\d+)", body):
        h = int(match.group(1))
        w = max(1, round(h * aspect))
    elif match := re.fullmatch(r"(!)?(\d+),(\d+)", body):
        bw, bh = int(match.group(2)), int(match.group(3))
        if match.group(1):
            # A box larger than the region asks for the best fit, which is the region itself
            # unless ^ allows upscaling: viewers ask for !1024,1024 whatever the photo's size.
            scale = min(bw / region_w, bh / region_h, float("inf") if upscale else 1.0)
            w, h = max(1, round(region_w * scale)), max(1, round(region_h * scale))
        else:
            w, h = bw, bh
    else:
        raise IIIFError(f"Invalid size {text!r}.")
    if w <= 0 or h <= 0:
        raise IIIFError("The size must be positive.")
    if not upscale and (w > region_w or h > region_h):
        raise IIIFError("Upscaling needs the ^ prefix.")
    if w > limits.max_width or h > limits.max_height or w * h > limits.max_area:
        raise IIIFError(
            f"{w}x{h} is larger than this server renders (at most {limits.max_width}x{limits.max_height}, "
            f"{limits.max_area} pixels)."
        )
    return w, h


def parse(
    region: str,
    size: str,
    rotation: str,
    quality_format: str,
    width: int,
    height: int,
    limits: Limits,
) -> Request:
    x, y, w, h = _region(region, width, height)
    out = _size(size, w, h, limits)
    match = re.fullmatch(r"(!)?(0|90|180|270)", rotation)
    if not match:
        raise IIIFError("Rotation is 0, 90, 180 or 270, optionally after ! to mirror.")
    quality, _, fmt = quality_format.rpartition(".")
    if quality not in QUALITIES:
        raise IIIFError(f"Quality is one of {', '.join(QUALITIES)}.")
    if fmt not in FORMATS:
        raise IIIFError(f"Format is one of {', '.join(FORMATS)}.")
    return Request((x, y, w, h), out, bool(match.group(1)), int(match.group(2)), quality, fmt)


def render(data: bytes, request: Request, width: int, height: int) -> bytes:
    x, y, w, h = request.region
    out_w, out_h = request.size
    # Let the JPEG decoder shrink while decoding when the output is much smaller.
    scale = max(w / out_w, h / out_h)
    draft = (max(1, int(width / scale)), max(1, int(height / scale))) if scale >= 2 else None
    image = open_upright(data, draft_to=draft)
    factor_x, factor_y = image.width / width, image.height / height
    box = (
        round(x * factor_x),
        round(y * factor_y),
        round((x + w) * factor_x),
        round((y + h) * factor_y),
    )
    image = image.resize((out_w, out_h), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
    if request.mirror:
        image = ImageOps.mirror(image)
    if request.rotation:
        image = image.rotate(-request.rotation, expand=True)
    if request.quality == "gray":
        image = image.convert("L")
    elif request.quality == "bitonal":
        image = image.convert("1")
    pil_format, _ = FORMATS[request.format]
    if pil_format == "JPEG" and image.mode not in ("RGB", "L", "1"):
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, pil_format, **({"quality": 85} if pil_format in ("JPEG", "WEBP") else {}))
    return out.getvalue()


def scale_factors(width: int, height: int) -> list[int]:
    """The tile pyramid's levels: halve until the whole image fits in about a tile."""
    factors = [1]
    while max(width, height) / (factors[-1] * 2) >= TILE / 2 and factors[-1] < 64:
        factors.append(factors[-1] * 2)
    return factors


def listed_sizes(width: int, height: int, limits: Limits) -> list[tuple[int, int]]:
    """The whole-image sizes info.json offers (one per pyramid level, within the limits)."""
    return [
        (max(1, width // f), max(1, height // f))
        for f in scale_factors(width, height)
        if width // f <= limits.max_width and height // f <= limits.max_height
    ]


def cacheable(request: Request, width: int, height: int, limits: Limits) -> bool:
    """Whether a render is one viewers ask for again and again: a tile of the pyramid or a
    size info.json lists, upright, in colour, as JPEG or WebP. Only these are kept, so the
    cache of one photo is bounded by its pyramid (about 4/3 of its pixels per format);
    any other region, size, rotation or quality is rendered for the request and dropped."""
    if request.rotation or request.mirror or request.quality not in ("default", "color"):
        return False
    if request.format not in ("jpg", "webp"):
        return False
    x, y, w, h = request.region
    if (x, y, w, h) == (0, 0, width, height) and request.size in listed_sizes(
        width, height, limits
    ):
        return True
    for factor in scale_factors(width, height):
        span = TILE * factor
        if x % span or y % span or (w, h) != (min(span, width - x), min(span, height - y)):
            continue
        if request.size == (-(-w // factor), -(-h // factor)):
            return True
    return False


def info(base_id: str, width: int, height: int, limits: Limits, rights: str | None = None) -> dict:
    body = {
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": base_id,
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": "level2",
        "width": width,
        "height": height,
        "maxWidth": limits.max_width,
        "maxHeight": limits.max_height,
        "maxArea": limits.max_area,
        "sizes": [{"width": w, "height": h} for w, h in listed_sizes(width, height, limits)],
        "tiles": [{"width": TILE, "scaleFactors": scale_factors(width, height)}],
        "extraQualities": ["color", "gray", "bitonal"],
        "extraFormats": ["png", "webp"],
        "extraFeatures": [
            "mirroring",
            "rotationBy90s",
            "regionByPct",
            "sizeByPct",
            "sizeByConfinedWh",
            "sizeUpscaling",
        ],
    }
    if rights:
        body["rights"] = rights
    return body


CC_URLS = {
    "CC0-1.0": "http://creativecommons.org/publicdomain/zero/1.0/",
    "PDM-1.0": "http://creativecommons.org/publicdomain/mark/1.0/",
}


def rights_url(licence: str | None) -> str | None:
    """The Creative Commons URL IIIF's `rights` wants, for a CC licence id."""
    if not licence:
        return None
    if licence in CC_URLS:
        return CC_URLS[licence]
    match = re.fullmatch(r"CC-(BY(?:-SA|-ND|-NC|-NC-SA|-NC-ND)?)-([1-4]\.0)", licence)
    if match:
        return f"http://creativecommons.org/licenses/{match.group(1).lower()}/{match.group(2)}/"
    return None
