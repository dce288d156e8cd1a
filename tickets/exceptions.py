"""The domain's errors. `TicketError` is a refused change: the API maps it to a 400 naming
the field. Its two subclasses refuse a change made on an outdated view of the ticket
(tickets/versions.py) and carry what changed since, so each caller can show it."""

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import SupportTicket, TicketComment


class TicketError(Exception):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class AttachmentTooLargeError(TicketError):
    """A file over ATTACHMENT_MAX_BYTES: the API answers 413 rather than 400."""


class StaleVersionError(TicketError):
    """The ticket's fields changed after the version the writer saw; `ticket` is as it is now."""

    def __init__(self, ticket: "SupportTicket", seen: int) -> None:
        super().__init__(
            "version",
            f"{ticket.ticket_number} was changed after the version you saw ({seen}; it is now {ticket.version}). "
            "Look at it again, then repeat your change if it still applies.",
        )
        self.ticket = ticket


class UnseenCommentsError(TicketError):
    """Others commented after the newest comment the writer saw; `comments` are those, oldest first."""

    def __init__(self, ticket: "SupportTicket", comments: list["TicketComment"]) -> None:
        names = ", ".join(sorted({comment.author for comment in comments}))
        super().__init__(
            "seenCommentId", f"{names} replied since you opened this ticket. Read the new replies, then send again."
        )
        self.ticket = ticket
        self.comments = comments
