"""/v1/jobs: background work (large imports) and how far it got."""

from __future__ import annotations

from flask_smorest import Blueprint

from ..catalogue.models import Job
from ..catalogue.records import iso_utc
from ..errors import NotFound
from .auth import STAFF, authorize
from .context import services
from .schemas import ApiErrorSchema, JobSchema

blp = Blueprint("jobs", __name__, url_prefix="/v1/jobs", description="Background jobs (staff)")


def job_view(job: Job) -> dict:
    links = {"self": f"/v1/jobs/{job.id}"}
    if job.result and job.result.get("import_id"):
        links["import"] = f"/v1/imports/{job.result['import_id']}"
    return {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "done": job.done,
        "total": job.total,
        "result": job.result,
        "error": job.error,
        "created_by": job.created_by,
        "created_at": iso_utc(job.created_at),
        "started_at": iso_utc(job.started_at),
        "finished_at": iso_utc(job.finished_at),
        "links": links,
    }


def visible_job(job_id: str) -> Job:
    """A job of the caller's office (any, for administrators); 404 for the others, whose
    existence is not theirs to know."""
    who = authorize("read_drafts")
    job = services().jobs.get(job_id)
    if who.organisation_id is not None and job.organisation_id != who.organisation_id:
        raise NotFound(f"No job {job_id!r}.")
    return job


@blp.route("/<string:job_id>", methods=["GET"])
@blp.doc(security=STAFF)
@blp.response(200, JobSchema)
@blp.alt_response(404, schema=ApiErrorSchema, description="No such job for you")
def job_item(job_id):
    """A job's state: queued, running (with done/total), done (with its result) or failed."""
    return job_view(visible_job(job_id))
