"""The ticket's rendering (plain Python, for speed) and its declared fields (the OpenAPI
schema's source) describe the same shape with the same values."""

import zoneinfo
from datetime import datetime
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import example, given
from hypothesis import strategies as st
from rest_framework import serializers

from tickets import services
from tickets.api.serializers import TicketDetailSerializer, TicketSerializer
from tickets.models import SupportTicket
from tickets.representation import TICKET_COLUMNS, iso_time
from tickets.selectors import ticket_find, ticket_rows

from .attachment_helpers import PNG, attachment_dir, incoming
from .factories import TEST_ACTOR, make_ticket

__all__ = ["attachment_dir"]

pytestmark = pytest.mark.django_db


def declared(serializer: serializers.BaseSerializer) -> Any:
    """The keys a serializer's fields declare, nested; None at the leaves."""
    if isinstance(serializer, serializers.ListSerializer):
        return [declared(serializer.child)]
    return {
        name: declared(field) if isinstance(field, serializers.BaseSerializer) else None
        for name, field in serializer.fields.items()
    }


# Objects whose keys are data, not shape: a leaf, as their DictField declares.
FREE_FORM = {"customFields"}


def shape(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: None if key in FREE_FORM else shape(value) for key, value in data.items()}
    if isinstance(data, list) and data and isinstance(data[0], dict):
        return [shape(data[0])]
    return None


def field_by_field(serializer_class: type[serializers.Serializer], ticket: SupportTicket, now: Any) -> Any:
    """DRF's own rendering from the declared fields, bypassing the fast one."""
    serializer = serializer_class(context={"now": now})

    def render(current: serializers.Serializer, instance: Any) -> dict[str, Any]:
        out = {}
        for name, field in current.fields.items():
            value = field.get_attribute(instance)
            if isinstance(field, serializers.ListSerializer):
                items = value.all() if hasattr(value, "all") else value
                out[name] = [render(field.child, item) for item in items]
            elif isinstance(field, serializers.Serializer):
                out[name] = render(field, value)
            else:
                out[name] = None if value is None else field.to_representation(value)
        return out

    return render(serializer, ticket)


@pytest.fixture
def full_ticket(attachment_dir) -> SupportTicket:
    """Every field set, so no empty value is rendered as null."""
    ticket = make_ticket(
        customer_user_id="u-1",
        assigned_to="Blair Agent",
        tags=["vip"],
        priority="high",
        files=[incoming("error.png", PNG, "image/png")],
    )
    services.comment_add(
        ticket_id=ticket.pk,
        body="On it",
        is_internal=False,
        author="Blair",
        actor=TEST_ACTOR,
        files=[incoming("steps.txt")],
    )
    services.ticket_change_status(ticket_id=ticket.pk, status="resolved", resolution_note="Done", actor=TEST_ACTOR)
    services.ticket_record_sync(
        ticket_id=ticket.pk,
        actor=TEST_ACTOR,
        helpscout_conversation_id="123",
        helpscout_last_sync_at=timezone.now(),
        helpscout_sync_status="synced",
        slack_channel_id="C1",
        slack_message_ts="1.2",
        slack_thread_id="1.2",
        slack_last_sync_at=timezone.now(),
    )
    return ticket_find(str(ticket.pk))


def test_the_rendering_has_exactly_the_declared_keys(full_ticket):
    assert shape(TicketSerializer(full_ticket).data) == declared(TicketSerializer())
    assert shape(TicketDetailSerializer(full_ticket).data) == declared(TicketDetailSerializer())


@pytest.mark.parametrize("serializer_class", [TicketSerializer, TicketDetailSerializer])
def test_the_rendering_has_the_values_drf_would_render(full_ticket, serializer_class):
    now = timezone.now()
    fast = serializer_class(full_ticket, context={"now": now}).data
    assert fast == field_by_field(serializer_class, full_ticket, now)


def test_empty_links_and_names_render_as_null():
    data = TicketSerializer(make_ticket()).data
    assert data["assignedTo"] is None
    assert data["customerUserId"] is None
    assert data["integration"]["slack"] == {
        "threadId": None,
        "channelId": None,
        "messageTs": None,
        "lastSyncAt": None,
        "isArchived": False,
    }
    assert data["integration"]["helpScout"]["syncStatus"] is None
    assert set(data["resolution"].values()) == {None}


def test_a_list_row_renders_as_its_ticket(full_ticket):
    """The list renders rows of TICKET_COLUMNS, not model instances: the same JSON."""
    make_ticket()  # a second ticket, with every optional field empty
    now = timezone.now()
    rows = list(ticket_rows(TICKET_COLUMNS).order_by("id"))
    tickets = list(SupportTicket.objects.order_by("id"))

    assert TicketSerializer(rows, many=True, context={"now": now}).data == (
        TicketSerializer(tickets, many=True, context={"now": now}).data
    )


UTC_ZONE = timezone.get_fixed_timezone(0)


@given(moment=st.datetimes(timezones=st.timezones()), zone=st.timezones())
@example(moment=datetime(1900, 1, 1, 12, tzinfo=UTC_ZONE), zone=zoneinfo.ZoneInfo("Asia/Kolkata"))  # +05:21:10 then
@example(moment=datetime(2026, 1, 1, 12, 0, 0, 1, tzinfo=UTC_ZONE), zone=UTC_ZONE)
def test_times_render_as_drfs_datetime_field_renders_them(moment, zone):
    """Including zones whose offsets were in seconds, before standard time."""
    with timezone.override(zone):
        assert iso_time(moment) == serializers.DateTimeField().to_representation(moment)
