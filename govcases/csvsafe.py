"""CSV files that a spreadsheet opens as data: every CSV the project writes goes through `csv_text`.

Excel, WPS and LibreOffice run a cell that begins with `=`, `+`, `-` or `@` (and, in some versions, a tab or a
carriage return) as a formula: an agency that titles its case `=HYPERLINK(…)` would plant a link in the
organisers' sheet. Such a cell gets a leading apostrophe, as OWASP recommends ("CSV Injection"); the
spreadsheet shows the text after it. Control characters are dropped (line breaks kept, as a cell may hold
paragraphs), so that nothing invisible reaches the sheet either.

Numbers (int, Decimal, float) are written as they are: a negative score is a number, not a formula.
"""

import csv
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
# The byte order mark tells Excel the file is UTF-8, so Chinese opens correctly.
BOM = "\ufeff"


def csv_cell(value) -> str | int | float | Decimal:
    """A value as a CSV cell: text that cannot run as a formula, numbers unchanged, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | Decimal):
        return value
    text = str(value).replace("\r\n", "\n")
    # Cleaned first: a bell before "=" must not hide the formula from the check below.
    text = "".join(ch for ch in text if ch == "\n" or unicodedata.category(ch) != "Cc")
    if text[:1] in FORMULA_STARTS or str(value)[:1] in FORMULA_STARTS:
        text = NEUTRALISER + text
    return text


def csv_text(rows: Iterable[Iterable], *, header: Iterable[str] | None = None) -> str:
    """The rows (and the header first, if any) as CSV text with a byte order mark, every cell made safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header is not None:
        writer.writerow(header)
    writer.writerows([csv_cell(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()
