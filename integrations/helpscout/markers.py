"""The mark on the threads we create in Help Scout: an HTML comment naming this
installation and the outbox message that made it, invisible in the e-mail the customer
gets. It lets a retry find a thread an earlier attempt created, and the webhook side skip
our own threads even before their ids are recorded. Only threads we can have made (agent
replies and notes) are read for it: a customer quoting our e-mail quotes the mark too."""

import re

from integrations.installation import installation_id

_MARK = re.compile(r"<!--\s*fractionax-outbox:([0-9a-z]+):(\d+)\s*-->")
OUR_THREAD_TYPES = frozenset({"reply", "message", "note"})


def mark(outbox_message_id: int) -> str:
    return f"<!-- fractionax-outbox:{installation_id()}:{outbox_message_id} -->"


def marked_message(thread_type: str, body: str) -> int | None:
    """The outbox message of ours that made a thread, from its type and HTML body."""
    match = _MARK.search(body) if thread_type in OUR_THREAD_TYPES else None
    return int(match.group(2)) if match and match.group(1) == installation_id() else None
