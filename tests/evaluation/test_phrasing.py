"""The report's sentences, written from the rankings it prints (the reference's groups)."""

import pytest

from demo.reference import reference
from evaluation.phrasing import chinese_numeral, ordinal_en, ranking_sentence_en, ranking_sentence_zh


def entries(group: str):
    return [(row["rank"], row["agencies"]) for row in reference()["rankings"][group]]


@pytest.mark.parametrize(
    ("number", "written"),
    [
        (1, "一"),
        (2, "二"),
        (10, "十"),
        (11, "十一"),
        (15, "十五"),
        (20, "二十"),
        (21, "二十一"),
        (100, "一百"),
        (101, "一百零一"),
        (110, "一百一十"),
        (685, "六百八十五"),
        (1010, "一千零一十"),
    ],
)
def test_chinese_numerals(number, written):
    assert chinese_numeral(number) == written


def test_the_provinces_sentence_reads_as_the_report():
    assert ranking_sentence_zh(entries("province")) == (
        "广东位列第一名，贵州和四川并列第二名，海南和安徽并列第四名，"
        "福建、内蒙古/云南、浙江、山东、江苏、湖南、江西、广西、湖北位列第六至十五名。"
    )


def test_the_ministries_sentence_joins_a_tie_inside_the_range_with_a_slash():
    sentence = ranking_sentence_zh(entries("ministry"))
    assert sentence.startswith(
        "商务部位列第一名，海关总署位列第二名，国家税务总局位列第三名，国家药品监督管理局、"
    )
    assert "教育部、文化和旅游部/工业和信息化部、自然资源部" in sentence
    assert sentence.endswith("生态环境部位列第四至十五名。")


def test_short_groups():
    assert ranking_sentence_zh(entries("municipality")) == "北京位列第一名，上海位列第二名，重庆位列第三名。"
    assert ranking_sentence_zh(entries("provincial_capital")).endswith("长沙/成都、哈尔滨位列第四至十名。")
    assert ranking_sentence_zh([]) == ""
    assert ranking_sentence_zh([(1, ["甲"]), (2, ["乙"]), (3, ["丙"]), (4, ["丁", "戊"])]) == (
        "甲位列第一名，乙位列第二名，丙位列第三名，丁和戊并列第四名。"
    )
    assert ranking_sentence_zh([(1, ["甲", "乙", "丙"])]) == "甲、乙和丙并列第一名。"


def test_english():
    assert ranking_sentence_en(entries("province")) == (
        "广东 ranks 1st; 贵州 and 四川 tie for 2nd; 海南 and 安徽 tie for 4th; "
        "福建, 内蒙古/云南, 浙江, 山东, 江苏, 湖南, 江西, 广西, 湖北 rank 6th to 15th."
    )
    assert [ordinal_en(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 111)] == [
        "1st",
        "2nd",
        "3rd",
        "4th",
        "11th",
        "12th",
        "13th",
        "21st",
        "22nd",
        "111th",
    ]
