"""The `tourism` command: database, tokens, taxonomy, demo data and the server."""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path

import click
from sqlalchemy.exc import DBAPIError, OperationalError, ProgrammingError

from ingest.pipeline import DEFAULT_BATCH_SIZE

from .config import Settings
from .container import Services
from .errors import DomainError


class Context:
    def __init__(self, database_url: str | None, search_url: str | None) -> None:
        settings = Settings.from_env()
        overrides = {"database_url": database_url, "search_url": search_url}
        overrides = {k: v for k, v in overrides.items() if v}
        self.settings = dataclasses.replace(settings, **overrides)
        self._services: Services | None = None

    @property
    def services(self) -> Services:
        if self._services is None:
            self._services = Services.build(self.settings)
        return self._services


pass_ctx = click.make_pass_decorator(Context)


def _missing_schema(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


class _Main(click.Group):
    """Turns the errors a person can act on into one line instead of a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (OperationalError, ProgrammingError) as exc:
            if _missing_schema(exc):
                raise click.ClickException(
                    "the database has no catalogue schema yet: run `tourism db upgrade` first"
                ) from exc
            raise click.ClickException(f"database error: {exc.orig}") from exc
        except DomainError as exc:
            raise click.ClickException(exc.message) from exc


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--database-url",
    envvar="TOURISM_DATABASE_URL",
    help="Catalogue database (default sqlite:///var/tourism.sqlite3).",
)
@click.option(
    "--search-url",
    envvar="TOURISM_SEARCH_URL",
    help="Search backend: http(s)://... for Elasticsearch, sqlite:///... for embedded (default).",
)
@click.pass_context
def main(ctx: click.Context, database_url: str | None, search_url: str | None) -> None:
    """Heritage and tourism catalogue: database, tokens, demo data, search index and the API server."""
    ctx.obj = Context(database_url, search_url)


# -- database ---------------------------------------------------------------


@main.group()
def db() -> None:
    """Create and upgrade the catalogue schema."""


@db.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or migrate the schema to the latest version and seed the category taxonomy."""
    from . import schema_admin

    schema_admin.upgrade(ctx.services.engine)
    added = ctx.services.taxonomy.seed()
    # Sites written before open intervals and event dates were kept get them now.
    ctx.services.calendar.run_catalogue()
    click.echo(
        f"Schema at {schema_admin.current_revision(ctx.services.engine)}; {added} categories added."
    )


@db.command("current")
@pass_ctx
def db_current(ctx: Context) -> None:
    """Print the schema version of the database."""
    from . import schema_admin

    click.echo(
        schema_admin.current_revision(ctx.services.engine) or "empty (run `tourism db upgrade`)"
    )


# -- tokens -----------------------------------------------------------------


@main.group()
def token() -> None:
    """Staff bearer tokens."""


@token.command("create")
@click.option("--account", "username", help="The account the token acts as (its role and office).")
@click.option(
    "--name",
    help="Without --account: whose token this is. Such a token acts as an administrator.",
)
@pass_ctx
def token_create(ctx: Context, username: str | None, name: str | None) -> None:
    """Create a token for scripts and print it once; only its hash is stored."""
    if bool(username) == bool(name):
        raise click.UsageError("give --account (recommended) or --name")
    account = None
    if username:
        account = ctx.services.accounts.find(username)
        if account is None:
            raise click.ClickException(f"no account {username!r} (see `tourism account list`)")
        if account.disabled_at is not None:
            raise click.ClickException(f"the account {username!r} is disabled")
    record, secret = ctx.services.tokens.create(name or "", account=account)
    click.echo(
        f"Token {record.id} for {record.name} ({record.role}). "
        "Keep it now; it cannot be shown again:"
    )
    click.echo(secret)


@token.command("list")
@pass_ctx
def token_list(ctx: Context) -> None:
    """List tokens (never the secrets)."""
    for record in ctx.services.tokens.list():
        click.echo(f"{record.id}\t{record.prefix}…\t{record.name}\t{record.role}\t{_use(record)}")


def _use(record) -> str:
    """An issued secret's state and last use, as token and key lists show them."""
    state = f"revoked {record.revoked_at:%Y-%m-%d}" if record.revoked_at else "active"
    used = f"{record.last_used_at:%Y-%m-%d %H:%M}" if record.last_used_at else "never"
    return f"{state}\tlast used {used}"


@token.command("revoke")
@click.argument("token_id", type=int)
@pass_ctx
def token_revoke(ctx: Context, token_id: int) -> None:
    """Revoke a token by its id; requests with it are refused from now on."""
    record = ctx.services.tokens.revoke(token_id)
    click.echo(f"Token {record.id} ({record.name}) revoked.")


# -- organisations and accounts ------------------------------------------------------


@main.group()
def org() -> None:
    """Organisations: heritage offices and museums that own records."""


@org.command("create")
@click.argument("code")
@click.option("--name", required=True, help="e.g. 'Trung tâm Bảo tồn Di tích Cố đô Huế'.")
@pass_ctx
def org_create(ctx: Context, code: str, name: str) -> None:
    """Create an organisation with a short CODE (lowercase words joined by hyphens)."""
    organisation = ctx.services.accounts.create_organisation(code, name)
    click.echo(f"Organisation {organisation.code} created.")


@org.command("list")
@pass_ctx
def org_list(ctx: Context) -> None:
    """List organisations."""
    for organisation in ctx.services.accounts.organisations():
        click.echo(f"{organisation.code}\t{organisation.name}")


@main.group()
def account() -> None:
    """Accounts of people (viewer, editor, reviewer, admin)."""


@account.command("create")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="Shown in the history of changes.")
@click.option("--org", "organisation", required=True, help="Code of the person's organisation.")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["viewer", "editor", "reviewer", "admin"]),
    help="What the person may do (each role includes the ones before it).",
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def account_create(
    ctx: Context,
    username: str,
    display_name: str,
    organisation: str,
    role: str,
    password_stdin: bool,
) -> None:
    """Create an account; the password is asked for (or read from stdin), stored as an Argon2 hash."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    created = ctx.services.accounts.create(username, display_name, organisation, role, password)
    click.echo(f"Account {created.username} ({created.role}, {organisation}) created.")


@account.command("list")
@pass_ctx
def account_list(ctx: Context) -> None:
    """List accounts with their organisation, role and state."""
    for item, organisation in ctx.services.accounts.list():
        state = f"disabled {item.disabled_at:%Y-%m-%d}" if item.disabled_at else "active"
        click.echo(
            f"{item.username}\t{item.display_name}\t{organisation.code}\t{item.role}\t{state}"
        )


@account.command("password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def account_password(ctx: Context, username: str, password_stdin: bool) -> None:
    """Set a new password (it also lifts a lockout after repeated failures)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("New password", hide_input=True, confirmation_prompt=True)
    item = ctx.services.accounts.update(username, password=password)
    click.echo(f"Password of {item.username} changed.")


@account.command("disable")
@click.argument("username")
@pass_ctx
def account_disable(ctx: Context, username: str) -> None:
    """Disable an account: it cannot sign in and its tokens stop working."""
    item = ctx.services.accounts.disable(username)
    click.echo(f"Account {item.username} disabled.")


# -- API keys -------------------------------------------------------------------


@main.group()
def key() -> None:
    """API keys of third-party apps (read access at their plan's rate)."""


@key.command("create")
@click.option("--name", required=True, help="The app's name, e.g. 'Huế Guide'.")
@click.option("--plan", default="free", show_default=True, type=click.Choice(["free", "partner"]))
@click.option("--contact", help="Who to write to about the app (an e-mail address).")
@pass_ctx
def key_create(ctx: Context, name: str, plan: str, contact: str | None) -> None:
    """Create a key and print it once; only its hash is stored."""
    record, secret = ctx.services.api_keys.create(name, plan, contact)
    click.echo(
        f"API key {record.id} for {record.name} ({record.plan}). "
        "Give it to the app now; it cannot be shown again:"
    )
    click.echo(secret)


@key.command("list")
@pass_ctx
def key_list(ctx: Context) -> None:
    """List keys (never the keys themselves)."""
    for record in ctx.services.api_keys.list():
        click.echo(
            f"{record.id}\t{record.prefix}…\t{record.name}\t{record.plan}\t{_use(record)}"
            f"\t{record.contact or ''}"
        )


@key.command("revoke")
@click.argument("key_id", type=int)
@pass_ctx
def key_revoke(ctx: Context, key_id: int) -> None:
    """Revoke a key by its id; requests with it are refused from now on."""
    record = ctx.services.api_keys.revoke(key_id)
    click.echo(f"API key {record.id} ({record.name}) revoked.")


# -- taxonomy ---------------------------------------------------------------


@main.group()
def category() -> None:
    """The category taxonomy."""


@category.command("list")
@pass_ctx
def category_list(ctx: Context) -> None:
    """List categories."""
    for item in ctx.services.taxonomy.categories():
        labels = ", ".join(f"{k}: {v}" for k, v in item.label.items())
        click.echo(f"{item.code}\t{item.parent_code or '-'}\t{labels}")


@category.command("add")
@click.argument("code")
@click.option(
    "--label", "labels", multiple=True, required=True, help="LANG=TEXT, e.g. --label vi=Đình"
)
@click.option("--parent", help="Code of the parent category.")
@pass_ctx
def category_add(ctx: Context, code: str, labels: tuple[str, ...], parent: str | None) -> None:
    """Add a category."""
    label = {}
    for item in labels:
        lang, sep, text = item.partition("=")
        if not sep:
            raise click.BadParameter(f"{item!r}: use LANG=TEXT", param_hint="--label")
        label[lang] = text
    ctx.services.taxonomy.add(code, label, parent)
    click.echo(f"Category {code} added.")


# -- search index ---------------------------------------------------------------


@main.group()
def index() -> None:
    """The search index, kept in step with the catalogue through the outbox."""


@index.command("run")
@click.option(
    "--follow", is_flag=True, help="Keep running, applying changes as they come (the worker)."
)
@click.option(
    "--interval", default=1.0, show_default=True, help="Seconds between polls with --follow."
)
@pass_ctx
def index_run(ctx: Context, follow: bool, interval: float) -> None:
    """Apply pending catalogue changes to the search index."""
    indexer = ctx.services.indexer
    if follow:
        click.echo(f"Indexing changes into {ctx.services.search.name} (Ctrl-C to stop)", err=True)
        try:
            indexer.follow(interval=interval)
        except KeyboardInterrupt:
            click.echo(f"Stopped; {indexer.pending()} changes pending.", err=True)
        return
    report = indexer.drain()
    click.echo(
        f"{report.events} changes applied ({report.indexed} indexed, {report.deleted} removed); "
        f"{report.pending} pending."
    )
    if report.error:
        raise click.ClickException(f"search engine unavailable: {report.error}; run again later")


@index.command("rebuild")
@pass_ctx
def index_rebuild(ctx: Context) -> None:
    """Build a fresh index from the catalogue and switch to it; searches keep working meanwhile."""
    indexer = ctx.services.indexer
    total = indexer.count_published()
    with click.progressbar(length=total, label="Indexing published sites", file=sys.stderr) as bar:
        count = indexer.rebuild(progress=bar.update)
    click.echo(f"Index rebuilt with {count} sites and switched.")


@main.group()
def calendar() -> None:
    """Opening hours and events over the coming days."""


@calendar.command("refresh")
@pass_ctx
def calendar_refresh(ctx: Context) -> None:
    """Move open_now/open_at and event occurrences on to the coming days: sites with hours
    are re-indexed (TOURISM_OPEN_AT_DAYS ahead), events' occurrences recomputed (~400 days).
    The job queue does this every day at midnight in Viet Nam."""
    calendar = ctx.services.calendar
    total = calendar.sites_with_hours()
    with click.progressbar(length=total, label="Sites with hours", file=sys.stderr) as bar:
        done = calendar.run(progress=bar.update)
    click.echo(
        f"Opening intervals of {done['indexed']} sites indexed and "
        f"{done['sites_with_hours']} kept in the catalogue; "
        f"events of {done['sites_with_events']} sites dated."
    )


@index.command("status")
@pass_ctx
def index_status(ctx: Context) -> None:
    """Backend, health, documents indexed, sites published and changes pending."""
    svc = ctx.services
    healthy = svc.search.healthy()
    click.echo(f"backend: {svc.search.name} ({'up' if healthy else 'DOWN'})")
    if healthy:
        click.echo(f"documents: {svc.search.count()}")
    click.echo(f"published sites: {svc.indexer.count_published()}")
    click.echo(f"pending changes: {svc.indexer.pending()}")


# -- export -------------------------------------------------------------------


@main.group()
def export() -> None:
    """The public catalogue in bulk: a file now, or the snapshot apps download."""


@export.command("snapshot")
@pass_ctx
def export_snapshot(ctx: Context) -> None:
    """Make the snapshot /v1/export/snapshot serves (what the daily job does), e.g. from cron."""
    exports = ctx.services.exports
    with click.progressbar(length=1, label="Writing the snapshot", file=sys.stderr) as bar:

        def progress(done: int, total: int | None) -> None:
            bar.length = max(total or 1, 1)
            bar.update(done - bar.pos)

        result = exports.snapshot({}, progress)
    click.echo(f"Snapshot of {result['records']} sites written to {exports.root}.")


@export.command("file")
@click.argument("path", type=click.Path(dir_okay=False, writable=True))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["geojson", "geojsonseq", "csv", "gpkg"]),
    default="geojson",
    show_default=True,
)
@click.option("--filter", "cql2", help="A CQL2 filter, e.g. \"kind = 'museum'\"")
@pass_ctx
def export_file(ctx: Context, path: str, fmt: str, cql2: str | None) -> None:
    """Write the published catalogue (or what --filter selects) to PATH."""
    exports = ctx.services.exports
    params = {"filter": cql2} if cql2 else {}
    if fmt == "gpkg":
        count = exports.write_gpkg(Path(path), params)
        click.echo(f"{count} sites written to {path}.")
        return
    with open(path, "wb") as handle:
        for chunk in exports.stream(fmt, params):
            handle.write(chunk)
    click.echo(f"Written to {path}.")


# -- ingest -------------------------------------------------------------------


@main.group()
def ingest() -> None:
    """Import spreadsheets, GeoJSON, OpenStreetMap and Wikidata exports through mapping profiles."""


@ingest.command("profiles")
def ingest_profiles() -> None:
    """List the shipped mapping profiles."""
    from ingest.profiles import load_profile, shipped

    for name in sorted(shipped()):
        profile = load_profile(name)
        click.echo(f"{name}\t{profile.format}\tsource={profile.source}")


@ingest.command("run")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--profile", "profile_name", required=True, help="A shipped profile name or a .toml file."
)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--strict", is_flag=True, help="Commit nothing if any record is rejected.")
@click.option("--encoding", help="Text encoding of a CSV (default: detected).")
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write the full report (.json or .csv).",
)
@click.option(
    "--actor", default="ingest", show_default=True, help="Recorded as the author of the changes."
)
@click.option(
    "--batch-size",
    default=DEFAULT_BATCH_SIZE,
    show_default=True,
    help="Records per transaction (without --strict).",
)
@pass_ctx
def ingest_run(
    ctx: Context,
    path: str,
    profile_name: str,
    dry_run: bool,
    strict: bool,
    encoding: str | None,
    report_path: str | None,
    actor: str,
    batch_size: int,
) -> None:
    """Import one file; running it again changes nothing unless the file changed.

    The run and its report are stored like an upload's (GET /v1/imports)."""
    from ingest.report_io import table, write_report

    from . import schema_admin

    svc = ctx.services
    profile = svc.imports.profile(profile_name, allow_files=True)
    schema_admin.upgrade(svc.engine)
    svc.taxonomy.seed()
    started = time.monotonic()
    running: list = []
    try:
        with click.progressbar(
            length=svc.imports.estimate(path, profile),
            label=f"Importing {path}",
            file=sys.stderr,
            show_pos=True,
            show_eta=True,
        ) as bar:
            done = svc.imports.run(
                path,
                profile,
                filename=path,
                actor=actor,
                dry_run=dry_run,
                strict=strict,
                encoding=encoding,
                batch_size=batch_size,
                progress=bar.update,
                on_start=running.append,
            )
    except KeyboardInterrupt:
        click.echo(
            "\nInterrupted: committed batches are kept; run the same command again to finish.",
            err=True,
        )
        sys.exit(130)
    except DBAPIError as exc:
        records = running[0].report.records if running else 0
        raise click.ClickException(
            f"the database failed after {records} records ({exc.orig}); "
            "committed batches are kept: run the same command again to finish"
        ) from exc
    elapsed = time.monotonic() - started
    report = done.report
    click.echo(table(report))
    click.echo(f"Stored as import {done.run.id}.", err=True)
    click.echo(f"{report.records / elapsed:.0f} records/s" if elapsed > 0 else "", err=True)
    if report_path:
        write_report(report, report_path)
        click.echo(f"Report written to {report_path}", err=True)
    if report.rejected and strict:
        sys.exit(1)


# -- photos -------------------------------------------------------------------------


@main.group()
def media() -> None:
    """Photos of sites."""


@media.command("import-folder")
@click.argument("folder", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--max-distance", default=500.0, show_default=True, help="Metres from a site to propose it."
)
@click.option(
    "--apply",
    "apply_",
    is_flag=True,
    help="Attach each photo to its proposed site (default: only list).",
)
@click.option("--licence", help="Licence of the photos, e.g. CC-BY-SA-4.0.")
@click.option("--creator", help="Who took the photos.")
@click.option("--actor", default="media-import", show_default=True)
@pass_ctx
def media_import_folder(
    ctx: Context,
    folder: str,
    max_distance: float,
    apply_: bool,
    licence: str | None,
    creator: str | None,
    actor: str,
) -> None:
    """Propose the nearest site for each photo in a folder from its GPS, and attach with --apply."""
    from .services.photo_folders import import_folder, photo_files

    svc = ctx.services
    files = photo_files(folder)
    details = {k: v for k, v in (("licence", licence), ("creator", creator)) if v}
    with click.progressbar(length=len(files), label="Reading photos", file=sys.stderr) as bar:
        report = import_folder(
            svc.media,
            svc.lister,
            files,
            max_distance_m=max_distance,
            apply=apply_,
            details=details,
            actor=actor,
            progress=bar.update,
        )
    for name, slug, note in report.rows:
        click.echo(f"{name}\t{slug}\t{note}")
    click.echo(
        f"{report.files} photos: {report.proposed} with a site nearby, {report.attached} attached, "
        f"{report.unplaced} unplaced, {report.failed} failed."
    )


# -- demo and server ----------------------------------------------------------


@main.group()
def demo() -> None:
    """The shipped demo catalogue."""


@demo.command("load")
@pass_ctx
def demo_load(ctx: Context) -> None:
    """Load the UNESCO World Heritage list and Vietnamese protected areas (skips what is there)."""
    from . import schema_admin
    from .services.demo import ADMIN, demo_size, ensure_demo_admin, load_demo

    schema_admin.upgrade(ctx.services.engine)
    with click.progressbar(
        length=demo_size(), label="Loading demo catalogue", file=sys.stderr
    ) as bar:
        reports = load_demo(ctx.services.imports, progress=bar.update)
    for report in reports:
        for warning in report.warnings:
            click.echo(f"warning: {report.file} {warning.position}: {warning.message}", err=True)
        for problem in report.rejections:
            click.echo(
                f"rejected: {report.file} {problem.position} {problem.field}: {problem.message}",
                err=True,
            )
    created = sum(r.created for r in reports)
    present = sum(r.unchanged + r.updated for r in reports)
    rejected = sum(r.rejected for r in reports)
    click.echo(f"Demo data: {created} created, {present} already present, {rejected} rejected.")
    made = ensure_demo_admin(ctx.services.accounts, ctx.services.tokens)
    if made:
        password, token = made
        click.echo(
            f"Demo administrator: user {ADMIN}, password {password} (shown this once).\n"
            "  Sign in to the staff workspace at http://127.0.0.1:8000/staff/ with them.\n"
            f"Its token for scripts and curl: {token}\n"
            "  e.g. curl -H 'Authorization: Bearer <token>' http://127.0.0.1:8000/v1/reviews"
        )
    else:
        click.echo(
            f"Demo administrator {ADMIN!r} exists; a new password: tourism account password {ADMIN}"
            f"; a new token: tourism token create --account {ADMIN}"
        )
    if rejected:
        sys.exit(1)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@pass_ctx
def serve(ctx: Context, host: str, port: int, threads: int) -> None:
    """Serve the API with waitress (use gunicorn with wsgi:app in production)."""
    from waitress import serve as waitress_serve

    from .app import create_app

    app = create_app(ctx.settings)
    worker = None
    inline = ctx.settings.jobs_inline
    queue = app.extensions["tourism"].jobs.queue
    if inline or (inline is None and queue.embedded):
        from .jobs.queue import Worker

        worker = Worker(queue)
        worker.start()
    click.echo(f"Serving the catalogue ({ctx.settings.database_url}) on http://{host}:{port}/")
    click.echo(f"  try: curl 'http://{host}:{port}/v1/sites?lat=16.4637&lon=107.5909&radius=5000'")
    click.echo(f"  API docs: http://{host}:{port}/docs  OpenAPI: http://{host}:{port}/openapi.json")
    click.echo(f"  Staff workspace: http://{host}:{port}/staff/")
    if worker is None:
        click.echo("  Background jobs: run `tourism jobs worker` beside this server.")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="tourism-api")
    finally:
        if worker is not None:
            worker.stop()


@main.group()
def jobs() -> None:
    """Background jobs (large imports)."""


@jobs.command("worker")
@click.option("--workers", default=2, show_default=True, type=int, help="Threads taking jobs.")
@pass_ctx
def jobs_worker(ctx: Context, workers: int) -> None:
    """Take jobs off the queue (TOURISM_JOBS_URL) until interrupted: run one or more of these
    beside the web servers in production, on any host that sees the database and uploads."""
    import threading

    from .jobs.queue import Worker

    worker = Worker(ctx.services.jobs.queue, workers=workers)
    worker.start()
    click.echo(f"Taking jobs from {ctx.settings.jobs_url}; Ctrl-C stops.")
    stop = threading.Event()
    try:
        while not stop.wait(1):
            pass
    except KeyboardInterrupt:
        click.echo("Stopping after the jobs under way.")
    finally:
        worker.stop()


@jobs.command("show")
@click.argument("job_id")
@pass_ctx
def jobs_show(ctx: Context, job_id: str) -> None:
    """A job's state and progress."""
    job = ctx.services.jobs.get(job_id)
    total = f"/{job.total}" if job.total is not None else ""
    click.echo(f"{job.id}\t{job.kind}\t{job.status}\t{job.done}{total}\t{job.error or ''}")


if __name__ == "__main__":  # pragma: no cover
    main()
