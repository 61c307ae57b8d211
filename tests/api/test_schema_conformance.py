"""Schemathesis generates requests for every operation from /openapi.json and checks
that each answer conforms to the document (body schema, content type, status code)
and is never a server error: with and without a staff token, and with real ids
of sites, zones, photos and imports as well as made-up ones."""

from __future__ import annotations

import io

import hypothesis
import pytest
import schemathesis
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import load_hue
from tests.ingest.test_pipeline import FIXTURES, STAFF_PROFILE
from tests.ingest.test_pipeline import run as import_file
from tests.media.helpers import generated_jpeg, post_photo

pytestmark = pytest.mark.slow
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    content_type_conformance,
    status_code_conformance,
]


@pytest.fixture
def real_ids(services, client, staff):
    ids = load_hue(services.catalogue)
    media = post_photo(client, staff, ids["dai-noi"], generated_jpeg(400, 300)).json["id"]
    sheet = b"id_no,name_en,latitude,longitude\n1,X,16.4,107.5\n"
    imported = client.post(
        "/v1/imports",
        data={"file": (io.BytesIO(sheet), "x.csv"), "profile": "unesco-whc-2021"},
        headers=staff,
        content_type="multipart/form-data",
    ).json["id"]
    # A conflict for the reviewers' queue: staff named Thiên Mụ otherwise than its source.
    services.catalogue.update_site(
        "chua-thien-mu",
        {"name": {"en": "Linh Mu"}, "sources": [{"source": "tth-relics", "source_id": "TTH-001"}]},
        "Nguyễn Thị Lan",
    )
    import_file(services.catalogue, STAFF_PROFILE, FIXTURES / "hue-relics.utf8.csv")
    proposals = [p["id"] for p in services.proposals.pending(None)]
    services.accounts.create_organisation("hue", "Trung tâm Bảo tồn Di tích Cố đô Huế")
    services.accounts.create("lan", "Nguyễn Thị Lan", "hue", "editor", "một mật khẩu dài đủ")
    key, _secret = services.api_keys.create("Huế Guide")
    return {
        "ref": [ids["dai-noi"], "chua-thien-mu", ids["kinh-thanh-hue"], "kinh-thanh-hue"],
        "media_id": [media],
        "identifier": [media],
        "import_id": [imported],
        "proposal_id": proposals,
        "username": ["lan"],
        "key_id": [key.id],
    }


def test_responses_conform_to_the_document(app, real_ids, staff):
    # Driven operation by operation with Hypothesis directly: schemathesis' pytest loader
    # does not run under pytest 9.
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app)
    failures: dict[str, str] = {}
    operations = 0
    answered: dict[int, int] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @hypothesis.given(
            case=operation.as_strategy(),
            use_real=st.booleans(),
            as_staff=st.booleans(),
            pick=st.integers(0, 3),
        )
        @hypothesis.settings(
            max_examples=25,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )
        def check(case, use_real, as_staff, pick):
            if use_real:
                for name, values in real_ids.items():
                    if name in (case.path_parameters or {}):
                        case.path_parameters[name] = values[pick % len(values)]
            # Uncompressed: schemathesis' WSGI transport does not undo Content-Encoding as an
            # HTTP client does (compression is tested in test_http_details).
            headers = {**(staff if as_staff else {}), "Accept-Encoding": "identity"}
            response = case.call_and_validate(checks=CHECKS, headers=headers)
            answered[response.status_code] = answered.get(response.status_code, 0) + 1

        try:
            check()
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried and reported
            failures[operation.label] = str(exc)[:2000]
    assert operations >= 30
    assert failures == {}, "\n\n".join(f"{k}: {v}" for k, v in failures.items())
    # The real ids reached past the 404s: most operations answered with success too.
    assert sum(n for status, n in answered.items() if status < 300) > operations
    print(operations, "operations;", "statuses:", dict(sorted(answered.items())))
