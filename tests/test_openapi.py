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
