"""OpenAPI post-processing: paths are documented exactly as docs/api.md writes them, with
the error answers every client must expect (the API contract's 400/401/403/404/413/415/429)."""

from typing import Any

from integrations.openapi import WEBHOOK_PATHS

JSON = "application/json"

ERROR_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "description": "A refusal that names no field.",
        "properties": {"detail": {"type": "string"}, "code": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": (
            'DRF\'s shape: {"<field>": ["message", ...]}, nested for nested fields ({"updates": {"status": '
            '[...]}}, {"ids": {"3": [...]}}); {"non_field_errors": [...]} for the body as a whole; '
            '{"detail": "..."} for a body that cannot be parsed.'
        ),
        "additionalProperties": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
                {"type": "object"},
            ]
        },
    },
}


# What a path's {id} (or {key}) names, by the path's resource (/api/admin/<resource>/{id}).
_NOT_FOUND = {
    "agents": "No agent with this id.",
    "teams": "No team with this id.",
    "routing-rules": "No routing rule with this id.",
    "business-calendars": "No calendar with this id.",
    "sla-policies": "No SLA policy with this id.",
    "canned-responses": "No canned response with this id.",
    "custom-fields": "No custom field with this key.",
    "attachments": "No attachment with this id.",
}


def _error(description: str, schema: str = "Error") -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


def _is_secured(operation: dict[str, Any]) -> bool:
    return any(requirement for requirement in operation.get("security", []))


def _error_responses(path: str, operation: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    if operation.get("requestBody") or any(param["in"] == "query" for param in operation.get("parameters", [])):
        errors["400"] = _error("Invalid input, by field.", "ValidationErrors")
    if _is_secured(operation):
        errors["401"] = _error("No valid credentials (a Bearer JWT or a staff session).")
        errors["403"] = _error("Signed in, but not support staff.")
    elif path.startswith("/api/auth/"):
        errors["401"] = _error("Wrong credentials, or an invalid or expired token.")
    if "{id}" in path or "{key}" in path:
        errors["404"] = _error(_NOT_FOUND.get(path.split("/")[3], "No ticket with this id or number."))
    if operation.get("requestBody"):
        errors["413"] = _error("The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
        errors["415"] = _error("The body's Content-Type is not one the operation takes, or is unreadable.")
    errors["429"] = _error("Throttled (API_THROTTLE_USER, API_THROTTLE_ANON, LOGIN_THROTTLE) or locked out.")
    return errors


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Adds the error answers to every operation of the REST API (all of it is DRF, so all
    of it is throttled), unless an operation documents that status itself."""
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for path, item in result["paths"].items():
        for operation in item.values():
            operation["responses"] = {**_error_responses(path, operation), **operation["responses"]}
            operation["responses"] = dict(sorted(operation["responses"].items()))
    return result


def strip_trailing_slashes(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    # Routes accept both forms; the contract names the token endpoints with the slash,
    # every other path without.
    result["paths"] = {
        path if path.startswith("/api/auth/") else path.rstrip("/"): item for path, item in result["paths"].items()
    }
    return result


def add_webhooks(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """The webhooks are plain Django views (they verify signatures on the raw body before
    anything parses it), so drf-spectacular does not see them: their documentation is
    kept beside them, in integrations.openapi."""
    result["paths"].update(WEBHOOK_PATHS)
    return result
