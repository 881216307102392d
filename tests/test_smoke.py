import pytest


@pytest.mark.django_db
def test_openapi_document_lists_the_api(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "/api/v1/cohorts" in paths
    assert "/api/v1/me/tokens" in paths
