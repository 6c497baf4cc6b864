"""bench/RESULTS.md from a run's raw JSON: the figures, and the targets of issue 6 checked."""

TARGETS = """\
| target (issue 6) | {rows}
"""


def _fmt(v, unit=""):
    return "—" if v is None else f"{v}{unit}"


def _point_rows(points):
    head = (
        "| load point | server | processes | sockets | steps | steps/s | lost | non-200 | p50 ms "
        "| p95 ms | p99 ms | max ms | server CPU | CPU ms/step | clients CPU | KB/socket "
        "| RSS MB |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n"
    )
    rows = []
    for p in points:
        rows.append(
            f"| {p['name']} | {p['server']} | {p.get('processes', 1)} | {p.get('sockets')} "
            f"| {p.get('steps')} "
            f"| {p.get('rate_per_s')} | {p.get('lost')} | {p.get('non_200')} | {_fmt(p.get('p50_ms'))} "
            f"| {_fmt(p.get('p95_ms'))} | {_fmt(p.get('p99_ms'))} | {_fmt(p.get('max_ms'))} "
            f"| {p.get('server_cpu_pct')} % | {p.get('server_cpu_ms_per_step')} "
            f"| {p.get('clients_cpu_pct')} % "
            f"| {p.get('kb_per_socket')} | {p.get('rss_after_mb')} |"
        )
    return head + "\n".join(rows) + "\n"


def _check(ok):
    return "met" if ok else "**missed**"


def _targets(b):
    main = next((p for p in b["points"] if p["name"].startswith(("125x8", "quick main"))), {})
    ch = next((p for p in b["points"] if p["name"] == "floor channels"), {})
    many = next((p for p in b["points"] if p["name"].startswith("500x8")), None)
    out = ["| target | measured | |", "|---|---|---|"]
    if main.get("p95_ms") is not None and ch.get("p95_ms"):
        limit = 1.5 * ch["p95_ms"]
        out.append(
            f"| p95 ≤ 1.5 × bare Channels p95 at 125×8 | {main['p95_ms']} ms vs 1.5 × "
            f"{ch['p95_ms']} = {limit:.1f} ms | {_check(main['p95_ms'] <= limit)} |"
        )
    if main.get("p95_ms") is not None:
        out.append(f"| p95 ≤ 50 ms at 125×8 | {main['p95_ms']} ms | {_check(main['p95_ms'] <= 50)} |")
    else:
        out.append("| p95 ≤ 50 ms at 125×8 | no step arrived | **missed** |")
    for scaled in (p for p in b["points"] if p.get("processes", 1) > 1):
        if scaled.get("p95_ms") is not None and ch.get("p95_ms"):
            limit = 1.5 * ch["p95_ms"]
            out.append(
                f"| the same with {scaled['processes']} daphne processes: p95 ≤ 1.5 × bare "
                f"Channels p95, and ≤ 50 ms | {scaled['p95_ms']} ms (limit {limit:.1f} ms) "
                f"| {_check(scaled['p95_ms'] <= min(limit, 50))} |"
            )
    if many:
        out.append(
            f"| 4,000 sockets held, ≤ 40 KB each | {many.get('sockets')} sockets, "
            f"{many.get('kb_per_socket')} KB each | "
            f"{_check(many.get('sockets', 0) >= 4000 and many.get('kb_per_socket', 1e9) <= 40)} |"
        )
        p99 = many.get("p99_ms")
        out.append(
            f"| p99 ≤ 250 ms at 500×8 | {_fmt(p99, ' ms')} | {_check(p99 is not None and p99 <= 250)} |"
        )
        storm = many.get("storm") or {}
        t = storm.get("all_current_after_stop_s")
        out.append(
            f"| restart storm: every client current within 20 s | "
            f"{_fmt(t, ' s')} after the stop ({storm.get('not_resynced')} never) "
            f"| {_check(t is not None and t <= 20)} |"
        )
    lost = sum(p.get("lost", 0) or 0 for p in b["points"] if p["server"] == "app")
    out.append(f"| 0 lost steps (all app points) | {lost} | {_check(lost == 0)} |")
    return "\n".join(out) + "\n"


def markdown(r, raw_path) -> str:
    m, v = r["machine"], r["versions"]
    parts = [
        "# Benchmark results: the live session, end to end\n",
        f"Last full run: `{r['command']}` at {r['when']} (raw figures: `{raw_path}`).\n",
        "## Machine\n",
        f"- {m['nproc']} cores, {m['cpu']}, {m['memory_gb']} GB RAM, Linux {m['kernel']}",
        f"- file descriptors: limit raised to {r['fd_limit_raised_to']} (`resource.setrlimit`) "
        f"in the driver, each client process and each server",
        f"- load average when the run started: {', '.join(f'{x:.1f}' for x in m['load_average_at_start'])} "
        "(the machine is shared: other work running at the same time inflates every figure)",
        f"- {r['client_processes']} websocket client processes on the same machine\n",
        "## Versions\n",
        ", ".join(f"{k} {val}" for k, val in v.items() if val) + "\n",
    ]
    for b in r["backends"]:
        title = {"embedded": "Embedded default (SQLite file, in-memory channel layer)",
                 "postgres": "PostgreSQL + Redis (channels-redis pub/sub layer)"}[b["backend"]]
        parts.append(f"## {title}\n")
        if "ratio_p95_app_over_channels" in b:
            parts.append(
                f"**Headline: app p95 / bare Channels p95 = {b['ratio_p95_app_over_channels']}** "
                f"(app / bare websockets: {b.get('ratio_p95_app_over_websockets')}).\n"
            )
        parts.append(_point_rows(b["points"]))
        storms = [p["storm"] for p in b["points"] if p.get("storm")]
        for s in storms:
            parts.append(
                f"Restart storm ({s['clients']} clients): server stopped in {s['stop_seconds']} s, "
                f"listening again {s['restart_to_listening_s']} s later; every client on the "
                f"current version {_fmt(s['all_current_after_stop_s'], ' s')} after the stop "
                f"({_fmt(s['all_current_after_listening_s'], ' s')} after listening; half of them "
                f"after {_fmt(s['p50_after_stop_s'], ' s')}); {s['not_resynced']} never resynced.\n"
            )
        parts.append("### Targets\n")
        parts.append(_targets(b))
    return "\n".join(parts)
