"""The admin API over agents and teams: parse, call tickets.agents, answer with the
selectors' rows. Lists are not paginated: a helpdesk has at most a few hundred agents and
teams, and a client wants them all at once (to fill a picker or a roster)."""

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from .. import agents, selectors
from ..models import TeamAssignment
from . import agent_serializers as s
from .row_ids import ANY_ID, not_found_text, row_id
from .validation import valid_data


def _id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=f"The {what}'s id.")


AGENT_ID, TEAM_ID = _id_parameter("agent"), _id_parameter("team")


def _text(value: str | None) -> str:
    return value or ""


class AgentViewSet(viewsets.GenericViewSet):
    queryset = selectors.agent_list()
    serializer_class = s.AgentSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_value_regex = ANY_ID

    def _row(self, pk: str) -> selectors.AgentRow:
        row = selectors.agent_row(row_id(pk, "agent"))
        if row is None:
            raise NotFound(not_found_text("agent"))
        return row

    @extend_schema(responses=s.AgentSerializer(many=True), summary="All agents, by display name (not paginated)")
    def list(self, request: Request) -> Response:
        return Response(s.AgentSerializer(selectors.agent_rows(selectors.agent_list()), many=True).data)

    @extend_schema(request=s.AgentCreateSerializer, responses={201: s.AgentSerializer}, summary="Make a user an agent")
    def create(self, request: Request) -> Response:
        data = valid_data(s.AgentCreateSerializer(data=request.data))
        agent = agents.agent_create(
            username=data["username"],
            display_name=data["displayName"],
            email=_text(data.get("email")),
            slack_user_id=_text(data.get("slackUserId")),
            helpscout_user_id=_text(data.get("helpScoutUserId")),
            available=data.get("available", True),
            capacity=data.get("capacity"),
            team_ids=data.get("teams", ()),
        )
        return Response(s.AgentSerializer(self._row(str(agent.pk))).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[AGENT_ID], responses=s.AgentSerializer, summary="An agent")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.AgentSerializer(self._row(pk)).data)

    @extend_schema(
        parameters=[AGENT_ID],
        request=s.AgentUpdateSerializer,
        responses=s.AgentSerializer,
        summary="Change an agent (coming back, more capacity or a new team hands queued tickets out)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        row = self._row(pk)
        data = valid_data(s.AgentUpdateSerializer(data=request.data, partial=True))
        username = request.data.get("username") if isinstance(request.data, dict) else None
        if username is not None and username != row.agent.user.username:
            raise ValidationError({"username": ["An agent's username cannot be changed."]})
        renamed = {
            "displayName": "display_name",
            "slackUserId": "slack_user_id",
            "helpScoutUserId": "helpscout_user_id",
            "teams": "team_ids",
        }
        fields = {renamed.get(key, key): value for key, value in data.items()}
        for key in ("email", "slack_user_id", "helpscout_user_id"):
            if key in fields:
                fields[key] = _text(fields[key])
        agents.agent_update(agent_id=row.agent.pk, **fields)
        return Response(s.AgentSerializer(self._row(pk)).data)


class TeamViewSet(viewsets.GenericViewSet):
    queryset = selectors.team_list()
    serializer_class = s.TeamSerializer
    pagination_class = None
    filter_backends: list[Any] = []
    lookup_value_regex = ANY_ID

    def _row(self, pk: str) -> selectors.TeamRow:
        row = selectors.team_row(row_id(pk, "team"))
        if row is None:
            raise NotFound(not_found_text("team"))
        return row

    @extend_schema(responses=s.TeamSerializer(many=True), summary="All teams, by name (not paginated)")
    def list(self, request: Request) -> Response:
        return Response(s.TeamSerializer(selectors.team_rows(selectors.team_list()), many=True).data)

    @extend_schema(request=s.TeamCreateSerializer, responses={201: s.TeamSerializer}, summary="Create a team")
    def create(self, request: Request) -> Response:
        data = valid_data(s.TeamCreateSerializer(data=request.data))
        team = agents.team_create(
            name=data["name"],
            assignment=data.get("assignment", TeamAssignment.MANUAL),
            member_ids=data.get("members", ()),
        )
        return Response(s.TeamSerializer(self._row(str(team.pk))).data, status=status.HTTP_201_CREATED)

    @extend_schema(parameters=[TEAM_ID], responses=s.TeamSerializer, summary="A team")
    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(s.TeamSerializer(self._row(pk)).data)

    @extend_schema(
        parameters=[TEAM_ID],
        request=s.TeamUpdateSerializer,
        responses=s.TeamSerializer,
        summary="Change a team (becoming automatic or gaining members hands queued tickets out)",
    )
    def partial_update(self, request: Request, pk: str) -> Response:
        team_id = self._row(pk).team.pk
        data = valid_data(s.TeamUpdateSerializer(data=request.data, partial=True))
        fields = {"member_ids" if key == "members" else key: value for key, value in data.items()}
        agents.team_update(team_id=team_id, **fields)
        return Response(s.TeamSerializer(self._row(pk)).data)

    @extend_schema(
        parameters=[TEAM_ID], responses={204: None}, summary="Delete a team (its tickets stay, without a team)"
    )
    def destroy(self, request: Request, pk: str) -> Response:
        agents.team_delete(team_id=self._row(pk).team.pk)
        return Response(status=status.HTTP_204_NO_CONTENT)
