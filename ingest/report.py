"""What an import found, record by record: rejections, warnings, merges, review items."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field


@dataclass
class Problem:
    position: str
    field: str
    message: str


@dataclass
class ImportReport:
    profile: str
    source: str
    file: str
    dry_run: bool = False
    strict: bool = False
    committed: bool = True
    started_at: str = ""
    finished_at: str = ""
    records: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    rejected: int = 0
    rejections: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    review: list[dict] = field(default_factory=list)
    merges: list[dict] = field(default_factory=list)
    # Values this source sent that a reviewer decides: it disagrees with a person's change
    # (conflicts), or the profile sends updates to published sites through review (queued).
    conflicts: list[dict] = field(default_factory=list)
    queued: list[dict] = field(default_factory=list)

    def reject(self, position: str, field_name: str, message: str) -> None:
        self.rejections.append(Problem(position, field_name, message))

    def warn(self, position: str, field_name: str, message: str) -> None:
        self.warnings.append(Problem(position, field_name, message))

    def summary(self) -> dict[str, int]:
        return {
            k: getattr(self, k)
            for k in ("records", "created", "updated", "unchanged", "merged", "rejected")
        } | {
            "warnings": len(self.warnings),
            "review": len(self.review),
            "conflicts": len(self.conflicts),
            "queued": len(self.queued),
        }

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        """A stored report (an import run's) back as a report, to write it out again."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in data.items() if k in known}
        for name in ("rejections", "warnings"):
            values[name] = [Problem(**p) for p in values.get(name, [])]
        return cls(**values)


def flatten_errors(errors, prefix: str = "") -> Iterator[tuple[str, str]]:
    if isinstance(errors, dict):
        for key, value in errors.items():
            yield from flatten_errors(value, f"{prefix}.{key}" if prefix else str(key))
    elif isinstance(errors, list):
        for item in errors:
            if isinstance(item, dict | list):
                yield from flatten_errors(item, prefix)
            else:
                yield prefix or "record", str(item)
    else:
        yield prefix or "record", str(errors)
