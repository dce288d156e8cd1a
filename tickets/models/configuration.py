"""The stamp of the configuration every ticket creation reads: one row whose value changes
with every write to the routing rules, SLA policies, business calendars and custom field
definitions (by database trigger, migrations 0020 and 0021), so that each process keeps
them in memory and notices a change with one primary-key read
(tickets/configuration_cache.py)."""

from django.db import models


class ConfigurationStamp(models.Model):
    # A random value, never a counter: a write rolled back must not leave a value that a
    # later, different write sets again while a process still holds the first one's rows.
    stamp = models.CharField(max_length=36)

    def __str__(self) -> str:
        return self.stamp
