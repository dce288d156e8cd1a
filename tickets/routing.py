"""Routing rules: which new tickets a rule takes (its conditions) and what it does to them
(its actions), and the only writer of the rules table.

`services.ticket_create` asks `matching_rules` for the active rules that match the ticket
as it was created (one query), and applies their actions in order as changes audited with
each rule's name. Every rule is matched against the ticket as created, never as an earlier
rule left it: whether a rule applies does not depend on the others, only which one wins a
field does (the later one).

Conditions, each optional, all of which must hold (no conditions: every ticket):
- category, priority, source: a code or a list of codes, any of them;
- keywords: words or phrases, any of which occurs in the subject or the description as
  whole words, in any case ("refund" is in "Refund please", not in "refunded");
- customerEmailDomain: a domain or a list, the customer's e-mail being at it or at one of
  its subdomains ("example.com" takes a@example.com and a@eu.example.com).
Lists are stored as lists, single values as one-item lists. Actions (at least one):
teamId, assigneeId, priority, category, addTags.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from . import configuration_cache
from .exceptions import TicketError
from .models import Agent, RoutingRule, SupportTicket, Team, TicketCategory, TicketPriority, TicketSource
from .tags import normalize_tags

MAX_NAME_LENGTH = RoutingRule._meta.get_field("name").max_length or 100
MAX_KEYWORDS = 100
MAX_KEYWORD_LENGTH = 100
MAX_DOMAINS = 100
MAX_DOMAIN_LENGTH = 253
# What an IntegerField holds.
MIN_POSITION, MAX_POSITION = -(2**31), 2**31 - 1

CONDITION_KEYS = ("category", "priority", "source", "keywords", "customerEmailDomain")
ACTION_KEYS = ("teamId", "assigneeId", "priority", "category", "addTags")

_DOMAIN = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*")


# --- Validation: what the API, the admin and the services accept ---


def _refused(path: str, message: str) -> TicketError:
    """An error keyed by the top field ("conditions"), its message naming the path."""
    return TicketError(path.split(".")[0], f"{path}: {message}")


def _text_list(path: str, value: Any, what: str) -> list[str]:
    """One string or a non-empty list of strings."""
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not all(isinstance(item, str) for item in values):
        raise _refused(path, f"must be {what} or a list of them.")
    if not values:
        raise _refused(path, "an empty list has nothing to match or add; leave the key out.")
    if any("\x00" in item for item in values):  # PostgreSQL's JSON holds no NUL character
        raise _refused(path, "may not contain NUL characters.")
    return values


def _codes(path: str, value: Any, choices: Any, noun: str) -> list[str]:
    codes = _text_list(path, value, f"a {noun} code")
    for code in codes:
        if code not in choices.values:
            raise _refused(path, f'"{code}" is not a {noun} (one of: {", ".join(choices.values)}).')
    return list(dict.fromkeys(codes))


def _keywords(value: Any) -> list[str]:
    path = "conditions.keywords"
    cleaned: dict[str, str] = {}  # case-folded -> as written, the first spelling kept
    for keyword in _text_list(path, value, "a word or phrase"):
        words = " ".join(keyword.split())
        if not words:
            raise _refused(path, "a keyword may not be blank.")
        if len(words) > MAX_KEYWORD_LENGTH:
            raise _refused(path, f"a keyword may have at most {MAX_KEYWORD_LENGTH} characters.")
        cleaned.setdefault(words.casefold(), words)
    if len(cleaned) > MAX_KEYWORDS:
        raise _refused(path, f"at most {MAX_KEYWORDS} keywords.")
    return list(cleaned.values())


def _domains(value: Any) -> list[str]:
    path = "conditions.customerEmailDomain"
    domains: dict[str, None] = {}
    for text in _text_list(path, value, "a domain"):
        domain = text.strip().lower().removeprefix("@").rstrip(".")
        if len(domain) > MAX_DOMAIN_LENGTH or not _DOMAIN.fullmatch(domain):
            raise _refused(path, f'"{text}" is not a domain (such as example.com).')
        domains[domain] = None
    if len(domains) > MAX_DOMAINS:
        raise _refused(path, f"at most {MAX_DOMAINS} domains.")
    return list(domains)


_CONDITIONS: dict[str, Callable[[Any], list[str]]] = {
    "category": lambda value: _codes("conditions.category", value, TicketCategory, "category"),
    "priority": lambda value: _codes("conditions.priority", value, TicketPriority, "priority"),
    "source": lambda value: _codes("conditions.source", value, TicketSource, "source"),
    "keywords": _keywords,
    "customerEmailDomain": _domains,
}


def known_keys(name: str, value: Any, known: tuple[str, ...]) -> dict[str, Any]:
    """The object's keys with a value; null is the same as leaving the key out."""
    if not isinstance(value, dict):
        raise TicketError(name, f"{name}: must be an object.")
    for key in value:
        if key not in known:
            raise TicketError(name, f'{name}: unknown key "{key}" (known: {", ".join(known)}).')
    return {key: item for key, item in value.items() if item is not None}


def clean_conditions(value: Any) -> dict[str, list[str]]:
    """The conditions, normalised (lists; whitespace, case and duplicates tidied)."""
    given = known_keys("conditions", value, CONDITION_KEYS)
    return {key: _CONDITIONS[key](given[key]) for key in CONDITION_KEYS if key in given}


# The actions' checks below are shared with canned responses' actions (tickets/canned_responses.py).


def existing_id(path: str, value: Any, model: type[Team] | type[Agent], noun: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise _refused(path, f"must be the id of a {noun}.")
    if not model.objects.filter(pk=value).exists():
        raise _refused(path, f"no {noun} with id {value}.")
    return value


def one_code(path: str, value: Any, choices: Any, noun: str) -> str:
    if not isinstance(value, str):
        raise _refused(path, f"must be a {noun} code.")
    if value not in choices.values:
        raise _refused(path, f'"{value}" is not a {noun} (one of: {", ".join(choices.values)}).')
    return value


def tag_list(path: str, value: Any) -> list[str]:
    """One tag or a non-empty list, normalised as a ticket's tags are."""
    try:
        return normalize_tags(_text_list(path, value, "a tag"))
    except TicketError as error:
        raise _refused(path, error.message) from None


def clean_actions(value: Any) -> dict[str, Any]:
    """The actions, normalised; the team and the agent they name must exist."""
    given = known_keys("actions", value, ACTION_KEYS)
    if not given:
        raise TicketError("actions", f"actions: a rule must do something: set one of {', '.join(ACTION_KEYS)}.")
    cleaners: dict[str, Callable[[Any], Any]] = {
        "teamId": lambda v: existing_id("actions.teamId", v, Team, "team"),
        "assigneeId": lambda v: existing_id("actions.assigneeId", v, Agent, "agent"),
        "priority": lambda v: one_code("actions.priority", v, TicketPriority, "priority"),
        "category": lambda v: one_code("actions.category", v, TicketCategory, "category"),
        "addTags": lambda v: tag_list("actions.addTags", v),
    }
    return {key: cleaners[key](given[key]) for key in ACTION_KEYS if key in given}


def clean_name(value: Any) -> str:
    name = " ".join(value.split()) if isinstance(value, str) else ""
    if not name:
        raise TicketError("name", "name: may not be blank.")
    if len(name) > MAX_NAME_LENGTH:
        raise TicketError("name", f"name: at most {MAX_NAME_LENGTH} characters.")
    return name


def clean_position(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not MIN_POSITION <= value <= MAX_POSITION:
        raise TicketError("position", f"position: must be a whole number from {MIN_POSITION} to {MAX_POSITION}.")
    return value


# --- Matching ---


def _keyword_pattern(keywords: list[str]) -> str:
    """Any of the phrases as whole words: no letter, digit or underscore right before or
    after, and any run of spaces between its words. `re` caches the compiled pattern."""
    phrases = (r"\s+".join(re.escape(word) for word in keyword.split()) for keyword in keywords)
    return r"(?<!\w)(?:" + "|".join(phrases) + r")(?!\w)"


def _at_domain(email: str, domains: list[str]) -> bool:
    if "@" not in email:
        return False
    domain = email.rpartition("@")[2].strip().lower().rstrip(".")
    return any(domain == wanted or domain.endswith("." + wanted) for wanted in domains)


def matches(conditions: dict[str, list[str]], ticket: SupportTicket) -> bool:
    """Whether every condition (normalised by clean_conditions) holds for the ticket."""
    for key, value in (("category", ticket.category), ("priority", ticket.priority), ("source", ticket.source)):
        if key in conditions and value not in conditions[key]:
            return False
    if "keywords" in conditions:
        pattern = _keyword_pattern(conditions["keywords"])
        if not any(re.search(pattern, text, re.IGNORECASE) for text in (ticket.subject, ticket.description)):
            return False
    return "customerEmailDomain" not in conditions or _at_domain(
        ticket.customer_email, conditions["customerEmailDomain"]
    )


def matching_rules(ticket: SupportTicket) -> list[RoutingRule]:
    """The active rules whose conditions hold for the ticket as it is now, in order. The
    process keeps the active rules while the configuration is unchanged
    (tickets/configuration_cache.py); they are shared, so read them, never change them."""
    active = configuration_cache.kept(
        "routing_rules", lambda: list(RoutingRule.objects.filter(active=True).order_by("position", "id"))
    )
    return [rule for rule in active if matches(rule.conditions, ticket)]


# --- Writes: the only writer of the rules table ---


def unique_name(name: str, *, rule_id: int | None = None) -> str:
    """The name, if no other rule has it in any case."""
    others = RoutingRule.objects.filter(name__iexact=name)
    if (others if rule_id is None else others.exclude(pk=rule_id)).exists():
        raise TicketError("name", f'name: a rule named "{name}" exists already.')
    return name


def _save(rule: RoutingRule) -> RoutingRule:
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # the same name, saved by someone else in the meantime
        raise TicketError("name", f'name: a rule named "{rule.name}" exists already.') from None
    return rule


@transaction.atomic
def routing_rule_create(
    *, name: str, conditions: Any, actions: Any, position: int | None = None, active: bool = True
) -> RoutingRule:
    """Without a position, the rule goes after the others."""
    rule = RoutingRule(
        name=unique_name(clean_name(name)),
        conditions=clean_conditions(conditions),
        actions=clean_actions(actions),
        active=bool(active),
    )
    if position is None:
        last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
        position = 1 if last is None else min(last + 1, MAX_POSITION)
    rule.position = clean_position(position)
    return _save(rule)


_UNSET: Any = object()


@transaction.atomic
def routing_rule_update(
    *,
    rule_id: int,
    name: Any = _UNSET,
    position: Any = _UNSET,
    active: Any = _UNSET,
    conditions: Any = _UNSET,
    actions: Any = _UNSET,
) -> RoutingRule:
    """Changes the fields given; conditions and actions are replaced whole. Raises
    RoutingRule.DoesNotExist for an unknown id."""
    rule = RoutingRule.objects.select_for_update().get(pk=rule_id)
    if name is not _UNSET:
        rule.name = unique_name(clean_name(name), rule_id=rule.pk)
    if position is not _UNSET:
        rule.position = clean_position(position)
    if active is not _UNSET:
        rule.active = bool(active)
    if conditions is not _UNSET:
        rule.conditions = clean_conditions(conditions)
    if actions is not _UNSET:
        rule.actions = clean_actions(actions)
    return _save(rule)


@transaction.atomic
def routing_rule_delete(*, rule_id: int) -> None:
    """Raises RoutingRule.DoesNotExist for an unknown id."""
    RoutingRule.objects.get(pk=rule_id).delete()
