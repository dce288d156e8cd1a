"""Placeholders in canned responses: `{{ customer.first_name }}` and the others below,
filled in for one ticket and the user who sends the reply.

Filling in is a lookup in a fixed table of names, never a template engine: the text a
person wrote is not evaluated, no attribute beyond these names can be reached, and a
value put in is not read again for placeholders. A name outside the table, or braces that
do not form one, is refused when the text is saved (`check`); `render` refuses them too,
so a reply never goes out with a blank or a raw "{{". Every name has a fallback, so none
renders empty. Single braces are plain text; a literal "{{" or "}}" cannot be written.
"""

import re
from dataclasses import dataclass
from typing import Any

from .actors import display_name
from .exceptions import TicketError
from .models import SupportTicket

# Each name, with what it becomes (shown in the admin and the docs).
PLACEHOLDERS: dict[str, str] = {
    "customer.name": "The customer's name; their e-mail address without one.",
    "customer.first_name": 'The first word of the customer\'s name; "there" without one ("Hi there,").',
    "customer.email": 'The customer\'s e-mail address; "your e-mail address" without one.',
    "ticket.number": "The ticket's number, such as FCT-000042.",
    "ticket.subject": 'The ticket\'s subject; "your request" without one.',
    "agent.display_name": "The sender's agent name; for staff who are no agent, their full name or username.",
    "agent.first_name": "The sender's first name; without one, the first word of agent.display_name.",
}

# "{{", anything but another opening, "}}": the first "}}" closes it.
_TOKEN = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"\s*([\w.]+)\s*")
_SHOWN = 40  # characters of a bad placeholder quoted in the error


@dataclass(frozen=True)
class Sender:
    """Who sends the reply, as the agent placeholders name them."""

    display_name: str
    first_name: str

    @classmethod
    def of(cls, user: Any) -> "Sender":
        agent = getattr(user, "agent", None)
        name = agent.display_name if agent is not None else display_name(user)
        return cls(display_name=name, first_name=(getattr(user, "first_name", "") or "").strip() or _first_word(name))


def _first_word(text: str) -> str:
    words = text.split()
    return words[0] if words else ""


def values(ticket: SupportTicket, sender: Sender) -> dict[str, str]:
    """Each placeholder's text for this ticket and sender, none of them empty."""
    name, email = ticket.customer_name.strip(), ticket.customer_email.strip()
    return {
        "customer.name": name or email or "customer",
        "customer.first_name": _first_word(name) or "there",
        "customer.email": email or "your e-mail address",
        "ticket.number": ticket.ticket_number,
        "ticket.subject": ticket.subject.strip() or "your request",
        "agent.display_name": sender.display_name or "Support",
        "agent.first_name": sender.first_name or sender.display_name or "Support",
    }


def _quoted(text: str) -> str:
    return f'"{text}"' if len(text) <= _SHOWN else f'"{text[: _SHOWN - 1]}…"'


def _refused(field: str, message: str) -> TicketError:
    known = ", ".join(f"{{{{ {name} }}}}" for name in PLACEHOLDERS)
    return TicketError(field, f"{message} Placeholders are written as {{{{ customer.first_name }}}}; known: {known}.")


def _stray_brace(field: str, text: str) -> None:
    if "{{" in text:
        start = text.index("{{")
        raise _refused(field, f'The "{{{{" before {_quoted(text[start + 2 :].strip())} is never closed with "}}}}".')
    if "}}" in text:
        end = text.index("}}")
        raise _refused(field, f'The "}}}}" after {_quoted(text[:end].strip())} closes no placeholder.')


def check(text: str, *, field: str = "body") -> list[str]:
    """The placeholder names in `text`, in order; a TicketError naming `field` and the first
    placeholder that is unknown or malformed."""
    names, position = [], 0
    for match in _TOKEN.finditer(text):
        _stray_brace(field, text[position : match.start()])
        inner = match.group(1)
        if "{{" in inner:  # "{{ a {{ b }}": the first one is never closed
            before = inner[: inner.index("{{")].strip()
            raise _refused(field, f'The "{{{{" before {_quoted(before)} is never closed with "}}}}".')
        name = _NAME.fullmatch(inner)
        if name is None:
            raise _refused(field, f"{_quoted(match.group(0))} is not a placeholder.")
        if name[1] not in PLACEHOLDERS:
            raise _refused(field, f"Unknown placeholder {_quoted(match.group(0))}.")
        names.append(name[1])
        position = match.end()
    _stray_brace(field, text[position:])
    return names


def render(text: str, ticket: SupportTicket, sender: Sender) -> str:
    """`text` with each placeholder replaced by its value (refused as `check` does)."""
    check(text)
    table = values(ticket, sender)
    return _TOKEN.sub(lambda match: table[match.group(1).strip()], text)
