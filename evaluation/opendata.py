"""Open data of a published evaluation: JSON (the design's shape), CSV (UTF-8 with a BOM) and XLSX.

Everything comes from the publication's snapshot; the same rows feed the CSV and the XLSX. Programs read them
by codes that are the same in every language: the header row, the row's kind, the group and the tier. Beside
each code a `…_name` column says it in the visitor's language, for people; the agencies are named as the
report names them, in Chinese, in every language. Every column is described on /evaluation/data/ from `COLUMNS`.
"""

from decimal import Decimal

from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from govcases import spreadsheets
from govcases.csvsafe import csv_text
from govcases.opendata import Field

from .enums import RANKING_GROUPS, TIER_GROUPS, Tier
from .models import EvaluationPublication

COLUMNS = [
    Field(
        "kind",
        pgettext_lazy("open data column", "Kind of row"),
        _("code"),
        _("ranking: the agency's rank in a ranking group; tier: the agency's tier in a tier group."),
        "ranking",
    ),
    Field(
        "group",
        pgettext_lazy("open data column", "Group"),
        _("code"),
        _("The ranking group or the tier group: one of the codes in the table below."),
        "province",
    ),
    Field(
        "group_name",
        pgettext_lazy("open data column", "Group name"),
        _("text, in the language of the download"),
        _("The group's name: as the report prints it in a Chinese download, in English in an English one."),
        "省（自治区）",
    ),
    Field(
        "rank",
        pgettext_lazy("open data column", "Rank"),
        _("integer, or empty"),
        _(
            "The rank in the group (agencies tied share a rank, the next rank is skipped); empty in a tier row."
        ),
        "2",
    ),
    Field(
        "agency",
        pgettext_lazy("open data column", "Agency"),
        _("text"),
        _("The agency, by the name the report uses (in Chinese in every language)."),
        "贵州",
    ),
    Field(
        "total",
        pgettext_lazy("open data column", "Total"),
        _("number, or empty"),
        _("The agency's total out of 100, two decimals; empty in a tier row."),
        "85.12",
    ),
    Field(
        "tier",
        pgettext_lazy("open data column", "Tier"),
        _("code, or empty"),
        _("excellent or good; empty in a ranking row."),
        "excellent",
    ),
    Field(
        "tier_name",
        pgettext_lazy("open data column", "Tier name"),
        _("text, in the language of the download, or empty"),
        _("The tier in words: 优秀 or 良好 in Chinese, Excellent or Good in English."),
        "优秀",
    ),
]
HEADER = [column.key for column in COLUMNS]
# The groups' codes and names, listed on /evaluation/data/.
GROUPS = [("ranking", group) for group in RANKING_GROUPS] + [("tier", group) for group in TIER_GROUPS]


def _number(value: str | None) -> float | None:
    return None if value is None else float(Decimal(value))


def publication_data(*, publication: EvaluationPublication) -> dict:
    """`{"year", "surveyed", "index", "version", "published_at", "groups": [{"code", "name", "ranking":
    [{"rank", "agencies"}], "totals"}], "tiers": [{"code", "group", "excellent", "good"}]}` (and the
    title)."""
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
            {
                "code": tier["code"],
                "group": tier["group"],
                "excellent": tier["excellent"],
                "good": tier["good"],
            }
            for tier in data["tiers"]
        ],
    }


def publication_rows(snapshot: dict) -> list[list]:
    """The rows of the CSV and the XLSX from a publication's snapshot, names in the active language."""
    english = not (get_language() or "zh-hans").startswith("zh")
    rows = [
        [
            "ranking",
            group["code"],
            group["name_en"] if english else group["name"],
            row["rank"],
            row["agency"],
            _number(row["total"]),
            "",
            "",
        ]
        for group in snapshot["groups"]
        for row in group["totals"]
    ]
    for tier_group in snapshot["tiers"]:
        group_name = tier_group["name_en"] if english else tier_group["group"]
        for tier in Tier:
            rows += [
                ["tier", tier_group["code"], group_name, "", name, "", tier.value, str(tier.label)]
                for name in tier_group[tier.value]
            ]
    return rows


def publication_csv(publication: EvaluationPublication) -> bytes:
    # Every cell through the project's safe CSV writer: an agency's name cannot run as a formula.
    return csv_text(publication_rows(publication.data), header=HEADER).encode("utf-8")


def publication_xlsx(publication: EvaluationPublication) -> bytes:
    data = publication_data(publication=publication)
    workbook = spreadsheets.workbook_new()
    summary = workbook.create_sheet(title=str(data["year"]))
    for row in (["year", data["year"]], ["surveyed", data["surveyed"]], ["index", data["index"]]):
        spreadsheets.sheet_append(summary, row)
    sheet = workbook.create_sheet(title="results")
    spreadsheets.sheet_append(sheet, HEADER)
    for row in publication_rows(publication.data):
        spreadsheets.sheet_append(sheet, row)
    spreadsheets.header_bold(sheet)
    for column, width in zip("ABCDEFGH", [10, 24, 40, 8, 24, 10, 10, 10], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.workbook_bytes(workbook)
