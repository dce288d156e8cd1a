"""The client against the fake Help Scout: token, retries, errors, paging."""

import pytest
from werkzeug import Response

from integrations.helpscout.client import HelpScoutClient, HelpScoutError

from .conftest import conversation, load

pytestmark = pytest.mark.django_db


def tokens_issued(helpscout):
    return [request for request, _ in helpscout.log if request.path == "/v2/oauth2/token"]


def test_token_is_fetched_once_and_cached_across_clients(helpscout):
    helpscout.expect_request("/v2/conversations/1001", method="GET").respond_with_json(conversation())

    HelpScoutClient.from_settings().get_conversation("1001")
    HelpScoutClient.from_settings().get_conversation("1001")

    [token_request] = tokens_issued(helpscout)
    assert token_request.form.to_dict() == {
        "grant_type": "client_credentials",
        "client_id": "app-id",
        "client_secret": "app-secret",
    }
    gets = [request for request, _ in helpscout.log if request.path == "/v2/conversations/1001"]
    assert [request.headers["Authorization"] for request in gets] == ["Bearer token-1", "Bearer token-1"]
    assert gets[0].args["embed"] == "threads"


def test_an_expired_token_is_replaced_on_401_and_the_call_repeated(helpscout):
    helpscout.clear()
    for token in ("token-1", "token-2"):
        helpscout.expect_oneshot_request("/v2/oauth2/token").respond_with_json({**load("token"), "access_token": token})
    path, token_1, token_2 = (
        "/v2/conversations/1001",
        {"Authorization": "Bearer token-1"},
        {"Authorization": "Bearer token-2"},
    )
    helpscout.expect_oneshot_request(path, headers=token_1).respond_with_json(conversation())
    helpscout.expect_request(path, headers=token_1).respond_with_data("expired", status=401)
    helpscout.expect_request(path, headers=token_2).respond_with_json(conversation())
    client = HelpScoutClient.from_settings()
    client.get_conversation("1001")  # with token-1, which then expires

    assert client.get_conversation("1001")["id"] == 1001
    assert client.get_conversation("1001")["id"] == 1001  # token-2 is the cached one now

    calls = [(request.path, request.headers.get("Authorization")) for request, _ in helpscout.log]
    assert calls == [
        ("/v2/oauth2/token", None),
        (path, "Bearer token-1"),
        (path, "Bearer token-1"),
        ("/v2/oauth2/token", None),
        (path, "Bearer token-2"),
        (path, "Bearer token-2"),
    ]


def test_a_token_refused_again_after_refresh_is_an_error_to_retry(helpscout):
    helpscout.expect_request("/v2/conversations/1001").respond_with_data("no", status=401)

    with pytest.raises(HelpScoutError) as caught:
        HelpScoutClient.from_settings().get_conversation("1001")

    assert caught.value.status == 401
    assert not caught.value.permanent
    assert len(tokens_issued(helpscout)) == 2


def test_429_carries_retry_after_and_is_not_waited_out_here(helpscout):
    helpscout.expect_request("/v2/conversations", method="POST").respond_with_data(
        "slow down", status=429, headers={"X-RateLimit-Retry-After": "30"}
    )

    with pytest.raises(HelpScoutError) as caught:
        HelpScoutClient.from_settings().create_conversation({"subject": "x"})

    assert (caught.value.retry_after, caught.value.permanent) == (30.0, False)
    assert len([r for r, _ in helpscout.log if r.path == "/v2/conversations"]) == 1


def test_a_short_429_is_waited_out_once(helpscout):
    helpscout.expect_oneshot_request("/v2/conversations", method="POST").respond_with_data(
        "", status=429, headers={"Retry-After": "0"}
    )
    helpscout.expect_oneshot_request("/v2/conversations", method="POST").respond_with_response(
        Response(status=201, headers={"Resource-ID": "555"})
    )

    assert HelpScoutClient.from_settings().create_conversation({"subject": "x"}) == "555"


def test_5xx_is_retryable_and_a_failed_post_is_not_repeated(helpscout):
    helpscout.expect_request("/v2/conversations/1001/notes", method="POST").respond_with_data("boom", status=502)

    with pytest.raises(HelpScoutError) as caught:
        HelpScoutClient.from_settings().create_note("1001", {"text": "x"})

    assert (caught.value.status, caught.value.permanent, caught.value.retry_after) == (502, False, None)
    assert len([r for r, _ in helpscout.log if r.path.endswith("/notes")]) == 1


def test_a_get_is_tried_once_more_after_a_5xx(helpscout):
    helpscout.expect_oneshot_request("/v2/conversations/1001").respond_with_data("boom", status=503)
    helpscout.expect_oneshot_request("/v2/conversations/1001").respond_with_json(conversation())

    assert HelpScoutClient.from_settings().get_conversation("1001")["id"] == 1001


def test_network_failure_is_retryable(helpscout, settings):
    settings.HELPSCOUT_API_URL = "http://127.0.0.1:1/v2/"

    with pytest.raises(HelpScoutError) as caught:
        HelpScoutClient.from_settings().get_conversation("1001")

    assert not caught.value.permanent


@pytest.mark.parametrize("status", [400, 404, 412])
def test_client_errors_are_permanent(helpscout, status):
    helpscout.expect_request("/v2/conversations/1001/reply", method="POST").respond_with_data("no", status=status)

    with pytest.raises(HelpScoutError) as caught:
        HelpScoutClient.from_settings().create_reply("1001", {"text": "x"})

    assert caught.value.permanent


def test_conversations_pages_keep_the_filters(helpscout):
    first = {"_embedded": {"conversations": [{"id": 1}, {"id": 2}]}, "page": {"totalPages": 2, "number": 1}}
    second = {"_embedded": {"conversations": [{"id": 3}]}, "page": {"totalPages": 2, "number": 2}}
    helpscout.expect_request("/v2/conversations", query_string={"status": "all", "page": "1"}).respond_with_json(first)
    helpscout.expect_request("/v2/conversations", query_string={"status": "all", "page": "2"}).respond_with_json(second)

    items = list(HelpScoutClient.from_settings().conversations({"status": "all"}))

    assert [item["id"] for item in items] == [1, 2, 3]


def test_an_empty_list_has_no_embedded_and_ends_paging(helpscout):
    helpscout.expect_request("/v2/conversations").respond_with_json(load("conversation_list_empty"))

    assert list(HelpScoutClient.from_settings().conversations({})) == []


def test_a_malformed_list_is_an_error(helpscout):
    helpscout.expect_request("/v2/conversations").respond_with_json({"_embedded": {"conversations": "nope"}})

    with pytest.raises(HelpScoutError):
        list(HelpScoutClient.from_settings().conversations({}))
