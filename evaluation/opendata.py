"""Open data of a published evaluation: JSON (the design's shape), CSV (UTF-8 with a BOM) and XLSX.

Everything comes from the publication's snapshot; the same rows feed the CSV and the XLSX.
"""

from decimal import Decimal

from govcases import spreadsheets
from govcases.csvsafe import csv_text

from .models import EvaluationPublication

COLUMNS = ["kind", "group", "rank", "agency", "total", "tier"]


def _number(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def publication_data(*, publication: EvaluationPublication) -> dict:
    """`{"year", "surveyed", "index", "version", "published_at", "groups": [{"code", "name", "ranking":
    [{"rank", "agencies"}], "totals"}], "tiers": [{"group", "excellent", "good"}]}` (and the title)."""
    data = publication.data
    return {
        "year": data["year"],
        "title": data["title"],
        "surveyed": data["surveyed"],
        "index": _number(data["index"]),
        "version": publication.version,
        "published_at": publication.published_at.isoformat(),
        "groups": [
            {
                "code": group["code"],
                "name": group["name"],
                "ranking": group["ranking"],
                "totals": [
                    {"rank": row["rank"], "agency": row["agency"], "total": _number(row["total"])}
                    for row in group["totals"]
                ],
            }
            for group in data["groups"]
        ],
        "tiers": [
            {"group": tier["group"], "excellent": tier["excellent"], "good": tier["good"]}
            for tier in data["tiers"]
        ],
    }


def publication_rows(data: dict) -> list[list]:
    rows = [
        ["ranking", group["name"], row["rank"], row["agency"], row["total"], ""]
        for group in data["groups"]
        for row in group["totals"]
    ]
    for tier in data["tiers"]:
        rows += [["tier", tier["group"], "", name, "", "优秀"] for name in tier["excellent"]]
        rows += [["tier", tier["group"], "", name, "", "良好"] for name in tier["good"]]
    return rows


def publication_csv(data: dict) -> bytes:
    # Every cell through the project's safe CSV writer: an agency's name cannot run as a formula.
    return csv_text(publication_rows(data), header=COLUMNS).encode("utf-8")


def publication_xlsx(data: dict) -> bytes:
    workbook = spreadsheets.workbook_new()
    summary = workbook.create_sheet(title=str(data["year"]))
    for row in (["year", data["year"]], ["surveyed", data["surveyed"]], ["index", data["index"]]):
        spreadsheets.sheet_append(summary, row)
    sheet = workbook.create_sheet(title="results")
    spreadsheets.sheet_append(sheet, COLUMNS)
    for row in publication_rows(data):
        spreadsheets.sheet_append(sheet, row)
    spreadsheets.header_bold(sheet)
    for column, width in zip("ABCDEF", [10, 40, 8, 24, 10, 8], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.workbook_bytes(workbook)
