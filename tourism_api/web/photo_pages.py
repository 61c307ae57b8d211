"""A site's photos in the workspace: upload several at once, describe, order, choose the
primary one, remove. Uploads made by the page's script go to the API (with progress);
these routes are what the plain form uses, on the same photo service."""

from __future__ import annotations

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _

from ..api.context import services
from ..errors import DomainError
from .blueprint import blp, problem_details, require

LICENCES = (
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC-BY-NC-4.0",
    "CC-BY-NC-SA-4.0",
    "CC-BY-ND-4.0",
    "CC0-1.0",
    "PDM-1.0",
    "LicenseRef-All-Rights-Reserved",
)


def _editable_photo(media_id: str):
    """The photo, and the person if they may change its site's records (403 otherwise)."""
    media = services().media.get(media_id, staff=True)
    return media, require("edit", media.site_id)


def _back(site_id: str):
    return redirect(url_for("staff.edit_site", ref=site_id) + "#photos", code=303)


@blp.route("/sites/<string:ref>/photos", methods=["POST"])
def upload_photos(ref):
    who = require("edit", ref)
    svc = services()
    site = svc.catalogue.get_site(ref, include_unpublished=True)
    added = 0
    for upload in request.files.getlist("files"):
        if not upload.filename:
            continue
        try:
            svc.media.add(
                site.id, upload.read(), filename=upload.filename, details={}, actor=who.name
            )
            added += 1
        except DomainError as exc:
            flash(
                _("%(file)s was not added: %(why)s", file=upload.filename, why=exc.message),
                "problem",
            )
    if added:
        flash(_("%(n)d photos added.", n=added), "saved")
    return _back(site.id)


@blp.route("/media/<string:media_id>", methods=["POST"])
def describe_photo(media_id):
    svc = services()
    media, who = _editable_photo(media_id)
    form = request.form
    patch: dict = {
        "caption": {
            lang: (form.get(f"caption.{lang}", "").strip() or None)
            for lang in svc.settings.languages
        },
        "creator": form.get("creator", "").strip() or None,
        "licence": form.get("licence", "").strip() or None,
    }
    if form.get("position", "").strip():
        try:
            patch["position"] = int(form["position"])
        except ValueError:
            patch["position"] = form["position"]  # refused with the field named
    if form.get("primary"):
        patch["primary"] = True
    try:
        svc.media.update(media_id, patch, who.name)
        flash(_("Photo saved."), "saved")
    except DomainError as exc:
        why = problem_details(exc) or exc.message
        flash(_("The photo was not saved: %(why)s", why=why), "problem")
    return _back(media.site_id)


@blp.route("/media/<string:media_id>/checked", methods=["POST"])
def photo_checked(media_id):
    media, who = _editable_photo(media_id)
    services().media.mark_checked(media_id, who.name)
    flash(_("Checked: the photo's flags are cleared."), "saved")
    return _back(media.site_id)


@blp.route("/media/<string:media_id>/delete", methods=["POST"])
def delete_photo(media_id):
    media, who = _editable_photo(media_id)
    services().media.delete(media_id, who.name)
    flash(_("Photo removed."), "saved")
    return _back(media.site_id)
