"""Loads N realistic tickets (about two comments each) into PostgreSQL fast, for benchmarks.

A bulk loader, not a ticket change: rows go in with COPY, and the search documents,
counters and statistics are then built in SQL, as the services would have left them.
A year of creation dates, every status, priority, category and source in realistic
proportions, ~30 agents, tags, varied words, SLA fields consistent with the rules.
"""

import random
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from tickets.models import PRIORITY_RANK, SupportTicket, TicketComment, TicketNumberCounter
from tickets.search import SEARCH_CONFIG

WORDS = (
    "account access wallet deposit withdrawal transfer pending blocked verification identity document passport "
    "selfie address proof bank card payment invoice refund fee charge subscription plan upgrade downgrade login "
    "password reset two factor authenticator code email phone number notification alert api key token webhook "
    "rate limit error timeout mobile app android ios browser chrome safari update version crash screen button "
    "balance statement export report tax year portfolio token staking reward interest yield order trade market "
    "limit stop price chart history delay slow missing wrong duplicate failed declined approved review compliance "
    "support agent ticket reply urgent please help thanks asap yesterday today week month euro dollar bitcoin ether"
).split()
SUBJECTS = (
    "Cannot log in to my account",
    "Deposit not credited",
    "Withdrawal stuck at pending",
    "KYC verification rejected",
    "2FA code not accepted",
    "API key returns 401",
    "Refund for duplicate charge",
    "Invoice with company details",
    "App crashes on start",
    "Statement export is empty",
    "Card payment declined",
    "Account locked",
    "Change of email address",
    "Staking rewards missing",
    "Order executed at wrong price",
    "Tax report request",
    "Feature request: dark mode",
    "Webhook deliveries failing",
    "Phone number update",
    "Close my account",
)
AGENTS = [
    f"{first} {last}"
    for first, last in zip(
        "Alex Blair Casey Dana Eli Farah Gus Hana Ivan Jo Kai Lena Marco Nia Omar Pia Quinn Rosa Sam Tara Uma Vik Wen "
        "Xavi Yara Zoe Ana Ben Cleo Dev".split(),
        "Smith Jones Lee Costa Novak Khan Berg Sato Petrov Silva Moreau Rossi Bianchi Okafor Haddad Lund Walsh Diaz "
        "Young Mehta Iyer Nair Chen Ruiz Aziz Stone Costa Klein Ward Patel".split(),
        strict=True,
    )
] + ["Support Team"]
FIRST_NAMES = "Ada Ben Chloe Dev Emma Finn Gia Hugo Isla Jack Kim Liam Maya Noah Olga Paul Rita Sven Tess Umar".split()
LAST_NAMES = "Müller Smith Dubois Silva Rossi Novak Patel Garcia Kowalski Jensen Tanaka Okoro Haddad Berg".split()
TAGS = "vip kyc withdrawal deposit 2fa api billing mobile refund escalated bug enterprise tax staking".split()

STATUSES_RECENT = (("open", 35), ("in_progress", 30), ("waiting_customer", 15), ("resolved", 15), ("closed", 5))
STATUSES_OLD = (("open", 2), ("in_progress", 2), ("waiting_customer", 3), ("resolved", 38), ("closed", 55))
PRIORITIES = (("low", 30), ("medium", 40), ("high", 20), ("urgent", 10))
CATEGORIES = (
    ("general", 25),
    ("technical", 25),
    ("billing", 20),
    ("account", 18),
    ("security", 5),
    ("feature_request", 5),
    ("other", 2),
)
SOURCES = (("web", 35), ("email", 30), ("helpscout", 15), ("slack", 10), ("phone", 5), ("internal", 5))

TICKET_COLUMNS = (
    "id",
    "number",
    "subject",
    "description",
    "status",
    "priority",
    "priority_rank",
    "category",
    "source",
    "customer_name",
    "customer_email",
    "customer_user_id",
    "assigned_to",
    "tags",
    "slack_channel_id",
    "slack_message_ts",
    "slack_thread_id",
    "slack_is_archived",
    "helpscout_sync_status",
    "response_target_minutes",
    "response_deadline",
    "resolution_deadline",
    "first_response_at",
    "last_activity_at",
    "total_comments",
    "view_count",
    "resolved_by",
    "resolution_note",
    "resolution_time_minutes",
    "resolved_at",
    "created_at",
    "updated_at",
)
COMMENT_COLUMNS = ("ticket_id", "body", "is_internal", "author", "source", "external_id", "created_at")


def _chooser(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> Any:
    values = [value for value, _ in weighted]
    weights = [weight for _, weight in weighted]
    return lambda: rng.choices(values, weights)[0]


class Command(BaseCommand):
    help = "Bulk-load N realistic tickets into PostgreSQL (benchmarks). Appends to what is there."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, count: int, seed: int, **options: Any) -> None:
        if connection.vendor != "postgresql":
            raise CommandError("seed_tickets loads with COPY and needs PostgreSQL; use seed_demo on SQLite.")
        if count < 1:
            raise CommandError("--count must be at least 1.")
        started = time.monotonic()
        rng = random.Random(seed)
        with transaction.atomic():
            first_id = (SupportTicket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            first_number = (SupportTicket.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            comments: list[tuple[Any, ...]] = []
            with connection.cursor() as cursor:
                with cursor.copy(
                    f"COPY {SupportTicket._meta.db_table} ({', '.join(TICKET_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for row in self._tickets(rng, count, first_id, first_number, comments):
                        copy.write_row(row)
                with cursor.copy(
                    f"COPY {TicketComment._meta.db_table} ({', '.join(COMMENT_COLUMNS)}) FROM STDIN"
                ) as copy:
                    for comment in comments:
                        copy.write_row(comment)
                loaded = time.monotonic()
                self._finish(cursor, first_id, first_number + count - 1)
        with connection.cursor() as cursor:  # outside the transaction, as VACUUM requires
            for model in (SupportTicket, TicketComment):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"Loaded {count:,} tickets and {len(comments):,} comments in {loaded - started:.0f} s, "
            f"indexed in {time.monotonic() - loaded:.0f} s."
        )

    def _tickets(
        self, rng: random.Random, count: int, first_id: int, first_number: int, comments: list[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        now = timezone.now()
        year_ago = now - timedelta(days=365)
        recent_status, old_status = _chooser(rng, STATUSES_RECENT), _chooser(rng, STATUSES_OLD)
        priority, category, source = _chooser(rng, PRIORITIES), _chooser(rng, CATEGORIES), _chooser(rng, SOURCES)
        targets = settings.SLA_TARGETS_MINUTES
        # Creation times ascend with the ticket number, as they would in real life.
        offsets = sorted(rng.random() * 365 * 86400 for _ in range(count))
        for index, offset in enumerate(offsets):
            pk, number = first_id + index, first_number + index
            created = year_ago + timedelta(seconds=offset)
            age_days = (now - created).days
            status = recent_status() if age_days < 14 else old_status()
            prio = priority()
            response_minutes, resolution_minutes = targets[prio]
            response_deadline = created + timedelta(minutes=response_minutes)
            resolution_deadline = created + timedelta(minutes=resolution_minutes)
            assignee = "" if rng.random() < 0.1 and status == "open" else rng.choice(AGENTS)
            customer = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"customer{rng.randrange(60_000)}@example.{rng.choice(('com', 'org', 'net'))}"
            finished = status in ("resolved", "closed")
            first_response = (
                created + timedelta(minutes=rng.expovariate(1 / (response_minutes * 0.6)))
                if finished or rng.random() < 0.7
                else None
            )
            if first_response and first_response > now:
                first_response = None
            resolved_at = None
            if finished:
                resolved_at = min(now, created + timedelta(minutes=rng.expovariate(1 / (resolution_minutes * 0.5))))
                if first_response and first_response > resolved_at:
                    first_response = resolved_at
            ticket_comments = self._comments(rng, pk, created, first_response, resolved_at or now, assignee, customer)
            comments.extend(ticket_comments)
            last_activity = max([created] + [comment[-1] for comment in ticket_comments])
            channel = rng.choice(("web", "email")) if source() == "web" else source()
            yield (
                pk,
                number,
                f"{rng.choice(SUBJECTS)} {rng.choice(WORDS)}",
                " ".join(rng.choices(WORDS, k=rng.randint(15, 60))).capitalize() + ".",
                status,
                prio,
                PRIORITY_RANK[prio],
                category(),
                channel,
                customer,
                email,
                "",
                assignee,
                _json_list(rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2, 3)))),
                "C0SUPPORT" if channel == "slack" else "",
                f"{created.timestamp():.6f}" if channel == "slack" else "",
                f"{created.timestamp():.6f}" if channel == "slack" else "",
                status == "closed" and channel == "slack",
                "synced" if channel == "helpscout" else "",
                response_minutes,
                response_deadline,
                resolution_deadline,
                first_response,
                last_activity,
                len(ticket_comments),
                rng.randrange(12),
                assignee or "Support Team" if finished else "",
                "Resolved." if finished else "",
                int((resolved_at - created).total_seconds() // 60) if resolved_at else None,
                resolved_at,
                created,
                last_activity,
            )

    def _comments(
        self,
        rng: random.Random,
        ticket_id: int,
        created: datetime,
        first_response: datetime | None,
        until: datetime,
        assignee: str,
        customer: str,
    ) -> list[tuple[Any, ...]]:
        rows = []
        if first_response is not None:
            rows.append((ticket_id, _sentence(rng), False, assignee or "Support Team", "dashboard", "", first_response))
        span = max(1.0, (until - created).total_seconds())
        for _ in range(rng.choice((0, 1, 1, 2))):
            at = created + timedelta(seconds=rng.random() * span)
            internal = rng.random() < 0.4
            author = (assignee or "Support Team") if internal else rng.choice((customer, assignee or "Support Team"))
            rows.append(
                (ticket_id, _sentence(rng), internal, author, rng.choice(("api", "dashboard", "slack")), "", at)
            )
        return sorted(rows, key=lambda row: row[-1])

    def _finish(self, cursor: Any, first_id: int, last_number: int) -> None:
        """Builds what the services maintain: search documents, sequences, the counter."""
        table, comments = SupportTicket._meta.db_table, TicketComment._meta.db_table
        cursor.execute("DROP INDEX IF EXISTS ticket_search_gin")
        cursor.execute(
            f"""UPDATE {table} t SET search_vector =
                  setweight(to_tsvector('{SEARCH_CONFIG}', t.subject), 'A')
                  || setweight(to_tsvector('{SEARCH_CONFIG}', t.customer_name || ' ' || t.customer_email), 'A')
                  || setweight(to_tsvector('{SEARCH_CONFIG}', t.description), 'B')
                  || setweight(to_tsvector('{SEARCH_CONFIG}', coalesce(c.bodies, '')), 'C')
                FROM (SELECT ticket_id, string_agg(body, ' ') AS bodies FROM {comments}
                      WHERE ticket_id >= %s GROUP BY ticket_id) c
                WHERE t.id >= %s AND c.ticket_id = t.id""",
            [first_id, first_id],
        )
        cursor.execute(
            f"""UPDATE {table} t SET search_vector =
                  setweight(to_tsvector('{SEARCH_CONFIG}', t.subject), 'A')
                  || setweight(to_tsvector('{SEARCH_CONFIG}', t.customer_name || ' ' || t.customer_email), 'A')
                  || setweight(to_tsvector('{SEARCH_CONFIG}', t.description), 'B')
                WHERE t.id >= %s AND t.search_vector IS NULL""",
            [first_id],
        )
        cursor.execute(f"CREATE INDEX ticket_search_gin ON {table} USING gin (search_vector)")
        for model in (SupportTicket, TicketComment):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{model._meta.db_table}', 'id'), "
                f"(SELECT max(id) FROM {model._meta.db_table}))"
            )
        TicketNumberCounter.objects.update_or_create(pk=1, defaults={"last_number": last_number})


def _sentence(rng: random.Random) -> str:
    return " ".join(rng.choices(WORDS, k=rng.randint(6, 30))).capitalize() + "."


def _json_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"
