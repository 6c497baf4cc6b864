"""The servers a load point measures, and where the app keeps its data.

``Server`` starts the app's real daphne (``intervision.asgi``) or one of the floors
(bench/floor_websockets.py, bench/floor_channels.py, bench/floor_click.py) on a free port the
kernel gives, and measures it only once every listener on that port is its own; its RSS and
CPU come from /proc. ``Backend`` creates the embedded default's SQLite file, or a PostgreSQL
database of this process's own and a Redis prefix, migrates and seeds them.
"""

import json
import os
import platform
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
# The tree whose app is measured: this checkout, or another one (e.g. an exported commit).
ROOT = Path(os.environ.get("BENCH_TREE") or BENCH.parent).resolve()
PY = sys.executable
PG_ADMIN = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/0")
CLK = os.sysconf("SC_CLK_TCK")


def log(*args):
    print(time.strftime("%H:%M:%S"), *args, flush=True)


# --- machine and servers -----------------------------------------------------------------


def free_port() -> int:
    """A port the kernel says is free now (bind to port 0). Another program may take it
    before our server binds it: ``Server`` checks that the listener is its own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_inodes(port) -> set[str]:
    """The sockets (inodes) listening on ``port``, whoever holds them (/proc/net/tcp)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    return inodes


def socket_inodes(pid) -> set[str]:
    """The sockets (inodes) process ``pid`` holds."""
    out: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return out
    for fd in fds:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            out.add(target[8:-1])
    return out


def raise_fd_limit() -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def machine() -> dict:
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem = Path("/proc/meminfo").read_text().splitlines()[0].split()[1]
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "memory_gb": round(int(mem) / 1024 / 1024, 1),
        "kernel": platform.release(),
        "fd_limit": resource.getrlimit(resource.RLIMIT_NOFILE)[0],
        # Other work on the machine skews every figure: recorded, not hidden.
        "load_average_at_start": list(os.getloadavg()),
    }


def versions() -> dict:
    from importlib.metadata import version

    names = ["django", "channels", "daphne", "twisted", "websockets", "channels-redis", "redis",
             "psycopg", "psycopg-pool"]
    out: dict[str, str | None] = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = version(name)
        except Exception:
            out[name] = None
    try:
        out["sqlite"] = __import__("sqlite3").sqlite_version
    except Exception:
        pass
    for cmd, key in ((["psql", "--version"], "postgresql-client"),
                     (["redis-server", "--version"], "redis-server")):
        try:
            out[key] = subprocess.run(cmd, capture_output=True, text=True).stdout.strip()
        except OSError:
            pass
    return out


class Server:
    """The server processes we started: their RSS and CPU (summed) come from /proc.

    ``processes`` > 1 (app only, with Redis): that many daphne processes, each on its own
    listening socket bound to the same port with SO_REUSEPORT (``daphne --fd``), the kernel
    spreading new connections evenly among them, as N replicas behind a load balancer would,
    without the balancer's own cost.
    """

    def __init__(self, kind, env, port, payload=0, processes=1, connect_payload=0):
        """``payload``: bytes of the frame the floors send after a click; ``connect_payload``
        (bench/floor_click.py): of the whole frame a socket gets when it connects."""
        self.kind, self.port, self.processes = kind, port, processes
        self.socks = []
        daphne = [PY, "-m", "daphne", "--websocket-max-message-size", "65536",
                  "--websocket_connect_timeout", "30"]
        if kind == "app" and processes > 1:
            for _ in range(processes):
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
                sock.bind(("127.0.0.1", port))
                sock.listen(4096)
                self.socks.append(sock)
            cmd = [*daphne, "--fd", "{fd}", "intervision.asgi:application"]
        elif kind == "app":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "intervision.asgi:application"]
        elif kind == "channels":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "bench.floor_channels:application"]
        elif kind == "click":
            cmd = [*daphne, "-b", "127.0.0.1", "-p", str(port), "bench.floor_click:application"]
            env = {**env, "DJANGO_SETTINGS_MODULE": "bench.floor_click_settings"}
        else:
            cmd = [PY, str(BENCH / "floor_websockets.py"), str(port), str(payload)]
        self.cmd = cmd
        self.env = {**env, "BENCH_PAYLOAD_BYTES": str(payload),
                    "BENCH_CONNECT_PAYLOAD_BYTES": str(connect_payload or payload)}
        self.start()

    def start(self):
        self.log = open(tempfile.mktemp(prefix=f"bench-{self.kind}-", suffix=".log"), "w")
        self.procs = []
        try:
            self._start()
        except BaseException:
            self.stop(signal.SIGKILL)  # a server that failed to start is not left running
            raise

    def ours(self) -> bool:
        """Whether every socket listening on our port is one of ours: the one our process
        bound, or those we bound and handed over. Anything else (another program on the
        port) and the clients would measure that program."""
        listening = listening_inodes(self.port)
        if self.socks:
            mine = {str(os.fstat(sock.fileno()).st_ino) for sock in self.socks}
        else:
            mine = set().union(*(socket_inodes(proc.pid) for proc in self.procs))
        return bool(listening) and listening <= mine

    def _start(self):
        for i in range(self.processes):
            fds = [self.socks[i].fileno()] if self.socks else []
            cmd = [a.format(fd=fds[0]) if a == "{fd}" else a for a in self.cmd]
            self.procs.append(subprocess.Popen(
                cmd, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                preexec_fn=_lift_fd_limit, pass_fds=fds))
        self.proc = self.procs[0]
        self.started = time.monotonic()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if any(p.poll() is not None for p in self.procs):
                raise RuntimeError(f"{self.kind} server exited: see {self.log.name}")
            if self.socks:
                if not self.ours():
                    break
                # The sockets accept before any daphne runs: wait for an answer, then
                # give the other processes the time one took to start.
                if self._answers():
                    time.sleep(time.monotonic() - self.started)
                    self.ready = time.monotonic()
                    return
                time.sleep(0.1)
                continue
            if self.ours():
                self.ready = time.monotonic()
                return
            time.sleep(0.05)
        raise RuntimeError(
            f"{self.kind} server did not listen on {self.port}"
            + (" (another program is listening there)" if listening_inodes(self.port) else "")
            + f": see {self.log.name}"
        )

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
                conn.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                             b"Connection: close\r\n\r\n")
                return conn.recv(64).startswith(b"HTTP/1.1 200")
        except OSError:
            return False

    def stop(self, sig=signal.SIGTERM):
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(sig)
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        self.log.close()

    def close(self):
        self.stop()
        for sock in self.socks:
            sock.close()

    def rss_kb(self) -> int:
        total = 0
        for proc in self.procs:
            for line in Path(f"/proc/{proc.pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        return total

    def cpu_s(self) -> float:
        total = 0
        for proc in self.procs:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
        return total / CLK


def _lift_fd_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


# --- backends: where the app keeps its data --------------------------------------------------


class Backend:
    def __init__(self, name):
        self.name = name
        self.tmp = tempfile.mkdtemp(prefix="bench-")
        self.env = {
            k: v for k, v in os.environ.items()
            if k not in ("DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "DEBUG", "REDIS_PREFIX")
        }
        self.env.update(
            DEBUG="0",
            SECRET_KEY="bench-" + os.urandom(16).hex(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="0",
            LOG_LEVEL="WARNING",
            ALLOW_CONSOLE_EMAIL="1",  # a benchmark sends no mail; the setting says so
        )
        if name == "embedded":
            self.env["SQLITE_PATH"] = str(Path(self.tmp) / "bench.sqlite3")
        else:
            self.db = f"intervision_bench_{os.getpid()}"
            self._admin(f'DROP DATABASE IF EXISTS "{self.db}"')
            self._admin(f'CREATE DATABASE "{self.db}"')
            base = PG_ADMIN.rsplit("/", 1)[0]
            self.env.update(DATABASE_URL=f"{base}/{self.db}", REDIS_URL=REDIS, REDIS_PREFIX="bench")
        subprocess.run([PY, "manage.py", "migrate", "--no-input", "-v", "0"], cwd=ROOT,
                       env=self.env, check=True)

    def _admin(self, sql):
        import psycopg

        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(sql)

    def seed(self, count) -> list[dict]:
        out = subprocess.run(
            [PY, "manage.py", "shell", "-c", f"from bench import seed; seed.main({count})"],
            cwd=ROOT, env=self.env, check=True, capture_output=True, text=True,
        ).stdout
        line = next(line for line in out.splitlines() if line.startswith("BENCH-SEED "))
        return json.loads(line[len("BENCH-SEED "):])["sessions"]

    def close(self):
        if self.name != "embedded":
            try:
                self._admin(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            except Exception as exc:
                log("could not drop", self.db, exc)
            try:
                import redis

                r = redis.Redis.from_url(REDIS)
                keys = list(r.scan_iter("bench*"))
                if keys:
                    r.delete(*keys)
            except Exception:
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)
