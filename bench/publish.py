"""Publishing a round with the outbox filled: the organiser's one click, timed and its queries counted.

    .venv/bin/python bench/publish.py                  # the 509-case demo round, SQLite
    .venv/bin/python bench/publish.py --cases 20000    # a round forty times larger
    DATABASE_URL=postgres://... .venv/bin/python bench/publish.py

Prepares its own database (bench/output/publish-<cases>.sqlite3, or DATABASE_URL's database with the suffix
_publish<cases>, dropped and created) unless --reuse finds one, loads the demo round, and fills the outbox
with --filled messages of earlier rounds (most sent, some failed, some queued). Then, --repeat times, takes
the round back to the moment before its first publication (its cases in review with their staged decisions,
no publication: the bench database is disposable, so it is rewound directly) and publishes it through
reviews.selection.round_publish as the admin does, printing the wall time, the number of queries, and the
outcome messages queued. Nothing is sent: the messages wait for a worker, as they would after the click.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))
OUTPUT = PROJECT_ROOT / "bench" / "output"


def database_url(cases: int, base: str | None) -> str:
    if base and base.startswith("postgres"):
        stem, _slash, name = base.rpartition("/")
        return f"{stem}/{name}_publish{cases}"
    return f"sqlite:///{OUTPUT / f'publish-{cases}.sqlite3'}"


def prepare(url: str, cases: int, reuse: bool) -> None:
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(OUTPUT / f"publish-media-{cases}")}
    if url.startswith("sqlite"):
        path = Path(url.removeprefix("sqlite:///"))
        if reuse and path.exists():
            return
        path.unlink(missing_ok=True)
    else:
        import psycopg

        stem, _slash, name = url.rpartition("/")
        with psycopg.connect(f"{stem}/postgres", autocommit=True) as admin:
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if reuse and exists:
                return
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=PROJECT_ROOT, env=env, check=True)
    load = [*manage, "load_demo", "--password", "bench-publish-2024"]
    if cases != 509:
        load += ["--cases", str(cases)]
    subprocess.run(load, cwd=PROJECT_ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=509)
    parser.add_argument("--filled", type=int, default=100_000, help="messages already in the outbox")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--reuse", action="store_true", help="keep a database loaded before")
    options = parser.parse_args()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    url = database_url(options.cases, os.environ.get("DATABASE_URL"))
    prepare(url, options.cases, options.reuse)

    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "govcases.settings")
    os.environ.setdefault("MEDIA_ROOT", str(OUTPUT / f"publish-media-{options.cases}"))
    import django

    django.setup()
    from django.db import connection, transaction

    from govcases.enums import CaseStatus, MessageState, Phase
    from govcases.models import OutboxMessage, Publication, PublishedCase, Round
    from reviews.selection import round_publish

    round = Round.objects.get(year=2024)
    organiser = round.publications.order_by("version").first().published_by
    earlier = OutboxMessage.objects.exclude(round=round).count()
    if earlier < options.filled:
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
                for n in range(earlier, options.filled)
            ),
            batch_size=5000,
        )

    def rewind() -> None:
        with transaction.atomic():
            PublishedCase.objects.filter(publication__round=round).delete()
            Publication.objects.filter(round=round).delete()
            OutboxMessage.objects.filter(round=round).delete()
            round.cases.filter(status__in=[CaseStatus.PUBLISHED, CaseStatus.NOT_SELECTED]).update(
                status=CaseStatus.IN_REVIEW
            )
            Round.objects.filter(pk=round.pk).update(phase=Phase.SELECTION)

    print(
        f"{connection.vendor}, {round.cases.count()} cases in the round, "
        f"{OutboxMessage.objects.count()} messages in the outbox before publishing"
    )
    seconds, counts = [], []
    for attempt in range(options.repeat):
        rewind()
        statements: list[str] = []

        def count(execute, sql, params, many, context, statements=statements):
            statements.append(sql)
            return execute(sql, params, many, context)

        started = time.perf_counter()
        with connection.execute_wrapper(count):
            round_publish(round=round, by=organiser)
        seconds.append(time.perf_counter() - started)
        counts.append(len(statements))
        queued = OutboxMessage.objects.filter(round=round, kind__startswith="outcome_").count()
        outbox_queries = sum(
            "outboxmessage" in sql.lower() or "dbtaskresult" in sql.lower() for sql in statements
        )
        print(
            f"  publish #{attempt + 1}: {seconds[-1]:.2f} s, {counts[-1]} queries "
            f"({outbox_queries} of them the outbox's and its task's), {queued} outcome messages queued"
        )
    print(f"median {statistics.median(seconds):.2f} s, {statistics.median(counts):.0f} queries")


if __name__ == "__main__":
    main()
