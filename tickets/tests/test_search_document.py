"""A ticket's search document, as its INSERT computes it and as comments extend it."""

import pytest
from django.db import connection

from tickets import search, services

from .factories import TEST_ACTOR, make_ticket

pytestmark = pytest.mark.django_db


def document(ticket_id: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM tickets_supportticket WHERE id = %s", [ticket_id])
        return cursor.fetchone()[0]


def test_a_new_tickets_document_is_the_one_a_rebuild_computes():
    assert connection.vendor == "postgresql", "full-text search is PostgreSQL's"
    ticket = make_ticket(
        subject="Zeppelin withdrawals", description="Stuck since Monday.", customer_name="", customer_email="a@b.io"
    )
    created = document(ticket.pk)
    search.search_document_build(ticket.pk)
    assert document(ticket.pk) == created
    assert "'zeppelin':1A" in created


def test_comments_extend_the_document_as_a_rebuild_would():
    ticket = make_ticket(subject="Card declined", description="At checkout.")
    services.comment_add(ticket_id=ticket.pk, body="Lighthouse bank", is_internal=True, author="A", actor=TEST_ACTOR)
    appended = document(ticket.pk)
    search.search_document_build(ticket.pk)
    assert document(ticket.pk) == appended


def test_search_indexes_take_writes_directly():
    """No pending list that every search would read through (migration 0011)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reloptions FROM pg_class WHERE relname IN ('ticket_search_gin', 'ticket_tags_gin')"
        )
        options = dict(cursor.fetchall())
    assert options == {"ticket_search_gin": ["fastupdate=off"], "ticket_tags_gin": ["fastupdate=off"]}
