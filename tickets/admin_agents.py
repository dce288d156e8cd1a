"""The Django admin over agents and teams. Like the tickets' admin it writes nothing
itself: forms check with tickets.agents' rules, saves call tickets.agents (which hands
queued tickets out when a change gives someone room). Registered by tickets/admin.py."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest

from . import agents
from .exceptions import TicketError
from .forms import add_service_error
from .models import Agent, Team, TeamMembership

AGENT_FIELDS = ("display_name", "email", "slack_user_id", "helpscout_user_id", "available", "capacity")


class AgentAdminForm(forms.ModelForm):
    username = forms.CharField(
        max_length=agents.MAX_USERNAME_LENGTH,
        help_text="The user who is the agent: created (without a password) if there is none, made staff if not.",
    )
    teams = forms.ModelMultipleChoiceField(queryset=Team.objects.order_by("name"), required=False)

    class Meta:
        model = Agent
        fields = AGENT_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["username"]  # set once, on creation
            self.fields["teams"].initial = list(self.instance.teams.values_list("pk", flat=True))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        try:
            agents.agent_check(
                agent_id=self.instance.pk,
                username=data.get("username"),
                team_ids=[team.pk for team in data.get("teams", [])],
                **{name: data[name] for name in AGENT_FIELDS},
            )
        except TicketError as error:
            add_service_error(self, error)
        return data


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    form = AgentAdminForm
    list_display = ("display_name", "user", "email", "available", "capacity", "slack_user_id", "helpscout_user_id")
    list_filter = ("available", "teams")
    search_fields = ("display_name", "user__username", "email")
    list_select_related = ("user",)

    def get_fields(self, request: HttpRequest, obj: Agent | None = None) -> Any:
        return (("username",) if obj is None else ("user",)) + AGENT_FIELDS + ("teams",)

    def get_readonly_fields(self, request: HttpRequest, obj: Agent | None = None) -> Any:
        return ("user",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False  # an agent who leaves is marked away; their tickets' history names them

    def save_model(self, request: HttpRequest, obj: Agent, form: Any, change: bool) -> None:
        data = form.cleaned_data
        team_ids = [team.pk for team in data["teams"]]
        if change:
            changed = {name: data[name] for name in AGENT_FIELDS if name in form.changed_data}
            if "teams" in form.changed_data:
                changed["team_ids"] = team_ids
            agents.agent_update(agent_id=obj.pk, **changed)
        else:
            fields = {name: data[name] for name in AGENT_FIELDS}
            obj.pk = agents.agent_create(username=data["username"], team_ids=team_ids, **fields).pk
        obj.refresh_from_db()


class TeamAdminForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ("name", "assignment")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "name" in data:
            try:
                agents.team_check(team_id=self.instance.pk, name=data["name"])
            except TicketError as error:
                add_service_error(self, error)
        return data


class MembershipInline(admin.TabularInline):
    """Who is in the team; the save replaces the members through team_update."""

    model = TeamMembership
    fields = ("agent", "last_assigned_at")
    readonly_fields = ("last_assigned_at",)
    extra = 1


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    form = TeamAdminForm
    inlines = [MembershipInline]
    list_display = ("name", "assignment")
    list_filter = ("assignment",)
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: Team, form: Any, change: bool) -> None:
        # A change is saved with its members, in one call (save_related): made automatic
        # and given new members at once, the team hands its queue to the new members.
        if not change:
            obj.pk = agents.team_create(name=form.cleaned_data["name"], assignment=form.cleaned_data["assignment"]).pk

    def save_related(self, request: HttpRequest, form: Any, formsets: list[BaseInlineFormSet], change: bool) -> None:
        (memberships,) = formsets
        members = {
            row.cleaned_data["agent"].pk
            for row in memberships.forms
            if row.cleaned_data.get("agent") is not None and not row.cleaned_data.get("DELETE")
        }
        changed = form.changed_data if change else []
        updates = {name: form.cleaned_data[name] for name in ("name", "assignment") if name in changed}
        agents.team_update(team_id=form.instance.pk, member_ids=members, **updates)
        form.instance.refresh_from_db()
        # What the admin's history message lists; the service wrote the rows.
        memberships.new_objects, memberships.changed_objects, memberships.deleted_objects = [], [], []

    def delete_model(self, request: HttpRequest, obj: Team) -> None:
        agents.team_delete(team_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Team]) -> None:
        for team_id in queryset.order_by("pk").values_list("pk", flat=True):
            agents.team_delete(team_id=team_id)
