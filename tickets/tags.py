"""A ticket's tags: the one rule for what a tag list may hold, for the services and for
what routing rules add."""

from collections.abc import Iterable

from .exceptions import TicketError
from .limits import MAX_TAG_LENGTH, MAX_TAGS


def normalize_tags(tags: Iterable[str]) -> list[str]:
    """Lower-case, trimmed, unique, in the order given."""
    seen: dict[str, None] = {}
    for tag in tags:
        cleaned = " ".join(str(tag).split()).lower()
        if not cleaned:
            continue
        if len(cleaned) > MAX_TAG_LENGTH:
            raise TicketError("tags", f"A tag may have at most {MAX_TAG_LENGTH} characters.")
        seen[cleaned] = None
    if len(seen) > MAX_TAGS:
        raise TicketError("tags", f"A ticket may have at most {MAX_TAGS} tags.")
    return list(seen)
