"""The Django admin over custom field definitions. It writes nothing itself: the form
checks with tickets.custom_fields' rules, saves call it. No deleting: tickets keep values
under a field's key, so an admin makes it inactive instead. Registered by tickets/admin.py."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from . import custom_fields
from .exceptions import TicketError
from .forms import add_service_error
from .models import CustomField

FIELDS = ("key", "label", "type", "choices", "required", "active")


class ChoicesField(forms.Field):
    """A choice field's choices, one per line; the model keeps a list."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        return [line.strip() for line in str(value or "").splitlines() if line.strip()]


class CustomFieldForm(forms.ModelForm):
    choices = ChoicesField(required=False, help_text="Choice fields only: one choice per line.")

    class Meta:
        model = CustomField
        fields = FIELDS
        help_texts = {
            "key": "Lower-case letters, digits and _; fixed once made (tickets store values under it).",
            "type": "Fixed once a ticket carries a value of the field.",
            "required": "Required of tickets created in the dashboard and through the API.",
            "active": "Inactive: tickets keep their values, read-only.",
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            values = {name: data[name] for name in FIELDS if name in data}
            try:
                custom_fields.definition_check(key=self.instance.key or None, fields=values)
            except TicketError as error:
                add_service_error(self, error)
        return data

    def validate_unique(self) -> None:
        pass  # definition_check says a key is taken, in the service's words


@admin.register(CustomField)
class CustomFieldAdmin(admin.ModelAdmin):
    form = CustomFieldForm
    list_display = ("key", "label", "type", "required", "active")
    list_filter = ("type", "required", "active")
    search_fields = ("key", "label")
    ordering = ("id",)

    def get_readonly_fields(self, request: HttpRequest, obj: CustomField | None = None) -> tuple[str, ...]:
        return ("key",) if obj is not None else ()

    def has_delete_permission(self, request: HttpRequest, obj: CustomField | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: CustomField, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in FIELDS if name in form.cleaned_data}
        if change:
            saved = custom_fields.definition_update(key=obj.key, fields=values)
        else:
            saved = custom_fields.definition_create(**values)
        obj.pk = saved.pk
        obj.refresh_from_db()
