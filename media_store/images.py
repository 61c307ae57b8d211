"""Opening untrusted image bytes safely, and making the derivatives tourists download.

The format is read from the bytes (never from the file name or content type);
size and pixel count are checked from the header before anything is decoded,
so a small file claiming a gigapixel image is refused without allocating it;
the image is then fully decoded once, which exposes truncated and corrupt files.
EXIF orientation is applied first of all. Derivatives are written without EXIF
(no GPS, no camera serial), while the untouched original stays for staff.
"""

from __future__ import annotations

import io
import os
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from PIL import Image, ImageOps, UnidentifiedImageError

from tourism_api.errors import InvalidInput

try:  # HEIC/HEIF from phones, when the pillow-heif wheel is installed
    from pillow_heif import register_heif_opener

    register_heif_opener()
    HEIF = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF = False

ACCEPTED = {
    "JPEG": "image/jpeg",
    "MPO": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "TIFF": "image/tiff",
}
if HEIF:
    ACCEPTED["HEIF"] = "image/heic"
SUPPORTED_NAMES = "JPEG, PNG, WebP, TIFF" + (", HEIC" if HEIF else "")

# Longest side of each derivative, in pixels.
SIZES = {"thumb": 320, "medium": 1024, "large": 2048}
FORMATS = {"webp": ("WEBP", "image/webp"), "jpg": ("JPEG", "image/jpeg")}
QUALITY = {"webp": 80, "jpg": 85}
# WebP effort per size: the most on thumbnails (bytes matter most on a phone, and they
# are quick to encode), the least on large ones (method 6 would take 5x as long).
WEBP_METHOD = {"thumb": 6, "medium": 4, "large": 2}

# Pillow's own bomb check stops at twice its limit; ours comes earlier and says why.
Image.MAX_IMAGE_PIXELS = None


class ImageRejected(InvalidInput):
    """An upload that is not an acceptable image; `status` is the HTTP status to answer
    (413 too large, 415 not an accepted format, 422 otherwise), blamed on the `file` part."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message, {"file": [message]}, status=status)


@dataclass(frozen=True)
class Inspected:
    format: str
    mime: str
    width: int  # as displayed, after EXIF orientation
    height: int
    orientation: int
    # The fully decoded image, upright, in RGB(A): derivatives reuse it instead of decoding again.
    image: Image.Image = field(repr=False, compare=False)


def inspect(data: bytes, *, max_bytes: int, max_pixels: int) -> Inspected:
    """Check untrusted bytes; raise ImageRejected with a reason a person can act on."""
    if not data:
        raise ImageRejected("The file is empty.")
    if len(data) > max_bytes:
        raise ImageRejected(
            f"The file is {len(data) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB.", 413
        )
    head = data[:512].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml", b"<!doctype svg")):
        raise ImageRejected(
            f"SVG is not accepted (it can carry scripts); send {SUPPORTED_NAMES}.", 415
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
    except UnidentifiedImageError as exc:
        raise ImageRejected(
            f"This is not an image in a supported format; send {SUPPORTED_NAMES}.", 415
        ) from exc
    if image.format not in ACCEPTED:
        raise ImageRejected(f"{image.format} images are not accepted; send {SUPPORTED_NAMES}.", 415)
    width, height = image.size
    if width * height > max_pixels:
        raise ImageRejected(
            f"The image is {width}x{height} ({width * height / 1e6:.0f} megapixels); "
            f"the limit is {max_pixels / 1e6:.0f} megapixels."
        )
    try:
        image.load()  # decodes everything: truncated or corrupt data fails here
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageRejected(f"The image is truncated or corrupt ({exc}).") from exc
    orientation = image.getexif().get(0x0112, 1)
    if orientation in (5, 6, 7, 8):
        width, height = height, width
    return Inspected(
        image.format, ACCEPTED[image.format], width, height, orientation, _upright(image)
    )


def open_upright(
    data: bytes, *, draft_to: tuple[int, int] | None = None, longest: int | None = None
) -> Image.Image:
    """Decode an already inspected image, EXIF orientation applied, in RGB(A).

    `draft_to` lets the JPEG decoder scale by 1/2, 1/4 or 1/8 while decoding
    (draft mode), much cheaper than decoding every pixel and shrinking after.
    `longest` does the same for a copy that long on its long side: the box keeps the
    photo's proportions, since a square one would let the short side stop the scaling
    (a 48-megapixel photo's large copy is then decoded from a quarter of its pixels).
    """
    image = Image.open(io.BytesIO(data))
    if longest and image.format in ("JPEG", "MPO"):
        width, height = image.size  # as stored; the long side is long either way up
        if width >= height:
            image.draft("RGB", (longest, max(1, height * longest // width)))
        else:
            image.draft("RGB", (max(1, width * longest // height), longest))
    elif draft_to and image.format in ("JPEG", "MPO"):
        orientation = image.getexif().get(0x0112, 1)
        target = draft_to if orientation not in (5, 6, 7, 8) else (draft_to[1], draft_to[0])
        image.draft("RGB", target)
    return _upright(image)


def _upright(image: Image.Image) -> Image.Image:
    # In place: the image was just opened here, and a copy of 12 megapixels when there is
    # nothing to turn (most photos) costs as much as a third of encoding the thumbnail.
    ImageOps.exif_transpose(image, in_place=True)
    if image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB")
    return image


def encode(image: Image.Image, fmt: str, size: str = "medium") -> bytes:
    """Encode without any metadata: no EXIF (GPS, serials), no XMP."""
    pil_format, _mime = FORMATS[fmt]
    if pil_format == "JPEG" and image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": QUALITY[fmt]}
    if pil_format == "JPEG":
        options.update(optimize=True, progressive=True)
    else:
        options.update(method=WEBP_METHOD.get(size, 4))
    image.save(out, pil_format, **options)
    return out.getvalue()


def shrink(image: Image.Image, longest: int) -> Image.Image:
    """An image no longer than `longest` on either side (never enlarged; the image itself
    when it already fits); the one resampler every derivative goes through, so a thumbnail
    looks the same however it was made. Bicubic, as Pillow's own thumbnails: a third
    cheaper than Lanczos on a 12-megapixel photo, and at these reductions it looks the same.
    Resized straight from the source, without first copying it as thumbnail() would."""
    width, height = image.size
    scale = longest / max(width, height)
    if scale >= 1:
        return image
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return image.resize(size, Image.Resampling.BICUBIC, reducing_gap=2.0)


# Pillow lets go of the GIL while it encodes and resamples, so a photo's copies can use a
# second core. One small pool per process (a pool's threads do not survive a fork).
ENCODER_THREADS = 2
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _encoders() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            pool = ThreadPoolExecutor(ENCODER_THREADS, thread_name_prefix="photo-copies")
            _pool = (os.getpid(), pool)
        return _pool[1]


def derivatives(image: Image.Image) -> dict[str, bytes]:
    """Every size in every format (`thumb.webp`...) from one decoded, upright image;
    each size is made from the next larger one, which is cheaper and looks the same.

    A size's encodes run on the pool while the next size is shrunk: on two cores a
    12-megapixel photo's six copies take about half the time. Each encode gets its own
    copy of the image, since saving sets attributes on the image it saves."""
    pool = _encoders()
    pending = {}
    for size, longest in sorted(SIZES.items(), key=lambda item: -item[1]):
        image = shrink(image, longest)
        for fmt in FORMATS:
            pending[f"{size}.{fmt}"] = pool.submit(encode, image.copy(), fmt, size)
    return {name: future.result() for name, future in pending.items()}


def derivative(data: bytes, size: str, fmt: str) -> bytes:
    """One derivative from stored bytes (for photos stored before a size existed)."""
    longest = SIZES[size]
    return encode(shrink(open_upright(data, longest=longest), longest), fmt, size)


def dhash(source: bytes | Image.Image) -> str:
    """A 64-bit difference hash: near-identical photos differ in few bits."""
    image = source if isinstance(source, Image.Image) else open_upright(source, draft_to=(64, 64))
    image = image.convert("L").resize((9, 8), Image.Resampling.LANCZOS, reducing_gap=2.0)
    pixels = image.tobytes()  # one byte per pixel in mode L
    bits = 0
    for row in range(8):
        for col in range(8):
            bits = (bits << 1) | (pixels[row * 9 + col] > pixels[row * 9 + col + 1])
    return f"{bits:016x}"


def hamming(a: str, b: str) -> int:
    return bin(int(a, 16) ^ int(b, 16)).count("1")
