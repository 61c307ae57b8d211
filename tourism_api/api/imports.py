"""/v1/imports: staff upload a file and get the same stored report as the CLI's imports."""

from __future__ import annotations

import tempfile
from pathlib import Path

from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from ..catalogue.models import ImportRun
from ..catalogue.records import iso_utc
from ..errors import InvalidInput
from .auth import STAFF, authorize
from .bodies import multipart_body, uploaded_file
from .context import services
from .jobs import job_view
from .responses import json_body
from .schemas import ApiErrorSchema, ImportListSchema, ImportSchema, JobSchema

blp = Blueprint("imports", __name__, url_prefix="/v1/imports", description="Import files (staff)")


class ImportForm(Schema):
    profile = fields.Str(required=True, validate=validate.Length(max=120))
    dry_run = fields.Bool(load_default=False)
    strict = fields.Bool(load_default=False)
    encoding = fields.Str(validate=validate.Length(max=40))
    background = fields.Bool(load_default=False)


def _view(run: ImportRun, full: bool = True) -> dict:
    view = {
        "id": run.id,
        "profile": run.profile,
        "filename": run.filename,
        "actor": run.actor,
        "dry_run": run.dry_run,
        "strict": run.strict,
        "committed": run.committed,
        "summary": run.summary,
        "created_at": iso_utc(run.created_at),
        "links": {"self": f"/v1/imports/{run.id}"},
    }
    if full:
        view["report"] = run.report
    return view


@blp.route("", methods=["POST"])
@blp.doc(
    security=STAFF,
    requestBody=multipart_body(
        ["file", "profile"],
        {
            "profile": {"type": "string", "description": "A shipped or uploaded profile name"},
            "dry_run": {"type": "boolean"},
            "strict": {"type": "boolean"},
            "encoding": {"type": "string"},
            "background": {
                "type": "boolean",
                "description": "Run as a job: answer 202 at once, follow it at /v1/jobs/{id}",
            },
        },
    ),
)
@blp.response(201, ImportSchema)
@blp.alt_response(202, schema=JobSchema, description="Queued as a background job")
@blp.alt_response(413, schema=ApiErrorSchema, description="File too large")
def create_import():
    """Import an uploaded file through a profile; the response is the import's report, or
    with `background` the job that runs it (large files: no request waits on them)."""
    who = authorize("edit")
    svc = services()
    # Uploads go to a file first; beyond this size the request is refused (413).
    upload = uploaded_file(svc.settings.max_upload_bytes)
    try:
        form = ImportForm().load(request.form.to_dict())
    except ValidationError as exc:
        raise InvalidInput("The import form is invalid.", exc.normalized_messages()) from exc
    profile = svc.imports.profile(form["profile"], organisation_id=who.organisation_id)
    filename = Path(upload.filename).name[:300] or "upload"
    if form["background"]:
        job = svc.imports.submit(
            upload.save,
            filename=filename,
            profile=form["profile"],
            actor=who.name,
            organisation_id=who.organisation_id,
            dry_run=form["dry_run"],
            strict=form["strict"],
            encoding=form.get("encoding"),
        )
        # Another schema than the 201's: dumped here, as the document says.
        return json_body(
            JobSchema().dump(job_view(job)), status=202, headers={"Location": f"/v1/jobs/{job.id}"}
        )
    with tempfile.TemporaryDirectory(prefix="tourism-import-") as folder:
        path = Path(folder) / "upload"
        upload.save(path)
        if path.stat().st_size == 0:
            raise InvalidInput("The uploaded file is empty.", {"file": ["Empty."]})
        done = svc.imports.run(
            path,
            profile,
            filename=filename,
            actor=who.name,
            organisation_id=who.organisation_id,
            dry_run=form["dry_run"],
            strict=form["strict"],
            encoding=form.get("encoding"),
        )
    return _view(done.run), 201, {"Location": f"/v1/imports/{done.run.id}"}


@blp.route("", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ImportListSchema)
def imports_list():
    """Recent imports (API uploads, CLI runs, demo loads) with their summaries (staff)."""
    authorize("read_drafts")
    return {"items": [_view(r, full=False) for r in services().imports.recent()]}


@blp.route("/<int:import_id>", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, ImportSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such import")
def import_item(import_id: int):
    """The full report of a past import (staff)."""
    authorize("read_drafts")
    return _view(services().imports.get(import_id))
