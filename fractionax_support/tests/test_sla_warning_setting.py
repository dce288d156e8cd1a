"""SLA_WARNING_PERCENT: read from the environment, refused outside 1..99 at start-up."""

import os
import subprocess
import sys

import pytest

from .processes import BASE_DIR

pytestmark = pytest.mark.slow  # starts processes

READ = "from django.conf import settings; print(settings.SLA_WARNING_PERCENT)"


def settings_with(value: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "fractionax_support.settings", "DEBUG": "true"}
    env.pop("SLA_WARNING_PERCENT", None)
    if value is not None:
        env["SLA_WARNING_PERCENT"] = value
    return subprocess.run(
        [sys.executable, "-c", READ], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(("value", "read"), [(None, "80"), ("1", "1"), ("95", "95")])
def test_the_percent_is_read_from_the_environment(value, read):
    result = settings_with(value)
    assert (result.returncode, result.stdout.strip()) == (0, read), result.stderr


@pytest.mark.parametrize("value", ["0", "100", "-5"])
def test_a_percent_outside_1_to_99_stops_the_start(value):
    result = settings_with(value)
    assert result.returncode != 0
    assert f"SLA_WARNING_PERCENT must be between 1 and 99, not {value}." in result.stderr
