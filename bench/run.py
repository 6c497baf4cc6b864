#!/usr/bin/env python3
"""Benchmark of the live session, end to end, against the floors of our own stack.

    .venv/bin/python bench/run.py            # full run: embedded default, then PostgreSQL + Redis
    .venv/bin/python bench/run.py --quick    # a few sessions for a few seconds (CI smoke)
    .venv/bin/python bench/run.py --backend embedded

It starts the app's real daphne, seeds S sessions of 8 people, opens S×8 websocket clients
with their cookies (bench/clients.py, in several processes), and has each session's
facilitator click on an open-loop schedule: by default a command sent over the facilitator's
open websocket (acked or nacked by the server), with ``--click post`` through the page's
HTTP POST fallback. Latency of a step runs from its *scheduled* send to its arrival at the
last of the 8 clients. The same run measures the floors: bare websockets, a bare Channels
broadcast, and the stock stack's minimal socket click and minimal reconnect
(bench/floor_click.py); ``bench/report.py`` checks the targets as ratios to them.

The command line (this file); the load points and their figures (bench/driver.py), the
clients and the schedule (bench/pool.py); the
servers and backends (bench/servers.py); the report (bench/report.py). See bench/README.md
for the load points and what each figure means.
"""

import argparse
import json
import random
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent))  # run as a script: the checkout, for the bench package
from bench import driver, report  # noqa: E402
from bench.driver import load_point  # noqa: E402
from bench.servers import Backend, log, machine, raise_fd_limit, versions  # noqa: E402

POINTS = "main,floors,quarter,capacity,scaled,burst,many"


def ladder_rates(start, top, factor=1.25) -> list[float]:
    """The capacity ladder's rates (clicks/s over all sessions): ``start`` × ``factor``ⁿ up
    to ``top``."""
    out, rate = [], float(start)
    while rate <= top:
        out.append(round(rate, 1))
        rate *= factor
    return out


def plan(quick):
    """Each load point's sessions and schedule: [(seconds, seconds between a session's
    clicks), ...]; the capacity ladder's (seconds per step, [clicks/s, ...]).

    The ladder stays under the app's rate limit per person (30 commands in 10 s: 3/s per
    session), so that it measures the server, not the limit: at most 2.8 clicks/s a session.
    """
    if quick:
        return {
            "main": (6, [(4, 1.0)]),
            "quarter": (6, [(4, 2.0)]),
            "capacity": (6, (1.5, [4.0, 8.0, 16.0])),
            "many": (12, [(4, 2.0)]),
            "burst": (6, [(2, 1.0), (2, 0.2), (2, 1.0)]),
        }
    return {
        "main": (125, [(30, 1.0)]),
        "quarter": (125, [(40, 4.0)]),
        "capacity": (125, (8.0, ladder_rates(20, 2.8 * 125))),
        "many": (500, [(60, 10.0)]),
        "burst": (125, [(10, 1.0), (5, 0.2), (15, 1.0)]),
    }


FLOOR_PAYLOAD = 3400  # bytes of the floors' frame when no app point ran first to size it
WRAPPER = len(json.dumps({"version": 100, "html": ""}))  # the floors' frame less its payload


def payload_of(point, kind="update") -> int:
    """The floors' html payload: the app's mean frame after a click (``update``) or on
    connect (``connect``) at that point, less the floors' JSON around the html."""
    sizes = (point or {}).get(f"{kind}_frame_bytes") or {}
    size = sizes.get("all") or 0
    return max(1, size - WRAPPER) if size else FLOOR_PAYLOAD


def run_backend(name, args, rng):
    log(f"== backend {name}")
    backend = Backend(name)
    points = plan(args.quick)
    if args.main_period:
        n, segments = points["main"]
        points["main"] = (n, [(segments[0][0], args.main_period)])
    out: dict = {"backend": name, "points": []}
    clicks = ["socket", "post"] if args.click == "both" else [args.click]
    label = lambda key: "quick" if args.quick else f"{points[key][0]}x8"  # noqa: E731
    rate = lambda key: f"@{1 / points[key][1][0][1]:g}/s"  # noqa: E731
    suffix = lambda click: "" if click == "socket" else " (POST)"  # noqa: E731
    try:
        wanted = set(args.points.split(","))
        if args.only_main:
            wanted &= {"main", "floors", "scaled"}
        # Disjoint sessions per point that writes: each starts from its seeded state.
        sizes = {"many": points["many"][0], "main": points["main"][0],
                 "quarter": points["quarter"][0], "capacity": points["capacity"][0],
                 "scaled": points["main"][0], "burst": points["burst"][0],
                 "click": points["main"][0], "click_quarter": points["quarter"][0],
                 "click_capacity": points["capacity"][0]}
        sessions = backend.seed(sum(sizes.values()))
        pools, start = {}, 0
        for key, n in sizes.items():
            pools[key], start = sessions[start:start + n], start + n

        def point(name, kind, sessions, segments, **kw):
            result = load_point(name, kind, backend.env, sessions, segments, args.workers,
                                rng=rng, **kw)
            out["points"].append(result)
            return result

        def floors(key, app, sessions, click_sessions, kinds, **kw):
            """The floors of a point, sized by its app point: the bare ones, then the stock
            stack's minimal click (by socket, and by POST when the app clicked both ways)."""
            seg = points[key][1]
            payload, connect = payload_of(app), payload_of(app, "connect")
            for kind in kinds:
                point(f"floor {kind} {rate(key)}", kind, sessions, seg, payload=payload,
                      role=key, **kw)
            for click in ["socket", "post"] if "post" in clicks else ["socket"]:
                point(f"floor click {rate(key)}{suffix(click)}", "click", click_sessions, seg,
                      payload=payload, connect_payload=connect, click=click, role=key, **kw)

        app = None
        if "main" in wanted:
            for click in clicks:
                result = point(f"{label('main')} {rate('main')}{suffix(click)}", "app",
                               pools["main"], points["main"][1], click=click, role="main")
                app = app or result
        if "floors" in wanted:
            floors("main", app, pools["main"], pools["click"], ("channels", "websockets"))
        q_app = None
        if "quarter" in wanted:
            for click in clicks:
                result = point(f"{label('quarter')} {rate('quarter')}{suffix(click)}", "app",
                               pools["quarter"], points["quarter"][1], click=click,
                               role="quarter")
                q_app = q_app or result
            floors("quarter", q_app or app, pools["quarter"], pools["click_quarter"],
                   ("channels",))
        if "capacity" in wanted:
            # The capacity of one process: the app and the stock stack's minimal socket
            # click, each on a ladder of rates until p95 passes 100 ms.
            n, ladder = points["capacity"]
            sized = q_app or app
            point(f"{label('capacity')} capacity ladder", "app", pools["capacity"], [],
                  ladder=ladder, click="socket", role="capacity")
            point(f"floor click {label('capacity')} capacity ladder", "click",
                  pools["click_capacity"], [], ladder=ladder, click="socket",
                  payload=payload_of(sized), connect_payload=payload_of(sized, "connect"),
                  role="capacity")
        if "scaled" in wanted and name == "postgres" and args.processes > 1:
            # The production layout: several daphne processes sharing Redis and PostgreSQL.
            point(f"{label('main')} {rate('main')}, {args.processes} processes", "app",
                  pools["scaled"], points["main"][1], processes=args.processes,
                  click=clicks[0], role="scaled")
        if "burst" in wanted:
            point("burst 5x", "app", pools["burst"], points["burst"][1], click=clicks[0],
                  role="burst")
        if "many" in wanted:
            many = point(f"{label('many')} {rate('many')} + restart storm", "app",
                         pools["many"], points["many"][1], storm=True, click=clicks[0],
                         role="many")
            # The floors' memory with as many sockets (a third of the schedule is enough):
            # the bare Channels consumer, and the stock stack's minimal reconnect under the
            # same restart storm (AuthMiddlewareStack, one SELECT, a frame the size of the
            # app's whole frame: bench/floor_click.py).
            duration, period = points["many"][1][0]
            seg = [(max(period, duration / 3), period)]
            point(f"floor channels {label('many')} {rate('many')}", "channels", pools["many"],
                  seg, payload=payload_of(many), role="many")
            point(f"floor click {label('many')} {rate('many')} + restart storm", "click",
                  pools["many"], seg, payload=payload_of(many),
                  connect_payload=payload_of(many, "connect"), storm=True, click="socket",
                  role="many")
        out.update(report.ratios(out["points"]))
    finally:
        backend.close()
    return out


def shown(path: Path) -> Path:
    """A path as RESULTS.md names it: relative to the checkout when inside it."""
    try:
        return path.resolve().relative_to(BENCH.parent)
    except ValueError:
        return path.resolve()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a few sessions for a few seconds")
    parser.add_argument("--backend", choices=["embedded", "postgres", "both"], default="both")
    parser.add_argument("--workers", type=int, default=2, help="websocket client processes")
    parser.add_argument("--only-main", action="store_true", help="only the 125×8 point and floors")
    parser.add_argument("--points", default=POINTS, help=f"load points to run, among {POINTS}")
    parser.add_argument("--click", choices=["socket", "post", "both"], default="socket",
                        help="how the app's facilitator clicks: a command over the page's open "
                             "websocket (default), the HTTP POST fallback, or both (the main "
                             "and quarter points, and their minimal click, run once each way)")
    parser.add_argument("--processes", type=int, default=2,
                        help="daphne processes of the 'scaled' point (PostgreSQL + Redis only)")
    parser.add_argument("--main-period", type=float,
                        help="seconds between clicks of a session at the main point (default 1)")
    parser.add_argument("--storm-wait", type=float, default=180.0,
                        help="seconds the restart storm waits for every client to be current")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", help="raw JSON file (default bench/results/<time>.json)")
    parser.add_argument("--no-write", action="store_true", help="do not write RESULTS.md")
    args = parser.parse_args()
    unknown = set(args.points.split(",")) - set(POINTS.split(","))
    if unknown:
        parser.error(f"unknown points: {', '.join(sorted(unknown))} (among {POINTS})")
    fd = raise_fd_limit()
    driver.STORM_WAIT[0] = args.storm_wait
    if args.quick:
        driver.SETTLE[:] = [0.3, 0.5]
    rng = random.Random(args.seed)
    results = {
        "command": " ".join(["bench/run.py", *sys.argv[1:]]),
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine(),
        "versions": versions(),
        "fd_limit_raised_to": fd,
        "client_processes": args.workers,
        "click": args.click,
        "backends": [],
    }
    names = ["embedded", "postgres"] if args.backend == "both" else [args.backend]
    for name in names:
        results["backends"].append(run_backend(name, args, rng))
    out = Path(args.out) if args.out else BENCH / "results" / (
        time.strftime("%Y%m%dT%H%M%S", time.gmtime()) + ("-quick" if args.quick else "") + ".json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    log("raw results:", out)
    if not args.no_write and not args.quick:
        (BENCH / "RESULTS.md").write_text(report.markdown(results, shown(out)))
        log("wrote bench/RESULTS.md")
    return results


if __name__ == "__main__":
    main()
