"""bench/RESULTS.md from a run's raw JSON: the figures, and the targets of issue 24 checked,
each a ratio to a floor of the same run (``targets``, ``ratios``).

    python bench/report.py RAW.json [RAW.json ...] [--notes NOTES.md] > bench/RESULTS.md
"""


def _fmt(v, unit=""):
    return "—" if v is None else f"{v}{unit}"


def _sizes(sizes, default=None) -> str:
    """Mean bytes per frame: all sockets (the facilitator's / the participants')."""
    sizes = sizes or {}
    if not sizes.get("all"):
        return _fmt(default)
    return f"{sizes['all']} ({_fmt(sizes.get('facilitator'))} / {_fmt(sizes.get('participant'))})"


def _ladder_rows(points) -> str:
    """Each capacity ladder, step by step."""
    out = []
    for p in points:
        if not p.get("ladder"):
            continue
        capacity = p.get("capacity_per_s")
        out.append(
            f"Capacity ladder of {p['name']} ({p['server']}): "
            + ("every rate passed, capacity at least " if p.get("capacity_capped")
               else "capacity ")
            + _fmt(capacity, " clicks/s") + " (the highest rate with p95 ≤ 100 ms).\n")
        out.append("| asked clicks/s | sent clicks/s | clicks | failed | lost | p50 ms | p95 ms "
                   "| CPU ms/click | server CPU | |\n|---|---|---|---|---|---|---|---|---|---|")
        for st in p["ladder"]:
            out.append(f"| {st['asked_per_s']} | {st['rate_per_s']} | {st['clicks']} "
                       f"| {st['failed']} | {st['lost']} | {_fmt(st['p50_ms'])} "
                       f"| {_fmt(st['p95_ms'])} | {st['cpu_ms_per_click']} "
                       f"| {st['server_cpu_pct']} % | {'passed' if st['passed'] else 'over'} |")
        out.append("")
    return "\n".join(out)


def _point_rows(points):
    head = (
        "| load point | server | click | proc. | sockets | clicks | clicks/s | failed | lost "
        "| applied twice | p50 ms | p95 ms | p99 ms | max ms | CPU ms/click | server CPU "
        "| clients CPU | KB/socket | CPU ms/connect | frame B after a click (fac. / part.) "
        "| first frame B (fac. / part.) |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for p in points:
        twice = p.get("applied_twice") if p["server"] == "app" else None
        rows.append(
            f"| {p['name']} | {p['server']} | {p.get('click', '')} | {p.get('processes', 1)} "
            f"| {p.get('sockets')} | {p.get('clicks', p.get('steps'))} | {p.get('rate_per_s')} "
            f"| {p.get('failed_clicks', p.get('non_200'))} | {p.get('lost')} | {_fmt(twice)} "
            f"| {_fmt(p.get('p50_ms'))} | {_fmt(p.get('p95_ms'))} | {_fmt(p.get('p99_ms'))} "
            f"| {_fmt(p.get('max_ms'))} "
            f"| {_fmt(p.get('cpu_ms_per_click', p.get('server_cpu_ms_per_step')))} "
            f"| {p.get('server_cpu_pct')} % | {p.get('clients_cpu_pct')} % "
            f"| {p.get('kb_per_socket')} | {_fmt(p.get('connect_cpu_ms_per_socket'))} "
            f"| {_sizes(p.get('update_frame_bytes'), p.get('message_bytes'))} "
            f"| {_sizes(p.get('connect_frame_bytes'))} |"
        )
    return head + "\n".join(rows) + "\n"


def _check(ok):
    return "met" if ok else "**missed**"


def find(points, role, server, click=None):
    return next((p for p in points if p.get("role") == role and p["server"] == server
                 and (click is None or p.get("click") == click)), None)


STORM_OF = {"app": "the app", "click": "the stock stack's minimal reconnect"}
KB = 1024


def _app(points, role):
    return find(points, role, "app", "socket") or find(points, role, "app")


def _pair(points, roles, key):
    """The app (socket click) and the stock stack's minimal socket click at the first of
    ``roles`` where both measured ``key``."""
    for role in roles:
        app, floor = _app(points, role), find(points, role, "click", "socket")
        if app and floor and app.get(key) is not None and floor.get(key):
            return app, floor
    return None, None


def ratios(points) -> dict:
    """The figures the targets compare, each against its floor of the same run."""
    def ratio(a, b, key):
        if a and b and a.get(key) is not None and b.get(key):
            return round(a[key] / b[key], 2)
        return None

    out = {}
    for role in ("main", "quarter"):
        app = _app(points, role)
        out[f"{role}_p95_app_over_click"] = ratio(app, find(points, role, "click", "socket"),
                                                  "p95_ms")
        out[f"{role}_p95_app_over_channels"] = ratio(app, find(points, role, "channels"),
                                                     "p95_ms")
        out[f"{role}_p95_app_over_websockets"] = ratio(app, find(points, role, "websockets"),
                                                       "p95_ms")
        out[f"{role}_cpu_app_over_click"] = ratio(app, find(points, role, "click", "socket"),
                                                  "cpu_ms_per_click")
        out[f"{role}_cpu_app_over_post_click"] = ratio(app, find(points, role, "click", "post"),
                                                       "cpu_ms_per_click")
        post = find(points, role, "app", "post")
        if post and app is not post:
            out[f"{role}_cpu_socket_over_post"] = ratio(app, post, "cpu_ms_per_click")
    out["capacity_app_over_click"] = ratio(_app(points, "capacity"),
                                           find(points, "capacity", "click"), "capacity_per_s")
    for role in ("many", "quarter"):
        app, floor = _app(points, role), find(points, role, "click", "socket")
        out[f"{role}_connect_cpu_app_over_click"] = ratio(app, floor,
                                                          "connect_cpu_ms_per_socket")
        out[f"{role}_kb_app_over_click"] = ratio(app, floor, "kb_per_socket")
    out["many_kb_app_over_channels"] = ratio(_app(points, "many"), find(points, "many", "channels"),
                                             "kb_per_socket")
    storms = [(p or {}).get("storm") or {}
              for p in (_app(points, "many"), find(points, "many", "click"))]
    if storms[0].get("all_current_after_stop_s") and storms[1].get("all_current_after_stop_s"):
        out["storm_app_over_click"] = round(storms[0]["all_current_after_stop_s"]
                                            / storms[1]["all_current_after_stop_s"], 2)
    return {k: v for k, v in out.items() if v is not None}


def _bytes(sizes) -> str:
    sizes = sizes or {}
    return (f"{_fmt(sizes.get('all'), ' B')} (facilitator {_fmt(sizes.get('facilitator'))}, "
            f"participants {_fmt(sizes.get('participant'))})")


def capacity_bounds(point) -> tuple[float, float]:
    """What a ladder tells of a capacity: (at least, at most). The highest passing rate is
    the capacity, but a ladder whose every rate passed gives only a lower bound, and one
    whose first rate failed only an upper bound (its first rate)."""
    rate = point.get("capacity_per_s")
    if point.get("capacity_capped"):
        return rate or 0.0, float("inf")
    if rate is None:
        steps = point.get("ladder") or [{}]
        return 0.0, steps[0].get("rate_per_s") or float("inf")
    return rate, rate


def capacity_met(app, floor) -> bool | None:
    """Whether the app's capacity is at least half the floor's; None when the ladders
    cannot tell (one of them never reached its limit)."""
    a_low, a_high = capacity_bounds(app)
    f_low, f_high = capacity_bounds(floor)
    if a_low >= 0.5 * f_high:
        return True
    if a_high < 0.5 * f_low:
        return False
    return None


def targets(b) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for one backend; met is None when it could not be measured.

    Issue 24: every target a ratio to the stock stack's minimal socket click or minimal
    reconnect (bench/floor_click.py) measured in the same run, but the frame's size."""
    pts = b["points"]
    out: list[tuple[str, str, bool | None]] = []

    def missing(target):
        out.append((target, "not run", None))

    # CPU per click, below capacity first (125×8 @1/4 s), against the minimal socket click.
    target = "CPU per click ≤ 2 × the stock stack's minimal socket click"
    app, floor = _pair(pts, ("quarter", "main"), "cpu_ms_per_click")
    if app and floor:
        a, f = app["cpu_ms_per_click"], floor["cpu_ms_per_click"]
        out.append((f"{target} ({app['name']})",
                    f"{a} ms vs 2 × {f} = {2 * f:.2f} ms (ratio {a / f:.2f})", a <= 2 * f))
    else:
        missing(target)
    # Capacity of one process: the highest rate of the ladder with p95 ≤ 100 ms.
    target = "One process's capacity ≥ 0.5 × the minimal socket click's (p95 ≤ 100 ms)"
    app, floor = _app(pts, "capacity"), find(pts, "capacity", "click", "socket")
    if app and floor and "capacity_per_s" in app and "capacity_per_s" in floor:
        a, f = app["capacity_per_s"], floor["capacity_per_s"]
        at_least = lambda p: "≥ " if p.get("capacity_capped") else ""  # noqa: E731
        out.append((target,
                    f"app {at_least(app)}{_fmt(a, ' clicks/s')} vs 0.5 × minimal click "
                    f"{at_least(floor)}{_fmt(f, ' clicks/s')}"
                    + (f" = {0.5 * f:.1f} clicks/s (ratio {a / f:.2f})" if a and f else "")
                    + (" (no rate of the ladder under 100 ms)" if a is None or f is None
                       else ""),
                    capacity_met(app, floor)))
    else:
        missing(target)
    # The tail below capacity.
    target = "p95 at 125×8 @1/4 s ≤ 3 × the minimal socket click's p95"
    app, floor = _pair(pts, ("quarter",), "p95_ms")
    if app and floor:
        a, f = app["p95_ms"], floor["p95_ms"]
        out.append((f"{target} ({app['name']})",
                    f"{a} ms vs 3 × {f} = {3 * f:.1f} ms (ratio {a / f:.2f})", a <= 3 * f))
    else:
        missing(target)
    # Bytes per frame after a click, and the whole frame after a reconnect.
    target = "Bytes per frame after a click: mean ≤ 2 KB"
    app = next((p for p in (_app(pts, r) for r in ("quarter", "main", "capacity", "many"))
                if p and ((p.get("update_frame_bytes") or {}).get("all")
                          or p.get("message_bytes"))), None)
    if app:
        # Raw files from before the frames were counted per audience: the mean alone.
        sizes = app.get("update_frame_bytes") or {"all": app["message_bytes"]}
        out.append((f"{target} ({app['name']})",
                    f"{_bytes(sizes)}; the whole frame after a reconnect "
                    f"{_bytes(app.get('connect_frame_bytes'))}", sizes["all"] <= 2 * KB))
    else:
        missing(target)
    # The connect, against the stock stack's minimal reconnect (4,000 sockets first).
    target = "Connect: CPU ≤ 1.2 × the minimal reconnect's"
    app, floor = _pair(pts, ("many", "quarter"), "connect_cpu_ms_per_socket")
    if app and floor:
        a, f = app["connect_cpu_ms_per_socket"], floor["connect_cpu_ms_per_socket"]
        out.append((f"{target} ({app['sockets']} sockets)",
                    f"{a} ms vs 1.2 × {f} = {1.2 * f:.2f} ms per connect (ratio {a / f:.2f})",
                    a <= 1.2 * f))
    else:
        missing(target)
    target = "Connect: KB per socket ≤ 1.05 × the minimal reconnect's"
    app, floor = _pair(pts, ("many", "quarter"), "kb_per_socket")
    if app and floor:
        a, f = app["kb_per_socket"], floor["kb_per_socket"]
        ch = find(pts, app["role"], "channels") or {}
        out.append((f"{target} ({app['sockets']} sockets)",
                    f"{a} KB vs 1.05 × {f} = {1.05 * f:.1f} KB (ratio {a / f:.2f}"
                    + (f"; bare Channels {ch['kb_per_socket']} KB" if ch.get("kb_per_socket")
                       else "") + ")",
                    a <= 1.05 * f))
    else:
        missing(target)
    target = "Connect: restart storm ≤ 1.2 × the minimal reconnect's time"
    storm = (_app(pts, "many") or {}).get("storm") or {}
    stock = (find(pts, "many", "click") or {}).get("storm") or {}
    if storm and stock:
        a, f = storm.get("all_current_after_stop_s"), stock.get("all_current_after_stop_s")
        measured = (f"{_fmt(a, ' s')} vs 1.2 × {_fmt(f, ' s')}"
                    + (f" = {1.2 * f:.1f} s (ratio {a / f:.2f})" if a and f else "")
                    + f" for {storm['clients']} pages ({storm.get('not_resynced')} not current "
                    f"after {storm.get('waited_s', 90):g} s; CPU per page "
                    f"{_fmt(storm.get('cpu_ms_per_page'), ' ms')} vs "
                    f"{_fmt(stock.get('cpu_ms_per_page'), ' ms')})")
        out.append((f"{target} ({storm['clients']} pages)", measured,
                    None if f is None else (a is not None and a <= 1.2 * f)))
    else:
        missing(target)
    lost = sum(p.get("lost") or 0 for p in pts)
    twice = sum(p.get("applied_twice") or 0 for p in pts if p["server"] == "app")
    failed = sum(p.get("failed_clicks") or 0 for p in pts if p["server"] == "app")
    resend: dict = {}
    for p in pts:
        for k, v in (p.get("resend") or {}).items():
            resend[k] = resend.get(k, 0) + v
    out.append((
        "0 lost steps, 0 commands applied twice, at every point",
        f"{lost} lost, {twice} applied twice ({failed} failed clicks; retries sent again "
        f"with their id: {resend or '—'})",
        lost == 0 and twice == 0,
    ))
    return out


def _targets_table(b):
    rows = ["| target | measured | |", "|---|---|---|"]
    for target, measured, ok in targets(b):
        verdict = "not measured" if ok is None and measured == "not run" else (
            "—" if ok is None else _check(ok))
        rows.append(f"| {target} | {measured} | {verdict} |")
    return "\n".join(rows) + "\n"


def markdown(r, raw_path, notes: str = "") -> str:
    m, v = r["machine"], r["versions"]
    parts = [
        "# Benchmark results: the live session, end to end\n",
        f"Run: `{r['command']}` at {r['when']} (raw figures: `{raw_path}`).\n",
        "## Machine\n",
        f"- {m['nproc']} cores (shared with other work), {m['cpu']}, {m['memory_gb']} GB RAM, "
        f"Linux {m['kernel']}",
        f"- file descriptors: limit raised to {r['fd_limit_raised_to']} (`resource.setrlimit`) "
        f"in the driver, each client process and each server",
        "- load average (1, 5, 15 min) when the run started: "
        + ("; ".join(f"`{cmd}`: {', '.join(f'{x:.2f}' for x in la)}"
                     for cmd, la in m["load_average_runs"])
           if m.get("load_average_runs")
           else ", ".join(f"{x:.2f}" for x in m["load_average_at_start"]))
        + " (the machine is shared: other work running at the same time inflates every figure)",
        f"- {r['client_processes']} websocket client processes on the same machine; the app's "
        f"click: {r.get('click', 'post')}\n",
        "## Versions\n",
        ", ".join(f"{k} {val}" for k, val in v.items() if val) + "\n",
    ]
    if notes:
        parts.append(notes.rstrip() + "\n")
    for b in r["backends"]:
        title = {"embedded": "Embedded default (SQLite file, in-memory channel layer)",
                 "postgres": "PostgreSQL + Redis (channels-redis pub/sub layer)"}[b["backend"]]
        parts.append(f"## {title}\n")
        parts.append("### Targets\n")
        parts.append(_targets_table(b))
        parts.append("### Load points\n")
        parts.append(_point_rows(b["points"]))
        ladders = _ladder_rows(b["points"])
        if ladders:
            parts.append(ladders)
        ratios = {k: val for k, val in b.items() if k not in ("backend", "points")}
        if ratios:
            parts.append("Ratios (app over its floor, same run): "
                         + ", ".join(f"{k} {val}" for k, val in ratios.items()) + "\n")
        for p in b["points"]:
            s = p.get("storm")
            if s:
                parts.append(
                    f"Restart storm of {STORM_OF.get(p['server'], p['server'])} "
                    f"({s['clients']} clients): server stopped in "
                    f"{s['stop_seconds']} s, listening again {s['restart_to_listening_s']} s "
                    f"later; every client on the current version "
                    f"{_fmt(s['all_current_after_stop_s'], ' s')} after the stop "
                    f"({_fmt(s['all_current_after_listening_s'], ' s')} after listening; half "
                    f"of them after {_fmt(s['p50_after_stop_s'], ' s')}); {s['not_resynced']} "
                    f"not current after {s.get('waited_s', 90):g} s; the new process's CPU "
                    f"{_fmt(s.get('cpu_ms_per_page'), ' ms')} per page, its start-up "
                    f"included.\n"
                )
            if p.get("nacks") or p.get("stray_replies"):
                parts.append(f"{p['name']}: nacks {p.get('nacks')}, stray replies "
                             f"{p.get('stray_replies')}.\n")
    return "\n".join(parts)


def merge(runs: list[dict]) -> dict:
    """Several runs (e.g. one per backend) as one report: the first run's machine, every
    run's command and load average, the backends of all."""
    out = dict(runs[0])
    out["backends"] = [b for r in runs for b in r["backends"]]
    if len(runs) > 1:
        out["command"] = "`, `".join(r["command"] for r in runs)
        out["when"] = ", ".join(r["when"] for r in runs)
        out["machine"] = dict(runs[0]["machine"])
        out["machine"]["load_average_runs"] = [
            (r["command"], r["machine"]["load_average_at_start"]) for r in runs]
    return out


if __name__ == "__main__":
    # python bench/report.py RAW.json [RAW.json ...] [--notes NOTES.md] > bench/RESULTS.md
    import json
    import sys

    args, notes = sys.argv[1:], ""
    if "--notes" in args:
        i = args.index("--notes")
        notes = open(args[i + 1]).read()
        del args[i:i + 2]
    runs = [json.load(open(a)) for a in args]
    sys.stdout.write(markdown(merge(runs), ", ".join(args), notes))
