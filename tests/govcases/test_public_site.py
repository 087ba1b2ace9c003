"""The public site for everyone: the archive of years and corrections, the footer's registration facts,
search engines (sitemap.xml, robots.txt, titles, descriptions, OpenGraph), the display switches, and the
booklet of the selected cases as a PDF with selectable Chinese text."""

import io
import re

import pytest
from django.core.files.storage import default_storage
from PIL import ImageFile
from pypdf import PdfReader

from govcases import booklet
from govcases.enums import Level, Phase, Province
from govcases.services import publication_create, round_phase_set
from tests.govcases.test_public import SPECS_2023, SPECS_2024, Spec, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(db):
    publish(2023, SPECS_2023)
    return publish(2024, SPECS_2024, unselected=2)


def correct(publication, cases, organiser, *, leave_out: str, reason: str = "更正：删除重复案例"):
    round_phase_set(round=publication.round, to=Phase.SELECTION, by=organiser, reason=reason, override=True)
    selected = [case for title, case in cases.items() if title != leave_out]
    return publication_create(
        round=publication.round, selected=selected, by=organiser, reason=reason, override=True
    )


# --- the archive --------------------------------------------------------------------------------------------


def row_of(page: str, year: int) -> str:
    start = page.index(f'id="year-{year}"')
    return page[start : page.index("</tr>", start)]


def test_the_archive_lists_every_published_year_with_its_counts(client, published, organiser):
    publication, cases = published
    correct(publication, cases, organiser, leave_out="珠海政策图解")

    response = client.get("/results/")
    page = response.content.decode()

    assert response.status_code == 200
    assert page.index('id="year-2024"') < page.index('id="year-2023"')  # newest first
    latest_2024 = row_of(page, 2024)
    assert '<td class="submitted">9</td>' in latest_2024  # 7 selected + 2 not
    assert '<td class="selected">6</td>' in latest_2024  # the correction left one out
    assert '<td class="versions">2</td>' in latest_2024
    assert 'href="/results/2024/"' in latest_2024 and 'href="/results/2024.pdf"' in latest_2024
    assert '<td class="selected">1</td>' in row_of(page, 2023)


def test_the_archive_before_any_publication_says_so(client, db):
    assert 'id="no-results"' in client.get("/results/").content.decode()


def test_the_archive_takes_one_query_whatever_the_years(client, db, django_assert_num_queries):
    for year in (2021, 2022, 2023):
        publish(year, [Spec(f"{year}年的案例", f"单位{year}", Level.DISTRICT, Province.BEIJING, "service")])
    # The stamp of the publications (the page cache's key), then every version of every year at once.
    with django_assert_num_queries(2):
        page = client.get("/results/").content.decode()
    assert page.count('id="year-') == 3


def test_a_year_lists_its_versions_and_what_each_correction_changed(client, published, organiser):
    publication, cases = published
    correct(publication, cases, organiser, leave_out="珠海政策图解", reason="更正：删除重复案例")

    page = client.get("/results/2024/").content.decode()
    change = page[page.index('id="change-2"') : page.index("</ul>", page.index('id="change-2"'))]

    assert "更正：删除重复案例" in change
    assert re.search(r'class="removed">[^<]*珠海政策图解', change)
    assert 'class="added"' not in change
    # Version 1 is still one click away.
    assert 'href="?version=1"' in page


# --- the footer ---------------------------------------------------------------------------------------------

FOOTER = {
    "SITE_ORGANISER": "中国社会科学院",
    "SITE_CONTACT": "010-12345678",
    "SITE_ICP_NUMBER": "京ICP备12345678号",
    "SITE_PUBLIC_SECURITY_NUMBER": "京公网安备11010502000001号",
    "SITE_CODE": "bm00000001",
}


def test_the_footer_shows_the_registration_facts_that_are_set(client, published, settings):
    for name, value in FOOTER.items():
        setattr(settings, name, value)
    page = client.get("/").content.decode()
    footer = page[page.index('<footer class="site-footer">') :]
    for value in FOOTER.values():
        assert value in footer
    assert 'href="https://beian.miit.gov.cn/"' in footer


def test_the_footer_leaves_out_what_is_not_set(client, published, settings):
    for name in FOOTER:
        setattr(settings, name, "")
    settings.SITE_ICP_NUMBER = FOOTER["SITE_ICP_NUMBER"]
    footer = client.get("/").content.decode().split('<footer class="site-footer">')[1]
    assert 'id="site-icp"' in footer
    for absent in ("site-organiser", "site-contact", "site-public-security", "site-code"):
        assert f'id="{absent}"' not in footer
    settings.SITE_ICP_NUMBER = ""
    assert 'id="site-facts"' not in client.get("/cases/").content.decode()


# --- search engines and sharing -----------------------------------------------------------------------------


def test_sitemap_lists_the_public_pages_years_and_cases(client, published):
    publication, cases = published
    response = client.get("/sitemap.xml")
    xml = response.content.decode()
    assert response.status_code == 200
    for path in ("/", "/results/", "/cases/", "/data/", "/results/2024/", "/results/2023/stats/"):
        assert f"<loc>http://testserver{path}</loc>" in xml, path
    for case in cases.values():
        assert f"<loc>http://testserver/cases/{case.pk}/</loc>" in xml
    assert "未入选的保密案例" not in xml and xml.count("/cases/") == len(cases) + len(SPECS_2023) + 1


def test_robots_txt_points_at_the_sitemap_and_keeps_out_of_the_working_parts(client, db):
    response = client.get("/robots.txt")
    text = response.content.decode()
    assert response["Content-Type"].startswith("text/plain")
    assert "Sitemap: http://testserver/sitemap.xml" in text
    for path in ("/admin/", "/review/", "/portal/", "/accounts/"):
        assert f"Disallow: {path}\n" in text
    assert "Disallow: /\n" not in text


def test_a_case_page_has_a_title_description_and_opengraph_tags(client, published):
    publication, cases = published
    case = cases["粤省事"]
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "<title>粤省事 · 广东省</title>" in page
    assert '<meta name="description" content="依托一体化政务服务平台' in page
    assert '<meta property="og:title" content="粤省事">' in page
    assert f'<meta property="og:url" content="http://testserver/cases/{case.pk}/">' in page
    image = re.search(r'<meta property="og:image" content="([^"]+)">', page).group(1)
    # An absolute address that anyone may fetch: a link preview is fetched without a session.
    assert image.startswith("http://testserver/")
    picture = client.get(image.removeprefix("http://testserver"))
    assert picture.status_code == 200
    picture.close()


@pytest.mark.parametrize(
    "path", ["/", "/results/", "/results/2024/", "/results/2024/stats/", "/cases/", "/data/"]
)
def test_every_public_page_has_its_own_title_and_a_description(client, published, path):
    page = client.get(path).content.decode()
    assert re.search(r"<title>[^<]+</title>", page)
    assert re.search(r'<meta name="description" content="[^"]{20,}">', page)
    assert '<link rel="stylesheet" href="/static/css/print.css" media="print">' in page


# --- the display switches and the page cache ----------------------------------------------------------------


def test_the_display_switches_are_the_same_for_every_visitor_so_pages_stay_cached(client, published):
    """The preference lives in the visitor's browser (localStorage): the HTML never carries it."""
    page = client.get("/results/2024/").content.decode()
    assert 'data-preference="large-type"' in page and 'data-preference="high-contrast"' in page
    assert '<html lang="zh-hans">' in page  # no class: the browser's script adds it
    assert re.search(r'<script src="/static/js/preferences.js"></script>', page)
    assert "Set-Cookie" not in client.get("/results/2024/").headers


# --- the booklet --------------------------------------------------------------------------------------------

CATEGORIES = {"disclosure": 15, "service": 16, "interaction": 11, "platform": 8}
CHINESE_CATEGORIES = ["公开解读", "在线服务", "互动交流", "平台支撑"]


def fifty_cases_of_2024() -> list[Spec]:
    levels = [Level.MINISTRY, Level.PROVINCE, Level.PREFECTURE, Level.DISTRICT]
    specs = []
    for code, count in CATEGORIES.items():
        for number in range(count):
            specs.append(
                Spec(
                    # Titles without the category's name, which must appear on the booklet's own.
                    f"创新实践{code[0].upper()}{number + 1:02d}",
                    f"{code}单位{number + 1}",
                    levels[number % 4],
                    "" if levels[number % 4] == Level.MINISTRY else Province.GUIZHOU,
                    code,
                )
            )
    return specs


def pdf_text(content: bytes) -> tuple[int, str]:
    reader = PdfReader(io.BytesIO(content))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_the_booklet_has_the_50_cases_of_2024_in_four_categories_with_selectable_chinese(client, db):
    specs = fifty_cases_of_2024()
    publication, cases = publish(2024, specs, unselected=3)

    response = client.get("/results/2024.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    pages, text = pdf_text(response.content)
    compact = re.sub(r"\s+", "", text)
    assert "2024年网上政务创新实践案例" in compact  # the cover
    assert "目录" in compact  # the contents
    for category in CHINESE_CATEGORIES:
        assert compact.count(category) >= 2, category  # in the contents and as a heading
    for spec in specs:
        assert spec.title in compact, spec.title
    assert "未入选的保密案例" not in compact
    assert "办理时限由5个工作日压缩至1个工作日" in compact  # the outcomes
    assert pages >= 50 + 2  # a page for each case, the cover and the contents
    # The Chinese font is embedded, so the booklet reads the same on a machine without it.
    reader = PdfReader(io.BytesIO(response.content))
    fonts = {
        str(font["/BaseFont"])
        for page in reader.pages[:3]
        for font in page["/Resources"]["/Font"].values()
        if "/FontDescriptor" in font.get_object() or "/DescendantFonts" in font.get_object()
    }
    assert any("WenQuanYi" in font or "Noto" in font for font in fonts), fonts


def test_the_booklet_is_built_once_per_version_and_kept(
    client, published, organiser, django_assert_max_num_queries
):
    publication, cases = published
    first = client.get("/results/2024.pdf").content
    name = booklet.booklet_name(publication)
    assert default_storage.exists(name)
    with default_storage.open(name) as stored:
        assert stored.read() == first

    # A correction is a new booklet; the first version's stays as it was.
    correction = correct(publication, cases, organiser, leave_out="粤省事")
    _pages, text = pdf_text(client.get("/results/2024.pdf").content)
    assert "粤省事" not in re.sub(r"\s+", "", text)
    assert booklet.booklet_name(correction) != name
    assert client.get("/results/2024.pdf?version=1").content == first


def test_the_booklet_is_in_english_for_an_english_visitor(client, published):
    _pages, text = pdf_text(client.get("/results/2024.pdf", HTTP_ACCEPT_LANGUAGE="en").content)
    assert "Contents" in text and "Disclosure and policy interpretation" in text


@pytest.mark.parametrize(
    "path", ["/results/2022.pdf", "/results/2024.pdf?version=7", "/results/2024.pdf?version=x"]
)
def test_the_booklet_of_an_unpublished_year_or_version_is_404(client, published, path):
    assert client.get(path).status_code == 404


def test_printing_leaves_truncated_uploads_refused(client, published):
    """WeasyPrint switches on Pillow's process-wide LOAD_TRUNCATED_IMAGES when imported; the uploads of the
    same process must still refuse truncated images afterwards."""
    assert client.get("/results/2024.pdf").status_code == 200
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False
