import pytest

from integrations.helpscout.mapping import status_from_helpscout, status_to_helpscout


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("open", "active"),
        ("in_progress", "active"),
        ("waiting_customer", "pending"),
        ("resolved", "closed"),
        ("closed", "closed"),
    ],
)
def test_outbound(status, expected):
    assert status_to_helpscout(status) == expected


@pytest.mark.parametrize(
    ("helpscout", "current", "expected"),
    [
        ("active", "open", "open"),
        ("active", "in_progress", "in_progress"),  # stays
        ("active", "waiting_customer", "open"),
        ("active", "closed", "open"),
        ("pending", "in_progress", "waiting_customer"),
        ("closed", "open", "resolved"),
        ("closed", "closed", "closed"),  # stays
        ("spam", "open", "closed"),
        ("spam", "resolved", "closed"),
        ("open", "open", None),  # unknown to us: nothing to change
    ],
)
def test_inbound(helpscout, current, expected):
    assert status_from_helpscout(helpscout, current) == expected
