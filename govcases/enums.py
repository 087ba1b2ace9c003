from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Level(models.TextChoices):
    """Administrative levels, in the order every list uses."""

    MINISTRY = "ministry", _("Ministry")
    PROVINCE = "province", pgettext_lazy("administrative level", "Province")
    MUNICIPALITY = "municipality", _("Municipality")
    SEPARATELY_LISTED_CITY = "separately_listed_city", _("Separately listed city")
    PROVINCIAL_CAPITAL = "provincial_capital", _("Provincial capital")
    PREFECTURE = "prefecture", _("Prefecture")
    DISTRICT = "district", _("District")


LEVEL_ORDER = {level.value: position for position, level in enumerate(Level)}


class Province(models.TextChoices):
    """Provincial-level divisions by their short names, as the announcement prints them."""

    BEIJING = "北京", _("Beijing")
    TIANJIN = "天津", _("Tianjin")
    HEBEI = "河北", _("Hebei")
    SHANXI = "山西", _("Shanxi")
    NEI_MONGOL = "内蒙古", _("Inner Mongolia")
    LIAONING = "辽宁", _("Liaoning")
    JILIN = "吉林", _("Jilin")
    HEILONGJIANG = "黑龙江", _("Heilongjiang")
    SHANGHAI = "上海", _("Shanghai")
    JIANGSU = "江苏", _("Jiangsu")
    ZHEJIANG = "浙江", _("Zhejiang")
    ANHUI = "安徽", _("Anhui")
    FUJIAN = "福建", _("Fujian")
    JIANGXI = "江西", _("Jiangxi")
    SHANDONG = "山东", _("Shandong")
    HENAN = "河南", _("Henan")
    HUBEI = "湖北", _("Hubei")
    HUNAN = "湖南", _("Hunan")
    GUANGDONG = "广东", _("Guangdong")
    GUANGXI = "广西", _("Guangxi")
    HAINAN = "海南", _("Hainan")
    CHONGQING = "重庆", _("Chongqing")
    SICHUAN = "四川", _("Sichuan")
    GUIZHOU = "贵州", _("Guizhou")
    YUNNAN = "云南", _("Yunnan")
    XIZANG = "西藏", _("Tibet")
    SHAANXI = "陕西", _("Shaanxi")
    GANSU = "甘肃", _("Gansu")
    QINGHAI = "青海", _("Qinghai")
    NINGXIA = "宁夏", _("Ningxia")
    XINJIANG = "新疆", _("Xinjiang")
    BINGTUAN = "兵团", _("Xinjiang Production and Construction Corps")


class Phase(models.TextChoices):
    SETUP = "setup", _("Setup")
    SUBMISSION = "submission", _("Submission")
    TRIAGE = "triage", _("Triage")
    REVIEW = "review", _("Review")
    SELECTION = "selection", _("Selection")
    VERIFICATION = "verification", _("Verification")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class CaseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    RETURNED = "returned", _("Returned for correction")
    INELIGIBLE = "ineligible", _("Ineligible")
    SCREENED_OUT = "screened_out", _("Screened out in triage")
    IN_REVIEW = "in_review", _("In review")
    SELECTED = "selected", _("Selected")
    NOT_SELECTED = "not_selected", _("Not selected")
    PUBLISHED = "published", _("Published")


# The stages a round may leave out (expert review never is): their phases are skipped when a round does.
OPTIONAL_PHASES = {Phase.TRIAGE: "triage_enabled", Phase.VERIFICATION: "verification_enabled"}

EDITABLE_STATUSES = frozenset({CaseStatus.DRAFT, CaseStatus.RETURNED})


class RankingScore(models.TextChoices):
    MEAN = "mean", _("Mean of reviews")
    NORMALISED = "normalised", _("Normalised score")


class MessageState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class RankingConvention(models.TextChoices):
    COMPETITION = "competition", _("Competition (1, 2, 2, 4)")
    DENSE = "dense", _("Dense (1, 2, 2, 3)")


class AccountAction(models.TextChoices):
    """What was done to a person's account (AccountChange)."""

    INVITED = "invited", _("invited")
    IMPORTED = "imported", _("invited by spreadsheet")
    RESENT = "resent", _("invitation sent again")
    DEACTIVATED = "deactivated", _("deactivated")
    REACTIVATED = "reactivated", _("reactivated")
    UNLOCKED = "unlocked", _("unlocked")
    CHANGED = "changed", _("details or roles changed")
