"""The demo's data, without a database: the 685 agencies, the reference copy, texts and pictures."""

import io
import random
from collections import Counter

import pytest
from django.core.validators import EmailValidator, URLValidator
from PIL import Image

from demo import build, images, reference, texts
from demo.agencies import DISTRICTS, GUANGDONG_TAX_BRANCH, agency_specs
from govcases.enums import Level, Province
from govcases.models import Agency

SPECS = agency_specs()
BY_NAME = {spec.name: spec for spec in SPECS}


def test_685_agencies_with_unique_names_and_published_names():
    assert len(SPECS) == reference.reference()["surveyed_governments"] == 685
    assert len(BY_NAME) == 685
    assert len({spec.display_name for spec in SPECS}) == 685


# The demo's 685 agencies by level (tests/test_demo.py checks the database against the same figures).
LEVEL_COUNTS = {
    Level.MINISTRY: 53,
    Level.PROVINCE: 28,
    Level.MUNICIPALITY: 4,
    Level.SEPARATELY_LISTED_CITY: 5,
    Level.PROVINCIAL_CAPITAL: 27,
    Level.PREFECTURE: 301,
    Level.DISTRICT: 267,
}


def test_levels_counts():
    assert Counter(spec.level for spec in SPECS) == LEVEL_COUNTS


def test_parents_exist_come_first_and_share_the_province():
    seen = set()
    for spec in SPECS:
        if spec.parent:
            assert spec.parent in seen, spec.name
            parent = BY_NAME[spec.parent]
            if spec.name != GUANGDONG_TAX_BRANCH:
                assert parent.province == spec.province, spec.name
        seen.add(spec.name)
    assert BY_NAME[GUANGDONG_TAX_BRANCH].parent == "国家税务总局"


def test_provinces_are_known_and_blank_only_for_ministries():
    for spec in SPECS:
        if spec.level == Level.MINISTRY and spec.name != GUANGDONG_TAX_BRANCH:
            assert spec.province == ""
        else:
            assert spec.province in Province.values, spec.name


def test_districts_belong_to_municipalities_and_sub_provincial_cities():
    parents = {BY_NAME[spec.parent].level for spec in SPECS if spec.level == Level.DISTRICT}
    assert parents == {Level.MUNICIPALITY, Level.SEPARATELY_LISTED_CITY, Level.PROVINCIAL_CAPITAL}
    assert len(DISTRICTS) == 4 + 15


@pytest.mark.parametrize(
    ("name", "display_name"),
    [
        ("北京市海淀区", "北京海淀区"),
        ("深圳市龙华区", "深圳龙华区"),
        ("深圳市大鹏新区", "深圳大鹏新区"),
        ("内蒙古自治区", "内蒙古"),
        ("广西壮族自治区", "广西"),
        ("山东省", "山东省"),
        ("黔南布依族苗族自治州", "黔南州"),
        ("博尔塔拉蒙古自治州", "博州"),
        ("锡林郭勒盟", "锡林郭勒盟"),
    ],
)
def test_published_short_forms(name, display_name):
    assert BY_NAME[name].display_name == display_name


def test_every_name_the_reference_prints_resolves_to_a_demo_agency():
    for printed, facts in reference.reference()["printed_agencies"].items():
        spec = BY_NAME[facts["name"]]
        assert (spec.display_name, spec.level) == (facts["display_name"], facts["level"]), printed
    for level, ranks in reference.reference()["rankings"].items():
        for rank in ranks:
            for printed in rank["agencies"]:
                assert reference.reference()["printed_agencies"][printed]["level"] == level


def test_reference_copy_categories():
    rows = reference.categories()
    assert [(row["code"], row["name"], row["quota"]) for row in rows] == [
        ("disclosure", "公开解读", 15),
        ("service", "在线服务", 16),
        ("interaction", "互动交流", 11),
        ("platform", "平台支撑", 8),
    ]
    assert all(len(row["agencies"]) == row["quota"] for row in rows)
    assert reference.recommended() == 509


@pytest.mark.parametrize("total", [50, 60, 509, 20000])
def test_category_counts_add_up_and_hold_the_quotas(total):
    counts = build.category_counts(total)
    assert sum(counts.values()) == total
    assert all(counts[row["code"]] >= row["quota"] for row in reference.categories())


def test_category_counts_of_the_2024_round_and_too_few():
    assert build.category_counts(509) == build.CATEGORY_WEIGHTS
    with pytest.raises(ValueError):
        build.category_counts(49)


def test_officer_usernames_are_unique_and_predictable():
    def username(spec):
        return build.officer_username(Agency(display_name=spec.display_name, province=spec.province))

    usernames = [username(spec) for spec in SPECS]
    assert len(set(usernames)) == 685
    assert username(BY_NAME["北京市海淀区"]) == "beijinghaidianqu"
    assert username(BY_NAME["苏州市"]) == "suzhoushi-jiangsu"
    assert username(BY_NAME["宿州市"]) == "suzhoushi-anhui"
    assert username(BY_NAME["陕西省"]) == "shanxisheng-shaanxi"


def test_case_texts_are_deterministic_complete_and_use_placeholder_hosts():
    for code, themes in texts.THEMES.items():
        for number, theme in enumerate(themes):
            first = texts.case_text(
                theme=theme, agency_display="黔南州", rng=random.Random(number), number=number
            )
            again = texts.case_text(
                theme=theme, agency_display="黔南州", rng=random.Random(number), number=number
            )
            assert first == again, code
            assert first.title.startswith("黔南州") and len(first.title) <= 120
            assert 0 < len(first.summary) <= 300 and first.description and first.outcomes
            assert "{" not in first.summary + first.description + first.outcomes
            URLValidator()(first.service_url)
            EmailValidator()(first.contact_email)
            assert first.service_url.split("/")[2].endswith(".invalid")


def decode(data: bytes) -> Image.Image:
    picture = Image.open(io.BytesIO(data))
    picture.load()
    return picture


def test_banner_and_thumbnail_are_small_jpegs():
    picture = images.banner(
        category_code="service", category_name="在线服务", title="聊城市“无证明城市”建设", seed=1
    )
    full, small = images.jpeg_pair(picture)
    assert (decode(full).format, decode(full).size) == ("JPEG", images.SIZE)
    assert decode(small).size == images.THUMBNAIL_SIZE
    assert len(full) < 200_000


def test_banner_without_a_cjk_font_still_draws(monkeypatch, tmp_path):
    monkeypatch.setattr(images, "FONT_CANDIDATES", [tmp_path / "missing.ttc"])
    images.font.cache_clear()
    try:
        picture = images.banner(
            category_code="platform", category_name="平台支撑", title="一体化政务大数据体系", seed=2
        )
        assert picture.size == images.SIZE
        assert decode(images.jpeg_pair(picture)[0]).format == "JPEG"
    finally:
        images.font.cache_clear()
