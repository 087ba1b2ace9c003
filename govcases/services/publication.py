"""Publication: outcomes applied to every case in review and a frozen, versioned snapshot for the public."""

from collections import Counter

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .. import notifications, steps
from ..enums import LEVEL_ORDER, CaseStatus, Phase
from ..exceptions import Refused
from ..models import (
    Case,
    Publication,
    PublishedCase,
    Round,
    RoundPhaseChange,
)
from .cases import case_bulk_transition
from .rounds import step_check


def publication_create(
    *,
    round: Round,
    selected: list[Case],
    by: AbstractBaseUser | None,
    reason: str = "",
    override: bool = False,
) -> Publication:
    """Makes a selection public: outcomes for every case in review, the round published, a frozen snapshot.

    The caller (reviews.services.round_publish) has checked the quotas; here the outcome is applied, unless
    something is outstanding (govcases.steps) and not overridden with a reason.
    """
    selected_ids = {case.pk for case in selected}
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.phase != round.publication_phase:
            raise Refused(publication_phase_refusal(round))
        overridden = step_check(round=round, to=steps.PUBLICATION, reason=reason, override=override)
        chosen = round.cases.filter(pk__in=selected_ids)
        newly_selected = chosen.filter(status__in=[CaseStatus.IN_REVIEW, CaseStatus.NOT_SELECTED])
        case_bulk_transition(cases=newly_selected, to=CaseStatus.SELECTED, by=by)
        case_bulk_transition(cases=chosen.filter(status=CaseStatus.SELECTED), to=CaseStatus.PUBLISHED, by=by)
        case_bulk_transition(
            cases=round.cases.filter(status__in=[CaseStatus.IN_REVIEW, CaseStatus.PUBLISHED]).exclude(
                pk__in=selected_ids
            ),
            to=CaseStatus.NOT_SELECTED,
            by=by,
        )
        version = (round.publications.aggregate(v=Max("version"))["v"] or 0) + 1
        publication = Publication.objects.create(
            round=round,
            version=version,
            published_by=by,
            reason=reason,
            submitted=round.cases.exclude(
                status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.RETURNED]
            ).count(),
        )
        published = (
            round.cases.filter(pk__in=selected_ids)
            .select_related("agency", "category")
            .prefetch_related("images")
            .order_by("pk")
        )
        PublishedCase.objects.bulk_create(_published_case(publication, case) for case in published)
        publication.counts = _publication_counts(round, published)
        publication.save(update_fields=["counts"])
        RoundPhaseChange.objects.create(
            round=round,
            from_phase=round.phase,
            to_phase=Phase.PUBLISHED,
            by=by,
            reason=reason,
            overridden=overridden,
        )
        round.phase = Phase.PUBLISHED
        round.save(update_fields=["phase"])
        notifications.round_published(publication=publication)
    return publication


def publication_phase_refusal(round: Round) -> str:
    """Why a round not in its last phase before publication cannot be published, in the user's language."""
    return _("Only a round in the “%(phase)s” phase can be published.") % {
        "phase": Phase(round.publication_phase).label
    }


def _published_case(publication: Publication, case: Case) -> PublishedCase:
    return PublishedCase(
        publication=publication,
        case=case,
        category=case.category,
        title=case.title,
        summary=case.summary,
        description=case.description,
        outcomes=case.outcomes,
        service_url=case.service_url,
        agency_name=case.agency.display_name,
        level=case.agency.level,
        province=case.agency.province,
        pinyin=case.agency.pinyin,
        images=[
            {
                "image": image.image.name,
                "thumbnail": image.thumbnail.name,
                "width": image.width,
                "height": image.height,
                "caption": image.caption,
            }
            for image in case.images.all()
        ],
    )


def _publication_counts(round: Round, published) -> dict:
    """Quotas, submissions and selections by category code, and submissions and selections by level."""
    submitted = round.cases.exclude(status__in=[CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.RETURNED])
    by_category = Counter(submitted.values_list("category__code", flat=True))
    by_level = Counter(submitted.values_list("agency__level", flat=True))
    selected_category = Counter(case.category.code for case in published)
    selected_level = Counter(case.agency.level for case in published)
    return {
        # The quotas are part of what was published: a quota changed afterwards does not change the results.
        "categories": {
            code: {"submitted": by_category[code], "selected": selected_category[code], "seats": seats}
            for code, seats in round.quotas.order_by("category__position").values_list(
                "category__code", "seats"
            )
        },
        "levels": {
            level: {"submitted": by_level[level], "selected": selected_level[level]} for level in LEVEL_ORDER
        },
    }
