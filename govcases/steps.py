"""What stands in the way of an irreversible step of a round, and what the step will do.

A phase change or a publication is refused while something is outstanding (cases still drafts, reviews
missing, quotas not filled…) unless the organiser overrides it with a reason, which is audited. The same
checks hold wherever the step is taken: the admin's confirmation page, the services, the management commands.

Each app registers the checks it knows (`register`): govcases those about submissions; reviews, from its
`AppConfig.ready()`, those about reviews and the selection, so that govcases never imports reviews.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import CaseStatus, Phase
from .models import Case, Round

# The phase a publication moves a round to: its checks are registered under it.
PUBLICATION = Phase.PUBLISHED


@dataclass(frozen=True)
class Finding:
    """One thing the organiser should know before the step, written for them."""

    code: str
    message: str
    # What no override passes over (a selected case not verified): the step waits until it is done.
    blocking: bool = False


Check = Callable[[Round], Iterable[Finding]]
_outstanding: dict[str, list[Check]] = defaultdict(list)
_effects: dict[str, list[Check]] = defaultdict(list)


def register(*, to: str, outstanding: Check | None = None, effects: Check | None = None) -> None:
    """Adds a check of what is outstanding, and/or a description of what happens, before moving to `to`."""
    if outstanding is not None and outstanding not in _outstanding[to]:
        _outstanding[to].append(outstanding)
    if effects is not None and effects not in _effects[to]:
        _effects[to].append(effects)


def outstanding(*, round: Round, to: str) -> list[Finding]:
    """What is not done yet: going on needs an override with a reason."""
    return [finding for check in _outstanding[to] for finding in check(round)]


def effects(*, round: Round, to: str) -> list[Finding]:
    """What the step will do, e-mails included."""
    return [finding for check in _effects[to] for finding in check(round)]


def messages(findings: Iterable[Finding]) -> list[str]:
    return [finding.message for finding in findings]


# --- submissions -------------------------------------------------------------------------------------------


def _deadline(round: Round) -> str:
    return formats.date_format(timezone.localtime(round.submission_deadline), "DATETIME_FORMAT")


def _submission_not_over(round: Round) -> Iterable[Finding]:
    if round.phase != Phase.SUBMISSION:
        return
    if timezone.now() < round.submission_deadline:
        yield Finding(
            "deadline_ahead",
            _("The submission deadline (%(deadline)s) has not passed: agencies can still submit.")
            % {"deadline": _deadline(round)},
        )
    counts = round.cases.aggregate(
        drafts=Count("pk", filter=Q(status=CaseStatus.DRAFT)),
        returned=Count("pk", filter=Q(status=CaseStatus.RETURNED)),
    )
    if counts["drafts"]:
        yield Finding(
            "drafts",
            ngettext(
                "%(count)d case is still a draft: it will not be reviewed.",
                "%(count)d cases are still drafts: they will not be reviewed.",
                counts["drafts"],
            )
            % {"count": counts["drafts"]},
        )
    if counts["returned"]:
        yield Finding(
            "returned",
            ngettext(
                "%(count)d case returned for correction has not been submitted again.",
                "%(count)d cases returned for correction have not been submitted again.",
                counts["returned"],
            )
            % {"count": counts["returned"]},
        )


def _submission_deadline_passed(round: Round) -> Iterable[Finding]:
    if round.submission_deadline <= timezone.now():
        yield Finding(
            "deadline_passed",
            _("The submission deadline (%(deadline)s) has already passed: agencies could not submit.")
            % {"deadline": _deadline(round)},
        )
    if not round.quotas.exists():
        yield Finding(
            "no_quotas", _("The round has no categories with quotas: agencies could not choose one.")
        )


def _cases_enter_triage(round: Round) -> Iterable[Finding]:
    submitted = Case.objects.filter(round=round, status=CaseStatus.SUBMITTED).count()
    yield Finding(
        "into_triage",
        ngettext(
            "%(count)d submitted case goes to triage; agencies can no longer change or withdraw it.",
            "%(count)d submitted cases go to triage; agencies can no longer change or withdraw them.",
            submitted,
        )
        % {"count": submitted},
    )


def _untriaged(round: Round) -> Iterable[Finding]:
    """Per category, the submitted cases the research team has not passed or put out yet."""
    if round.phase != Phase.TRIAGE:
        return
    waiting = (
        Case.objects.filter(round=round, status=CaseStatus.SUBMITTED, triage__isnull=True)
        .values_list("category__name")
        .annotate(count=Count("pk"))
        .order_by("category__position", "category__name")
    )
    for category, count in waiting:
        yield Finding(
            "untriaged",
            ngettext(
                "%(category)s: %(count)d case is not triaged yet; it would go to the experts.",
                "%(category)s: %(count)d cases are not triaged yet; they would go to the experts.",
                count,
            )
            % {"category": category or "–", "count": count},
        )


def _cases_enter_review(round: Round) -> Iterable[Finding]:
    if round.phase == Phase.TRIAGE:
        counts = Case.objects.filter(round=round, status=CaseStatus.SUBMITTED).aggregate(
            out=Count("pk", filter=Q(triage__passed=False)), submitted=Count("pk")
        )
        # An undecided case goes to the experts too (the organiser overrode the step).
        counts["passed"] = counts["submitted"] - counts["out"]
        yield Finding(
            "into_review",
            ngettext(
                "%(count)d case that passed triage goes to the experts.",
                "%(count)d cases that passed triage go to the experts.",
                counts["passed"],
            )
            % {"count": counts["passed"]},
        )
        yield Finding(
            "screened_out",
            ngettext(
                "%(count)d case is screened out; its agency learns it, with the reason if the round says so, "
                "at publication.",
                "%(count)d cases are screened out; their agencies learn it, with the reason if the round says "
                "so, at publication.",
                counts["out"],
            )
            % {"count": counts["out"]},
        )
        return
    submitted = Case.objects.filter(round=round, status=CaseStatus.SUBMITTED).count()
    yield Finding(
        "into_review",
        ngettext(
            "%(count)d submitted case goes into review; agencies can no longer change or withdraw it.",
            "%(count)d submitted cases go into review; agencies can no longer change or withdraw them.",
            submitted,
        )
        % {"count": submitted},
    )


def _submission_opens(round: Round) -> Iterable[Finding]:
    yield Finding("portal_opens", _("Agencies can create and submit cases in the portal until the deadline."))


register(to=Phase.SUBMISSION, outstanding=_submission_deadline_passed, effects=_submission_opens)
register(to=Phase.TRIAGE, outstanding=_submission_not_over, effects=_cases_enter_triage)
register(to=Phase.REVIEW, outstanding=_submission_not_over, effects=_cases_enter_review)
register(to=Phase.REVIEW, outstanding=_untriaged)
