"""Open data: a publication as JSON (the shape in the design), CSV (UTF-8 with a BOM, for Excel) and XLSX.

Only the snapshot's public fields are written; the same rows feed all three formats. JSON is for programs and
keeps its codes (a level is `separately_listed_city`); CSV and XLSX are read by people, so their headers and
values are words in the visitor's language. Every field is described on /data/ from `PUBLICATION_FIELDS` and
`CASE_FIELDS` below.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from . import spreadsheets
from .csvsafe import csv_text
from .enums import Level, Province
from .models import Category, Publication
from .selectors import publication_groups

# The licence of the open data, shown on /data/.
LICENCE_NAME = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Field:
    key: str  # the JSON key
    label: Promise  # the CSV and XLSX header, in the visitor's language
    type: Promise
    meaning: Promise
    example: str


PUBLICATION_FIELDS = [
    Field(
        "year", pgettext_lazy("open data column", "Year"), _("integer"), _("The year of the round."), "2024"
    ),
    Field(
        "title",
        pgettext_lazy("open data column", "Round"),
        _("text"),
        _("The round's title."),
        "2024年网上政务创新实践案例征集",
    ),
    Field(
        "submitted",
        pgettext_lazy("open data column", "Cases submitted"),
        _("integer"),
        _("How many cases were submitted to the round (drafts and withdrawn cases not counted)."),
        "509",
    ),
    Field(
        "selected",
        pgettext_lazy("open data column", "Cases selected"),
        _("integer"),
        _("How many cases this version publishes."),
        "50",
    ),
    Field(
        "published_at",
        pgettext_lazy("open data column", "Published at"),
        _("date and time (ISO 8601, with time zone)"),
        _("When this version was published."),
        "2024-12-20T10:00:00+08:00",
    ),
    Field(
        "version",
        pgettext_lazy("open data column", "Version"),
        _("integer"),
        _(
            "1 for the first publication; each correction publishes the next number. Earlier versions stay readable with ?version=N."
        ),
        "1",
    ),
    Field(
        "categories[].name",
        pgettext_lazy("open data column", "Category"),
        _("text"),
        _("A category of cases, in the order of the announcement."),
        "公开解读",
    ),
    Field(
        "categories[].quota",
        pgettext_lazy("open data column", "Quota"),
        _("integer, or empty"),
        _("How many cases the category could select at most."),
        "15",
    ),
]

CASE_FIELDS = [
    Field(
        "id",
        pgettext_lazy("open data column", "Case number"),
        _("integer"),
        _("The case's number, the same in every version and year; its page is /cases/<number>/."),
        "1024",
    ),
    Field(
        "category",
        pgettext_lazy("open data column", "Category"),
        _("text"),
        _(
            "In JSON the case sits under its category (categories[].cases); CSV and Excel name it in a column."
        ),
        "在线服务",
    ),
    Field(
        "title",
        pgettext_lazy("open data column", "Title"),
        _("text"),
        _("The case's title, as published."),
        "“京通”一网通办",
    ),
    Field(
        "agency",
        pgettext_lazy("open data column", "Agency"),
        _("text"),
        _("The agency that submitted the case, by the name the announcement uses."),
        "北京海淀区",
    ),
    Field(
        "level",
        pgettext_lazy("open data column", "Level"),
        _("code in JSON, words in CSV and Excel"),
        _("The agency's administrative level: one of the codes in the table below."),
        "district",
    ),
    Field(
        "province",
        pgettext_lazy("open data column", "Province"),
        _("text, or empty"),
        _("The province, autonomous region or municipality of the agency; empty for a ministry."),
        "北京",
    ),
    Field(
        "url",
        pgettext_lazy("open data column", "Web page"),
        _("URL"),
        _("The case's page on this site."),
        "https://example.gov.cn/cases/1024/",
    ),
]

COLUMN_WIDTHS = [10, 12, 50, 24, 16, 10, 40]


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


def column_headers() -> list[str]:
    """The CSV and XLSX header row, in the active language."""
    return [str(field.label) for field in CASE_FIELDS]


def _category_names(data: dict) -> dict[str, str]:
    """Each category's name in the active language (the JSON carries the Chinese one)."""
    names = [category["name"] for category in data["categories"]]
    if get_language() != "en":
        return {name: name for name in names}
    english = dict(Category.objects.filter(name__in=names).values_list("name", "name_en"))
    return {name: english.get(name) or name for name in names}


def _word(choices, value: str) -> str:
    return str(choices(value).label) if value in choices.values else value


def publication_rows(data: dict) -> list[list]:
    """The cases as rows for people: category, level and province in words of the active language."""
    category_names = _category_names(data)
    return [
        [
            case["id"],
            category_names[category["name"]],
            case["title"],
            case["agency"],
            _word(Level, case["level"]),
            _word(Province, case["province"]) if case["province"] else "",
            case["url"],
        ]
        for category in data["categories"]
        for case in category["cases"]
    ]


def publication_csv(data: dict) -> bytes:
    return csv_text(publication_rows(data), header=column_headers()).encode("utf-8")


def publication_xlsx(data: dict) -> bytes:
    workbook = spreadsheets.workbook_new()
    sheet = workbook.create_sheet(title=str(data["year"]))
    spreadsheets.sheet_append(sheet, column_headers())
    spreadsheets.header_bold(sheet)
    for row in publication_rows(data):
        spreadsheets.sheet_append(sheet, row)
    for column, width in zip("ABCDEFG", COLUMN_WIDTHS, strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    return spreadsheets.workbook_bytes(workbook)
