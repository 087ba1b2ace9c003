"""Explains a slow page: its queries (count, time, repeated shapes) and, with --profile, where Python spends time.

    .venv/bin/python bench/queries.py [--cases 509] [--profile] [PATH ...]

Runs in-process with Django's test client against a database that bench/run.py prepared
(bench/output/bench-<cases>.sqlite3, or DATABASE_URL), logged in as the same demo users. Without paths it
looks at every page that bench/run.py measures. Repeated query shapes (the same SQL with different
parameters) point at an N+1.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import re
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--cases", type=int, default=509)
    parser.add_argument("--year", type=int, default=2024)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions per page")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (after one warm-up)")
    options = parser.parse_args()

    os.environ.setdefault(
        "DATABASE_URL", f"sqlite:///{PROJECT_ROOT / 'bench' / 'output' / f'bench-{options.cases}.sqlite3'}"
    )
    os.environ.setdefault("STATIC_ROOT", str(PROJECT_ROOT / "bench" / "output" / "static"))
    os.environ.setdefault("MEDIA_ROOT", str(PROJECT_ROOT / "bench" / "output" / f"media-{options.cases}"))
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "bench-queries-not-a-deployment")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcases.settings")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    probe = json.loads(
        os.popen(f"{sys.executable} {PROJECT_ROOT / 'bench' / 'probe.py'} {options.year}")
        .read()
        .splitlines()[-1]
    )
    users = get_user_model().objects
    anonymous, reviewer, organiser = Client(), Client(), Client()
    if probe.get("reviewer"):
        reviewer.force_login(users.get(username=probe["reviewer"]))
    if probe.get("organiser"):
        organiser.force_login(users.get(username=probe["organiser"]))
    admin_urls = probe.get("admin_urls", {})
    pages = [
        ("/healthz", anonymous),
        (f"/results/{options.year}/", anonymous),
        ("/cases/", anonymous),
        (f"/cases/{probe.get('published_case_id')}/", anonymous),
        ("/admin/", organiser),
        (admin_urls.get("admin:govcases_case_changelist"), organiser),
        (admin_urls.get("admin:govcases_case_change"), organiser),
        (admin_urls.get("review:reviews_assignment_changelist"), reviewer),
        (admin_urls.get("admin:reviews_reviewprogress_change"), organiser),
        (admin_urls.get("admin:reviews_rankingboard_change"), organiser),
        (admin_urls.get("admin:reviews_selectionboard_change"), organiser),
    ]
    if options.paths:
        pages = [
            (
                path,
                organiser
                if path.startswith("/admin/")
                else reviewer
                if path.startswith("/review/")
                else anonymous,
            )
            for path in options.paths
        ]
    for path, client in pages:
        if not path:
            continue
        client.get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
        timings = []
        for _ in range(max(1, options.repeat)):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
            timings.append(time.perf_counter() - started)
        sql_seconds = sum(float(query["time"]) for query in queries.captured_queries)
        shapes = Counter(
            re.sub(r"\b\d+\b|'[^']*'|%s", "?", query["sql"]) for query in queries.captured_queries
        )
        timings.sort()
        print(
            f"\n{path}: {response.status_code}, {len(response.content)} bytes, median "
            f"{timings[len(timings) // 2] * 1000:.1f} ms in-process, {len(queries)} queries taking "
            f"{sql_seconds * 1000:.1f} ms"
        )
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"   {float(query['time']) * 1000:7.1f} ms  {query['sql'][:220]}")
        for shape, count in shapes.most_common(3):
            if count > 1:
                print(f"   repeated {count}×: {shape[:220]}")
        if options.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            client.get(path, HTTP_ACCEPT_LANGUAGE="zh-CN")
            profiler.disable()
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print("\n".join(line for line in out.getvalue().splitlines() if line.strip())[:6000])


if __name__ == "__main__":
    main()
