"""Loads N realistic tickets (about two comments each) into PostgreSQL fast, for benchmarks.

A bulk loader, not a ticket change: rows go in with COPY, and the search documents,
counters and statistics are then built in SQL, as the services would have left them.
A year of creation dates, every status, priority, category and source in realistic
proportions, 30 agents in four teams, tags, varied words, and two SLA policies (urgent
tickets, and billing in a business calendar that pauses while waiting on the customer),
with each ticket's deadlines as its policy gives them.
"""

import bisect
import itertools
import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.utils import timezone

from tickets import sla_clock
from tickets.models import (
    PRIORITY_RANK,
    TICKET_NUMBER_SEQUENCE,
    Agent,
    BusinessCalendar,
    SlaPolicy,
    SupportTicket,
    Team,
    TeamMembership,
    TicketComment,
)
from tickets.search import document_sql

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
# Teams by the categories they take, with their strategy and their members (by index in AGENTS).
TEAMS = {
    "Billing": ("round_robin", ("billing",), range(0, 8)),
    "Tech": ("least_loaded", ("technical", "feature_request"), range(8, 18)),
    "KYC": ("round_robin", ("account", "security"), range(18, 26)),
    "Escalations": ("manual", (), range(26, 30)),
}
OFFICE_HOURS = {day: [["09:00", "17:30"]] for day in ("mon", "tue", "wed", "thu", "fri")}
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
    "assignee_id",
    "team_id",
    "sla_policy_id",
    "tags",
    "slack_channel_id",
    "slack_message_ts",
    "slack_thread_id",
    "slack_is_archived",
    "helpscout_sync_status",
    "response_target_minutes",
    "response_deadline",
    "resolution_deadline",
    "response_warning_at",
    "resolution_warning_at",
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
COMMENT_COLUMNS = ("ticket_id", "body", "is_internal", "author", "author_type", "source", "external_id", "created_at")


def _chooser(rng: random.Random, weighted: tuple[tuple[str, int], ...]) -> Any:
    values = [value for value, _ in weighted]
    bounds = list(itertools.accumulate(weight for _, weight in weighted))
    return lambda: values[bisect.bisect(bounds, rng.random() * bounds[-1])]


class _Texts:
    """Random word sequences drawn from pools made once: generating a million tickets' words
    one by one would take most of the load's time. Two pieces per text keep them varied."""

    POOL = 2048

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.pieces = [" ".join(rng.choices(WORDS, k=rng.randint(3, 15))) for _ in range(self.POOL)]

    def text(self, pieces: int) -> str:
        chosen = self.rng.choices(self.pieces, k=pieces)
        return " ".join(chosen).capitalize() + "."


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
        tickets, comments = SupportTicket._meta.db_table, TicketComment._meta.db_table
        with transaction.atomic():  # committed first: the load re-adds the tickets' keys to these tables
            self.staff = _staff()
            self.policies = sla_clock.active_policies()  # read now: no query may run during the COPY
        with transaction.atomic(), connection.cursor() as cursor:
            # Index builds get the memory and the cores they can use.
            cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
            cursor.execute("SET LOCAL max_parallel_maintenance_workers = 2")
            first_id = (SupportTicket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
            first_number = (SupportTicket.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
            comment_rows: list[tuple[Any, ...]] = []
            with _secondary_indexes_rebuilt(cursor, tickets, comments):
                # Tickets go through a staging table holding each one's comment text, so each
                # row is written once, search document included, rather than written and
                # then rewritten by an UPDATE.
                cursor.execute(
                    f"CREATE TEMP TABLE seed_tickets ON COMMIT DROP AS SELECT {', '.join(TICKET_COLUMNS)} "
                    f"FROM {tickets} WITH NO DATA"
                )
                cursor.execute("ALTER TABLE seed_tickets ADD COLUMN comment_text text")
                with cursor.copy(f"COPY seed_tickets ({', '.join(TICKET_COLUMNS)}, comment_text) FROM STDIN") as copy:
                    for row in self._tickets(rng, count, first_id, first_number, comment_rows):
                        copy.write_row(row)
                cursor.execute(
                    f"INSERT INTO {tickets} ({', '.join(TICKET_COLUMNS)}, search_vector) "
                    f"SELECT {', '.join(TICKET_COLUMNS)}, {document_sql('comment_text')} FROM seed_tickets"
                )
                with cursor.copy(f"COPY {comments} ({', '.join(COMMENT_COLUMNS)}) FROM STDIN") as copy:
                    for comment in comment_rows:
                        copy.write_row(comment)
                loaded = time.monotonic()
            for model in (SupportTicket, TicketComment):
                table = model._meta.db_table
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
            cursor.execute("SELECT setval(%s, %s)", [TICKET_NUMBER_SEQUENCE, first_number + count - 1])
        with connection.cursor() as cursor:  # outside the transaction, as VACUUM requires
            for table in (tickets, comments):
                cursor.execute(f"VACUUM ANALYZE {table}")
        self.stdout.write(
            f"Loaded {count:,} tickets and {len(comment_rows):,} comments in {loaded - started:.0f} s "
            f"({time.monotonic() - started:.0f} s with indexes and statistics)."
        )

    def _tickets(
        self, rng: random.Random, count: int, first_id: int, first_number: int, comments: list[tuple[Any, ...]]
    ) -> Iterator[tuple[Any, ...]]:
        now = timezone.now()
        year_ago = now - timedelta(days=365)
        texts = _Texts(rng)
        recent_status, old_status = _chooser(rng, STATUSES_RECENT), _chooser(rng, STATUSES_OLD)
        priority, category, source = _chooser(rng, PRIORITIES), _chooser(rng, CATEGORIES), _chooser(rng, SOURCES)
        # Creation times ascend with the ticket number, as they would in real life.
        offsets = sorted(rng.random() * 365 * 86400 for _ in range(count))
        for index, offset in enumerate(offsets):
            pk, number = first_id + index, first_number + index
            created = year_ago + timedelta(seconds=offset)
            age_days = (now - created).days
            status = recent_status() if age_days < 14 else old_status()
            prio, kind, channel = priority(), category(), source()
            channel = rng.choice(("web", "email")) if channel == "web" else channel
            team = self.staff.team_of.get(kind)
            clock = sla_clock.clock_for(
                priority=prio, category=kind, source=channel, team_id=team.pk if team else None, policies=self.policies
            )
            response_minutes, resolution_minutes = clock.response_minutes, clock.resolution_minutes
            if clock.pauses_on_waiting and status == "waiting_customer":
                response_deadline = resolution_deadline = None  # paused, as the services leave it
                response_warning = resolution_warning = None
            else:
                deadlines = sla_clock.deadlines(clock, created_at=created)
                response_deadline, resolution_deadline = deadlines.response, deadlines.resolution
                response_warning, resolution_warning = deadlines.response_warning, deadlines.resolution_warning
            members = self.staff.members[team.pk] if team else self.staff.agents
            agent = None if rng.random() < 0.1 and status == "open" else rng.choice(members)
            assignee = agent.display_name if agent else ""
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
            ticket_comments = self._comments(
                rng, texts, pk, created, first_response, resolved_at or now, assignee, customer
            )
            comments.extend(ticket_comments)
            last_activity = max([created] + [comment[-1] for comment in ticket_comments])
            comment_text = " ".join(comment[1] for comment in ticket_comments)
            yield (
                pk,
                number,
                f"{rng.choice(SUBJECTS)} {rng.choice(WORDS)}",
                texts.text(pieces=rng.randint(2, 6)),
                status,
                prio,
                PRIORITY_RANK[prio],
                kind,
                channel,
                customer,
                email,
                "",
                assignee,
                agent.pk if agent else None,
                team.pk if team else None,
                clock.policy.pk if clock.policy else None,
                _json_list(rng.sample(TAGS, k=rng.choice((0, 0, 1, 1, 2, 3)))),
                "C0SUPPORT" if channel == "slack" else "",
                f"{created.timestamp():.6f}" if channel == "slack" else "",
                f"{created.timestamp():.6f}" if channel == "slack" else "",
                status == "closed" and channel == "slack",
                "synced" if channel == "helpscout" else "",
                response_minutes,
                response_deadline,
                resolution_deadline,
                response_warning,
                resolution_warning,
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
                comment_text,
            )

    def _comments(
        self,
        rng: random.Random,
        texts: "_Texts",
        ticket_id: int,
        created: datetime,
        first_response: datetime | None,
        until: datetime,
        assignee: str,
        customer: str,
    ) -> list[tuple[Any, ...]]:
        rows = []
        if first_response is not None:
            rows.append(
                (ticket_id, texts.text(2), False, assignee or "Support Team", "agent", "dashboard", "", first_response)
            )
        span = max(1.0, (until - created).total_seconds())
        for _ in range(rng.choice((0, 1, 1, 2))):
            at = created + timedelta(seconds=rng.random() * span)
            internal = rng.random() < 0.4
            author = (assignee or "Support Team") if internal else rng.choice((customer, assignee or "Support Team"))
            author_type = "customer" if author == customer else "agent"
            source = rng.choice(("api", "dashboard", "slack"))
            rows.append((ticket_id, texts.text(2), internal, author, author_type, source, "", at))
        return sorted(rows, key=lambda row: row[-1])


@contextmanager
def _secondary_indexes_rebuilt(cursor: Any, *tables: str) -> Iterator[None]:
    """Drops the tables' indexes and foreign keys other than primary and unique keys, and
    builds them again on the way out: one sorted build per index, and one join per foreign
    key, instead of one update and one lookup per row loaded."""
    names = list(tables)
    cursor.execute(
        """SELECT indexname, indexdef FROM pg_indexes
           WHERE tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint)""",
        [names],
    )
    indexes = cursor.fetchall()
    cursor.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint
           WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)""",
        [names],
    )
    foreign_keys = cursor.fetchall()
    for table, name, _ in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield
    for _, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in foreign_keys:
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')


class _Staff:
    """The agents and teams tickets are handed to: made once, found again by later loads."""

    def __init__(self, agents: list[Agent], teams: dict[str, Team]) -> None:
        self.agents = agents
        self.team_of = {category: teams[name] for name, (_, categories, _) in TEAMS.items() for category in categories}
        self.members = {teams[name].pk: [agents[i] for i in members] for name, (_, _, members) in TEAMS.items()}


def _staff() -> _Staff:
    """Agents, teams, a calendar and two SLA policies, written directly as the rest of the
    load is (a policy made through tickets.sla_policies would queue a recomputation of every
    open ticket)."""
    User = get_user_model()  # noqa: N806
    agents = []
    for name in AGENTS[:30]:
        user, _ = User.objects.get_or_create(
            username=name.lower().replace(" ", "."), defaults={"is_staff": True, "first_name": name}
        )
        agent, _ = Agent.objects.get_or_create(user=user, defaults={"display_name": name})
        agents.append(agent)
    teams = {}
    for name, (strategy, _, members) in TEAMS.items():
        teams[name], created = Team.objects.get_or_create(name=name, defaults={"assignment": strategy})
        if created:
            TeamMembership.objects.bulk_create(TeamMembership(team=teams[name], agent=agents[i]) for i in members)
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="Berlin office", defaults={"timezone": "Europe/Berlin", "hours": OFFICE_HOURS, "holidays": ["2026-12-25"]}
    )
    SlaPolicy.objects.get_or_create(
        name="Urgent, around the clock",
        defaults={
            "position": 1,
            "conditions": {"priority": ["urgent"]},
            "first_response_minutes": 30,
            "resolution_minutes": 240,
        },
    )
    SlaPolicy.objects.get_or_create(
        name="Billing, office hours",
        defaults={
            "position": 2,
            "conditions": {"teamId": [teams["Billing"].pk]},
            "first_response_minutes": 240,
            "resolution_minutes": 16 * 60,
            "calendar": calendar,
            "pause_on_waiting_customer": True,
        },
    )
    return _Staff(agents, teams)


def _json_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"
