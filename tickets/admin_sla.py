"""The Django admin over business calendars and SLA policies. It writes nothing itself:
forms check with tickets.sla_policies' rules, saves call it (which queues the open
tickets' recomputation). Registered by tickets/admin.py."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from . import sla_policies
from .exceptions import TicketError
from .forms import add_service_error
from .models import BusinessCalendar, SlaPolicy

CALENDAR_FIELDS = ("name", "timezone", "hours", "holidays")
POLICY_FIELDS = (
    "name",
    "position",
    "conditions",
    "first_response_minutes",
    "resolution_minutes",
    "calendar",
    "pause_on_waiting_customer",
)


def _policy_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {name: data[name] for name in POLICY_FIELDS if name != "calendar"}
    values["calendar_id"] = data["calendar"].pk if data.get("calendar") else None
    return values


class BusinessCalendarForm(forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = CALENDAR_FIELDS
        help_texts = {
            "hours": 'Open intervals per weekday, local time: {"mon": [["09:00", "17:30"]], ...}.',
            "holidays": 'Closed days: ["2026-12-25", ...].',
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                sla_policies.calendar_check(
                    calendar_id=self.instance.pk, **{name: data[name] for name in CALENDAR_FIELDS}
                )
            except TicketError as error:
                add_service_error(self, error)
        return data


class SlaPolicyForm(forms.ModelForm):
    class Meta:
        model = SlaPolicy
        fields = POLICY_FIELDS
        help_texts = {"conditions": '{"priority": ["urgent"], "category": [...], "source": [...], "teamId": [1]}'}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.errors:
            try:
                sla_policies.policy_check(policy_id=self.instance.pk, **_policy_values(data))
            except TicketError as error:
                add_service_error(self, error)
        return data


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    form = BusinessCalendarForm
    list_display = ("name", "timezone", "updated_at")

    def save_model(self, request: HttpRequest, obj: BusinessCalendar, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in CALENDAR_FIELDS}
        if change:
            saved = sla_policies.calendar_update(calendar_id=obj.pk, **values)
        else:
            saved = sla_policies.calendar_create(**values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: BusinessCalendar) -> None:
        sla_policies.calendar_delete(calendar_id=obj.pk)


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    form = SlaPolicyForm
    list_display = ("name", "position", "first_response_minutes", "resolution_minutes", "calendar")
    list_select_related = ("calendar",)
    ordering = ("position", "id")

    def save_model(self, request: HttpRequest, obj: SlaPolicy, form: Any, change: bool) -> None:
        values = _policy_values(form.cleaned_data)
        if change:
            saved = sla_policies.policy_update(policy_id=obj.pk, **values)
        else:
            saved = sla_policies.policy_create(**values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: SlaPolicy) -> None:
        sla_policies.policy_delete(policy_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        for policy in queryset:
            sla_policies.policy_delete(policy_id=policy.pk)
