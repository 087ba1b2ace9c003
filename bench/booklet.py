"""The booklet's figures: how long /results/<year>.pdf takes to build for the 2024 demo round, and its size.

    .venv/bin/python bench/booklet.py            # loads the demo into bench/output/booklet.sqlite3 first
    .venv/bin/python bench/booklet.py --reuse    # keeps that database (and its media) if it is there

Prints the build time of each run (each one from scratch: the stored booklet is not used), the PDF's size and
page count, and the time to serve it once stored. Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from publish import OUTPUT, django_setup  # bench/ is on the path of a script run from it


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reuse", action="store_true", help="keep an already loaded database")
    parser.add_argument("--runs", type=int, default=3, help="builds to time (default 3)")
    parser.add_argument("--year", type=int, default=2024)
    options = parser.parse_args()

    # A database of its own that --reuse keeps, loaded by the demo rather than migrated empty.
    database = OUTPUT / "booklet.sqlite3"
    loaded = options.reuse and database.exists()
    if not loaded and database.exists():
        database.unlink()
    django_setup(f"sqlite:///{database}", OUTPUT / "media-booklet")
    from django.core.management import call_command
    from django.utils import translation
    from pypdf import PdfReader

    from govcases import booklet, selectors

    if not loaded:
        print("loading the demo round (once; --reuse keeps it) …", flush=True)
        call_command("migrate", verbosity=0)
        call_command("load_demo", password="bench-pass-2024", phase="none", stdout=io.StringIO())

    translation.activate("zh-hans")
    publication = selectors.publication_get(year=options.year)
    timings = []
    content = b""
    for _ in range(options.runs):
        started = time.perf_counter()
        content = booklet.booklet_build(publication=publication)
        timings.append(time.perf_counter() - started)
    pages = len(PdfReader(io.BytesIO(content)).pages)
    cases = sum(len(group.cases) for group in selectors.publication_groups(publication=publication))

    booklet.booklet_pdf(publication=publication)  # stored, as after the first visitor
    started = time.perf_counter()
    stored = booklet.booklet_pdf(publication=publication)
    served = time.perf_counter() - started
    assert stored, "the stored booklet is empty"

    print(f"booklet {options.year}: {cases} cases, {pages} pages, {len(content) / 1024 / 1024:.2f} MiB")
    print(
        f"build (WeasyPrint, from scratch): median {statistics.median(timings):.2f} s, "
        f"runs {', '.join(f'{t:.2f}' for t in timings)} s"
    )
    print(f"served once stored: {served * 1000:.1f} ms")


if __name__ == "__main__":
    main()
