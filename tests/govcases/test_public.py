"""The public site: published rounds only, from the frozen snapshot; filters; 404s; nothing private; query counts."""

import io
import zipfile
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.test import Client

from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.models import Category
from govcases.pagecache import cached_for_the_public
from govcases.services import publication_create, round_phase_set
from reviews.enums import ReviewStatus
from tests import factories

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@dataclass(frozen=True)
class Spec:
    title: str
    agency: str
    level: str
    province: str
    category: str


SPECS_2024 = [
    Spec("海淀“接诉即办”", "北京海淀区", Level.DISTRICT, Province.BEIJING, "disclosure"),
    Spec("珠海政策图解", "珠海市", Level.PREFECTURE, Province.GUANGDONG, "disclosure"),
    Spec("商务政策解读", "商务部", Level.MINISTRY, "", "disclosure"),
    Spec("安顺政务公开", "安顺市", Level.PREFECTURE, Province.GUIZHOU, "disclosure"),
    Spec("粤省事", "广东省", Level.PROVINCE, Province.GUANGDONG, "disclosure"),
    Spec("浙里办热线", "浙江省", Level.PROVINCE, Province.ZHEJIANG, "interaction"),
    Spec("黔南政务云", "黔南州", Level.PREFECTURE, Province.GUIZHOU, "platform"),
]
SPECS_2023 = [Spec("沪上跨省通办", "上海市", Level.MUNICIPALITY, Province.SHANGHAI, "service")]
UNSELECTED_TITLE = "未入选的保密案例"


def publish(year: int, specs: list[Spec], unselected: int = 1, images: int = 1):
    """A round of `year` whose `specs` were selected and published (version 1), plus unselected cases."""
    round = factories.RoundFactory(year=year, title=f"{year}年网上政务创新实践案例", phase=Phase.SELECTION)
    made = {}
    for spec in specs:
        agency = factories.AgencyFactory(
            name=f"{spec.agency}人民政府", display_name=spec.agency, level=spec.level, province=spec.province
        )
        made[spec.title] = factories.CaseFactory(
            round=round,
            agency=agency,
            category=Category.objects.get(code=spec.category),
            title=spec.title,
            status=CaseStatus.IN_REVIEW,
            images=images,
        )
    for number in range(unselected):
        factories.CaseFactory(
            round=round, title=f"{UNSELECTED_TITLE}{number}", status=CaseStatus.IN_REVIEW, images=images
        )
    publication = publication_create(
        round=round, selected=list(made.values()), by=None, override=True, reason="测试准备"
    )
    return publication, made


@pytest.fixture
def published(db):
    publish(2023, SPECS_2023)
    publication, cases = publish(2024, SPECS_2024)
    return publication, cases


def titles_in_order(html: str, titles) -> list[str]:
    return sorted((title for title in titles if title in html), key=html.index)


# --- home and results ---------------------------------------------------------------------------------------


def test_home_shows_the_latest_round_with_its_headline_categories_and_earlier_rounds(client, published):
    response = client.get("/", **EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert "From 8 recommended cases, 7 cases in 3 categories were selected" in page
    for spec in SPECS_2024:
        assert spec.title in page
    assert 'id="category-disclosure"' in page and 'id="category-platform"' in page
    assert "沪上跨省通办" not in page  # 2023 is an earlier round: a link, not its cases
    assert 'href="/results/2023/"' in page


def test_home_is_in_chinese_by_default(client, published):
    page = client.get("/").content.decode()
    assert 'lang="zh-hans"' in page
    assert "公开解读" in page


def test_the_headline_reads_as_the_announcement_in_chinese(client, published):
    # needs zh_Hans catalogue: the announcement's wording, 从509份推荐案例中遴选出4大类共50个
    page = client.get("/").content.decode()
    assert "从8份推荐案例中遴选出3大类共7个" in page


def test_home_before_any_publication(client, db):
    factories.RoundFactory(year=2024)
    response = client.get("/")
    assert response.status_code == 200
    assert 'id="no-results"' in response.content.decode()


def test_results_group_by_category_then_level_then_pinyin(client, published):
    page = client.get("/results/2024/").content.decode()
    disclosure = page[page.index('id="category-disclosure"') : page.index('id="category-service"')]
    assert titles_in_order(disclosure, [spec.title for spec in SPECS_2024]) == [
        "商务政策解读",  # ministry
        "粤省事",  # province
        "安顺政务公开",  # prefecture, an
        "珠海政策图解",  # prefecture, zhu
        "海淀“接诉即办”",  # district
    ]
    assert page.index('id="category-disclosure"') < page.index('id="category-interaction"')
    assert page.index('id="category-interaction"') < page.index('id="category-platform"')


def test_results_cards_have_thumbnail_agency_and_title(client, published):
    publication, cases = published
    page = client.get("/results/2024/").content.decode()
    card = page[page.index(f'id="case-{cases["粤省事"].pk}"') :]
    card = card[: card.index("</li>")]
    assert "<img" in card and "/files/" in card
    assert "广东省" in card and "粤省事" in card


def test_unpublished_years_are_404(client, published):
    factories.RoundFactory(year=2025, phase=Phase.SELECTION)
    for url in ("/results/2025/", "/results/2022/", "/results/2025/stats/", "/results/2024/?version=9"):
        assert client.get(url).status_code == 404, url
    assert client.get("/results/2024/?version=x").status_code == 404


def test_a_correction_shows_version_2_and_keeps_version_1_readable(client, published, organiser):
    publication, cases = published
    round = publication.round
    round_phase_set(round=round, to=Phase.SELECTION, by=organiser, reason="更正", override=True)
    selected = [case for title, case in cases.items() if title != "珠海政策图解"]
    publication_create(round=round, selected=selected, by=organiser, reason="更正", override=True)

    latest = client.get("/results/2024/").content.decode()
    first = client.get("/results/2024/?version=1").content.decode()

    assert "珠海政策图解" not in latest and "珠海政策图解" in first
    assert 'id="versions"' in latest and 'href="?version=1"' in latest
    assert client.get(f"/cases/{cases['珠海政策图解'].pk}/").status_code == 404
    assert "珠海政策图解" not in client.get("/cases/").content.decode()


def test_stats_page_charts_submissions_and_selections_with_numbers(client, published):
    response = client.get("/results/2024/stats/", **EN)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 2
    assert 'class="bar-selected"' in page
    by_category = page[page.index('id="by-category"') : page.index('id="by-level"')]
    # 公开解读: 5 submitted... the unselected case is in the first category too: 6 submitted, 5 selected.
    assert "<td>6</td><td>5</td><td>83.3%</td>" in by_category.replace("\n", "").replace("  ", "")


# --- the case list and case pages ---------------------------------------------------------------------------


def card_titles(page: str) -> set[str]:
    known = [spec.title for spec in SPECS_2024 + SPECS_2023]
    return {title for title in known if f">{title}</h3>" in page}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", {spec.title for spec in SPECS_2024 + SPECS_2023}),
        ("category=interaction", {"浙里办热线"}),
        ("level=prefecture", {"珠海政策图解", "安顺政务公开", "黔南政务云"}),
        ("province=贵州", {"安顺政务公开", "黔南政务云"}),
        ("year=2023", {"沪上跨省通办"}),
        ("q=热线", {"浙里办热线"}),  # title
        ("q=黔南", {"黔南政务云"}),  # agency
        ("q=全程网办 商务", {"商务政策解读"}),  # summary and agency, every word must match
        ("category=disclosure&level=prefecture&province=广东&year=2024", {"珠海政策图解"}),
        ("category=nonsense", set()),
        ("year=1999", set()),
    ],
)
def test_every_filter_of_the_case_list(client, published, query, expected):
    response = client.get(f"/cases/?{query}")
    assert response.status_code == 200
    assert card_titles(response.content.decode()) == expected


def test_the_case_list_shows_no_unpublished_case(client, published):
    page = client.get("/cases/").content.decode()
    assert UNSELECTED_TITLE not in page


def test_the_case_list_has_24_cases_a_page(client, db):
    specs = [
        Spec(f"案例{n:02d}", f"单位{n:02d}", Level.DISTRICT, Province.BEIJING, "service") for n in range(25)
    ]
    publish(2024, specs, unselected=0, images=0)

    first = client.get("/cases/").content.decode()
    second = client.get("/cases/?page=2").content.decode()

    assert first.count('class="card case-card"') == 24
    assert second.count('class="card case-card"') == 1
    assert 'rel="next"' in first and "page=2" in first


def test_a_case_page_shows_the_published_case_with_its_gallery(client, published):
    publication, cases = published
    case = cases["粤省事"]
    response = client.get(f"/cases/{case.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="case-title">粤省事<' in page
    assert 'id="case-agency">广东省<' in page
    assert case.description in page and case.outcomes in page
    assert 'id="gallery"' in page and case.images.get().image.url in page


def test_cases_that_are_not_published_are_404_whatever_the_url(client, published, organiser):
    publication, cases = published
    round = publication.round
    unselected = round.cases.get(title=f"{UNSELECTED_TITLE}0")
    in_review = factories.CaseFactory(status=CaseStatus.IN_REVIEW, round=factories.RoundFactory(year=2026))
    draft = factories.CaseFactory(round=round)
    for case_id in (unselected.pk, in_review.pk, draft.pk, 999999):
        assert client.get(f"/cases/{case_id}/").status_code == 404


def test_editing_a_case_after_publication_leaves_the_public_pages_unchanged(client, published):
    publication, cases = published
    case = cases["粤省事"]
    before = {
        url: client.get(url).content.decode()
        for url in ("/", "/results/2024/", f"/cases/{case.pk}/", "/cases/")
    }

    case.title = "改过的标题"
    case.summary = "改过的摘要"
    case.save()
    case.agency.display_name = "改过的单位"
    case.agency.save()
    factories.CaseFactory(round=case.round, title="后来提交的案例")

    for url, content in before.items():
        page = client.get(url).content.decode()
        assert "改过的" not in page and "粤省事" in page, url
        assert page == content


# --- nothing private ----------------------------------------------------------------------------------------


PUBLIC_URLS = [
    "/",
    "/results/2024/",
    "/results/2024/?version=1",
    "/results/2024/stats/",
    "/cases/",
    "/cases/?q=粤",
    "/results/2024.json",
    "/results/2024.csv",
    "/results/2024.xlsx",
]


def test_no_private_field_reaches_any_public_page_or_open_data_file(client, published, reviewer):
    publication, cases = published
    reviewer.first_name, reviewer.last_name = "评审", "王秘密"
    reviewer.save()
    for case in cases.values():
        factories.ReviewFactory(
            assignment=factories.AssignmentFactory(reviewer=reviewer, case=case),
            status=ReviewStatus.SUBMITTED,
            total=83,
            comment="评审意见不公开",
        )
    contact = next(iter(cases.values()))
    private = [
        contact.contact_name,
        contact.contact_phone,
        contact.contact_email,
        reviewer.username,
        "王秘密",
        "评审意见不公开",
        "83.00",
        UNSELECTED_TITLE,
    ]
    urls = PUBLIC_URLS + [f"/cases/{case.pk}/" for case in cases.values()]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content
        if url.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(body)) as archive:
                body = b"".join(archive.read(name) for name in archive.namelist())
        text = body.decode("utf-8")
        for secret in private:
            assert secret not in text, f"{secret} in {url}"


# --- query counts -------------------------------------------------------------------------------------------


def many_specs(count: int) -> list[Spec]:
    categories = ["disclosure", "service", "interaction", "platform"]
    levels = list(Level)
    return [
        Spec(f"案例{n:03d}", f"单位{n:03d}", levels[n % len(levels)], Province.GUANGDONG, categories[n % 4])
        for n in range(count)
    ]


# Queries of each page: the stamp of the publications (govcases.pagecache), the publication (or the list's
# count and page), its categories and quotas, its cases; the filters' choices. Seen again by an anonymous
# visitor, a page is served whole from the cache after the stamp alone.
QUERIES = {"/": 4, "/results/2024/": 5, "/cases/": 5, "/cases/?category=disclosure&q=案例": 6}


@pytest.mark.parametrize("size", [1, 30])
@pytest.mark.parametrize("url", list(QUERIES))
def test_public_pages_take_the_same_number_of_queries_for_few_and_many_cases(
    client, db, django_assert_num_queries, url, size
):
    publish(2023, many_specs(2), unselected=1)
    publish(2024, many_specs(size), unselected=2)
    with django_assert_num_queries(QUERIES[url]):
        response = client.get(url)
    assert response.status_code == 200
    assert "案例000" in response.content.decode()


@pytest.mark.parametrize("url", list(QUERIES))
def test_a_public_page_seen_again_is_served_from_the_cache_after_one_query(
    client, db, django_assert_num_queries, url
):
    publish(2024, many_specs(30), unselected=2)
    first = client.get(url).content.decode()
    with django_assert_num_queries(1):
        again = client.get(url).content.decode()
    assert again == first
    assert "案例000" in again
    assert "csrfmiddlewaretoken" not in again  # nothing in a shared page belongs to one visitor


@pytest.mark.parametrize("url", ["/results/2024.json", "/results/2024.csv", "/results/2024.xlsx"])
def test_open_data_seen_again_is_served_from_the_cache_after_one_query(
    client, db, django_assert_num_queries, url
):
    publish(2024, many_specs(30), unselected=2)
    first = client.get(url)
    with django_assert_num_queries(1):
        again = client.get(url)
    assert again.content == first.content
    assert again["Content-Type"] == first["Content-Type"]
    assert again.headers.get("Content-Disposition") == first.headers.get("Content-Disposition")
    if not url.endswith(".json"):
        assert again["Content-Disposition"].startswith("attachment; filename=")


def test_a_new_publication_replaces_the_cached_pages(client, db):
    publish(2024, many_specs(2), unselected=1)
    assert "案例000" in client.get("/results/2024/").content.decode()
    publish(
        2025,
        [Spec("二〇二五年的新案例", "新单位", Level.DISTRICT, Province.GUANGDONG, "service")],
        unselected=0,
    )
    assert "二〇二五年的新案例" in client.get("/").content.decode()
    assert "二〇二五年的新案例" in client.get("/cases/").content.decode()


def test_cached_pages_are_per_language_and_never_served_to_a_logged_in_user(client, db, officer):
    publish(2024, many_specs(2), unselected=1)
    chinese = client.get("/results/2024/").content.decode()
    english = client.get("/results/2024/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="zh-hans"' in chinese and 'lang="en"' in english
    client.force_login(officer)
    assert officer.username in client.get("/results/2024/").content.decode()


def test_the_language_switch_works_on_a_page_from_the_cache(db):
    publish(2024, many_specs(2), unselected=1)
    Client().get("/results/2024/")  # another visitor fills the cache
    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get("/results/2024/").content.decode()
    assert 'action="/i18n/setlang/"' in page
    # The switch carries no token (govcases.views.language_switch): the shared page serves every visitor.
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/results/2024/"})
    assert response.status_code == 302
    assert 'lang="en"' in visitor.get("/results/2024/").content.decode()


def test_a_public_page_that_renders_a_csrf_token_is_not_cached(db, rf):
    """Were a form with a token added to a public page, one visitor's token must not reach the next."""
    rendered = []

    @cached_for_the_public
    def page_with_a_form(request):
        token = get_token(request)
        rendered.append(token)
        return HttpResponse(f'<input name="csrfmiddlewaretoken" value="{token}">')

    for _ in range(2):
        request = rf.get("/a-page-with-a-form/")
        request.user = AnonymousUser()
        request.LANGUAGE_CODE = "zh-hans"
        request._messages = CookieStorage(request)
        page_with_a_form(request)
    assert len(rendered) == 2
