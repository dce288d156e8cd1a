"""`manage.py slack_manifest`: the manifest's URLs are this installation's own routes, its
commands are the ones we answer, its scopes cover every Web API method our code calls, and
a host Slack could not use is refused."""

import json
import re
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.management import CommandError, call_command
from django.urls import resolve
from slack_sdk import WebClient

from integrations.slack import views
from integrations.slack.manifest import SCOPES_BY_METHOD, SLASH_COMMANDS, app_manifest

from .helpers import post_command

SLACK_PACKAGE = Path(views.__file__).parent


def manifest_from_command(*args: str) -> dict:
    out = StringIO()
    call_command("slack_manifest", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_request_urls_are_this_installations_routes():
    manifest = manifest_from_command("--host", "https://support.example.com/")

    settings = manifest["settings"]
    events_url = settings["event_subscriptions"]["request_url"]
    assert events_url == "https://support.example.com/api/webhooks/slack"
    assert settings["interactivity"] == {"is_enabled": True, "request_url": events_url}
    assert resolve(urlsplit(events_url).path).func == views.events
    for command in manifest["features"]["slash_commands"]:
        assert command["url"] == "https://support.example.com/api/webhooks/slack/slash-commands"
        assert resolve(urlsplit(command["url"]).path).func == views.slash_commands
    assert settings["event_subscriptions"]["bot_events"] == ["message.channels", "message.groups"]
    assert {"chat:write", "commands", "channels:history", "groups:history", "files:read"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )


def test_an_installation_under_a_path_and_a_local_trial_over_http():
    assert (
        manifest_from_command("--host", "https://example.com/support")["settings"]["event_subscriptions"]["request_url"]
        == "https://example.com/support/api/webhooks/slack"
    )
    for local in ("http://127.0.0.1:8000", "http://localhost:8000", "http://[::1]:8000"):
        assert app_manifest(local)["settings"]["interactivity"]["request_url"].startswith(local)


@pytest.mark.parametrize(
    ("host", "problem"),
    [
        ("http://support.example.com", "must use https"),
        ("support.example.com", "absolute https:// URL"),
        ("ftp://support.example.com", "absolute https:// URL"),
        ("https://support.example.com/?x=1", "no query"),
        ("https://user:pw@support.example.com", "credentials"),
        ("https://support.example.com:port", "bad port"),
    ],
)
def test_a_host_slack_could_not_use_is_refused(host, problem):
    with pytest.raises(CommandError, match=re.escape(problem)):
        manifest_from_command("--host", host)


def test_a_name_slack_would_refuse_is_refused():
    with pytest.raises(CommandError, match="1 to 35 characters"):
        manifest_from_command("--host", "https://support.example.com", "--name", "x" * 36)
    manifest = manifest_from_command("--host", "https://support.example.com", "--name", "Acme Help Desk")
    assert manifest["display_information"]["name"] == "Acme Help Desk"
    assert manifest["features"]["bot_user"]["display_name"] == "acme-help-desk"


@pytest.mark.django_db
@pytest.mark.parametrize("command", [command["command"] for command in SLASH_COMMANDS])
def test_every_command_in_the_manifest_is_one_we_answer(slack, client, command):
    response = post_command(client, command, trigger_id="1.2.abc")

    assert response.status_code == 200
    assert b"Unknown command" not in response.content


def test_the_scopes_cover_every_web_api_method_our_code_calls():
    called = set()
    for source in SLACK_PACKAGE.glob("*.py"):
        for family, method in re.findall(r"\.([a-z]+)_([A-Za-z]+)\(", source.read_text()):
            if hasattr(WebClient, f"{family}_{method}") and (family, method) != ("api", "call"):
                called.add(f"{family}.{method}")
    assert {"chat.postMessage", "chat.update", "users.info"} <= called  # the scan finds calls
    assert called <= set(SCOPES_BY_METHOD), f"no scope listed for {called - set(SCOPES_BY_METHOD)}"
