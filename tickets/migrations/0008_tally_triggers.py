"""Triggers that keep the statistics' tallies exact, and the tallies of the tickets already there.

PostgreSQL only (on SQLite the statistics count the tickets). Statement-level triggers with
transition tables append one TicketTallyDelta row per bucket a statement changed, however
many tickets it wrote (a COPY of a million, a bulk update): each new row's share added,
each old row's taken away. Appending takes no lock another write waits for. A statement
that changes nothing the statistics read (a view count, a search document) nets to zero
and appends nothing.
"""

from django.db import migrations

TICKETS = "tickets_supportticket"
TALLY = "tickets_ticketdailytally"
DELTA = "tickets_tickettallydelta"
SUMS = ("tickets", "responded", "response_microseconds", "resolved", "resolution_minutes", "sla_finished", "sla_met")

# One ticket's share of its day's tally; must agree with tickets.statistics' count of rows.
SHARE = """
    SELECT (r.created_at AT TIME ZONE 'UTC')::date AS day, r.status, r.priority, r.category,
           {sign} AS tickets,
           {sign} * (r.first_response_at IS NOT NULL)::int AS responded,
           {sign} * coalesce(round(extract(epoch FROM r.first_response_at - r.created_at) * 1000000), 0)
               AS response_microseconds,
           {sign} * (r.resolved_at IS NOT NULL AND r.resolution_time_minutes IS NOT NULL)::int AS resolved,
           {sign} * CASE WHEN r.resolved_at IS NOT NULL THEN coalesce(r.resolution_time_minutes, 0) ELSE 0 END
               AS resolution_minutes,
           {sign} * (r.status IN ('resolved', 'closed') AND r.resolved_at IS NOT NULL)::int AS sla_finished,
           {sign} * (r.status IN ('resolved', 'closed') AND r.resolved_at IS NOT NULL
                     AND r.resolved_at <= r.resolution_deadline
                     AND coalesce(r.first_response_at, r.resolved_at) <= r.response_deadline)::int AS sla_met
    FROM {rows} r"""


def _grouped(*shares: str) -> str:
    """The shares summed per bucket, buckets whose sums are all zero left out."""
    return f"""
    SELECT day, status, priority, category, {", ".join(f"sum({name})" for name in SUMS)}
    FROM ({" UNION ALL ".join(shares)}) share
    GROUP BY day, status, priority, category
    HAVING {" OR ".join(f"sum({name}) <> 0" for name in SUMS)}"""


def _append(*shares: str) -> str:
    return f"INSERT INTO {DELTA} (day, status, priority, category, {', '.join(SUMS)}) {_grouped(*shares)}"


TRIGGERS = {
    "insert": ("REFERENCING NEW TABLE AS new_rows", _append(SHARE.format(sign=1, rows="new_rows"))),
    "update": (
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
        _append(SHARE.format(sign=1, rows="new_rows"), SHARE.format(sign=-1, rows="old_rows")),
    ),
    "delete": ("REFERENCING OLD TABLE AS old_rows", _append(SHARE.format(sign=-1, rows="old_rows"))),
}


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event, (referencing, body) in TRIGGERS.items():
        schema_editor.execute(
            f"CREATE FUNCTION tickets_tally_{event}() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN {body}; RETURN NULL; END $$"
        )
        schema_editor.execute(
            f"CREATE TRIGGER tickets_tally_{event} AFTER {event.upper()} ON {TICKETS} {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION tickets_tally_{event}()"
        )
    schema_editor.execute(
        f"CREATE FUNCTION tickets_tally_truncate() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN DELETE FROM {TALLY}; DELETE FROM {DELTA}; RETURN NULL; END $$"
    )
    schema_editor.execute(
        f"CREATE TRIGGER tickets_tally_truncate AFTER TRUNCATE ON {TICKETS} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION tickets_tally_truncate()"
    )
    # The tickets already there. Creating the triggers locked the table against writes
    # until this migration commits, so none is missed or counted twice.
    schema_editor.execute(f"DELETE FROM {TALLY}")
    schema_editor.execute(f"DELETE FROM {DELTA}")
    columns = f"day, status, priority, category, {', '.join(SUMS)}"
    schema_editor.execute(f"INSERT INTO {TALLY} ({columns}) {_grouped(SHARE.format(sign=1, rows=TICKETS))}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for event in (*TRIGGERS, "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS tickets_tally_{event} ON {TICKETS}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS tickets_tally_{event}()")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0007_daily_tallies")]
    operations = [migrations.RunPython(create, drop)]
