"""Our webhook registered at Help Scout as it must be: pointing at this installation,
enabled, sending the events we handle (views.EVENTS) signed with HELPSCOUT_WEBHOOK_SECRET.
Help Scout never shows a webhook's secret, so a changed secret is sent again on request
(`resend_secret`); everything else is compared and fixed only when it differs."""

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse

from integrations.public_url import checked_url

from .client import HelpScoutClient
from .views import EVENTS

MAX_SECRET_LENGTH = 40  # Help Scout's limit
LABEL = "FractionaX Support"


@dataclass
class WebhookReport:
    url: str
    webhook_id: str = ""
    action: str = "unchanged"  # created, updated, unchanged, or needed (when only checking)
    problems: list[str] = field(default_factory=list)


def webhook_url(url: str) -> str:
    """The URL Help Scout posts to: as given, or our route under a bare host."""
    checked = checked_url(url, what="webhook URL")
    return checked if checked.split("://", 1)[1].count("/") else checked + reverse("helpscout-webhook")


def checked_secret(secret: str) -> str:
    if not secret:
        raise ValueError("HELPSCOUT_WEBHOOK_SECRET is not set: Help Scout signs each delivery with it.")
    if len(secret) > MAX_SECRET_LENGTH:
        raise ValueError(
            f"HELPSCOUT_WEBHOOK_SECRET is {len(secret)} characters; Help Scout takes at most {MAX_SECRET_LENGTH}."
        )
    return secret


def wanted(url: str, *, secret: str, mailbox_id: str) -> dict[str, Any]:
    return {
        "url": url,
        "events": sorted(EVENTS),
        "secret": secret,
        "payloadVersion": "V2",
        "notification": False,  # the whole conversation, not just its URI
        "mailboxIds": [int(mailbox_id)] if mailbox_id.isdigit() else [],
        "label": LABEL,
    }


def problems(existing: dict[str, Any], want: dict[str, Any]) -> list[str]:
    found = []
    if existing.get("state") != "enabled":
        found.append(f"state is {existing.get('state')!r}, not 'enabled'")
    missing = sorted(set(want["events"]) - set(existing.get("events") or []))
    if missing:
        found.append(f"missing events: {', '.join(missing)}")
    if existing.get("payloadVersion", "V2") != "V2":
        found.append(f"payload version {existing.get('payloadVersion')!r}, not 'V2'")
    if existing.get("notification"):
        found.append("sends only the resource's URI (notification), not the conversation")
    mailboxes = existing.get("mailboxIds") or []  # none listed: every mailbox
    if mailboxes and not set(want["mailboxIds"]) <= set(mailboxes):
        found.append(f"does not cover mailbox {', '.join(map(str, want['mailboxIds']))}")
    return found


def ensure_webhook(
    client: HelpScoutClient, url: str, *, secret: str, mailbox_id: str, apply: bool = True, resend_secret: bool = False
) -> WebhookReport:
    """Creates our webhook, or fixes it, unless `apply` is off; raises HelpScoutError."""
    want = wanted(url, secret=secret, mailbox_id=mailbox_id)
    ours = [hook for hook in client.webhooks() if str(hook.get("url", "")).rstrip("/") == url]
    report = WebhookReport(url=url)
    if not ours:
        report.problems = ["no webhook for this URL"]
        if apply:
            report.webhook_id, report.action = client.create_webhook(want), "created"
        else:
            report.action = "needed"
        return report
    existing = min(ours, key=lambda hook: hook.get("state") != "enabled")  # an enabled one, if any
    report.webhook_id = str(existing.get("id", ""))
    report.problems = problems(existing, want)
    if report.problems or resend_secret:
        if apply:
            client.update_webhook(report.webhook_id, want)
            report.action = "updated"
        else:
            report.action = "needed"
    return report
