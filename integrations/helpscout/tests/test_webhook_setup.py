"""`manage.py helpscout_webhook` against a fake Help Scout that keeps its webhooks: it
registers ours once, fixes one that is disabled or lacks events, changes nothing on a
second run, and refuses a secret Help Scout would not take before calling it."""

import itertools
import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from werkzeug import Request, Response

from integrations.helpscout.views import EVENTS

from .conftest import MAILBOX_ID, WEBHOOK_SECRET

pytestmark = pytest.mark.django_db
URL = "https://support.example.com/api/webhooks/helpscout"


class FakeWebhooks:
    """Help Scout's /v2/webhooks: listed in pages of two, created, replaced."""

    PAGE_SIZE = 2

    def __init__(self, httpserver: Any) -> None:
        self.hooks: dict[str, dict[str, Any]] = {}
        self.writes: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(100)
        httpserver.expect_request("/v2/webhooks", method="GET").respond_with_handler(self._list)
        httpserver.expect_request("/v2/webhooks", method="POST").respond_with_handler(self._create)
        httpserver.expect_request(re.compile(r"^/v2/webhooks/\d+$"), method="PUT").respond_with_handler(self._replace)

    def add(self, **fields: Any) -> str:
        webhook_id = str(next(self._ids))
        self.hooks[webhook_id] = {"id": int(webhook_id), "state": "enabled", "payloadVersion": "V2", **fields}
        return webhook_id

    def _list(self, request: Request) -> Response:
        hooks = list(self.hooks.values())
        page = int(request.args.get("page", "1"))
        shown = hooks[(page - 1) * self.PAGE_SIZE : page * self.PAGE_SIZE]
        pages = max(1, -(-len(hooks) // self.PAGE_SIZE))
        body = {"page": {"number": page, "totalPages": pages, "totalElements": len(hooks)}}
        if shown:
            body["_embedded"] = {"webhooks": [{k: v for k, v in hook.items() if k != "secret"} for hook in shown]}
        return Response(json.dumps(body), content_type="application/hal+json")

    def _create(self, request: Request) -> Response:
        body = request.get_json()
        self.writes.append(("POST", body))
        webhook_id = self.add(**{k: v for k, v in body.items() if k != "state"})
        return Response(status=201, headers={"Resource-ID": webhook_id, "Location": f"/v2/webhooks/{webhook_id}"})

    def _replace(self, request: Request) -> Response:
        webhook_id = request.path.rsplit("/", 1)[-1]
        body = request.get_json()
        self.writes.append(("PUT " + webhook_id, body))
        self.hooks[webhook_id] = {"id": int(webhook_id), **body, "state": "enabled"}
        return Response(status=204)


@pytest.fixture
def webhooks(helpscout) -> FakeWebhooks:
    return FakeWebhooks(helpscout)


def run(*args: str) -> str:
    out = StringIO()
    call_command("helpscout_webhook", *args, stdout=out)
    return out.getvalue()


def expected_body(url: str = URL) -> dict[str, Any]:
    return {
        "url": url,
        "events": sorted(EVENTS),
        "secret": WEBHOOK_SECRET,
        "payloadVersion": "V2",
        "notification": False,
        "mailboxIds": [int(MAILBOX_ID)],
        "label": "FractionaX Support",
    }


def test_registers_the_webhook_once_and_a_second_run_changes_nothing(webhooks):
    webhooks.add(url="https://elsewhere.example.com/hook", events=["convo.created"])
    webhooks.add(url="https://other.example.com/hook", events=["convo.created"])  # our page is the second

    assert "created" in run("--url", URL)
    assert webhooks.writes == [("POST", expected_body())]

    assert run("--url", URL).strip().endswith("up to date.")
    assert len(webhooks.writes) == 1
    run("--url", URL, "--check")  # in order: no error


def test_a_bare_host_gets_our_webhook_route(webhooks):
    run("--url", "https://support.example.com/")

    assert webhooks.writes == [("POST", expected_body())]


def test_a_disabled_webhook_missing_events_is_replaced_whole(webhooks):
    webhook_id = webhooks.add(url=URL, state="disabled", events=["convo.created"], mailboxIds=[])

    output = run("--url", URL)

    assert "state is 'disabled'" in output and "missing events: convo.agent.reply.created, convo.assigned," in output
    assert webhooks.writes == [(f"PUT {webhook_id}", expected_body())]
    assert run("--url", URL).strip().endswith("up to date.")
    assert len(webhooks.writes) == 1


def test_check_reports_what_is_wrong_and_changes_nothing(webhooks):
    with pytest.raises(CommandError, match="needs to be created"):
        run("--url", URL, "--check")
    webhooks.add(url=URL, events=sorted(EVENTS), mailboxIds=[999])
    with pytest.raises(CommandError, match="needs to be updated"):
        run("--url", URL, "--check")
    assert webhooks.writes == []


def test_resend_secret_sends_it_again_though_all_else_is_in_order(webhooks):
    webhook_id = webhooks.add(url=URL, events=sorted(EVENTS), mailboxIds=[int(MAILBOX_ID)])
    assert run("--url", URL).strip().endswith("up to date.")

    run("--url", URL, "--resend-secret")

    assert webhooks.writes == [(f"PUT {webhook_id}", expected_body())]


@pytest.mark.parametrize(
    ("secret", "problem"),
    [("", "HELPSCOUT_WEBHOOK_SECRET is not set"), ("s" * 41, "41 characters; Help Scout takes at most 40")],
)
def test_a_secret_help_scout_would_not_take_is_refused_before_calling_it(helpscout, settings, secret, problem):
    settings.HELPSCOUT_WEBHOOK_SECRET = secret

    with pytest.raises(CommandError, match=problem):
        run("--url", URL)
    assert helpscout.log == []


def test_a_url_help_scout_could_not_use_safely_is_refused(webhooks, helpscout):
    with pytest.raises(CommandError, match="must use https"):
        run("--url", "http://support.example.com/api/webhooks/helpscout")
    assert helpscout.log == []


def test_help_scout_failing_is_reported_plainly(helpscout):
    helpscout.expect_request("/v2/webhooks", method="GET").respond_with_data("down", status=503)

    with pytest.raises(CommandError, match="Help Scout GET webhooks: HTTP 503"):
        run("--url", URL)


def test_without_help_scout_credentials_it_says_which_to_set(settings):
    settings.HELPSCOUT_APP_ID = ""

    with pytest.raises(CommandError, match="HELPSCOUT_APP_ID and HELPSCOUT_APP_SECRET"):
        run("--url", URL)
