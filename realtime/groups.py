"""Channel-layer group names, from one place."""

ADMIN = "admin"


def ticket_viewers(ticket_id: int) -> str:
    """Everyone with this ticket's page open (presence)."""
    return f"ticket-{ticket_id}-viewers"
