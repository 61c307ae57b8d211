"""Real photos from the fixtures and generated bad images."""

import io
import struct
import zlib
from pathlib import Path

from PIL import Image

FIXTURES = Path(__file__).parent / "fixtures"


def post_photo(client, headers, site, data, name="photo.jpg", **fields):
    """Upload bytes as a site's photo, as a staff form would, with any other form fields."""
    form = {"file": (io.BytesIO(data), name), **{k: str(v) for k, v in fields.items()}}
    return client.post(
        f"/v1/sites/{site}/media", data=form, headers=headers, content_type="multipart/form-data"
    )


def photo(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A valid PNG header claiming a huge image, with a tiny compressed body."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024, 9)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    )


def generated_jpeg(width: int = 1200, height: int = 800, color=(180, 120, 60)) -> bytes:
    image = Image.new("RGB", (width, height), color)
    for x in range(0, width, 40):  # some structure, so hashes are not all equal
        image.paste((x % 255, 40, 200), (x, 0, x + 10, height))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)
