"""The cases side of the demo round: agencies, categories, the round, organisers and officers, and cases.

Every stage is a function; demo.load drives them and carries the round through review and publication
(govcases never imports reviews). Cases are created and submitted through the services, with timestamps in
September 2024, before the round's real 2024 deadline.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from govcases import services
from govcases.enums import CaseStatus, Phase
from govcases.models import (
    Agency,
    AgencyMember,
    Case,
    CaseImage,
    Category,
    PublishedCase,
    Quota,
    Round,
    pinyin_key,
    upload_name,
)
from govcases.permissions import AGENCIES, ORGANISERS

from . import images, reference, texts
from .agencies import agency_specs

YEAR = 2024
CHINA = ZoneInfo("Asia/Shanghai")
SUBMISSION_OPENS = datetime(2024, 8, 1, 9, 0, tzinfo=CHINA)
SUBMISSION_DEADLINE = datetime(2024, 9, 30, 18, 0, tzinfo=CHINA)
REVIEW_DEADLINE = datetime(2024, 10, 31, 18, 0, tzinfo=CHINA)

# How the 509 recommended cases of 2024 spread over the categories (the announcement gives only the total).
CATEGORY_WEIGHTS = {"disclosure": 140, "service": 170, "interaction": 110, "platform": 89}

ORGANISER_USERNAMES = ["organiser", "organiser2"]
EMAIL_DOMAIN = "example.com"


@dataclass(frozen=True)
class Account:
    role: str
    username: str
    note: str


def password_hash(password: str) -> str:
    """One hash for every demo account: hashing hundreds of passwords one by one would take most of a minute."""
    return make_password(password)


def users_upsert(rows: list[dict], *, hashed_password: str, group_name: str) -> dict[str, User]:
    """Creates or updates users by username (fields: username, first_name, last_name, is_staff), in bulk."""
    usernames = [row["username"] for row in rows]
    existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
    fields = ["first_name", "last_name", "is_staff", "email", "password", "is_active"]
    new, changed = [], []
    for row in rows:
        values = {
            "first_name": row.get("first_name", ""),
            "last_name": row.get("last_name", ""),
            "is_staff": row.get("is_staff", False),
            "email": f"{row['username']}@{EMAIL_DOMAIN}",
            "password": hashed_password,
            "is_active": True,
        }
        user = existing.get(row["username"])
        if user is None:
            new.append(User(username=row["username"], **values))
        else:
            for field, value in values.items():
                setattr(user, field, value)
            changed.append(user)
    User.objects.bulk_create(new, batch_size=500)
    if changed:
        User.objects.bulk_update(changed, fields, batch_size=500)
    users = {user.username: user for user in User.objects.filter(username__in=usernames)}
    Group.objects.get_or_create(name=group_name)[0].user_set.add(*users.values())
    return users


def agencies_load() -> dict[str, Agency]:
    """The 685 agencies, created or brought up to date by official name; parents set in a second pass."""
    specs = agency_specs()
    existing = {agency.name: agency for agency in Agency.objects.filter(name__in=[s.name for s in specs])}
    new, changed = [], []
    for spec in specs:
        agency = existing.get(spec.name)
        values = {"display_name": spec.display_name, "level": spec.level, "province": spec.province}
        if agency is None:
            new.append(Agency(name=spec.name, pinyin=pinyin_key(spec.name), **values))
        elif any(getattr(agency, field) != value for field, value in values.items()):
            for field, value in values.items():
                setattr(agency, field, value)
            changed.append(agency)
    Agency.objects.bulk_create(new, batch_size=500)
    if changed:
        Agency.objects.bulk_update(changed, ["display_name", "level", "province"], batch_size=500)
    by_name = {agency.name: agency for agency in Agency.objects.filter(name__in=[s.name for s in specs])}
    reparented = []
    for spec in specs:
        agency = by_name[spec.name]
        parent_id = by_name[spec.parent].pk if spec.parent else None
        if agency.parent_id != parent_id:
            agency.parent_id = parent_id
            reparented.append(agency)
    if reparented:
        Agency.objects.bulk_update(reparented, ["parent"], batch_size=500)
    return by_name


def categories_load() -> list[Category]:
    rows = []
    for position, row in enumerate(reference.categories()):
        category, _created = Category.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "name_en": row["name_en"], "position": position}
        )
        rows.append(category)
    return rows


def round_clear(year: int = YEAR) -> bool:
    """Deletes the demo year's round with everything hanging on it (and its stored pictures)."""
    round = Round.objects.filter(year=year).first()
    if round is None:
        return False
    stored = [
        name
        for pair in CaseImage.objects.filter(case__round=round).values_list("image", "thumbnail")
        for name in pair
        if name
    ]
    PublishedCase.objects.filter(publication__round=round).delete()
    round.publications.all().delete()
    round.cases.all().delete()  # cascades to images, transitions, assignments, reviews and decisions
    round.delete()
    for name in stored:
        default_storage.delete(name)
    return True


def organisers_load(hashed_password: str) -> list[User]:
    rows = [
        {"username": username, "first_name": "组织方", "last_name": str(number), "is_staff": True}
        for number, username in enumerate(ORGANISER_USERNAMES, start=1)
    ]
    users = users_upsert(rows, hashed_password=hashed_password, group_name=ORGANISERS)
    return [users[username] for username in ORGANISER_USERNAMES]


def round_create(*, organiser: User, categories: list[Category], year: int = YEAR) -> Round:
    """The round with its quotas, opened for submissions by an organiser (an audited phase change)."""
    round = Round.objects.create(
        year=year,
        title=f"{year}年网上政务创新实践案例征集",
        phase=Phase.SETUP,
        submission_deadline=SUBMISSION_DEADLINE.replace(year=year),
        review_deadline=REVIEW_DEADLINE.replace(year=year),
        reviews_per_case=3,
        # The reference round is rebuilt from its published figures, which say nothing of a triage or a
        # verification: it goes straight from submission to review and from selection to publication.
        triage_enabled=False,
        verification_enabled=False,
    )
    quotas = {row["code"]: row["quota"] for row in reference.categories()}
    Quota.objects.bulk_create(Quota(round=round, category=c, seats=quotas[c.code]) for c in categories)
    return services.round_phase_set(
        round=round, to=Phase.SUBMISSION, by=organiser, override=True, reason="演示：重现2024年的评选"
    )


@dataclass
class PlannedCase:
    agency: Agency
    category: Category
    selected: bool  # one of the reference's 50
    theme: int
    repeat: int  # how many earlier cases this agency has on the same theme


def category_counts(total: int) -> dict[str, int]:
    """The 2024 spread scaled to `total` (largest remainders), never below a category's quota."""
    quotas = {row["code"]: row["quota"] for row in reference.categories()}
    if total < sum(quotas.values()):
        raise ValueError(f"a round needs at least {sum(quotas.values())} cases to hold the selected ones")
    weight_sum = sum(CATEGORY_WEIGHTS.values())
    exact = {code: total * weight / weight_sum for code, weight in CATEGORY_WEIGHTS.items()}
    counts = {code: int(value) for code, value in exact.items()}
    for code in sorted(exact, key=lambda code: exact[code] - counts[code], reverse=True)[
        : total - sum(counts.values())
    ]:
        counts[code] += 1
    for code, quota in quotas.items():
        while counts[code] < quota:
            donor = max(counts, key=lambda c: counts[c] - quotas[c])
            counts[donor] -= 1
            counts[code] += 1
    return counts


def case_plan(*, agencies: dict[str, Agency], categories: list[Category], total: int, rng: random.Random):
    """Which agency submits which case in which category: the reference's 50 first, the rest spread evenly."""
    by_code = {category.code: category for category in categories}
    counts = category_counts(total)
    plan = []
    for row in reference.categories():
        for name in row["agencies"]:
            plan.append(PlannedCase(agencies[name], by_code[row["code"]], True, 0, 0))
    slots = [
        by_code[row["code"]]
        for row in reference.categories()
        for _ in range(counts[row["code"]] - row["quota"])
    ]
    rng.shuffle(slots)
    pool = sorted(agencies.values(), key=lambda agency: agency.name)
    rng.shuffle(pool)
    for index, category in enumerate(slots):
        plan.append(PlannedCase(pool[index % len(pool)], category, False, 0, 0))
    rng.shuffle(plan)
    seen: Counter = Counter()
    offsets: dict[int, int] = {}
    for planned in plan:
        themes = len(texts.THEMES[planned.category.code])
        offset = offsets.setdefault(planned.agency.pk, rng.randrange(themes))
        earlier = seen[(planned.agency.pk, planned.category.pk)]
        seen[(planned.agency.pk, planned.category.pk)] += 1
        planned.theme = (offset + earlier) % themes
        planned.repeat = earlier // themes
    return plan


# Where two published names sound alike (苏州市 and 宿州市), the province tells the officers apart.
PROVINCE_SLUGS = {"陕西": "shaanxi"}


@cache
def _shared_slugs() -> frozenset[str]:
    counts = Counter(texts.slug(spec.display_name) for spec in agency_specs())
    return frozenset(slug for slug, count in counts.items() if count > 1)


def officer_username(agency: Agency) -> str:
    """Predictable: the Hanyu Pinyin of the name as published (北京海淀区 → beijinghaidianqu).

    Homophones get their province: suzhoushi-jiangsu (苏州市), suzhoushi-anhui (宿州市).
    """
    username = texts.slug(agency.display_name)
    if username in _shared_slugs():
        username += "-" + PROVINCE_SLUGS.get(agency.province, texts.slug(agency.province))
    return username[:150]


def officers_load(agencies: list[Agency], hashed_password: str) -> dict[int, User]:
    """One officer per agency, in the `agencies` group and attached to it; keyed by agency id."""
    rows, agency_of = [], {}
    for agency in agencies:
        username = officer_username(agency)
        rows.append({"username": username, "first_name": agency.display_name, "last_name": "联络员"})
        agency_of[username] = agency
    users = users_upsert(rows, hashed_password=hashed_password, group_name=AGENCIES)
    members = {m.user_id: m for m in AgencyMember.objects.filter(user__in=users.values())}
    new, moved = [], []
    for username, user in users.items():
        member = members.get(user.pk)
        if member is None:
            new.append(AgencyMember(user=user, agency=agency_of[username]))
        elif member.agency_id != agency_of[username].pk:
            member.agency = agency_of[username]
            moved.append(member)
    AgencyMember.objects.bulk_create(new, batch_size=500)
    if moved:
        AgencyMember.objects.bulk_update(moved, ["agency"])
    return {agency_of[username].pk: user for username, user in users.items()}


REPEAT_SUFFIXES = ["", "（二期）", "（三期）", "（四期）", "（五期）"]
POOL_CAPTIONS = ["服务界面", "数据看板", "办理流程", "群众评价", "工作现场"]


class PicturePool:
    """Banners for the cases: one made per case with its title, others reused per category."""

    def __init__(self, seed: int):
        self.seed = seed
        self._shared: dict[tuple[str, int], tuple[bytes, bytes]] = {}

    def own(self, case: Case, number: int) -> tuple[bytes, bytes]:
        picture = images.banner(
            category_code=case.category.code,
            category_name=case.category.name,
            title=case.title,
            seed=self.seed * 100_003 + number,
        )
        return images.jpeg_pair(picture)

    def shared(self, category: Category, index: int) -> tuple[bytes, bytes]:
        key = (category.code, index)
        if key not in self._shared:
            picture = images.banner(
                category_code=category.code,
                category_name=category.name,
                title=f"{category.name}·{POOL_CAPTIONS[index]}",
                seed=self.seed + index,
            )
            self._shared[key] = images.jpeg_pair(picture)
        return self._shared[key]


def _store_image(case: Case, pair: tuple[bytes, bytes], position: int, caption: str) -> CaseImage:
    full, small = pair
    width, height = images.SIZE
    return CaseImage.objects.create(
        case=case,
        image=ContentFile(full, name=upload_name("cases/images", "jpg")),
        thumbnail=ContentFile(small, name=upload_name("cases/thumbnails", "jpg")),
        width=width,
        height=height,
        caption=caption,
        position=position,
    )


def cases_submit(
    *,
    round: Round,
    plan: list[PlannedCase],
    officers: dict[int, User],
    rng: random.Random,
    seed: int,
    opens: datetime | None = None,
    closes: datetime | None = None,
    drafts: int = 0,
) -> list[tuple[Case, PlannedCase]]:
    """Each planned case drafted by its agency's officer, given pictures, and submitted between `opens` and
    `closes` (by default the round's opening and its deadline); the last `drafts` of the plan stay drafts.

    Drafts and submissions go through the services (case_create, case_submit: checks, reference numbers,
    audit). The pictures are written as CaseImage rows directly: they are generated here, so the upload
    service's decoding and re-encoding of untrusted files would only cost time.
    """
    pictures = PicturePool(seed)
    opens = opens or SUBMISSION_OPENS.replace(year=round.year)
    span = (closes or round.submission_deadline) - timedelta(hours=1) - opens
    made = []
    for number, planned in enumerate(plan, start=1):
        officer = officers[planned.agency.pk]
        when = opens + span * number / (len(plan) + 1)
        data = _case_data(planned, number, rng)
        case = services.case_create(round=round, by=officer, data=data, now=when)
        case.category = planned.category
        _store_image(case, pictures.own(case, number), 0, "案例海报")
        extra = (rng.random() < 0.55) + (rng.random() < 0.2)
        for position, index in enumerate(rng.sample(range(len(POOL_CAPTIONS)), extra), start=1):
            _store_image(case, pictures.shared(planned.category, index), position, POOL_CAPTIONS[index])
        if number <= len(plan) - drafts:
            case = services.case_submit(case=case, by=officer, now=when)
        made.append((case, planned))
    return made


# Up to this many cases are drafted and submitted one by one, as officers would; a larger round (the
# performance benchmark's 20 000) is drafted in bulk and submitted through the bulk transition.
SERVICE_LIMIT = 1000


def _case_data(planned: PlannedCase, number: int, rng: random.Random) -> dict:
    text = texts.case_text(
        theme=texts.THEMES[planned.category.code][planned.theme],
        agency_display=planned.agency.display_name,
        rng=rng,
        number=number,
    )
    return {
        "category": planned.category,
        "title": (text.title + REPEAT_SUFFIXES[min(planned.repeat, len(REPEAT_SUFFIXES) - 1)])[:120],
        "summary": text.summary,
        "description": text.description,
        "outcomes": text.outcomes,
        "service_url": text.service_url,
        "contact_name": text.contact_name,
        "contact_phone": text.contact_phone,
        "contact_email": text.contact_email,
    }


def cases_bulk_create(
    *,
    round: Round,
    plan: list[PlannedCase],
    officers: dict[int, User],
    rng: random.Random,
    seed: int,
) -> list[tuple[Case, PlannedCase]]:
    """A large round written in bulk: drafts with pictures, then each agency's cases submitted together
    through `case_bulk_transition` (the same rules and audit rows as one by one, a few queries a batch).

    Pictures are a few stored banners per category, shared by the cases: generating and storing tens of
    thousands of files would dominate the run.
    """
    pictures = PicturePool(seed)
    stored: dict[tuple[str, int], tuple[str, str]] = {}
    for category in {planned.category.pk: planned.category for planned in plan}.values():
        for index in range(len(POOL_CAPTIONS)):
            full, small = pictures.shared(category, index)
            stored[(category.code, index)] = (
                default_storage.save(upload_name("cases/images", "jpg"), ContentFile(full)),
                default_storage.save(upload_name("cases/thumbnails", "jpg"), ContentFile(small)),
            )
    cases = [
        Case(
            round=round,
            agency=planned.agency,
            created_by=officers[planned.agency.pk],
            **_case_data(planned, number, rng),
        )
        for number, planned in enumerate(plan, start=1)
    ]
    Case.objects.bulk_create(cases, batch_size=500)
    pictured = []
    for case, planned in zip(cases, plan, strict=True):
        count = 1 + (rng.random() < 0.55) + (rng.random() < 0.2)
        for position, index in enumerate(rng.sample(range(len(POOL_CAPTIONS)), count)):
            image, thumbnail = stored[(planned.category.code, index)]
            width, height = images.SIZE
            pictured.append(
                CaseImage(
                    case=case,
                    image=image,
                    thumbnail=thumbnail,
                    width=width,
                    height=height,
                    caption=POOL_CAPTIONS[index],
                    position=position,
                )
            )
    CaseImage.objects.bulk_create(pictured, batch_size=1000)
    by_agency: dict[int, list[int]] = defaultdict(list)
    for case in cases:
        by_agency[case.agency_id].append(case.pk)
    opens = SUBMISSION_OPENS.replace(year=round.year)
    span = round.submission_deadline - timedelta(hours=1) - opens
    for number, (agency_id, ids) in enumerate(sorted(by_agency.items()), start=1):
        services.case_bulk_transition(
            cases=Case.objects.filter(pk__in=ids),
            to=CaseStatus.SUBMITTED,
            by=officers[agency_id],
            now=opens + span * number / (len(by_agency) + 1),
        )
    return list(zip(cases, plan, strict=True))


def submitting_agencies(plan: list[PlannedCase]) -> list[Agency]:
    agencies = {planned.agency.pk: planned.agency for planned in plan}
    return sorted(agencies.values(), key=lambda agency: agency.pk)


def selected_agencies_by_category(made) -> dict[str, list[Agency]]:
    result = defaultdict(list)
    for case, planned in made:
        if planned.selected:
            result[case.category.code].append(planned.agency)
    return result
