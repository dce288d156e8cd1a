"""Custom ticket fields: the only writer of their definitions, and the one judge of the
values tickets carry (the services call it for every way a ticket is written).

Decisions, each for a reason:
- A key is fixed once made: tickets store their values under it, and filters, exports and
  the audit trail name it.
- A type is fixed once any ticket carries a value of the field: values of the old type
  would no longer read as the new one. Until then it may change (a field just made with the
  wrong type). Asking costs one pass over the tickets (the GIN index answers containment,
  not "has this key"), which a rare admin edit can afford.
- `required` applies to tickets created through the API and the dashboard, where a person
  can answer. Tickets from Slack and Help Scout come from customers and integrations that
  know nothing of our fields: refusing them would lose the customer's message.
- An inactive field is read-only: tickets keep and show their values, nobody sets them.
- A value sent unchanged is always accepted (a client that sends back what it read, a
  choice removed since the value was set); only a change is judged.
"""

import math
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.db import connection, transaction
from django.db.models import Q

from . import configuration_cache
from .exceptions import TicketError
from .limits import (
    MAX_CUSTOM_FIELD_CHOICE_LENGTH,
    MAX_CUSTOM_FIELD_CHOICES,
    MAX_CUSTOM_FIELD_KEY_LENGTH,
    MAX_CUSTOM_FIELD_LABEL_LENGTH,
    MAX_CUSTOM_FIELD_NUMBER,
    MAX_CUSTOM_FIELD_TEXT_LENGTH,
    MAX_CUSTOM_FIELDS,
)
from .models import ChangeSource, CustomField, CustomFieldType, SupportTicket

KEY_PATTERN = re.compile(rf"[a-z][a-z0-9_]{{0,{MAX_CUSTOM_FIELD_KEY_LENGTH - 1}}}")
TRUE_TEXTS, FALSE_TEXTS = {"true", "yes", "1"}, {"false", "no", "0"}


def value_field(key: str) -> str:
    """The name a refused value is reported under, and its audit rows' field."""
    return f"customFields.{key}"


# --- Definitions ---


def _key(key: Any) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise TicketError(
            "key",
            f"Give a lower-case letter, then letters, digits or _ (at most {MAX_CUSTOM_FIELD_KEY_LENGTH} characters).",
        )
    if CustomField.objects.filter(key=key).exists():
        raise TicketError("key", f'"{key}" is taken.')
    return key


def _label(label: Any) -> str:
    label = " ".join(str(label or "").split())
    if not label:
        raise TicketError("label", "This field may not be blank.")
    if len(label) > MAX_CUSTOM_FIELD_LABEL_LENGTH:
        raise TicketError("label", f"At most {MAX_CUSTOM_FIELD_LABEL_LENGTH} characters.")
    return label


def _type(kind: Any) -> str:
    if kind not in CustomFieldType.values:
        raise TicketError("type", f'"{kind}" is not one of: {", ".join(CustomFieldType.values)}.')
    return str(kind)


def _choices(kind: str, choices: Any) -> list[str]:
    """A choice field's non-empty list of unique texts; nothing for the other types."""
    if kind != CustomFieldType.CHOICE:
        if choices:
            raise TicketError("choices", "Only a choice field has choices.")
        return []
    if not isinstance(choices, list | tuple) or not choices:
        raise TicketError("choices", "A choice field needs a list of choices.")
    if len(choices) > MAX_CUSTOM_FIELD_CHOICES:
        raise TicketError("choices", f"At most {MAX_CUSTOM_FIELD_CHOICES} choices.")
    cleaned = []
    for choice in choices:
        if not isinstance(choice, str) or not choice.strip():
            raise TicketError("choices", "Each choice is a text that is not blank.")
        if len(choice.strip()) > MAX_CUSTOM_FIELD_CHOICE_LENGTH:
            raise TicketError("choices", f"A choice has at most {MAX_CUSTOM_FIELD_CHOICE_LENGTH} characters.")
        cleaned.append(choice.strip())
    if len(set(cleaned)) != len(cleaned):
        raise TicketError("choices", "Each choice once.")
    return cleaned


def _flag(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise TicketError(name, "Give true or false.")
    return value


DEFINITION_FIELDS = {"key", "label", "type", "choices", "required", "active"}


def definition_check(*, key: str | None, fields: Mapping[str, Any]) -> None:
    """Raises the TicketError that saving these would (the admin's form asks before saving).
    `key`: None for a new field (its key is in `fields`)."""
    if key is None:
        _new_definition(**fields)
    else:
        _apply(CustomField.objects.get(key=key), fields)


def _new_definition(
    *, key: str, label: str, type: str, choices: Any = (), required: bool = False, active: bool = True
) -> CustomField:
    kind = _type(type)
    return CustomField(
        key=_key(key),
        label=_label(label),
        type=kind,
        choices=_choices(kind, choices),
        required=_flag("required", required),
        active=_flag("active", active),
    )


@transaction.atomic
def definition_create(
    *, key: str, label: str, type: str, choices: Any = (), required: bool = False, active: bool = True
) -> CustomField:
    if CustomField.objects.count() >= MAX_CUSTOM_FIELDS:
        raise TicketError("key", f"At most {MAX_CUSTOM_FIELDS} custom fields.")
    definition = _new_definition(key=key, label=label, type=type, choices=choices, required=required, active=active)
    definition.save()
    return definition


def _apply(definition: CustomField, fields: Mapping[str, Any]) -> None:
    if "key" in fields and fields["key"] != definition.key:
        raise TicketError("key", "A key is fixed once made: tickets store their values under it.")
    if "label" in fields:
        definition.label = _label(fields["label"])
    kind = _type(fields.get("type", definition.type))
    if kind != definition.type:
        if SupportTicket.objects.filter(custom_fields__has_key=definition.key).exists():
            raise TicketError("type", "Tickets carry values of this field: its type can no longer change.")
        definition.type = kind
    if "choices" in fields:
        definition.choices = _choices(kind, fields["choices"])
    elif kind != CustomFieldType.CHOICE:
        definition.choices = []
    elif not definition.choices:  # made a choice field without saying which
        definition.choices = _choices(kind, [])
    for name in ("required", "active"):
        if name in fields:
            setattr(definition, name, _flag(name, fields[name]))


@transaction.atomic
def definition_update(*, key: str, fields: Mapping[str, Any]) -> CustomField:
    """`fields`: any of label, type, choices, required, active (and key, unchanged). Tickets
    keep their values whatever changes: a removed choice stays where it was set."""
    if unknown := set(fields) - DEFINITION_FIELDS:
        raise ValueError(f"Not a custom field's fields: {sorted(unknown)}")
    definition = CustomField.objects.select_for_update().get(key=key)
    _apply(definition, fields)
    definition.save()
    return definition


def _by_key() -> dict[str, CustomField]:
    """Every definition by key, in the order made. Every ticket creation reads them (for
    the required ones), so the process keeps them while the configuration is unchanged
    (tickets/configuration_cache.py): shared, so read them, never change them."""
    return configuration_cache.kept("custom_fields", lambda: {d.key: d for d in CustomField.objects.order_by("id")})


def definitions() -> list[CustomField]:
    return list(_by_key().values())


def active_definitions() -> list[CustomField]:
    return [definition for definition in _by_key().values() if definition.active]


# --- Values ---


def clean_value(definition: CustomField, value: Any) -> Any:
    """The value as stored (JSON), or None for "no value"; a TicketError naming the key
    when it is not one of the field's type."""
    if value is None:
        return None
    name, kind = value_field(definition.key), definition.type
    if kind == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise TicketError(name, "Give a text.")
        text = value.strip()
        if len(text) > MAX_CUSTOM_FIELD_TEXT_LENGTH:
            raise TicketError(name, f"At most {MAX_CUSTOM_FIELD_TEXT_LENGTH} characters.")
        return text or None
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TicketError(name, "Give a number.")
        if not math.isfinite(value) or abs(value) > MAX_CUSTOM_FIELD_NUMBER:
            raise TicketError(name, f"Give a number from -{MAX_CUSTOM_FIELD_NUMBER} to {MAX_CUSTOM_FIELD_NUMBER}.")
        # Whole numbers as integers: 5 and 5.0 are one value, in filters too.
        return int(value) if float(value).is_integer() else float(value)
    if kind == CustomFieldType.DATE:
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise TicketError(name, "Give a date as YYYY-MM-DD.")
        try:
            return date.fromisoformat(value).isoformat()
        except ValueError:
            raise TicketError(name, f'"{value}" is not a date.') from None
    if kind == CustomFieldType.CHOICE:
        if not isinstance(value, str) or value not in definition.choices:
            raise TicketError(name, f"Give one of: {', '.join(definition.choices)}.")
        return value
    if not isinstance(value, bool):
        raise TicketError(name, "Give true or false.")
    return value


def parse_text(definition: CustomField, text: str) -> Any:
    """A value typed as text (a query parameter, a form's field) as clean_value takes it:
    "" is no value; numbers, dates and true/false are read from their text."""
    text = text.strip()
    if not text:
        return None
    if definition.type == CustomFieldType.NUMBER:
        try:
            number: Any = int(text) if re.fullmatch(r"[+-]?\d{1,16}", text) else float(text)
        except ValueError:
            raise TicketError(value_field(definition.key), f'"{text}" is not a number.') from None
        return clean_value(definition, number)
    if definition.type == CustomFieldType.BOOLEAN:
        if text.lower() not in TRUE_TEXTS | FALSE_TEXTS:
            raise TicketError(value_field(definition.key), "Give true or false.")
        return text.lower() in TRUE_TEXTS
    return clean_value(definition, text)


def _definitions(keys: Any, found: dict[str, CustomField] | None = None) -> dict[str, CustomField]:
    """The definitions of these keys (among `found`, every one by default); a refusal naming
    the first key that has none."""
    found = _by_key() if found is None else found
    for key in keys:
        if key not in found:
            raise TicketError(value_field(str(key)), f'There is no custom field "{key}".')
    return {key: found[key] for key in keys}


def _given(values: Any) -> Mapping[str, Any]:
    if not isinstance(values, Mapping):
        raise TicketError("customFields", "Give an object of {key: value}.")
    return values


# Where a new ticket must carry the required fields: where a person can answer.
REQUIRED_ON_CREATE_FROM = {ChangeSource.API, ChangeSource.DASHBOARD}


def values_for_create(given: Mapping[str, Any] | None, *, source: str) -> dict[str, Any]:
    """A new ticket's values. Made through the API or the dashboard, it must have one for
    each active required field (see the module's docstring)."""
    require = source in REQUIRED_ON_CREATE_FROM
    given = _given(given or {})
    if not given and not require:
        return {}  # an integration's ticket: no query
    known = _by_key()
    definitions = _definitions(given.keys(), known)
    values = {}
    for key, value in given.items():
        definition = definitions[key]
        cleaned = clean_value(definition, value)
        if cleaned is not None and not definition.active:
            raise TicketError(value_field(key), "This field is inactive: it is read-only.")
        if cleaned is not None:
            values[key] = cleaned
    if require:
        for definition in known.values():
            if definition.active and definition.required and definition.key not in values:
                raise TicketError(value_field(definition.key), f"{definition.label} is required.")
    return values


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b  # True is not 1


def value_changes(current: Mapping[str, Any], given: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any]]:
    """The ticket's values after `given` (a key to None clears it; keys not given stay),
    and what changed: [(key, old, new)] in the order given."""
    given = _given(given)
    if not given:
        return dict(current), []
    definitions = _definitions(given.keys())
    values, changed = dict(current), []
    for key, value in given.items():
        old = current.get(key)
        if _same(value, old):
            continue
        definition = definitions[key]
        new = clean_value(definition, value)
        if _same(new, old):
            continue
        if not definition.active:
            raise TicketError(value_field(key), "This field is inactive: it is read-only.")
        if new is None and definition.required:
            raise TicketError(value_field(key), f"{definition.label} is required: it cannot be cleared.")
        if new is None:
            values.pop(key, None)
        else:
            values[key] = new
        changed.append((key, old, new))
    return values, changed


def audit_text(value: Any) -> str | None:
    """A value as the audit trail writes it: the API's JSON text (true, 12.5, a date)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- The list's filter ---


def filter_definitions(params: Mapping[str, str]) -> dict[str, Any]:
    """The `cf_<key>` parameters' values, parsed per the field's type: {key: value}."""
    wanted = {name.removeprefix("cf_"): text for name, text in params.items() if name.startswith("cf_")}
    if not wanted:
        return {}
    found = _by_key()
    values = {}
    for key, text in wanted.items():
        if key not in found:
            raise TicketError(f"cf_{key}", f'There is no custom field "{key}".')
        try:
            value = parse_text(found[key], text)
        except TicketError as error:
            raise TicketError(f"cf_{key}", error.message) from None
        if value is None:
            raise TicketError(f"cf_{key}", "Give a value.")
        values[key] = value
    return values


def matching(values: Mapping[str, Any]) -> Q:
    """Tickets whose values include these. PostgreSQL: JSON containment, which the GIN
    index (jsonb_path_ops, migration 0021) answers; SQLite has no containment and reads
    each key."""
    if not values:
        return Q()
    if connection.vendor == "postgresql":
        return Q(custom_fields__contains=dict(values))
    return Q(**{f"custom_fields__{key}": value for key, value in values.items()})
