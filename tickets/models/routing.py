"""Routing rules: what a new ticket's team, assignee, priority, category and tags become,
decided by what it says and where it came from (tickets/routing.py reads and writes them)."""

from django.db import models


class RoutingRule(models.Model):
    name = models.CharField(max_length=100, unique=True)  # the audit trail's actor for its changes
    # Rules apply in this order (then by id): where two set the same field, the later wins.
    position = models.IntegerField(default=0)
    active = models.BooleanField(default=True)
    # Normalised by tickets.routing: {"category": [...], "priority": [...], "source": [...],
    # "keywords": [...], "customerEmailDomain": [...]}, each key optional.
    conditions = models.JSONField(default=dict, blank=True)
    # {"teamId": 1, "assigneeId": 2, "priority": "high", "category": "billing", "addTags": [...]}.
    actions = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            # The active rules, in order: read by each process after every change to the rules.
            models.Index(fields=["position", "id"], condition=models.Q(active=True), name="routing_rule_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name
