"""The report's sentences, written from a group's ranking (pure functions).

「广东位列第一名，贵州和四川并列第二名，海南和安徽并列第四名，福建、内蒙古/云南、浙江……位列第六至十五名。」
The first ranks are named one by one; the rest of the top list is one range, in which agencies tied with
each other are joined by a slash.
"""

from collections.abc import Sequence

DIGITS = "零一二三四五六七八九"
NAMED_ONE_BY_ONE = 3


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 15 → 十五, 20 → 二十, 101 → 一百零一, 1010 → 一千零一十."""
    if not 0 <= number < 10000:
        raise ValueError(f"{number} is beyond the ranks of a group")
    if number < 10:
        return DIGITS[number]
    if number < 20:
        return "十" + (DIGITS[number % 10] if number % 10 else "")
    written = ""
    pending_zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // value % 10
        if digit:
            if pending_zero and written:
                written += "零"
            written += DIGITS[digit] + unit
            pending_zero = False
        elif written:
            pending_zero = True
    return written


def _and_zh(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "和" + names[-1]


def _single_zh(rank: int, names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"{names[0]}位列第{chinese_numeral(rank)}名"
    return f"{_and_zh(names)}并列第{chinese_numeral(rank)}名"


def ranking_sentence_zh(entries: Sequence[tuple[int, Sequence[str]]], named: int = NAMED_ONE_BY_ONE) -> str:
    """`entries` are (rank, names tied at it) in rank order: the group's published top list."""
    if not entries:
        return ""
    parts = [_single_zh(rank, names) for rank, names in entries[:named]]
    rest = entries[named:]
    if len(rest) == 1:
        parts.append(_single_zh(*rest[0]))
    elif rest:
        first = rest[0][0]
        last = rest[-1][0] + len(rest[-1][1]) - 1
        listed = "、".join("/".join(names) for _rank, names in rest)
        parts.append(f"{listed}位列第{chinese_numeral(first)}至{chinese_numeral(last)}名")
    return "，".join(parts) + "。"


def ordinal_en(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _and_en(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _single_en(rank: int, names: Sequence[str]) -> str:
    if len(names) == 1:
        return f"{names[0]} ranks {ordinal_en(rank)}"
    return f"{_and_en(names)} tie for {ordinal_en(rank)}"


def ranking_sentence_en(entries: Sequence[tuple[int, Sequence[str]]], named: int = NAMED_ONE_BY_ONE) -> str:
    """The same sentence in English: "广东 ranks 1st; 贵州 and 四川 tie for 2nd; …; 福建, 内蒙古/云南, … rank
    6th to 15th." (agencies keep the names the report prints)."""
    if not entries:
        return ""
    parts = [_single_en(rank, names) for rank, names in entries[:named]]
    rest = entries[named:]
    if len(rest) == 1:
        parts.append(_single_en(*rest[0]))
    elif rest:
        first = rest[0][0]
        last = rest[-1][0] + len(rest[-1][1]) - 1
        listed = ", ".join("/".join(names) for _rank, names in rest)
        parts.append(f"{listed} rank {ordinal_en(first)} to {ordinal_en(last)}")
    return "; ".join(parts) + "."
