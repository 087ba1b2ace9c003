"""XLSX files written for people who open them in Excel or WPS.

openpyxl takes a tenth of a second to import: only the requests and commands that write a sheet pay for it.
"""

import io


def workbook_new():
    """An empty workbook: add sheets with `create_sheet`."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    return workbook


def sheet_append(sheet, values) -> None:
    """Appends a row of values that a spreadsheet shows as they were typed.

    XML cannot carry most control characters (a pasted bell, an escape): they are dropped. Text stays text:
    a title such as "=HYPERLINK(…)" typed by an agency must not become a formula.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    sheet.append(
        [ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value for value in values]
    )
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def header_bold(sheet) -> None:
    from openpyxl.styles import Font

    for cell in sheet[1]:
        cell.font = Font(bold=True)


def workbook_bytes(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
