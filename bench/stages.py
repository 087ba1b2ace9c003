"""The review stages' lists: the time and queries of the triage list and the verification list.

    .venv/bin/python bench/stages.py [--repeat 5]
    DATABASE_URL=postgres://govcases:govcases@127.0.0.1:5432/govcases .venv/bin/python bench/stages.py

Builds the demo (the 509-case 2024 round, published, and the 2025 round left in verification: triaged, scored,
its proposal partly checked) in a database of its own (bench/output/stages-509.sqlite3, or a PostgreSQL
database `<name>_stages509`), then requests each list as an organiser through Django's test client and
prints the median time and the number of queries. The triage list shows a page of 100 cases whatever the
round's size; the verification list compares every selected case with every case selected before (the
2024 round's 50). It prints figures; it asserts nothing.
"""

import argparse
import os
import statistics
import time

from publish import fresh_django  # bench/ is on the path of a script run from it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per list (after one warm-up)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()

    fresh_django(args.database_url, 509, "stages", TWO_FACTOR_REQUIRED="0")
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    from demo import load
    from govcases.enums import Phase
    from govcases.models import Round

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        load.demo_load(seed=2024, current=Phase.VERIFICATION)
    round = Round.objects.get(year=2025)
    organiser = round.phase_changes.order_by("pk").last().by
    client = Client()
    client.force_login(organiser)
    print(f"database: {connection.vendor}; round {round.year} in {round.get_phase_display()}")
    for name, board in (("triage list", "triageboard"), ("verification list", "verificationboard")):
        url = reverse(f"admin:reviews_{board}_change", args=[round.pk])
        client.get(url)
        times = []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url)
                times.append(time.perf_counter() - started)
        rows = response.content.decode().count('<tr id="case-')
        print(
            f"  {name:<18} {statistics.median(times) * 1000:7.1f} ms median of {args.repeat}, "
            f"{len(queries)} queries, {rows} rows"
        )


if __name__ == "__main__":
    main()
