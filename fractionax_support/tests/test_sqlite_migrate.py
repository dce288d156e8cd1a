"""A new user's first `make run` migrates a fresh SQLite database: it must print the progress
and nothing else (no system-check or Python warnings to puzzle over)."""

import os
import re
import subprocess
import sys

import pytest

from fractionax_support.tests.processes import BASE_DIR

pytestmark = pytest.mark.slow

PROGRESS = re.compile(
    r"Operations to perform:"
    r"|  Apply all migrations: [\w, ]+"
    r"|Running migrations:"
    r"|  Applying \w+\.\w+\.\.\. OK"
)


def test_migrating_a_fresh_sqlite_database_prints_only_its_progress(tmp_path):
    result = subprocess.run(
        [sys.executable, "-W", "default", "manage.py", "migrate", "--noinput"],
        cwd=BASE_DIR,
        env={**os.environ, "DEBUG": "true", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": ""},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [line for line in lines if not PROGRESS.fullmatch(line)] == []
    assert any(line.startswith("  Applying tickets.") for line in lines)
