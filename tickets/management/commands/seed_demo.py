"""Fills the helpdesk with realistic demo tickets, written through the services like any
other change, so each has its audit trail, comments, SLA deadlines and statistics.

Tickets are spread over the last DAYS days (fewer at weekends) and each lives its life at
its own times, passed to the services as an import's: a first response and a resolution
drawn around the SLA targets (most met, some breached), replies and notes in between, and
only what has happened by now is written. So older tickets are resolved or closed, recent
ones still open, in progress or waiting on the customer, and a few stalled ones are overdue
now. The same `--seed` gives the same tickets (their times relative to now).
"""

import math
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from tickets import agents, services
from tickets.actors import Actor
from tickets.models import (
    Agent,
    ChangeSource,
    CommentAuthorType,
    SupportTicket,
    Team,
    TicketComment,
    TicketPriority,
    TicketSource,
    TicketStatus,
)


@dataclass(frozen=True)
class Scenario:
    category: str
    priority: str
    subject: str
    description: str
    tags: tuple[str, ...]


SCENARIOS = (
    Scenario(
        "account",
        "high",
        "Cannot log in after password reset",
        "I reset my password an hour ago but the login page still says my credentials are wrong. "
        "I have tried two browsers and cleared my cookies.",
        ("login", "password"),
    ),
    Scenario(
        "account",
        "medium",
        "Account locked after too many attempts",
        "My account got locked after I mistyped my password a few times. How long until I can try again?",
        ("login", "locked"),
    ),
    Scenario(
        "account",
        "medium",
        "KYC verification stuck in review",
        "I uploaded my passport and a proof of address five days ago and the status still says "
        "'In review'. I need to be verified before the next token offering opens.",
        ("kyc", "verification"),
    ),
    Scenario(
        "account",
        "high",
        "KYC rejected: document unreadable",
        "My ID document was rejected as unreadable, but the photo is sharp. Can someone look at it manually?",
        ("kyc", "documents"),
    ),
    Scenario(
        "account",
        "low",
        "How do I change the e-mail on my account?",
        "I am moving away from my old e-mail provider. Where can I change the address I log in with?",
        ("profile",),
    ),
    Scenario(
        "security",
        "urgent",
        "Lost my phone with my 2FA authenticator",
        "My phone was stolen yesterday and my authenticator app was on it. I cannot log in and I am worried "
        "about my holdings. Please help me reset 2FA.",
        ("2fa", "account-recovery"),
    ),
    Scenario(
        "security",
        "urgent",
        "Suspicious login from an unknown location",
        "I got an e-mail about a login from a country I have never been to. I did not do this. "
        "Please freeze my account until I can change everything.",
        ("security", "account-takeover"),
    ),
    Scenario(
        "security",
        "high",
        "2FA codes are always rejected",
        "Every code from my authenticator app is rejected as invalid. The clock on my phone is set automatically.",
        ("2fa",),
    ),
    Scenario(
        "technical",
        "high",
        "Deposit not credited after 6 hours",
        "I sent USDC to my FractionaX deposit address this morning. The transaction has 40 confirmations on "
        "the explorer but my balance has not changed.",
        ("deposit", "usdc"),
    ),
    Scenario(
        "technical",
        "urgent",
        "Withdrawal pending for two days",
        "My withdrawal to my bank account has shown 'Pending' since Monday. The amount has left my balance.",
        ("withdrawal", "bank-transfer"),
    ),
    Scenario(
        "technical",
        "medium",
        "Wire deposit without reference code",
        "I forgot to put my reference code on a wire transfer. How can I get it matched to my account?",
        ("deposit", "wire"),
    ),
    Scenario(
        "technical",
        "medium",
        "API key returns 401 Unauthorized",
        "I created a new API key with read and trade permissions, but every request to /v1/orders returns "
        "401. The signature code worked with my previous key.",
        ("api", "api-keys"),
    ),
    Scenario(
        "technical",
        "low",
        "Rate limits for the market data API",
        "What are the rate limits for the public market data endpoints? I keep getting 429 responses.",
        ("api", "rate-limit"),
    ),
    Scenario(
        "technical",
        "medium",
        "Portfolio page shows the wrong valuation",
        "The portfolio page values my fractional property tokens at zero since this morning's update.",
        ("portfolio", "bug"),
    ),
    Scenario(
        "technical",
        "high",
        "Mobile app crashes when opening a property listing",
        "The iOS app closes as soon as I tap any property in the marketplace. I am on the latest version.",
        ("mobile", "ios", "bug"),
    ),
    Scenario(
        "technical",
        "medium",
        "Order stuck as partially filled",
        "A buy order for 12 fractions has been partially filled (5 of 12) for a day. Can I cancel the rest?",
        ("trading", "orders"),
    ),
    Scenario(
        "billing",
        "medium",
        "Charged twice for the Pro subscription",
        "My card statement shows two charges for the FractionaX Pro plan this month. Please refund one.",
        ("subscription", "refund"),
    ),
    Scenario(
        "billing",
        "low",
        "Need an invoice with my company details",
        "Could you reissue last month's invoice with my company name and VAT number?",
        ("invoice",),
    ),
    Scenario(
        "billing",
        "medium",
        "Trading fee higher than advertised",
        "The fee on my last trade was 1.2%, but the pricing page says 0.5% for my tier.",
        ("fees", "trading"),
    ),
    Scenario(
        "billing",
        "low",
        "Where do I find my annual tax statement?",
        "I need the annual statement of my gains and rental distributions for my tax return.",
        ("tax",),
    ),
    Scenario(
        "feature_request",
        "low",
        "Export transactions to CSV",
        "It would be great to export my full transaction history to CSV for my accountant.",
        ("export",),
    ),
    Scenario(
        "feature_request",
        "low",
        "Dark mode for the web app",
        "Please add a dark mode to the web dashboard, like the mobile app has.",
        ("ui",),
    ),
    Scenario(
        "feature_request",
        "low",
        "Price alerts for property tokens",
        "I would like a notification when a property token drops below a price I choose.",
        ("alerts",),
    ),
    Scenario(
        "general",
        "low",
        "How are rental distributions paid out?",
        "I hold fractions of two properties. When and in which currency are rental incomes paid?",
        ("distributions",),
    ),
    Scenario(
        "general",
        "medium",
        "Closing my account",
        "I would like to close my account and withdraw my remaining balance. What are the steps?",
        ("account-closure",),
    ),
    Scenario(
        "other",
        "low",
        "Partnership inquiry",
        "We run a property management company and would like to list buildings on FractionaX. Who should we talk to?",
        ("partnership",),
    ),
)

FIRST_NAMES = (
    "Olivia",
    "Liam",
    "Emma",
    "Noah",
    "Amelia",
    "Mateo",
    "Sofia",
    "Lucas",
    "Mia",
    "Ethan",
    "Aisha",
    "Kenji",
    "Fatima",
    "Diego",
    "Hannah",
    "Ravi",
    "Chloe",
    "Omar",
    "Ingrid",
    "Tomás",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Müller",
    "Nguyen",
    "Okafor",
    "Rossi",
    "Kowalski",
    "Tanaka",
    "Dubois",
    "Patel",
    "Johansson",
    "Silva",
    "Cohen",
    "Murphy",
    "Haddad",
    "Kim",
)
DOMAINS = ("example.com", "example.org")
# The demo's teams, their agents, and the categories each takes (the per-agent and
# per-team statistics need tickets of real agents and teams).
TEAMS = {
    "Payments": (("John Doe", "Priya Shah"), ("billing",)),
    "Accounts & security": (("Marco Bianchi", "Sarah Lee"), ("account", "security")),
    "Platform": (("Tom Becker", "Ana Costa", "Yusuf Demir"), ("technical", "feature_request", "general", "other")),
}
SOURCES = (
    TicketSource.WEB,
    TicketSource.EMAIL,
    TicketSource.HELPSCOUT,
    TicketSource.SLACK,
    TicketSource.PHONE,
    TicketSource.INTERNAL,
)
SOURCE_WEIGHTS = (40, 20, 20, 8, 6, 6)
PRIORITIES = tuple(TicketPriority)

AGENT_REPLIES = (
    "Thanks for reaching out. I am looking into this now and will update you shortly.",
    "I have escalated this to our payments team; they usually answer within a few hours.",
    "We have reproduced the problem and a fix is on its way.",
)
CUSTOMER_REPLIES = (
    "Here is the screenshot you asked for.",
    "The transaction hash is 0x3f9a…c21e, sent from my hardware wallet.",
    "I tried again this morning with the same result.",
)
CUSTOMER_CHASERS = ("Any update on this? It is quite urgent for me.", "Hello? I still have not heard back.")
CUSTOMER_THANKS = ("Thanks, that worked!", "Great, thank you for the quick help.")
AGENT_QUESTIONS = (
    "Could you send us a screenshot of the error and the time it happened?",
    "Thanks for your patience. Could you confirm the transaction hash so we can trace it?",
)
INTERNAL_NOTES = (
    "Checked the ledger: the deposit is on chain, the indexer missed it. Re-triggered the sync.",
    "Customer is on the Pro tier; keep an eye on the SLA.",
    "Possible duplicate of an earlier ticket from the same customer.",
    "Asked the compliance team to review the documents manually.",
    "Known issue after today's release, tracked by engineering.",
)
RESOLUTION_NOTES = (
    "Issue fixed and confirmed by the customer.",
    "Refund issued; it will show within 5 business days.",
    "Explained the process; no further action needed.",
    "Account secured and 2FA reset after identity check.",
)

DAYS = 60
# Every STALLED-th ticket is forgotten: it never gets resolved, so by now it is overdue.
# They are the hard cases, money stuck on its way (docs/api.md's example finds them:
# ?search=deposit&overdue=true).
STALLED = 25
STUCK_MONEY = tuple(scenario for scenario in SCENARIOS if {"deposit", "withdrawal"} & set(scenario.tags))
# A delay drawn around an SLA target: its median share of the target, and the spread (of
# its logarithm). About one response and one resolution in twenty miss their target.
RESPONSE_SHARE, RESPONSE_SPREAD = 0.3, 0.75
RESOLUTION_SHARE, RESOLUTION_SPREAD = 0.25, 0.8


class Command(BaseCommand):
    help = (
        "Create realistic demo tickets over the last 60 days (comments, assignments, status changes, "
        "SLA breaches) through the services."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=200, help="How many tickets (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        now = timezone.now()
        # Oldest first, so ticket numbers follow the creation times as they would.
        openings = sorted(_opening(rng, now) for _ in range(options["count"]))
        with transaction.atomic():
            teams = _demo_teams()
            ids = [
                _seed_ticket(rng, opened, teams, stalled=index % STALLED == STALLED // 2)
                for index, opened in enumerate(openings)
            ]
        statuses = Counter(SupportTicket.objects.filter(pk__in=ids).values_list("status", flat=True))
        comments = TicketComment.objects.filter(ticket_id__in=ids).count()
        summary = ", ".join(f"{statuses[status]} {status.label.lower()}" for status in TicketStatus)
        self.stdout.write(f"Seeded {len(ids)} tickets ({summary}) with {comments} comments.")


@dataclass(frozen=True)
class _DemoTeam:
    team_id: int
    agents: tuple[str, ...]


def _demo_teams() -> dict[str, _DemoTeam]:
    """Each category's team, with its agents; made through the agents' services the first
    time, found by name afterwards."""
    by_category: dict[str, _DemoTeam] = {}
    for name, (members, categories) in TEAMS.items():
        agent_ids = [_demo_agent(member).pk for member in members]
        team = Team.objects.filter(name=name).first() or agents.team_create(name=name, member_ids=agent_ids)
        by_category |= {category: _DemoTeam(team.pk, members) for category in categories}
    return by_category


def _demo_agent(name: str) -> Agent:
    username = slugify(name).replace("-", ".")
    return Agent.objects.filter(display_name=name).first() or agents.agent_create(
        username=username, display_name=name, email=f"{username}@fractionax.example"
    )


def _opening(rng: random.Random, now: datetime) -> datetime:
    """A time in the last DAYS days, at weekends half as often, never in the last minutes
    (so the first steps of a new ticket have happened)."""
    while True:
        opened = now - timedelta(minutes=5) - timedelta(seconds=rng.random() * (DAYS * 86400 - 300))
        if opened.weekday() < 5 or rng.random() < 0.5:
            return opened


def _delay(rng: random.Random, target: timedelta, share: float, spread: float) -> timedelta:
    return target * (share * math.exp(rng.gauss(0, spread)))


def _seed_ticket(rng: random.Random, opened: datetime, teams: dict[str, _DemoTeam], *, stalled: bool) -> int:
    """One ticket, taken through the steps of its life whose time has come; returns its id."""
    scenario = rng.choice(STUCK_MONEY if stalled else SCENARIOS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    customer = Actor(name=f"{first} {last}", source=ChangeSource.SYSTEM)
    team = teams[scenario.category]
    agent = Actor(name=rng.choice(team.agents), source=ChangeSource.DASHBOARD)
    ticket = services.ticket_create(
        team_id=team.team_id,
        subject=scenario.subject,
        description=scenario.description,
        customer_name=customer.name,
        customer_email=f"{slugify(first)}.{slugify(last)}@{rng.choice(DOMAINS)}",
        customer_user_id=f"usr_{rng.getrandbits(48):012x}",
        priority=scenario.priority,
        category=scenario.category,
        source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        tags=rng.sample(scenario.tags, k=rng.randint(1, len(scenario.tags))),
        actor=customer,  # the customer opened it, as a Help Scout conversation is audited
        created_at=opened,
    )
    life = _Life(ticket.pk, opened, timezone.now())
    # Around the ticket's own deadlines (its SLA policy's, in its business hours).
    assert ticket.response_deadline is not None and ticket.resolution_deadline is not None
    responded = opened + _delay(rng, ticket.response_deadline - opened, RESPONSE_SHARE, RESPONSE_SPREAD)
    resolved = opened + max(
        _delay(rng, ticket.resolution_deadline - opened, RESOLUTION_SHARE, RESOLUTION_SPREAD),
        (responded - opened) * 1.5,
    )
    if stalled and rng.random() < 0.5:
        responded = resolved = life.now + timedelta(days=1)  # never looked at
    elif stalled:
        resolved = life.now + timedelta(days=1)  # answered, then forgotten

    # Triage: the ticket is assigned soon after it arrives (a few stay unassigned).
    if rng.random() < 0.9:
        life.at(
            opened + (responded - opened) * rng.uniform(0.1, 0.6),
            lambda at: services.ticket_assign(ticket_id=ticket.pk, assigned_to=agent.name, actor=agent, at=at),
        )
    if rng.random() < 0.25:  # the customer chases before anyone answered
        life.comment(opened + (responded - opened) * 0.8, customer, rng.choice(CUSTOMER_CHASERS), by_customer=True)
    # The first response: the agent takes it up and answers.
    life.status(responded, agent, TicketStatus.IN_PROGRESS)
    asks = rng.random() < 0.35
    life.comment(responded, agent, rng.choice(AGENT_QUESTIONS if asks else AGENT_REPLIES))
    working = (resolved - responded).total_seconds()
    if asks:  # waiting on the customer until they answer
        life.status(responded, agent, TicketStatus.WAITING_CUSTOMER)
        answered = responded + timedelta(seconds=working * rng.uniform(0.2, 0.5))
        life.comment(answered, customer, rng.choice(CUSTOMER_REPLIES), by_customer=True)
        life.status(answered + timedelta(minutes=rng.uniform(5, 60)), agent, TicketStatus.IN_PROGRESS)
    if rng.random() < 0.4:
        noted = responded + timedelta(seconds=working * rng.uniform(0.5, 0.8))
        life.comment(noted, agent, rng.choice(INTERNAL_NOTES), internal=True)
    if scenario.priority != TicketPriority.URGENT and rng.random() < 0.12:
        escalated = PRIORITIES[PRIORITIES.index(TicketPriority(scenario.priority)) + 1]
        life.at(
            responded + timedelta(seconds=working * 0.1),
            lambda at: services.ticket_change_priority(ticket_id=ticket.pk, priority=escalated, actor=agent, at=at),
        )
    # The resolution; the customer may thank, and most resolved tickets are closed days later.
    life.status(resolved, agent, TicketStatus.RESOLVED, note=rng.choice(RESOLUTION_NOTES))
    if rng.random() < 0.3:
        life.comment(
            resolved + timedelta(hours=rng.uniform(1, 20)), customer, rng.choice(CUSTOMER_THANKS), by_customer=True
        )
    if rng.random() < 0.6:
        life.status(resolved + timedelta(days=rng.uniform(2, 5)), agent, TicketStatus.CLOSED)
    return ticket.pk


@dataclass
class _Life:
    """One ticket's steps, each written at its own time if that time has come. A step
    whose time lies ahead has not happened yet, and neither has any later one."""

    ticket_id: int
    last: datetime
    now: datetime
    over: bool = False

    def at(self, when: datetime, step: Callable[[datetime], object]) -> None:
        when = max(when, self.last)
        if self.over or when >= self.now:
            self.over = True
            return
        step(when)
        self.last = when

    def comment(
        self, when: datetime, author: Actor, body: str, *, internal: bool = False, by_customer: bool = False
    ) -> None:
        self.at(
            when,
            lambda at: services.comment_add(
                ticket_id=self.ticket_id,
                body=body,
                is_internal=internal,
                author=author.name,
                author_type=CommentAuthorType.CUSTOMER if by_customer else CommentAuthorType.AGENT,
                actor=author,
                written_at=at,
            ),
        )

    def status(self, when: datetime, agent: Actor, status: str, *, note: str = "") -> None:
        self.at(
            when,
            lambda at: services.ticket_change_status(
                ticket_id=self.ticket_id, status=status, resolution_note=note, actor=agent, at=at
            ),
        )
