"""`make bench`: load N tickets, start the production server, measure, print one table.

The server is gunicorn with two uvicorn workers (one per core) and production settings
(DEBUG off), as the Dockerfile runs it, against PostgreSQL and Redis; load comes from this
process over loopback, each measurement bounded in time. Floors measured in the same run:
the SQL of the list and search alone (EXPLAIN ANALYZE) and a bare DRF endpoint through the
same server. Slack and Help Scout are configured and pointed at a local fake; after the
HTTP measurements a Celery worker with one process per core delivers the outbox while
creation goes on, and the run times how fast it drains once the load stops. Results go to
stdout and bench/results/latest.md.
"""

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per operation and concurrency")
    parser.add_argument("--sockets", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; medians are reported")
    parser.add_argument(
        "--only",
        action="append",
        metavar="OPERATION",
        help="measure only this operation (repeatable; the bare DRF floor is always measured), and skip the "
        "export, the WebSocket fan-out and the outbox: for comparing a change, not for the record",
    )
    return parser.parse_args()


# Arguments when run as the benchmark (bench/loadtest.py imports this module for its setup).
ARGS = arguments() if __name__ == "__main__" else None
# One database per size, so a quick run never measures the full run's data (or the reverse).
DATABASE_URL = os.environ.get("BENCH_DATABASE_URL") or (
    f"postgres://postgres@127.0.0.1:5432/fx_bench_{ARGS.count if ARGS else 1_000_000}"
)
ENV = {
    "DJANGO_SETTINGS_MODULE": "bench.settings",
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "DEBUG": "false",
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "DATABASE_POOL_SIZE": "8",
    "CHANNEL_PREFIX": "fx-bench",
    "CACHE_KEY_PREFIX": "fx-bench",
    "API_THROTTLE_USER": "100000000/min",
    "API_THROTTLE_ANON": "100000000/min",
    "LOGIN_THROTTLE": "100000000/min",
    "LOG_LEVEL": "WARNING",
    # The fake answers every call at once and enforces no limits, so the outbox's pacing to
    # Slack's and Help Scout's (about one message a second per Slack channel) is off: the
    # drain measures what the workers can deliver, not the providers' published rates.
    "INTEGRATION_RATE_LIMITS": "false",
}
os.environ.update(ENV)
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.load import Measured, run_clients, websocket_fanout  # noqa: E402
from fractionax_support.local_ports import free_port  # noqa: E402
from fractionax_support.server_command import server_command  # noqa: E402
from integrations.models import PENDING, OutboxMessage  # noqa: E402
from tickets import services  # noqa: E402
from tickets.actors import Actor  # noqa: E402
from tickets.models import ChangeSource, SupportTicket  # noqa: E402

API = "/api/admin/support-tickets"
USERNAME, PASSWORD = "bench-agent", "bench-password-not-secret"
RARE_WORD = "zeppelin"
CREATED_SUBJECT = "Bench ticket "
RESULTS = ROOT / "bench" / "results"


def create_database() -> None:
    """The benchmark's database, made on first use (it is never the development one)."""
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"], dbname="postgres"
    ) as admin:
        admin.autocommit = True
        if not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]]).fetchone():
            admin.execute(f'CREATE DATABASE "{settings["NAME"]}"')


def prepare(count: int) -> dict[str, Any]:
    """The database with `count` tickets at least. On SQLite (the load test of `make run`'s
    configuration) seed_demo makes them through the services, slowly: seed_tickets loads
    with PostgreSQL's COPY."""
    postgresql = connection.vendor == "postgresql"
    if postgresql:
        create_database()
    call_command("migrate", verbosity=0)
    have = SupportTicket.objects.count()
    if have < count:
        print(f"Loading {count - have:,} tickets…", flush=True)
        call_command("seed_tickets" if postgresql else "seed_demo", count=count - have)
    forget_earlier_runs()
    user, _ = get_user_model().objects.get_or_create(username=USERNAME, defaults={"is_staff": True})
    user.set_password(PASSWORD)
    user.is_staff = True
    user.save()
    if not SupportTicket.objects.filter(subject__contains=RARE_WORD).exists():
        actor = Actor(name="Bench", source=ChangeSource.SYSTEM)
        for index in range(20):
            services.ticket_create(
                subject=f"The {RARE_WORD} account {index}",
                description="Rare.",
                customer_email="rare@example.com",
                actor=actor,
            )
    if postgresql:
        prewarm()
    sample = SupportTicket.objects.order_by("-id").values("id", "number", "customer_email")[min(1000, count - 1)]
    ids = list(SupportTicket.objects.order_by("-id").values_list("id", flat=True)[:5000])
    hundred_thousandth = SupportTicket.objects.order_by("-created_at").values_list("created_at", flat=True)[
        min(99_999, count - 1)
    ]
    return {"ticket": sample, "ids": ids, "export_from": hundred_thousandth.isoformat()}


def forget_earlier_runs() -> None:
    """Deletes the tickets earlier runs created. Each run creates thousands, all open and
    of medium priority and newer than the seeded ones, and they pile up at the head of
    every list: a filtered list's walk down the creation-date index then had to skip
    17,000 of them (26 ms of SQL instead of 3)."""
    created = SupportTicket.objects.filter(subject__startswith=CREATED_SUBJECT)
    if created.exists():
        count, _ = created.delete()
        print(f"Deleted {count:,} rows that earlier runs created.", flush=True)
        with connection.cursor() as cursor:
            table = SupportTicket._meta.db_table
            cursor.execute(f"VACUUM (ANALYZE) {table}" if connection.vendor == "postgresql" else f"ANALYZE {table}")


def prewarm() -> None:
    """Reads the tables and indexes into PostgreSQL's buffers, as a server in service has
    them, so the first measurements do not time the disk (pg_prewarm, in PostgreSQL's
    contrib). They only stay if shared_buffers holds them: see database_settings()."""
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(
            "SELECT sum(pg_prewarm(c.oid)) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
        )


def database_settings() -> str:
    """The server settings the figures depend on, for the report's header."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('server_version'), pg_size_pretty(pg_database_size(current_database()))")
        version, size = cursor.fetchone()
        cursor.execute(
            "SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name",
            [["shared_buffers", "work_mem", "synchronous_commit", "max_connections"]],
        )
        settings = ", ".join(f"{name} {value}" for name, value in cursor.fetchall())
    return f"PostgreSQL {version}, database {size}; {settings}"


def integrations_env(fake_port: int) -> dict[str, str]:
    """Slack and Help Scout configured and pointed at the fake, as production runs."""
    fake = f"http://127.0.0.1:{fake_port}"
    return {
        "SLACK_BOT_TOKEN": "xoxb-bench",
        "SLACK_SUPPORT_CHANNEL_ID": "C0BENCH",
        "SLACK_SIGNING_SECRET": "bench-signing-secret",
        "SLACK_API_URL": f"{fake}/slack/",
        "HELPSCOUT_APP_ID": "bench-app",
        "HELPSCOUT_APP_SECRET": "bench-secret",
        "HELPSCOUT_MAILBOX_ID": "1",
        "HELPSCOUT_WEBHOOK_SECRET": "bench-webhook-secret",
        "HELPSCOUT_API_URL": f"{fake}/helpscout/",
        "CELERY_QUEUE": "fx-bench",
    }


def start_fake(fake_port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(ROOT / "bench" / "fake_integrations.py"), str(fake_port)])


def start_worker(env: dict[str, str], processes: int) -> subprocess.Popen[bytes]:
    """A Celery worker delivering the outbox to the fake: `processes` prefork processes,
    as `make run` starts it (without beat: every change is kicked)."""
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "fractionax_support", "worker", "--concurrency", str(processes),
         "--loglevel", "WARNING", "--queues", env["CELERY_QUEUE"], "--without-gossip", "--without-mingle"],
        cwd=ROOT,
        env=env,
    )  # fmt: skip


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Two workers, one per core here; four (the Dockerfile's default) exhausted each's pool of 8.
    command = server_command(port, workers=2)
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.3)
    process.kill()
    raise SystemExit("the server did not start")


def worker_pids(server: subprocess.Popen[bytes]) -> list[int]:
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def token(base: str) -> str:
    """An access token from the running server, as any API client gets one."""
    request = urllib.request.Request(
        f"{base}/api/auth/token/",
        data=json.dumps({"username": USERNAME, "password": PASSWORD}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.load(response)["access"])


def interleaved(base: str, access: str, request: Any, floor: Any, *, seconds: float) -> tuple[Measured, Measured]:
    """One client alternating the operation's requests with the bare-DRF floor's: both
    timed at the same moments of a machine whose speed drifts by a third within minutes
    (finding 46), where a floor measured apart made the ratio a measure of that drift
    (findings 47 and 51). Each side's rate is from its own requests' time."""
    own, beside = Measured(), Measured()

    def answered(index: int, status: int, content: bytes, ms: float) -> None:
        if status < 400:
            (beside if index % 2 else own).latencies_ms.append(ms)

    mixed = asyncio.run(
        run_clients(
            base, access, lambda i: (floor if i % 2 else request)(i // 2), clients=1, seconds=seconds, answered=answered
        )
    )
    own.errors = mixed.errors
    for measured in (own, beside):
        measured.elapsed_s = sum(measured.latencies_ms) / 1000
    return own, beside


def in_process(path: str, access: str) -> tuple[int, list[str]]:
    """Runs one GET inside this process: its SQL queries, for counts and EXPLAIN floors."""
    client = Client(HTTP_AUTHORIZATION=f"Bearer {access}")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
        if response.streaming:
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert response.status_code == 200, (path, response.status_code)
    return len(queries), [query["sql"] for query in queries.captured_queries]


def sql_floor_ms(statements: list[str]) -> float:
    """EXPLAIN ANALYZE execution time of the ticket queries a request ran (auth excluded)."""
    total = 0.0
    with connection.cursor() as cursor:
        for sql in statements:
            if "tickets_supportticket" not in sql:
                continue
            best = float("inf")
            for _ in range(3):
                cursor.execute("EXPLAIN (ANALYZE) " + sql)
                plan = "\n".join(row[0] for row in cursor.fetchall())
                best = min(best, float(re.search(r"Execution Time: ([\d.]+) ms", plan).group(1)))  # type: ignore[union-attr]
            total += best
    return total


def operations(data: dict[str, Any]) -> dict[str, Any]:
    ticket, ids = data["ticket"], data["ids"]
    number = f"FCT-{ticket['number']:06d}"
    statuses = ["in_progress", "waiting_customer", "open"]
    get = lambda path: lambda i: ("GET", path, None)  # noqa: E731
    return {
        "list (default sort)": get(API),
        "list status+priority": get(f"{API}?status=open,in_progress&priority=high"),
        "list sorted by priority": get(f"{API}?sortBy=priority"),
        "list unassigned": get(f"{API}?assignedTo=unassigned"),
        "list overdue": get(f"{API}?overdue=true"),
        "list custom field": get(f"{API}?cf_plan=enterprise"),
        "search common word": get(f"{API}?search=password"),
        f"search rare word ({RARE_WORD})": get(f"{API}?search={RARE_WORD}"),
        "search ticket number": get(f"{API}?search={number}"),
        "search customer email": get(f"{API}?search={ticket['customer_email']}"),
        "detail": lambda i: ("GET", f"{API}/{ids[i % len(ids)]}", None),
        "create": lambda i: (
            "POST",
            API,
            {
                "subject": f"{CREATED_SUBJECT}{i}",
                "description": "Created by the benchmark.",
                "customerEmail": f"bench{i}@example.com",
                "priority": "medium",
            },
        ),
        "status change": lambda i: ("PUT", f"{API}/{ids[i % len(ids)]}/status", {"status": statuses[i % 3]}),
        "comment": lambda i: (
            "POST",
            f"{API}/{ids[i % len(ids)]}/comments",
            {"comment": f"Note {i}", "isInternal": True},
        ),
        "statistics": get(f"{API}/statistics"),
        "statistics (30 days)": get(f"{API}/statistics?dateRange=30d"),
        "statistics per agent (30 days)": get(f"{API}/statistics?dateRange=30d&groupBy=agent"),
        FLOOR: get("/api/bench/floor"),
    }


FLOOR = "bare DRF floor (50 items)"
FLOORED = {
    "list (default sort)",
    "list status+priority",
    "list sorted by priority",
    "list unassigned",
    "list overdue",
    "list custom field",
    "search common word",
    f"search rare word ({RARE_WORD})",
    "search ticket number",
    "search customer email",
}


def measure_export(base: str, access: str, server: subprocess.Popen[bytes], export_from: str) -> dict[str, float]:
    pids = worker_pids(server)
    before = {pid: rss_mb(pid) for pid in pids}
    peak = dict(before)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            for pid in pids:
                peak[pid] = max(peak[pid], rss_mb(pid))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    started = time.perf_counter()
    request = urllib.request.Request(
        f"{base}{API}/export?" + urllib.parse.urlencode({"createdFrom": export_from}),
        headers={"Authorization": f"Bearer {access}"},
    )
    rows = 0
    with urllib.request.urlopen(request, timeout=600) as response:
        for _line in response:
            rows += 1
    elapsed = time.perf_counter() - started
    done.set()
    watcher.join()
    growth = max(peak[pid] - before[pid] for pid in pids)
    return {"rows": rows - 1, "seconds": elapsed, "rows_per_s": (rows - 1) / elapsed, "memory_growth_mb": growth}


def outbox_counts(since: datetime) -> dict[str, int]:
    written = OutboxMessage.objects.filter(created_at__gte=since)
    return {"written": written.count(), "pending": written.filter(PENDING).count()}


def wait_until_delivering(since: datetime, pending: int, wait_s: float = 60) -> None:
    """Until the worker's processes have started (Django set up, queue joined) and deliver."""
    deadline = time.monotonic() + wait_s
    while pending and outbox_counts(since)["pending"] >= pending and time.monotonic() < deadline:
        time.sleep(0.2)


def outbox_drain(*, since: datetime, wait_s: float = 300) -> dict[str, float]:
    """How long the worker takes to deliver what is pending once the load stops (bounded:
    what is left is reported, not waited for)."""
    written = OutboxMessage.objects.filter(created_at__gte=since)
    pending = written.filter(PENDING).count()
    stopped = time.monotonic()
    left = pending
    while left and time.monotonic() - stopped < wait_s:
        time.sleep(0.5)
        left = written.filter(PENDING).count()
    drain_s = time.monotonic() - stopped
    return {
        "pending_at_stop": pending,
        "left": left,
        "failed": written.filter(failed_at__isnull=False).count(),
        "drain_s": drain_s,
        "drain_rate": (pending - left) / drain_s if drain_s else 0.0,
    }


def main() -> None:
    args = ARGS
    assert args is not None

    data = prepare(args.count)
    every = operations(data)
    if unknown := set(args.only or ()) - set(every):
        raise SystemExit(f"No such operation: {', '.join(sorted(unknown))}")
    speeds = [machine_speed()]
    started = timezone.now()
    port, fake_port = free_port(), free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, **ENV, **integrations_env(fake_port)}
    # The worker starts after the HTTP measurements and the fan-out: on this 2-core machine
    # it would take the server's cores, where production gives workers machines of their
    # own. The run then measures create with the worker delivering alongside (the outbox's
    # creation rate), and how fast the worker drains what is pending once the load stops.
    processes = len(os.sched_getaffinity(0))
    helpers = [start_fake(fake_port)]
    server = start_server(port, env)
    try:
        access = token(base)
        rows = []
        chosen = {name: request for name, request in every.items() if not args.only or name in {*args.only, FLOOR}}
        floor = every[FLOOR]
        for name, request in chosen.items():
            asyncio.run(run_clients(base, access, request, clients=4, seconds=0.5))  # warm up
            runs: dict[int, list[Measured]] = {1: [], 16: []}
            beside: list[Measured] = []  # the floor's runs, for the ratio targets
            for _ in range(args.repeat):
                for clients in (1, 16):
                    if clients == 1 and name in FLOORED:
                        own, floor_beside = interleaved(base, access, request, floor, seconds=args.seconds)
                        runs[1].append(own)
                        beside.append(floor_beside)
                        continue
                    runs[clients].append(
                        asyncio.run(run_clients(base, access, request, clients=clients, seconds=args.seconds))
                    )
            method, path, _ = request(0)
            queries, statements = in_process(path, access) if method == "GET" else (None, [])
            floor_sql = sql_floor_ms(statements) if name in FLOORED else None
            rows.append((name, runs, queries, floor_sql, beside))
            errors = sum(len(m.errors) for ms in runs.values() for m in ms)
            print(f"  measured {name}{f' ({errors} errors)' if errors else ''}", flush=True)
        speeds.append(machine_speed())
        if args.only:
            print(render(args, speeds, rows, None, None, None, None))
            return
        export = measure_export(base, access, server, data["export_from"])

        async def change(api: Any, round_number: int) -> None:
            # A new assignee every round, so every round is a change and sends an event.
            body = {"assignedTo": f"Fan-out {round_number} {time.time():.0f}"}
            async with api.put(f"{API}/{data['ids'][round_number]}/assign", json=body) as response:
                await response.read()

        fanout = asyncio.run(websocket_fanout(base, access, change, sockets=args.sockets, rounds=10))
        helpers.append(start_worker(env, processes))
        wait_until_delivering(started, outbox_counts(started)["pending"])
        before = outbox_counts(started)
        create = operations(data)["create"]
        alongside = asyncio.run(run_clients(base, access, create, clients=16, seconds=args.seconds))
        after = outbox_counts(started)
        outbox = {
            "processes": processes,
            "written": after["written"],
            "created": after["written"] - before["written"],
            "creation_rate": (after["written"] - before["written"]) / alongside.elapsed_s,
            **outbox_drain(since=started),
        }
    finally:
        for process in (server, *helpers):
            stop(process)
    report = render(args, speeds, rows, export, fanout, outbox, alongside)
    print(report)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.md").write_text(report)


def machine_speed(seconds: float = 1.5) -> float:
    """Loops per second of a fixed single-threaded Python loop, run while nothing else of
    the benchmark is: what the machine gives right now, to read the figures against."""
    loops, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        sum(index * index for index in range(2000))
        loops += 1
    return loops / seconds


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def render(
    args: argparse.Namespace,
    speeds: list[float],
    rows: list[Any],
    export: dict[str, float] | None,
    fanout: Measured | None,
    outbox: dict[str, float] | None,
    alongside: Measured | None,
) -> str:
    """The report; with --only, the table and its targets alone (the rest is not measured)."""
    targets = []
    lines = [
        f"# Benchmark: {args.count:,} tickets, {args.seconds:g} s per measurement, {args.repeat} run(s)",
        "",
        database_settings() + ".",
        "",
        f"Machine speed: {speeds[0]:,.0f} loops/s before the measurements, {speeds[-1]:,.0f} after (a fixed "
        "Python loop on an idle machine; this kind of machine drifts by a third within minutes, and create "
        "follows it: bench/RESULTS.md, finding 46).",
        "",
        "| operation | p50 ms | p95 ms | p99 ms | req/s | p50 ms @16 | p95 ms @16 | p99 ms @16 | req/s @16 "
        "| queries | SQL floor ms | DRF floor p95 ms beside | p95 / (SQL + DRF floor) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for name, runs, queries, floor_sql, beside in rows:
        one, many = runs[1], runs[16]
        p95 = _median([m.percentile(95) for m in one])
        floor_p95 = _median([m.percentile(95) for m in beside]) if beside else None
        ratio = f"{p95 / (floor_sql + floor_p95):.2f}" if floor_sql is not None and floor_p95 is not None else ""
        targets += _targets(name, p95=p95, rate16=_median([m.rate for m in many]), queries=queries, ratio=ratio)
        cells = [
            _median([m.percentile(50) for m in one]),
            p95,
            _median([m.percentile(99) for m in one]),
            _median([m.rate for m in one]),
            _median([m.percentile(50) for m in many]),
            _median([m.percentile(95) for m in many]),
            _median([m.percentile(99) for m in many]),
            _median([m.rate for m in many]),
        ]
        lines.append(
            f"| {name} | "
            + " | ".join(f"{cell:.1f}" for cell in cells)
            + f" | {'' if queries is None else queries} | {'' if floor_sql is None else f'{floor_sql:.2f}'}"
            + f" | {'' if floor_p95 is None else f'{floor_p95:.1f}'} | {ratio} |"
        )
    if export is None or fanout is None or outbox is None or alongside is None:
        return "\n".join([*lines, "", *_target_table(targets), ""])
    lines += [
        "",
        f"Export: {export['rows']:,} rows in {export['seconds']:.1f} s = {export['rows_per_s']:,.0f} rows/s; "
        f"server worker memory growth {export['memory_growth_mb']:.1f} MB.",
        f"WebSocket fan-out to {args.sockets} dashboards: p50 {fanout.percentile(50):.0f} ms, "
        f"p99 {fanout.percentile(99):.0f} ms over {len(fanout.latencies_ms):,} deliveries"
        + (f"; {len(fanout.errors)} rounds incomplete" if fanout.errors else "")
        + ".",
        f"Create at 16 clients with the Celery worker ({outbox['processes']:.0f} processes) delivering alongside "
        f"on the same cores: {alongside.rate:.0f}/s, p95 {alongside.percentile(95):.0f} ms"
        + (f", {len(alongside.errors)} errors" if alongside.errors else "")
        + ".",
        f"Outbox (Slack and Help Scout configured, pointed at a local fake that answers at once and enforces "
        f"no rate limits, so the outbox's own pacing is off: INTEGRATION_RATE_LIMITS=false; one Celery worker "
        f"process per core, {outbox['processes']:.0f}, started after the HTTP measurements): "
        f"{outbox['written']:,.0f} messages written during the run; {outbox['created']:,.0f} of them during "
        f"create at 16 clients, {outbox['creation_rate']:.0f}/s; {outbox['pending_at_stop']:,.0f} pending when "
        f"the load stopped, delivered at {outbox['drain_rate']:.0f}/s"
        + (
            f", all in {outbox['drain_s']:.0f} s"
            if not outbox["left"]
            else f", {outbox['left']:,.0f} still pending {outbox['drain_s']:.0f} s later"
        )
        + f"; {outbox['failed']:,.0f} failed.",
        "",
    ]
    targets += [
        ("export ≥ 50,000 rows/s", f"{export['rows_per_s']:,.0f} rows/s", export["rows_per_s"] >= 50_000),
        ("export memory growth ≤ 50 MB", f"{export['memory_growth_mb']:.1f} MB", export["memory_growth_mb"] <= 50),
        ("WebSocket p99 ≤ 250 ms", f"{fanout.percentile(99):.0f} ms", fanout.percentile(99) <= 250),
        (
            "outbox drain rate ≥ creation rate",
            f"{outbox['drain_rate']:.0f}/s against {outbox['creation_rate']:.0f}/s",
            outbox["drain_rate"] >= outbox["creation_rate"],
        ),
    ]
    return "\n".join([*lines, *_target_table(targets), ""])


def _target_table(targets: list[tuple[str, str, bool]]) -> list[str]:
    return [
        "| target | measured | met |",
        "|---|---|---|",
        *(f"| {target} | {measured} | {'yes' if met else '**no**'} |" for target, measured, met in targets),
    ]


def _targets(name: str, *, p95: float, rate16: float, queries: int | None, ratio: str) -> list[tuple[str, str, bool]]:
    """The issue's targets that this operation's figures decide."""
    found = []
    if ratio:
        found.append((f"{name}: p95 ≤ 2 x (SQL + DRF floor)", f"{ratio}x", float(ratio) <= 2))
    if name in ("detail", "status change", "comment"):
        found.append((f"{name}: p95 ≤ 25 ms at 1 client", f"{p95:.1f} ms", p95 <= 25))
    if name.startswith("list") and queries is not None:
        found.append((f"{name}: ≤ 3 queries", str(queries), queries <= 3))
    if name == "detail" and queries is not None:
        found.append(("detail: ≤ 4 queries", str(queries), queries <= 4))
    if name.startswith("statistics"):
        found.append((f"{name}: p95 ≤ 200 ms", f"{p95:.1f} ms", p95 <= 200))
    if name == "create":
        found.append(("create ≥ 150/s at 16 clients", f"{rate16:.0f}/s", rate16 >= 150))
    return found


if __name__ == "__main__":
    main()
