"""Collision control, "don't write blind": a change may name the state its writer saw and is
refused when the ticket has moved on since. The API (If-Match, seenCommentId), the dashboard's
reply form and Slack's buttons all pass what they showed; the services check it on the row
they have locked, so two writers who saw the same state cannot both pass.

Two states are checked, each against what its writer decides on:
- The ticket's fields (status, assignee, priority, category, tags, resolution): its
  `version`, counted up by every change of them (change_sets.save_changes). Counted views, integration
  sync stamps, SLA breach marks and comments leave it alone: a GET that counts a view must
  not outdate the version it returns, and a Slack message (whose buttons carry the version)
  is not redrawn for a reply made in its own thread.
- The conversation: a reply names the newest comment its writer saw, and is refused when
  someone else commented after it. The writer's own comments (sent from another tab) are
  not news to them.
"""

from .exceptions import StaleVersionError, UnseenCommentsError
from .models import SupportTicket, TicketComment


def check_version(ticket: SupportTicket, *, seen: int | None) -> None:
    """Raises StaleVersionError unless `seen` is None (no check) or the ticket's version.
    The caller holds the ticket's row lock."""
    if seen is not None and seen != ticket.version:
        raise StaleVersionError(ticket, seen)


def check_seen_comments(ticket: SupportTicket, *, seen_comment_id: int | None, author: str) -> None:
    """Raises UnseenCommentsError if anyone but `author` commented after `seen_comment_id` (0:
    the writer saw none; None: no check). The caller holds the ticket's row lock, which
    every comment_add takes, so no comment can arrive between this and the caller's own."""
    if seen_comment_id is None:
        return
    newer = list(
        TicketComment.objects.filter(ticket_id=ticket.pk, pk__gt=seen_comment_id).exclude(author=author).order_by("pk")
    )
    if newer:
        raise UnseenCommentsError(ticket, newer)
