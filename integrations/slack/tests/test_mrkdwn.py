"""Slack's text format: ours made inert, theirs made plain."""

import pytest

from integrations.slack.mrkdwn import escape, escape_truncated, quote, to_plain


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
