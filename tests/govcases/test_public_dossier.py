"""The organisers' printed dossier of a category panel's cases, for an offline meeting: organisers only."""

import io
import re

import pytest
from pypdf import PdfReader

from govcases.enums import CaseStatus, Phase
from govcases.models import Category
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def round_in_review(db):
    round = factories.RoundFactory(year=2025, phase=Phase.REVIEW)
    disclosure, service = Category.objects.get(code="disclosure"), Category.objects.get(code="service")
    for title in ("政务公开专栏甲", "政务公开专栏乙", "政务公开专栏丙"):
        factories.CaseFactory(round=round, category=disclosure, status=CaseStatus.IN_REVIEW, title=title)
    factories.CaseFactory(round=round, category=service, status=CaseStatus.IN_REVIEW, title="在线服务案例")
    factories.CaseFactory(round=round, category=disclosure, status=CaseStatus.DRAFT, title="未提交的草稿")
    return round


def dossier_url(round, code="disclosure") -> str:
    return f"/admin/govcases/round/{round.pk}/dossier/{code}.pdf"


def test_an_organiser_prints_the_dossier_of_a_panel_with_its_cases_only(client, organiser, round_in_review):
    client.force_login(organiser)
    # The round's page links each category's dossier.
    page = client.get(f"/admin/govcases/round/{round_in_review.pk}/change/").content.decode()
    assert f'href="{dossier_url(round_in_review)}"' in page

    response = client.get(dossier_url(round_in_review))

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = re.sub(
        r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    )
    assert "评审材料：公开解读" in text
    for title in ("政务公开专栏甲", "政务公开专栏乙", "政务公开专栏丙"):
        assert title in text
    assert "在线服务案例" not in text and "未提交的草稿" not in text
    assert "办理时限由5个工作日压缩至1个工作日" in text  # the outcomes
    assert "zhangmin@example.cn" not in text  # contacts are not for the panel's table


def test_a_category_outside_the_round_is_404(client, organiser, round_in_review):
    client.force_login(organiser)
    assert client.get(dossier_url(round_in_review, "no-such-category")).status_code == 404
    assert client.get("/admin/govcases/round/999999/dossier/disclosure.pdf").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "officer", "reviewer"])
def test_nobody_but_an_organiser_gets_a_dossier(client, round_in_review, who, officer, reviewer):
    if who != "anonymous":
        client.force_login({"officer": officer, "reviewer": reviewer}[who])
    response = client.get(dossier_url(round_in_review))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/?next=")
    assert b"%PDF" not in response.content
