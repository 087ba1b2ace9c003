"""What reviews and the selection leave outstanding before a round moves on, registered with govcases.steps
from ReviewsConfig.ready() (govcases never imports reviews)."""

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from govcases import notifications, steps
from govcases.enums import CaseStatus, Phase
from govcases.models import Case, Round
from govcases.steps import Finding

from .enums import ReviewStatus
from .models import Review
from .selectors import SELECTABLE, latest_checks, provisional_selection, quota_states, ranking_rows


def _reviews_missing(round: Round) -> Iterable[Finding]:
    short = (
        Case.objects.filter(round=round, status=CaseStatus.IN_REVIEW)
        .annotate(done=Count("assignments", filter=Q(assignments__review__status=ReviewStatus.SUBMITTED)))
        .filter(done__lt=round.reviews_per_case)
        .count()
    )
    if short:
        yield Finding(
            "short_of_reviews",
            ngettext(
                "%(count)d case has fewer than %(needed)d submitted reviews.",
                "%(count)d cases have fewer than %(needed)d submitted reviews.",
                short,
            )
            % {"count": short, "needed": round.reviews_per_case},
        )
    drafts = Review.objects.filter(
        assignment__case__round=round,
        assignment__case__status=CaseStatus.IN_REVIEW,
        status=ReviewStatus.DRAFT,
    ).count()
    if drafts:
        yield Finding(
            "draft_reviews",
            ngettext(
                "%(count)d review is still a draft: it will not count.",
                "%(count)d reviews are still drafts: they will not count.",
                drafts,
            )
            % {"count": drafts},
        )
    flagged = sum(1 for row in ranking_rows(round=round) if row.flagged)
    if flagged:
        yield Finding(
            "flagged",
            ngettext(
                "%(count)d case is flagged: its reviewers disagree beyond the round's thresholds.",
                "%(count)d cases are flagged: their reviewers disagree beyond the round's thresholds.",
                flagged,
            )
            % {"count": flagged},
        )


def _review_closes(round: Round) -> Iterable[Finding]:
    yield Finding(
        "review_closes",
        _("Reviewers can no longer score or change their reviews; the ranking and selection boards open."),
    )


def _quotas_not_filled(round: Round) -> Iterable[Finding]:
    for state in quota_states(round=round):
        if state.selected < state.seats:
            yield Finding(
                f"quota_{state.category.code}",
                _("%(category)s: %(selected)d of %(seats)d seats are filled.")
                % {"category": state.category.name, "selected": state.selected, "seats": state.seats},
            )


def _publication_effects(round: Round) -> Iterable[Finding]:
    in_outcome = Case.objects.filter(round=round, status__in=SELECTABLE)
    selected = in_outcome.filter(selection__selected=True).count()
    yield Finding(
        "published",
        ngettext(
            "%(count)d selected case becomes public at /results/%(year)d/, with the open data.",
            "%(count)d selected cases become public at /results/%(year)d/, with the open data.",
            selected,
        )
        % {"count": selected, "year": round.year},
    )
    if round.publications.exists():
        yield Finding("correction", _("This is a correction: a new version; earlier versions stay readable."))
        return
    # The cases screened out in triage hear of it now too.
    told = Case.objects.filter(round=round, status__in=[*SELECTABLE, CaseStatus.SCREENED_OUT])
    addresses = notifications.outcome_recipient_count(cases=told)
    yield Finding(
        "outcome_mail",
        ngettext(
            "Every agency with a case in the outcome is told by e-mail: %(count)d address.",
            "Every agency with a case in the outcome is told by e-mail: %(count)d addresses.",
            addresses,
        )
        % {"count": addresses},
    )


def _verification_opens(round: Round) -> Iterable[Finding]:
    selected = provisional_selection(round=round).count()
    yield Finding(
        "verification_opens",
        ngettext(
            "%(count)d selected case is to be checked by someone other than its reviewers before publication; "
            "the selection can still be changed.",
            "%(count)d selected cases are to be checked by someone other than their reviewers before "
            "publication; the selection can still be changed.",
            selected,
        )
        % {"count": selected},
    )


def _unverified(round: Round) -> Iterable[Finding]:
    """Selected cases without a passed check: no override publishes them (the round verifies its
    selection)."""
    if not round.verification_enabled:
        return
    ids = list(provisional_selection(round=round).values_list("pk", flat=True))
    checks = latest_checks(case_ids=ids)
    unchecked = sum(1 for pk in ids if pk not in checks)
    failed = [checks[pk] for pk in ids if pk in checks and not checks[pk].passed]
    if unchecked:
        yield Finding(
            "unverified",
            ngettext(
                "%(count)d selected case is not verified yet.",
                "%(count)d selected cases are not verified yet.",
                unchecked,
            )
            % {"count": unchecked},
            blocking=True,
        )
    if failed:
        yield Finding(
            "verification_failed",
            ngettext(
                "%(count)d selected case failed its verification: replace it on the selection board or have "
                "it checked again.",
                "%(count)d selected cases failed their verification: replace them on the selection board or "
                "have them checked again.",
                len(failed),
            )
            % {"count": len(failed)},
            blocking=True,
        )


def register() -> None:
    steps.register(to=Phase.SELECTION, outstanding=_reviews_missing, effects=_review_closes)
    steps.register(to=Phase.VERIFICATION, outstanding=_quotas_not_filled, effects=_verification_opens)
    steps.register(to=steps.PUBLICATION, outstanding=_quotas_not_filled, effects=_publication_effects)
    steps.register(to=steps.PUBLICATION, outstanding=_unverified)
