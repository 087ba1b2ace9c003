"""Agencies are listed as the report lists them: by administrative level, ministries first, then by the
Hanyu Pinyin of the name within a level."""

import pytest
from django.urls import reverse

from govcases.enums import Level
from govcases.models import Agency, pinyin_key
from tests import factories

pytestmark = pytest.mark.django_db


def make(name, level):
    return factories.AgencyFactory(name=name, level=level)


def test_within_a_level_by_pinyin():
    for name in ["重庆市人民政府", "北京市人民政府", "安徽省人民政府"]:
        make(name, Level.PROVINCE)
    assert [a.name for a in Agency.objects.in_report_order()] == [
        "安徽省人民政府",
        "北京市人民政府",
        "重庆市人民政府",  # chóng, not zhòng: the place name's reading
    ]


def test_polyphonic_place_names_use_their_reading():
    assert pinyin_key("重庆").startswith("chong2")
    assert pinyin_key("长沙").startswith("chang2")


def test_levels_come_first_ministries_before_provinces_before_districts():
    expected = [
        ("商务部", Level.MINISTRY),
        ("海关总署", Level.MINISTRY),
        ("安徽省人民政府", Level.PROVINCE),
        ("浙江省人民政府", Level.PROVINCE),
        ("北京市人民政府", Level.MUNICIPALITY),
        ("重庆市人民政府", Level.MUNICIPALITY),
        ("深圳市人民政府", Level.SEPARATELY_LISTED_CITY),
        ("成都市人民政府", Level.PROVINCIAL_CAPITAL),
        ("黔南布依族苗族自治州人民政府", Level.PREFECTURE),
        ("北京市海淀区人民政府", Level.DISTRICT),
    ]
    for name, level in reversed(expected):
        make(name, level)
    # Among ministries 海关 (hǎi) comes before 商务 (shāng), though it was created later.
    ordered = [(a.name, a.level) for a in Agency.objects.in_report_order()]
    assert ordered == sorted(expected, key=lambda item: (list(Level).index(item[1]), pinyin_key(item[0])))
    assert ordered[0] == ("海关总署", Level.MINISTRY) and ordered[-1][1] == Level.DISTRICT


def test_the_admin_lists_agencies_in_report_order(client, organiser):
    make("重庆市人民政府", Level.MUNICIPALITY)
    make("北京市人民政府", Level.MUNICIPALITY)
    make("安徽省人民政府", Level.PROVINCE)
    make("国家税务总局", Level.MINISTRY)
    client.force_login(organiser)
    response = client.get(reverse("admin:govcases_agency_changelist"))
    assert [a.name for a in response.context["cl"].result_list] == [
        "国家税务总局",
        "安徽省人民政府",
        "北京市人民政府",
        "重庆市人民政府",
    ]
