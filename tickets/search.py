"""Ticket search: PostgreSQL full text with a GIN index, a plain LIKE fallback on SQLite.

The document is kept on the ticket (`search_vector`) so one index answers a query over
subject, customer, description and every comment body: a new ticket's INSERT computes it,
and the services append each comment's words as it is added.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value
from django.db.models.expressions import CombinedExpression, RawSQL
from django.db.models.functions import Coalesce

from .models import TICKET_NUMBER_PREFIX, SupportTicket, TicketComment

SEARCH_CONFIG = "english"
_TICKET_NUMBER = re.compile(rf"^(?:{TICKET_NUMBER_PREFIX})?0*([0-9]{{1,12}})$", re.IGNORECASE)


def _document(*, subject: str, customer: str, description: str, comments: str) -> str:
    """SQL for a search document, from SQL expressions of its parts."""
    return f"""
    setweight(to_tsvector('{SEARCH_CONFIG}', coalesce({subject}, '')), 'A')
    || setweight(to_tsvector('{SEARCH_CONFIG}', {customer}), 'A')
    || setweight(to_tsvector('{SEARCH_CONFIG}', coalesce({description}, '')), 'B')
    || setweight(to_tsvector('{SEARCH_CONFIG}', coalesce({comments}, '')), 'C')"""


def document_sql(comments_text: str) -> str:
    """SQL for a ticket row's search document, given an SQL expression of its comments' text."""
    return _document(
        subject="subject",
        customer="coalesce(customer_name, '') || ' ' || customer_email",
        description="description",
        comments=comments_text,
    )


def new_ticket_document(*, subject: str, customer_name: str, customer_email: str, description: str) -> RawSQL:
    """A new ticket's document (no comments yet) for its INSERT: `document_sql`'s, given the
    values. Three parameters where SearchVector took twelve: the INSERT stays under psycopg's
    50 for a statement whose parsing it caches (bench/RESULTS.md, finding 43)."""
    sql = _document(subject="%s", customer="%s", description="%s", comments="NULL")
    values = [subject, f"{customer_name} {customer_email}", description]
    return RawSQL(sql, values, output_field=SearchVectorField())  # noqa: S611 (values are parameters)


def uses_full_text() -> bool:
    return connection.vendor == "postgresql"


def search_document_build(ticket_id: int) -> None:
    """(Re)build a ticket's document from its own fields and all its comments."""
    if not uses_full_text():
        return
    table, comments = SupportTicket._meta.db_table, TicketComment._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""UPDATE {table} SET search_vector =
                {document_sql(f"(SELECT string_agg(body, ' ') FROM {comments} WHERE ticket_id = %s)")}
                WHERE id = %s""",
            [ticket_id, ticket_id],
        )


def document_with_comment(text: str) -> CombinedExpression | None:
    """The ticket's document with a new comment's words added, for the comment's own UPDATE
    of the ticket (one statement, not a second one for the document); None without full
    text search."""
    if not uses_full_text():
        return None
    document = Coalesce(F("search_vector"), Value("", output_field=SearchVectorField()))
    words = SearchVector(Value(text), config=SEARCH_CONFIG, weight="C")
    return CombinedExpression(document, "||", words, output_field=SearchVectorField())


def ticket_number_from_text(text: str) -> int | None:
    """`FCT-000042`, `fct-42` or `42` name ticket 42."""
    match = _TICKET_NUMBER.match(text.strip())
    return int(match.group(1)) if match else None


def search_filter(queryset: QuerySet[SupportTicket], text: str) -> QuerySet[SupportTicket]:
    text = text.strip()
    if not text:
        return queryset
    number = ticket_number_from_text(text)
    by_number = Q(number=number) if number is not None else Q(pk__in=[])
    if uses_full_text():
        query = SearchQuery(text, config=SEARCH_CONFIG, search_type="websearch")
        return queryset.filter(Q(search_vector=query) | by_number)
    comment_match = TicketComment.objects.filter(ticket=OuterRef("pk"), body__icontains=text)
    return queryset.filter(
        Q(subject__icontains=text)
        | Q(description__icontains=text)
        | Q(customer_name__icontains=text)
        | Q(customer_email__icontains=text)
        | Exists(comment_match)
        | by_number
    )
