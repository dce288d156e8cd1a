"""Properties of what parses or writes user text: the list's search and filters, ticket
numbers, CSV export cells and the Authorization header, for any text."""

import csv
import io

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tickets.export import _python_chunks, csv_chunks, neutralize
from tickets.filters import MAX_SEARCH_LENGTH
from tickets.search import ticket_number_from_text
from tickets.selectors import ticket_list

from .api_helpers import URL, list_tickets
from .factories import make_ticket

pytestmark = pytest.mark.django_db

# Any text PostgreSQL can store: no NUL, no lone surrogate.
STORABLE = st.characters(codec="utf-8", exclude_characters="\x00")
TYPED = st.text(STORABLE, max_size=40) | st.sampled_from(
    ['"', "'", "\\", "%", "_", "&", "|", "!", ":*", "<->", "(", ")", "-", "=1+1", "\r\n", "\u202e", "FCT-"]
)
QUERY_TEXT = st.lists(TYPED, max_size=4).map(" ".join)


@pytest.fixture
def tickets(db):
    """Rows for the search to run over: on an empty table PostgreSQL may not parse it at all."""
    make_ticket(subject="Cannot withdraw", description="Pending since Monday")
    make_ticket(subject="FCT-000001 mentioned", customer_name="Zelda Quimby")


@given(search=QUERY_TEXT)
@example(search="!")  # websearch syntax that to_tsquery would refuse
@example(search='"unclosed')
@example(search="a <-> b & !c")
def test_any_search_text_answers_a_page(staff_client, tickets, search):
    response = list_tickets(staff_client, search=search[:MAX_SEARCH_LENGTH])
    assert response.status_code == 200, response.content
    assert response.json()["pagination"]["total"] == len(response.json()["results"])


@given(value=st.text(max_size=30), parameter=st.sampled_from(["search", "assignedTo", "tags", "status", "sortBy"]))
@example(value="\x00", parameter="assignedTo")
@example(value="100%", parameter="status")
def test_any_filter_value_answers_a_page_or_a_400_naming_it(staff_client, tickets, value, parameter):
    response = list_tickets(staff_client, **{parameter: value})
    assert response.status_code in (200, 400), response.content
    if response.status_code == 400:
        assert parameter in response.json()


@given(number=st.integers(min_value=1, max_value=10**12 - 1))
def test_a_ticket_number_is_read_however_it_is_written(number):
    for text in (f"FCT-{number:06d}", f"fct-{number}", str(number), f"  {number:08d} "):
        assert ticket_number_from_text(text) == number


def read_csv(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode())))


@given(
    subject=st.text(STORABLE, min_size=1, max_size=60).filter(str.strip),
    name=st.text(STORABLE, max_size=40),
    description=st.text(STORABLE, min_size=1, max_size=200),
    tags=st.lists(st.text(STORABLE, max_size=12), max_size=3),
)
@example(subject="=HYPERLINK(1)", name="@me", description='-1, "quoted"\r\nnext', tags=["+x"])
def test_export_cells_are_the_values_formula_safe_in_both_writers(subject, name, description, tags):
    ticket = make_ticket(subject=subject, customer_name=name, description=description, tags=tags)
    ticket.refresh_from_db()
    one = ticket_list().filter(pk=ticket.pk)

    [from_database] = read_csv(b"".join(csv_chunks(one)))
    [from_python] = read_csv(b"".join(_python_chunks(one)))

    assert from_database == from_python
    assert from_python["subject"] == neutralize(ticket.subject)
    assert from_python["customerName"] == neutralize(ticket.customer_name)
    assert from_python["description"] == neutralize(ticket.description)
    assert from_python["tags"] == neutralize(",".join(ticket.tags))


# Servers hand header values over decoded as Latin-1, so that is all a header can hold.
HEADER_TEXT = st.text(st.characters(max_codepoint=255, exclude_characters="\r\n"), max_size=120)


@given(header=HEADER_TEXT | st.builds("Bearer {}".format, HEADER_TEXT) | st.builds("Bearer a.{}.b".format, HEADER_TEXT))
def test_any_forged_authorization_header_is_a_401(anonymous_client, header):
    response = anonymous_client.get(URL, HTTP_AUTHORIZATION=header)
    assert response.status_code == 401, response.content
