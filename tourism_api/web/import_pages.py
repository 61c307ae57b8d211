"""Imports in the workspace: upload a file, dry-run it as a background job with a
progress bar, read the report as a table (or download it), then commit."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ingest.profiles import shipped
from ingest.report import ImportReport
from ingest.report_io import csv_rows

from ..api.context import services
from ..api.jobs import job_view, visible_job
from ..errors import DomainError, InvalidInput
from .blueprint import blp, problem_text, require


def _profiles(organisation_id: int | None) -> list[str]:
    names = sorted(shipped())
    return names + [p.name for p in services().imports.stored_profiles(organisation_id)]


@blp.route("/imports", methods=["GET"])
def imports():
    who = require("read_drafts")
    svc = services()
    return render_template(
        "imports.html",
        profiles=_profiles(who.organisation_id),
        jobs=[job_view(j) for j in svc.jobs.recent(who.organisation_id, limit=10)],
        runs=svc.imports.recent(20),
        problem=None,
    )


@blp.route("/imports", methods=["POST"])
def start_import():
    who = require("edit")
    svc = services()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise InvalidInput(_("Choose a file to import."), {"file": ["Missing."]})
        profile = request.form.get("profile", "")
        svc.imports.profile(profile, organisation_id=who.organisation_id)  # refused here if unknown
        job = svc.imports.submit(
            upload.save,
            filename=Path(upload.filename).name[:300],
            profile=profile,
            actor=who.name,
            organisation_id=who.organisation_id,
            dry_run=bool(request.form.get("dry_run")),
            strict=bool(request.form.get("strict")),
        )
    except InvalidInput as exc:
        page = render_template(
            "imports.html",
            profiles=_profiles(who.organisation_id),
            jobs=[job_view(j) for j in svc.jobs.recent(who.organisation_id, limit=10)],
            runs=svc.imports.recent(20),
            problem=exc.message,
        )
        return page, 422
    return redirect(url_for("staff.job", job_id=job.id), code=303)


@blp.route("/jobs/<string:job_id>", methods=["GET"])
def job(job_id):
    job = visible_job(job_id)
    if job.status == "done" and job.result and job.result.get("import_id"):
        return redirect(
            url_for("staff.import_report", import_id=job.result["import_id"], job=job.id)
        )
    return render_template("job.html", job=job_view(job))


@blp.route("/jobs/<string:job_id>/commit", methods=["POST"])
def commit(job_id):
    who = require("edit")
    job = services().imports.commit(visible_job(job_id), who.name)
    return redirect(url_for("staff.job", job_id=job.id), code=303)


@blp.route("/imports/<int:import_id>", methods=["GET"])
def import_report(import_id):
    require("read_drafts")
    svc = services()
    run = svc.imports.get(import_id)
    dry_job = None
    job_id = request.args.get("job")
    if job_id and run.dry_run:
        candidate = visible_job(job_id)
        if candidate.result and candidate.result.get("import_id") == run.id:
            dry_job = candidate
    return render_template(
        "import_report.html", run=run, report=ImportReport.from_dict(run.report), dry_job=dry_job
    )


@blp.route("/imports/<int:import_id>/report.csv", methods=["GET"])
def import_report_csv(import_id):
    require("read_drafts")
    run = services().imports.get(import_id)
    text = io.StringIO()
    csv.writer(text).writerows(csv_rows(ImportReport.from_dict(run.report)))
    return Response(
        "\ufeff" + text.getvalue(),  # a BOM, so spreadsheet programs read UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="import-{run.id}-report.csv"'},
    )


@blp.route("/imports/profiles", methods=["POST"])
def upload_profile():
    """An office's own mapping profile (TOML), checked before it is kept."""
    who = require("edit")
    upload = request.files.get("toml_file")
    text = upload.read().decode("utf-8", "replace") if upload and upload.filename else ""
    text = text or request.form.get("toml", "")
    try:
        stored = services().imports.save_profile(
            request.form.get("name", "").strip(),
            text,
            organisation_id=who.organisation_id,
            actor=who.name,
        )
        flash(_("Profile %(name)s saved: choose it below.", name=stored.name), "saved")
    except DomainError as exc:
        flash(problem_text(exc), "problem")
    return redirect(url_for("staff.imports"), code=303)
