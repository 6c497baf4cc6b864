"""The load points: a server, its clients, who clicks, the figures of a point.

``load_point`` starts one server (bench/servers.py), opens S×8 websocket clients with their
people's cookies in a few processes (bench/clients.py, driven through bench/pool.py), has each
session's facilitator click on an open-loop schedule (over its page's socket, or by POST),
drains, and measures: latency of every step to the last of its 8 sockets, lost steps,
commands applied twice, server CPU per click and per connect, memory per socket, bytes per
frame; with ``ladder`` it finds the highest click rate at which p95 stays under
``LADDER_P95_MS``; with ``storm`` it restarts the server under all its sockets.
"""

import asyncio
import os
import time
from collections import Counter
from typing import Any

from bench.pool import AppDriver, Pool, WsDriver, drive, percentile, schedule, summarise
from bench.servers import Server, free_port, log

# Seconds to let a server settle before its RSS is read, and after the sockets opened
# (shorter in --quick mode, whose memory figures are not kept).
SETTLE = [1.0, 2.0]
STORM_WAIT = [180.0]  # seconds the restart storm waits for every client (--storm-wait)
LADDER_P95_MS = 100.0  # a rate of the capacity ladder passes while p95 stays under this



# --- one load point -----------------------------------------------------------------------


def specs_for(kind, port, sessions):
    """(key, url, headers, is the facilitator's, the server sends the state on connect) for
    the 8 clients of each session."""
    out: list[tuple] = []
    for i, s in enumerate(sessions):
        for j in range(8):
            if kind == "app":
                out.append((s["id"], f"ws://127.0.0.1:{port}/ws/session/{s['id']}/",
                            {"Cookie": s["cookies"][j]}, j == 0, True))
            elif kind == "click":
                out.append((s["id"], f"ws://127.0.0.1:{port}/floor/{s['id']}/",
                            {"Cookie": s["cookies"][j]}, j == 0, True))
            else:
                # The bare floors send nothing on connect: their first frame is a click's.
                out.append((i, f"ws://127.0.0.1:{port}/floor/{i}/", {}, False, False))
    return out


def held_versions(pool) -> dict:
    """The newest version any client of each session holds."""
    out: dict = {}
    for reply in pool.ask("versions"):
        for key, v in reply.items():
            out[key] = max(out.get(key, -1), v)
    return out


def add_frames(total: dict, replies) -> dict:
    """Sum the workers' frame counts ("update facilitator": [bytes, frames], ...)."""
    for r in replies:
        for k, (size, n) in r.get("frames", {}).items():
            slot = total.setdefault(k, [0, 0])
            slot[0] += size
            slot[1] += n
    return total


def frame_means(frames: dict, kind: str) -> dict:
    """Mean bytes per frame of one kind ("update": after a click; "connect": the first frame
    of a connection), per audience and for all sockets."""
    out = {}
    for audience in ("facilitator", "participant"):
        size, n = frames.get(f"{kind} {audience}", (0, 0))
        if n:
            out[audience] = round(size / n)
    size = sum(v[0] for k, v in frames.items() if k.startswith(kind + " "))
    n = sum(v[1] for k, v in frames.items() if k.startswith(kind + " "))
    if n:
        out["all"] = round(size / n)
        out["frames"] = n
    return out


def load_point(name, kind, env, sessions, segments, workers, payload=0, storm=False, rng=None,
               processes=1, click="socket", role=None, ladder=None, connect_payload=0):
    """One load point: start the server, open S×8 clients, click on schedule, measure.

    ``kind``: "app" (the app's daphne), "click" (the stock stack's minimal click and
    reconnect, bench/floor_click.py), "channels" or "websockets" (the bare floors). ``click``
    (app and minimal click): "socket" (a command over the facilitator's open socket) or
    "post". ``ladder``: (seconds per step, [clicks/s, ...]): instead of ``segments``, steps
    of increasing rate until p95 passes ``LADDER_P95_MS`` (the capacity of one process).
    """
    port = free_port()
    if kind not in ("app", "click"):
        click = "driver socket"
    log(f"{name}: {kind} server on :{port} ({processes} process{'es' if processes > 1 else ''}), "
        f"{len(sessions)}×8 sockets, "
        + (f"ladder {ladder}" if ladder else f"segments {segments}") + f", click {click}")
    server = Server(kind, env, port, payload, processes, connect_payload)
    pool = Pool(workers)
    result: dict[str, Any] = {"name": name, "role": role, "server": kind, "click": click,
                              "sessions": len(sessions), "segments": segments,
                              "processes": processes}
    try:
        time.sleep(SETTLE[0])
        rss0 = server.rss_kb()
        cpu_open0 = server.cpu_s()
        t_open = time.monotonic()
        specs = specs_for(kind, port, sessions)
        opened = pool.open(specs, f"http://127.0.0.1:{port}")
        # A refused first attempt retries with backoff, as a browser does: wait for them all.
        deadline = time.monotonic() + 60
        frames: dict = {}
        while True:
            replies = pool.ask("collect")
            add_frames(frames, replies)
            if sum(r["open"] for r in replies) >= len(specs) or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        opened["seconds"] = time.monotonic() - t_open
        # The server's CPU for the connects: handshakes, authentication, the first frames.
        connect_cpu = server.cpu_s() - cpu_open0
        time.sleep(SETTLE[1])
        add_frames(frames, pool.ask("collect"))  # the snapshots each connect starts with
        rss1 = server.rss_kb()
        held = sum(r["open"] for r in pool.ask("collect"))
        result.update(
            sockets=held, first_connect_failed=opened["failed"],
            connect_seconds=round(opened["seconds"], 2),
            connect_cpu_ms_per_socket=round(1000 * connect_cpu / max(1, held), 2),
            rss_before_mb=round(rss0 / 1024, 1), rss_after_mb=round(rss1 / 1024, 1),
            kb_per_socket=round((rss1 - rss0) / max(1, held), 1),
            connect_frame_bytes=frame_means(frames, "connect"),
        )
        log(f"  {held} sockets open in {opened['seconds']:.1f}s "
            f"({opened['failed']} first attempts refused), {result['kb_per_socket']} KB/socket, "
            f"{result['connect_cpu_ms_per_socket']} ms CPU/connect, "
            f"first frame {result['connect_frame_bytes']} B")
        keys = ([s["id"] for s in sessions] if kind in ("app", "click")
                else list(range(len(sessions))))
        before = held_versions(pool)
        cpu0, wall0 = server.cpu_s(), time.monotonic()
        ccpu0 = sum(r["cpu"] for r in pool.ask("collect"))
        if ladder:
            step_s, rates = ladder
            run = climb(server, pool, kind, click, port, sessions, keys, step_s, rates, rng,
                        workers)
            result["ladder"] = run["steps"]
            result["ladder_warmup"] = run.get("warmup")
            passed = [s["rate_per_s"] for s in run["steps"] if s["passed"]]
            result["capacity_per_s"] = max(passed) if passed else None
            # Every rate passed: the capacity is at least the last one.
            result["capacity_capped"] = bool(run["steps"]) and run["steps"][-1]["passed"]
        else:
            run = one_drive(pool, kind, click, port, sessions, keys, before, segments, rng,
                            workers)
            run.update(drain(pool, run["scheduled"]))
        scheduled, statuses, done = run["scheduled"], run["statuses"], run["done"]
        replies = run["replies"]
        add_frames(frames, run["frames"])
        clicks = sum(statuses.values())
        # Clicks the server may or may not have applied: no answer within 30 s (socket) or
        # the connection lost before the answer (POST).
        unanswered = statuses.get("no answer", 0) + statuses.get(0, 0)
        wall = time.monotonic() - wall0
        cpu = server.cpu_s() - cpu0
        ccpu = sum(r["cpu"] for r in replies) - ccpu0
        fig = summarise(scheduled, run["arrivals"], 8)
        result.update(fig)
        update_bytes = frame_means(frames, "update")
        result.update(
            clicks=clicks,
            failed_clicks=clicks - sum(done.values()),
            non_200=sum(v for k, v in statuses.items() if k not in (200, "ack")),
            statuses={str(k): v for k, v in statuses.items()},
            rate_per_s=round(clicks / max(1e-9, run.get("seconds")
                                          or sum(d for d, _ in segments)), 1),
            server_cpu_pct=round(100 * cpu / wall, 1),
            # Server CPU time over the drive and its drain, divided by the clicks sent.
            cpu_ms_per_click=round(1000 * cpu / max(1, clicks), 2),
            clients_cpu_pct=round(100 * ccpu / wall, 1),
            sockets_open_at_end=sum(r["open"] for r in replies),
            # Mean bytes of the state frames the sockets received after the clicks (every
            # socket of the session, the clicker's own copy too), per audience.
            message_bytes=update_bytes.get("all"),
            update_frame_bytes=update_bytes,
            stray_replies=sum(r["stray_replies"] for r in replies),
            rss_end_mb=round(server.rss_kb() / 1024, 1),
            **run.get("extra", {}),
        )
        if kind == "app":
            result.update(applied_once(pool, sessions, keys, before, done, scheduled, click,
                                       unanswered))
        log(f"  {clicks} clicks, {result['failed_clicks']} failed {result['statuses']}, "
            f"{fig['steps']} steps, lost {fig['lost']}, "
            f"p50 {fig['p50_ms']} p95 {fig['p95_ms']} p99 {fig['p99_ms']} max {fig['max_ms']} ms, "
            f"server CPU {result['server_cpu_pct']}% = {result['cpu_ms_per_click']} ms/click, "
            f"clients CPU {result['clients_cpu_pct']}%, frame {update_bytes} B"
            + (f", applied twice {result['applied_twice']}, resent {result.get('resend')}"
               if kind == "app" else "")
            + (f", capacity {result['capacity_per_s']}/s" if ladder else ""))
        if storm:
            result["storm"] = restart_storm(server, pool, sessions)
    finally:
        pool.close()
        server.close()
    return result


def one_drive(pool, kind, click, port, sessions, keys, before, segments, rng, workers) -> dict:
    """Click on the open-loop schedule of ``segments``; the clicks' answers (not yet their
    deliveries: ``drain``)."""
    extra: dict = {}
    if click == "socket":
        t0 = time.monotonic() + 0.5
        plans: list[list] = [[] for _ in range(workers)]
        for i, s in enumerate(sessions):
            plans[pool.worker_of(i)].append((s["id"], s["subject"],
                                             schedule(rng, segments, t0)))
        run_id = f"bench-{port}-{os.urandom(4).hex()}"
        replies = pool.ask("drive", [(plan, run_id, 30.0) for plan in plans])
        scheduled = {(k, v): when for r in replies for k, v, when in r["scheduled"]}
        statuses = sum((Counter(r["statuses"]) for r in replies), Counter())
        done = sum((Counter(r["acked"]) for r in replies), Counter())
        nacks = sum((Counter(r["nacks"]) for r in replies), Counter())
        ack_ms = [x for r in replies for x in r["ack_ms"]]
        extra.update(nacks=dict(nacks),
                     ack_p50_ms=percentile(ack_ms, 50), ack_p95_ms=percentile(ack_ms, 95))
    else:
        drivers: dict
        if kind == "app":  # the page shows the version its socket received
            drivers = {s["id"]: AppDriver(port, s, version=before.get(s["id"]))
                       for s in sessions}
        elif kind == "click":
            drivers = {s["id"]: AppDriver(port, s, f"/click/{s['id']}/") for s in sessions}
        else:
            drivers = {i: WsDriver(port, i) for i in range(len(sessions))}
        scheduled, statuses, done = asyncio.run(_drive_and_close(drivers, keys, segments, rng))
    return {"scheduled": scheduled, "statuses": statuses, "done": done, "extra": extra}


def drain(pool, scheduled, wait=10.0) -> dict:
    """Wait for the last deliveries of ``scheduled`` (or give up on them after ``wait``
    seconds: lost); the arrivals, the workers' last replies and their frame counts."""
    deadline = time.monotonic() + wait
    arrivals: list = []
    frames: dict = {}
    while True:
        time.sleep(0.5)
        replies = pool.ask("collect")
        arrivals += [a for r in replies for a in r["arrivals"]]
        add_frames(frames, replies)
        if summarise(scheduled, arrivals, 8)["lost"] == 0 or time.monotonic() > deadline:
            break
    return {"arrivals": arrivals, "replies": replies, "frames": [{"frames": frames}]}


def climb(server, pool, kind, click, port, sessions, keys, step_s, rates, rng, workers) -> dict:
    """The capacity ladder: ``step_s`` seconds at each rate (clicks/s over all sessions, in
    increasing order), on the same server and sockets, each step drained before the next;
    stop after the first step whose p95 passes ``LADDER_P95_MS`` or that lost a step or a
    click. The rate of a step is what was sent (a facilitator waits for its previous click's
    answer, so an overloaded server is sent less than asked, and shows as latency). A first
    step at the first rate warms the server up (its first clicks load templates, compile
    queries, fill caches) and is not a step of the ladder."""
    total: dict = {"scheduled": {}, "statuses": Counter(), "done": Counter(), "arrivals": [],
                   "frames": [], "steps": [], "seconds": 0.0, "extra": {"nacks": {}}}
    nacks: Counter = Counter()
    for warmup, rate in [(True, rates[0])] + [(False, rate) for rate in rates]:
        before = held_versions(pool)
        cpu0, t0 = server.cpu_s(), time.monotonic()
        period = len(sessions) / rate
        run = one_drive(pool, kind, click, port, sessions, keys, before, [(step_s, period)],
                        rng, workers)
        run.update(drain(pool, run["scheduled"]))
        cpu = server.cpu_s() - cpu0
        fig = summarise(run["scheduled"], run["arrivals"], 8)
        clicks = sum(run["statuses"].values())
        failed = clicks - sum(run["done"].values())
        step = {"asked_per_s": round(rate, 1), "rate_per_s": round(clicks / step_s, 1),
                "clicks": clicks, "failed": failed, "lost": fig["lost"],
                "p50_ms": fig["p50_ms"], "p95_ms": fig["p95_ms"],
                "cpu_ms_per_click": round(1000 * cpu / max(1, clicks), 2),
                "server_cpu_pct": round(100 * cpu / (time.monotonic() - t0), 1)}
        step["passed"] = (fig["p95_ms"] is not None and fig["p95_ms"] <= LADDER_P95_MS
                          and not failed and not fig["lost"])
        log(f"  ladder {'warm-up at ' if warmup else ''}{rate:g}/s: "
            f"sent {step['rate_per_s']}/s, p95 {fig['p95_ms']} ms, "
            f"{step['cpu_ms_per_click']} ms/click, lost {fig['lost']}, failed {failed}"
            + ("" if step["passed"] else " — over"))
        if warmup:
            total["warmup"] = step
        else:
            total["steps"].append(step)
        total["scheduled"].update(run["scheduled"])
        total["statuses"].update(run["statuses"])
        total["done"].update(run["done"])
        total["arrivals"] += run["arrivals"]
        total["frames"] += run["frames"]
        total["replies"] = run["replies"]
        total["seconds"] += step_s
        nacks.update(run["extra"].get("nacks", {}))
        if not step["passed"] and not warmup:
            break
    total["extra"]["nacks"] = dict(nacks)
    return total


def applied_once(pool, sessions, keys, before, done, scheduled, click, unanswered) -> dict:
    """0 commands applied twice: each session's version moved by exactly its acked clicks,
    no two clicks were acked with the same version, and (socket) a click sent again with
    its id is acked as a duplicate without moving the version."""
    after = held_versions(pool)
    moved = {k: after.get(k, -1) - before.get(k, -1) for k in keys}
    beyond = sum(max(0, moved[k] - done.get(k, 0)) for k in keys)
    out = {
        # Versions the sessions moved beyond their acked clicks, less the clicks that got no
        # answer (each may have been applied once), and clicks acked with a version another
        # click had.
        "versions_beyond_acked": beyond,
        "unanswered": unanswered,
        "applied_twice": max(0, beyond - unanswered),
        "acked_not_applied": sum(max(0, done.get(k, 0) - moved[k]) for k in keys),
        "same_version_acked": sum(done.values()) - len(scheduled),
    }
    if click == "socket":
        again = [s["id"] for i, s in enumerate(sessions) if i % 4 == 0]
        parts = [[k for i, k in enumerate(keys) if k in again and pool.worker_of(i) == w]
                 for w in range(len(pool.conns))]
        counts = sum((Counter(r) for r in pool.ask("resend", [(p, 30.0) for p in parts])),
                     Counter())
        time.sleep(1.0)  # a wrongly applied retry would broadcast by now
        final = held_versions(pool)
        moved_by_resend = sum(final.get(k, -1) - after.get(k, -1) for k in keys)
        out["resend"] = dict(counts)
        out["resend_moved_versions"] = moved_by_resend
        out["applied_twice"] += moved_by_resend
    return out


async def _drive_and_close(drivers, keys, segments, rng):
    try:
        await asyncio.gather(*(d.prepare() for d in drivers.values()))
        t0 = time.monotonic() + 0.5
        times = {key: schedule(rng, segments, t0) for key in keys}
        return await drive(drivers, times)
    finally:
        for d in drivers.values():
            d.close()
        await asyncio.sleep(0.1)


def restart_storm(server, pool, sessions):
    """Stop the server under all its sockets, start it again, time the resync of every client."""
    targets = held_versions(pool)
    pool.ask("storm", targets)
    total = len(sessions) * 8
    stopped = time.monotonic()
    server.stop()
    down = time.monotonic()
    server.start()
    up = server.ready
    log(f"  restart storm: stopped in {down - stopped:.1f}s, "
        f"listening again after {up - stopped:.1f}s")
    deadline = time.monotonic() + STORM_WAIT[0]
    while True:
        time.sleep(0.25)
        status = pool.ask("storm_status")
        waiting = sum(s["waiting"] for s in status)
        if waiting == 0 or time.monotonic() > deadline:
            break
    times = sorted(t for s in status for t in s["resynced"])
    out = {
        "clients": total,
        "waited_s": STORM_WAIT[0],
        "resynced": len(times),
        "not_resynced": waiting,
        "stop_seconds": round(down - stopped, 2),
        "restart_to_listening_s": round(up - down, 2),
        "all_current_after_stop_s": (round(times[-1] - stopped, 2)
                                     if times and not waiting else None),
        "all_current_after_listening_s": (round(times[-1] - up, 2)
                                          if times and not waiting else None),
        "p50_after_stop_s": round(percentile(times, 50) - stopped, 2) if times else None,
        # The new process's CPU from its start to the last page current (its start-up too).
        "cpu_ms_per_page": round(1000 * server.cpu_s() / total, 2),
    }
    log(f"  restart storm: {out}")
    return out

