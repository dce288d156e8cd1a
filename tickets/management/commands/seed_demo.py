"""Fills the helpdesk with realistic demo tickets, written through the services like any
other change, so each has its audit trail, comments and SLA figures.

The same `--seed` gives the same tickets. The services stamp every change with the
current time, so all demo tickets are created "now".
"""

import random
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils.text import slugify

from tickets import services
from tickets.actors import Actor
from tickets.models import (
    FINISHED_STATUSES,
    ChangeSource,
    SupportTicket,
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
AGENTS = (
    "John Doe",
    "Priya Shah",
    "Marco Bianchi",
    "Sarah Lee",
    "Tom Becker",
    "Ana Costa",
    "Yusuf Demir",
    "Support Team",
)
SOURCES = (
    TicketSource.WEB,
    TicketSource.EMAIL,
    TicketSource.HELPSCOUT,
    TicketSource.SLACK,
    TicketSource.PHONE,
    TicketSource.INTERNAL,
)
SOURCE_WEIGHTS = (40, 20, 20, 8, 6, 6)
STATUSES = tuple(TicketStatus)
PRIORITIES = tuple(TicketPriority)
STATUS_WEIGHTS = (30, 25, 15, 20, 10)

AGENT_REPLIES = (
    "Thanks for reaching out. I am looking into this now and will update you shortly.",
    "Could you send us a screenshot of the error and the time it happened?",
    "I have escalated this to our payments team; they usually answer within a few hours.",
    "Thanks for your patience. Could you confirm the transaction hash so we can trace it?",
    "We have reproduced the problem and a fix is on its way.",
)
CUSTOMER_REPLIES = (
    "Here is the screenshot you asked for.",
    "Any update on this? It is quite urgent for me.",
    "Thanks, that worked!",
    "The transaction hash is in the attached file.",
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

SEEDER = Actor(name="Demo seed", source=ChangeSource.SYSTEM)


class Command(BaseCommand):
    help = "Create realistic demo tickets (with comments, assignments and status changes) through the services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, default=200, help="How many tickets (default 200).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same data.")

    def handle(self, *args: Any, **options: Any) -> None:
        rng = random.Random(options["seed"])
        with transaction.atomic():
            ids = [_seed_ticket(rng) for _ in range(options["count"])]
        statuses = Counter(SupportTicket.objects.filter(pk__in=ids).values_list("status", flat=True))
        comments = TicketComment.objects.filter(ticket_id__in=ids).count()
        summary = ", ".join(f"{statuses[status]} {status.label.lower()}" for status in TicketStatus)
        self.stdout.write(f"Seeded {len(ids)} tickets ({summary}) with {comments} comments.")


def _seed_ticket(rng: random.Random) -> int:
    """One ticket taken as far along its life as the status drawn for it; returns its id."""
    scenario = rng.choice(SCENARIOS)
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    customer = f"{first} {last}"
    status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
    agent = Actor(name=rng.choice(AGENTS), source=ChangeSource.SYSTEM)
    ticket = services.ticket_create(
        subject=scenario.subject,
        description=scenario.description,
        customer_name=customer,
        customer_email=f"{slugify(first)}.{slugify(last)}@{rng.choice(DOMAINS)}",
        customer_user_id=f"usr_{rng.getrandbits(48):012x}",
        priority=scenario.priority,
        category=scenario.category,
        source=rng.choices(SOURCES, SOURCE_WEIGHTS)[0],
        tags=rng.sample(scenario.tags, k=rng.randint(1, len(scenario.tags))),
        actor=SEEDER,
    )
    if status != TicketStatus.OPEN or rng.random() < 0.4:
        services.ticket_assign(ticket_id=ticket.pk, assigned_to=agent.name, actor=agent)
    if scenario.priority != TicketPriority.URGENT and rng.random() < 0.15:
        escalated = PRIORITIES[PRIORITIES.index(TicketPriority(scenario.priority)) + 1]
        services.ticket_change_priority(ticket_id=ticket.pk, priority=escalated, actor=agent)
    if status == TicketStatus.OPEN:
        if rng.random() < 0.3:
            _customer_comment(ticket.pk, rng.choice(CUSTOMER_REPLIES), customer)
        return ticket.pk

    services.ticket_change_status(ticket_id=ticket.pk, status=TicketStatus.IN_PROGRESS, actor=agent)
    _agent_comment(ticket.pk, rng.choice(AGENT_REPLIES), agent)
    if rng.random() < 0.4:
        _agent_comment(ticket.pk, rng.choice(INTERNAL_NOTES), agent, internal=True)
    if status != TicketStatus.IN_PROGRESS:
        if rng.random() < 0.5:
            _customer_comment(ticket.pk, rng.choice(CUSTOMER_REPLIES), customer)
        note = rng.choice(RESOLUTION_NOTES) if status in FINISHED_STATUSES else ""
        services.ticket_change_status(ticket_id=ticket.pk, status=status, resolution_note=note, actor=agent)
    return ticket.pk


def _agent_comment(ticket_id: int, body: str, agent: Actor, *, internal: bool = False) -> None:
    services.comment_add(ticket_id=ticket_id, body=body, is_internal=internal, author=agent.name, actor=agent)


def _customer_comment(ticket_id: int, body: str, customer: str) -> None:
    # A customer's message is not a response from support: it leaves the SLA clock running.
    services.comment_add(
        ticket_id=ticket_id,
        body=body,
        is_internal=False,
        author=customer,
        actor=SEEDER,
        counts_as_response=False,
    )
