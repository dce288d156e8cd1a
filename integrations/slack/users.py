"""Slack users and our agents, both ways.

A Slack user acts on tickets under the display name of the agent with their Slack user id
(Agent.slack_user_id), else of the Django user with the same e-mail (users.info; the
`users:read.email` scope), else under their Slack real name. An assignee is mentioned as
their agent's Slack user, else as the Slack user with their e-mail (users.lookupByEmail).
What Slack answers is cached: Slack rate-limits these calls, and buttons must be
answered within 3 seconds.
"""

import hashlib
import logging
import re
from typing import Any

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import Q, Value
from django.db.models.functions import Concat, Trim
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tickets.actors import display_name
from tickets.limits import MAX_ASSIGNEE_LENGTH
from tickets.models import Agent

from .client import CALL_ERRORS, INTERACTIVE_TIMEOUT_SECONDS, error_code, web_client

logger = logging.getLogger(__name__)

CACHE_SECONDS = 60 * 60
SLACK_USER_ID = re.compile(r"^[A-Z0-9]{2,32}$")


def agent_name(slack_user_id: str, *, fallback: str) -> str:
    """Looked up while Slack waits for our answer: if Slack fails us, `fallback` (not cached)."""
    fallback = fallback[:MAX_ASSIGNEE_LENGTH]
    if not SLACK_USER_ID.match(slack_user_id):
        return fallback
    if (agent := agent_for(slack_user_id)) is not None:  # not cached: a renamed agent shows at once
        return agent.display_name
    key = f"slack:agent-name:{slack_user_id}"
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    try:
        response = web_client(timeout=INTERACTIVE_TIMEOUT_SECONDS).users_info(user=slack_user_id)
    except CALL_ERRORS as error:
        logger.warning("Slack users.info for %s failed: %s", slack_user_id, error)
        return fallback
    user: dict[str, Any] = response.get("user") or {}
    profile: dict[str, Any] = user.get("profile") or {}
    name = (
        _agent_by_email(str(profile.get("email") or ""))
        or str(profile.get("real_name") or user.get("real_name") or user.get("name") or "").strip()
        or fallback
    )[:MAX_ASSIGNEE_LENGTH]
    cache.set(key, name, CACHE_SECONDS)
    # The same person may later be an assignee to mention: no lookup needed then.
    cache.set(_mention_key(name), slack_user_id, CACHE_SECONDS)
    return name


def agent_for(slack_user_id: str) -> Agent | None:
    """The agent who is this Slack user, if one is."""
    return Agent.objects.filter(slack_user_id=slack_user_id).first() if slack_user_id else None


def slack_user_id(assignee: str, client: WebClient) -> str | None:
    """The Slack user to mention for an assignee, when known: the agent's Slack user id,
    else the Slack user with the e-mail of the Django user of that name; a failed lookup
    means no mention."""
    if not assignee:
        return None
    agent = Agent.objects.filter(display_name__iexact=assignee).exclude(slack_user_id="").first()
    if agent is not None and SLACK_USER_ID.match(agent.slack_user_id):
        return agent.slack_user_id
    key = _mention_key(assignee)
    cached = cache.get(key)
    if cached is None:
        email = _agent_email(assignee)
        if email is None:
            cached = ""
        else:
            try:
                cached = str((client.users_lookupByEmail(email=email).get("user") or {}).get("id", ""))
            except CALL_ERRORS as error:
                if not (isinstance(error, SlackApiError) and error_code(error) == "users_not_found"):
                    logger.warning("Slack users.lookupByEmail for %r failed: %s", assignee, error)
                    return None
                cached = ""
        cache.set(key, cached, CACHE_SECONDS)
    return cached if SLACK_USER_ID.match(cached) else None


def _mention_key(name: str) -> str:
    return "slack:mention:" + hashlib.sha256(name.casefold().encode()).hexdigest()


def _agent_by_email(email: str) -> str:
    if not email:
        return ""
    user = get_user_model().objects.filter(email__iexact=email, is_active=True).order_by("pk").first()
    return display_name(user) if user is not None else ""


def _agent_email(name: str) -> str | None:
    """The e-mail of the one active user shown under `name`, if exactly one is."""
    emails = set(
        get_user_model()
        .objects.filter(is_active=True)
        .exclude(email="")
        .annotate(full_name=Trim(Concat("first_name", Value(" "), "last_name")))
        .filter(Q(full_name__iexact=name) | Q(username__iexact=name))
        .values_list("email", flat=True)[:2]
    )
    return emails.pop() if len(emails) == 1 else None
