"""bench/RESULTS.md from a run's raw JSON: the figures, and the targets of issue 10 checked."""


def _fmt(v, unit=""):
    return "—" if v is None else f"{v}{unit}"


def _point_rows(points):
    head = (
        "| load point | server | click | proc. | sockets | clicks | clicks/s | failed | lost "
        "| applied twice | p50 ms | p95 ms | p99 ms | max ms | CPU ms/click | server CPU "
        "| clients CPU | KB/socket | frame B |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
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
            f"| {p.get('kb_per_socket')} | {_fmt(p.get('message_bytes'))} |"
        )
    return head + "\n".join(rows) + "\n"


def _check(ok):
    return "met" if ok else "**missed**"


def find(points, role, server, click=None):
    return next((p for p in points if p.get("role") == role and p["server"] == server
                 and (click is None or p.get("click") == click)), None)


STORM_OF = {"app": "the app", "click": "the stock stack's minimal reconnect"}


def _app(points, role):
    return find(points, role, "app", "socket") or find(points, role, "app")


def targets(b) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for one backend; met is None when it could not be measured."""
    pts, name = b["points"], b["backend"]
    out = []
    # CPU per click against the stock stack's minimal click, below capacity first.
    for role in ("quarter", "main"):
        app, click = _app(pts, role), find(pts, role, "click")
        if app and click and app.get("cpu_ms_per_click") and click.get("cpu_ms_per_click"):
            limit = 0.5 * click["cpu_ms_per_click"]
            out.append((
                f"CPU per click ≤ 0.5 × the stock stack's minimal click ({app['name']}, "
                f"{app['click']})",
                f"{app['cpu_ms_per_click']} ms vs 0.5 × {click['cpu_ms_per_click']} = "
                f"{limit:.2f} ms (ratio {app['cpu_ms_per_click'] / click['cpu_ms_per_click']:.2f})",
                app["cpu_ms_per_click"] <= limit,
            ))
            break
    else:
        out.append(("CPU per click ≤ 0.5 × the stock stack's minimal click", "not run", None))
    app, ch = _app(pts, "quarter"), find(pts, "quarter", "channels")
    if app and ch and ch.get("p95_ms"):
        p95, limit = app.get("p95_ms"), 2 * ch["p95_ms"]
        out.append((
            "125×8 at one click per 4 s per session: p95 ≤ 2 × bare Channels p95",
            f"{_fmt(p95, ' ms')} vs 2 × {ch['p95_ms']} = {limit:.1f} ms"
            + (f" (ratio {p95 / ch['p95_ms']:.2f})" if p95 is not None else ""),
            p95 is not None and p95 <= limit,
        ))
    else:
        out.append(("125×8 at one click per 4 s: p95 ≤ 2 × bare Channels p95", "not run", None))
    app = _app(pts, "main")
    if app and app.get("processes", 1) == 1:
        p95 = app.get("p95_ms")
        label = "125×8 at one click per second, one process: p95 ≤ 50 ms"
        if name != "embedded":
            label += " (the target is the embedded default's; shown for comparison)"
        out.append((label, _fmt(p95, " ms"),
                    (p95 is not None and p95 <= 50) if name == "embedded" else None))
    many, ch = _app(pts, "many"), find(pts, "many", "channels")
    # The stock stack's minimal reconnect, same sockets and storm (not a target: a reference).
    stock = find(pts, "many", "click") or {}
    if many and ch and ch.get("kb_per_socket"):
        limit = 1.2 * ch["kb_per_socket"]
        out.append((
            "4,000 sockets in one process: KB per socket ≤ 1.2 × the bare Channels floor's",
            f"{many.get('sockets')} sockets, {many['kb_per_socket']} KB vs 1.2 × "
            f"{ch['kb_per_socket']} = {limit:.1f} KB "
            f"(ratio {many['kb_per_socket'] / ch['kb_per_socket']:.2f}"
            + (f"; the stock stack's minimal reconnect: {stock['kb_per_socket']} KB"
               if stock.get("kb_per_socket") else "") + ")",
            many.get("sockets", 0) >= 4000 and many["kb_per_socket"] <= limit,
        ))
    else:
        out.append(("4,000 sockets: KB per socket ≤ 1.2 × bare Channels", "not run", None))
    storm, stock_storm = (many or {}).get("storm"), stock.get("storm")
    if storm:
        t = storm.get("all_current_after_stop_s")
        reference = ""
        if stock_storm:
            reference = (f"; the stock stack's minimal reconnect: "
                         f"{_fmt(stock_storm.get('all_current_after_stop_s'), ' s')}")
        out.append((
            f"restart storm ({storm['clients']} pages): every page current ≤ 15 s after the stop",
            f"{_fmt(t, ' s')} ({storm.get('not_resynced')} not current after "
            f"{storm.get('waited_s', 90):g} s{reference})",
            t is not None and t <= 15,
        ))
    else:
        out.append(("restart storm: every page current ≤ 15 s after the stop", "not run", None))
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
                    f"not current after {s.get('waited_s', 90):g} s.\n"
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
