"""Small display helpers for the dashboard templates."""

from datetime import datetime
from typing import Any

from django import template

from ..models import Agent, SupportTicket
from ..sla import is_overdue

register = template.Library()


@register.filter
def overdue_at(ticket: SupportTicket, now: datetime) -> bool:
    return is_overdue(ticket, now=now)


@register.filter
def slack_link(ticket: SupportTicket) -> str:
    """Slack's archive link to the ticket's root message."""
    if not (ticket.slack_channel_id and ticket.slack_message_ts):
        return ""
    return f"https://slack.com/archives/{ticket.slack_channel_id}/p{ticket.slack_message_ts.replace('.', '')}"


@register.filter
def helpscout_link(ticket: SupportTicket) -> str:
    if not ticket.helpscout_conversation_id:
        return ""
    return f"https://secure.helpscout.net/conversation/{ticket.helpscout_conversation_id}"


@register.filter
def selected_if(value: Any, current: Any) -> str:
    return "selected" if str(value) == str(current or "") else ""


@register.simple_tag(takes_context=True)
def signed_in_agent(context: template.Context) -> Agent | None:
    """The signed-in user's agent profile, for the top bar; None for staff who are no agent."""
    user = getattr(context.get("request"), "user", None)
    if user is None or not user.is_authenticated:
        return None
    return getattr(user, "agent", None)
