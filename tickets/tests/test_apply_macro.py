"""Applying a canned response (services.ticket_apply_macro): the reply and every action in one
transaction, one audit row per change, events leaving once after commit, and the reply
going out to the integrations as any public comment does."""

from typing import Any

import pytest

from integrations.models import OutboxMessage
from tickets import canned_responses, publishing, services
from tickets.actors import Actor
from tickets.events import TicketAssigned, TicketCommentAdded, TicketStatusChanged, TicketUpdated
from tickets.exceptions import StaleVersionError, TicketError, UnseenCommentsError
from tickets.models import CannedResponse, ChangeSource, SupportTicket, TeamAssignment, TicketEvent

from .factories import TEST_ACTOR, StaffFactory, make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

BODY = "Hi {{ customer.first_name }},\n\nWe refunded {{ ticket.number }}.\n\n{{ agent.first_name }}"


@pytest.fixture
def tom():
    agent = make_agent("Tom Becker")
    agent.user.first_name = "Tom"
    agent.user.save()
    return agent


@pytest.fixture
def batches():
    """What leaves after commit, one list per transaction, as the listeners get it."""
    seen: list[list[Any]] = []

    async def listen(batch: list[Any]) -> None:
        seen.append(batch)

    publishing.subscribe(listener=listen)
    yield seen
    publishing.unsubscribe(listener=listen)


def macro(owner, **fields) -> CannedResponse:
    return canned_responses.canned_response_create(
        owner=owner, **{"title": "Refund sent", "shortcut": "refund", "body": BODY, **fields}
    )


def apply(ticket: SupportTicket, response: CannedResponse, user, **options) -> SupportTicket:
    actor = Actor(name=user.get_full_name(), source=ChangeSource.API)
    return services.ticket_apply_macro(
        ticket_id=ticket.pk, canned_response_id=response.pk, user=user, actor=actor, **options
    )


def audit(ticket: SupportTicket) -> list[tuple[str, str, str | None]]:
    rows = TicketEvent.objects.filter(ticket=ticket).exclude(action="created").order_by("pk")
    return [(row.action, row.field, row.new_value) for row in rows]


def test_the_reply_and_every_action_are_applied_each_change_audited_once(
    tom, batches, django_capture_on_commit_callbacks
):
    billing = make_team("Billing", TeamAssignment.MANUAL, [tom])
    ticket = make_ticket(customer_name="Casey Jones", tags=["new", "login"])
    response = macro(
        tom.user,
        actions={
            "status": "waiting_customer",
            "priority": "high",
            "category": "billing",
            "addTags": ["refund"],
            "removeTags": ["new"],
            "assigneeId": tom.pk,
            "teamId": billing.pk,
        },
    )

    with django_capture_on_commit_callbacks(execute=True):
        changed = apply(ticket, response, tom.user, comment="  Sorry for the wait.  ")

    [comment] = changed.comments.all()
    assert comment.body == "Hi Casey,\n\nWe refunded FCT-000001.\n\nTom\n\nSorry for the wait."
    assert (comment.is_internal, comment.author, comment.source) == (False, tom.user.get_full_name(), "api")
    assert (changed.status, changed.priority, changed.category) == ("waiting_customer", "high", "billing")
    assert (changed.tags, changed.assignee, changed.team) == (["login", "refund"], tom, billing)
    assert changed.total_comments == 1 and changed.first_response_at == comment.created_at
    assert audit(ticket) == [
        ("commented", "public", str(comment.pk)),
        ("status_changed", "status", "waiting_customer"),
        ("priority_changed", "priority", "high"),
        ("category_changed", "category", "billing"),
        ("updated", "team", "Billing"),
        ("assigned", "assignedTo", "Tom Becker"),
        ("tags_changed", "tags", "login,refund"),
    ]
    [batch] = batches  # one transaction: its events leave together, once
    assert [type(event) for event in batch] == [TicketCommentAdded, TicketStatusChanged, TicketAssigned, TicketUpdated]
    assert batch[-1].changes == {
        "priority": "high",
        "category": "billing",
        "team_id": billing.pk,
        "tags": ["login", "refund"],
    }
    assert SupportTicket.objects.get(pk=ticket.pk).version == ticket.version + 1


@pytest.mark.parametrize("failing", ["team deleted since", "a tag too many"])
def test_an_action_that_fails_writes_nothing_not_even_the_reply(
    tom, batches, failing, django_capture_on_commit_callbacks
):
    team = make_team("Billing", TeamAssignment.MANUAL, [])
    ticket = make_ticket(tags=[f"tag{n}" for n in range(20)])  # the most a ticket may have
    response = macro(
        tom.user, actions={"status": "resolved", "priority": "urgent", "teamId": team.pk, "addTags": ["x"]}
    )
    if failing == "team deleted since":
        response.actions = {**response.actions, "addTags": []}
        response.save()
        team.delete()
    before = SupportTicket.objects.values().get(pk=ticket.pk)

    with pytest.raises(TicketError) as refused, django_capture_on_commit_callbacks(execute=True):
        apply(ticket, response, tom.user)

    assert refused.value.field == "cannedResponseId"
    assert refused.value.message.startswith('"Refund sent" cannot be applied: ')
    assert ("No team with id" if failing == "team deleted since" else "at most 20 tags") in refused.value.message
    assert SupportTicket.objects.values().get(pk=ticket.pk) == before
    assert audit(ticket) == []
    assert not ticket.comments.exists()
    assert batches == []


def test_a_personal_response_of_someone_else_does_not_exist_for_the_caller(tom):
    other = StaffFactory()
    ticket = make_ticket()
    with pytest.raises(CannedResponse.DoesNotExist):
        apply(ticket, macro(other), tom.user)
    assert not ticket.comments.exists()
    apply(ticket, macro(other, shortcut="shared", shared=True), tom.user)  # a shared one is everyone's
    assert ticket.comments.count() == 1


def test_an_internal_note_and_an_actions_only_response(tom):
    ticket = make_ticket()
    note = macro(tom.user, body="Escalated by {{ agent.display_name }}", actions={"priority": "urgent"})
    changed = apply(ticket, note, tom.user, is_internal=True)
    [comment] = changed.comments.all()
    assert (comment.body, comment.is_internal, changed.first_response_at) == ("Escalated by Tom Becker", True, None)

    quiet = macro(tom.user, shortcut="close", body="", actions={"status": "closed"})
    changed = apply(changed, quiet, tom.user)
    assert (changed.status, changed.comments.count()) == ("closed", 1)  # no empty reply


def test_stale_views_are_refused_as_for_any_reply(tom):
    ticket = make_ticket()
    response = macro(tom.user, actions={"status": "waiting_customer"})
    services.comment_add(
        ticket_id=ticket.pk, body="Customer again", is_internal=False, author="Casey", actor=TEST_ACTOR
    )
    services.ticket_change_priority(ticket_id=ticket.pk, priority="low", actor=TEST_ACTOR)

    with pytest.raises(StaleVersionError):
        apply(ticket, response, tom.user, seen_version=ticket.version)
    with pytest.raises(UnseenCommentsError):
        apply(ticket, response, tom.user, seen_comment_id=0)

    assert SupportTicket.objects.get(pk=ticket.pk).status == "open"
    assert ticket.comments.count() == 1


def test_the_reply_goes_out_to_the_integrations_as_a_plain_reply_does(tom, settings):
    settings.HELPSCOUT_APP_ID = settings.HELPSCOUT_APP_SECRET = settings.HELPSCOUT_MAILBOX_ID = "configured"
    plain, macroed = make_ticket(), make_ticket()
    OutboxMessage.objects.all().delete()
    services.comment_add(ticket_id=plain.pk, body="Done", is_internal=False, author="Tom", actor=TEST_ACTOR)
    services.ticket_change_status(ticket_id=plain.pk, status="waiting_customer", actor=TEST_ACTOR)
    apply(macroed, macro(tom.user, actions={"status": "waiting_customer"}), tom.user)

    def sent(ticket: SupportTicket) -> list[tuple[str, str]]:
        return list(
            OutboxMessage.objects.filter(ticket_id=ticket.pk).order_by("pk").values_list("integration", "event")
        )

    assert (
        sent(macroed) == sent(plain) == [("helpscout", "ticket-comment-added"), ("helpscout", "ticket-status-updated")]
    )
    [comment] = [m for m in OutboxMessage.objects.filter(ticket_id=macroed.pk, event="ticket-comment-added")]
    assert comment.payload["comment"]["body"].startswith("Hi Casey,")
