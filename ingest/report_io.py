"""Writing an import report for people: a terminal table, JSON, or CSV."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

from .report import ImportReport


def write_report(report: ImportReport, path: str | Path) -> None:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        with open(path, "w", encoding="utf-8-sig", newline="") as handle:
            csv.writer(handle).writerows(csv_rows(report))
        return
    path.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")


def csv_rows(report: ImportReport) -> Iterator[list[str]]:
    """The report as spreadsheet rows: kind, position, field, message."""
    yield ["kind", "position", "field", "message"]
    for p in report.rejections:
        yield ["rejected", p.position, p.field, p.message]
    for p in report.warnings:
        yield ["warning", p.position, p.field, p.message]
    for item in report.review:
        others = ", ".join(c["site_id"] for c in item["candidates"])
        yield ["review", item["position"], "site", f"{item['site_id']} may be {others}"]
    for kind, items in (("conflict", report.conflicts), ("queued", report.queued)):
        for item in items:
            yield [kind, item["position"], item["field"], _proposal(item)]


def table(report: ImportReport, limit: int = 50) -> str:
    lines = []
    rows = [("rejected", p) for p in report.rejections] + [("warning", p) for p in report.warnings]
    if rows:
        width = max(len(p.position) for _, p in rows[:limit])
        lines.append(f"{'':9}{'where':<{width}}  field: reason")
        for kind, p in rows[:limit]:
            lines.append(f"{kind:<9}{p.position:<{width}}  {p.field}: {p.message}")
        if len(rows) > limit:
            lines.append(f"... and {len(rows) - limit} more (write them all with --report)")
    for item in report.review[:limit]:
        lines.append(
            f"review   {item['position']}: created {item['site_id']} as a draft; may be "
            + ", ".join(f"{c['site_id']} ({c['reason']})" for c in item["candidates"])
        )
    for kind, items in (("conflict", report.conflicts), ("queued", report.queued)):
        for item in items[:limit]:
            lines.append(f"{kind:<9}{item['position']}  {item['field']}: {_proposal(item)}")
    s = report.summary()
    why = "dry run" if report.dry_run else "strict, and records were rejected"
    lines.append(
        f"{s['records']} records: {s['created']} created, {s['updated']} updated, "
        f"{s['unchanged']} unchanged, {s['merged']} merged, {s['rejected']} rejected"
        + (f" ({why}: nothing committed)" if not report.committed else "")
        + f"; {s['warnings']} warnings, {s['review']} for review"
        + (
            f", {s['conflicts']} conflicts with people's changes and {s['queued']} updates "
            "to published sites waiting at /v1/reviews/proposals."
            if s["conflicts"] or s["queued"]
            else "."
        )
    )
    return "\n".join(lines)


def _proposal(item: dict) -> str:
    """One value waiting for review, as a line a person reads."""
    return (
        f"site {item['site_id']} has {json.dumps(item['current'], ensure_ascii=False)}, "
        f"the source sent {json.dumps(item['offered'], ensure_ascii=False)}"
    )
