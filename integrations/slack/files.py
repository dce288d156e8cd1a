"""Files posted in a ticket's Slack thread: listed on the message event (`files`), fetched
from their `url_private_download` with the bot token, off the webhook's request (Slack wants
its answer within 3 seconds), then attached to the comment the message became.

The token is only ever sent to Slack's file host (or, in tests, SLACK_API_URL's host): a URL
elsewhere is not fetched. A file we would refuse (an executable, one over
ATTACHMENT_MAX_BYTES) is not fetched either."""

import logging
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from django.conf import settings

from tickets import attachments, services
from tickets.limits import attachment_max_bytes

logger = logging.getLogger(__name__)

SLACK_FILE_HOST = "files.slack.com"
CONNECT_TIMEOUT = 5  # seconds; reads wait up to SLACK_TIMEOUT_SECONDS


class FileFetchError(Exception):
    """A file could not be fetched for now (timeout, 5xx, 429): the task retries."""


@dataclass(frozen=True)
class SlackFile:
    id: str
    name: str
    mimetype: str
    size: int | None
    url: str

    def as_task_argument(self) -> dict[str, Any]:
        return asdict(self)


def parse_files(event: dict[str, Any]) -> list[SlackFile]:
    """The files of a message event that can be fetched. Slack lists others too: hidden by
    the workspace's plan (`mode: hidden_by_limit`), deleted (`tombstone`), or external links."""
    found = []
    for item in event.get("files") or ():
        if not isinstance(item, dict):
            continue
        url = item.get("url_private_download") or item.get("url_private")
        file_id, name, size = item.get("id"), item.get("name") or item.get("title") or "", item.get("size")
        if not (isinstance(url, str) and isinstance(file_id, str) and isinstance(name, str)):
            continue
        if item.get("mode") in ("tombstone", "hidden_by_limit", "external") or item.get("is_external"):
            continue
        mimetype = item.get("mimetype")
        found.append(
            SlackFile(
                id=file_id,
                name=name,
                mimetype=mimetype if isinstance(mimetype, str) else "",
                size=size if isinstance(size, int) else None,
                url=url,
            )
        )
    return found


def allowed_url(url: str) -> bool:
    """Slack's file host over HTTPS, or the host SLACK_API_URL names (a local fake in tests)."""
    parts, api = urlsplit(url), urlsplit(settings.SLACK_API_URL)
    if parts.scheme == "https" and parts.hostname == SLACK_FILE_HOST:
        return True
    return (parts.scheme, parts.netloc) == (api.scheme, api.netloc)


def fetch_and_attach(comment_id: int, files: list[dict[str, Any]]) -> int:
    """Fetches the files and attaches them to the comment; the number attached."""
    fetched = []
    for file in (SlackFile(**item) for item in files):
        incoming = _fetch(file)
        if incoming is not None:
            fetched.append(incoming)
    return len(services.comment_attach_files(comment_id=comment_id, files=attachments.acceptable(fetched)))


def _fetch(file: SlackFile) -> attachments.IncomingFile | None:
    name = attachments.clean_filename(file.name)
    refused = attachments.type_refusal(name, attachments.clean_content_type(file.mimetype, name))
    limit = attachment_max_bytes()
    if refused is not None or (file.size is not None and file.size > limit) or not allowed_url(file.url):
        reason = refused.message if refused else f"{file.size} bytes, or not on Slack's file host"
        logger.warning("Slack file %s left out: %s", file.id, reason)
        return None
    try:
        with requests.get(
            file.url,
            headers={"Authorization": f"Bearer {settings.SLACK_BOT_TOKEN}"},
            timeout=(CONNECT_TIMEOUT, settings.SLACK_TIMEOUT_SECONDS),
            stream=True,
            allow_redirects=False,  # a redirect could lead the token elsewhere
        ) as response:
            if response.status_code == 429 or response.status_code >= 500:
                raise FileFetchError(f"Slack file {file.id}: HTTP {response.status_code}")
            if response.status_code != 200:
                logger.warning("Slack file %s left out: HTTP %s", file.id, response.status_code)
                return None
            data = bytearray()
            for chunk in response.iter_content(64 * 1024):
                data += chunk
                if len(data) > limit:
                    logger.warning("Slack file %s left out: over %s bytes", file.id, limit)
                    return None
    except requests.RequestException as error:
        raise FileFetchError(f"Slack file {file.id}: {type(error).__name__}: {error}") from error
    return attachments.IncomingFile.from_bytes(file.name, file.mimetype, bytes(data))
