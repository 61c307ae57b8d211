"""Headers every answer carries so browsers do not guess, frame or run what they should not."""

from __future__ import annotations

from flask import Flask, Response

# Pages (only /docs today) load scripts, styles and images from this server alone;
# Swagger UI needs inline styles and data: images, nothing else.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "form-action 'self'; object-src 'none'"
)


def _apply(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CSP)
    else:
        # JSON and images are never documents: nothing in them may run or be framed.
        headers.setdefault("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
    return response


def register(app: Flask) -> None:
    app.after_request(_apply)
