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

# The five criteria of the published call (2025), each worth 20 points: a new round's rubric in every
# category until the organisers change it. Names and descriptions are data in the call's language.
DEFAULT_RUBRIC = (
    ("创新性", "理念、模式、技术或机制上的创新程度，与同类做法相比的突破。"),
    ("实效性", "解决企业和群众办事难点的实际成效，有可量化的数据支撑。"),
    ("整合度", "跨部门、跨层级、跨系统的数据共享与业务协同程度。"),
    ("持续性", "长效运行机制、制度保障和持续迭代的能力。"),
    ("示范性和可推广性", "对其他地区和部门的借鉴价值，复制推广的条件与已有推广情况。"),
)
DEFAULT_POINTS = 100 // len(DEFAULT_RUBRIC)


def rubric_set_up(round: Round, source: Round | None) -> None:
    """A new round's rubrics (a govcases set-up step, see ReviewsConfig): for each of its categories the
    criteria `source` had for it, or else the published criteria. A category that has criteria keeps them."""
    categories = set(round.quotas.values_list("category_id", flat=True))
    categories -= set(Criterion.objects.filter(round=round).values_list("category_id", flat=True))
    copied = [] if source is None else list(Criterion.objects.filter(round=source, category__in=categories))
    Criterion.objects.bulk_create(
        [
            Criterion(
                round=round,
                category_id=criterion.category_id,
                name=criterion.name,
                description=criterion.description,
                max_points=criterion.max_points,
                position=criterion.position,
            )
            for criterion in copied
        ]
        + [
            Criterion(
                round=round,
                category_id=category_id,
                name=name,
                description=description,
                max_points=DEFAULT_POINTS,
                position=position,
            )
            for category_id in sorted(categories - {criterion.category_id for criterion in copied})
            for position, (name, description) in enumerate(DEFAULT_RUBRIC)
        ]
    )


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
