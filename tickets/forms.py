"""Dashboard forms. They validate what a person typed; the services make the change."""

import re
from collections.abc import Iterable
from typing import Any

from django import forms

from . import custom_field_forms, limits, services
from .agents import (
    MAX_CAPACITY,
    MAX_DISPLAY_NAME_LENGTH,
    MAX_EMAIL_LENGTH,
    MAX_EXTERNAL_ID_LENGTH,
    MAX_TEAM_NAME_LENGTH,
    MAX_USERNAME_LENGTH,
)
from .attachments import IncomingFile
from .exceptions import TicketError
from .models import (
    FINISHED_STATUSES,
    Agent,
    CustomField,
    Team,
    TeamAssignment,
    TicketCategory,
    TicketPriority,
    TicketSource,
    TicketStatus,
)

# Services name fields as the API does; forms use the model's names. Where forms differ,
# the first of the candidates that the form has gets the error.
_SERVICE_FIELDS: dict[str, tuple[str, ...]] = {
    "assignedTo": ("assigned_to", "assignee"),
    "assigneeId": ("assignee",),
    "teamId": ("team",),
    "resolutionNote": ("resolution_note",),
    "customerEmail": ("customer_email",),
    "displayName": ("display_name",),
    "slackUserId": ("slack_user_id",),
    "helpScoutUserId": ("helpscout_user_id",),
    "teams": ("team_ids", "teams"),
    "members": ("member_ids", "members"),
    "calendarId": ("calendar",),
    "files": ("attachments",),
}

# A select's value for "no one" / "no team" where "" means "leave as it is" (bulk changes).
NONE = "none"
# The assignee select's value for a name that is no agent's (free text from elsewhere).
NAME_PREFIX = "name:"


def add_service_error(form: forms.BaseForm, error: TicketError) -> None:
    """Shows a service's refusal next to the field it names (the services name fields as
    the API does, the forms as the columns; a custom field's value, `customFields.<key>`,
    is its `cf_<key>` field), or above the form when no field matches."""
    snake = re.sub(r"(?<!^)([A-Z])", r"_\1", error.field).lower()
    custom = custom_field_forms.form_field_name(error.field)
    candidates = (custom,) if custom else _SERVICE_FIELDS.get(error.field, (error.field, snake))
    field = next((name for name in candidates if name in form.fields), None)
    form.add_error(field, error.message)


def agent_label(agent: Agent) -> str:
    return agent.display_name if agent.available else f"{agent.display_name} (away)"


def agent_choices(agents: Iterable[Agent]) -> list[tuple[str, str]]:
    return [(str(agent.pk), agent_label(agent)) for agent in agents]


def team_choices(teams: Iterable[Team]) -> list[tuple[str, str]]:
    return [(str(team.pk), team.name) for team in teams]


def _set_choices(form: forms.Form, name: str, choices: list[tuple[str, str]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = choices


def _id_or_none(value: str) -> int | None:
    """A select's agent or team id; "" or NONE for none."""
    return int(value) if value and value != NONE else None


class TagsField(forms.Field):
    """Tags as one comma-separated line; the model keeps a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [tag.strip() for tag in str(value or "").split(",") if tag.strip()]

    def validate(self, value: list[str]) -> None:
        super().validate(value)
        try:
            services.normalize_tags(value)
        except TicketError as error:
            raise forms.ValidationError(error.message) from None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class FilesField(forms.FileField):
    """Any number of files, as `IncomingFile`s for the services, which check them (count,
    size and type, naming the file) for every way in."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Attachments")
        kwargs.setdefault(
            "help_text",
            f"Up to {limits.MAX_ATTACHMENTS} files of {limits.attachment_max_bytes() // (1024 * 1024)} MB each; "
            "no programs or scripts.",
        )
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[IncomingFile]:
        uploads = data if isinstance(data, list | tuple) else [data] if data else []
        return [IncomingFile.from_upload(super(FilesField, self).clean(upload, initial)) for upload in uploads]


class TicketCreateForm(forms.Form):
    """Its fields are `services.ticket_create`'s arguments, by name (the assignee and team
    choices become `assignee_id` and `team_id`)."""

    subject = forms.CharField(max_length=limits.MAX_SUBJECT_LENGTH)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=limits.MAX_DESCRIPTION_LENGTH)
    customer_email = forms.EmailField(label="Customer email", max_length=limits.MAX_EMAIL_LENGTH)
    customer_name = forms.CharField(label="Customer name", max_length=limits.MAX_CUSTOMER_NAME_LENGTH, required=False)
    priority = forms.ChoiceField(choices=TicketPriority.choices, initial=TicketPriority.MEDIUM)
    category = forms.ChoiceField(choices=TicketCategory.choices, initial=TicketCategory.GENERAL)
    source = forms.ChoiceField(choices=TicketSource.choices, initial=TicketSource.PHONE)
    assignee = forms.ChoiceField(
        label="Assignee", required=False, help_text="Unassigned, in a team that hands tickets out: its next agent."
    )
    team = forms.ChoiceField(label="Team", required=False)
    tags = TagsField(required=False, help_text="Comma-separated, e.g. kyc, vip.")
    # Not `files`: a form's `files` is what was uploaded. It becomes ticket_create's `files`.
    attachments = FilesField()

    def __init__(
        self,
        *args: Any,
        agents: Iterable[Agent],
        teams: Iterable[Team],
        custom_fields: Iterable[CustomField] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "assignee", [("", "Unassigned"), *agent_choices(agents)])
        _set_choices(self, "team", [("", "No team"), *team_choices(teams)])
        custom_field_forms.add_fields(self, custom_fields, values={}, creating=True)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        cleaned["custom_fields"] = custom_field_forms.collect(self, cleaned, creating=True)
        # The choices become ticket_create's arguments.
        if "assignee" in cleaned:
            cleaned["assignee_id"] = _id_or_none(cleaned.pop("assignee"))
        if "team" in cleaned:
            cleaned["team_id"] = _id_or_none(cleaned.pop("team"))
        if "attachments" in cleaned:
            cleaned["files"] = cleaned.pop("attachments")
        return cleaned


class TicketUpdateForm(forms.Form):
    """Its fields are `services.ticket_update`'s arguments, by name (`version` is its
    `seen_version`)."""

    status = forms.ChoiceField(choices=TicketStatus.choices)
    resolution_note = forms.CharField(
        label="Resolution note",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=limits.MAX_NOTE_LENGTH,
        required=False,
        help_text="Saved when resolving or closing.",
    )
    priority = forms.ChoiceField(choices=TicketPriority.choices)
    category = forms.ChoiceField(choices=TicketCategory.choices)
    assignee = forms.ChoiceField(label="Assignee", required=False, help_text="Away agents get no tickets from routing.")
    team = forms.ChoiceField(label="Team", required=False)
    tags = TagsField(required=False, help_text="Comma-separated.")
    # The ticket's version when the page showed it: a change made since refuses this one
    # (tickets/versions.py) rather than overwrite it blind.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def __init__(
        self,
        *args: Any,
        agents: Iterable[Agent],
        teams: Iterable[Team],
        assigned_name: str = "",
        custom_fields: Iterable[CustomField] = (),
        custom_values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """`assigned_name`: the ticket's assignee when it is a name no agent has (from Slack,
        Help Scout or the API); offered as it is, so saving other fields keeps it.
        `custom_values`: the ticket's custom fields' values, shown in a field each."""
        super().__init__(*args, **kwargs)
        custom_field_forms.add_fields(self, custom_fields, values=custom_values or {}, creating=False)
        names = {assigned_name} if assigned_name else set()
        posted = str(self.data.get("assignee", "")) if self.is_bound else ""
        if posted.startswith(NAME_PREFIX):  # shown again after a refusal: keep what was chosen
            names.add(posted.removeprefix(NAME_PREFIX))
        _set_choices(
            self,
            "assignee",
            [
                ("", "Unassigned"),
                *agent_choices(agents),
                *((f"{NAME_PREFIX}{name}", f"{name} (not an agent)") for name in sorted(names)),
            ],
        )
        _set_choices(self, "team", [("", "No team"), *team_choices(teams)])

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("resolution_note") and cleaned.get("status") not in FINISHED_STATUSES:
            self.add_error("resolution_note", "A resolution note goes with Resolved or Closed.")
        cleaned["custom_fields"] = custom_field_forms.collect(self, cleaned, creating=False)
        # The choices become ticket_update's arguments: an agent's id, or a name.
        if "assignee" in cleaned:
            assignee = cleaned.pop("assignee")
            if assignee.startswith(NAME_PREFIX):
                cleaned["assigned_to"] = assignee.removeprefix(NAME_PREFIX)
            else:
                cleaned["assignee_id"] = _id_or_none(assignee)
        if "team" in cleaned:
            cleaned["team_id"] = _id_or_none(cleaned.pop("team"))
        return cleaned


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=limits.MAX_COMMENT_LENGTH)
    is_internal = forms.BooleanField(label="Internal note (not sent to the customer)", required=False)
    attachments = FilesField()
    # The newest comment the writer had seen when the page loaded (tickets/versions.py).
    seen_comment_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**63 - 1)


# A bulk change of this many tickets or more is confirmed first, with the count; one ticket
# changes at once, as it would from its own page.
BULK_CONFIRM_FROM = 2
BULK_CHANGES = ("status", "priority", "assignee", "team")


class BulkUpdateForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={"required": "Select tickets first."})
    status = forms.ChoiceField(choices=[("", "Status…"), *TicketStatus.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "Priority…"), *TicketPriority.choices], required=False)
    assignee = forms.ChoiceField(required=False, widget=forms.Select(attrs={"aria-label": "Assign selected to"}))
    team = forms.ChoiceField(required=False, widget=forms.Select(attrs={"aria-label": "Move selected to team"}))
    next = forms.CharField(required=False, widget=forms.HiddenInput)
    # Set by the confirmation (the page's dialog, or the confirmation page without scripts).
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, agents: Iterable[Agent], teams: Iterable[Team], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be posted; the service reports those that do not exist.
        self.fields["ids"].valid_value = lambda value: str(value).isascii() and str(value).isdigit()  # type: ignore[attr-defined]
        _set_choices(self, "assignee", [("", "Assignee…"), (NONE, "Unassigned"), *agent_choices(agents)])
        _set_choices(self, "team", [("", "Team…"), (NONE, "No team"), *team_choices(teams)])

    def clean_ids(self) -> list[int]:
        ids: list[int] = self.cleaned_data["ids"]
        if len(ids) > limits.MAX_BULK_TICKETS:
            raise forms.ValidationError("At most 1,000 tickets at once.")
        return ids

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not any(cleaned.get(name) for name in BULK_CHANGES):
            raise forms.ValidationError("Choose a status, a priority, an assignee or a team to apply.")
        return cleaned

    def needs_confirmation(self) -> bool:
        return len(set(self.cleaned_data["ids"])) >= BULK_CONFIRM_FROM and not self.cleaned_data["confirmed"]

    def changes(self) -> list[tuple[str, str]]:
        """What is to change, as the selects show it: [("Status", "Closed"), ...]."""
        shown = []
        for name in BULK_CHANGES:
            value = self.cleaned_data.get(name)
            if value:
                labels = {str(choice): str(label) for choice, label in self[name].field.choices}  # type: ignore[attr-defined]
                shown.append((name.capitalize(), labels[value]))
        return shown

    def service_arguments(self) -> dict[str, Any]:
        """`services.tickets_bulk_update`'s arguments (KEEP where nothing was chosen)."""
        data = self.cleaned_data
        return {
            "ids": data["ids"],
            "status": data["status"] or None,
            "priority": data["priority"] or None,
            "assignee_id": _id_or_none(data["assignee"]) if data["assignee"] else services.KEEP,
            "team_id": _id_or_none(data["team"]) if data["team"] else services.KEEP,
        }


# --- Agents and teams (the settings pages) ---


class AgentForm(forms.Form):
    """Its fields are `agents.agent_create`'s arguments (`agent_update`'s without `username`)."""

    username = forms.CharField(
        max_length=MAX_USERNAME_LENGTH,
        help_text="Their sign-in name. A new staff user is made if there is none (give them a password in Admin).",
    )
    display_name = forms.CharField(
        label="Display name", max_length=MAX_DISPLAY_NAME_LENGTH, help_text="What tickets show as assignee."
    )
    email = forms.EmailField(required=False, max_length=MAX_EMAIL_LENGTH)
    slack_user_id = forms.CharField(label="Slack user id", required=False, max_length=MAX_EXTERNAL_ID_LENGTH)
    helpscout_user_id = forms.CharField(label="Help Scout user id", required=False, max_length=MAX_EXTERNAL_ID_LENGTH)
    available = forms.BooleanField(label="Available (away agents get no tickets from routing)", required=False)
    capacity = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=MAX_CAPACITY,
        help_text="The most open tickets routing gives them at once; empty for no limit.",
    )
    team_ids = forms.TypedMultipleChoiceField(
        label="Teams", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, teams: Iterable[Team], creating: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not creating:
            del self.fields["username"]  # an agent stays with their user
        _set_choices(self, "team_ids", team_choices(teams))


class TeamForm(forms.Form):
    """Its fields are `agents.team_create`'s and `team_update`'s arguments."""

    name = forms.CharField(max_length=MAX_TEAM_NAME_LENGTH)
    assignment = forms.ChoiceField(
        label="New tickets",
        choices=TeamAssignment.choices,
        help_text="Manual: they wait in the team's queue. Round robin and least loaded hand them to a member.",
    )
    member_ids = forms.TypedMultipleChoiceField(
        label="Members", coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: Iterable[Agent], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "member_ids", agent_choices(members))


class AvailabilityForm(forms.Form):
    """The state wanted, not a toggle: sending it twice (two tabs) does the same."""

    available = forms.TypedChoiceField(choices=[("true", "Available"), ("false", "Away")], coerce=lambda v: v == "true")
    next = forms.CharField(required=False, widget=forms.HiddenInput)
