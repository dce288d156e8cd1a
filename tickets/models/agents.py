"""Who works the tickets: agents (staff users with a profile) and the teams they form.

An agent's open tickets are counted from the tickets table (a partial index over the
unfinished ones, per assignee), never stored: a count kept beside the tickets would have
to follow every write, including bulk loads and the admin.
"""

from functools import cached_property

from django.conf import settings
from django.db import models


class Agent(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent")
    # What `assignedTo` shows for the agent's tickets; unique, so the name says who it is.
    display_name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(blank=True)
    # How Slack and Help Scout name the agent, so assignments there find them here.
    slack_user_id = models.CharField(max_length=32, blank=True)
    helpscout_user_id = models.CharField(max_length=32, blank=True)
    # "Away" agents get no tickets from routing.
    available = models.BooleanField(default=True)
    # The most open tickets routing gives them at once; NULL: no limit.
    capacity = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["slack_user_id"], condition=~models.Q(slack_user_id=""), name="agent_slack_user_unique"
            ),
            models.UniqueConstraint(
                fields=["helpscout_user_id"],
                condition=~models.Q(helpscout_user_id=""),
                name="agent_helpscout_user_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name


class TeamAssignment(models.TextChoices):
    """How a team's new tickets find an agent."""

    MANUAL = "manual", "Manual"
    ROUND_ROBIN = "round_robin", "Round robin"
    LEAST_LOADED = "least_loaded", "Least loaded"


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    assignment = models.CharField(max_length=20, choices=TeamAssignment.choices, default=TeamAssignment.MANUAL)
    members = models.ManyToManyField(Agent, through="TeamMembership", related_name="teams", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @cached_property
    def member_ids(self) -> frozenset[int]:
        """Its agents' ids, read once per object: a bulk change moves many tickets with one."""
        return frozenset(self.memberships.values_list("agent_id", flat=True))


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    agent = models.ForeignKey(Agent, on_delete=models.CASCADE, related_name="memberships")
    # Round robin's turn: the member whose last ticket from this team is oldest goes next.
    last_assigned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "agent"], name="team_membership_unique")]

    def __str__(self) -> str:
        return f"{self.agent} in {self.team}"
