"""OpenAPI documentation of the webhook endpoints (plain Django views, which
drf-spectacular does not discover): what Slack and Help Scout send, and every answer."""

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}


def _header(name: str, description: str) -> dict[str, Any]:
    return {"in": "header", "name": name, "required": True, "schema": {"type": "string"}, "description": description}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _post(
    operation_id: str, summary: str, parameters: list[Any], body: dict[str, Any], responses: dict[str, Any]
) -> dict[str, Any]:
    """A webhook's POST: public (signed, not authenticated), with its body and answers."""
    return {
        "post": {
            "operationId": operation_id,
            "summary": summary,
            "tags": ["webhooks"],
            "security": [],
            "parameters": parameters,
            "requestBody": {"required": True, "content": body},
            "responses": {**responses, "413": _TOO_LARGE},
        }
    }


_TOO_LARGE = _json(_ERROR, "The body is larger than DATA_UPLOAD_MAX_MEMORY_SIZE.")
_SLACK_HEADERS = [
    _header("X-Slack-Request-Timestamp", "Unix seconds; refused when more than 5 minutes off."),
    _header("X-Slack-Signature", 'v0=<HMAC-SHA256 of "v0:<timestamp>:<raw body>" under SLACK_SIGNING_SECRET>.'),
]
_SLACK_REFUSED = {"description": "Bad or missing signature, or a stale timestamp.", "content": _TEXT}
_SLACK_MALFORMED = {
    "description": "Signed, but not what Slack sends (JSON: more form fields than Django accepts).",
    "content": {**_TEXT, "application/json": {"schema": _ERROR}},
}

SLACK_EVENTS = _post(
    "webhooks_slack_events",
    "Slack Events API and interactivity (buttons, the create-ticket form)",
    _SLACK_HEADERS,
    {
        "application/json": {
            "schema": {
                "type": "object",
                "description": "An Events API envelope: url_verification or event_callback.",
                "properties": {
                    "type": {"type": "string"},
                    "challenge": {"type": "string"},
                    "event_id": {"type": "string"},
                    "event": {"type": "object"},
                },
            }
        },
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {"payload": {"type": "string", "description": "The interaction, as JSON."}},
                "required": ["payload"],
            }
        },
    },
    {
        "200": {
            "description": (
                "Handled or ignored. url_verification answers {challenge}; a form submission answers "
                "Slack's response_action; everything else an empty body."
            ),
            "content": {"application/json": {"schema": {"type": "object"}}, **_TEXT},
        },
        "400": _SLACK_MALFORMED,
        "401": _SLACK_REFUSED,
    },
)

_SLASH_COMMAND_FIELDS = (
    "command",
    "text",
    "user_id",
    "user_name",
    "trigger_id",
    "team_id",
    "channel_id",
    "response_url",
)
SLACK_SLASH_COMMANDS = _post(
    "webhooks_slack_slash_commands",
    "Slack slash commands: /support-stats and /create-ticket",
    _SLACK_HEADERS,
    {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": {name: {"type": "string"} for name in _SLASH_COMMAND_FIELDS},
                "required": ["command"],
            }
        }
    },
    {
        "200": {
            "description": "The message to show whoever typed the command; empty when the form opened instead.",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "response_type": {"type": "string", "enum": ["ephemeral"]},
                            "text": {"type": "string"},
                            "blocks": {"type": "array", "items": {"type": "object"}},
                        },
                        "required": ["response_type", "text"],
                    }
                },
                **_TEXT,
            },
        },
        "400": _SLACK_MALFORMED,
        "401": _SLACK_REFUSED,
    },
)

HELPSCOUT_WEBHOOK = _post(
    "webhooks_helpscout",
    "Help Scout webhook deliveries (conversation events)",
    [
        _header("X-HelpScout-Event", "convo.created, convo.status, ... or helpscout.test."),
        _header("X-HelpScout-Signature", "Base64 HMAC-SHA1 of the raw body under HELPSCOUT_WEBHOOK_SECRET."),
    ],
    {
        "application/json": {
            "schema": {"type": "object", "description": "A Help Scout v2 conversation; {id} for convo.deleted."}
        }
    },
    {
        "200": _json(
            {
                "type": "object",
                "properties": {"status": {"type": "string", "enum": ["ok", "ignored", "queued", "duplicate"]}},
                "required": ["status"],
            },
            "Accepted (queued), already handled (duplicate), a test (ok) or an event we do not use (ignored).",
        ),
        "400": _json(_ERROR, "Signed, but not a conversation as Help Scout sends it."),
        "401": _json(_ERROR, "Bad or missing signature."),
        "503": _json(_ERROR, "The task queue is down; Help Scout will deliver again."),
    },
)

WEBHOOK_PATHS = {
    "/api/webhooks/helpscout": HELPSCOUT_WEBHOOK,
    "/api/webhooks/slack": SLACK_EVENTS,
    "/api/webhooks/slack/slash-commands": SLACK_SLASH_COMMANDS,
}
