"""The Django admin over routing rules: the form checks every value with tickets.routing,
and saving or deleting calls its services, as the API does."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from . import routing
from .exceptions import TicketError
from .models import RoutingRule


def _checked(check: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return check(*args, **kwargs)
    except TicketError as error:
        raise ValidationError(error.message) from None


class RoutingRuleForm(forms.ModelForm):
    position = forms.IntegerField(required=False, help_text="Rules apply in this order. Empty: after the others.")

    class Meta:
        model = RoutingRule
        fields = ("name", "position", "active", "conditions", "actions")
        help_texts = {
            "conditions": (
                'All must hold; {} matches every ticket. E.g. {"category": ["billing"], "priority": "urgent", '
                '"source": "helpscout", "keywords": ["refund", "chargeback"], "customerEmailDomain": "example.com"}'
            ),
            "actions": 'At least one. E.g. {"teamId": 1, "assigneeId": 2, "priority": "high", "category": '
            '"billing", "addTags": ["vip"]}',
        }

    def clean_name(self) -> str:
        name = _checked(routing.clean_name, self.cleaned_data.get("name"))
        return _checked(routing.unique_name, name, rule_id=self.instance.pk)

    def clean_position(self) -> int | None:
        position = self.cleaned_data.get("position")
        return None if position is None else _checked(routing.clean_position, position)

    def clean_conditions(self) -> dict[str, list[str]]:
        conditions = self.cleaned_data.get("conditions")
        return _checked(routing.clean_conditions, {} if conditions is None else conditions)

    def clean_actions(self) -> dict[str, Any]:
        return _checked(routing.clean_actions, self.cleaned_data.get("actions"))

    def validate_unique(self) -> None:
        pass  # clean_name checks the name, in any case


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    form = RoutingRuleForm
    list_display = ("position", "name", "active", "conditions", "actions")
    list_display_links = ("name",)
    ordering = ("position", "id")
    search_fields = ("name",)

    def save_model(self, request: HttpRequest, obj: RoutingRule, form: Any, change: bool) -> None:
        data = form.cleaned_data
        fields = {name: data[name] for name in ("name", "active", "conditions", "actions")}
        if change:
            if data["position"] is not None:
                fields["position"] = data["position"]
            saved = routing.routing_rule_update(rule_id=obj.pk, **fields)
        else:
            saved = routing.routing_rule_create(position=data["position"], **fields)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: RoutingRule) -> None:
        routing.routing_rule_delete(rule_id=obj.pk)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[RoutingRule]) -> None:
        for rule_id in queryset.values_list("pk", flat=True):
            routing.routing_rule_delete(rule_id=rule_id)
