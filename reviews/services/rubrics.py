"""The organisers' rubrics: the criteria a round's cases of one category are scored on."""

from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from govcases.exceptions import Refused
from govcases.models import Category, Round

from ..enums import RUBRIC_FROZEN_PHASES
from ..models import Criterion
from ..selectors import rubric
from .assignment import organiser_required


@dataclass(frozen=True)
class CriterionLine:
    """One line of a rubric as the organiser wrote it: an existing criterion (its pk) or a new one (None)."""

    pk: int | None
    position: int
    name: str
    description: str
    max_points: int


def rubric_save(
    *, round: Round, category: Category, lines: list[CriterionLine], by: AbstractBaseUser | None
) -> list[Criterion]:
    """Makes `lines` the rubric of the round's category: criteria not among them are removed.

    Refused once the round's review has opened, and unless the points add up to exactly 100 under names
    that differ.
    """
    organiser_required(by)
    with transaction.atomic():
        round = Round.objects.select_for_update().get(pk=round.pk)
        if round.phase in RUBRIC_FROZEN_PHASES:
            raise Refused(_("The rubric is frozen once review opens."))
        points = sum(line.max_points for line in lines)
        if points != 100:
            raise Refused(
                _("The criteria add up to %(sum)d points; a rubric has exactly 100.") % {"sum": points}
            )
        names = [line.name for line in lines]
        if len(set(names)) != len(names):
            raise Refused(_("Two criteria have the same name."))
        existing = {
            criterion.pk: criterion for criterion in Criterion.objects.filter(round=round, category=category)
        }
        if any(line.pk is not None and line.pk not in existing for line in lines):
            raise Refused(_("A criterion of another rubric cannot be changed here."))
        Criterion.objects.filter(pk__in=set(existing) - {line.pk for line in lines}).delete()
        for line in lines:
            criterion = existing.get(line.pk) or Criterion(round=round, category=category)
            criterion.position, criterion.name = line.position, line.name
            criterion.description, criterion.max_points = line.description, line.max_points
            criterion.save()
    return rubric(round_id=round.pk, category_id=category.pk)
