"""The evaluation's states and its groups: which levels are ranked together and which are tiered together."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from govcases.enums import Level


class EvaluationStatus(models.TextChoices):
    SCORING = "scoring", _("Scoring")
    COMPUTED = "computed", _("Computed")


class ScoreStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class TierRule(models.TextChoices):
    COUNTS = "counts", _("A number of agencies per tier")
    CUTOFFS = "cutoffs", _("A minimum total per tier")


class Tier(models.TextChoices):
    """An agency's tier in its tier group; the codes are the keys of the published tiers."""

    EXCELLENT = "excellent", _("Excellent")
    GOOD = "good", _("Good")


class DimensionSource(models.TextChoices):
    ENTERED = "entered", _("Entered by the evaluators")
    SELECTED_CASES = "selected_cases", _("Computed from the published case selection")


@dataclass(frozen=True)
class Group:
    """A set of levels ranked (or tiered) together. Names are data as the report prints them, in both
    languages, because the published snapshot keeps them."""

    code: str
    name: str
    name_en: str
    levels: tuple[str, ...]


RANKING_GROUPS = (
    Group("ministry", "国务院部门", "State Council departments", (Level.MINISTRY,)),
    Group("province", "省（自治区）", "Provinces and autonomous regions", (Level.PROVINCE,)),
    Group("municipality", "直辖市", "Municipalities", (Level.MUNICIPALITY,)),
    Group(
        "separately_listed_city", "计划单列市", "Separately listed cities", (Level.SEPARATELY_LISTED_CITY,)
    ),
    Group("provincial_capital", "省会城市", "Provincial capitals", (Level.PROVINCIAL_CAPITAL,)),
)

TIER_GROUPS = (
    Group("ministries", "国务院部门", "State Council departments", (Level.MINISTRY,)),
    Group("provincial", "省级政府", "Provincial governments", (Level.PROVINCE, Level.MUNICIPALITY)),
    Group(
        "cities",
        "计划单列市、省会城市和其他地市级政府",
        "Separately listed cities, provincial capitals and other prefecture-level governments",
        (Level.SEPARATELY_LISTED_CITY, Level.PROVINCIAL_CAPITAL, Level.PREFECTURE),
    ),
    Group(
        "districts",
        "直辖市和副省级城市所辖区县政府",
        "District and county governments of municipalities and sub-provincial cities",
        (Level.DISTRICT,),
    ),
)

RANKING_GROUP_CODES = [group.code for group in RANKING_GROUPS]
TIER_GROUP_CODES = [group.code for group in TIER_GROUPS]
