"""Creating and editing a site, and moving it along the review workflow."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ..api.context import services
from ..catalogue.lifecycle import PERMISSION
from ..catalogue.opening_hours import DAYS
from ..catalogue.patches import make_patch
from ..catalogue.records import record_view
from ..catalogue.taxonomy import DESIGNATIONS, KINDS
from ..errors import InvalidInput, PreconditionFailed
from .blueprint import blp, form_int, require
from .forms import FormProblem, error_fields, form_values, record_from_form
from .photo_pages import LICENCES

WORKFLOW = {"submit": "in_review", "unpublish": "draft", "archive": "archived"}


def _page(site, values: dict, *, errors: dict | None = None, stale: dict | None = None, status=200):
    svc = services()
    provenance = svc.proposals.fields(site.id) if site is not None else None
    page = render_template(
        "site_edit.html",
        site=site,
        values=values,
        errors=errors or {},
        stale=stale,
        kinds=KINDS,
        days=DAYS,
        designation_types=list(DESIGNATIONS),
        categories=svc.taxonomy.categories(),
        chosen=set(filter(None, values.get("categories", "").split(","))),
        provenance=provenance,
        photos=svc.media.list_for_site(site.id, staff=True) if site is not None else [],
        licences=LICENCES,
    )
    return page, status


def _submitted() -> dict:
    values = dict(request.form.items())
    values["categories"] = ",".join(request.form.getlist("categories"))
    return values


@blp.route("/sites/new", methods=["GET"])
def new_site():
    require("edit")
    return _page(None, {})


@blp.route("/sites/new", methods=["POST"])
def create_site():
    who = require("edit")
    svc = services()
    values = _submitted()
    try:
        record = record_from_form(
            request.form, request.form.getlist("categories"), {}, svc.settings.languages
        )
        site = svc.catalogue.create_site(record, who.name, organisation_id=who.organisation_id)
    except FormProblem as problem:
        return _page(None, values, errors={problem.field: str(problem)}, status=422)
    except InvalidInput as exc:
        return _page(None, values, errors=error_fields(exc.errors) or {"": exc.message}, status=422)
    return redirect(url_for("staff.edit_site", ref=site.id, saved=1), code=303)


@blp.route("/sites/<string:ref>", methods=["GET"])
def edit_site(ref):
    require("read_drafts", ref)  # an office opens its own records only
    site = services().catalogue.get_site(ref, include_unpublished=True)
    return _page(site, form_values(record_view(site), services().settings.languages))


@blp.route("/sites/<string:ref>", methods=["POST"])
def save_site(ref):
    who = require("edit", ref)
    svc = services()
    site = svc.catalogue.get_site(ref, include_unpublished=True)
    stored = {k: v for k, v in record_view(site).items() if k != "sources"}
    values = _submitted()
    try:
        record = record_from_form(
            request.form, request.form.getlist("categories"), stored, svc.settings.languages
        )
        svc.catalogue.update_site(
            site.id, make_patch(stored, record), who.name, expected_version=form_int("version")
        )
    except FormProblem as problem:
        return _page(site, values, errors={problem.field: str(problem)}, status=422)
    except InvalidInput as exc:
        return _page(site, values, errors=error_fields(exc.errors) or {"": exc.message}, status=422)
    except PreconditionFailed:
        return _stale(site, values)
    return redirect(url_for("staff.edit_site", ref=site.id, saved=1), code=303)


def _stale(site, yours: dict):
    """Someone saved since this form was opened: show both versions, keep the person's
    input in the form, and let a second save knowingly replace the other version."""
    theirs = form_values(record_view(site), services().settings.languages)
    fields = sorted(
        k
        for k in set(theirs) | set(yours)
        if k not in ("version", "csrf_token") and (theirs.get(k) or "") != (yours.get(k) or "")
    )
    stale = {
        "version": site.version,
        "by": site.updated_by,
        "differences": [(k, yours.get(k, ""), theirs.get(k, "")) for k in fields],
    }
    return _page(site, yours, stale=stale, status=409)


@blp.route("/sites/<string:ref>/<any(submit, unpublish, archive):action>", methods=["POST"])
def workflow(ref, action):
    who = require(PERMISSION[WORKFLOW[action]], ref)
    try:
        services().lifecycle.change_status(
            ref, WORKFLOW[action], who.name, expected_version=form_int("version")
        )
    except PreconditionFailed:
        site = services().catalogue.get_site(ref, include_unpublished=True)
        values = form_values(record_view(site), services().settings.languages)
        return _page(
            site,
            values,
            errors={"": _("Someone saved this site meanwhile: look again.")},
            status=409,
        )
    return redirect(url_for("staff.edit_site", ref=ref), code=303)


@blp.route("/sites/<string:ref>/history", methods=["GET"])
def history(ref):
    require("read_drafts", ref)
    svc = services()
    site = svc.catalogue.get_site(ref, include_unpublished=True)
    return render_template("history.html", site=site, revisions=svc.catalogue.revisions(site.id))


@blp.route("/sites/<string:ref>/restore", methods=["POST"])
def restore(ref):
    who = require("edit", ref)
    earlier = form_int("restore")
    services().catalogue.restore(ref, earlier, who.name, expected_version=form_int("version"))
    flash(_("Version %(v)d restored as a new version.", v=earlier), "saved")
    return redirect(url_for("staff.edit_site", ref=ref), code=303)
