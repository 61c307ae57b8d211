"""The change feed replays the public history exactly: every public change once, in commit
order, resumable from any token, and never skipping a change a slow transaction commits
after a faster one."""

from __future__ import annotations

import base64
import threading

import pytest

from tests.factories import site_record
from tests.media.helpers import photo, post_photo
from tourism_api.catalogue.models import Site


def read_all(client, since: str | None = None, limit: int = 2) -> tuple[list[dict], str]:
    """What an app's sync loop does: ask, apply, keep `next`, ask again while `more`."""
    changes = []
    while True:
        query = f"limit={limit}" + (f"&since={since}" if since else "")
        page = client.get(f"/v1/changes?{query}")
        assert page.status_code == 200, page.json
        changes += page.json["changes"]
        since = page.json["next"]
        if not page.json["more"]:
            return changes, since


def replay(changes: list[dict]) -> dict[str, int]:
    """An offline app's copy: site id -> version of the view it holds."""
    copy: dict[str, int] = {}
    for change in changes:
        if change["change"] == "deleted":
            copy.pop(change["id"], None)
        elif change["site"] is not None:
            copy[change["id"]] = change["site"]["version"]
    return copy


def published(client) -> dict[str, int]:
    items = client.get("/v1/sites?limit=100").json["items"]
    return {site["id"]: site["version"] for site in items}


def test_a_scripted_history_replays_exactly(client, staff, services, catalogue):
    lifecycle = services.lifecycle
    draft = catalogue.create_site(site_record("dai-noi"), "lan")  # never public: not in the feed
    pagoda = catalogue.create_site(site_record(), "lan", status="published")
    catalogue.update_site(pagoda.id, {"aliases": ["Linh Mụ"]}, "lan", expected_version=1)
    catalogue.update_site(draft.id, {"aliases": ["Hoàng thành"]}, "lan", expected_version=1)
    post_photo(client, staff, pagoda.id, photo("landscape_3.jpg"))  # version 3
    tomb = catalogue.create_site(site_record("lang-tu-duc"), "lan", status="published")
    lifecycle.change_status(pagoda.id, "archived", "minh", expected_version=3)
    lifecycle.change_status(pagoda.id, "draft", "minh", expected_version=4)
    catalogue.update_site(pagoda.id, {"aliases": []}, "lan", expected_version=5)  # a draft again
    lifecycle.change_status(pagoda.id, "in_review", "lan", expected_version=6)
    lifecycle.change_status(pagoda.id, "published", "minh", expected_version=7)

    changes, token = read_all(client)
    assert [(c["change"], c["id"], c["version"]) for c in changes] == [
        ("created", pagoda.id, 1),
        ("updated", pagoda.id, 2),
        ("updated", pagoda.id, 3),
        ("created", tomb.id, 1),
        ("deleted", pagoda.id, 4),
        ("created", pagoda.id, 8),
    ]
    assert replay(changes) == published(client)
    # Superseded changes do not leak what is no longer public; tombstones carry no record.
    assert all(c["site"] is None for c in changes if c["change"] == "deleted")
    # Nothing new: the same token again gives nothing, and keeps its place.
    again = client.get(f"/v1/changes?since={token}").json
    assert again["changes"] == [] and again["next"] == token and again["more"] is False
    # A crash after the first page: resuming from its token gives the rest, exactly once.
    first = client.get("/v1/changes?limit=2").json
    rest, _ = read_all(client, since=first["next"])
    assert first["changes"] + rest == changes
    # Later changes come after the token the app kept.
    catalogue.update_site(tomb.id, {"aliases": ["Khiêm Lăng"]}, "lan", expected_version=1)
    newer, _ = read_all(client, since=token)
    assert [(c["change"], c["id"], c["version"]) for c in newer] == [("updated", tomb.id, 2)]
    assert newer[0]["site"]["aliases"] == ["Khiêm Lăng"]


def test_a_token_the_feed_did_not_give_is_a_400(client):
    huge = base64.urlsafe_b64encode(f"c1.{10**30}.1".encode()).decode()
    for token in ("not-a-token", "YWJj", "%00", huge):
        answer = client.get(f"/v1/changes?since={token}")
        assert answer.status_code == 400, token
        assert "since" in answer.json["errors"]
    assert client.get("/v1/changes?limit=0").status_code == 422


def test_a_late_commit_is_not_skipped(backend, client, services, catalogue):
    """Transaction A writes first and commits last; B writes meanwhile. A reader that has
    read B must still receive A. PostgreSQL lets B commit first, so the feed holds B back
    until A is done; SQLite makes B wait for A's commit, so B's change comes after A's."""
    early = catalogue.create_site(site_record("dai-noi"), "lan", status="published")
    late = catalogue.create_site(site_record("lang-tu-duc"), "lan", status="published")
    _, token = read_all(client)
    fast = threading.Thread(
        target=catalogue.update_site,
        args=(late.id, {"aliases": ["Khiêm Lăng"]}, "fast"),
        kwargs={"expected_version": 1},
    )
    slow = services.sessions()
    try:
        slow.connection(execution_options={"sqlite_immediate": True})
        site = slow.get(Site, early.id, with_for_update=True)
        catalogue.update_in(slow, site, {"aliases": ["Hoàng thành"]}, "slow writer")
        slow.flush()  # A has its outbox row (and on PostgreSQL its transaction id), uncommitted
        fast.start()
        fast.join(timeout=1.0 if backend == "spatialite" else 10)
        # PostgreSQL: B committed, SQLite: B still waits for the database.
        assert fast.is_alive() == (backend == "spatialite")
        seen, middle = read_all(client, since=token)
        assert seen == []  # B is not handed out before A, which began before it
        slow.commit()
    finally:
        slow.close()
    fast.join()
    seen, _ = read_all(client, since=middle)
    assert [(c["id"], c["version"]) for c in seen] == [(early.id, 2), (late.id, 2)]


@pytest.mark.slow
def test_concurrent_writers_and_a_polling_reader_agree(client, catalogue):
    ids = [
        catalogue.create_site(site_record(slug), "lan", status="published").id
        for slug in ("dai-noi", "lang-tu-duc", "lang-minh-mang", "cho-dong-ba")
    ]
    _, token = read_all(client)
    seen: list[dict] = []
    done = threading.Event()

    def write(site_id: str) -> None:
        for version in range(1, 9):
            catalogue.update_site(
                site_id, {"aliases": [f"v{version}"]}, "w", expected_version=version
            )

    def poll() -> None:
        nonlocal token
        while not done.is_set():
            page, token = read_all(client, since=token, limit=3)
            seen.extend(page)
        page, token = read_all(client, since=token, limit=3)
        seen.extend(page)

    reader = threading.Thread(target=poll)
    reader.start()
    writers = [threading.Thread(target=write, args=(site_id,)) for site_id in ids]
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    reader.join()
    got = sorted((c["id"], c["version"]) for c in seen)
    assert got == sorted((site_id, v) for site_id in ids for v in range(2, 10))
    assert replay(seen) == {site_id: 9 for site_id in ids}
