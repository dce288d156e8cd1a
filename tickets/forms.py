"""Dashboard forms. They validate what a person typed; the services make the change."""

from typing import Any

from django import forms

from . import limits, services
from .exceptions import TicketError
from .models import FINISHED_STATUSES, TicketCategory, TicketPriority, TicketSource, TicketStatus

# Services name fields as the API does; forms use the model's names.
_SERVICE_FIELDS = {"assignedTo": "assigned_to", "resolutionNote": "resolution_note", "customerEmail": "customer_email"}


def add_service_error(form: forms.Form, error: TicketError) -> None:
    """Shows a service's refusal next to the field it names."""
    field = _SERVICE_FIELDS.get(error.field, error.field)
    form.add_error(field if field in form.fields else None, error.message)


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


class TicketCreateForm(forms.Form):
    """Its fields are `services.ticket_create`'s arguments, by name."""

    subject = forms.CharField(max_length=limits.MAX_SUBJECT_LENGTH)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=limits.MAX_DESCRIPTION_LENGTH)
    customer_email = forms.EmailField(label="Customer email", max_length=limits.MAX_EMAIL_LENGTH)
    customer_name = forms.CharField(label="Customer name", max_length=limits.MAX_CUSTOMER_NAME_LENGTH, required=False)
    priority = forms.ChoiceField(choices=TicketPriority.choices, initial=TicketPriority.MEDIUM)
    category = forms.ChoiceField(choices=TicketCategory.choices, initial=TicketCategory.GENERAL)
    source = forms.ChoiceField(choices=TicketSource.choices, initial=TicketSource.PHONE)
    assigned_to = forms.CharField(label="Assignee", max_length=limits.MAX_ASSIGNEE_LENGTH, required=False)
    tags = TagsField(required=False, help_text="Comma-separated, e.g. kyc, vip.")


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
    assigned_to = forms.CharField(
        label="Assignee", max_length=limits.MAX_ASSIGNEE_LENGTH, required=False, help_text="Empty unassigns."
    )
    tags = TagsField(required=False, help_text="Comma-separated.")
    # The ticket's version when the page showed it: a change made since refuses this one
    # (tickets/versions.py) rather than overwrite it blind.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1, max_value=2**31 - 1)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if cleaned.get("resolution_note") and cleaned.get("status") not in FINISHED_STATUSES:
            self.add_error("resolution_note", "A resolution note goes with Resolved or Closed.")
        return cleaned


class CommentForm(forms.Form):
    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=limits.MAX_COMMENT_LENGTH)
    is_internal = forms.BooleanField(label="Internal note (not sent to the customer)", required=False)
    # The newest comment the writer had seen when the page loaded (tickets/versions.py).
    seen_comment_id = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**63 - 1)


class BulkUpdateForm(forms.Form):
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], error_messages={"required": "Select tickets first."})
    status = forms.ChoiceField(choices=[("", "Status…"), *TicketStatus.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "Priority…"), *TicketPriority.choices], required=False)
    assigned_to = forms.CharField(label="Assignee", max_length=limits.MAX_ASSIGNEE_LENGTH, required=False)
    unassign = forms.BooleanField(required=False)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any id may be posted; the service reports those that do not exist.
        self.fields["ids"].valid_value = lambda value: str(value).isascii() and str(value).isdigit()  # type: ignore[attr-defined]

    def clean_ids(self) -> list[int]:
        ids: list[int] = self.cleaned_data["ids"]
        if len(ids) > limits.MAX_BULK_TICKETS:
            raise forms.ValidationError("At most 1,000 tickets at once.")
        return ids

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not (
            cleaned.get("status") or cleaned.get("priority") or cleaned.get("assigned_to") or cleaned.get("unassign")
        ):
            raise forms.ValidationError("Choose a status, a priority or an assignee to apply.")
        return cleaned
