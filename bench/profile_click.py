"""The CPU of one socket click, in process: what `bench/run.py` measures, without the network.

Sets up a fresh SQLite file (the embedded default's settings, DEBUG off, migrations), seeds
one group of 8 with a live session in its "order" stage and one open subject (as
`bench/seed.py`), connects the 8 people's pages to the real ASGI application (Channels'
`WebsocketCommunicator`: `AuthMiddlewareStack`, the consumer, the in-memory layer) and has
the facilitator toggle "urgent" N times over its socket, as the benchmark's clicks do: each
click waits for its ack and for the new state on all 8 sockets.

Prints the CPU (`time.process_time`, every thread) per click; `--profile` adds cProfile's
top functions (cumulative and own time).

    .venv/bin/python bench/profile_click.py            # 500 clicks
    .venv/bin/python bench/profile_click.py -n 300 --profile
"""

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wire_size(raw: str | bytes) -> int:
    """A frame's size in bytes, as the socket carries it."""
    return len(raw if isinstance(raw, bytes) else raw.encode())


def setup(tmp: str):
    sys.path.insert(0, str(ROOT))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "intervision.settings",
            "SQLITE_PATH": str(Path(tmp) / "profile.sqlite3"),
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "ALLOWED_HOSTS": "localhost",
            "LOG_LEVEL": "WARNING",
            "ALLOW_CONSOLE_EMAIL": "1",
        }
    )
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def seed():
    """One group of 8 (a facilitator and 7 members), its session in the order stage with
    one open subject, a logged-in Django session per person: the cookies."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.module_loading import import_string

    from participants.models import Group, Membership, User
    from sessions_app import flow
    from sessions_app.models import Session, Subject

    group = Group.objects.create(name="Profile", format="intervision")
    users = [
        User.objects.create(email=f"p{j}@profile.example.org", display_name=f"Personne {j}")
        for j in range(8)
    ]
    for j, user in enumerate(users):
        role = Membership.FACILITATOR if j == 0 else Membership.MEMBER
        Membership.objects.create(group=group, user=user, role=role)
    subject = Subject.objects.create(group=group, owner=users[1], keyword="sujet")
    session = Session.objects.create(group=group, format="intervision", title="Séance")
    session.facilitators.add(users[0])
    now = time.time()
    state = flow.new_state("intervision", [subject.as_flow()])
    for person in users[1:]:
        state = flow.step(state, {"type": "join"}, actor=person.pk, facilitator=False, now=now)
    for kind in ("start", "close_triage"):
        state = flow.step(state, {"type": kind}, actor=users[0].pk, facilitator=True, now=now)
    session.state = state.to_dict()
    session.version = state.version
    session.save()
    store_class = import_string(settings.SESSION_ENGINE + ".SessionStore")
    cookies = []
    for user in users:
        store = store_class()
        store[SESSION_KEY] = str(user.pk)
        store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        store[HASH_SESSION_KEY] = user.get_session_auth_hash()
        store.save()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={store.session_key}")
    return session.pk, subject.pk, session.version, cookies


async def drive(n: int, profile: bool):
    from channels.testing import WebsocketCommunicator

    from intervision.asgi import application
    from sessions_app import consumers

    # One facilitator clicking back to back: lift the per-socket rate limit (a check of a
    # few list items, the same work whatever its bound).
    consumers.RATE_LIMIT = 10**9

    session_id, subject_id, version, cookies = await asyncio.to_thread(seed)
    pages = []
    for cookie in cookies:
        page = WebsocketCommunicator(
            application,
            f"/ws/session/{session_id}/",
            headers=[(b"cookie", cookie.encode()), (b"origin", b"http://localhost")],
        )
        connected, _ = await page.connect()
        assert connected, "a page was refused"
        first = json.loads(await page.receive_from())
        assert first["version"] == version
        pages.append(page)

    async def click(i: int, urgent: bool) -> None:
        nonlocal version
        driver = pages[0]
        await driver.send_to(
            text_data=json.dumps(
                {
                    "type": "command",
                    "id": f"click-{i:06d}-{secrets.token_hex(4)}",
                    "version": version,
                    "command": {
                        "type": "set_urgent",
                        "subject": str(subject_id),
                        "urgent": "true" if urgent else "false",
                    },
                }
            )
        )
        # The driver gets the new state (the regions it changed), then the ack; every other
        # page gets the broadcast's copy (the driver's socket has nothing more to receive).
        acked = None
        while acked is None:
            raw = await driver.receive_from(timeout=10)
            message = json.loads(raw)
            if "ack" in message:
                acked = message
            elif "nack" in message:
                raise RuntimeError(message)
            elif "regions" in message or "html" in message:
                sizes["facilitator"].append(wire_size(raw))
        version = acked["version"]
        for page in pages[1:]:
            while True:
                raw = await page.receive_from(timeout=10)
                message = json.loads(raw)
                frame = "regions" in message or "html" in message
                if message.get("version") == version and frame:
                    sizes["participant"].append(wire_size(raw))
                    break

    sizes: dict = {"facilitator": [], "participant": []}  # bytes of each frame after a click
    # Warm-up: templates compiled, translations loaded, caches filled.
    for i in range(30):
        await click(i, i % 2 == 0)
    for measured in sizes.values():
        measured.clear()
    profiler = cProfile.Profile() if profile else None
    if profile:
        # The command runs on Channels' database thread, out of the loop's profiler: give
        # it one of its own.
        from sessions_app import live

        applied = live.apply
        thread_profiler = cProfile.Profile()

        def apply(*args, **kwargs):
            return thread_profiler.runcall(applied, *args, **kwargs)

        live.apply = apply
    cpu0, wall0 = time.process_time(), time.perf_counter()
    if profiler:
        profiler.enable()
    for i in range(30, 30 + n):
        await click(i, i % 2 == 0)
    if profiler:
        profiler.disable()
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    for page in pages:
        await page.disconnect()
    for audience, measured in sizes.items():
        print(f"{audience}: {sum(measured) / len(measured):.0f} bytes per frame after a click")
    if profile:
        live.apply = applied
        return cpu, wall, (profiler, thread_profiler)
    return cpu, wall, None


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500, help="clicks measured (after 30 warm-up)")
    parser.add_argument("--profile", action="store_true", help="cProfile's top functions")
    parser.add_argument("--top", type=int, default=35)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        setup(tmp)
        cpu, wall, profiler = asyncio.run(drive(args.n, args.profile))
    print(
        f"clicks {args.n}  CPU {cpu * 1000 / args.n:.2f} ms/click  "
        f"wall {wall * 1000 / args.n:.2f} ms/click" + ("  (under cProfile)" if profiler else "")
    )
    if profiler:
        print_profiles(("THE EVENT LOOP", "live.apply (database thread)"), profiler, args.top)


def print_profiles(titles, profilers, top: int) -> None:
    """Each profiler's top functions, by cumulative then by own time."""
    for title, one in zip(titles, profilers, strict=True):
        print(f"==== {title}")
        stats = pstats.Stats(one)
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


if __name__ == "__main__":
    main()
