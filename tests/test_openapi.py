import re

from openapi_spec_validator import validate


def test_openapi_document_is_valid_and_complete(client):
    spec = client.get("/openapi.json").json
    validate(spec)
    assert spec["info"]["title"] == "Heritage and Tourism Catalogue API"
    paths = spec["paths"]
    for path in (
        "/v1/sites",
        "/v1/sites/{ref}",
        "/v1/zones/{ref}/sites",
        "/v1/sites/{ref}/publish",
    ):
        assert path in paths
    params = {p["name"] for p in paths["/v1/sites"]["get"]["parameters"]}
    assert {"lat", "lon", "radius", "bbox", "kind", "category", "limit", "cursor", "f"} <= params
    assert "SiteInput" in spec["components"]["schemas"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_docs_ui_is_served(client):
    assert client.get("/docs").status_code == 200


def test_docs_page_needs_no_internet_and_runs_no_inline_script(client):
    page = client.get("/docs")
    html = page.data.decode()
    assert (
        page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    )
    assert "http://" not in html and "https://" not in html  # nothing from a CDN
    assert "<script>" not in html  # every script is a file the CSP allows
    for asset in re.findall(r'(?:src|href)="([^"]+)"', html):
        response = client.get(asset)
        assert response.status_code == 200 and len(response.data) > 100, asset
    assert client.get("/docs/swagger-ui/index.html").status_code == 404


def test_every_answer_says_nosniff_and_no_framing(client):
    for url in ("/", "/v1/sites", "/v1/sites/nothing", "/docs"):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
