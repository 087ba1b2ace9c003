"""The project's copy of the 2024 reference facts (reference_2024.json beside this file)."""

import json
from functools import cache
from pathlib import Path

REFERENCE_FILE = Path(__file__).with_name("reference_2024.json")

# Category codes and English names; the Chinese names, the order and the quotas come from the reference.
CATEGORY_CODES = {
    "公开解读": "disclosure",
    "在线服务": "service",
    "互动交流": "interaction",
    "平台支撑": "platform",
}
CATEGORY_ENGLISH = {
    "disclosure": "Disclosure and policy interpretation",
    "service": "Online services",
    "interaction": "Interaction and communication",
    "platform": "Platform support",
}


@cache
def reference() -> dict:
    return json.loads(REFERENCE_FILE.read_text(encoding="utf-8"))


def categories() -> list[dict]:
    """[{code, name, name_en, quota, agencies: [official names of the selected cases' agencies]}] in order."""
    facts = reference()
    printed = facts["printed_agencies"]
    rows = []
    for category in facts["cases"]["categories"]:
        code = CATEGORY_CODES[category["name"]]
        rows.append(
            {
                "code": code,
                "name": category["name"],
                "name_en": CATEGORY_ENGLISH[code],
                "quota": category["selected"],
                "agencies": [printed[name]["name"] for name in category["agencies"]],
            }
        )
    return rows


def recommended() -> int:
    return reference()["cases"]["recommended"]
