"""Custom fields in the dashboard's ticket forms: one form field per definition, named
`cf_<key>`, reading typed text with the domain's parser (tickets/custom_fields.py, as the
list's `cf_<key>` filter does). The services judge the values; this only shows them."""

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms

from . import custom_fields
from .exceptions import TicketError
from .models import CustomField, CustomFieldType

PREFIX = "cf_"
EMPTY = ("", "—")
BOOLEAN_CHOICES = [EMPTY, ("true", "Yes"), ("false", "No")]


def as_text(value: Any) -> str:
    """A stored value as a form shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def display(definition: CustomField, value: Any) -> str:
    """A stored value as a person reads it."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return as_text(value) or "—"


def facts(definitions: Iterable[CustomField], values: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(label, value) of each field the ticket has a value of, for the ticket's summary."""
    return [
        (definition.label, display(definition, values[definition.key]))
        for definition in definitions
        if values.get(definition.key) is not None
    ]


class CustomValueField(forms.Field):
    """A custom field's value typed as text; the value stored now is taken back unchanged
    (a choice removed since it was set stays as it is when other fields are saved)."""

    def __init__(self, *, definition: CustomField, current: Any = None, **kwargs: Any) -> None:
        self.definition, self.current = definition, current
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        text = str(value or "").strip()
        if self.current is not None and text == as_text(self.current):
            return self.current
        try:
            return custom_fields.parse_text(self.definition, text)
        except TicketError as error:
            raise forms.ValidationError(error.message) from None


def _widget(definition: CustomField, current: Any) -> forms.Widget:
    kind = definition.type
    if kind == CustomFieldType.CHOICE:
        kept = [current] if isinstance(current, str) and current not in definition.choices else []
        return forms.Select(choices=[EMPTY, *((choice, choice) for choice in [*definition.choices, *kept])])
    if kind == CustomFieldType.BOOLEAN:
        return forms.Select(choices=BOOLEAN_CHOICES)
    if kind == CustomFieldType.DATE:
        return forms.DateInput(attrs={"type": "date"})
    if kind == CustomFieldType.NUMBER:
        return forms.TextInput(attrs={"inputmode": "decimal"})
    return forms.TextInput()


def add_fields(
    form: forms.Form, definitions: Iterable[CustomField], *, values: Mapping[str, Any], creating: bool
) -> None:
    """A field per active definition (required ones required when `creating`); an inactive
    one the ticket has a value of is shown, disabled."""
    for definition in definitions:
        current = values.get(definition.key)
        name = f"{PREFIX}{definition.key}"
        if not definition.active:
            if current is not None:
                form.fields[name] = forms.CharField(
                    label=definition.label,
                    disabled=True,
                    required=False,
                    initial=display(definition, current),
                    help_text="Inactive: read-only.",
                )
            continue
        form.fields[name] = CustomValueField(
            definition=definition,
            current=current,
            label=definition.label,
            required=creating and definition.required,
            initial=as_text(current),
            widget=_widget(definition, current),
        )


def collect(form: forms.Form, cleaned: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Takes the custom fields' values out of `cleaned`: {key: value} for the service; a
    new ticket gets only those given, a change names every active field (None clears)."""
    values = {}
    for name, field in form.fields.items():
        if name.startswith(PREFIX) and name in cleaned:
            value = cleaned.pop(name)
            if isinstance(field, CustomValueField) and (value is not None or not creating):
                values[name.removeprefix(PREFIX)] = value
    return values


def form_field_name(service_field: str) -> str | None:
    """The form field a service's refusal of `customFields.<key>` belongs to."""
    prefix = custom_fields.value_field("")
    return f"{PREFIX}{service_field.removeprefix(prefix)}" if service_field.startswith(prefix) else None
