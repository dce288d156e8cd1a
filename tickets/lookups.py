"""Rows a change names by id: found, or refused with a TicketError naming the field, in
the same words wherever they are named (services, agents, SLA policies)."""

from collections.abc import Iterable
from typing import TypeVar, overload

from django.db.models import Model

from .exceptions import TicketError

M = TypeVar("M", bound=Model)


def not_found(field: str, noun: str, ids: Iterable[int]) -> TicketError:
    """The refusal "No <noun> with id 3, 7.", naming `field`."""
    return TicketError(field, f"No {noun} with id {', '.join(map(str, sorted(ids)))}.")


def refuse_unknown(field: str, noun: str, wanted: Iterable[int], found: Iterable[int]) -> None:
    """Refuses the wanted ids not among those found."""
    if unknown := set(wanted) - set(found):
        raise not_found(field, noun, unknown)


@overload
def row_or_refuse(model: type[M], row_id: int, *, field: str, noun: str) -> M: ...
@overload
def row_or_refuse(model: type[M], row_id: int | None, *, field: str, noun: str) -> M | None: ...


def row_or_refuse(model: type[M], row_id: int | None, *, field: str, noun: str) -> M | None:
    """The row with this id (None for no id), or a refusal naming `field`."""
    if row_id is None:
        return None
    row = model._default_manager.filter(pk=row_id).first()
    if row is None:
        raise not_found(field, noun, [row_id])
    return row
