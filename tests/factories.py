"""Factories for every model, producing complete, valid objects (a case ready to submit, with a real image)."""

import io
from datetime import timedelta

import factory
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.models import Agency, AgencyMember, Case, CaseImage, Category, Quota, Round
from govcases.permissions import AGENCIES, ORGANISERS, RESEARCHERS, REVIEWERS
from reviews.models import Assignment, Criterion, Review, ReviewerProfile

PASSWORD = "correct-horse-battery-staple"


def png_bytes(width: int = 64, height: int = 48, colour=(200, 40, 40), fmt: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, fmt)
    return buffer.getvalue()


def in_groups(*default):
    """A post-generation step that puts the user in the given groups (or in those passed as `groups=`)."""

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or default:
            self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()

    return groups


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.cn")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)
    groups = in_groups()


class OrganiserFactory(UserFactory):
    username = factory.Sequence(lambda n: f"organiser{n}")
    is_staff = True
    groups = in_groups(ORGANISERS)


class ResearcherFactory(UserFactory):
    """One of the organisers' research team (课题组): triage and verification, nothing else of the round."""

    username = factory.Sequence(lambda n: f"researcher{n}")
    is_staff = True
    groups = in_groups(RESEARCHERS)


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试市{n}号区")
    display_name = factory.LazyAttribute(lambda a: a.name)
    level = Level.DISTRICT
    province = Province.GUANGDONG
    email = factory.Sequence(lambda n: f"agency{n}@example.cn")


class AgencyMemberFactory(factory.django.DjangoModelFactory):
    """An agency officer: a user in the `agencies` group who acts for one agency."""

    class Meta:
        model = AgencyMember

    user = factory.SubFactory(
        UserFactory, username=factory.Sequence(lambda n: f"officer{n}"), groups=[AGENCIES]
    )
    agency = factory.SubFactory(AgencyFactory)


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category{n}")
    name = factory.Sequence(lambda n: f"类别{n}")
    position = factory.Sequence(int)


CATEGORIES_2024 = [
    ("disclosure", "公开解读", "Disclosure and policy interpretation", 15),
    ("service", "在线服务", "Online services", 16),
    ("interaction", "互动交流", "Interaction", 11),
    ("platform", "平台支撑", "Platform support", 8),
]


def categories_2024() -> list[Category]:
    return [
        CategoryFactory(code=code, name=name, name_en=english, position=position)
        for position, (code, name, english, _seats) in enumerate(CATEGORIES_2024)
    ]


class RoundFactory(factory.django.DjangoModelFactory):
    """A round in the submission phase with the 2024 categories and quotas; the deadline is a week away;
    without triage and verification."""

    class Meta:
        model = Round
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = factory.Sequence(lambda n: 2024 + n)
    title = factory.LazyAttribute(lambda r: f"{r.year}年网上政务创新实践案例征集")
    phase = Phase.SUBMISSION
    submission_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    review_deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))
    reviews_per_case = 3
    # The review stages around expert review are off unless a test of them turns them on.
    triage_enabled = False
    verification_enabled = False

    @factory.post_generation
    def quotas(self, create, extracted, **kwargs):
        if not create:
            return
        seats = extracted if extracted is not None else [seats for *_rest, seats in CATEGORIES_2024]
        for category, count in zip(categories_2024(), seats, strict=False):
            Quota.objects.get_or_create(round=self, category=category, defaults={"seats": count})


def image_file(name: str = "photo.png", **kwargs) -> ContentFile:
    return ContentFile(png_bytes(**kwargs), name=name)


class CaseFactory(factory.django.DjangoModelFactory):
    """A complete draft: every field the submission requires, and one image."""

    class Meta:
        model = Case
        skip_postgeneration_save = True

    round = factory.SubFactory(RoundFactory)
    agency = factory.SubFactory(AgencyFactory)
    category = factory.LazyAttribute(lambda c: c.round.quotas.first().category)
    title = factory.Sequence(lambda n: f"“一网通办”创新实践{n}")
    summary = "依托一体化政务服务平台，实现企业开办全程网办、一日办结。"
    description = "本案例围绕企业和群众办事堵点，推进业务流程再造与数据共享。"
    outcomes = "办理时限由5个工作日压缩至1个工作日，群众满意度达99%。"
    service_url = "https://www.example.gov.cn/service"
    contact_name = "张敏"
    contact_phone = "010-12345678"
    contact_email = "zhangmin@example.cn"
    status = CaseStatus.DRAFT

    @factory.post_generation
    def images(self, create, extracted, **kwargs):
        if not create:
            return
        for position in range(1 if extracted is None else extracted):
            CaseImage.objects.create(
                case=self, image=image_file(), thumbnail=image_file("thumb.png"), position=position
            )


class ReviewerFactory(UserFactory):
    """A user in `reviewers` with a profile covering every category of the round's categories."""

    username = factory.Sequence(lambda n: f"reviewer{n}")
    is_staff = True
    groups = in_groups(REVIEWERS)

    @factory.post_generation
    def profile(self, create, extracted, **kwargs):
        if not create:
            return
        profile, _ = ReviewerProfile.objects.get_or_create(
            user=self, defaults={"institution": kwargs.get("institution", "中国社会科学院")}
        )
        profile.categories.set(kwargs.get("categories") or Category.objects.all())


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    round = factory.SubFactory(RoundFactory)
    category = factory.LazyAttribute(lambda c: c.round.quotas.first().category)
    name = factory.Sequence(lambda n: f"指标{n}")
    description = "高分：创新突出；低分：沿用常规做法。"
    max_points = 25
    position = factory.Sequence(int)


RUBRIC_2024 = [("创新性", 30), ("实效性", 30), ("示范推广价值", 20), ("规范性与完整性", 20)]


def rubric(round: Round, category: Category) -> list[Criterion]:
    return [
        CriterionFactory(round=round, category=category, name=name, max_points=points, position=position)
        for position, (name, points) in enumerate(RUBRIC_2024)
    ]


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    reviewer = factory.SubFactory(ReviewerFactory)
    case = factory.SubFactory(CaseFactory)


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(AssignmentFactory)
