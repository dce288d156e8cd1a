"""`make loadtest`: a bounded load test of the production server, over loopback only.

Seeds a few thousand tickets in a database of its own (fx_loadtest, or LOADTEST_DATABASE_URL),
starts the server as the benchmark does (uvicorn, two workers, production settings) with a
Celery worker and a private redis-server, then runs N concurrent clients for D seconds mixing
list, search, detail, create, status and comment calls with signed Slack and Help Scout
webhooks arriving. The outbound integrations are off (nothing would listen). Afterwards it
counts rows: every accepted write must be in the database. It prints the p99 it saw, and
exits non-zero on any error (an answer of 400 or more, a failed connection) or lost write.

`--embedded` (`make loadtest-sqlite`) runs what `make run` runs instead: an SQLite file
database, no Redis (the in-process channel layer and cache, Celery's filesystem broker),
one uvicorn process started as the Makefile starts it, and a Celery worker of two prefork
processes with its beat; all of it in a temporary folder, with fewer tickets (seeded
through the services, SQLite having no COPY). The promise is the same.
"""

import argparse
import asyncio
import copy
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fractionax_support.local_ports import free_port  # noqa: E402

SLACK_SECRET = "loadtest-slack-signing-secret"  # noqa: S105 (this run's own server only)
HELPSCOUT_SECRET = "loadtest-helpscout-webhook-secret"  # noqa: S105
MAILBOX_ID = 85
SLACK_CHANNEL = "C0LOADTEST"


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, help="tickets to seed (default 5000; 600 with --embedded)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--embedded", action="store_true", help="SQLite and no Redis, as `make run` runs")
    return parser.parse_args()


ARGS = arguments()
REDIS_PORT, SLACK_PORT = free_port(), free_port()
# The embedded run's database, broker folder and logs (removed afterwards unless it failed).
VAR = Path(tempfile.mkdtemp(prefix="fx-loadtest-")) if ARGS.embedded else None
if VAR is not None:
    os.environ.update(
        {
            "BENCH_DATABASE_URL": os.environ.get("LOADTEST_DATABASE_URL", f"sqlite:///{VAR / 'db.sqlite3'}"),
            "REDIS_URL": "",
            "BENCH_BROKER_DIR": str(VAR / "celery-broker"),  # see bench/settings.py
        }
    )
else:
    os.environ.update(
        {
            "BENCH_DATABASE_URL": os.environ.get(
                "LOADTEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/fx_loadtest"
            ),
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",  # a private redis-server, started below
        }
    )
os.environ.update(
    {
        "SLACK_SIGNING_SECRET": SLACK_SECRET,
        "HELPSCOUT_WEBHOOK_SECRET": HELPSCOUT_SECRET,
        "HELPSCOUT_MAILBOX_ID": str(MAILBOX_ID),
        # No bot token or app credentials: no syncs go out. The one Slack call made, a
        # replier's name, goes to a local fake (started below); Help Scout's to a closed port.
        "SLACK_API_URL": f"http://127.0.0.1:{SLACK_PORT}/",
        "HELPSCOUT_API_URL": "http://127.0.0.1:9/",
    }
)

from pytest_httpserver import HTTPServer  # noqa: E402

from bench import run  # noqa: E402  (sets Django up on that database, production settings)
from bench.load import Measured, Raw, run_clients  # noqa: E402
from fractionax_support.tests.processes import PrivateRedis, listening, start_worker, stop  # noqa: E402
from integrations.helpscout.signatures import sign as helpscout_sign  # noqa: E402
from integrations.models import InboundDelivery  # noqa: E402
from integrations.slack.threads import record_thread  # noqa: E402
from tickets import services  # noqa: E402
from tickets.actors import Actor  # noqa: E402
from tickets.models import ChangeSource, SupportTicket, TicketComment, TicketEvent  # noqa: E402

API = run.API
POOL = 200  # tickets that status changes and comments meet on (Slack threads on the first 50)
CONVERSATION = json.loads((ROOT / "integrations/helpscout/tests/fixtures/conversation.json").read_text())


class Load:
    """The request mix, and what each answer promised was written."""

    def __init__(self, pool: list[int], threads: dict[int, str]) -> None:
        self.pool, self.threads = pool, threads
        self.threaded = list(threads)
        self.stamp = int(time.time())  # keeps this run's webhook ids apart from earlier runs'
        self.created: list[int] = []
        self.comments: list[int] = []
        self.slack_ts: list[str] = []
        self.conversations: list[int] = []
        self.comments_on: dict[int, int] = defaultdict(int)
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.kinds = [
            *["list"] * 3,
            "filtered list",
            *["search"] * 2,
            *["detail"] * 3,
            *["create"] * 2,
            *["status"] * 2,
            *["comment"] * 3,
            *["slack reply"] * 2,
            *["helpscout webhook"] * 2,
        ]

    def kind(self, i: int) -> str:
        return self.kinds[i % len(self.kinds)]

    def request(self, i: int) -> tuple[str, str, dict[str, Any] | Raw | None]:
        kind, ticket = self.kind(i), self.pool[(i * 7919) % len(self.pool)]
        if kind == "list":
            return "GET", f"{API}?page={1 + i % 5}", None
        if kind == "filtered list":
            return "GET", f"{API}?status=open,in_progress&priority=high&sortBy=priority", None
        if kind == "search":
            return "GET", f"{API}?search={('password', run.RARE_WORD, 'withdrawal')[i % 3]}", None
        if kind == "detail":
            return "GET", f"{API}/{ticket}", None
        if kind == "create":
            body = {"subject": f"Load ticket {i}", "description": "Created under load.", "customerEmail": "l@x.io"}
            return "POST", API, body
        if kind == "status":
            return "PUT", f"{API}/{ticket}/status", {"status": ("in_progress", "waiting_customer", "open")[i % 3]}
        if kind == "comment":
            return "POST", f"{API}/{ticket}/comments", {"comment": f"Load note {i}", "isInternal": i % 2 == 0}
        if kind == "slack reply":
            return "POST", "/api/webhooks/slack", self.slack_reply(i)
        return "POST", "/api/webhooks/helpscout", self.helpscout_created(i)

    def slack_reply(self, i: int) -> Raw:
        ticket = self.threaded[i % len(self.threaded)]
        event = {
            "type": "message",
            "channel": SLACK_CHANNEL,
            "user": "U0LOADTEST",
            "text": f"Slack reply {i}",
            "ts": f"{self.stamp}.{i:06d}",
            "thread_ts": self.threads[ticket],
        }
        envelope = {"type": "event_callback", "event_id": f"Ev{self.stamp}{i}", "team_id": "T0", "event": event}
        body = json.dumps(envelope).encode()
        timestamp = str(int(time.time()))
        digest = hmac.new(SLACK_SECRET.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
        headers = {
            "Content-Type": "application/json",
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": f"v0={digest.hexdigest()}",
        }
        return Raw(body, headers)

    def helpscout_created(self, i: int) -> Raw:
        conversation = copy.deepcopy(CONVERSATION)
        conversation.update(id=self.stamp * 1_000_000 + i, number=i, subject=f"Help Scout load {i}", tags=[])
        body = json.dumps(conversation).encode()
        headers = {
            "Content-Type": "application/json",
            "X-HelpScout-Event": "convo.created",
            "X-HelpScout-Signature": helpscout_sign(body, HELPSCOUT_SECRET),
        }
        return Raw(body, headers)

    def answered(self, i: int, status: int, body: bytes, elapsed_ms: float) -> None:
        kind = self.kind(i)
        self.latencies[kind].append(elapsed_ms)
        if status >= 300:
            return
        if kind == "create":
            self.created.append(json.loads(body)["id"])
        elif kind == "comment":
            self.comments.append(json.loads(body)["id"])
            self.comments_on[self.pool[(i * 7919) % len(self.pool)]] += 1
        elif kind == "slack reply":
            self.slack_ts.append(f"{self.stamp}.{i:06d}")
            self.comments_on[self.threaded[i % len(self.threaded)]] += 1
        elif kind == "helpscout webhook" and json.loads(body)["status"] == "queued":
            self.conversations.append(self.stamp * 1_000_000 + i)


def prepare_pool(ids: list[int]) -> tuple[list[int], dict[int, str]]:
    """The contended tickets, the first 50 of them with a Slack thread to reply in."""
    pool = ids[:POOL]
    actor = Actor(name="Load test", source=ChangeSource.SLACK)
    threads = {}
    for ticket_id in pool[:50]:
        thread = f"1700000000.{ticket_id:06d}"
        services.ticket_record_sync(
            ticket_id=ticket_id, actor=actor, slack_channel_id=SLACK_CHANNEL, slack_thread_id=thread
        )
        record_thread(ticket_id, channel_id=SLACK_CHANNEL, thread_ts=thread)  # as a posted root does
        threads[ticket_id] = thread
    return pool, threads


def check(load: Load, measured: Measured, before: dict[str, Any]) -> list[tuple[str, bool, str]]:
    """(what, passed, detail) for each promise the answers made."""
    results = []

    def expect(what: str, passed: bool, detail: str = "") -> None:
        results.append((what, passed, detail))

    expect("no errors", not measured.errors, "; ".join(sorted(set(measured.errors))[:10]))
    expect("requests made", len(measured.latencies_ms) > 0, f"{len(measured.latencies_ms)}")
    found = SupportTicket.objects.filter(pk__in=load.created).count()
    expect("every 2xx create is a ticket", found == len(load.created), f"{found} of {len(load.created)}")
    found = TicketComment.objects.filter(pk__in=load.comments).count()
    expect("every 2xx comment is a comment", found == len(load.comments), f"{found} of {len(load.comments)}")
    found = TicketComment.objects.filter(source="slack", external_id__in=load.slack_ts).count()
    expect("every 2xx Slack reply is a comment", found == len(load.slack_ts), f"{found} of {len(load.slack_ts)}")
    counts = dict(SupportTicket.objects.filter(pk__in=load.pool).values_list("pk", "total_comments"))
    stored = {pk: TicketComment.objects.filter(ticket_id=pk).count() for pk in load.pool}
    wrong = [
        pk
        for pk in load.pool
        if counts[pk] - before["totals"][pk] != load.comments_on[pk]
        or stored[pk] - before["stored"][pk] != load.comments_on[pk]
    ]
    expect("comment counts add up on every contended ticket", not wrong, f"wrong on {wrong[:10]}")
    broken = []
    statuses = dict(SupportTicket.objects.filter(pk__in=load.pool).values_list("pk", "status"))
    for pk in load.pool:
        trail = list(
            TicketEvent.objects.filter(ticket_id=pk, action="status_changed", id__gt=before["last_event"])
            .order_by("id")
            .values_list("old_value", "new_value")
        )
        if trail and (
            trail[0][0] != before["statuses"][pk]
            or any(new != old for (_, new), (old, _) in pairwise(trail))
            or trail[-1][1] != statuses[pk]
        ):
            broken.append(pk)
    expect("every status trail chains to the current status", not broken, f"broken on {broken[:10]}")

    conversations = [str(conversation) for conversation in load.conversations]

    def applied() -> int:
        return SupportTicket.objects.filter(helpscout_conversation_id__in=conversations).count()

    started = time.monotonic()
    deadline = started + 180  # the worker applies the queued webhooks
    while applied() < len(conversations) and time.monotonic() < deadline:
        time.sleep(0.5)
    found = applied()
    queued = InboundDelivery.objects.filter(integration="helpscout").count() - before["deliveries"]
    expect(
        "every queued Help Scout webhook became a ticket",
        found == len(load.conversations) == queued,
        f"{found} tickets, {len(load.conversations)} queued answers, {queued} deliveries recorded; "
        f"the last {time.monotonic() - started:.0f} s after the load",
    )
    return results


def start_embedded(port: int) -> tuple[subprocess.Popen[bytes], subprocess.Popen[bytes]]:
    """The server and the worker as `make run` starts them (its `run` target), each logging
    to a file in the run's folder."""
    assert VAR is not None
    (VAR / "celery-broker" / "processed").mkdir(parents=True, exist_ok=True)
    env = {**os.environ, **run.ENV, "DEBUG": "true"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fractionax_support", "worker", "--beat", "--concurrency", "2",
         "--loglevel", "INFO", "--logfile", str(VAR / "celery.log"),
         "--schedule", str(VAR / "celerybeat-schedule")],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
    )  # fmt: skip
    with (VAR / "server.log").open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "fractionax_support.asgi:application",
             "--host", "127.0.0.1", "--port", str(port), "--lifespan", "off"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 60
    while not listening(port):
        if server.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"the server did not start: see {VAR / 'server.log'}")
        time.sleep(0.2)
    return server, worker


def log_summary() -> list[str]:
    """The embedded run's log lines worth reading: warnings, errors, and SQLite's "locked"."""
    assert VAR is not None
    found = []
    for name in ("server.log", "celery.log"):
        path = VAR / name
        if not path.exists():
            continue
        for line in path.read_text(errors="replace").splitlines():
            if "No hostname was supplied" in line:  # kombu's, for the filesystem broker's URL
                continue
            if any(word in line for word in ("WARNING", "ERROR", "CRITICAL", "Traceback", "locked")):
                found.append(f"{name}: {line.strip()[:300]}")
    return found


def main() -> None:
    args = ARGS
    slack = HTTPServer(host="127.0.0.1", port=SLACK_PORT)
    slack.expect_request("/users.info").respond_with_json(
        {"ok": True, "user": {"id": "U0LOADTEST", "name": "loader", "real_name": "Lee Loader", "profile": {}}}
    )
    # Our bot user, which a thread reply is checked against (its own messages are no comments).
    slack.expect_request("/auth.test").respond_with_json(
        {"ok": True, "user_id": "U0BOT", "bot_id": "B0BOT", "team_id": "T0", "user": "support"}
    )
    slack.start()
    redis = None
    if not args.embedded:
        redis = PrivateRedis(REDIS_PORT)
        redis.start()
    server = worker = None
    try:
        data = run.prepare(args.count or 600) if args.embedded else run.prepare(max(args.count or 5000, 1001))
        pool, threads = prepare_pool(data["ids"])
        before = {
            "totals": dict(SupportTicket.objects.filter(pk__in=pool).values_list("pk", "total_comments")),
            "stored": {pk: TicketComment.objects.filter(ticket_id=pk).count() for pk in pool},
            "statuses": dict(SupportTicket.objects.filter(pk__in=pool).values_list("pk", "status")),
            "last_event": TicketEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0,
            "deliveries": InboundDelivery.objects.filter(integration="helpscout").count(),
        }
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        if args.embedded:
            server, worker = start_embedded(port)
            what = "uvicorn (one process), SQLite, no Redis, a Celery worker of two processes"
        else:
            server = run.start_server(port, {**os.environ, **run.ENV})
            worker = start_worker({**run.ENV})
            what = "the production server, PostgreSQL, Redis"
        access = run.token(base)
        load = Load(pool, threads)
        print(f"Load: {args.clients} clients for {args.seconds:g} s against {base} ({what})…", flush=True)
        measured = asyncio.run(
            run_clients(base, access, load.request, clients=args.clients, seconds=args.seconds, answered=load.answered)
        )
        results = check(load, measured, before)
    finally:
        if server is not None:
            stop(server, timeout=30)
        if worker is not None:
            stop(worker, timeout=30)
        if redis is not None:
            redis.close()
        slack.stop()
    print(f"\n{len(measured.latencies_ms):,} requests in {measured.elapsed_s:.1f} s ({measured.rate:.0f}/s)")
    print("| operation | requests | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for kind in dict.fromkeys(load.kinds):
        part = Measured(latencies_ms=load.latencies[kind])
        print(f"| {kind} | {len(part.latencies_ms)} | {part.percentile(50):.0f} | {part.percentile(99):.0f} |")
    print(f"p99 over all requests: {measured.percentile(99):.0f} ms\n")
    for what, passed, detail in results:
        print(f"{'ok  ' if passed else 'FAIL'} {what}{f' ({detail})' if detail else ''}")
    failed = sum(not passed for _, passed, _ in results)
    if VAR is not None:
        lines = log_summary()
        print(f"\nServer and worker log: {len(lines)} warnings or errors" + (":" if lines else "."))
        for line in lines[:30]:
            print(f"  {line}")
        if failed or lines:
            print(f"(the run's database and logs are kept in {VAR})")
        else:
            shutil.rmtree(VAR, ignore_errors=True)
    print(f"loadtest: {len(results) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
