"""Open data: a publication as JSON (the shape in the design), CSV (UTF-8 with a BOM, for Excel) and XLSX.

Only the snapshot's public fields are written; the same rows feed all three formats.
"""

import csv
import io

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

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
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(publication_rows(data))
    # The byte order mark tells Excel the file is UTF-8, so Chinese opens correctly.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def publication_xlsx(data: dict) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = str(data["year"])
    sheet.append(COLUMNS)
    for row in publication_rows(data):
        # XML cannot hold most control characters (a title may carry a pasted bell or escape): drop them.
        sheet.append(
            [ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in row]
        )
        # Text typed by agencies stays text: a title "=HYPERLINK(…)" must not become a formula.
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    for column, width in zip("ABCDEFG", [8, 12, 50, 24, 24, 10, 40], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
