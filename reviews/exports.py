"""The scoring of a round as files: XLSX for the organisers, CSV (UTF-8 with BOM, so Excel reads Chinese),
and the ranking's records for scripts. Each reads the database in a constant number of queries."""

import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from govcases import spreadsheets
from govcases.csvsafe import csv_text
from govcases.enums import Level
from govcases.models import Round

from .discussion import closed_discussions
from .enums import ReviewStatus
from .models import Criterion, Score
from .selectors import RankingRow, ranking_rows

RANKING_COLUMNS = [
    "category",
    "rank",
    "tied",
    "case_id",
    "agency",
    "title",
    "reviews",
    "mean",
    "median",
    "stdev",
    "range",
    "normalised",
    "flagged",
]


def ranking_record(row: RankingRow) -> dict:
    """One case of the ranking for scripts: plain values, decimals as numbers with two places."""
    return {
        "category": row.category.name,
        "rank": row.shown_rank,
        "tied": row.tied,
        "case_id": row.case.pk,
        "agency": row.case.agency.display_name,
        "title": row.case.title,
        "reviews": row.reviews,
        "mean": row.mean,
        "median": row.median,
        "stdev": row.stdev,
        "range": row.range,
        "normalised": row.normalised,
        "flagged": row.flagged,
    }


def _plain(value):
    return float(value) if isinstance(value, Decimal) else value


def ranking_json(*, round: Round) -> str:
    records = [
        {key: _plain(value) for key, value in ranking_record(row).items()}
        for row in ranking_rows(round=round)
    ]
    # One case per line: readable, and json's C encoder (which does not indent) is several times faster on
    # the tens of thousands of cases of a national round.
    return "[\n" + ",\n".join(json.dumps(record, ensure_ascii=False) for record in records) + "\n]"


def ranking_csv(*, round: Round) -> str:
    return csv_text(
        (ranking_record(row).values() for row in ranking_rows(round=round)), header=RANKING_COLUMNS
    )


@dataclass
class ReviewLine:
    reviewer: str
    total: int | None
    points: dict[int, int]


def _review_lines(round: Round) -> dict[int, list[ReviewLine]]:
    """Every submitted review's points per criterion, by case (one query)."""
    lines: dict[tuple[int, int], ReviewLine] = {}
    scores = (
        Score.objects.filter(review__assignment__case__round=round, review__status=ReviewStatus.SUBMITTED)
        .values_list(
            "review_id",
            "review__assignment__case_id",
            "review__assignment__reviewer__username",
            "review__assignment__reviewer__last_name",
            "review__assignment__reviewer__first_name",
            "review__total",
            "criterion_id",
            "points",
        )
        .order_by("review__assignment__case_id", "review__assignment__reviewer__username", "criterion_id")
    )
    by_case: dict[int, list[ReviewLine]] = defaultdict(list)
    for review_id, case_id, username, last_name, first_name, total, criterion_id, points in scores:
        line = lines.get((case_id, review_id))
        if line is None:
            line = lines[(case_id, review_id)] = ReviewLine(f"{last_name}{first_name}" or username, total, {})
            by_case[case_id].append(line)
        line.points[criterion_id] = points
    return by_case


def _criteria(round: Round) -> dict[int, list[Criterion]]:
    by_category: dict[int, list[Criterion]] = defaultdict(list)
    for criterion in Criterion.objects.filter(round=round).order_by("position", "pk"):
        by_category[criterion.category_id].append(criterion)
    return by_category


def _aggregate_headers() -> list[str]:
    return [
        _("Rank"),
        _("Tied"),
        _("Case id"),
        _("Title"),
        _("Agency"),
        _("Level"),
        _("Reviews"),
        _("Mean"),
        _("Median"),
        _("Standard deviation"),
        _("Range"),
        _("Normalised"),
        _("Disagreement"),
        _("Discussion closed"),
    ]


def _aggregate_values(row: RankingRow, closed: set[int]) -> list:
    return [
        row.shown_rank,
        _("tied") if row.tied else "",
        row.case.pk,
        row.case.title,
        row.case.agency.display_name,
        str(Level(row.case.agency.level).label),
        row.reviews,
        *(_plain(value) for value in (row.mean, row.median, row.stdev, row.range, row.normalised)),
        _("yes") if row.flagged else "",
        _("yes") if row.case.pk in closed else "",
    ]


def scoring_xlsx(*, round: Round) -> bytes:
    """One sheet per category: each case's aggregates, then each reviewer's points per criterion and total."""
    rows = ranking_rows(round=round)
    lines = _review_lines(round)
    criteria = _criteria(round)
    closed = closed_discussions(round_id=round.pk)
    workbook = spreadsheets.workbook_new()
    by_category: dict[int, list[RankingRow]] = defaultdict(list)
    categories = {}
    for row in rows:
        by_category[row.category.pk].append(row)
        categories[row.category.pk] = row.category
    for category_id, category_rows in by_category.items():
        sheet = workbook.create_sheet(title=categories[category_id].name[:31])
        rubric = criteria.get(category_id, [])
        slots = max((len(lines.get(row.case.pk, [])) for row in category_rows), default=0)
        header = _aggregate_headers()
        for slot in range(1, slots + 1):
            header.append(_("Reviewer %(n)d") % {"n": slot})
            header += [f"{criterion.name} ({criterion.max_points})" for criterion in rubric]
            header.append(_("Total %(n)d") % {"n": slot})
        spreadsheets.sheet_append(sheet, header)
        spreadsheets.header_bold(sheet)
        for row in category_rows:
            values = _aggregate_values(row, closed)
            for line in lines.get(row.case.pk, []):
                values.append(line.reviewer)
                values += [line.points.get(criterion.pk) for criterion in rubric]
                values.append(line.total)
            spreadsheets.sheet_append(sheet, values)
        sheet.freeze_panes = "D2"
        sheet.column_dimensions["D"].width = 40
        sheet.column_dimensions["E"].width = 16
    if not workbook.worksheets:
        spreadsheets.sheet_append(
            workbook.create_sheet(title=str(round.year)), [_("No case has been scored yet.")]
        )
    return spreadsheets.workbook_bytes(workbook)


def scoring_csv(*, round: Round) -> str:
    """One line per submitted review, with its case's aggregates; criteria as name and points pairs."""
    rows = ranking_rows(round=round)
    lines = _review_lines(round)
    criteria = _criteria(round)
    closed = closed_discussions(round_id=round.pk)
    width = max((len(rubric) for rubric in criteria.values()), default=0)
    # A disagreement the organisers closed as settled is told apart from one still being discussed.
    header = [*RANKING_COLUMNS, "discussion_closed", "reviewer", "total"]
    for position in range(1, width + 1):
        header += [f"criterion_{position}", f"points_{position}"]

    def records():
        for row in rows:
            aggregates = [*ranking_record(row).values(), row.case.pk in closed]
            for line in lines.get(row.case.pk, []) or [None]:
                values = [*aggregates, line.reviewer if line else "", line.total if line else None]
                if line:
                    for criterion in criteria.get(row.category.pk, []):
                        values += [criterion.name, line.points.get(criterion.pk)]
                yield values

    return csv_text(records(), header=header)
