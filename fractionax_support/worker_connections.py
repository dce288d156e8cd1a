"""Database connections in Celery workers live across tasks, as in the web server across
requests.

Celery's Django fixup closes every connection before and after each task, and in a prefork
process it closes the psycopg pool as well (celery/celery#10554, open): with
DATABASE_POOL_SIZE set, as production runs, every task opened a new PostgreSQL session,
whose backend PostgreSQL forks. That was most of a delivery's cost (bench/RESULTS.md,
finding 36). The fixup is told to leave connections alone (a reuse count it never
reaches), and they are released around each task the way Django releases them around a
request: back to the pool, or closed when broken or older than CONN_MAX_AGE. The fixup
still closes what a prefork process inherits from its parent.
"""

from typing import Any

from celery import Celery
from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections

NEVER = 2**62


def keep_connections(app: Celery) -> None:
    app.conf.CELERY_DB_REUSE_MAX = NEVER
    task_prerun.connect(_release, weak=False)
    task_postrun.connect(_release, weak=False)


def _release(**_: Any) -> None:
    close_old_connections()
