"""The Slack app manifest of this installation, for Slack's "Create an app from a
manifest": what the app may call, the events it hears, and where Slack sends them.

The scopes follow the Web API methods our code calls (SCOPES_BY_METHOD; a test checks
that every method called in integrations/slack is listed); the URLs are our own routes.
"""

import re
from typing import Any

from django.urls import reverse

from integrations.public_url import checked_url

# Web API method -> the bot scope it needs (None: no scope of its own).
SCOPES_BY_METHOD: dict[str, str | None] = {
    "chat.postMessage": "chat:write",
    "chat.update": "chat:write",
    "chat.postEphemeral": "chat:write",  # a click on an outdated message is refused to its user
    # Find what an attempt of unknown outcome posted, by its metadata (root, thread line).
    "conversations.history": "channels:history",
    "conversations.replies": "channels:history",
    "users.info": "users:read",
    "users.lookupByEmail": "users:read.email",
    "views.open": None,  # the create-ticket form, opened with a slash command's trigger
    "auth.test": None,
}
# Thread replies in the support channel become internal comments: public or private channel.
BOT_EVENTS = ["message.channels", "message.groups"]
EVENT_SCOPES = ["channels:history", "groups:history"]
# Not a Web API method: the files posted in a thread, downloaded from their
# url_private_download with the bot token (integrations/slack/files.py).
FILE_SCOPES = ["files:read"]
SLASH_COMMANDS = [
    {"command": "/support-stats", "description": "Support ticket statistics", "usage_hint": ""},
    {
        "command": "/create-ticket",
        "description": "Create a support ticket (alone: open a form)",
        "usage_hint": "customer@example.com Subject - description",
    },
]
DEFAULT_NAME = "FractionaX Support"
MAX_NAME_LENGTH = 35  # Slack's limit for an app's name


def bot_display_name(name: str) -> str:
    """Slack allows a bot's display name only a-z, 0-9, '-', '_' and '.'."""
    return re.sub(r"[^a-z0-9._-]+", "-", name.lower()).strip("-") or "support"


def bot_scopes() -> list[str]:
    scopes = {scope for scope in SCOPES_BY_METHOD.values() if scope} | set(EVENT_SCOPES) | set(FILE_SCOPES)
    scopes.add("commands")
    return sorted(scopes)


def app_manifest(host: str, *, name: str = DEFAULT_NAME) -> dict[str, Any]:
    """Raises ValueError for a host Slack could not reach or trust."""
    if not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"The app's name must be 1 to {MAX_NAME_LENGTH} characters, not {name!r}.")
    base = checked_url(host, what="host")
    events_url = base + reverse("slack-events")
    commands_url = base + reverse("slack-slash-commands")
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Support tickets in a Slack channel: updates, thread replies, slash commands.",
        },
        "features": {
            "bot_user": {"display_name": bot_display_name(name), "always_online": True},
            "slash_commands": [
                {**{k: v for k, v in command.items() if v}, "url": commands_url, "should_escape": False}
                for command in SLASH_COMMANDS
            ],
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": {"request_url": events_url, "bot_events": BOT_EVENTS},
            "interactivity": {"is_enabled": True, "request_url": events_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": False,
            "token_rotation_enabled": False,
        },
    }
