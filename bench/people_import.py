"""Invitations by spreadsheet: the time and queries of the preview (a dry run) and of the confirmed import of
a reviewers' XLSX file, per row.

    .venv/bin/python bench/people_import.py               # 200 reviewers
    .venv/bin/python bench/people_import.py --rows 1000
    DATABASE_URL=postgres://govcases:govcases@127.0.0.1:5432/govcases .venv/bin/python bench/people_import.py

Builds its own database (bench/output/people-<rows>.sqlite3, or a PostgreSQL database `<name>_people<rows>`),
with the 2024 categories and the agencies of the demo's size, then reads the file as the admin does and runs
the import twice: as the preview (rolled back) and as the confirmation. It prints figures; it asserts nothing.

Measured with 1,000 reviewers (two shared cores):
    before the batches (each row through the one-person services):
        SQLite      preview 17.6 s, 33,006 queries (33.0 a row); confirmed 16.2 s, 33,005 queries
        PostgreSQL  preview 55.3 s, 33,005 queries (33.0 a row); confirmed 115.7 s, 33,005 queries
    after (rows checked against what was read once, written together):
        SQLite      preview 0.9 s, 72 queries; confirmed 0.8 s, 71 queries (29 and 28 for 30 rows: the
                    rest is bulk inserts split to stay under SQLite's 999 parameters a statement)
        PostgreSQL  preview 1.2 s, 28 queries; confirmed 1.1 s, 27 queries (the same for any number of rows)
"""

import argparse
import io
import os
import time

from publish import fresh_django  # bench/ is on the path of a script run from it


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200, help="reviewers in the file")
    parser.add_argument("--agencies", type=int, default=700, help="agencies the conflicts are looked up in")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    args = parser.parse_args()

    fresh_django(args.database_url, args.rows, "people")
    from django.contrib.auth.models import Group, User
    from django.db import connection
    from import_export.formats.base_formats import XLSX
    from openpyxl import Workbook

    from govcases.enums import Level
    from govcases.models import Agency, Category
    from govcases.permissions import ORGANISERS
    from reviews.imports import ReviewerResource

    for position, (code, name) in enumerate(
        [
            ("disclosure", "公开解读"),
            ("service", "在线服务"),
            ("interaction", "互动交流"),
            ("platform", "平台支撑"),
        ]
    ):
        Category.objects.create(code=code, name=name, position=position)
    Agency.objects.bulk_create(
        Agency(name=f"第{n}号测试单位", display_name=f"测试{n}", level=Level.DISTRICT, pinyin=f"ce shi {n}")
        for n in range(args.agencies)
    )
    organiser = User.objects.create_user("bench-organiser", "bench@example.cn", "x")
    organiser.groups.add(Group.objects.get_or_create(name=ORGANISERS)[0])

    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "电子邮箱", "工作单位", "评审类别", "回避单位"])
    for n in range(args.rows):
        sheet.append(
            [
                f"专家{n}",
                f"expert{n}@bench.example.cn",
                f"测试{n % 50}",
                "公开解读、在线服务",
                f"测试{n % args.agencies}",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    dataset = XLSX().create_dataset(buffer.getvalue())

    for label, dry_run in [("preview (rolled back)", True), ("confirmed import", False)]:
        resource = ReviewerResource()
        queries = []

        def count(execute, sql, params, many, context, queries=queries):
            queries.append(sql)
            return execute(sql, params, many, context)

        # Counted by a wrapper, not by CaptureQueriesContext: its log keeps only the last 9,000 queries.
        with connection.execute_wrapper(count):
            started = time.perf_counter()
            result = resource.import_data(
                dataset, dry_run=dry_run, user=organiser, rollback_on_validation_errors=True
            )
            elapsed = time.perf_counter() - started
        print(
            f"{label}: {args.rows} rows in {elapsed:.2f} s ({elapsed / args.rows * 1000:.1f} ms a row), "
            f"{len(queries)} queries ({len(queries) / args.rows:.1f} a row), "
            f"{len(result.invalid_rows)} rows with problems, {len(result.base_errors) + len(result.error_rows)} errors"
        )
    print(
        f"database: {connection.vendor}; reviewers now: {User.objects.filter(email__endswith='@bench.example.cn').count()}"
    )


if __name__ == "__main__":
    main()
