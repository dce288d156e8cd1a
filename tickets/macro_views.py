"""The ticket page's canned responses: the reply box offers those the agent sees
(tickets/templatetags/macros.py renders the picker and each one's preview for the ticket),
and its "Apply" button posts here: one call to services.ticket_apply_macro, which sends
the reply and makes the response's changes together. Staff only, as the rest of the
dashboard."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from . import canned_responses, services
from .actors import actor_for_user
from .exceptions import TicketError, UnseenCommentsError
from .forms import CommentForm
from .limits import MAX_COMMENT_LENGTH
from .models import CannedResponse, ChangeSource, SupportTicket
from .views import _detail, _ticket_or_404, staff_required


class MacroForm(CommentForm):
    """The reply form as the Apply button posts it: the agent's own text is optional, and
    comes after the canned text."""

    comment = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_COMMENT_LENGTH, required=False)
    canned_response = forms.TypedChoiceField(coerce=int, label="Canned response", empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["canned_response"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "Choose…")] + [
            (str(response.pk), response.title) for response in canned_responses.for_user(user)
        ]
        field.error_messages["invalid_choice"] = "No canned response of yours or your team's with this id."


def _page_again(request: HttpRequest, ticket: SupportTicket, form: MacroForm, status: int) -> HttpResponse:
    """The ticket page as it is now, the reply box holding what the agent posted, with the error."""
    return _detail(request, _ticket_or_404(str(ticket.pk)), comment_form=form, status=status)


@require_POST
@staff_required
def ticket_apply_macro(request: HttpRequest, pk: str) -> HttpResponse:
    ticket = _ticket_or_404(pk)
    form = MacroForm(request.POST, user=request.user)
    if not form.is_valid():
        return _page_again(request, ticket, form, 400)
    data = form.cleaned_data
    try:
        services.ticket_apply_macro(
            ticket_id=ticket.pk,
            canned_response_id=data["canned_response"],
            user=request.user,
            actor=actor_for_user(request.user, ChangeSource.DASHBOARD),
            is_internal=data["is_internal"],
            comment=data["comment"],
            seen_comment_id=data["seen_comment_id"] or 0,
        )
    except UnseenCommentsError as unseen:
        # As for a reply: the new comments are on the page now, so applying again goes through.
        resubmitted = request.POST.copy()
        resubmitted["seen_comment_id"] = str(unseen.comments[-1].pk)
        form = MacroForm(resubmitted, user=request.user)
        form.is_valid()
        form.add_error("canned_response", unseen.message)
        return _page_again(request, ticket, form, 409)
    except TicketError as error:
        form.add_error("comment" if error.field == "comment" else "canned_response", error.message)
        return _page_again(request, ticket, form, 400)
    except CannedResponse.DoesNotExist:  # deleted, or made personal, since the page loaded
        form.add_error("canned_response", "This canned response is no longer there.")
        return _page_again(request, ticket, form, 400)
    titles = dict(form.fields["canned_response"].choices)  # type: ignore[attr-defined]
    messages.success(request, f"Applied “{titles[str(data['canned_response'])]}”.")
    return redirect("dashboard:ticket-detail", pk=ticket.pk)
