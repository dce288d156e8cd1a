"""Our own bot user in Slack: its messages are ours, never a person's comment.

A message our app posts may arrive as a plain message with the bot user's `user` and no
`bot_id` (Slack's "Ignore your own messages"), so replies are compared with the bot user
id from auth.test. It is cached per token, since it changes only with the token; while
auth.test fails, the event's own `authorizations` (the bot user it was delivered for)
stands in.
"""

import hashlib
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache

from .client import CALL_ERRORS, INTERACTIVE_TIMEOUT_SECONDS, web_client
from .users import SLACK_USER_ID

logger = logging.getLogger(__name__)

CACHE_SECONDS = 24 * 60 * 60
# After a failed auth.test: not asked again for a while, so an outage does not cost every
# event a call (Slack waits 3 s for our answer).
FAILURE_CACHE_SECONDS = 60


def is_own_user(user: str, envelope: dict[str, Any]) -> bool:
    own = bot_user_id() or _authorized_bot_user(envelope)
    return bool(own) and user == own


def bot_user_id() -> str:
    """The bot user id of SLACK_BOT_TOKEN, "" when auth.test cannot tell it now."""
    key = "slack:bot-user:" + hashlib.sha256(settings.SLACK_BOT_TOKEN.encode()).hexdigest()
    cached = cache.get(key)
    if cached is not None:
        return str(cached)
    try:
        response = web_client(timeout=INTERACTIVE_TIMEOUT_SECONDS).auth_test()
    except CALL_ERRORS as error:
        logger.warning("Slack auth.test failed: %s", error)
        cache.set(key, "", FAILURE_CACHE_SECONDS)
        return ""
    user_id = response.get("user_id")
    if not (isinstance(user_id, str) and SLACK_USER_ID.match(user_id)):
        logger.warning("Slack auth.test named no bot user: %s", response.data)
        cache.set(key, "", FAILURE_CACHE_SECONDS)
        return ""
    cache.set(key, user_id, CACHE_SECONDS)
    return user_id


def _authorized_bot_user(envelope: dict[str, Any]) -> str:
    authorizations = envelope.get("authorizations")
    for authorization in authorizations if isinstance(authorizations, list) else ():
        if isinstance(authorization, dict) and authorization.get("is_bot") is True:
            user_id = authorization.get("user_id")
            if isinstance(user_id, str) and SLACK_USER_ID.match(user_id):
                return user_id
    return ""
