"""Performance benchmark: serves the demo round with gunicorn and measures its pages against /healthz.

    .venv/bin/python bench/run.py                   # the 509-case demo round
    .venv/bin/python bench/run.py --cases 20000     # then a round twenty times larger, compared with it

For each round size it prepares its own database (a SQLite file in bench/output/, or a PostgreSQL database
named after DATABASE_URL's with a suffix) and media folder, migrates, collects static files, runs
`load_demo`, starts gunicorn (2 workers, DEBUG off, 127.0.0.1 on a free port), logs in as a demo reviewer
and a demo organiser, and measures each page with a bounded number of requests from a few threads after a
warm-up. It prints median and p95 latency and requests per second, each page's median as a multiple of the
floor (/healthz: one trivial query), each admin page's as a multiple of the admin index (target 1.5x), each
public and admin page's judged against its yardstick measured alternately with it,
and the targets of issue 5. With a larger round it also times
`manage.py ranking YEAR --format json` and reports peak memory. Figures are also written as JSON to
bench/output/results-<cases>-<database>.json. See bench/README.md and docs/performance.md.

Only the standard library is used on the client side; every loop is bounded in count and time, and every
process this script starts is stopped by it, even on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import importlib.metadata
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT_ROOT / "bench" / "output"
PYTHON = sys.executable
HOST = "127.0.0.1"
DEMO_CASES = 509

PUBLIC_TARGET = 2.0  # public pages: median within 2x the floor
ADMIN_TARGET = 1.5  # admin pages: median within 1.5x the bare admin index of the same run (issue 9)
SCALE_TARGET = 2.0  # the large round's pages within 2x of the demo round's
RANKING_TARGET_SECONDS = 2.0


# ---------------------------------------------------------------- client


class Client:
    """A small HTTP client on http.client: one cookie jar, CSRF-aware POSTs, no redirects followed.

    Cookies are kept by hand because the production settings mark them Secure, which the standard
    library's cookie jar would then refuse to send over plain HTTP to 127.0.0.1.
    """

    def __init__(self, port: int, timeout: float = 60.0):
        self.port = port
        self.timeout = timeout
        self.cookies: dict[str, str] = {}
        self.lock = threading.Lock()

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        all_headers = {"Accept-Language": "zh-CN,zh;q=0.9", "Host": f"{HOST}:{self.port}"}
        with self.lock:
            if self.cookies:
                all_headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        all_headers.update(headers or {})
        connection = http.client.HTTPConnection(HOST, self.port, timeout=self.timeout)
        started = time.perf_counter()
        try:
            connection.request(method, path, body=body, headers=all_headers)
            response = connection.getresponse()
            content = response.read()
            elapsed = time.perf_counter() - started
        finally:
            connection.close()
        set_cookies = response.msg.get_all("Set-Cookie") or []
        if set_cookies:
            with self.lock:
                for header in set_cookies:
                    jar = SimpleCookie()
                    jar.load(header)
                    for name, morsel in jar.items():
                        if morsel["max-age"] == "0" or morsel.value == "":
                            self.cookies.pop(name, None)
                        else:
                            self.cookies[name] = morsel.value
        return response.status, response.headers, content, elapsed

    def get(self, path: str):
        return self.request("GET", path)

    def login(self, username: str, password: str, login_path: str = "/accounts/login/") -> None:
        """The CSRF dance: GET the form (csrftoken cookie + hidden token), POST it back with an Origin."""
        status, _, content, _ = self.get(login_path)
        if status != 200:
            raise BenchError(f"GET {login_path} answered {status}")
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content)
        if not match:
            raise BenchError(f"no CSRF token in {login_path}")
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": match.group(1).decode()}
        ).encode()
        status, headers, content, _ = self.request(
            "POST",
            login_path,
            body=form,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Origin": f"http://{HOST}:{self.port}",
                "Referer": f"http://{HOST}:{self.port}{login_path}",
            },
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise BenchError(f"login as {username!r} failed: {status} {content[:300]!r}")


class BenchError(Exception):
    pass


# ---------------------------------------------------------------- measurement


@dataclass
class Page:
    key: str
    label: str
    path: str | None
    kind: str  # "floor", "public", "admin"
    role: str | None = None  # None: anonymous; "reviewer"; "organiser"
    note: str = ""
    phase: str | None = None  # the round's phase when the page is used (None: as loaded, published)


FLOOR = Page("floor", "/healthz (floor)", "/healthz", "floor")
# The yardstick of the admin pages: Django's own admin index, for the same organiser.
ADMIN_INDEX = Page("admin", "admin index (info)", "/admin/", "info", "organiser")
# What each kind of page is judged against (its role's client asks for it), measured alternately with it.
YARDSTICKS = {"public": (None, FLOOR), "admin": ("organiser", ADMIN_INDEX)}


@dataclass
class Measurement:
    key: str
    label: str
    path: str | None
    kind: str
    requests: int = 0
    errors: int = 0
    statuses: dict = field(default_factory=dict)
    median_ms: float | None = None
    p95_ms: float | None = None
    rps: float | None = None
    bytes: int | None = None
    note: str = ""
    # The page's median against its yardstick's (the admin index for an admin page, /healthz for a public
    # one), the two measured alternately (measure_beside).
    to_yardstick: float | None = None


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile: the value below which `fraction` of the samples lie."""
    index = max(0, min(len(sorted_values) - 1, round(fraction * len(sorted_values) + 0.5) - 1))
    return sorted_values[index]


def measure(
    client: Client, page: Page, requests: int, concurrency: int, warmup: int, time_limit: float
) -> Measurement:
    result = Measurement(page.key, page.label, page.path, page.kind, note=page.note)
    if page.path is None:
        return result
    # A slow page gets fewer warm-up requests: a quarter of its time at most (and at least one request).
    warm_deadline = time.monotonic() + time_limit / 4
    for _ in range(warmup):
        try:
            status, _, content, _ = client.get(page.path)
        except OSError as error:
            result.note = (result.note + f" warm-up failed: {type(error).__name__} {error}").strip()
            return result
        result.bytes = len(content)
        if status != 200:
            result.statuses[status] = result.statuses.get(status, 0) + 1
            result.note = (result.note + f" warm-up answered {status}").strip()
            return result
        if time.monotonic() > warm_deadline:
            break

    latencies: list[float] = []
    statuses: dict[int, int] = {}
    counter = iter(range(requests))
    counter_lock = threading.Lock()
    deadline = time.monotonic() + time_limit
    stopped_by_time = threading.Event()

    def worker() -> None:
        while True:
            with counter_lock:
                if next(counter, None) is None:
                    return
            if time.monotonic() > deadline:
                stopped_by_time.set()
                return
            try:
                status, _, _, elapsed = client.get(page.path)
            except OSError as error:
                status, elapsed = f"error {type(error).__name__}", None
            with counter_lock:
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200 and elapsed is not None:
                    latencies.append(elapsed)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(time_limit + client.timeout + 5)
    wall = time.perf_counter() - started

    result.statuses = statuses
    result.requests = sum(statuses.values())
    result.errors = result.requests - len(latencies)
    if stopped_by_time.is_set():
        result.note = (result.note + f" stopped after {time_limit:.0f} s").strip()
    if latencies:
        latencies.sort()
        result.median_ms = statistics.median(latencies) * 1000
        result.p95_ms = percentile(latencies, 0.95) * 1000
        result.rps = len(latencies) / wall
    return result


def measure_beside(
    client: Client, page: Page, yardstick_client: Client, yardstick: Page, options, rounds: int = 5
) -> float | None:
    """`page`'s median as a multiple of its `yardstick`'s (the admin index, or the floor), the two measured
    alternately: the median of `rounds` ratios, each of a short measurement of the yardstick followed by one
    of the page.

    On a shared machine the speed drifts by a quarter over the minutes a run takes, so a page measured minutes
    after its yardstick would be judged by the drift as much as by its own cost.
    """
    share = max(10, options.requests // rounds)
    ratios = []
    for _ in range(rounds):
        measured = [
            measure(who, what, share, options.concurrency, 2, options.page_time_limit / rounds)
            for who, what in ((yardstick_client, yardstick), (client, page))
        ]
        if any(m.median_ms is None for m in measured):
            return None
        ratios.append(measured[1].median_ms / measured[0].median_ms)
    return statistics.median(ratios)


# ---------------------------------------------------------------- processes


class Processes:
    """Everything this script starts, so that it can stop each one by its own id."""

    def __init__(self):
        self.running: list[subprocess.Popen] = []

    def start(self, command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
        log = open(log_path, "ab")  # noqa: SIM115 - closed with the process in stop()
        process = subprocess.Popen(
            command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        process.log = log  # type: ignore[attr-defined]
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen, grace: float = 20.0) -> None:
        if process.poll() is None:
            children = child_pids(process.pid)
            process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of its workers
            try:
                process.wait(grace)
            except subprocess.TimeoutExpired:
                for pid in [process.pid, *children]:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                process.wait(10)
            for pid in children:  # a worker that outlived its master
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        process.log.close()  # type: ignore[attr-defined]
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process)


def child_pids(parent: int) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: the fields after it are fixed.
        fields = stat[stat.rfind(")") + 2 :].split()
        if int(fields[1]) == parent:
            pids.append(int(entry.name))
    return pids


def peak_rss_mib(pid: int) -> float | None:
    """VmHWM: the process's peak resident set size so far."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def run_timed(command: list[str], env: dict, timeout: float, stdout_path: Path | None = None) -> dict:
    """Runs a command to completion; returns its wall time, exit status and peak memory (from wait4)."""
    stdout = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL  # noqa: SIM115
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=PROJECT_ROOT, env=env, stdout=stdout, stderr=subprocess.PIPE, start_new_session=True
    )
    deadline = time.monotonic() + timeout
    rusage = None
    stderr_chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: stderr_chunks.append(process.stderr.read()), daemon=True)
    reader.start()
    try:
        while True:
            pid, status, rusage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                process.returncode = os.waitstatus_to_exitcode(status)
                break
            if time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                _, status, rusage = os.wait4(process.pid, 0)
                process.returncode = -9
                break
            time.sleep(0.02)
    finally:
        if stdout_path:
            stdout.close()
    wall = time.perf_counter() - started
    reader.join(5)
    return {
        "command": command,
        "seconds": wall,
        "returncode": process.returncode,
        "max_rss_mib": rusage.ru_maxrss / 1024 if rusage else None,
        "stderr": b"".join(stderr_chunks).decode(errors="replace")[-2000:],
        "timed_out": process.returncode == -9,
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------- one round size


def database_url_for(cases: int, base_url: str | None) -> str:
    if not base_url:
        return f"sqlite:///{OUTPUT / f'bench-{cases}.sqlite3'}"
    parsed = urllib.parse.urlparse(base_url)
    name = parsed.path.lstrip("/") or "govcases"
    return urllib.parse.urlunparse(parsed._replace(path=f"/{name}_bench{cases}"))


def reset_database(url: str) -> None:
    parsed = urllib.parse.urlparse(url)
    if parsed.scheme == "sqlite":
        path = Path(parsed.path)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not parsed.scheme.startswith("postgres"):
        raise BenchError(f"unsupported database URL scheme {parsed.scheme!r}")
    import psycopg

    name = parsed.path.lstrip("/")
    admin_url = urllib.parse.urlunparse(parsed._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def base_environment(database_url: str, media_root: Path) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "MEDIA_ROOT", "CACHE_DIR"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="govcases.settings",
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        STATIC_ROOT=str(OUTPUT / "static"),
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        SECURE_SSL_REDIRECT="0",
        SECURE_HSTS_SECONDS="0",
        # Scripted clients have no authenticator app: the benchmark measures pages, not the second step.
        TWO_FACTOR_REQUIRED="0",
        EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return env


def manage(args: list[str], env: dict, timeout: float, log: Path) -> dict:
    result = run_timed([PYTHON, "manage.py", *args], env, timeout, stdout_path=log)
    if result["returncode"] != 0:
        raise BenchError(
            f"manage.py {' '.join(args)} failed ({result['returncode']}, {result['seconds']:.0f} s): "
            f"{result['stderr'][-1500:]}"
        )
    return result


def prepare(cases: int, options, env: dict, database_url: str, media_root: Path) -> dict:
    """Migrates and loads the demo round unless --reuse finds the same round already loaded."""
    marker = OUTPUT / f"bench-{cases}.ready.json"
    wanted = {"cases": cases, "seed": options.seed, "password": options.password, "database": database_url}
    if options.reuse and marker.exists() and json.loads(marker.read_text()) == wanted:
        print(f"  reusing the {cases}-case database ({database_url})")
        manage(["migrate", "--noinput"], env, 600, OUTPUT / f"migrate-{cases}.log")
        return {"load_seconds": None, "reused": True}
    marker.unlink(missing_ok=True)
    reset_database(database_url)
    shutil.rmtree(media_root, ignore_errors=True)
    media_root.mkdir(parents=True)
    print(f"  migrating {database_url}")
    manage(["migrate", "--noinput"], env, 600, OUTPUT / f"migrate-{cases}.log")
    print(f"  load_demo --cases {cases} (log: bench/output/load_demo-{cases}.log)")
    # -v 2: load_demo prints the wall and CPU seconds of each stage into its log.
    command = ["load_demo", "--password", options.password, "--seed", str(options.seed), "-v", "2"]
    if cases != DEMO_CASES:
        command += ["--cases", str(cases)]
    loaded = manage(command, env, options.load_timeout, OUTPUT / f"load_demo-{cases}.log")
    print(f"  loaded in {loaded['seconds']:.1f} s, peak memory {loaded['max_rss_mib']:.0f} MiB")
    marker.write_text(json.dumps(wanted))
    return {"load_seconds": loaded["seconds"], "load_max_rss_mib": loaded["max_rss_mib"], "reused": False}


def probe(env: dict, year: int, *extra: str) -> dict:
    result = subprocess.run(
        [PYTHON, str(PROJECT_ROOT / "bench" / "probe.py"), str(year), *extra],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise BenchError(f"bench/probe.py failed: {result.stderr.decode(errors='replace')[-1500:]}")
    return json.loads(result.stdout.decode().strip().splitlines()[-1])


def discover(client: Client, path: str | None) -> str | None:
    """Follows one same-site redirect (a board's list page may send the organiser to the round's board)."""
    if path is None:
        return None
    try:
        status, headers, _, _ = client.get(path)
    except OSError:
        return path  # too slow to answer in time: measure() reports it
    if status in (301, 302) and headers.get("Location"):
        location = urllib.parse.urlparse(headers["Location"])
        if location.netloc in ("", f"{HOST}:{client.port}") and "login" not in location.path:
            return location.path + (f"?{location.query}" if location.query else "")
    return path


def first_published_case_url(client: Client, year: int) -> str | None:
    """The first case of the published results, by the open-data file that the public site links to."""
    status, _, content, _ = client.get(f"/results/{year}.json")
    if status != 200:
        return None
    try:
        data = json.loads(content)
        url = data["categories"][0]["cases"][0]["url"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return urllib.parse.urlparse(url).path


def first_picture_url(client: Client, case_path: str | None) -> str | None:
    """The first picture on a published case's page: served by the permission-checked file view."""
    if case_path is None:
        return None
    status, _, content, _ = client.get(case_path)
    found = re.search(rb'<img src="(/files/[^"]+)"', content) if status == 200 else None
    return found.group(1).decode() if found else None


def pick_admin(facts: dict, *names: str) -> str | None:
    urls = facts.get("admin_urls", {})
    return next((urls[name] for name in names if urls.get(name)), None)


def bench_round(cases: int, options) -> dict:
    print(f"\n== the {cases}-case round")
    database_url = database_url_for(cases, options.database_url)
    media_root = OUTPUT / f"media-{cases}"
    env = base_environment(database_url, media_root)
    report: dict = {"cases_requested": cases, "database": redact(database_url)}
    report.update(prepare(cases, options, env, database_url, media_root))
    manage(["collectstatic", "--noinput"], env, 600, OUTPUT / "collectstatic.log")
    manage(["createcachetable"], env, 120, OUTPUT / "createcachetable.log")  # for CACHE_BACKEND=database
    saved_statuses = OUTPUT / f"statuses-{cases}.json"
    if saved_statuses.exists():  # an earlier run stopped with the round reopened
        probe(env, options.year, "--restore", str(saved_statuses))
    facts = probe(env, options.year)
    report["facts"] = {k: v for k, v in facts.items() if k != "admin_url_names"}
    print(
        f"  round {options.year}: {facts.get('cases')} cases, {facts.get('reviews')} reviews, phase "
        f"{facts.get('round_phase')}, publication v{facts.get('publication_version')}; reviewer "
        f"{facts.get('reviewer')} ({facts.get('reviewer_assignments')} assignments), organiser {facts.get('organiser')}"
    )

    processes = Processes()
    port = free_port()
    gunicorn = [
        str(Path(PYTHON).with_name("gunicorn")),
        "govcases.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={options.workers}",
        "--timeout=120",
        "--graceful-timeout=10",
        "--log-level=warning",
    ]
    try:
        server = processes.start(gunicorn, env, OUTPUT / f"gunicorn-{cases}.log")
        anonymous = Client(port, timeout=options.request_timeout)
        wait_until_up(anonymous, server, timeout=60)
        workers = child_pids(server.pid)
        for _ in range(40):  # the second worker may still be booting
            if len(workers) >= options.workers:
                break
            time.sleep(0.25)
            workers = child_pids(server.pid)
        print(f"  gunicorn {server.pid} with workers {workers} on {HOST}:{port}")

        reviewer = Client(port, timeout=options.request_timeout)
        organiser = Client(port, timeout=options.request_timeout)
        notes = []
        for role, client in (("reviewer", reviewer), ("organiser", organiser)):
            username = facts.get(role)
            if not username:
                notes.append(f"no demo {role} found")
                continue
            try:
                client.login(username, options.password)
            except BenchError as error:
                notes.append(str(error))
        for note in notes:
            print(f"  ! {note}")

        year = options.year
        case_path = first_published_case_url(anonymous, year) or (
            f"/cases/{facts['published_case_id']}/" if facts.get("published_case_id") else None
        )
        pages = [
            FLOOR,
            Page("results", f"/results/{year}/", f"/results/{year}/", "public"),
            Page("cases", "/cases/", "/cases/", "public"),
            Page("case", "a case page", case_path, "public"),
            Page("picture", "a published picture (info)", first_picture_url(anonymous, case_path), "info"),
            # The yardstick of the admin pages: Django's own admin index, for the same organiser.
            ADMIN_INDEX,
            Page(
                "case_list",
                "admin case list",
                pick_admin(facts, "admin:govcases_case_changelist"),
                "admin",
                "organiser",
            ),
            Page(
                "case_page",
                "admin case page",
                pick_admin(facts, "admin:govcases_case_change"),
                "admin",
                "organiser",
            ),
            Page(
                "progress",
                "review progress",
                pick_admin(facts, "admin:reviews_reviewprogress_change"),
                "admin",
                "organiser",
                phase="review",
            ),
            Page(
                "queue",
                "reviewer queue",
                options.queue_url or pick_admin(facts, "review:reviews_assignment_changelist"),
                "admin",
                "reviewer",
                phase="review",
            ),
            Page(
                "ranking",
                "ranking board",
                options.ranking_url
                or pick_admin(
                    facts, "admin:reviews_rankingboard_change", "admin:reviews_rankingboard_changelist"
                ),
                "admin",
                "organiser",
                phase="selection",
            ),
            Page(
                "selection",
                "selection board",
                options.selection_url
                or pick_admin(
                    facts, "admin:reviews_selectionboard_change", "admin:reviews_selectionboard_changelist"
                ),
                "admin",
                "organiser",
                phase="selection",
            ),
        ]
        clients = {None: anonymous, "reviewer": reviewer, "organiser": organiser}
        measurements = []
        # Published pages first, then the boards in the selection phase, the queue in the review phase.
        order = {None: 0, "selection": 1, "review": 2}
        phase = None
        try:
            for page in sorted(pages, key=lambda page: order[page.phase]):
                client = clients[page.role]
                if page.phase != phase and page.path is not None:
                    changed = probe(env, options.year, "--phase", page.phase, str(saved_statuses))
                    phase = page.phase
                    print(
                        f"  round {options.year} put in phase {phase} ({changed['cases_put_in_review']} cases in review)"
                    )
                if page.phase:
                    page.note = f"in the {page.phase} phase"
                if page.path is None:
                    page.note = "no URL found (not built yet?)"
                elif page.role:
                    page.path = discover(client, page.path)
                measured = measure(
                    client,
                    page,
                    options.requests,
                    options.concurrency,
                    options.warmup,
                    options.page_time_limit,
                )
                if page.kind in YARDSTICKS and measured.median_ms is not None:
                    yardstick_role, yardstick = YARDSTICKS[page.kind]
                    measured.to_yardstick = measure_beside(
                        client, page, clients[yardstick_role], yardstick, options
                    )
                measurements.append(measured)
                print(f"  {describe(measured)}")
        finally:
            if phase is not None:
                probe(env, options.year, "--restore", str(saved_statuses))

        memory = {str(pid): peak_rss_mib(pid) for pid in workers}
        report["gunicorn_worker_peak_rss_mib"] = memory
        report["gunicorn_master_peak_rss_mib"] = peak_rss_mib(server.pid)
        report["pages"] = [measurement.__dict__ for measurement in measurements]
        report["notes"] = notes
    finally:
        processes.stop_all()

    print(f"  {options.ranking_runs} runs of manage.py ranking {options.year} --format json")
    report["ranking"] = time_ranking(env, options, cases)
    return report


def wait_until_up(client: Client, server: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}; see bench/output/gunicorn-*.log")
        try:
            status, _, _, _ = client.get("/healthz")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.25)
    raise BenchError(f"gunicorn did not answer /healthz within {timeout:.0f} s")


def time_ranking(env: dict, options, cases: int) -> dict:
    """Times the ranking command; `ranking --help` (Django start-up, no work) is timed beside it."""
    startup = run_timed([PYTHON, "manage.py", "ranking", "--help"], env, 120)
    runs = []
    for index in range(options.ranking_runs):
        runs.append(
            run_timed(
                [PYTHON, "manage.py", "ranking", str(options.year), "--format", "json"],
                env,
                options.ranking_timeout,
                stdout_path=OUTPUT / f"ranking-{cases}-{index}.json",
            )
        )
        if runs[-1]["returncode"] != 0:
            break
    ok = [run for run in runs if run["returncode"] == 0]
    summary = {
        "startup_seconds": startup["seconds"] if startup["returncode"] == 0 else None,
        "runs": [{k: run[k] for k in ("seconds", "returncode", "max_rss_mib", "timed_out")} for run in runs],
    }
    if ok:
        summary["median_seconds"] = statistics.median(run["seconds"] for run in ok)
        summary["max_rss_mib"] = max(run["max_rss_mib"] for run in ok)
        output = OUTPUT / f"ranking-{cases}-0.json"
        summary["output_bytes"] = output.stat().st_size if output.exists() else None
    else:
        summary["error"] = runs[-1]["stderr"] if runs else startup["stderr"]
    print(f"  ranking: {describe_ranking(summary)}")
    return summary


# ---------------------------------------------------------------- reporting


def redact(url: str) -> str:
    parsed = urllib.parse.urlparse(url)
    if not parsed.password:
        return url
    return url.replace(f":{parsed.password}@", ":***@", 1)


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def describe(m: Measurement) -> str:
    if m.median_ms is None:
        return f"{m.label:<18} {m.path or '–'}: not measured {m.statuses or ''} {m.note}".rstrip()
    return (
        f"{m.label:<18} median {m.median_ms:7.1f} ms  p95 {m.p95_ms:7.1f} ms  {m.rps:6.1f} req/s  "
        f"({m.requests} requests, {m.errors} not 200, {m.bytes} bytes) {m.note}"
        + (f"; {m.to_yardstick:.2f}x its yardstick measured alternately with it" if m.to_yardstick else "")
    ).rstrip()


def describe_ranking(summary: dict) -> str:
    if "median_seconds" not in summary:
        return f"failed: {summary.get('error', '')[-400:]}"
    return (
        f"median {summary['median_seconds']:.2f} s over {len(summary['runs'])} runs "
        f"(Django start-up alone {fmt(summary['startup_seconds'], 2)} s), peak memory "
        f"{summary['max_rss_mib']:.0f} MiB, {summary['output_bytes']} bytes of JSON"
    )


def floor_table(report: dict) -> str:
    """Each page against the floor; the admin pages also against the admin index, their target (issue 9)."""
    pages = report["pages"]
    floor = next((p for p in pages if p["key"] == "floor"), None)
    floor_median = floor["median_ms"] if floor else None
    index = next((p for p in pages if p["key"] == "admin"), None)
    index_median = index["median_ms"] if index else None
    lines = [
        "| page | path | median ms | p95 ms | req/s | × floor (median) | × admin index | target | verdict |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in pages:
        ratio = page["median_ms"] / floor_median if page["median_ms"] and floor_median else None
        to_index = page["median_ms"] / index_median if page["median_ms"] and index_median else None
        # Measured alternately with its yardstick where it has one (measure_beside).
        if page["kind"] == "public":
            ratio = page.get("to_yardstick") or ratio
        if page["kind"] == "admin":
            to_index = page.get("to_yardstick") or to_index
        target = {"public": PUBLIC_TARGET, "admin": ADMIN_TARGET}.get(page["kind"])
        judged = to_index if page["kind"] == "admin" else ratio
        if page["median_ms"] is None:
            verdict = "not measured " + (page["note"] or str(page["statuses"]))
        elif target is None:
            verdict = "floor" if page["kind"] == "floor" else "reference"
        elif judged is None:
            verdict = "no reference measured"
        else:
            verdict = "meets" if judged <= target else "misses"
        target_text = ""
        if target:
            target_text = f"≤ {target:g}× {'index' if page['kind'] == 'admin' else 'floor'}"
        lines.append(
            f"| {page['label']} | `{page['path'] or '–'}` | {fmt(page['median_ms'])} | {fmt(page['p95_ms'])} | "
            f"{fmt(page['rps'])} | {fmt(ratio, 2)} | {fmt(to_index, 2) if page['kind'] in ('admin', 'info') else ''} | "
            f"{target_text} | {verdict} |"
        )
    return "\n".join(lines)


def scale_table(small: dict, large: dict) -> str:
    lines = [
        f"| page | median ms ({small['cases_requested']}) | median ms ({large['cases_requested']}) | "
        f"p95 ms ({large['cases_requested']}) | × small round | target | verdict |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    small_pages = {p["key"]: p for p in small["pages"]}
    for page in large["pages"]:
        before = small_pages.get(page["key"], {}).get("median_ms")
        after = page["median_ms"]
        ratio = after / before if after and before else None
        if ratio is None:
            verdict = "not measured"
        elif page["kind"] in ("floor", "info"):
            verdict = "reference"
        else:
            verdict = "meets" if ratio <= SCALE_TARGET else "misses"
        lines.append(
            f"| {page['label']} | {fmt(before)} | {fmt(after)} | {fmt(page['p95_ms'])} | {fmt(ratio, 2)} | "
            f"{'' if page['kind'] in ('floor', 'info') else f'≤ {SCALE_TARGET:g}×'} | {verdict} |"
        )
    return "\n".join(lines)


def memory_lines(report: dict) -> str:
    workers = ", ".join(f"{fmt(v, 0)} MiB" for v in report.get("gunicorn_worker_peak_rss_mib", {}).values())
    ranking = report.get("ranking", {})
    load = report.get("load_max_rss_mib")
    return (
        f"peak memory: gunicorn workers {workers or '–'} (master {fmt(report.get('gunicorn_master_peak_rss_mib'), 0)} MiB); "
        f"ranking command {fmt(ranking.get('max_rss_mib'), 0)} MiB"
        + (f"; load_demo {fmt(load, 0)} MiB in {fmt(report.get('load_seconds'), 0)} s" if load else "")
    )


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    total_kib = int(next(line for line in meminfo if line.startswith("MemTotal:")).split()[1])
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(total_kib / 1024 / 1024, 1),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "django": importlib.metadata.version("django"),
        "gunicorn": importlib.metadata.version("gunicorn"),
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def parse_args(argv: list[str] | None = None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=DEMO_CASES, help="also measure a round of this size")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument("--warmup", type=int, default=10, help="unmeasured requests per page first")
    parser.add_argument("--concurrency", type=int, default=3, help="client threads (2 workers serve them)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--password", default="demo-pass-2024", help="the demo accounts' password")
    parser.add_argument("--seed", type=int, default=2024, help="load_demo --seed")
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL"),
        help="PostgreSQL server to use instead of SQLite files (databases <name>_bench<cases> are (re)created)",
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep a database already loaded with the same options"
    )
    parser.add_argument(
        "--prepare-only", action="store_true", help="load the databases and stop (measure later with --reuse)"
    )
    parser.add_argument("--load-timeout", type=float, default=3600, help="seconds allowed for load_demo")
    parser.add_argument("--page-time-limit", type=float, default=120, help="seconds allowed per page")
    parser.add_argument("--request-timeout", type=float, default=60)
    parser.add_argument("--ranking-runs", type=int, default=3)
    parser.add_argument("--ranking-timeout", type=float, default=300)
    parser.add_argument("--queue-url", help="override the reviewer queue's path")
    parser.add_argument("--ranking-url", help="override the ranking board's path")
    parser.add_argument("--selection-url", help="override the selection board's path")
    options = parser.parse_args(argv)
    if options.requests < 1 or options.concurrency < 1 or options.requests > 100_000:
        parser.error("--requests must be 1..100000 and --concurrency at least 1")
    return options


def main(argv: list[str] | None = None) -> int:
    options = parse_args(argv)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    summary = {"machine": machine(), "command": " ".join(["bench/run.py", *(argv or sys.argv[1:])])}
    print(
        f"machine: {summary['machine']['cpus']} CPUs ({summary['machine']['cpu']}), "
        f"{summary['machine']['ram_gib']} GiB RAM, Python {summary['machine']['python']}, "
        f"Django {summary['machine']['django']}, gunicorn {summary['machine']['gunicorn']}, "
        f"SQLite {summary['machine']['sqlite']}, "
        f"load {summary['machine']['load_average_at_start'][0]:.2f}"
    )
    print(
        f"method: {options.requests} requests per page after {options.warmup} warm-up, "
        f"{options.concurrency} client threads, gunicorn {options.workers} sync workers"
    )
    sizes = [DEMO_CASES] + ([options.cases] if options.cases != DEMO_CASES else [])
    reports = []
    try:
        for cases in sizes:
            if options.prepare_only:
                database_url = database_url_for(cases, options.database_url)
                media_root = OUTPUT / f"media-{cases}"
                env = base_environment(database_url, media_root)
                print(f"\n== the {cases}-case round")
                prepare(cases, options, env, database_url, media_root)
                continue
            report = bench_round(cases, options)
            report["machine"] = summary["machine"]
            engine = "postgres" if options.database_url else "sqlite"
            (OUTPUT / f"results-{cases}-{engine}.json").write_text(
                json.dumps(report, indent=2, ensure_ascii=False)
            )
            reports.append(report)
    except BenchError as error:
        print(f"\nbenchmark stopped: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\ninterrupted; every process started here has been stopped", file=sys.stderr)
        return 130

    for report in reports:
        print(f"\n## {report['facts'].get('cases')} cases ({report['database']})\n")
        print(floor_table(report))
        print(f"\nranking: {describe_ranking(report['ranking'])} (target under {RANKING_TARGET_SECONDS:g} s)")
        print(memory_lines(report))
    if len(reports) == 2:
        print(f"\n## {reports[1]['facts'].get('cases')} cases against {reports[0]['facts'].get('cases')}\n")
        print(scale_table(reports[0], reports[1]))
    print(
        f"\ntotal time {time.monotonic() - started:.0f} s; JSON in bench/output/results-<cases>-<database>.json"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
