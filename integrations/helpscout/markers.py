"""The mark on the threads we create in Help Scout: an HTML comment naming the outbox
message that made it, invisible in the e-mail the customer gets. It lets a retry find a
thread an earlier attempt created, and the webhook side skip our own threads even before
their ids are recorded."""

import re

_MARK = re.compile(r"<!--\s*fractionax-outbox:(\d+)\s*-->")


def mark(outbox_message_id: int) -> str:
    return f"<!-- fractionax-outbox:{outbox_message_id} -->"


def marked_message(body: str) -> int | None:
    """The outbox message that made a thread, from its HTML body."""
    match = _MARK.search(body)
    return int(match.group(1)) if match else None
