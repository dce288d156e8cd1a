"""The OpenAPI schema documents every endpoint and every answer a client must expect
(test_openapi_fuzz.py checks the answers against it)."""

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(anonymous_client) -> dict[str, Any]:
    response = anonymous_client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def operations(schema: dict[str, Any], prefix: str) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        if path.startswith(prefix)
        for method, operation in item.items()
    ]


def test_every_admin_operation_documents_the_contracts_errors(schema):
    admin = operations(schema, "/api/admin/")
    # tickets 15, agents 4, teams 5, calendars 5, policies 5, routing rules 4, canned responses 5,
    # custom fields 4, attachments 1
    assert len(admin) == 48
    for method, path, operation in admin:
        expected = {"401", "403", "429"} | ({"404"} if "{id}" in path or "{key}" in path else set())
        if "requestBody" in operation:
            expected |= {"400", "413", "415"}
        assert expected <= set(operation["responses"]), (method, path)


def test_bad_input_is_documented_in_drfs_error_shape(schema):
    create = schema["paths"]["/api/admin/support-tickets"]["post"]["responses"]
    assert create["400"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ValidationErrors"}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]


def test_the_webhooks_are_documented_with_their_signature_headers_and_401(schema):
    webhooks = operations(schema, "/api/webhooks/")
    assert {path for _, path, _ in webhooks} == {
        "/api/webhooks/test",
        "/api/webhooks/helpscout",
        "/api/webhooks/slack",
        "/api/webhooks/slack/slash-commands",
    }
    for _, path, operation in webhooks:
        if path == "/api/webhooks/test":
            continue
        assert "401" in operation["responses"]
        headers = {param["name"] for param in operation["parameters"] if param["in"] == "header"}
        assert headers & {"X-Slack-Signature", "X-HelpScout-Signature"}


def test_the_list_is_documented_as_its_envelope(schema):
    ok = schema["paths"]["/api/admin/support-tickets"]["get"]["responses"]["200"]
    ref = ok["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    envelope = schema["components"]["schemas"][ref]
    assert envelope["required"] == ["results", "pagination"]
    assert envelope["properties"]["results"]["items"] == {"$ref": "#/components/schemas/Ticket"}


def test_only_the_list_and_the_export_take_the_list_filters(schema):
    def parameters(path: str) -> set[str]:
        return {param["name"] for param in schema["paths"][path]["get"].get("parameters", [])}

    assert {"status", "search", "sortBy"} <= parameters("/api/admin/support-tickets/export")
    assert parameters("/api/admin/support-tickets/{id}/activity") == {"id"}


def test_a_body_in_a_media_type_nobody_takes_is_a_documented_415(schema, client):
    """Found by the schema fuzzing: the token endpoint answered 415, undocumented."""
    response = client.post("/api/auth/token/", b"username=a", content_type="text/plain")

    assert response.status_code == 415
    assert "Unsupported media type" in response.json()["detail"]
    assert "415" in schema["paths"]["/api/auth/token/"]["post"]["responses"]
