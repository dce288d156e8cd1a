"""A fake Slack Web API and Help Scout Mailbox API on loopback, for the benchmark.

The benchmark's server runs with both integrations configured and pointed here, and a
Celery worker delivers the outbox to it, so ticket changes cost what they cost in
production. It answers every call the outbound providers make with a success.
Run: `python bench/fake_integrations.py PORT`; it prints how many calls it served on exit.
"""

import contextlib
import itertools
import json
import signal
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

# Ids go on from the clock, so a run's never repeat an earlier run's (those are stored).
_ids = itertools.count(int(time.time() * 1000))
calls: dict[str, int] = {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes: without this, a kept-alive connection waits
    # ~40 ms for the client's delayed ACK before the body (Nagle), as no real API does.
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        calls[path] = calls.get(path, 0) + 1
        if path.startswith("/slack/"):
            self._json(200, {"ok": True, "channel": "C0BENCH", "ts": f"{next(_ids) / 1_000_000:.6f}"})
        elif path == "/helpscout/oauth2/token":
            self._json(200, {"token_type": "bearer", "access_token": "bench-token", "expires_in": 172800})
        else:
            self._json(201, {}, headers={"Resource-ID": str(next(_ids))})

    do_GET = do_PUT = do_PATCH = do_POST  # noqa: N815

    def _json(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


def _stop(*_: Any) -> None:
    raise KeyboardInterrupt


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler)
    signal.signal(signal.SIGTERM, _stop)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print(json.dumps(calls), flush=True)


if __name__ == "__main__":
    main()
