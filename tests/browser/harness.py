"""Chromium people around a really started daphne's table.

Shared by the browser tests (tests/browser) and scripts/screenshots.py; no pytest here.

- ``Server`` (tests/browser/server.py) is the daphne and its database.
- ``Table`` opens one browser context per person (signed in by cookie), watches every page for
  console errors, uncaught exceptions, CSP violations and server errors, and times how long each
  step takes to reach every page (``click`` / ``act``).
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from tests.browser.server import Server

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Page

__all__ = ["CHROMIUM", "Server", "Table", "launch"]

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

# Installed in every page before its own scripts: records when each version of #live first
# appears (so a step's arrival is timed in the page, not by polling it from Python), and turns
# CSP violations into console errors the test collects.
INIT_SCRIPT = """
(() => {
  window.__seen = {};
  const note = () => {
    const live = document.getElementById("live");
    if (!live) return;
    const v = live.dataset.version;
    if (v !== undefined && !(v in window.__seen)) window.__seen[v] = Date.now();
  };
  new MutationObserver(note).observe(document, { childList: true, subtree: true });
  window.__clicked = 0;
  document.addEventListener("click", () => { window.__clicked = Date.now(); }, true);
  document.addEventListener("submit", () => { window.__clicked = Date.now(); }, true);
  document.addEventListener("securitypolicyviolation", (e) => {
    console.error(
      "CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline"));
  });
})();
"""


# -- people in browsers -------------------------------------------------------------------


@dataclass
class Person:
    name: str
    id: int
    context: BrowserContext
    page: Page
    problems: list = field(default_factory=list)

    def version(self) -> int:
        return int(self.page.locator("#live").get_attribute("data-version") or -1)

    def live(self):
        return self.page.locator("#live")


@dataclass
class Step:
    label: str
    version: int
    latencies: dict  # name -> seconds from the click to the step on that person's page


class Table:
    """The people of one seeded group, each in their own browser context."""

    DESKTOP: ClassVar[dict] = {"width": 1280, "height": 900}

    def __init__(self, server: Server, browser, data: dict, *, budget: float = 1.0):
        self.server = server
        self.browser = browser
        self.data = data
        self.budget = budget
        self.people: dict[str, Person] = {}
        self.steps: list[Step] = []
        # Substrings of console messages a test expects (a refused forged request, a socket
        # cut on purpose): anything else is a problem.
        self.allowed: list[str] = []

    def url(self, path: str) -> str:
        return self.server.base_url + path

    def session_url(self, index: int = 0) -> str:
        return self.url(f"/s/{self.data['sessions'][index]}/")

    def person(
        self, name: str, *, viewport=None, signed_in: bool = True, base_url: str | None = None
    ) -> Person:
        """A browser context for ``name``, its browser saying English as many of ours do;
        ``base_url`` points it at another daphne process of the same deployment."""
        base_url = base_url or self.server.base_url
        context = self.browser.new_context(
            base_url=base_url,
            viewport=viewport or self.DESKTOP,
            locale="en-US",
        )
        context.set_default_timeout(10_000)
        info = self.data["people"][name]
        if signed_in:
            context.add_cookies([{"name": "sessionid", "value": info["cookie"], "url": base_url}])
        context.add_init_script(INIT_SCRIPT)
        page = context.new_page()
        person = Person(name=name, id=info["id"], context=context, page=page)
        self._watch(person, page)
        self.people[name] = person
        return person

    def _watch(self, person: Person, page) -> None:
        def on_console(message):
            if message.type == "error":
                person.problems.append(f"console: {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: person.problems.append(f"page error: {error}"))
        page.on(
            "response",
            lambda r: (
                person.problems.append(f"HTTP {r.status} {r.url}") if r.status >= 500 else None
            ),
        )
        page.on("dialog", lambda dialog: dialog.accept())

    def open(self, name: str, index: int = 0, **kwargs) -> Person:
        person = self.people.get(name) or self.person(name, **kwargs)
        person.page.goto(f"/s/{self.data['sessions'][index]}/")
        person.page.locator("#live").wait_for()
        self.wait_connected(person)
        return person

    def wait_arrived(self, person: Person) -> None:
        """Until the page's arrival (its script's POST, which may seat the person) is
        applied and its news has reached the page (sent to every page of the session)."""
        arrived = person.page.wait_for_function(
            "() => { const r = document.getElementById('live-root');"
            " return r.dataset.arrive ? r.dataset.arrived : '0'; }",
            timeout=30_000,
        ).json_value()
        person.page.wait_for_function(
            "v => +document.getElementById('live').dataset.version >= v",
            arg=int(arrived),
            timeout=30_000,
        )

    def wait_connected(self, person: Person) -> None:
        """Until the page's websocket is open (the header says so)."""
        person.page.wait_for_function(
            "() => { const c = document.getElementById('connection');"
            " const r = document.getElementById('live-root');"
            " return c && r && c.textContent.trim() === r.dataset.online; }",
            timeout=30_000,
        )
        self.wait_arrived(person)

    def on_session_page(self) -> list[Person]:
        return [
            p
            for p in self.people.values()
            if not p.page.is_closed() and re.search(r"/s/[0-9]+/$", p.page.url)
        ]

    # -- acting and watching -------------------------------------------------------------

    def act(
        self,
        actor: Person,
        label: str,
        action,
        *,
        expect: str | None = None,
        watchers: list[Person] | None = None,
    ) -> Step:
        """Do ``action`` on ``actor``'s page; every page on the session must show the next
        version (and ``expect`` in its live region) within the budget, timed in the pages."""
        before = actor.version()
        target = before + 1
        started = time.time()
        action()
        clicked = actor.page.evaluate("() => window.__clicked") / 1000
        started = max(started, clicked)  # the moment the browser dispatched the click
        watchers = watchers if watchers is not None else self.on_session_page()
        latencies = {}
        for person in watchers:
            person.page.wait_for_function(
                "v => +document.getElementById('live').dataset.version >= v",
                arg=target,
                timeout=max(5000, self.budget * 3000),
            )
            seen = person.page.evaluate(
                "v => Math.min(...Object.entries(window.__seen)"
                ".filter(([k]) => +k >= v).map(([, t]) => t))",
                target,
            )
            latencies[person.name] = seen / 1000 - started
        step = Step(label, target, latencies)
        self.steps.append(step)
        slow = {n: round(s, 3) for n, s in latencies.items() if s > self.budget}
        assert not slow, (
            f"step {label!r} reached some pages after more than {self.budget} s: {slow}"
        )
        if expect:
            for person in watchers:
                # inner_text is what is shown, CSS capitals included: compare ignoring case,
                # and spaces of any kind (French puts non-breaking ones inside « »).
                text = " ".join(person.live().inner_text().split()).lower()
                assert " ".join(expect.split()).lower() in text, (
                    f"{person.name} does not see {expect!r} after {label!r}"
                )
        return step

    def click(
        self,
        actor: Person,
        selector,
        *,
        expect: str | None = None,
        label: str | None = None,
        watchers: list[Person] | None = None,
    ) -> Step:
        locator = actor.page.locator(selector) if isinstance(selector, str) else selector
        if label is None:
            found = re.search(r"selector='(.*)'>$", str(locator))
            label = f"{actor.name}: {found.group(1) if found else selector}"
        return self.act(
            actor,
            label,
            locator.click,
            expect=expect,
            watchers=watchers,
        )

    def start_keyword_round(self, facilitator: Person) -> Step:
        """The facilitator leaves the lobby; every open page shows the keyword round."""
        return self.click(
            facilitator,
            facilitator.page.get_by_role("button", name="Commencer le tour de mots-clés"),
            expect="Tour de mots-clés",
        )

    def problems(self) -> list[str]:
        found = []
        for person in self.people.values():
            for problem in person.problems:
                if not any(allowed in problem for allowed in self.allowed):
                    found.append(f"{person.name}: {problem}")
        return found

    def close(self) -> None:
        for person in self.people.values():
            person.context.close()


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
