"""Request signing: Slack's v0 scheme over the raw body, within five minutes."""

import pytest

from integrations.slack.signatures import is_valid

from .helpers import signature

# Slack's documented example (also the SDK's unit test).
VECTOR_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
VECTOR_TIMESTAMP = "1531420618"
VECTOR_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
    b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
    b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
VECTOR_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
NOW = float(VECTOR_TIMESTAMP)


def headers(timestamp: str, signature: str) -> dict[str, str]:
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


def test_reference_vector_is_valid():
    assert signature(VECTOR_BODY, VECTOR_TIMESTAMP, VECTOR_SECRET) == VECTOR_SIGNATURE
    assert is_valid(VECTOR_BODY, headers(VECTOR_TIMESTAMP, VECTOR_SIGNATURE), secret=VECTOR_SECRET, now=NOW)


def test_header_names_are_case_insensitive():
    lower = {"x-slack-request-timestamp": VECTOR_TIMESTAMP, "x-slack-signature": VECTOR_SIGNATURE}
    assert is_valid(VECTOR_BODY, lower, secret=VECTOR_SECRET, now=NOW)


@pytest.mark.parametrize(
    ("body", "secret", "signature_"),
    [
        (VECTOR_BODY + b"x", VECTOR_SECRET, VECTOR_SIGNATURE),  # body changed
        (VECTOR_BODY, "another-secret", VECTOR_SIGNATURE),
        (VECTOR_BODY, VECTOR_SECRET, VECTOR_SIGNATURE.replace("v0=", "v1=")),
        (VECTOR_BODY, VECTOR_SECRET, ""),
        (VECTOR_BODY, "", VECTOR_SIGNATURE),  # no secret configured
        (VECTOR_BODY, "   ", VECTOR_SIGNATURE),
    ],
)
def test_anything_else_is_invalid(body, secret, signature_):
    assert not is_valid(body, headers(VECTOR_TIMESTAMP, signature_), secret=secret, now=NOW)


@pytest.mark.parametrize("offset", [-301, 301, -3600, 86400])
def test_outside_five_minutes_is_invalid_even_when_signed(offset):
    assert not is_valid(
        VECTOR_BODY, headers(VECTOR_TIMESTAMP, VECTOR_SIGNATURE), secret=VECTOR_SECRET, now=NOW + offset
    )


@pytest.mark.parametrize("offset", [-300, 0, 300])
def test_within_five_minutes_either_way_is_valid(offset):
    assert is_valid(VECTOR_BODY, headers(VECTOR_TIMESTAMP, VECTOR_SIGNATURE), secret=VECTOR_SECRET, now=NOW + offset)


@pytest.mark.parametrize("timestamp", ["", "abc", "1531420618.5", "1e9", "9" * 400, "\u0661\u0665\u0663x"])
def test_non_numeric_or_absurd_timestamps_are_invalid(timestamp):
    signed = signature(VECTOR_BODY, timestamp, VECTOR_SECRET)
    assert not is_valid(VECTOR_BODY, headers(timestamp, signed), secret=VECTOR_SECRET, now=NOW)


def test_missing_headers_are_invalid():
    assert not is_valid(VECTOR_BODY, {}, secret=VECTOR_SECRET, now=NOW)
    assert not is_valid(VECTOR_BODY, {"X-Slack-Signature": VECTOR_SIGNATURE}, secret=VECTOR_SECRET, now=NOW)


def test_a_body_that_is_not_utf8_is_invalid():
    body = b"\xff\xfe payload"
    assert not is_valid(body, headers(VECTOR_TIMESTAMP, "v0=00"), secret=VECTOR_SECRET, now=NOW)
