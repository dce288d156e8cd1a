"""The dashboard's settings pages for agents and teams, and an agent's away switch.

Staff only, as the rest of the dashboard. Every change is one call to tickets/agents.py;
its refusals are shown next to the field they name."""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from . import agents, selectors
from .exceptions import TicketError
from .forms import AgentForm, AvailabilityForm, TeamForm, add_service_error
from .models import Team, TeamAssignment
from .views import agent_of, redirect_after_post, safe_next, staff_required


@require_GET
@staff_required
def settings_page(request: HttpRequest) -> HttpResponse:
    """Every agent (teams, availability, capacity, open tickets) and every team."""
    agent_rows = selectors.agent_rows(selectors.agent_list())
    team_rows = selectors.team_rows(selectors.team_list())
    team_names = {row.team.pk: row.team.name for row in team_rows}
    agent_names = {row.agent.pk: row.agent.display_name for row in agent_rows}
    context = {
        "agents": [(row, [team_names[pk] for pk in row.team_ids if pk in team_names]) for row in agent_rows],
        "teams": [(row, [agent_names[pk] for pk in row.member_ids if pk in agent_names]) for row in team_rows],
    }
    return render(request, "dashboard/settings.html", context)


def _saved(request: HttpRequest, text: str) -> HttpResponse:
    messages.success(request, text)
    return redirect("dashboard:agent-settings")


def _form_page(request: HttpRequest, form: AgentForm | TeamForm, **context: Any) -> HttpResponse:
    status = 400 if form.errors else 200
    return render(request, "dashboard/settings_form.html", {"form": form, **context}, status=status)


# --- Agents ---


@staff_required
def agent_create(request: HttpRequest) -> HttpResponse:
    form = AgentForm(request.POST or None, teams=selectors.team_list(), creating=True, initial={"available": True})
    if request.method == "POST" and form.is_valid():
        try:  # the form's fields are the service's arguments
            agent = agents.agent_create(**form.cleaned_data)
        except TicketError as error:
            add_service_error(form, error)
        else:
            return _saved(request, f"Added {agent.display_name}.")
    return _form_page(request, form, title="New agent", submit="Add agent")


@staff_required
def agent_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.agent_row(pk)
    if row is None:
        raise Http404("No agent with this id.")
    agent = row.agent
    initial = {
        "display_name": agent.display_name,
        "email": agent.email,
        "slack_user_id": agent.slack_user_id,
        "helpscout_user_id": agent.helpscout_user_id,
        "available": agent.available,
        "capacity": agent.capacity,
        "team_ids": row.team_ids,
    }
    form = AgentForm(request.POST or None, teams=selectors.team_list(), creating=False, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            agent = agents.agent_update(agent_id=agent.pk, **form.cleaned_data)
        except TicketError as error:
            add_service_error(form, error)
        else:
            return _saved(request, f"Saved {agent.display_name}.")
    return _form_page(
        request,
        form,
        title=f"Agent: {agent.display_name}",
        submit="Save agent",
        subtitle=f"Signs in as {agent.user.get_username()}",
    )


@require_POST
@staff_required
def agent_availability(request: HttpRequest, pk: int) -> HttpResponse:
    """Available or away: from the settings list for anyone, from the top bar for oneself."""
    form = AvailabilityForm(request.POST)
    next_url = safe_next(request, reverse("dashboard:agent-settings"))
    if not form.is_valid():
        messages.error(request, "Choose available or away.")
        return redirect_after_post(request, next_url)
    available = form.cleaned_data["available"]
    try:
        agent = agents.agent_update(agent_id=pk, available=available)
    except TicketError as error:
        messages.error(request, error.message)
        return redirect_after_post(request, next_url)
    own = agent_of(request)
    who = "You are" if own is not None and own.pk == agent.pk else f"{agent.display_name} is"
    messages.success(request, f"{who} {'available' if available else 'away'}.")
    return redirect_after_post(request, next_url)


# --- Teams ---


@staff_required
def team_create(request: HttpRequest) -> HttpResponse:
    initial = {"assignment": TeamAssignment.MANUAL}
    form = TeamForm(request.POST or None, members=selectors.agent_list(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = agents.team_create(**form.cleaned_data)
        except TicketError as error:
            add_service_error(form, error)
        else:
            return _saved(request, f"Added team {team.name}.")
    return _form_page(request, form, title="New team", submit="Add team")


@staff_required
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.team_row(pk)
    if row is None:
        raise Http404("No team with this id.")
    team: Team = row.team
    initial = {"name": team.name, "assignment": team.assignment, "member_ids": row.member_ids}
    form = TeamForm(request.POST or None, members=selectors.agent_list(), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            team = agents.team_update(team_id=team.pk, **form.cleaned_data)
        except TicketError as error:
            add_service_error(form, error)
        else:
            return _saved(request, f"Saved team {team.name}.")
    return _form_page(request, form, title=f"Team: {team.name}", submit="Save team", team=team)


@require_POST
@staff_required
def team_delete(request: HttpRequest, pk: int) -> HttpResponse:
    row = selectors.team_row(pk)
    if row is None:
        raise Http404("No team with this id.")
    team = row.team
    try:
        agents.team_delete(team_id=team.pk)
    except TicketError as error:  # deleted meanwhile
        messages.error(request, error.message)
        return redirect("dashboard:agent-settings")
    return _saved(request, f"Deleted team {team.name}. Its tickets keep their assignees and have no team now.")
