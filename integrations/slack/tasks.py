"""Slack's Celery tasks: the files of a thread reply, fetched after the webhook answered."""

from typing import Any

from celery import shared_task

from .files import FileFetchError, fetch_and_attach


@shared_task(
    ignore_result=True,
    autoretry_for=(FileFetchError,),
    retry_backoff=30,
    retry_kwargs={"max_retries": 5},
)
def slack_files_fetch(comment_id: int, files: list[dict[str, Any]]) -> int:
    return fetch_and_attach(comment_id, files)
