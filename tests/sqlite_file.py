"""Run test code against a fresh SQLite *file* in a child process.

The test database of the embedded default is in memory, where real concurrent writers
cannot meet; races that must hit SQLite's single writer run here instead."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run_on_sqlite_file(path: Path, module: str, expression: str):
    """Migrate a fresh SQLite file at ``path``, import ``module`` as ``t`` and return the
    JSON value of ``expression`` evaluated in the child."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(
        SQLITE_PATH=str(path),
        DJANGO_SETTINGS_MODULE="intervision.settings",
        PYTHONPATH=str(ROOT),
    )
    script = (
        "import django, json; django.setup()\n"
        "from django.test.utils import setup_test_environment; setup_test_environment()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        f"import {module} as t\n"
        f"print(json.dumps({expression}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,  # the assertion below shows stderr
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
