"""The list's filter set, built per request from filters and fields it copies only shallowly."""

import pytest

from tickets import services
from tickets.filters import TicketFilter
from tickets.tests.factories import TEST_ACTOR, make_ticket


def test_each_filter_set_has_filters_of_its_own_bound_to_it():
    first, second = TicketFilter({}), TicketFilter({})

    for name, filter_ in first.filters.items():
        assert filter_ is not second.filters[name]
        assert filter_.parent is first
        if filter_.method is not None:
            assert filter_.filter.f is filter_  # its method is looked up on `first`


def test_making_filter_sets_leaves_the_class_filters_unbound():
    TicketFilter({"status": "open"}).is_valid()

    assert not any(hasattr(filter_, "parent") for filter_ in TicketFilter.base_filters.values())


@pytest.mark.django_db
def test_filter_sets_in_flight_together_each_judge_their_own_parameters():
    open_ticket, resolved = make_ticket(), make_ticket()
    services.ticket_change_status(ticket_id=resolved.pk, status="resolved", actor=TEST_ACTOR)
    invalid, valid = TicketFilter({"status": "bogus"}), TicketFilter({"status": "open"})

    assert not invalid.is_valid()
    assert valid.is_valid()
    assert list(valid.qs) == [open_ticket]
    assert list(invalid.errors) == ["status"]
