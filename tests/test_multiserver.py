"""Two app servers on one PostgreSQL database, as in a deployment with several servers behind a proxy.

Two gunicorn processes serve the test database with production settings (DEBUG off, database sessions and
cache). Browsers talk to them as the reverse proxy would (plain HTTP with X-Forwarded-Proto: https), keep
their own cookies and send the CSRF token like a form does. Reviewers log in on one server and work on both;
their drafts and submissions race each other. Nothing may be lost, doubled or answered with an error.
"""

import http.client
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import call_command
from django.db import connection, connections
from django.test import override_settings
from django.urls import reverse

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, CaseTransition
from govcases.services import case_submit, round_phase_set
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Review, ReviewEvent, Score
from tests import factories

# Decided before any fixture runs: the servers (a module fixture) need a database another process can reach.
ON_POSTGRESQL = django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not ON_POSTGRESQL, reason="needs PostgreSQL: several app servers share one database"),
]

BASE_DIR = Path(__file__).resolve().parents[1]
PASSWORD = "multi-server-passphrase-2024"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url() -> str:
    """The test database (the one this test writes to and commits in) as a DATABASE_URL."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = quote(db["PASSWORD"] or "", safe="")
    return f"postgres://{user}:{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture(scope="module")
def production_env(tmp_path_factory):
    """Production settings shared by both servers (one secret key), with collected static files."""
    folder = tmp_path_factory.mktemp("servers")
    env = {
        **{key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ},
        "DJANGO_SETTINGS_MODULE": "govcases.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_ROOT": str(folder / "static"),
        "MEDIA_ROOT": str(folder / "media"),
        "CACHE_BACKEND": "database",
        # These scripted reviewers have no authenticator app; two-factor sign-in is tested in tests/accounts.
        "TWO_FACTOR_REQUIRED": "0",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return env, folder


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def origin(self) -> str:
        return f"https://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def start_server(name: str, env: dict, folder: Path) -> Server:
    port = free_port()
    log = folder / f"{name}.log"
    with log.open("wb") as output:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "govcases.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "--access-logfile",
                "-",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    return Server(name, port, process, log)


def wait_until_healthy(server: Server, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"{server.name} exited:\n{server.log_text()}")
        try:
            if Browser().get(server, "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{server.name} never answered /healthz:\n{server.log_text()}")


@pytest.fixture(scope="module")
def servers(django_db_setup, django_db_blocker, production_env):
    """Two gunicorn servers (two workers each) on the test database, shared by this module's tests.

    Each test commits its own data (transaction=True) and the database is emptied after it; the servers
    keep only database connections, which the emptying does not disturb. They stop before the database goes.
    """
    env, folder = production_env
    database_cache = {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "govcases_cache"}
    with django_db_blocker.unblock(), override_settings(CACHES={"default": database_cache}):
        call_command("createcachetable", verbosity=0)  # the servers' cache lives in the test database
        env = {**env, "DATABASE_URL": database_url()}
    started = [start_server(name, env, folder) for name in ("server-a", "server-b")]
    try:
        for server in started:
            wait_until_healthy(server)
        yield started
    finally:
        for server in started:
            server.process.terminate()
        for server in started:
            try:
                server.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.process.kill()
                server.process.wait()


@dataclass
class Response:
    status: int
    headers: dict
    text: str


@dataclass
class Browser:
    """A user's browser behind the proxy: its own cookie jar, the CSRF token sent with every form."""

    cookies: dict = field(default_factory=dict)

    def request(self, server: Server, method: str, path: str, data: dict | None = None) -> Response:
        headers = {"Host": f"127.0.0.1:{server.port}", "X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
            body = urlencode(data, doseq=True)
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "Origin": server.origin,
                    "Referer": server.origin + path,
                }
            )
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            conn.request(method, path, body, headers)
            raw = conn.getresponse()
            text = raw.read().decode(errors="replace")
            for header in raw.msg.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel["max-age"] == "0":
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Response(raw.status, dict(raw.getheaders()), text)
        finally:
            conn.close()

    def get(self, server: Server, path: str) -> Response:
        return self.request(server, "GET", path)

    def post(self, server: Server, path: str, data: dict) -> Response:
        return self.request(server, "POST", path, data)

    def log_in(self, server: Server, username: str, password: str = PASSWORD) -> None:
        self.get(server, "/accounts/login/")  # the CSRF cookie
        response = self.post(server, "/accounts/login/", {"username": username, "password": password})
        assert response.status == 302, (response.status, response.text[:2000])
        assert "sessionid" in self.cookies


def server_password(user) -> None:
    """A password hash the servers accept (this test process only knows a fast test hasher)."""
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt(), iterations=1000)
    user.save(update_fields=["password"])


def logs(servers) -> str:
    return "\n".join(f"--- {server.name}\n{server.log_text()[-6000:]}" for server in servers)


def no_errors_in(servers) -> None:
    for server in servers:
        log = server.log_text()
        assert "Traceback" not in log, log
        assert '" 500 ' not in log, log


def test_servers_start_answer_health_and_share_sessions(servers):
    server_a, server_b = servers
    for server in servers:
        response = Browser().get(server, "/healthz")
        assert (response.status, response.text) == (200, '{"status": "ok"}')

    reviewer = factories.ReviewerFactory()
    server_password(reviewer)
    browser = Browser()
    browser.log_in(server_a, reviewer.username)

    # The session lives in the database: the other server knows the user.
    queue = reverse("review:reviews_assignment_changelist")
    assert browser.get(server_b, queue).status == 200
    stranger = Browser().get(server_b, queue)
    assert stranger.status == 302 and "login" in stranger.headers["Location"]
    no_errors_in(servers)


REVIEWERS, CASES = 4, 5


@pytest.fixture
def review_round():
    """A round in review: CASES cases with the 2024 rubric, each assigned to all REVIEWERS reviewers."""
    round_ = factories.RoundFactory(year=2024)
    organiser = factories.OrganiserFactory()
    category = round_.quotas.first().category
    criteria = factories.rubric(round_, category)
    for _ in range(CASES):
        officer = factories.AgencyMemberFactory().user
        case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, category=category)
        case_submit(case=case, by=officer)
    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")
    reviewers = [factories.ReviewerFactory() for _ in range(REVIEWERS)]
    for reviewer in reviewers:
        server_password(reviewer)
        for case in round_.cases.filter(status=CaseStatus.IN_REVIEW).order_by("pk"):
            Assignment.objects.create(reviewer=reviewer, case=case)
    return round_, criteria, reviewers


def points_for(reviewer_index: int, case_index: int, criteria) -> dict[int, int]:
    """Distinct, reproducible points for every pair, so that a swapped or lost score shows."""
    return {
        criterion.pk: (reviewer_index * 7 + case_index * 3 + position) % (criterion.max_points + 1)
        for position, criterion in enumerate(criteria)
    }


def review_form(points: dict[int, int], comment: str, *, submit: bool) -> dict:
    data = {f"criterion_{pk}": value for pk, value in points.items()}
    data["comment"] = comment
    data["_submit" if submit else "_save"] = "1"
    if submit:
        data["_confirmed"] = "1"  # as the confirmation page posts it
    return data


def run_together(tasks) -> list:
    """Runs the callables in threads released at the same moment; returns their results in order."""
    start = threading.Barrier(len(tasks))
    results: list = [None] * len(tasks)

    def run(index, task):
        start.wait()
        try:
            results[index] = task()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            results[index] = error
        finally:
            connections.close_all()  # this thread's own connection, or the test database cannot be dropped

    threads = [threading.Thread(target=run, args=(i, task)) for i, task in enumerate(tasks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for result in results:
        if isinstance(result, BaseException):
            raise result
    return results


def test_reviewers_save_and_submit_through_both_servers_at_once(servers, review_round):
    round_, criteria, reviewers = review_round
    browsers = []
    for index, reviewer in enumerate(reviewers):
        browser = Browser()
        browser.log_in(servers[index % 2], reviewer.username)
        browsers.append(browser)

    def reviewer_work(index: int):
        reviewer, browser = reviewers[index], browsers[index]
        statuses = []
        assignments = Assignment.objects.filter(reviewer=reviewer).order_by("case_id")
        for case_index, assignment in enumerate(assignments):
            path = reverse("review:reviews_assignment_change", args=[assignment.pk])
            points = points_for(index, case_index, criteria)
            draft = dict(list(points.items())[:2])
            # The draft through one server, the submission through the other, as a load balancer may send them.
            first, second = servers[(index + case_index) % 2], servers[(index + case_index + 1) % 2]
            statuses.append(browser.post(first, path, review_form(draft, "草稿", submit=False)).status)
            statuses.append(
                browser.post(second, path, review_form(points, f"评语{case_index}", submit=True)).status
            )
        return statuses

    results = run_together([lambda i=i: reviewer_work(i) for i in range(REVIEWERS)])

    assert all(status == 302 for statuses in results for status in statuses), (results, logs(servers))
    reviews = Review.objects.filter(assignment__case__round=round_)
    assert reviews.count() == REVIEWERS * CASES
    assert set(reviews.values_list("status", flat=True)) == {ReviewStatus.SUBMITTED}
    for index, reviewer in enumerate(reviewers):
        assignments = Assignment.objects.filter(reviewer=reviewer).order_by("case_id")
        for case_index, assignment in enumerate(assignments):
            review = assignment.review
            expected = points_for(index, case_index, criteria)
            assert dict(review.scores.values_list("criterion_id", "points")) == expected
            assert review.total == sum(expected.values())
            assert review.comment == f"评语{case_index}"
            assert review.events.filter(action=ReviewEvent.Action.SUBMITTED).count() == 1
    assert Score.objects.filter(review__in=reviews).count() == REVIEWERS * CASES * len(criteria)
    no_errors_in(servers)


def test_one_review_submitted_on_both_servers_at_the_same_moment_counts_once(servers, review_round):
    """A double click that a load balancer splits: one submission wins, the other is refused politely."""
    round_, criteria, reviewers = review_round
    reviewer = reviewers[0]
    assignment = Assignment.objects.filter(reviewer=reviewer).order_by("case_id").first()
    path = reverse("review:reviews_assignment_change", args=[assignment.pk])
    tabs = [Browser(), Browser()]
    for tab, server in zip(tabs, servers, strict=True):
        tab.log_in(server, reviewer.username)
    versions = [points_for(0, 0, criteria), points_for(1, 1, criteria)]

    statuses = sorted(
        run_together(
            [
                lambda tab=tab, server=server, points=points: (
                    tab.post(server, path, review_form(points, "同时提交", submit=True)).status
                )
                for tab, server, points in zip(tabs, servers, versions, strict=True)
            ]
        )
    )

    assert statuses == [200, 302], logs(
        servers
    )  # the loser sees the page again with the refusal, not an error
    review = Review.objects.get(assignment=assignment)
    assert review.status == ReviewStatus.SUBMITTED
    assert review.events.filter(action=ReviewEvent.Action.SUBMITTED).count() == 1
    scores = dict(review.scores.values_list("criterion_id", "points"))
    assert scores in versions  # one whole version, never a mix of the two
    assert review.total == sum(scores.values())
    no_errors_in(servers)


AGENCIES = 6


def test_agencies_submitting_at_the_deadline_through_both_servers_get_one_reference_each(servers):
    """The deadline rush: many agencies submit at the same moment, one of them twice (on both servers)."""
    round_ = factories.RoundFactory(year=2024)
    officers, cases = [], []
    for _ in range(AGENCIES):
        officer = factories.AgencyMemberFactory().user
        server_password(officer)
        officers.append(officer)
        cases.append(factories.CaseFactory(round=round_, agency=officer.agency_membership.agency))
    browsers = []
    for index, officer in enumerate(officers):
        browser = Browser()
        browser.log_in(servers[index % 2], officer.username)
        browsers.append(browser)
    double = Browser(cookies=dict(browsers[0].cookies))  # the first officer's second tab, same session

    def submit(browser, server, case):
        return lambda: browser.post(server, f"/portal/cases/{case.pk}/submit/", {}).status

    tasks = [submit(browsers[i], servers[i % 2], cases[i]) for i in range(AGENCIES)]
    tasks.append(submit(double, servers[1], cases[0]))
    statuses = run_together(tasks)

    assert statuses == [302] * (AGENCIES + 1), (statuses, logs(servers))
    submitted = Case.objects.filter(round=round_)
    assert set(submitted.values_list("status", flat=True)) == {CaseStatus.SUBMITTED}
    references = list(submitted.values_list("reference", flat=True))
    assert sorted(references) == [f"2024-{number:04d}" for number in range(1, AGENCIES + 1)]
    receipts = CaseTransition.objects.filter(case__round=round_, to_status=CaseStatus.SUBMITTED)
    assert receipts.count() == AGENCIES  # the double submission made no second receipt
    no_errors_in(servers)
