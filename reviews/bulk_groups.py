"""The reviewers' groups of the organisers' bulk mail (govcases.bulk), registered when the app is ready."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from govcases.bulk import Addressee, group_register
from govcases.enums import CaseStatus
from govcases.notifications import person_name, user_recipients

from .enums import ReviewStatus
from .models import Assignment


def _reviewer_addressees(user_ids) -> list[Addressee]:
    recipients = user_recipients(user_ids)
    users = get_user_model().objects.in_bulk(list(recipients))
    url = settings.SITE_URL + reverse("review:index")
    return [
        Addressee(recipients[pk], person_name(users[pk]), url)
        for pk in sorted(recipients, key=lambda pk: users[pk].username)
    ]


def reviewers_with_pending_reviews(*, round, **filters) -> list[Addressee]:
    pending = (
        Assignment.objects.filter(case__round=round, case__status=CaseStatus.IN_REVIEW)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .values_list("reviewer_id", flat=True)
        .distinct()
    )
    return _reviewer_addressees(list(pending))


def every_reviewer(*, round, **filters) -> list[Addressee]:
    reviewers = get_user_model().objects.filter(is_active=True, reviewer_profile__isnull=False)
    return _reviewer_addressees(list(reviewers.values_list("pk", flat=True)))


def register() -> None:
    group_register("reviewers_pending", _("Reviewers with pending reviews"), reviewers_with_pending_reviews)
    group_register("reviewers_all", _("Every reviewer"), every_reviewer)
