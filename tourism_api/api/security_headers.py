"""Headers every answer carries so browsers do not guess, frame or run what they should not."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

# Pages (/docs and the staff workspace) load scripts, styles and images from this server
# alone, plus the base map's tiles; Swagger UI and the map library need inline styles and
# data: images, nothing else.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:{tiles}; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)


def tile_source(url: str) -> str:
    """The CSP source of a tile URL template: its origin, with a `{s}` subdomain as `*`."""
    parts = urlsplit(url.replace("{s}", "*"))
    if not parts.scheme or not parts.netloc or "{" in parts.netloc:
        return ""
    return f"{parts.scheme}://{parts.netloc}"


def register(app: Flask, map_tiles_url: str = "") -> None:
    tiles = tile_source(map_tiles_url)
    page_policy = CSP.format(tiles=f" {tiles}" if tiles else "")

    @app.after_request
    def _apply(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", page_policy)
        else:
            # JSON and images are never documents: nothing in them may run or be framed.
            headers.setdefault(
                "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"
            )
        return response
