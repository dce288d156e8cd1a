"""The stamp of the routing and SLA configuration: one row whose value changes with every
write to the routing rules, SLA policies and business calendars (by database trigger,
migration 0020), so that each process keeps them in memory and notices a change with one
primary-key read (tickets/configuration_cache.py)."""

from django.db import models


class ConfigurationStamp(models.Model):
    # A random value, never a counter: a write rolled back must not leave a value that a
    # later, different write sets again while a process still holds the first one's rows.
    stamp = models.CharField(max_length=36)

    def __str__(self) -> str:
        return self.stamp
