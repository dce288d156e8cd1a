"""The ticket domain's tables. Rows are written only by `tickets.services`."""

from typing import Any

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils import timezone

# The app's other tables live in modules of their own; importing them here registers them.
from .agents import Agent as Agent
from .agents import Team as Team
from .agents import TeamAssignment as TeamAssignment
from .agents import TeamMembership as TeamMembership
from .attachments import Attachment as Attachment
from .attachments import download_url as download_url
from .canned_responses import CannedResponse as CannedResponse
from .configuration import ConfigurationStamp as ConfigurationStamp
from .custom_fields import CustomField as CustomField
from .custom_fields import CustomFieldType as CustomFieldType
from .routing import RoutingRule as RoutingRule
from .sla_policies import BusinessCalendar as BusinessCalendar
from .sla_policies import SlaPolicy as SlaPolicy

TICKET_NUMBER_PREFIX = "FCT-"


class TicketStatus(models.TextChoices):
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    WAITING_CUSTOMER = "waiting_customer", "Waiting on customer"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


# Statuses in which the SLA clock no longer runs.
FINISHED_STATUSES = (TicketStatus.RESOLVED, TicketStatus.CLOSED)


class TicketPriority(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


# Severity order, used when sorting by priority (a plain sort on the code is alphabetical).
PRIORITY_RANK = {
    TicketPriority.LOW: 1,
    TicketPriority.MEDIUM: 2,
    TicketPriority.HIGH: 3,
    TicketPriority.URGENT: 4,
}


class TicketCategory(models.TextChoices):
    GENERAL = "general", "General"
    TECHNICAL = "technical", "Technical"
    BILLING = "billing", "Billing"
    ACCOUNT = "account", "Account"
    SECURITY = "security", "Security"
    FEATURE_REQUEST = "feature_request", "Feature request"
    OTHER = "other", "Other"


class TicketSource(models.TextChoices):
    """Where the ticket came from."""

    WEB = "web", "Web"
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    HELPSCOUT = "helpscout", "Help Scout"
    PHONE = "phone", "Phone"
    INTERNAL = "internal", "Internal"


class ChangeSource(models.TextChoices):
    """Where a change was made; integrations never echo a change back to its source."""

    API = "api", "API"
    DASHBOARD = "dashboard", "Dashboard"
    ADMIN = "admin", "Django admin"
    SLACK = "slack", "Slack"
    HELPSCOUT = "helpscout", "Help Scout"
    SYSTEM = "system", "System"


class CommentAuthorType(models.TextChoices):
    """Who wrote a comment, as the ticket page and the API tell them apart. The services
    take it from the way in, never from what a client asks: see docs/tickets.md."""

    CUSTOMER = "customer", "Customer"
    AGENT = "agent", "Agent"
    SYSTEM = "system", "System"
    INTEGRATION = "integration", "Integration"


class HelpScoutSyncStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SYNCED = "synced", "Synced"
    ERROR = "error", "Error"
    DELETED = "deleted", "Deleted"


# PostgreSQL hands out ticket numbers from this sequence (migration 0009).
TICKET_NUMBER_SEQUENCE = "tickets_ticket_number_seq"


class TicketNumberCounter(models.Model):
    """SQLite's ticket numbers: one row holding the last number handed out, incremented in
    the creating transaction (SQLite runs one writer at a time). PostgreSQL uses
    TICKET_NUMBER_SEQUENCE instead, which never makes concurrent creations wait."""

    last_number = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Last ticket number: {self.last_number}"


class NextTicketNumber(models.Func):
    """A new ticket's number as its INSERT's column default, on PostgreSQL the sequence's
    next value: the INSERT returns it, one statement fewer than asking the sequence first.
    SQLite creations always give the number (the counter row); there the default is NULL,
    never used."""

    output_field = models.PositiveBigIntegerField()
    template = "NULL"

    def as_postgresql(self, compiler: Any, connection: Any, **extra_context: Any) -> Any:
        return self.as_sql(compiler, connection, template=f"nextval('{TICKET_NUMBER_SEQUENCE}')", **extra_context)


class SupportTicket(models.Model):
    number = models.PositiveBigIntegerField(unique=True, editable=False, db_default=NextTicketNumber())
    subject = models.CharField(max_length=200)
    description = models.TextField()
    status = models.CharField(max_length=20, choices=TicketStatus.choices, default=TicketStatus.OPEN)
    priority = models.CharField(max_length=10, choices=TicketPriority.choices, default=TicketPriority.MEDIUM)
    # Denormalised severity (1 = low .. 4 = urgent) so "sort by priority" can use an index.
    priority_rank = models.PositiveSmallIntegerField(default=PRIORITY_RANK[TicketPriority.MEDIUM])
    category = models.CharField(max_length=20, choices=TicketCategory.choices, default=TicketCategory.GENERAL)
    source = models.CharField(max_length=20, choices=TicketSource.choices, default=TicketSource.WEB)

    customer_name = models.CharField(max_length=100, blank=True)
    customer_email = models.EmailField()
    customer_user_id = models.CharField(max_length=64, blank=True)
    # What the API shows as `assignedTo`: the agent's display name when `assignee` is set,
    # else a free string ("John Doe", "Support Team") as people and integrations write it;
    # empty means unassigned.
    assigned_to = models.CharField(max_length=100, blank=True)
    assignee = models.ForeignKey(Agent, on_delete=models.SET_NULL, null=True, blank=True, db_index=False)
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, db_index=False)
    tags = models.JSONField(default=list, blank=True)
    # Values of custom fields, {key: value} (models/custom_fields.py). A database default, so
    # adding it changes no row and bulk loads (seed_tickets) need not name it. Its GIN index
    # (jsonb_path_ops, for the list's containment filter) is made by a PostgreSQL-only step.
    custom_fields = models.JSONField(default=dict, blank=True, db_default=models.Value({}, models.JSONField()))

    # Where the ticket lives in each integration, as the API shows it. Not indexed: each
    # integration finds its tickets through a table of its own (integrations.models), so
    # that recording a link leaves the ticket's indexes alone.
    helpscout_conversation_id = models.CharField(max_length=32, null=True, blank=True)  # noqa: DJ001
    helpscout_last_sync_at = models.DateTimeField(null=True, blank=True)
    helpscout_sync_status = models.CharField(max_length=10, choices=HelpScoutSyncStatus.choices, blank=True)
    slack_channel_id = models.CharField(max_length=32, blank=True)
    slack_message_ts = models.CharField(max_length=32, blank=True)
    slack_thread_id = models.CharField(max_length=32, blank=True)
    slack_last_sync_at = models.DateTimeField(null=True, blank=True)
    slack_is_archived = models.BooleanField(default=False)

    # The SLA policy the ticket's deadlines follow; NULL: the settings' targets, 24/7.
    sla_policy = models.ForeignKey(SlaPolicy, on_delete=models.SET_NULL, null=True, blank=True, db_index=False)
    response_target_minutes = models.PositiveIntegerField()
    # NULL while the clock is paused (waiting on the customer, under a policy that pauses).
    response_deadline = models.DateTimeField(null=True, blank=True)
    resolution_deadline = models.DateTimeField(null=True, blank=True)

    first_response_at = models.DateTimeField(null=True, blank=True)
    # When each SLA breach was announced (ticket-overdue), so it is announced once.
    response_breach_notified_at = models.DateTimeField(null=True, blank=True)
    resolution_breach_notified_at = models.DateTimeField(null=True, blank=True)
    # When SLA_WARNING_PERCENT of each target has run on the ticket's clock (set with the
    # deadlines, NULL while paused), and when that warning was announced (ticket-sla-warning).
    response_warning_at = models.DateTimeField(null=True, blank=True)
    resolution_warning_at = models.DateTimeField(null=True, blank=True)
    response_warning_notified_at = models.DateTimeField(null=True, blank=True)
    resolution_warning_notified_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(default=timezone.now)
    total_comments = models.PositiveIntegerField(default=0)
    view_count = models.PositiveIntegerField(default=0)

    resolved_by = models.CharField(max_length=150, blank=True)
    resolution_note = models.TextField(blank=True)
    resolution_time_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    # The first response's and the resolution's time in whole business minutes of the
    # ticket's SLA clock (its policy's calendar, less pauses), written by the services when
    # they set first_response_at and resolved_at, so the statistics per agent and team sum
    # a column. NULL for tickets from before the column (and bulk loads): the statistics
    # count them in wall-clock minutes.
    response_business_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_business_minutes = models.PositiveIntegerField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # What a writer saw (the API's ETag, a Slack button's value), counted up by each change
    # of the ticket's fields; see tickets/versions.py. A database default, so that adding it
    # to a large table changes no row and bulk loads (seed_tickets) need not name it.
    version = models.IntegerField(db_default=1, editable=False)

    # PostgreSQL full-text document: subject, description, customer and comment bodies.
    # Kept current by the services; unused (NULL) on SQLite. Its GIN index is created by
    # a PostgreSQL-only migration.
    search_vector = SearchVectorField(null=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="ticket_created_idx"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
            models.Index(fields=["status", "priority", "-created_at"], name="ticket_status_prio_idx"),
            models.Index(fields=["-priority_rank", "-created_at"], name="ticket_prio_rank_idx"),
            models.Index(fields=["assigned_to", "-created_at"], name="ticket_assignee_idx"),
            models.Index(fields=["category", "-created_at"], name="ticket_category_idx"),
            models.Index(fields=["source", "-created_at"], name="ticket_source_idx"),
            models.Index(fields=["customer_email"], name="ticket_customer_email_idx"),
            models.Index(fields=["resolution_deadline"], name="ticket_resolution_dl_idx"),
            # The overdue rule (tickets.sla.overdue_q) over tickets still being worked on, a
            # small share of a helpdesk's history; it holds every column the rule and the
            # statistics' date range read, so counting the overdue never touches the table.
            models.Index(
                fields=["resolution_deadline"],
                include=["first_response_at", "response_deadline", "created_at"],
                condition=~models.Q(status__in=["resolved", "closed"]),
                name="ticket_active_deadlines_idx",
            ),
            models.Index(fields=["resolved_at"], name="ticket_resolved_at_idx"),
            # The statistics per agent and team (tickets/statistics_groups.py): every column
            # they read, so their GROUP BY over a date range is an index-only scan of ~110 MB
            # at a million tickets instead of a scan of the table's gigabytes.
            models.Index(
                fields=["created_at"],
                include=[
                    "id",
                    "assignee",
                    "team",
                    "status",
                    "first_response_at",
                    "resolved_at",
                    "response_deadline",
                    "resolution_deadline",
                    "resolution_time_minutes",
                    "response_business_minutes",
                    "resolution_business_minutes",
                ],
                name="ticket_statistics_idx",
            ),
            models.Index(fields=["assignee", "-created_at"], name="ticket_assignee_id_idx"),
            models.Index(fields=["team", "-created_at"], name="ticket_team_idx"),
            # An agent's open tickets, counted for capacity and "least loaded".
            models.Index(
                fields=["assignee"],
                condition=models.Q(assignee__isnull=False) & ~models.Q(status__in=["resolved", "closed"]),
                name="ticket_assignee_open_idx",
            ),
            # The minutely SLA warning check (tickets/sla_warnings.py): only the warnings still
            # to give, each target's its own index, so the check never scans the tickets.
            models.Index(
                fields=["response_warning_at"],
                condition=models.Q(
                    response_warning_at__isnull=False,
                    response_warning_notified_at__isnull=True,
                    first_response_at__isnull=True,
                )
                & ~models.Q(status__in=["resolved", "closed"]),
                name="ticket_response_warning_idx",
            ),
            models.Index(
                fields=["resolution_warning_at"],
                condition=models.Q(resolution_warning_at__isnull=False, resolution_warning_notified_at__isnull=True)
                & ~models.Q(status__in=["resolved", "closed"]),
                name="ticket_resolution_warning_idx",
            ),
            # A team's queue: its unassigned open tickets, most urgent deadline first.
            models.Index(
                fields=["team", "resolution_deadline"],
                condition=models.Q(assignee__isnull=True) & ~models.Q(status__in=["resolved", "closed"]),
                name="ticket_team_queue_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_number} {self.subject}"

    @property
    def ticket_number(self) -> str:
        return format_ticket_number(self.number)


def format_ticket_number(number: int) -> str:
    return f"{TICKET_NUMBER_PREFIX}{number:06d}"


class TicketComment(models.Model):
    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField()
    is_internal = models.BooleanField(default=False)
    author = models.CharField(max_length=150)
    # No default: each way in says who the author is (services.comment_add).
    author_type = models.CharField(max_length=12, choices=CommentAuthorType.choices)
    source = models.CharField(max_length=20, choices=ChangeSource.choices)
    # The comment's id where it came from (Help Scout thread id, Slack message ts): the
    # same comment delivered twice is stored once.
    external_id = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="comment_ticket_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"], condition=~models.Q(external_id=""), name="comment_external_unique"
            )
        ]

    def __str__(self) -> str:
        return f"Comment {self.pk} on ticket {self.ticket_id}"


class TicketAction(models.TextChoices):
    CREATED = "created", "Created"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNED = "assigned", "Assigned"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    CATEGORY_CHANGED = "category_changed", "Category changed"
    TAGS_CHANGED = "tags_changed", "Tags changed"
    COMMENTED = "commented", "Commented"
    UPDATED = "updated", "Updated"
    SYNCED = "synced", "Synced"


class TicketEvent(models.Model):
    """Append-only audit trail: one row per change, written in the change's transaction."""

    ticket = models.ForeignKey(SupportTicket, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20, choices=TicketAction.choices)
    field = models.CharField(max_length=40, blank=True)
    # NULL means "no value" (unassigned, no tags), which the API shows as null.
    old_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    new_value = models.TextField(null=True, blank=True)  # noqa: DJ001
    actor = models.CharField(max_length=150)
    source = models.CharField(max_length=20, choices=ChangeSource.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at", "id"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.action} on ticket {self.ticket_id}"


class TallyFigures(models.Model):
    """What the statistics add up, for one UTC creation day and (status, priority, category)."""

    day = models.DateField()
    status = models.CharField(max_length=20, choices=TicketStatus.choices)
    priority = models.CharField(max_length=10, choices=TicketPriority.choices)
    category = models.CharField(max_length=20, choices=TicketCategory.choices)
    tickets = models.BigIntegerField(default=0)
    # With a first response, and the sum of (first response - creation) in microseconds.
    responded = models.BigIntegerField(default=0)
    response_microseconds = models.BigIntegerField(default=0)
    # With a resolution time, and the sum of those times in minutes.
    resolved = models.BigIntegerField(default=0)
    resolution_minutes = models.BigIntegerField(default=0)
    # Resolved or closed with a resolution, and of those, the ones that met both SLA targets.
    sla_finished = models.BigIntegerField(default=0)
    sla_met = models.BigIntegerField(default=0)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.day} {self.status}/{self.priority}/{self.category}: {self.tickets}"


class TicketDailyTally(TallyFigures):
    """The statistics' figures per day and bucket, so a report at a million tickets reads a
    few thousand rows instead of every ticket. PostgreSQL only (on SQLite the statistics
    count the tickets): triggers on the tickets table append each write's change to
    TicketTallyDelta, and `tickets.statistics.tallies_compact` (every minute) folds those
    in here. Figures are the sum of both, so they are exact at every moment."""

    pk = models.CompositePrimaryKey("day", "status", "priority", "category")


class TicketTallyDelta(TallyFigures):
    """A ticket write's change to the tallies, appended in its own transaction. Appending,
    rather than updating a day's row, lets concurrent writes never wait for each other."""
