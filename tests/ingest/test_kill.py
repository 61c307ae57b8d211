"""A real import process killed mid-run leaves whole records only; running it again finishes."""

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import func, select

from tourism_api.catalogue.models import OutboxEvent, Revision, Site

PROFILE = """
[source]
name = "kill-test"
format = "geojson"

[id]
field = "id"

[fields]
"name.vi" = "ten"

[location]
from_geometry = true
"""


def count(services, model):
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


@pytest.mark.slow
def test_killed_import_is_finished_by_running_it_again(settings, services, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"id": f"k-{i}", "ten": f"Di tích số {i}"},
            "geometry": {
                "type": "Point",
                "coordinates": [107.5 + i * 1e-4, 16.4 + (i % 97) * 1e-4],
            },
        }
        for i in range(1500)
    ]
    data = tmp_path / "many.geojson"
    data.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8"
    )
    profile = tmp_path / "kill.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    command = [
        sys.executable,
        "-m",
        "tourism_api.cli",
        "--database-url",
        settings.database_url,
        "--search-url",
        settings.search_url,
        "ingest",
        "run",
        str(data),
        "--profile",
        str(profile),
        "--batch-size",
        "50",
    ]
    env = {**os.environ, "TOURISM_INDEX_INLINE": "false"}
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while count(services, Site) < 100 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)
    process.wait()
    done = count(services, Site)
    assert 100 <= done < 1500, "the import should have been killed part-way"
    # Whole batches only: every site has its revision and its outbox row, nothing else.
    assert done % 50 == 0
    assert count(services, Revision) == count(services, OutboxEvent) == done
    finished = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert f"{1500 - done} created" in finished.stdout and f"{done} unchanged" in finished.stdout
    assert count(services, Site) == count(services, Revision) == 1500
