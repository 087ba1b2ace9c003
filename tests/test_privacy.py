"""No private field on any public page or open-data file, whichever public URL exists.

tests/govcases/test_public.py checks the contact person, a reviewer and a score on the published round's
pages. This adds what it leaves out: a round whose selection is staged but not yet published (its "selected"
case must stay invisible), the organisers' written reasons (a passed-over case, an ineligible case), the
reviewers' institution, a case's mean score, the organiser who published, the pictures of unpublished cases;
and the public URLs are taken from the URL configuration, so that a public page added later is checked too.
"""

import io
import re
import zipfile
from urllib.parse import unquote

import pytest
from django.test import Client

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, CaseTransition
from reviews.models import Review
from reviews.services import round_publish, selection_decide, selection_propose
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round
from tests.test_access_matrix import walk

pytestmark = pytest.mark.django_db

PUBLIC_ROUTES = [route for route in walk() if route.name.startswith("public:") or route.name == "healthz"]


def private_details(n: int) -> dict:
    return {
        "contact_name": f"联系人{n}号",
        "contact_phone": f"0851-8888{n:04d}",
        "contact_email": f"contact{n}@secret.example.cn",
    }


@pytest.fixture
def rounds(organiser):
    """2024 published (one case passed over with a reason, one ineligible), 2025 staged but not published."""
    reviewers = [
        factories.ReviewerFactory(first_name="秘", last_name=f"评审{n}", profile__institution="保密研究院")
        for n in range(2)
    ]
    published = selection_round([1, 1, 0, 0], year=2024)
    cases = {
        "公开甲": scored_case(published, "disclosure", [93, 94], reviewers, title="公开甲", images=1),
        "落选乙": scored_case(published, "disclosure", [61, 62], reviewers, title="落选乙", images=1),
        "公开丙": scored_case(published, "service", [80, 81], reviewers, title="公开丙"),
    }
    ineligible = factories.CaseFactory(round=published, title="不合格丁", status=CaseStatus.INELIGIBLE)
    CaseTransition.objects.create(
        case=ineligible,
        from_status=CaseStatus.SUBMITTED,
        to_status=CaseStatus.INELIGIBLE,
        reason="不合格的理由",
    )
    for n, case in enumerate([*cases.values(), ineligible]):
        Case.objects.filter(pk=case.pk).update(**private_details(n))
        case.agency.email = f"agency{n}@secret.example.cn"
        case.agency.save()
        Review.objects.filter(assignment__case=case).update(comment=f"评审意见{n}：不公开")
    selection_propose(round=published, by=organiser)
    selection_decide(case=cases["落选乙"], selected=False, by=organiser, reason="未入选的理由：材料不实")
    round_publish(round=published, by=organiser, override=True, reason="测试准备")

    staged = selection_round([1, 0, 0, 0], year=2025)
    staged_case = scored_case(staged, "disclosure", [90, 91], reviewers, title="已暂定入选但未发布", images=1)
    selection_propose(round=staged, by=organiser)
    staged_case.refresh_from_db()
    assert staged_case.selection.selected  # staged: selected by the organisers, not yet public

    draft = factories.CaseFactory(round=factories.RoundFactory(year=2026), title="草稿戊")
    secret_cases = [cases["落选乙"], ineligible, staged_case, draft]
    secrets = [
        *(case.title for case in secret_cases),
        *(value for n in range(4) for value in private_details(n).values()),
        *(f"agency{n}@secret.example.cn" for n in range(4)),
        *(reviewer.username for reviewer in reviewers),
        *(f"评审{n}" for n in range(2)),
        "保密研究院",
        "评审意见",
        "93.50",
        "93.5",
        "61.50",
        "未入选的理由",
        "不合格的理由",
        organiser.username,
        *(image.image.name for case in secret_cases for image in case.images.all()),
        *(image.thumbnail.name for case in secret_cases for image in case.images.all()),
    ]
    return {
        "published_year": 2024,
        "staged_year": 2025,
        "published_ids": [cases["公开甲"].pk, cases["公开丙"].pk],
        "secret_ids": [case.pk for case in secret_cases],
        "secrets": secrets,
    }


def public_urls(rounds) -> list[tuple[str, int]]:
    """Every public URL with the objects it can take, and the status it should answer."""
    urls = []
    for route in PUBLIC_ROUTES:
        parameters = set(re.findall(r"<(?:\w+:)?(\w+)>", route.route))
        if not parameters:
            urls.append(("/" + route.route, 200))
        elif parameters == {"year"}:
            urls.append(("/" + route.route.replace("<int:year>", str(rounds["published_year"])), 200))
            urls.append(("/" + route.route.replace("<int:year>", str(rounds["staged_year"])), 404))
        elif parameters == {"case_id"}:
            urls += [
                ("/" + route.route.replace("<int:case_id>", str(pk)), 200) for pk in rounds["published_ids"]
            ]
            urls += [
                ("/" + route.route.replace("<int:case_id>", str(pk)), 404) for pk in rounds["secret_ids"]
            ]
        else:
            pytest.fail(f"a public URL the privacy test cannot fill: {route.route}: teach `public_urls`")
    year = rounds["published_year"]
    urls += [
        (f"/results/{year}/?version=1", 200),
        (f"/results/{year}.json?version=1", 200),
        ("/cases/?q=落选", 200),
        ("/cases/?q=联系人", 200),
        ("/cases/?q=保密研究院", 200),
        (f"/cases/?year={rounds['staged_year']}", 200),
        ("/cases/?category=disclosure&year=2025", 200),
    ]
    return urls


def readable(response) -> str:
    body = response.content
    if body.startswith(b"PK"):  # XLSX: a zip of XML parts
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            body = b"".join(archive.read(name) for name in archive.namelist())
    return body.decode("utf-8")


def test_no_private_field_and_no_unpublished_case_on_any_public_url(rounds):
    browser = Client()
    urls = public_urls(rounds)
    assert len(urls) >= 20
    leaks = []
    for url, status in urls:
        response = browser.get(url)
        assert response.status_code == status, url
        text = readable(response)
        # A search box shows back what was searched for: that is the visitor's text, not a leak.
        asked = unquote(url)
        leaks += [
            f"{secret!r} in {url}" for secret in rounds["secrets"] if secret in text and secret not in asked
        ]
    assert not leaks, "\n".join(leaks)


def test_the_public_sees_a_staged_round_only_once_it_is_published(rounds, organiser):
    browser = Client()
    assert "已暂定入选但未发布" not in browser.get("/cases/").content.decode()
    staged = Case.objects.get(title="已暂定入选但未发布").round
    round_publish(round=staged, by=organiser, override=True, reason="测试准备")
    staged.refresh_from_db()
    assert staged.phase == Phase.PUBLISHED
    assert "已暂定入选但未发布" in browser.get("/cases/").content.decode()
    assert browser.get(f"/results/{staged.year}.json").status_code == 200
