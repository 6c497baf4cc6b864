"""Browser tests: Debian's Chromium driven by Playwright against a really started daphne.

The server is another process on its own database, so these tests never use pytest-django's
database fixtures: people, groups and sessions come from ``manage.py e2e_seed``. It takes a
free port from the kernel and is stopped whatever happens (tests/servers.py).
"""

import os
import re
import statistics

import pytest

from tests.servers import stop_running

from .harness import CHROMIUM, Server, Table, launch

HAVE_CHROMIUM = os.access(CHROMIUM, os.X_OK)
SKIP_REASON = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"

_all_steps = []


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        in_chromium = item.get_closest_marker("browser") is not None
        if str(item.fspath).startswith(here) and in_chromium and not HAVE_CHROMIUM:
            item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


def pytest_sessionfinish(session, exitstatus):
    """Whatever server a test left running (a fixture that never got to its teardown) is
    stopped with the run; an atexit net in tests/servers.py catches the rest."""
    stop_running()


@pytest.fixture(scope="session")
def server():
    server = Server()
    try:
        server.start()
        yield server
    finally:
        server.stop()  # also drops the database of a server that failed to start


@pytest.fixture(scope="package")
def browser():
    # Package scope: Playwright's sync API keeps an event loop running in the main thread
    # while it is open, which breaks every later test that uses async_to_sync or
    # Playwright itself. It must close with the last browser test.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright)
        yield browser
        browser.close()


@pytest.fixture
def table_for(request, server, browser):
    """``table_for(**seed options)``: a freshly seeded group and its people's browsers.

    At the end of the test, any console error, uncaught exception, CSP violation or server
    error seen by any page fails the test (unless the test allowed that message)."""
    tables: list[Table] = []
    tag = re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:40]

    def make(**options):
        data = server.seed(f"{tag}-{len(tables)}-{os.getpid()}", **options)
        table = Table(server, browser, data)
        tables.append(table)
        return table

    yield make
    problems = [p for table in tables for p in table.problems()]
    for table in tables:
        _all_steps.extend(table.steps)
        table.close()
    assert server.alive(), f"daphne died during the test:\n{server.log_tail()}"
    if any("HTTP 5" in p for p in problems):
        problems.append(f"server log:\n{server.log_tail()}")
    assert not problems, "problems seen in the pages:\n" + "\n".join(problems)


def pytest_terminal_summary(terminalreporter):
    if not _all_steps:
        return
    worst = [max(step.latencies.values()) for step in _all_steps if step.latencies]
    every = [s for step in _all_steps for s in step.latencies.values()]
    slowest = max(_all_steps, key=lambda step: max(step.latencies.values(), default=0))
    terminalreporter.write_line(
        f"browser: {len(_all_steps)} steps, {len(every)} page updates; click to last page: "
        f"median {statistics.median(worst) * 1000:.0f} ms, "
        f"max {max(worst) * 1000:.0f} ms ({slowest.label})"
    )
