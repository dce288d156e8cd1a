"""The reply box's canned responses: those the signed-in user sees, each with its reply as
it would go out on this ticket and the changes it would make (tickets/macro_views.py
applies one)."""

from dataclasses import dataclass
from typing import Any

from django import template

from .. import canned_responses, placeholders
from ..exceptions import TicketError
from ..models import Agent, CannedResponse, SupportTicket, Team, TicketCategory, TicketPriority, TicketStatus

register = template.Library()


@dataclass(frozen=True)
class Offer:
    response: CannedResponse
    preview: str  # the reply as it would go out; empty when it only changes the ticket
    changes: list[str]  # what it would change, in words
    problem: str  # why it cannot be sent as it stands, if it cannot


def _changes(actions: dict[str, Any], agents: dict[int, Agent], teams: dict[int, Team]) -> list[str]:
    words = []
    for key, label, choices in (
        ("status", "Status", TicketStatus),
        ("priority", "Priority", TicketPriority),
        ("category", "Category", TicketCategory),
    ):
        if key in actions:
            words.append(f"{label}: {choices(actions[key]).label}")
    if "assigneeId" in actions:
        agent = agents.get(actions["assigneeId"])
        words.append(f"Assign to {agent.display_name}" if agent else "Assign to an agent who no longer exists")
    if "teamId" in actions:
        team = teams.get(actions["teamId"])
        words.append(f"Team: {team.name}" if team else "Team: one that no longer exists")
    if actions.get("addTags"):
        words.append(f"Add tags: {', '.join(actions['addTags'])}")
    if actions.get("removeTags"):
        words.append(f"Remove tags: {', '.join(actions['removeTags'])}")
    return words


def offers(user: Any, ticket: SupportTicket) -> list[Offer]:
    responses = list(canned_responses.for_user(user))
    agents = Agent.objects.in_bulk({r.actions["assigneeId"] for r in responses if "assigneeId" in r.actions})
    teams = Team.objects.in_bulk({r.actions["teamId"] for r in responses if "teamId" in r.actions})
    sender = placeholders.Sender.of(user)
    result = []
    for response in responses:
        try:
            preview, problem = canned_responses.reply_text(response, ticket=ticket, sender=sender, comment=""), ""
        except TicketError as error:  # saved around the checks (a database edit): shown, never sent
            preview, problem = "", error.message
        result.append(Offer(response, preview, _changes(response.actions, agents, teams), problem))
    return result


@register.inclusion_tag("dashboard/_macro_picker.html", takes_context=True)
def macro_picker(context: template.Context) -> dict[str, Any]:
    """Inside the ticket page's reply form: `ticket` and `comment_form` from its context."""
    request, ticket, form = context["request"], context["ticket"], context["comment_form"]
    return {
        "ticket": ticket,
        "offers": offers(request.user, ticket),
        "field": form["canned_response"] if "canned_response" in form.fields else None,
    }
