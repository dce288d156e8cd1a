"""The public addresses Slack and Help Scout are given for this installation."""

import ipaddress
from urllib.parse import urlsplit

LOOPBACK_NAMES = frozenset({"localhost"})


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def checked_url(url: str, *, what: str = "URL") -> str:
    """`url` without a trailing slash; raises ValueError unless it is an absolute https URL
    with no query or fragment (plain http only for loopback, for local trials)."""
    parts = urlsplit(url.strip())
    try:
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        raise ValueError(f"The {what} has a bad port: {url!r}.") from None
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValueError(f"The {what} must be an absolute https:// URL, not {url!r}.")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise ValueError(f"The {what} must use https (plain http only on loopback): {url!r}.")
    if parts.query or parts.fragment or parts.username or parts.password:
        raise ValueError(f"The {what} must have no query, fragment or credentials: {url!r}.")
    return parts._replace(path=parts.path.rstrip("/")).geturl()
