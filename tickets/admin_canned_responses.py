"""The Django admin over canned responses: each staff user, with or without model
permissions, sees and changes what the API lets them (the shared responses and their own).
The form checks every value with tickets.canned_responses, and saving or deleting calls its
writers, as the API does. Registered by tickets/admin.py."""

from typing import Any, cast

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from . import canned_responses
from .exceptions import TicketError
from .models import CannedResponse
from .placeholders import PLACEHOLDERS

FIELDS = ("title", "shortcut", "body", "shared", "actions")


def _checked(check: Any, value: Any) -> Any:
    try:
        return check(value)
    except TicketError as error:
        raise ValidationError(error.message) from None


class CannedResponseForm(forms.ModelForm):
    user: Any = None  # who edits: set by CannedResponseAdmin.get_form

    class Meta:
        model = CannedResponse
        fields = FIELDS
        help_texts = {
            "shortcut": 'Typed as "/shortcut" in the reply box: letters, digits, "-" and "_".',
            "body": "Placeholders: " + ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS) + ".",
            "shared": "Shared: every staff user sees, uses and may change it. Otherwise only you see it.",
            "actions": 'Each optional. E.g. {"status": "waiting_customer", "priority": "high", "category": '
            '"billing", "addTags": ["refund"], "removeTags": ["new"], "assigneeId": 2, "teamId": 1}',
        }

    def clean_title(self) -> str:
        return _checked(canned_responses.clean_title, self.cleaned_data.get("title"))

    def clean_shortcut(self) -> str:
        return _checked(canned_responses.clean_shortcut, self.cleaned_data.get("shortcut"))

    def clean_body(self) -> str:
        return _checked(canned_responses.clean_body, self.cleaned_data.get("body"))

    def clean_actions(self) -> dict[str, Any]:
        return _checked(canned_responses.clean_actions, self.cleaned_data.get("actions"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        # As the writers will save it: a new response, or a shared one made personal, is the user's.
        was_shared = self.instance.pk is not None and self.instance.shared
        owner = self.user if self.instance.pk is None or (was_shared and not data["shared"]) else self.instance.owner
        whole = CannedResponse(pk=self.instance.pk, owner=owner, **{name: data[name] for name in FIELDS})
        try:
            canned_responses.check_whole(whole)
        except TicketError as error:
            self.add_error(error.field if error.field in self.fields else None, error.message)
        return data

    def validate_unique(self) -> None:
        pass  # clean() checks shortcuts within their scope


@admin.register(CannedResponse)
class CannedResponseAdmin(admin.ModelAdmin):
    form = CannedResponseForm
    list_display = ("title", "shortcut", "shared", "owner", "updated_at")
    list_filter = ("shared",)
    search_fields = ("title", "shortcut")
    readonly_fields = ("owner",)

    # Every staff user manages their own responses and the shared ones, as through the API:
    # what they see is limited by get_queryset, not by Django's model permissions.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = cast(type[CannedResponseForm], super().get_form(request, obj, change, **kwargs))
        form.user = request.user
        return form

    def get_queryset(self, request: HttpRequest) -> QuerySet[CannedResponse]:
        return canned_responses.for_user(request.user)

    def save_model(self, request: HttpRequest, obj: CannedResponse, form: Any, change: bool) -> None:
        fields = {name: form.cleaned_data[name] for name in FIELDS}
        try:
            if change:
                saved = canned_responses.canned_response_update(response_id=obj.pk, user=request.user, **fields)
            else:
                saved = canned_responses.canned_response_create(owner=request.user, **fields)
        except TicketError as error:  # only a shortcut taken since the form's check
            raise ValidationError(error.message) from None
        obj.pk = saved.pk
        obj.refresh_from_db()

    def delete_model(self, request: HttpRequest, obj: CannedResponse) -> None:
        canned_responses.canned_response_delete(response_id=obj.pk, user=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[CannedResponse]) -> None:
        for response_id in queryset.values_list("pk", flat=True):
            canned_responses.canned_response_delete(response_id=response_id, user=request.user)
