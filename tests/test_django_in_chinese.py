"""Django's own words in a Chinese session: password rules, the admin's pages and its JavaScript widgets (the
two-column picker of filter_horizontal) speak Chinese, including the strings whose English Django 5.2 changed
and its own Chinese catalogue has not caught up with (locale/upstream)."""

import ast
import json
import re
from pathlib import Path

import django
import pytest
from django.urls import reverse
from django.utils import translation

from tests import factories

DJANGO = Path(django.__file__).parent
# Django's catalogues whose strings our users meet: forms and validation, the admin and its widgets, sign-in.
CATALOGUES = [
    ("conf/locale", "django"),
    ("contrib/admin/locale", "django"),
    ("contrib/admin/locale", "djangojs"),
    ("contrib/auth/locale", "django"),
]


def po_entries(path: Path) -> list[dict]:
    """The entries of a .po file as {msgctxt, msgid, msgid_plural}: enough to ask gettext for each."""
    entries, current, field = [], {}, None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        keyword = re.match(r"(msgctxt|msgid_plural|msgid|msgstr(\[\d\])?) (.*)", line)
        if keyword:
            field = keyword.group(1)
            if field in ("msgctxt", "msgid") and "msgid" in current:
                entries.append(current)
                current = {}
            current[field] = ast.literal_eval(keyword.group(3))
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
    entries.append(current)
    return [entry for entry in entries if entry.get("msgid")]


def untranslated(domain_dir: str, domain: str) -> list[str]:
    """Django's English strings of one catalogue that the Chinese session still shows in English."""
    english = po_entries(DJANGO / domain_dir / "en" / "LC_MESSAGES" / f"{domain}.po")
    # Some words stay as they are in Chinese (IPv4, %s TB): Django's Chinese catalogue says so itself.
    same_in_chinese = {
        entry["msgid"]
        for entry in po_entries(DJANGO / domain_dir / "zh_Hans" / "LC_MESSAGES" / f"{domain}.po")
        if entry.get("msgstr", entry.get("msgstr[0]")) == entry["msgid"]
    }
    catalogue = translation.trans_real.DjangoTranslation(
        "zh-hans", domain=domain, localedirs=None if domain == "django" else [str(DJANGO / domain_dir)]
    )
    missing = []
    for entry in english:
        msgid, context = entry["msgid"], entry.get("msgctxt")
        if "msgid_plural" in entry:
            chinese = catalogue.ngettext(msgid, entry["msgid_plural"], 1)
        elif context:
            chinese = catalogue.pgettext(context, msgid)
        else:
            chinese = catalogue.gettext(msgid)
        if chinese == msgid and msgid not in same_in_chinese:
            missing.append(msgid)
    return missing


@pytest.mark.parametrize(("domain_dir", "domain"), CATALOGUES, ids=lambda value: str(value))
def test_every_string_of_django_that_users_meet_has_chinese(domain_dir, domain):
    with translation.override("zh-hans"):
        assert untranslated(domain_dir, domain) == []


@pytest.mark.django_db
def test_a_too_short_password_is_refused_in_chinese(client):
    user = factories.OrganiserFactory()
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": factories.PASSWORD, "new_password1": "qz7", "new_password2": "qz7"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    page = response.content.decode()
    assert "密码太短，至少需要 10 个字符。" in page
    assert "too short" not in page


@pytest.mark.django_db
def test_the_two_column_picker_speaks_chinese(client):
    """The admin's JavaScript catalogue gives the picker's buttons and hints their Chinese words."""
    client.force_login(factories.OrganiserFactory())
    response = client.get(reverse("admin:jsi18n"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    catalogue = json.loads(re.search(r"const newcatalog = (\{.*?\});", response.content.decode(), re.S)[1])
    assert catalogue["Choose all %s"] == "全选%s"
    assert catalogue["Remove all %s"] == "全部删除%s"
    assert catalogue["Available %s"] == "可用 %s"
