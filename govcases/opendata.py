"""Open data: a publication as JSON (the shape in the design), CSV (UTF-8 with a BOM, for Excel) and XLSX.

Only the snapshot's public fields are written; the same rows feed all three formats.
"""

from . import spreadsheets
from .csvsafe import csv_text
from .models import Publication
from .selectors import publication_groups

COLUMNS = ["id", "category", "title", "agency", "level", "province", "url"]


def case_url(build_absolute_uri, case_id: int) -> str:
    return build_absolute_uri(f"/cases/{case_id}/")


def publication_data(*, publication: Publication, build_absolute_uri) -> dict:
    """`{"year", "title", "submitted", "selected", "published_at", "version", "categories": [...]}`."""
    groups = publication_groups(publication=publication)
    return {
        "year": publication.round.year,
        "title": publication.round.title,
        "submitted": publication.submitted,
        "selected": sum(len(group.cases) for group in groups),
        "published_at": publication.published_at.isoformat(),
        "version": publication.version,
        "categories": [
            {
                "name": group.category.name,
                "quota": group.seats,
                "cases": [
                    {
                        "id": case.case_id,
                        "title": case.title,
                        "agency": case.agency_name,
                        "level": case.level,
                        "province": case.province,
                        "url": case_url(build_absolute_uri, case.case_id),
                    }
                    for case in group.cases
                ],
            }
            for group in groups
        ],
    }


def publication_rows(data: dict) -> list[list]:
    return [
        [
            case["id"],
            category["name"],
            case["title"],
            case["agency"],
            case["level"],
            case["province"],
            case["url"],
        ]
        for category in data["categories"]
        for case in category["cases"]
    ]


def publication_csv(data: dict) -> bytes:
    return csv_text(publication_rows(data), header=COLUMNS).encode("utf-8")


def publication_xlsx(data: dict) -> bytes:
    workbook = spreadsheets.workbook_new()
    sheet = workbook.create_sheet(title=str(data["year"]))
    spreadsheets.sheet_append(sheet, COLUMNS)
    for row in publication_rows(data):
        spreadsheets.sheet_append(sheet, row)
    for column, width in zip("ABCDEFG", [8, 12, 50, 24, 24, 10, 40], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.workbook_bytes(workbook)
