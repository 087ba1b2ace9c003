"""The evaluation of governments: serving `/evaluation/2024.json` and the page, from the snapshot and cached.

    .venv/bin/python bench/evaluation.py
    DATABASE_URL=postgres://govcases:govcases@127.0.0.1:5432/govcases .venv/bin/python bench/evaluation.py

Builds the 685 agencies and the 2024 evaluation in its own database (bench/output/evaluation.sqlite3, or a
PostgreSQL database `<name>_evaluation` that it drops and creates), then, in-process through Django's test
client as an anonymous visitor: the publication itself (compute is done by the demo), and each URL first
rendered from the snapshot (cache emptied before every request) and then answered from the cache. It prints
medians and query counts; it asserts nothing.
"""

import argparse
import os
import statistics
import time

from publish import fresh_django  # bench/ is on the path of a script run from it

URLS = ["/evaluation/2024.json", "/evaluation/2024.csv", "/evaluation/2024.xlsx", "/evaluation/2024/"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=50, help="requests per URL and state")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()

    fresh_django(args.database_url, 2024, "evaluation")
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from demo import build, reference
    from demo import evaluation as evaluation_demo
    from evaluation import services
    from evaluation.models import Evaluation

    started = time.perf_counter()
    build.agencies_load()
    evaluation_demo.evaluation_demo_load(facts=reference.reference(), organiser=None, evaluator=None)
    print(
        f"{connection.vendor}: 685 agencies scored, computed and published in {time.perf_counter() - started:.1f} s"
    )

    evaluation = Evaluation.objects.get(year=2024)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        services.evaluation_publish(evaluation=evaluation, by=None, reason="bench")
        seconds = time.perf_counter() - started
    print(f"evaluation_publish (a second version): {seconds * 1000:.0f} ms, {len(queries)} queries")

    client = Client()
    print(
        f"{'URL':<24} {'from the snapshot':>20} {'queries':>8} {'from the cache':>16} {'queries':>8} {'bytes':>8}"
    )
    with override_settings(ALLOWED_HOSTS=["testserver"]):
        for url in URLS:
            cold, warm = [], []
            for _ in range(args.requests):
                cache.clear()
                with CaptureQueriesContext(connection) as cold_queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    cold.append(time.perf_counter() - started)
                assert response.status_code == 200, (url, response.status_code)
            for _ in range(args.requests):
                with CaptureQueriesContext(connection) as warm_queries:
                    started = time.perf_counter()
                    response = client.get(url)
                    warm.append(time.perf_counter() - started)
            print(
                f"{url:<24} {statistics.median(cold) * 1000:>17.2f} ms {len(cold_queries):>8} "
                f"{statistics.median(warm) * 1000:>13.2f} ms {len(warm_queries):>8} {len(response.content):>8}"
            )


if __name__ == "__main__":
    main()
