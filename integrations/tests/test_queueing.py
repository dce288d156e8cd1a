"""The delivery code queues tasks by name: the names must be the tasks' own."""

from fractionax_support.celery import app
from integrations import queueing, tasks


def test_queued_task_names_are_registered_tasks():
    assert tasks.outbox_deliver.name == queueing.DELIVER
    assert tasks.outbox_deliver_each.name == queueing.DELIVER_EACH
    assert {queueing.DELIVER, queueing.DELIVER_EACH} <= set(app.tasks)
