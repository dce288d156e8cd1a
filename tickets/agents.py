"""The only writer of agents, teams and their memberships.

The API, the admin and the commands parse and authorise, then call these. Each call is one
transaction. A change that can give an agent room for tickets (back from away, more
capacity, a new team, a team that starts handing out, new members) hands the queues of
the agents' automatic teams out in the same transaction (`services.hand_out_queues`).

Locks: teams first, in id order, then the agent's row, as tickets/assignment.py takes them
(ticket, team, agent); every team the hand-out may visit is locked up front, so no lock on
a team is ever taken while an agent's row is held here.

A refusal is a `TicketError` naming the API's (camelCase) field.
"""

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from . import publishing, services
from .exceptions import TicketError
from .lookups import not_found, refuse_unknown, row_or_refuse
from .models import Agent, SupportTicket, Team, TeamAssignment, TeamMembership
from .services import KEEP, Keep

# What the columns hold (tickets/models/agents.py).
MAX_DISPLAY_NAME_LENGTH = Agent._meta.get_field("display_name").max_length or 100
MAX_EXTERNAL_ID_LENGTH = Agent._meta.get_field("slack_user_id").max_length or 32
MAX_EMAIL_LENGTH = 254
MAX_TEAM_NAME_LENGTH = Team._meta.get_field("name").max_length or 100
MAX_CAPACITY = 2**31 - 1  # a PositiveIntegerField
MAX_USERNAME_LENGTH = 150  # Django's user model


# --- Checks, each naming the API field it refuses ---


def _text(field: str, value: str, *, max_length: int, required: bool = False) -> str:
    value = value.strip()
    if required and not value:
        raise TicketError(field, "This field may not be blank.")
    if len(value) > max_length:
        raise TicketError(field, f"At most {max_length} characters.")
    return value


def _email(value: str) -> str:
    value = _text("email", value, max_length=MAX_EMAIL_LENGTH)
    if value:
        try:
            validate_email(value)
        except ValidationError:
            raise TicketError("email", "Enter a valid email address.") from None
    return value


def _capacity(value: int | None) -> int | None:
    if value is not None and not 0 <= value <= MAX_CAPACITY:
        raise TicketError("capacity", f"Between 0 and {MAX_CAPACITY}, or null for no limit.")
    return value


def _more_room(old: int | None, new: int | None) -> bool:
    return old is not None and (new is None or new > old)


def _display_name(value: str) -> str:
    return _text("displayName", value, max_length=MAX_DISPLAY_NAME_LENGTH, required=True)


def _external_id(field: str, value: str) -> str:
    return _text(field, value, max_length=MAX_EXTERNAL_ID_LENGTH)


_CLEANERS: dict[str, Callable[[Any], Any]] = {
    "display_name": _display_name,
    "email": _email,
    "slack_user_id": lambda value: _external_id("slackUserId", value),
    "helpscout_user_id": lambda value: _external_id("helpScoutUserId", value),
    "available": bool,
    "capacity": _capacity,
}


def _cleaned(fields: dict[str, Any]) -> dict[str, Any]:
    """The agent's columns given (not KEEP), each checked and normalised."""
    return {column: _CLEANERS[column](value) for column, value in fields.items() if not isinstance(value, Keep)}


def _ids(field: str, ids: Iterable[int]) -> set[int]:
    """Ids as given; a value that cannot be a row id is as unknown as a missing row."""
    wanted = set(ids)
    if any(not 1 <= pk < 2**63 for pk in wanted):
        raise TicketError(field, "Ids are positive integers.")
    return wanted


def _refuse_taken(field: str, taken: bool, message: str) -> None:
    if taken:
        raise TicketError(field, message)


def _check_agent_unique(agent: Agent) -> None:
    """Display names are unique regardless of case: a ticket's `assignedTo` finds its agent
    that way (change_sets.agent_named). Slack and Help Scout ids each name one agent."""
    others = Agent.objects.exclude(pk=agent.pk)
    if agent.user_id is not None:
        taken = others.filter(user_id=agent.user_id).exists()
        _refuse_taken("username", taken, f"{agent.user.get_username()} is an agent already.")
    _refuse_taken(
        "displayName",
        others.filter(display_name__iexact=agent.display_name).exists(),
        f"An agent named {agent.display_name!r} exists already.",
    )
    for field, column in (("slackUserId", "slack_user_id"), ("helpScoutUserId", "helpscout_user_id")):
        value = getattr(agent, column)
        _refuse_taken(field, bool(value) and others.filter(**{column: value}).exists(), f"{value} is another agent's.")


def _save(instance: Agent | Team, check_unique: Callable[[], object], **kwargs: Any) -> None:
    """Saves, checking uniqueness first; a concurrent writer that got there between the
    check and the write makes the database refuse, and the check, run again, names why."""
    check_unique()
    try:
        with transaction.atomic():
            instance.save(**kwargs)
    except IntegrityError:
        check_unique()
        raise


def _lock_teams(team_ids: Iterable[int], *, field: str | None = None) -> dict[int, Team]:
    """Locks these teams in id order. With `field`, an id that names no team is refused."""
    wanted = set(team_ids)
    teams = {team.pk: team for team in Team.objects.select_for_update().filter(pk__in=wanted).order_by("pk")}
    if field is not None:
        refuse_unknown(field, "team", wanted, teams)
    return teams


def _team_ids_of(agent_ids: Iterable[int]) -> set[int]:
    return set(TeamMembership.objects.filter(agent_id__in=list(agent_ids)).values_list("team_id", flat=True))


def _replace_teams(agent: Agent, team_ids: set[int]) -> set[int]:
    """The agent's memberships become `team_ids`; kept ones keep their round-robin turn.
    Returns the teams joined."""
    current = set(agent.memberships.values_list("team_id", flat=True))
    agent.memberships.filter(team_id__in=current - team_ids).delete()
    joined = team_ids - current
    TeamMembership.objects.bulk_create([TeamMembership(team_id=pk, agent=agent) for pk in sorted(joined)])
    return joined


def _replace_members(team: Team, agent_ids: set[int]) -> set[int]:
    """The team's memberships become `agent_ids`; returns the agents who joined."""
    current = set(team.memberships.values_list("agent_id", flat=True))
    team.memberships.filter(agent_id__in=current - agent_ids).delete()
    joined = agent_ids - current
    TeamMembership.objects.bulk_create([TeamMembership(team=team, agent_id=pk) for pk in sorted(joined)])
    return joined


def _valid_username(username: str) -> None:
    try:
        get_user_model().username_validator(username)  # type: ignore[attr-defined]
    except ValidationError as error:
        raise TicketError("username", " ".join(error.messages)) from None


def _staff_user(username: str, *, email: str) -> User:
    """The user with this username, made staff, or a new staff user (with `email`) who
    can sign in once given a password."""
    user_model = get_user_model()
    key = user_model.USERNAME_FIELD
    username = _text("username", username, max_length=MAX_USERNAME_LENGTH, required=True)
    user = user_model._default_manager.select_for_update().filter(**{key: username}).first()
    if user is None:
        _valid_username(username)
        user = user_model(**{key: username}, email=email, is_staff=True)
        user.set_unusable_password()
        try:
            with transaction.atomic():
                user.save()
        except IntegrityError:
            raise TicketError("username", f"{username} was created meanwhile; send the agent again.") from None
    elif not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return user


# --- Agents ---


@publishing.atomic()
def agent_create(
    *,
    username: str,
    display_name: str,
    email: str = "",
    slack_user_id: str = "",
    helpscout_user_id: str = "",
    available: bool = True,
    capacity: int | None = None,
    team_ids: Iterable[int] = (),
) -> Agent:
    """An agent for the user `username` (created if there is none, made staff if not yet),
    in `team_ids`. If those teams hand out tickets, their queues come to the new agent."""
    agent = Agent(
        **_cleaned(
            {
                "display_name": display_name,
                "email": email,
                "slack_user_id": slack_user_id,
                "helpscout_user_id": helpscout_user_id,
                "available": available,
                "capacity": capacity,
            }
        )
    )
    teams = _lock_teams(_ids("teams", team_ids), field="teams")
    agent.user = _staff_user(username, email=agent.email)
    agent.email = agent.email or agent.user.email
    _save(agent, lambda: _check_agent_unique(agent))
    _replace_teams(agent, set(teams))
    if teams and agent.available:
        services.hand_out_queues({agent.pk})
    return agent


@publishing.atomic()
def agent_update(
    *,
    agent_id: int,
    display_name: str | Keep = KEEP,
    email: str | Keep = KEEP,
    slack_user_id: str | Keep = KEEP,
    helpscout_user_id: str | Keep = KEEP,
    available: bool | Keep = KEEP,
    capacity: int | Keep | None = KEEP,
    team_ids: Iterable[int] | Keep = KEEP,
) -> Agent:
    """Changes what is given (KEEP leaves a field as it is); `team_ids` replaces the
    agent's memberships. Coming back, more room or a new team hands queues out."""
    wanted_teams = None if isinstance(team_ids, Keep) else _ids("teams", team_ids)
    # Every team the agent is or will be in: the hand-out visits no other.
    teams = _lock_teams(_team_ids_of([agent_id]) | (wanted_teams or set()))
    agent = Agent.objects.select_for_update().filter(pk=agent_id).first()
    if agent is None:
        raise not_found("agent", "agent", [agent_id])
    if wanted_teams is not None:
        refuse_unknown("teams", "team", wanted_teams, teams)
    was_available, old_capacity = agent.available, agent.capacity
    changes = _cleaned(
        {
            "display_name": display_name,
            "email": email,
            "slack_user_id": slack_user_id,
            "helpscout_user_id": helpscout_user_id,
            "available": available,
            "capacity": capacity,
        }
    )
    changed = sorted(column for column, value in changes.items() if value != getattr(agent, column))
    for column in changed:
        setattr(agent, column, changes[column])
    if changed:
        _save(agent, lambda: _check_agent_unique(agent), update_fields=changed)
    joined = _replace_teams(agent, wanted_teams) if wanted_teams is not None else set()
    if agent.available and (not was_available or _more_room(old_capacity, agent.capacity) or joined):
        services.hand_out_queues({agent.pk})
    return agent


def agent_check(
    *, agent_id: int | None, username: str | None = None, team_ids: Iterable[int] = (), **fields: Any
) -> None:
    """Raises the TicketError that agent_create (`agent_id` None) or agent_update would for
    these values, writing nothing: a form checks with it, so that a valid form saves whole."""
    agent = Agent() if agent_id is None else row_or_refuse(Agent, agent_id, field="agent", noun="agent")
    for column, value in _cleaned(fields).items():
        setattr(agent, column, value)
    if username is not None:
        username = _text("username", username, max_length=MAX_USERNAME_LENGTH, required=True)
        user_model = get_user_model()
        user = user_model._default_manager.filter(**{user_model.USERNAME_FIELD: username}).first()
        if user is None:
            _valid_username(username)
        else:
            agent.user = user
    _check_agent_unique(agent)
    wanted = _ids("teams", team_ids)
    refuse_unknown("teams", "team", wanted, Team.objects.filter(pk__in=wanted).values_list("pk", flat=True))


# --- Teams ---


def _team_name(name: str, team: Team | None = None) -> str:
    name = _text("name", name, max_length=MAX_TEAM_NAME_LENGTH, required=True)
    others = Team.objects.exclude(pk=team.pk) if team is not None else Team.objects.all()
    _refuse_taken("name", others.filter(name__iexact=name).exists(), f"A team named {name!r} exists already.")
    return name


def _assignment(value: str) -> str:
    if value not in TeamAssignment.values:
        raise TicketError("assignment", f'"{value}" is not one of: {", ".join(TeamAssignment.values)}.')
    return value


def _known_agents(agent_ids: set[int]) -> set[int]:
    found = set(Agent.objects.filter(pk__in=agent_ids).values_list("pk", flat=True))
    refuse_unknown("members", "agent", agent_ids, found)
    return found


@publishing.atomic()
def team_create(*, name: str, assignment: str = TeamAssignment.MANUAL, member_ids: Iterable[int] = ()) -> Team:
    """A team of `member_ids`. A new team has no tickets yet, so nothing is handed out."""
    team = Team(name=_team_name(name), assignment=_assignment(assignment))
    members = _known_agents(_ids("members", member_ids))
    _save(team, lambda: _team_name(team.name))
    _replace_members(team, members)
    return team


@publishing.atomic()
def team_update(
    *,
    team_id: int,
    name: str | Keep = KEEP,
    assignment: str | Keep = KEEP,
    member_ids: Iterable[int] | Keep = KEEP,
) -> Team:
    """Changes what is given; `member_ids` replaces the members. When the team starts
    handing out tickets, or gains members, the queues of those who may take them are
    handed out."""
    wanted = None if isinstance(member_ids, Keep) else _ids("members", member_ids)
    current = set(TeamMembership.objects.filter(team_id=team_id).values_list("agent_id", flat=True))
    # The hand-out visits every team of the members it hands out to: lock them all first.
    teams = _lock_teams({team_id} | _team_ids_of(current | (wanted or set())))
    team = teams.get(team_id)
    if team is None:
        raise not_found("team", "team", [team_id])
    was_manual = team.assignment == TeamAssignment.MANUAL
    changed = []
    if not isinstance(name, Keep) and (name := _team_name(name, team)) != team.name:
        team.name = name
        changed.append("name")
    if not isinstance(assignment, Keep) and _assignment(assignment) != team.assignment:
        team.assignment = assignment
        changed.append("assignment")
    if changed:
        _save(team, lambda: _team_name(team.name, team), update_fields=changed)
    joined = _replace_members(team, _known_agents(wanted)) if wanted is not None else set()
    if team.assignment == TeamAssignment.MANUAL:
        return team
    handed_out = set(team.memberships.values_list("agent_id", flat=True)) if was_manual else joined
    if handed_out:
        services.hand_out_queues(handed_out)
    return team


def team_check(*, team_id: int | None, name: str, member_ids: Iterable[int] = ()) -> None:
    """Raises the TicketError that team_create or team_update would, writing nothing."""
    _team_name(name, Team(pk=team_id) if team_id is not None else None)
    _known_agents(_ids("members", member_ids))


@publishing.atomic()
def team_delete(*, team_id: int) -> None:
    """Its tickets stay, without a team (their queue is gone; assignees keep them). They
    are locked before the team, in the order every ticket change takes its locks."""
    list(SupportTicket.objects.select_for_update().filter(team_id=team_id).order_by("pk").values_list("pk"))
    team = _lock_teams([team_id]).get(team_id)
    if team is None:
        raise not_found("team", "team", [team_id])
    team.delete()
