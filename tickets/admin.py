"""The Django admin over tickets. It never writes a ticket row itself: every change,
from the change form, the comment inline or an action, is a call to `tickets.services`
with an admin actor, so it is audited and published like any other change."""

from collections.abc import Callable
from typing import Any, TypeVar

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.utils import timezone

from . import limits, services
from .actors import Actor, actor_for_user
from .exceptions import TicketError
from .forms import TagsField
from .models import (
    FINISHED_STATUSES,
    ChangeSource,
    CommentAuthorType,
    SupportTicket,
    TicketComment,
    TicketEvent,
    TicketStatus,
)
from .search import search_filter, ticket_number_from_text
from .sla import is_overdue, overdue_q

# An action locks every selected ticket in one transaction; the API's bulk endpoint has the same cap.

# The change form's editable fields, in the order `services.ticket_update` takes them.
EDITABLE_FIELDS = ("status", "resolution_note", "priority", "category", "assigned_to", "tags")

CHANGE_FIELDSETS = (
    (None, {"fields": ("ticket_number", "subject", "description", "source", "created_at", "updated_at")}),
    ("Customer", {"fields": ("customer_name", "customer_email", "customer_user_id")}),
    ("Handling", {"fields": EDITABLE_FIELDS}),
    ("SLA", {"fields": ("response_target_minutes", "response_deadline", "resolution_deadline", "overdue")}),
    ("Resolution", {"fields": ("resolved_by", "resolved_at", "resolution_time_minutes")}),
    (
        "Statistics",
        {"classes": ("collapse",), "fields": ("first_response_at", "last_activity_at", "total_comments", "view_count")},
    ),
    (
        "Integrations",
        {
            "classes": ("collapse",),
            "fields": (
                "helpscout_conversation_id",
                "helpscout_sync_status",
                "helpscout_last_sync_at",
                "slack_channel_id",
                "slack_message_ts",
                "slack_thread_id",
                "slack_last_sync_at",
                "slack_is_archived",
            ),
        },
    ),
)
ADD_FIELDSETS = (
    (None, {"fields": ("subject", "description", "source")}),
    ("Customer", {"fields": ("customer_name", "customer_email", "customer_user_id")}),
    ("Handling", {"fields": ("priority", "category", "assigned_to", "tags")}),
)
CHANGE_READONLY_FIELDS = tuple(
    name for _, options in CHANGE_FIELDSETS for name in options["fields"] if name not in EDITABLE_FIELDS
)


def admin_actor(request: HttpRequest) -> Actor:
    return actor_for_user(request.user, ChangeSource.ADMIN)


T = TypeVar("T")


def _domain_rule(check: Callable[[Any], T], value: Any) -> T:
    """Runs a service's normaliser, turning its TicketError into a form error."""
    try:
        return check(value)
    except TicketError as error:
        raise ValidationError(error.message) from None


class TicketAdminForm(forms.ModelForm):
    """Checks every rule the services enforce, so a valid form is always written whole."""

    tags = TagsField(required=False, help_text="Comma-separated, e.g. kyc, vip.")

    class Meta:
        model = SupportTicket
        # Every field either form uses; the admin narrows it per form (see the fieldsets).
        fields = (
            *EDITABLE_FIELDS,
            "subject",
            "description",
            "source",
            "customer_name",
            "customer_email",
            "customer_user_id",
        )
        help_texts = {"resolution_note": "Saved with a change of status to Resolved or Closed."}

    def clean_tags(self) -> list[str]:
        return _domain_rule(services.normalize_tags, self.cleaned_data["tags"])

    def clean_assigned_to(self) -> str:
        return _domain_rule(services.normalize_assignee, self.cleaned_data["assigned_to"])

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # The services write a resolution note only while resolving or closing, and clear it on reopening.
        if "resolution_note" in self.changed_data:
            status_changed = "status" in self.changed_data
            finishing = status_changed and data.get("status") in FINISHED_STATUSES
            cleared_on_reopening = status_changed and not finishing and not data.get("resolution_note")
            if not (finishing or cleared_on_reopening):
                self.add_error("resolution_note", "A note is kept only when resolving or closing the ticket.")
        return data


class CommentInlineForm(forms.ModelForm):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=limits.MAX_COMMENT_LENGTH)


class CommentInline(admin.TabularInline):
    """Existing comments show read-only; the blank row adds one through `comment_add`."""

    model = TicketComment
    form = CommentInlineForm
    verbose_name = "comment"
    fields = ("body", "is_internal", "author", "author_type", "source", "created_at")
    readonly_fields = ("author", "author_type", "source", "created_at")
    extra = 1
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class OverdueFilter(admin.SimpleListFilter):
    title = "overdue"
    parameter_name = "overdue"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any] | None:
        if self.value() == "yes":
            return queryset.filter(overdue_q(now=timezone.now()))
        if self.value() == "no":
            return queryset.exclude(overdue_q(now=timezone.now()))
        return None


class AssignForm(forms.Form):
    assigned_to = forms.CharField(
        label="Assign to",
        max_length=limits.MAX_ASSIGNEE_LENGTH,
        required=False,
        help_text="The team member's name, e.g. “John Doe”. Leave empty to unassign.",
    )

    def clean_assigned_to(self) -> str:
        return _domain_rule(services.normalize_assignee, self.cleaned_data["assigned_to"])


@admin.register(SupportTicket)
class SupportTicketAdmin(admin.ModelAdmin):
    form = TicketAdminForm
    inlines = [CommentInline]
    # What fits beside the filters at 1,400 px; category and source are filters there.
    list_display = (
        "ticket_number",
        "subject",
        "status",
        "priority",
        "assigned_to",
        "customer_email",
        "created_at",
        "overdue",
    )
    list_filter = ("status", "priority", "category", "source", OverdueFilter, "created_at")
    # Shows the search box; `get_search_results` does the searching.
    search_fields = ("subject",)
    search_help_text = "Ticket number (FCT-000042), or words from the subject, customer, description or comments."
    ordering = ("-created_at",)
    list_per_page = 50
    # Spares a filtered page a second count over every ticket.
    show_full_result_count = False
    actions = ("mark_in_progress", "resolve_tickets", "close_tickets", "assign_tickets")

    class Media:
        css = {"all": ("tickets/admin.css",)}  # ticket numbers and dates on one line

    def get_queryset(self, request: HttpRequest) -> QuerySet[SupportTicket]:
        return super().get_queryset(request).defer("search_vector")

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[SupportTicket], search_term: str
    ) -> tuple[QuerySet[SupportTicket], bool]:
        # The API's search: full text over the GIN index on PostgreSQL, plus the ticket number.
        return search_filter(queryset, search_term), False

    def get_fieldsets(self, request: HttpRequest, obj: SupportTicket | None = None) -> Any:
        return CHANGE_FIELDSETS if obj is not None else ADD_FIELDSETS

    def get_readonly_fields(self, request: HttpRequest, obj: SupportTicket | None = None) -> Any:
        return CHANGE_READONLY_FIELDS if obj is not None else ()

    def get_inlines(self, request: HttpRequest, obj: SupportTicket | None) -> Any:
        return self.inlines if obj is not None else []

    def has_delete_permission(self, request: HttpRequest, obj: SupportTicket | None = None) -> bool:
        return False  # Tickets are never deleted; they are closed.

    @admin.display(description="Ticket", ordering="number")
    def ticket_number(self, ticket: SupportTicket) -> str:
        return ticket.ticket_number

    @admin.display(description="Overdue", boolean=True)
    def overdue(self, ticket: SupportTicket) -> bool:
        return is_overdue(ticket, now=timezone.now())

    def save_model(self, request: HttpRequest, obj: SupportTicket, form: Any, change: bool) -> None:
        actor, data = admin_actor(request), form.cleaned_data
        if change:
            updates = {name: data[name] for name in EDITABLE_FIELDS if name in form.changed_data}
            services.ticket_update(ticket_id=obj.pk, actor=actor, **updates)
        else:
            obj.pk = services.ticket_create(
                subject=data["subject"],
                description=data["description"],
                source=data["source"],
                customer_name=data["customer_name"],
                customer_email=data["customer_email"],
                customer_user_id=data["customer_user_id"],
                priority=data["priority"],
                category=data["category"],
                assigned_to=data["assigned_to"],
                tags=data["tags"],
                actor=actor,
            ).pk
        # The form wrote its values onto `obj` in memory; show what the service stored.
        obj.refresh_from_db()

    def save_formset(self, request: HttpRequest, form: Any, formset: BaseInlineFormSet, change: bool) -> None:
        actor = admin_actor(request)
        # Only new rows come back: existing comments are view-only, so never "changed".
        formset.new_objects = [
            services.comment_add(
                ticket_id=form.instance.pk,
                body=comment.body,
                is_internal=comment.is_internal,
                author=actor.name,
                author_type=CommentAuthorType.AGENT,
                actor=actor,
            )
            for comment in formset.save(commit=False)
        ]

    # --- Actions: each is one bulk service call, all or nothing ---

    def _selected_ids(self, request: HttpRequest, queryset: QuerySet[SupportTicket]) -> list[int] | None:
        ids = list(queryset.values_list("pk", flat=True)[: limits.MAX_BULK_TICKETS + 1])
        if len(ids) > limits.MAX_BULK_TICKETS:
            self.message_user(request, f"Select at most {limits.MAX_BULK_TICKETS} tickets at a time.", messages.ERROR)
            return None
        return ids

    def _bulk_update(self, request: HttpRequest, ids: list[int], done: str, **updates: Any) -> None:
        try:
            result = services.tickets_bulk_update(ids=ids, actor=admin_actor(request), **updates)
        except TicketError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, f"{result.updated} ticket(s) {done}.", messages.SUCCESS)

    def _set_status(self, request: HttpRequest, queryset: QuerySet[SupportTicket], status: TicketStatus) -> None:
        ids = self._selected_ids(request, queryset)
        if ids is not None:
            self._bulk_update(request, ids, f"marked {status.label.lower()}", status=status)

    @admin.action(description="Mark selected tickets in progress", permissions=["change"])
    def mark_in_progress(self, request: HttpRequest, queryset: QuerySet[SupportTicket]) -> None:
        self._set_status(request, queryset, TicketStatus.IN_PROGRESS)

    @admin.action(description="Resolve selected tickets", permissions=["change"])
    def resolve_tickets(self, request: HttpRequest, queryset: QuerySet[SupportTicket]) -> None:
        self._set_status(request, queryset, TicketStatus.RESOLVED)

    @admin.action(description="Close selected tickets", permissions=["change"])
    def close_tickets(self, request: HttpRequest, queryset: QuerySet[SupportTicket]) -> None:
        self._set_status(request, queryset, TicketStatus.CLOSED)

    @admin.action(description="Assign selected tickets…", permissions=["change"])
    def assign_tickets(self, request: HttpRequest, queryset: QuerySet[SupportTicket]) -> TemplateResponse | None:
        """First shows a page asking for the assignee; that page posts back here with `apply`."""
        ids = self._selected_ids(request, queryset)
        if ids is None:
            return None
        form = AssignForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            assignee = form.cleaned_data["assigned_to"]
            done = f"assigned to {assignee}" if assignee else "unassigned"
            self._bulk_update(request, ids, done, assigned_to=assignee)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Assign tickets",
            "opts": self.opts,
            "form": form,
            "tickets": queryset.only("id", "number", "subject"),
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/tickets/assign_intermediate.html", context)


class ReadOnlyAdmin(admin.ModelAdmin):
    """For rows that only services and integrations write: staff may look, never touch."""

    show_full_result_count = False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TicketRowAdmin(ReadOnlyAdmin):
    """Comments and events: a search for a ticket number lists that ticket's rows."""

    list_per_page = 50
    # By id, which follows creation: there is no index on created_at alone.
    ordering = ("-id",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        # The ticket column needs only the number; its text and search document stay behind.
        return (
            super().get_queryset(request).select_related("ticket").defer("ticket__description", "ticket__search_vector")
        )

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        number = ticket_number_from_text(search_term)
        if number is not None:
            return queryset.filter(ticket__number=number), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="Ticket", ordering="ticket__number")
    def ticket_number(self, row: TicketComment | TicketEvent) -> str:
        return row.ticket.ticket_number


@admin.register(TicketComment)
class TicketCommentAdmin(TicketRowAdmin):
    list_display = ("id", "ticket_number", "author", "is_internal", "source", "created_at", "excerpt")
    list_filter = ("source", "is_internal")
    search_fields = ("author", "body")
    search_help_text = "Ticket number, author, or text in the comment."

    @admin.display(description="Comment")
    def excerpt(self, comment: TicketComment) -> str:
        return comment.body if len(comment.body) <= 80 else f"{comment.body[:79]}…"


@admin.register(TicketEvent)
class TicketEventAdmin(TicketRowAdmin):
    list_display = ("id", "ticket_number", "action", "field", "old_value", "new_value", "actor", "source", "created_at")
    list_filter = ("action", "source")
    search_fields = ("actor",)
    search_help_text = "Ticket number or actor name."


# Agents and teams, custom fields, routing rules, calendars, SLA policies and canned
# responses have admin modules of their own: importing them registers them.
from . import admin_agents, admin_canned_responses, admin_custom_fields, admin_routing, admin_sla  # noqa: E402, F401
