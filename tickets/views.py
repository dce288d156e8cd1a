"""The agents' dashboard: server-rendered pages over the same selectors, filters and
services as the API. Staff only. Each POST is one service call, then a redirect."""

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from . import custom_field_forms, custom_fields, selectors, services
from .actors import Actor, actor_for_user, display_name
from .exceptions import StaleVersionError, TicketError, UnseenCommentsError
from .filters import DATE_RANGES, SORT_FIELDS, TicketFilter
from .forms import (
    BULK_CONFIRM_FROM,
    NAME_PREFIX,
    BulkUpdateForm,
    CommentForm,
    TicketCreateForm,
    TicketUpdateForm,
    add_service_error,
)
from .history import ticket_history
from .models import (
    Agent,
    ChangeSource,
    CommentAuthorType,
    SupportTicket,
    TicketCategory,
    TicketPriority,
    TicketSource,
    TicketStatus,
    format_ticket_number,
)
from .paging import PagingError, paginate
from .sla_explanation import explain
from .statistics import ticket_statistics
from .statistics_groups import ticket_statistics_by

View = Callable[..., HttpResponse]

# The list's sort options as a person reads them, one for each of the API's `sortBy` values.
SORT_LABELS = {
    "createdAt": "Created",
    "updatedAt": "Last updated",
    "priority": "Priority",
    "status": "Status",
    "ticketNumber": "Ticket number",
    "subject": "Subject",
    "assignedTo": "Assignee",
    "resolutionDeadline": "Resolve by",
}
# The session remembers the page a form post sends the agent back to: that page is the one
# they were on, so showing it again is not another view of the ticket.
RETURN_AFTER_POST = "dashboard:return-after-post"
# List parameters that order or size the page rather than choose its tickets.
NOT_FILTERS = ("sortBy", "sortOrder", "limit")
# The confirmation of a bulk change names this many of its tickets, then "and N more".
NUMBERS_SHOWN = 20


def staff_required(view: View) -> View:
    """Signed-in staff only: others are sent to log in, signed-in non-staff get 403."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_staff:
            raise PermissionDenied("The dashboard is for support staff.")
        return view(request, *args, **kwargs)

    return wrapper


def _actor(request: HttpRequest) -> Actor:
    return actor_for_user(request.user, ChangeSource.DASHBOARD)


def agent_of(request: HttpRequest) -> Agent | None:
    """The signed-in user's agent profile; None for staff who are no agent."""
    return getattr(request.user, "agent", None)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The posted `next` when it is a page of this site, else `fallback`."""
    next_url = request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        return next_url
    return fallback


def redirect_after_post(request: HttpRequest, url: str) -> HttpResponse:
    """Back to `url` after a form post, which does not count as a view of a ticket there."""
    request.session[RETURN_AFTER_POST] = urlsplit(url).path
    return redirect(url)


def _ticket_or_404(lookup: str) -> SupportTicket:
    ticket = selectors.ticket_find(lookup)
    if ticket is None:
        raise Http404("No ticket with this id or number.")
    return ticket


# --- List ---


@require_GET
@staff_required
def ticket_list(request: HttpRequest) -> HttpResponse:
    filterset = TicketFilter(request.GET, queryset=selectors.ticket_list(), request=request)
    errors: dict[str, list[str]] = {}
    page = None
    if filterset.is_valid():
        try:
            page = paginate(filterset.qs, request.GET)
        except PagingError as error:
            errors = error.errors
    else:
        errors = {name: [str(message) for message in messages_] for name, messages_ in filterset.errors.items()}
    teams = list(selectors.team_list())
    params = {name: request.GET.get(name, "") for name in [*TicketFilter.base_filters, "limit"]}
    context = {
        "page": page,
        "errors": errors,
        "teams": teams,
        # Every list parameter, "" when absent, so the filter bar can show what is applied.
        "params": params,
        "filters_applied": sum(1 for name, value in params.items() if value and name not in NOT_FILTERS),
        "now": timezone.now(),
        "statuses": TicketStatus.choices,
        "priorities": TicketPriority.choices,
        "categories": TicketCategory.choices,
        "sources": TicketSource.choices,
        "date_ranges": list(DATE_RANGES),
        "sort_fields": [(value, SORT_LABELS[value]) for value in SORT_FIELDS],
        "limits": [25, 50, 100, 200],
        "bulk_form": BulkUpdateForm(agents=selectors.agent_list(), teams=teams),
        "bulk_confirm_from": BULK_CONFIRM_FROM,
        "export_query": request.GET.urlencode(),
        # New tickets are slotted in live only where they belong: the first page, newest first.
        "live_insert": bool(
            page
            and page.page == 1
            and request.GET.get("sortBy", "createdAt") in ("", "createdAt")
            and request.GET.get("sortOrder") != "asc"
        ),
    }
    return render(request, "dashboard/ticket_list.html", context, status=400 if errors else 200)


@require_GET
@staff_required
def ticket_row(request: HttpRequest, pk: int) -> HttpResponse:
    """One list row, for live updates: 204 when the ticket does not match the page's filters."""
    filterset = TicketFilter(request.GET, queryset=selectors.ticket_list().filter(pk=pk), request=request)
    ticket = filterset.qs.first() if filterset.is_valid() else None
    if ticket is None:
        return HttpResponse(status=204)
    return render(request, "dashboard/_ticket_row.html", {"ticket": ticket, "now": timezone.now()})


@require_POST
@staff_required
def ticket_bulk(request: HttpRequest) -> HttpResponse:
    form = BulkUpdateForm(request.POST, agents=selectors.agent_list(), teams=selectors.team_list())
    next_url = safe_next(request, reverse("dashboard:ticket-list"))
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(str(message) for message in error))
        return redirect_after_post(request, next_url)
    if form.needs_confirmation():
        # The page's script asks first; without scripts, this page does.
        return _bulk_confirmation(request, form, next_url)
    try:
        result = services.tickets_bulk_update(**form.service_arguments(), actor=_actor(request))
    except TicketError as error:
        messages.error(request, error.message)
    else:
        missing = f" ({len(result.not_found)} no longer exist)" if result.not_found else ""
        messages.success(request, f"Updated {result.updated} ticket{pluralize(result.updated)}{missing}.")
    return redirect_after_post(request, next_url)


def _bulk_confirmation(request: HttpRequest, form: BulkUpdateForm, next_url: str) -> HttpResponse:
    ids = set(form.cleaned_data["ids"])
    numbers = list(
        selectors.ticket_list().filter(pk__in=ids).order_by("number").values_list("number", flat=True)[:NUMBERS_SHOWN]
    )
    context = {
        "count": len(ids),
        "changes": form.changes(),
        "numbers": [format_ticket_number(number) for number in numbers],
        "more": max(0, len(ids) - len(numbers)),
        "form": form,
        "next_url": next_url,
    }
    return render(request, "dashboard/bulk_confirm.html", context)


@require_POST
@staff_required
def ticket_take_next(request: HttpRequest) -> HttpResponse:
    """ "Next ticket": the most urgent queued ticket of the agent's teams becomes theirs."""
    agent = agent_of(request)
    if agent is None:
        messages.error(request, "Only agents take tickets from the team queues.")
        return redirect("dashboard:ticket-list")
    ticket = services.ticket_take_next(agent_id=agent.pk, actor=_actor(request))
    if ticket is None:
        messages.info(request, "No queued tickets in your teams.")
        return redirect("dashboard:ticket-list")
    messages.success(request, f"{ticket.ticket_number} is yours now.")
    # A ticket the agent has not seen yet: opening it is a view (no redirect_after_post).
    return redirect("dashboard:ticket-detail", pk=ticket.pk)


# --- Create ---


@staff_required
def ticket_create(request: HttpRequest) -> HttpResponse:
    form = TicketCreateForm(
        request.POST or None,
        request.FILES or None,
        agents=selectors.agent_list(),
        teams=selectors.team_list(),
        custom_fields=custom_fields.active_definitions(),
    )
    if request.method == "POST" and form.is_valid():
        try:  # the form's fields are the service's arguments
            ticket = services.ticket_create(**form.cleaned_data, actor=_actor(request))
        except TicketError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"Created {ticket.ticket_number}.")
            return redirect_after_post(request, reverse("dashboard:ticket-detail", args=[ticket.pk]))
    status = 400 if form.errors else 200
    return render(request, "dashboard/ticket_create.html", {"form": form}, status=status)


# --- Detail and its actions ---


def _update_form(ticket: SupportTicket, data: Any = None) -> TicketUpdateForm:
    """The update form over the ticket's current values, or over `data` as posted."""
    free_text = ticket.assigned_to if ticket.assignee_id is None else ""
    assignee = str(ticket.assignee_id) if ticket.assignee_id else (f"{NAME_PREFIX}{free_text}" if free_text else "")
    return TicketUpdateForm(
        data,
        agents=selectors.agent_list(),
        teams=selectors.team_list(),
        assigned_name=free_text,
        custom_fields=custom_fields.definitions(),
        custom_values=ticket.custom_fields,
        initial={
            "status": ticket.status,
            "priority": ticket.priority,
            "category": ticket.category,
            "assignee": assignee,
            "team": str(ticket.team_id or ""),
            "tags": ticket.tags,
            "version": ticket.version,
        },
    )


def _detail(
    request: HttpRequest,
    ticket: SupportTicket,
    *,
    update_form: TicketUpdateForm | None = None,
    comment_form: CommentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    comments = list(ticket.comments.all())
    newest_comment = comments[-1].pk if comments else 0
    now = timezone.now()
    context = {
        "ticket": ticket,
        "comments": comments,
        "history": ticket_history(selectors.ticket_activity(ticket.pk), comments=comments),
        "now": now,
        "sla": explain(ticket, now=now),
        "me": display_name(request.user),
        "update_form": update_form or _update_form(ticket),
        "comment_form": comment_form or CommentForm(initial={"seen_comment_id": newest_comment}),
        "newest_comment": newest_comment,
        "custom_field_facts": custom_field_forms.facts(custom_fields.definitions(), ticket.custom_fields),
    }
    return render(request, "dashboard/ticket_detail.html", context, status=status)


@require_GET
@staff_required
def ticket_detail(request: HttpRequest, pk: str) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    if request.session.pop(RETURN_AFTER_POST, None) != request.path:
        services.ticket_register_view(ticket_id=ticket.pk)
        ticket.view_count += 1
    return _detail(request, ticket)


@require_GET
@staff_required
def ticket_live(request: HttpRequest, pk: str) -> HttpResponse:
    """The page again for the live script to refresh its sections; not counted as a view."""
    return _detail(request, _ticket_or_404(pk))


@require_POST
@staff_required
def ticket_update(request: HttpRequest, pk: str) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    form = _update_form(ticket, request.POST)
    if form.is_valid():
        changes = dict(form.cleaned_data)
        seen_version = changes.pop("version")
        try:  # the form's fields are the service's arguments
            services.ticket_update(ticket_id=ticket.pk, **changes, seen_version=seen_version, actor=_actor(request))
        except StaleVersionError as stale:
            # Shown again with the agent's choices over the ticket as it is now, and its
            # version, so that saving again (after a look) goes through.
            resubmitted = request.POST.copy()
            resubmitted["version"] = str(stale.ticket.version)
            current = _ticket_or_404(str(ticket.pk))
            form = _update_form(current, resubmitted)
            form.is_valid()
            form.add_error(None, stale.message)
            return _detail(request, current, update_form=form, status=409)
        except TicketError as error:
            add_service_error(form, error)
        else:
            messages.success(request, f"{ticket.ticket_number} updated.")
            return redirect_after_post(request, reverse("dashboard:ticket-detail", args=[ticket.pk]))
    return _detail(request, ticket, update_form=form, status=400)


@require_POST
@staff_required
def ticket_comment(request: HttpRequest, pk: str) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    form = CommentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, ticket, comment_form=form, status=400)
    data = form.cleaned_data
    me = display_name(request.user)
    try:
        services.comment_add(
            ticket_id=ticket.pk,
            body=data["comment"],
            is_internal=data["is_internal"],
            author=me,
            author_type=CommentAuthorType.AGENT,
            actor=_actor(request),
            seen_comment_id=data["seen_comment_id"] or 0,
            files=data["attachments"],
        )
    except UnseenCommentsError as unseen:
        # Shown again with the new replies on the page and counted as seen, so a second send goes through.
        resubmitted = request.POST.copy()
        resubmitted["seen_comment_id"] = str(unseen.comments[-1].pk)
        form = CommentForm(resubmitted)
        form.is_valid()
        form.add_error("comment", unseen.message)
        return _detail(request, ticket, comment_form=form, status=409)
    except TicketError as error:
        add_service_error(form, error)
        return _detail(request, ticket, comment_form=form, status=400)
    messages.success(request, "Internal note added." if data["is_internal"] else "Reply added.")
    return redirect_after_post(request, reverse("dashboard:ticket-detail", args=[ticket.pk]))


# --- Statistics ---


@require_GET
@staff_required
def statistics(request: HttpRequest) -> HttpResponse:
    date_range = request.GET.get("dateRange") or "30d"
    if date_range not in DATE_RANGES:
        date_range = "30d"
        messages.error(request, "Unknown date range; showing the last 30 days.")
    now = timezone.now()
    since = now - DATE_RANGES[date_range]
    report = ticket_statistics(since=since, now=now)
    days = max(1, DATE_RANGES[date_range] // timedelta(days=1))
    first_day = (now - timedelta(days=days - 1)).date()
    daily = selectors.ticket_daily_activity(since=datetime.combine(first_day, time.min, tzinfo=UTC), now=now)
    context = {
        "report": report,
        "groups": [
            ("Per agent", "Agent", ticket_statistics_by("agent", since=since, now=now)),
            ("Per team", "Team", ticket_statistics_by("team", since=since, now=now)),
        ],
        "date_range": date_range,
        "date_ranges": list(DATE_RANGES),
        "chart_data": {"report": report, "daily": daily},
    }
    return render(request, "dashboard/statistics.html", context)
