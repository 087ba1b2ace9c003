"""Near each category's cut line the ranking board tells how firm a case's place is."""

import re

import pytest
from django.urls import reverse

from govcases.enums import RankingConvention
from govcases.models import Quota, Round
from reviews import selectors
from reviews.models import Assignment
from reviews.services import review_submit

from .scenario import build, in_review_case


def points_for(criteria, total):
    """Points per criterion that add up to `total`, filling the criteria in order."""
    points = {}
    for criterion in criteria:
        points[criterion.pk] = min(criterion.max_points, total)
        total -= points[criterion.pk]
    assert total == 0
    return points


@pytest.fixture
def near_the_cut(round_):
    """One seat; reviewer A is lenient (80, 90), reviewer B harsh (70, 50). By the mean Y (80) is in and X and
    Z (70) share second place; normalised, X (B's better case) is in and Y (A's worse one) is out."""
    built = build(round_)
    Round.objects.filter(pk=round_.pk).update(normalisation_min_reviews=2)
    quota = Quota.objects.get(round=round_, category=built.category)
    quota.seats = 1
    quota.save()
    x = in_review_case(round_, built.category, title="乙独评案例")
    cases = {"x": x, "y": built.a_only_case, "z": built.shared_case}
    for assignment, total in [
        (Assignment.objects.create(reviewer=built.reviewer_b, case=x), 70),
        (built.a_only, 80),
        (built.a_shared, 90),
        (built.b_shared, 50),
    ]:
        review_submit(assignment=assignment, by=assignment.reviewer, points=points_for(built.criteria, total))
    return Round.objects.get(pk=round_.pk), cases


def test_rank_intervals_and_the_other_score(near_the_cut):
    round_, cases = near_the_cut
    rows = selectors.ranking_rows(round=round_)
    stability = selectors.cut_line_stability(round=round_, rows=rows)
    # Y's one review is always 80; Z's two reviews resample to 90, 70 or 50 (a mean above Y's one time in
    # four), X's one review is always 70.
    assert stability[cases["y"].pk] == selectors.Stability(
        interval=(1, 2), inside=True, inside_by_other=False
    )
    assert stability[cases["x"].pk] == selectors.Stability(
        interval=(2, 3), inside=False, inside_by_other=True
    )
    assert stability[cases["z"].pk] == selectors.Stability(
        interval=(1, 3), inside=False, inside_by_other=False
    )
    # Seeded by the round: the same every time the board is rendered.
    assert selectors.cut_line_stability(round=round_, rows=rows) == stability


def board_cells(client, round_) -> dict[int, list[str]]:
    response = client.get(
        reverse("admin:reviews_rankingboard_change", args=[round_.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    rows = {}
    for case_id, cells in re.findall(r'<tr[^>]*id="case-(\d+)">(.*?)</tr>', response.content.decode(), re.S):
        rows[int(case_id)] = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
    return rows


def test_the_board_shows_the_interval_the_other_score_and_the_rank_convention(
    client, organiser, near_the_cut
):
    round_, cases = near_the_cut
    client.force_login(organiser)
    rows = board_cells(client, round_)
    # rank, …, rank interval, by the other (normalised) score
    assert [rows[cases[key].pk][1] for key in "yxz"] == ["1", "2tied", "2tied"]
    assert [rows[cases[key].pk][12:14] for key in "yxz"] == [["1–2", "out"], ["2–3", "in"], ["1–3", "out"]]

    # With one more case below the tie, competition ranks skip a place and dense ranks do not.
    in_review_case(round_, cases["x"].category, title="未评案例")
    low = in_review_case(round_, cases["x"].category, title="低分案例")
    built_criteria = list(cases["x"].category.criteria.filter(round=round_).order_by("position"))
    assignment = Assignment.objects.create(
        reviewer=Assignment.objects.get(case=cases["x"]).reviewer, case=low
    )
    review_submit(assignment=assignment, by=assignment.reviewer, points=points_for(built_criteria, 10))
    assert board_cells(client, round_)[low.pk][1] == "4"
    round_.ranking_convention = RankingConvention.DENSE
    round_.save()
    assert board_cells(client, round_)[low.pk][1] == "3"
