"""Status mapping between tickets and Help Scout conversations (docs/helpscout.md, "Status
mapping"). Help Scout has fewer statuses, so a round trip keeps the finer ticket status:
an in_progress ticket seen as `active`, or a closed one seen as `closed`, stays as it is."""

from tickets.models import TicketStatus

TO_HELPSCOUT = {
    TicketStatus.OPEN: "active",
    TicketStatus.IN_PROGRESS: "active",
    TicketStatus.WAITING_CUSTOMER: "pending",
    TicketStatus.RESOLVED: "closed",
    TicketStatus.CLOSED: "closed",
}

FROM_HELPSCOUT = {
    "active": TicketStatus.OPEN,
    "pending": TicketStatus.WAITING_CUSTOMER,
    "closed": TicketStatus.RESOLVED,
    "spam": TicketStatus.CLOSED,
}


def status_to_helpscout(status: str) -> str:
    return TO_HELPSCOUT[TicketStatus(status)]


def status_from_helpscout(helpscout_status: str, current: str) -> str | None:
    """The ticket status for a Help Scout status, given the ticket's current one; None for
    a status we do not know (nothing to change)."""
    wanted = FROM_HELPSCOUT.get(helpscout_status)
    if wanted is None:
        return None
    if TO_HELPSCOUT[TicketStatus(current)] == helpscout_status:
        return current  # already there in Help Scout's terms: keep the finer status
    return wanted
