"""Publication of a whole round: the time and the number of queries of `round_publish`.

    .venv/bin/python bench/publish.py                 # the 509-case demo round
    .venv/bin/python bench/publish.py --cases 20000   # a round forty times larger
    DATABASE_URL=postgres://govcases:govcases@127.0.0.1:5432/govcases .venv/bin/python bench/publish.py

Each run builds the demo round in its own database (bench/output/publish-<cases>.sqlite3, or a PostgreSQL
database `<name>_publish<cases>` that it drops and creates), stops before publication with the selection
staged, fills the outbox with --filled messages of earlier rounds (most sent, some failed, some queued, as a
deployment's outbox after a few years), then publishes once and prints what that took, the outcome messages
it queued and the queries that wrote them. It prints figures; it asserts nothing.
"""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
OUTPUT = PROJECT_ROOT / "bench" / "output"


def database_url(base: str | None, cases: int, purpose: str = "publish") -> str:
    """A fresh database for one benchmark: a new SQLite file, or a PostgreSQL database dropped and created
    beside the one `base` names."""
    if not base:
        path = OUTPUT / f"{purpose}-{cases}.sqlite3"
        path.unlink(missing_ok=True)
        return f"sqlite:///{path}"
    import psycopg

    stem, _, name = base.rpartition("/")
    name = f"{name}_{purpose}{cases}"
    with psycopg.connect(f"{stem}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return f"{stem}/{name}"


def django_setup(database: str, media: Path, **environment: str) -> None:
    """Django for a benchmark script, set up on `database` and the media folder `media`; `environment`:
    more settings, as the settings read them, unless the caller's environment has them already."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = database
    os.environ["MEDIA_ROOT"] = str(media)
    for key, value in environment.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcases.settings")
    sys.path.insert(0, str(PROJECT_ROOT))
    import django

    django.setup()


def fresh_django(base: str | None, size: int, purpose: str, **environment: str) -> None:
    """Django set up on a fresh, migrated database of the benchmark's own (`database_url`) and its own media
    folder, bench/output/media-<purpose>-<size>/."""
    django_setup(database_url(base, size, purpose), OUTPUT / f"media-{purpose}-{size}", **environment)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=None, help="cases in the round (default: the demo's 509)"
    )
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--top", type=int, default=5, help="how many kinds of query to list")
    parser.add_argument("--filled", type=int, default=100_000, help="messages already in the outbox")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()

    fresh_django(args.database_url, args.cases or 509, "publish")
    from django.db import connection
    from django.test.utils import override_settings

    from demo import load
    from govcases.enums import MessageState
    from govcases.models import Case, CaseTransition, OutboxMessage, Round
    from reviews.services import round_publish

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        result = load.demo_load(cases=args.cases, seed=args.seed, publish=False)
        round = Round.objects.get(pk=result.round.pk)
        organiser = round.phase_changes.order_by("pk").last().by
        transitions_before = CaseTransition.objects.count()
        states = [MessageState.SENT] * 8 + [MessageState.FAILED, MessageState.QUEUED]
        OutboxMessage.objects.bulk_create(
            (
                OutboxMessage(
                    recipient=f"earlier{n}@example.cn",
                    language="zh-hans",
                    kind="case_submitted",
                    subject=f"案例已收到：2023-{n:05d}",
                    body="……",
                    state=states[n % len(states)],
                )
                for n in range(args.filled)
            ),
            batch_size=5000,
        )
        outbox_before = OutboxMessage.objects.count()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # as autovacuum would after such a load
                cursor.execute("ANALYZE")
        queries = Counter()

        def count(execute, sql, params, many, context):
            queries[" ".join(sql.split()[:4])] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            started = time.perf_counter()
            publication = round_publish(round=round, by=organiser)
            elapsed = time.perf_counter() - started
    in_outcome = Case.objects.filter(round=round).count()
    print(f"database: {connection.vendor}; round {round.year}: {in_outcome} cases")
    print(f"publication v{publication.version}: {publication.cases.count()} cases selected")
    print(f"  time:        {elapsed:.2f} s")
    print(f"  queries:     {sum(queries.values())}")
    for statement, times in queries.most_common(args.top):
        print(f"    {times:6d}  {statement}")
    print(f"  audit rows:  {CaseTransition.objects.count() - transitions_before}")
    outbox_queries = sum(
        times for statement, times in queries.items() if "outboxmessage" in statement.lower()
    )
    task_queries = sum(times for statement, times in queries.items() if "dbtaskresult" in statement.lower())
    print(
        f"  outbox:      {OutboxMessage.objects.count() - outbox_before} outcome messages queued beside "
        f"{outbox_before} earlier ones, in {outbox_queries} queries (+{task_queries} for the delivery task)"
    )


if __name__ == "__main__":
    main()
