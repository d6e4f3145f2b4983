"""The OpenAPI document and its viewers, served from our own static files."""

from django.contrib.staticfiles import finders


def test_schema_is_openapi_3_with_every_staff_operation(client, db):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert {
        "/api/v1/cases",
        "/api/v1/cases/{case_id}",
        "/api/v1/cases/{case_id}/transition",
        "/api/v1/cases/{case_id}/assign",
        "/api/v1/cases/{case_id}/notes",
        "/api/v1/customers",
        "/api/v1/categories",
        "/api/v1/service-units",
        "/api/v1/technicians",
        "/api/v1/incidents",
        "/api/v1/planned-outages",
    } <= set(document["paths"])
    assert "staffToken" in document["components"]["securitySchemes"]


def test_every_api_operation_documents_the_error_shape(client, db):
    document = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    error = {"$ref": "#/components/schemas/Error"}
    for path, operations in document["paths"].items():
        if not path.startswith("/api/v1/"):
            continue
        for method, operation in operations.items():
            expected = {"401", "403", "404", "422", "429"}
            if method == "post":
                expected |= {"409", "413", "415"}
            assert expected <= set(operation["responses"]), (path, method)
            assert operation["responses"]["404"]["content"]["application/json"]["schema"] == error


def test_swagger_ui_and_redoc_load_only_local_assets(client, db):
    for url in ("/api/docs/", "/api/docs/redoc/"):
        page = client.get(url).content.decode()
        assert "/static/drf_spectacular_sidecar/" in page, url
        assert "cdn.jsdelivr.net" not in page, url
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert finders.find("drf_spectacular_sidecar/redoc/bundles/redoc.standalone.js")
