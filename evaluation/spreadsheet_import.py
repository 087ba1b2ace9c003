"""The evaluators' spreadsheet: one row per agency, one column per indicator code, checked cell by cell.

Nothing is written here: `import_preview` reads the file and says, for every cell, the value it would write
or what is wrong with it. The import writes only a preview without a single error (evaluation.services).
"""

import io
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from . import selectors
from .enums import DimensionSource
from .models import Evaluation, Score
from .services import score_problem

MAX_ROWS = 5000


@dataclass
class Cell:
    text: str
    error: str = ""


@dataclass
class Row:
    number: int
    cells: list[Cell]


@dataclass
class Preview:
    header: list[Cell] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    error: str = ""  # what is wrong with the file as a whole
    values: list[tuple[int, int, str]] = field(default_factory=list)  # (surveyed id, indicator id, points)

    @property
    def errors(self) -> int:
        cells = [cell for row in self.rows for cell in row.cells] + self.header
        return sum(1 for cell in cells if cell.error) + (1 if self.error else 0)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_rows(content: bytes) -> list[tuple]:
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    sheet = workbook.worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1)]


def import_preview(*, evaluation: Evaluation, content: bytes) -> Preview:
    preview = Preview()
    try:
        rows = _read_rows(content)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError):
        preview.error = _("This file is not an Excel workbook (XLSX).")
        return preview
    if not rows:
        preview.error = _("The sheet is empty.")
        return preview
    if len(rows) > MAX_ROWS:
        preview.error = _("The sheet has more than %(count)d rows.") % {"count": MAX_ROWS}
        return preview
    dimensions = selectors.indicator_system(evaluation=evaluation)
    indicators = {i.code: i for d in dimensions for i in d.indicators.all()}
    surveyed = list(evaluation.surveyed.select_related("agency"))
    by_name = {s.published_name: s for s in surveyed} | {s.agency.name: s for s in surveyed}
    columns = []
    preview.header = [Cell(_text(rows[0][0]) if rows[0] else "")]
    for value in rows[0][1:]:
        code = _text(value)
        indicator = indicators.get(code)
        cell = Cell(code)
        if not code:
            pass
        elif indicator is None:
            cell.error = _("No indicator of %(year)d has the code “%(code)s”.") % {
                "year": evaluation.year,
                "code": code,
            }
        elif indicator.dimension.source != DimensionSource.ENTERED:
            cell.error = _("This indicator is computed from the published case selection.")
            indicator = None
        elif indicator in columns:
            cell.error = _("This indicator has a second column.")
            indicator = None
        columns.append(indicator)
        preview.header.append(cell)
    seen = set()
    for number, values in enumerate(rows[1:], start=2):
        if not any(_text(value) for value in values):
            continue
        name = _text(values[0]) if values else ""
        agency = by_name.get(name)
        first = Cell(name)
        if agency is None:
            first.error = _("No agency surveyed in %(year)d is called “%(name)s”.") % {
                "year": evaluation.year,
                "name": name,
            }
        elif agency.pk in seen:
            first.error = _("This agency has a second row.")
            agency = None
        else:
            seen.add(agency.pk)
        row = Row(number, [first])
        for position, indicator in enumerate(columns, start=1):
            text = _text(values[position]) if position < len(values) else ""
            cell = Cell(text)
            row.cells.append(cell)
            if not text or indicator is None or agency is None:
                continue
            try:
                points = Decimal(text)
            except InvalidOperation:
                cell.error = _("“%(value)s” is not a number.") % {"value": text}
                continue
            cell.error = score_problem(indicator=indicator, surveyed=agency, points=points)
            if not cell.error:
                preview.values.append((agency.pk, indicator.pk, str(points)))
        preview.rows.append(row)
    return preview


def template_xlsx(*, evaluation: Evaluation) -> bytes:
    """The sheet the import reads: the agencies as published, the entered indicators' codes, the points so far."""
    from govcases import spreadsheets

    dimensions = selectors.indicator_system(evaluation=evaluation)
    indicators = [
        indicator
        for dimension in dimensions
        if dimension.source == DimensionSource.ENTERED
        for indicator in dimension.indicators.all()
    ]
    points = {
        (surveyed_id, indicator_id): value
        for surveyed_id, indicator_id, value in Score.objects.filter(
            surveyed__evaluation=evaluation
        ).values_list("surveyed_id", "indicator_id", "points")
    }
    workbook = spreadsheets.workbook_new()
    sheet = workbook.create_sheet(title=str(evaluation.year))
    spreadsheets.sheet_append(sheet, [_("Agency"), *(indicator.code for indicator in indicators)])
    for surveyed in evaluation.surveyed.select_related("agency").order_by("agency__pinyin", "pk"):
        spreadsheets.sheet_append(
            sheet,
            [
                surveyed.published_name,
                *(
                    points.get((surveyed.pk, indicator.pk))
                    if selectors.applies(indicator, surveyed)
                    else None
                    for indicator in indicators
                ),
            ],
        )
    spreadsheets.header_bold(sheet)
    sheet.freeze_panes = "B2"
    return spreadsheets.workbook_bytes(workbook)
