"""Which ticket a Slack thread belongs to: recorded when the ticket's root message is
posted, read when a reply arrives in the thread (integrations.models.SlackThread)."""

from integrations.models import SlackThread


def record_thread(ticket_id: int, *, channel_id: str, thread_ts: str) -> None:
    """The ticket's thread (a new root replaces an old one); one statement."""
    SlackThread.objects.bulk_create(
        [SlackThread(ticket_id=ticket_id, channel_id=channel_id, thread_ts=thread_ts)],
        update_conflicts=True,
        unique_fields=["ticket"],
        update_fields=["channel_id", "thread_ts"],
    )


def ticket_in_thread(channel_id: str, thread_ts: str) -> int | None:
    ticket_id: int | None = (
        SlackThread.objects.filter(channel_id=channel_id, thread_ts=thread_ts)
        .values_list("ticket_id", flat=True)
        .order_by("pk")
        .first()
    )
    return ticket_id
