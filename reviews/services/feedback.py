"""Feedback to agencies, frozen at publication when the round offers it: each case's score band and its
reviewers' comments, without names, written where the portal (govcases) reads them."""

from collections import defaultdict

from govcases.enums import CaseStatus
from govcases.models import CaseFeedback, Round

from .. import scoring
from ..enums import ReviewStatus
from ..models import Review


def feedback_freeze(*, round: Round) -> int:
    """Writes (or rewrites, for a corrected publication) the feedback of every case with an outcome; returns
    how many. Three queries for any number of cases. Called inside the publication's transaction."""
    CaseFeedback.objects.filter(case__round=round).delete()
    if not round.agency_feedback:
        return 0
    reviews = (
        Review.objects.filter(
            assignment__case__round=round,
            assignment__case__status__in=[CaseStatus.PUBLISHED, CaseStatus.NOT_SELECTED],
            status=ReviewStatus.SUBMITTED,
        )
        .order_by("assignment__case_id", "pk")
        .values_list("assignment__case_id", "total", "comment")
    )
    totals, comments = defaultdict(list), defaultdict(list)
    for case_id, total, comment in reviews:
        totals[case_id].append(total)
        if comment.strip():
            comments[case_id].append(comment.strip())
    made = CaseFeedback.objects.bulk_create(
        CaseFeedback(
            case_id=case_id,
            band=scoring.score_band(scoring.two_places(scoring.mean(case_totals))),
            comments=comments[case_id],
        )
        for case_id, case_totals in totals.items()
    )
    return len(made)
