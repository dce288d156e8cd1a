"""Shapes of agents and teams in the admin API (camelCase). Output serializers render the
selectors' rows; input serializers parse for tickets.agents, which checks the rules."""

from typing import Any

from rest_framework import serializers

from ..agents import (
    MAX_CAPACITY,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_EXTERNAL_ID_LENGTH,
    MAX_TEAM_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
)
from ..models import TeamAssignment
from .serializers import IdField

MAX_IDS = 1000  # teams an agent is in, members a team has: more is a mistake

# --- Output ---

# Empty in the database, null in the API: "not linked" (tickets use null the same way).
NULL_WHEN_EMPTY = ("email", "slackUserId", "helpScoutUserId")


class AgentSerializer(serializers.Serializer):
    """A staff user who works tickets."""

    # Renders a selectors.AgentRow.

    id = serializers.IntegerField(source="agent.pk")
    username = serializers.CharField(source="agent.user.username", help_text="Set on creation; never changes.")
    displayName = serializers.CharField(source="agent.display_name", help_text="Unique, regardless of case.")
    email = serializers.EmailField(source="agent.email", allow_null=True)
    slackUserId = serializers.CharField(source="agent.slack_user_id", allow_null=True)
    helpScoutUserId = serializers.CharField(source="agent.helpscout_user_id", allow_null=True)
    teams = serializers.ListField(child=serializers.IntegerField(), source="team_ids", help_text="Team ids.")
    available = serializers.BooleanField(source="agent.available", help_text="Away agents get no tickets by routing.")
    capacity = serializers.IntegerField(
        source="agent.capacity", allow_null=True, help_text="Most open tickets routing gives them; null: no limit."
    )
    openTickets = serializers.IntegerField(source="open_tickets", help_text="Assigned and not resolved or closed.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        return {key: (value or None) if key in NULL_WHEN_EMPTY else value for key, value in data.items()}


class TeamSerializer(serializers.Serializer):
    """Agents whose team's tickets are handed out by its assignment strategy."""

    # Renders a selectors.TeamRow.

    id = serializers.IntegerField(source="team.pk")
    name = serializers.CharField(source="team.name")
    members = serializers.ListField(child=serializers.IntegerField(), source="member_ids", help_text="Agent ids.")
    assignment = serializers.ChoiceField(
        choices=TeamAssignment.choices,
        source="team.assignment",
        help_text="How its unassigned tickets find an agent: by hand, in turns, or to the least loaded.",
    )


# --- Input ---


def _optional_text(max_length: int, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, allow_null=True, **kwargs)


class AgentUpdateSerializer(serializers.Serializer):
    """A field not given stays as it is (read as partial, so that a form-encoded body
    without `available` does not mean false, as DRF reads a missing checkbox)."""

    displayName = serializers.CharField(max_length=MAX_DISPLAY_NAME_LENGTH, required=False)
    email = serializers.EmailField(
        max_length=MAX_EMAIL_LENGTH, allow_blank=True, allow_null=True, required=False, help_text="Null or empty: none."
    )
    slackUserId = _optional_text(MAX_EXTERNAL_ID_LENGTH, required=False, help_text="Null or empty: none.")
    helpScoutUserId = _optional_text(MAX_EXTERNAL_ID_LENGTH, required=False, help_text="Null or empty: none.")
    teams = serializers.ListField(
        child=IdField(), max_length=MAX_IDS, required=False, help_text="Team ids; replaces the agent's teams."
    )
    available = serializers.BooleanField(required=False)
    capacity = serializers.IntegerField(
        min_value=0, max_value=MAX_CAPACITY, allow_null=True, required=False, help_text="Null: no limit."
    )


class AgentCreateSerializer(AgentUpdateSerializer):
    username = serializers.CharField(
        max_length=MAX_USERNAME_LENGTH,
        help_text="The staff user who is the agent: created (without a password) if there is none, made staff if not.",
    )
    displayName = serializers.CharField(max_length=MAX_DISPLAY_NAME_LENGTH)
    # The default also stands for a form-encoded body without the field (not false).
    available = serializers.BooleanField(default=True)


class TeamUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=MAX_TEAM_NAME_LENGTH, required=False)
    members = serializers.ListField(
        child=IdField(), max_length=MAX_IDS, required=False, help_text="Agent ids; replaces the members."
    )
    assignment = serializers.ChoiceField(choices=TeamAssignment.choices, required=False)


class TeamCreateSerializer(TeamUpdateSerializer):
    name = serializers.CharField(max_length=MAX_TEAM_NAME_LENGTH)
