"""Slack's text format: ours made inert, theirs made plain."""

import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from integrations.slack.blocks import root_message
from integrations.slack.mrkdwn import escape, escape_truncated, quote, to_plain
from tickets.tests.factories import make_ticket

from .slack_messages import shown


def test_escape_neutralises_mentions_and_links():
    assert escape("<!channel> & <@U123> <https://x.example|y>") == (
        "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://x.example|y&gt;"
    )


def test_escape_truncated_never_cuts_an_entity():
    assert escape_truncated("ab&", 5) == "ab…"
    assert escape_truncated("abcdef", 4) == "abc…"
    assert escape_truncated("a<b", 10) == "a&lt;b"


def test_quote_escapes_every_line():
    assert quote("one\n<two>", 100) == ">one\n>&lt;two&gt;"
    assert quote("", 100) == ">"


@pytest.mark.parametrize(
    ("slack_text", "plain"),
    [
        ("a &amp; b &lt;c&gt;", "a & b <c>"),
        ("&amp;lt;", "&lt;"),
        ("ask <@U0ALEX>", "ask @U0ALEX"),
        ("ask <@U0ALEX|alex>", "ask @alex"),
        ("see <#C0SUPPORT|support>", "see #support"),
        ("<!here> now", "@here now"),
        ("<!subteam^S123|@oncall> now", "@oncall now"),
        ("<!date^1700000000^{date}|Nov 14> ok", "Nov 14 ok"),
        ("<https://example.com>", "https://example.com"),
        ("<https://example.com|the docs>", "the docs (https://example.com)"),
        ("<mailto:dana@example.com|dana@example.com>", "dana@example.com"),
    ],
)
def test_to_plain(slack_text, plain):
    assert to_plain(slack_text) == plain


# --- For any text ---

TYPED = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=60) | st.sampled_from(
    ["<!channel>", "<@U123>", "<https://evil.example|Reset here>", "&amp;", "a & b", ">quote", "&lt;"]
)
ENTITIES_ONLY = re.compile(r"&(?!(?:amp|lt|gt);)")
OUR_DATES = re.compile(r"<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>")


@given(text=TYPED)
def test_escaped_text_has_no_control_characters_and_reads_back_as_typed(text):
    escaped = escape(text)
    assert "<" not in escaped
    assert ">" not in escaped
    assert not ENTITIES_ONLY.search(escaped)
    assert to_plain(escaped) == text


@given(text=TYPED, limit=st.integers(min_value=2, max_value=80))
def test_escaped_and_shortened_text_keeps_to_the_limit_and_whole_entities(text, limit):
    shortened = escape_truncated(text, limit)
    assert len(shortened) <= limit
    assert not ENTITIES_ONLY.search(shortened)
    assert "<" not in shortened
    assert ">" not in shortened


@pytest.mark.django_db
@given(subject=TYPED.filter(str.strip), name=TYPED, description=TYPED, assignee=TYPED)
def test_a_tickets_slack_message_shows_any_typed_text_inert(subject, name, description, assignee):
    """No mention, link or markup from the ticket: Slack's three characters appear only
    as our own date tokens and block quotes."""
    ticket = make_ticket(subject=subject, customer_name=name[:100], description=description or "-")
    ticket.assigned_to = " ".join(assignee.split())[:100]
    message = root_message(ticket, now=timezone.now())
    for text in [message.text, *shown(message.blocks).splitlines()]:
        text = OUR_DATES.sub("", text).lstrip(">")
        assert "<" not in text
        assert ">" not in text
        assert not ENTITIES_ONLY.search(text)
