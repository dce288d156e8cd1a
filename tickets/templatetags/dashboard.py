"""Small display helpers for the dashboard templates."""

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat
from django.utils.timezone import localtime

from ..models import Agent, SupportTicket
from ..sla import is_overdue

register = template.Library()

# How the dashboard shows a moment: the 24-hour clock, as every other date on the site
# (fractionax_support/formats/en/formats.py).
WHEN_FORMAT = "M j, H:i"


@register.filter
def when(moment: datetime | None) -> str:
    """'Dec 7, 15:05' in the site's time zone; '' for no moment."""
    return dateformat.format(localtime(moment), WHEN_FORMAT) if moment else ""


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
