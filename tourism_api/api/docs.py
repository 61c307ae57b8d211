"""/docs: Swagger UI served from the swagger-ui-bundle-v2 package (never a CDN: the page
works offline and under a strict CSP), initialised by a script file, not inline."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, render_template, send_from_directory
from swagger_ui_bundle import swagger_ui_path

from ..version import API_TITLE

ASSETS = {"swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js"}
HERE = Path(__file__).parent

blp = Blueprint(
    "docs",
    __name__,
    url_prefix="/docs",
    template_folder=str(HERE / "templates"),
    static_folder=str(HERE / "static"),
    static_url_path="/static",
)


@blp.route("", methods=["GET"])
@blp.route("/", methods=["GET"])
def page():
    return render_template("docs.html", title=API_TITLE)


@blp.route("/swagger-ui/<path:name>", methods=["GET"])
def swagger_asset(name: str):
    if name not in ASSETS:
        return send_from_directory(HERE / "static", "__none__")  # 404
    return send_from_directory(swagger_ui_path, name, max_age=24 * 3600)
