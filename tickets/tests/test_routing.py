"""Routing rules: which new tickets they take, what they do to them, in which order, and
that every way a ticket comes in is routed."""

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tickets import publishing, routing
from tickets.actors import Actor
from tickets.events import TicketAssigned, TicketCreated, TicketUpdated
from tickets.exceptions import TicketError
from tickets.models import (
    ChangeSource,
    RoutingRule,
    SupportTicket,
    TeamAssignment,
    TicketEvent,
)

from .factories import make_agent, make_team, make_ticket

pytestmark = pytest.mark.django_db

HELPSCOUT_ACTOR = Actor(name="Help Scout", source=ChangeSource.HELPSCOUT)
SLACK_ACTOR = Actor(name="Sam Slack", source=ChangeSource.SLACK)


def rule(name: str = "Rule", *, conditions: Any = None, position: int | None = None, **actions: Any) -> RoutingRule:
    return routing.routing_rule_create(
        name=name, conditions=conditions or {}, actions=actions or {"addTags": ["routed"]}, position=position
    )


def audit(ticket: SupportTicket) -> list[tuple[str, str | None, str]]:
    """(field, new value, actor) of each change after the creation."""
    return [
        (event.field, event.new_value, event.actor)
        for event in TicketEvent.objects.filter(ticket=ticket).exclude(action="created").order_by("created_at", "id")
    ]


def routed(**ticket: Any) -> bool:
    """Whether the only rule (conditions in the test) took a ticket with these fields."""
    return "routed" in make_ticket(**ticket).tags


# --- Matching: each condition ---


@pytest.mark.parametrize(
    ("conditions", "ticket", "expected"),
    [
        ({"category": "billing"}, {"category": "billing"}, True),
        ({"category": "billing"}, {"category": "technical"}, False),
        ({"category": ["billing", "account"]}, {"category": "account"}, True),
        ({"priority": "urgent"}, {"priority": "urgent"}, True),
        ({"priority": ["high", "urgent"]}, {"priority": "low"}, False),
        ({"source": "helpscout"}, {"source": "helpscout"}, True),
        ({"source": ["slack", "email"]}, {"source": "web"}, False),
        # All conditions must hold.
        ({"category": "billing", "priority": "urgent"}, {"category": "billing", "priority": "low"}, False),
        ({"category": "billing", "priority": "urgent"}, {"category": "billing", "priority": "urgent"}, True),
    ],
)
def test_codes_match_one_or_any_of_a_list(conditions, ticket, expected):
    rule(conditions=conditions)
    assert routed(**ticket) is expected


@pytest.mark.parametrize(
    ("subject", "description", "expected"),
    [
        ("Refund please", "", True),
        ("Help", "I want my REFUND now.", True),
        ("Help", "refund.", True),
        ("Help", "I was refunded", False),  # whole words only
        ("Help", "prerefund", False),
        ("Help", "refund_policy", False),
        ("Help", "a chargeback", False),  # not the phrase
        ("Help", "a Charge\n  Back, again", True),  # a phrase, across any spaces, any case
        ("Help", "C++ crashes", True),  # a keyword that ends in punctuation
        ("Help", "C+++", True),  # "+" is no word character: "c++" is followed by one
        ("Help", "abc++", False),
    ],
)
def test_keywords_are_whole_words_in_any_case_in_the_subject_or_description(subject, description, expected):
    rule(conditions={"keywords": ["refund", "charge back", "c++"]})
    assert routed(subject=subject, description=description) is expected


@pytest.mark.parametrize(
    ("email", "expected"),
    [
        ("ann@example.com", True),
        ("ann@EXAMPLE.com", True),
        ("ann@eu.example.com", True),  # a subdomain
        ("ann@a.b.example.com", True),
        ("ann@badexample.com", False),  # not a subdomain
        ("ann@example.com.evil.org", False),
        ("example.com@other.org", False),
        ("ann@partner.io", True),  # the list's second domain
        ("", False),
        ("example.com", False),  # no address at all
    ],
)
def test_customer_email_domain_matches_the_domain_and_its_subdomains(email, expected):
    rule(conditions={"customerEmailDomain": ["Example.COM", "@partner.io"]})
    assert routed(customer_email=email) is expected


def test_a_rule_without_conditions_takes_every_ticket_and_inactive_rules_none():
    rule("Everything")
    inactive = rule("Off", priority="urgent")
    routing.routing_rule_update(rule_id=inactive.pk, active=False)

    ticket = make_ticket()

    assert (ticket.tags, ticket.priority) == (["routed"], "medium")


# --- Actions, order and audit ---


def test_rules_apply_in_position_order_each_audited_with_its_name():
    rule("Urgent billing", conditions={"category": "billing"}, position=20, priority="urgent", addTags=["billing"])
    rule("VIP", conditions={"customerEmailDomain": "vip.example"}, position=10, priority="high", addTags=["vip"])
    rule("Security wins", position=20, category="security")  # same position: after by id
    rule("Not me", conditions={"source": "slack"}, position=0, priority="low")

    ticket = make_ticket(category="billing", customer_email="ann@vip.example", tags=["first"])

    assert audit(ticket) == [
        ("priority", "high", "VIP"),
        ("tags", "first,vip", "VIP"),
        ("priority", "urgent", "Urgent billing"),
        ("tags", "first,vip,billing", "Urgent billing"),
        ("category", "security", "Security wins"),
    ]
    assert {event.source for event in TicketEvent.objects.exclude(action="created")} == {ChangeSource.SYSTEM}
    stored = SupportTicket.objects.get(pk=ticket.pk)
    assert (stored.priority, stored.category, stored.tags) == ("urgent", "security", ["first", "vip", "billing"])
    # The SLA follows the priority the rules gave.
    assert stored.response_target_minutes == make_ticket(priority="urgent").response_target_minutes


def test_rules_match_the_ticket_as_created_not_as_earlier_rules_left_it():
    rule("To billing", category="billing", position=1)
    rule("Billing is urgent", conditions={"category": "billing"}, priority="urgent", position=2)

    ticket = make_ticket(category="general")

    assert (ticket.category, ticket.priority) == ("billing", "medium")


def test_all_rule_changes_are_one_update_and_new_ticket_shows_them():
    alex = make_agent("Alex Agent")
    rule("Priority", priority="high", addTags=["a"])
    rule("Owner", assigneeId=alex.pk)
    published: list[Any] = []
    publishing.subscribe(recorder=published.extend)
    try:
        with CaptureQueriesContext(connection) as captured:
            ticket = make_ticket()
    finally:
        publishing.unsubscribe(recorder=published.extend)

    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith('UPDATE "tickets_supportticket"')]
    assert len(updates) == 1
    assert [type(event) for event in published] == [TicketCreated, TicketUpdated, TicketAssigned]
    created = published[0].ticket
    assert (created.priority, created.tags, created.assigned_to) == ("high", ["a"], "Alex Agent")
    assert ticket.version == SupportTicket.objects.get(pk=ticket.pk).version
    assert {event.source for event in published[1:]} == {ChangeSource.SYSTEM}


def test_no_rules_means_no_extra_writes_or_audit_rows():
    with CaptureQueriesContext(connection) as captured:
        ticket = make_ticket()

    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert audit(ticket) == []
    assert ticket.version == SupportTicket.objects.get(pk=ticket.pk).version


def test_rules_that_match_nothing_write_nothing():
    rule(conditions={"priority": "urgent"})
    with CaptureQueriesContext(connection) as captured:
        ticket = make_ticket(priority="low")
    assert not [q for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert audit(ticket) == []


def test_a_rules_team_assigns_by_the_teams_strategy_round_robin():
    alex, blair = make_agent("Alex Agent"), make_agent("Blair Agent")
    billing = make_team("Billing", TeamAssignment.ROUND_ROBIN, [alex, blair])
    rule("Billing to billing", conditions={"category": "billing"}, teamId=billing.pk)

    tickets = [make_ticket(category="billing") for _ in range(3)]

    assert [t.assignee_id for t in tickets] == [alex.pk, blair.pk, alex.pk]
    assert {t.team_id for t in tickets} == {billing.pk}
    assert audit(tickets[1]) == [
        ("team", "Billing", "Billing to billing"),
        ("assignedTo", "Blair Agent", "Billing: round robin"),
    ]


def test_a_rules_assignee_wins_over_the_teams_strategy():
    alex, blair = make_agent("Alex Agent"), make_agent("Blair Agent")
    billing = make_team("Billing", TeamAssignment.ROUND_ROBIN, [alex])
    rule("Team", teamId=billing.pk, position=1)
    rule("Blair takes VIPs", conditions={"customerEmailDomain": "vip.example"}, assigneeId=blair.pk, position=2)

    ticket = make_ticket(customer_email="ann@vip.example")

    assert (ticket.team_id, ticket.assignee_id, ticket.assigned_to) == (billing.pk, blair.pk, "Blair Agent")
    assert audit(ticket) == [("team", "Billing", "Team"), ("assignedTo", "Blair Agent", "Blair takes VIPs")]


def test_a_rules_team_replaces_a_creators_assignee_from_outside_the_team():
    """As any move between teams: the assignee stays only if they are a member."""
    alex, blair = make_agent("Alex Agent"), make_agent("Blair Agent")
    billing = make_team("Billing", TeamAssignment.ROUND_ROBIN, [blair])
    rule("Billing", conditions={"category": "billing"}, teamId=billing.pk)

    moved = make_ticket(category="billing", assignee_id=alex.pk)
    kept = make_ticket(category="billing", assignee_id=blair.pk)

    assert (moved.team_id, moved.assignee_id) == (billing.pk, blair.pk)
    assert audit(moved) == [
        ("team", "Billing", "Billing"),
        ("assignedTo", None, "Billing"),
        ("assignedTo", "Blair Agent", "Billing: round robin"),
    ]
    assert (kept.assignee_id, audit(kept)) == (blair.pk, [("team", "Billing", "Billing")])


def test_a_manual_team_leaves_the_ticket_in_its_queue():
    support = make_team("Support", TeamAssignment.MANUAL, [make_agent("Alex Agent")])
    rule("Queue", teamId=support.pk)

    ticket = make_ticket()

    assert (ticket.team_id, ticket.assignee_id) == (support.pk, None)


def test_a_rule_naming_a_deleted_team_or_too_many_tags_never_refuses_a_ticket():
    gone = make_team("Gone", TeamAssignment.MANUAL, [])
    rule("Stale", teamId=gone.pk, addTags=[f"t{i}" for i in range(15)], priority="high")
    gone.delete()

    ticket = make_ticket(tags=[f"own{i}" for i in range(10)])

    assert (ticket.team_id, len(ticket.tags), ticket.priority) == (None, 10, "high")


@pytest.mark.parametrize(
    ("source", "actor"), [("helpscout", HELPSCOUT_ACTOR), ("slack", SLACK_ACTOR), ("email", HELPSCOUT_ACTOR)]
)
def test_tickets_from_help_scout_and_slack_are_routed_too(source, actor):
    rule("Integrations", conditions={"source": ["helpscout", "slack", "email"]}, priority="urgent")

    ticket = make_ticket(source=source, actor=actor)

    assert ticket.priority == "urgent"
    assert audit(ticket) == [("priority", "urgent", "Integrations")]


# --- Validation ---


@pytest.mark.parametrize(
    ("conditions", "actions", "field", "message"),
    [
        ({"priority": "huge"}, {"priority": "low"}, "conditions", 'conditions.priority: "huge" is not a priority'),
        ({"category": ["billing", 3]}, {"priority": "low"}, "conditions", "conditions.category: must be"),
        ({"source": []}, {"priority": "low"}, "conditions", "conditions.source: an empty list"),
        ({"colour": "red"}, {"priority": "low"}, "conditions", 'conditions: unknown key "colour"'),
        ({"keywords": ["  "]}, {"priority": "low"}, "conditions", "conditions.keywords: a keyword may not be blank"),
        ({"customerEmailDomain": "not a domain"}, {"priority": "low"}, "conditions", "is not a domain"),
        ([], {"priority": "low"}, "conditions", "conditions: must be an object"),
        ({}, {}, "actions", "actions: a rule must do something"),
        ({}, {"teamId": 999}, "actions", "actions.teamId: no team with id 999"),
        ({}, {"assigneeId": 999}, "actions", "actions.assigneeId: no agent with id 999"),
        ({}, {"teamId": True}, "actions", "actions.teamId: must be the id of a team"),
        ({}, {"priority": ["low"]}, "actions", "actions.priority: must be a priority code"),
        ({}, {"category": "misc"}, "actions", 'actions.category: "misc" is not a category'),
        ({}, {"addTags": ["x" * 51]}, "actions", "actions.addTags: A tag may have at most 50"),
        ({}, {"removeTags": ["x"]}, "actions", 'actions: unknown key "removeTags"'),
    ],
)
def test_invalid_rules_are_refused_naming_the_field(conditions, actions, field, message):
    with pytest.raises(TicketError) as error:
        routing.routing_rule_create(name="Bad", conditions=conditions, actions=actions)
    assert error.value.field == field
    assert message in error.value.message
    assert not RoutingRule.objects.exists()


def test_values_are_normalised_and_names_unique_in_any_case():
    created = routing.routing_rule_create(
        name="  Billing   rule ",
        conditions={"priority": "high", "keywords": ["Refund", " refund ", "charge  back"], "source": None},
        actions={"addTags": "VIP", "category": "billing"},
    )
    assert created.name == "Billing rule"
    assert created.conditions == {"priority": ["high"], "keywords": ["Refund", "charge back"]}
    assert created.actions == {"category": "billing", "addTags": ["vip"]}
    assert created.position == 1
    assert rule("Next").position == 2
    with pytest.raises(TicketError) as error:
        rule("billing RULE")
    assert error.value.field == "name"
