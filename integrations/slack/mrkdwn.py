"""Slack's text format, both ways: our text made inert for Slack, and Slack's text made
plain for a ticket comment."""

import re

_SPECIAL = re.compile(r"<([^<>]*)>")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def escape(text: str) -> str:
    """Slack's three control characters, so ticket text can neither ping (`<!channel>`,
    `<@U123>`) nor forge a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_truncated(text: str, limit: int) -> str:
    """Escaped, and at most `limit` characters (Block Kit rejects longer texts), never
    cutting an entity in half."""
    escaped = escape(text)
    if len(escaped) <= limit:
        return escaped
    return _PARTIAL_ENTITY.sub("", escaped[: limit - 1]) + "…"


def quote(text: str, limit: int) -> str:
    """Escaped and shortened text as a block quote, line by line."""
    return "\n".join(f">{line}" for line in escape_truncated(text, limit).splitlines() or [""])


def to_plain(text: str) -> str:
    """A message as its author saw it: mentions and links unwrapped, entities decoded."""
    return _SPECIAL.sub(_unwrap, text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _unwrap(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith(("@", "#")):
        return target[0] + (label or target[1:])
    if target.startswith("!"):  # @channel and friends, user groups, dates
        return label or "@" + target[1:]
    target = target.removeprefix("mailto:")
    return target if not label or label == target else f"{label} ({target})"
