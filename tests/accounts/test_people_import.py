"""Invitations by spreadsheet in the organisers' admin (django-import-export): real XLSX and CSV files, a
preview that shows every row's error before anything is written, a file with any error writing nothing
(in the preview and when confirmed), and a clean file inviting everyone once it is confirmed."""

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from govcases.enums import AccountAction
from govcases.models import AccountChange, AgencyMember, OutboxMessage
from govcases.permissions import AGENCIES, REVIEWERS
from reviews.models import ReviewerProfile
from tests import factories

pytestmark = pytest.mark.django_db
REVIEWERS_IMPORT = "/admin/reviews/reviewerprofile/import/"
STAFF_IMPORT = "/admin/govcases/agencymember/import/"
XLSX, CSV = 0, 1  # the order of the admin's import formats


def xlsx_file(rows: list[list], name: str = "评审专家.xlsx") -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(rows: list[list], name: str = "工作人员.csv") -> SimpleUploadedFile:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return SimpleUploadedFile(name, text.getvalue().encode("utf-8-sig"))


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


@pytest.fixture
def world(db):
    """The 2025 round's categories and two agencies the files name."""
    factories.RoundFactory(year=2025)
    return {
        "beijing": factories.AgencyFactory(name="北京市人民政府", display_name="北京"),
        "haidian": factories.AgencyFactory(name="北京市海淀区人民政府", display_name="北京海淀区"),
    }


def preview(client, url: str, upload, file_format: int, **headers):
    return client.post(url, {"import_file": upload, "format": file_format}, **headers)


def nothing_written() -> bool:
    return not (
        User.objects.filter(email__endswith="@import.example.cn").exists()
        or AccountChange.objects.exists()
        or OutboxMessage.objects.exists()
    )


def row_errors(response) -> dict[int, str]:
    """Each invalid row's number with its errors as one text, from the preview's result."""
    return {
        row.number: " ".join(message for messages in row.error_dict.values() for message in messages)
        for row in response.context["result"].invalid_rows
    }


def test_a_reviewers_xlsx_with_errors_shows_each_rows_error_and_writes_nothing(
    admin_client, organiser, world
):
    upload = xlsx_file(
        [
            ["姓名", "电子邮箱", "工作单位", "评审类别", "回避单位"],
            ["王芳", "wangfang@import.example.cn", "中国社会科学院", "公开解读、在线服务", "北京"],
            ["李强", "not-an-address", "清华大学", "在线服务", ""],
            ["赵敏", "zhaomin@import.example.cn", "北京海淀区", "区块链", ""],
            ["陈静", "chenjing@import.example.cn", "", "平台支撑", "火星市人民政府"],
            [None, None, None, None, None],  # a blank row in the middle of a sheet is no error
            ["周杰", organiser.email, "", "互动交流", ""],
            ["王芳", "wangfang@import.example.cn", "", "公开解读", ""],  # the same person twice
        ]
    )

    response = preview(admin_client, REVIEWERS_IMPORT, upload, XLSX)

    assert response.status_code == 200
    errors = row_errors(response)
    assert set(errors) == {2, 3, 4, 6, 7}, errors
    assert "有效的 Email 地址" in errors[2]  # Django's own message, in Chinese
    assert "没有名为“区块链”的类别" in errors[3]
    assert "没有名为“火星市人民政府”的单位" in errors[4]
    assert "只有超级管理员才能修改组织方" in errors[6]
    assert "已是评审专家" in errors[7]
    assert "confirm_form" not in response.context or response.context["confirm_form"] is None
    assert nothing_written() and not ReviewerProfile.objects.exists()


def test_the_errors_are_in_english_for_an_english_session(admin_client, world):
    upload = xlsx_file([["name", "email", "categories"], ["Li", "li@import.example.cn", "blockchain"]])
    errors = row_errors(preview(admin_client, REVIEWERS_IMPORT, upload, XLSX, HTTP_ACCEPT_LANGUAGE="en"))
    assert "No category is called “blockchain”" in errors[1]
    assert nothing_written()


def test_a_file_without_the_needed_columns_is_refused_with_the_columns_named(admin_client, world):
    upload = csv_file([["姓名", "电话"], ["王芳", "010-1234"]])
    response = preview(admin_client, REVIEWERS_IMPORT, upload, CSV)
    page = response.content.decode()
    assert response.context["result"].has_errors()
    assert "文件缺少电子邮箱 (email)、评审类别 (categories)列" in page
    assert nothing_written()


def confirm(client, url: str, response):
    form = response.context["confirm_form"]
    return client.post(url.replace("/import/", "/process_import/"), {**form.initial}, follow=True)


def test_a_clean_reviewers_xlsx_previews_every_row_then_invites_everyone_once_confirmed(
    admin_client, organiser, world
):
    upload = xlsx_file(
        [
            ["name", "e-mail", "affiliation", "categories", "declared conflicts"],
            ["王芳", "wangfang@import.example.cn", "中国社会科学院", "公开解读、service", "北京, 北京海淀区"],
            ["Li Qiang", "liqiang@import.example.cn", "北京海淀区", "Platform support", ""],
        ]
    )
    response = preview(admin_client, REVIEWERS_IMPORT, upload, XLSX)
    assert not row_errors(response) and response.context["confirm_form"] is not None
    assert response.context["result"].totals["new"] == 2
    assert nothing_written()  # a preview writes nothing

    done = confirm(admin_client, REVIEWERS_IMPORT, response)

    assert done.status_code == 200
    wang = ReviewerProfile.objects.get(user__email="wangfang@import.example.cn")
    assert wang.institution == "中国社会科学院" and wang.affiliation_agency is None
    assert {category.code for category in wang.categories.all()} == {"disclosure", "service"}
    assert set(wang.declared_conflicts.all()) == {world["beijing"], world["haidian"]}
    li = ReviewerProfile.objects.get(user__email="liqiang@import.example.cn")
    assert li.affiliation_agency == world["haidian"] and li.user.first_name == "Li Qiang"
    assert set(li.user.groups.values_list("name", flat=True)) == {REVIEWERS}
    assert not li.user.has_usable_password()
    assert set(AccountChange.objects.values_list("action", "by")) == {(AccountAction.IMPORTED, organiser.pk)}
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        "liqiang@import.example.cn",
        "wangfang@import.example.cn",
    ]


def test_a_row_that_became_wrong_between_preview_and_confirmation_makes_the_whole_import_write_nothing(
    admin_client, organiser, world
):
    upload = xlsx_file(
        [
            ["姓名", "电子邮箱", "评审类别"],
            ["王芳", "wangfang@import.example.cn", "公开解读"],
            ["李强", "liqiang@import.example.cn", "在线服务"],
        ]
    )
    response = preview(admin_client, REVIEWERS_IMPORT, upload, XLSX)
    assert response.context["confirm_form"] is not None
    # Meanwhile another organiser makes the second person an organiser (a superuser did, here).
    factories.OrganiserFactory(email="liqiang@import.example.cn")

    confirm(admin_client, REVIEWERS_IMPORT, response)

    assert not ReviewerProfile.objects.exists()
    assert not User.objects.filter(email="wangfang@import.example.cn").exists()
    assert not AccountChange.objects.exists() and not OutboxMessage.objects.exists()


def test_an_agency_staff_csv_with_an_unknown_agency_writes_nothing_and_a_clean_one_invites_them_all(
    admin_client, organiser, world
):
    rows = [
        ["姓名", "电子邮箱", "单位"],
        ["周杰", "zhoujie@import.example.cn", "北京海淀区"],
        ["吴刚", "wugang@import.example.cn", "北京市朝阳区人民政府"],
    ]
    response = preview(admin_client, STAFF_IMPORT, csv_file(rows), CSV)
    assert set(row_errors(response)) == {2}
    assert "没有名为“北京市朝阳区人民政府”的单位" in row_errors(response)[2]
    assert nothing_written() and not AgencyMember.objects.exists()

    rows[2][2] = "北京市人民政府"
    response = preview(admin_client, STAFF_IMPORT, csv_file(rows), CSV)
    assert not row_errors(response)
    confirm(admin_client, STAFF_IMPORT, response)

    members = dict(AgencyMember.objects.values_list("user__email", "agency"))
    assert members == {
        "zhoujie@import.example.cn": world["haidian"].pk,
        "wugang@import.example.cn": world["beijing"].pk,
    }
    zhou = User.objects.get(email="zhoujie@import.example.cn")
    assert set(zhou.groups.values_list("name", flat=True)) == {AGENCIES}
    (invitation,) = OutboxMessage.objects.filter(recipient="zhoujie@import.example.cn")
    assert "北京市海淀区人民政府" in invitation.body and "/accounts/invitation/" in invitation.body


def test_only_organisers_reach_the_imports(client, officer, reviewer):
    for user in [officer, reviewer]:
        client.force_login(user)
        for url in [REVIEWERS_IMPORT, STAFF_IMPORT]:
            assert client.get(url).status_code == 302  # to the admin's login
            response = client.post(url, {"import_file": csv_file([["姓名"]]), "format": CSV})
            assert response.status_code == 302
    assert not AccountChange.objects.exists()


def test_the_import_page_names_the_columns_a_file_needs(admin_client, world):
    reviewers = admin_client.get(REVIEWERS_IMPORT).content.decode()
    assert "评审类别 (categories)" in reviewers and "回避单位 (conflicts) — 可选" in reviewers
    staff = admin_client.get(STAFF_IMPORT, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "参评单位 (agency)" in staff and "Nothing is written while any row has an error" in staff


@pytest.mark.parametrize(
    "language, internal_line", [("zh-hans", "此次将导入以下字段"), ("en", "This importer will import")]
)
def test_the_import_page_names_the_columns_only_as_a_spreadsheet_may_head_them(
    admin_client, world, language, internal_line
):
    """Not also by their internal keys in import-export's own line, on the page nor after a file with a
    problem (the form shown again below the preview)."""
    problem = csv_file([["姓名", "电子邮箱", "参评单位"], ["王芳", "not-an-address", "北京"]])
    for page in [
        admin_client.get(STAFF_IMPORT, HTTP_ACCEPT_LANGUAGE=language).content.decode(),
        preview(admin_client, STAFF_IMPORT, problem, CSV, HTTP_ACCEPT_LANGUAGE=language).content.decode(),
    ]:
        assert "姓名 (name)" in page and "参评单位 (agency)" in page
        assert internal_line not in page and "name, email" not in page


def row_markup(page: str, sheet_row: int) -> str:
    """The preview's table row of the spreadsheet's row `sheet_row`, as HTML."""
    for row in re.findall(r"<tr class=\"invitation-[a-z]+\">.*?</tr>", page, flags=re.S):
        if re.search(rf"<th scope=\"row\">{sheet_row}</th>", row):
            return row
    raise AssertionError(f"no row {sheet_row} in the preview")


def text(markup: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", markup).split())


def test_the_preview_writes_each_problem_in_its_row_with_the_column_and_a_summary_on_top(
    admin_client, organiser, world
):
    upload = xlsx_file(
        [
            ["姓名", "电子邮箱", "工作单位", "评审类别", "回避单位"],
            ["王芳", "wangfang@import.example.cn", "中国社会科学院", "公开解读、在线服务", "北京"],
            ["李强", "not-an-address", "清华大学", "在线服务", ""],
            ["赵敏", "zhaomin@import.example.cn", "北京海淀区", "区块链", ""],
            [None, None, None, None, None],
            ["周杰", organiser.email, "", "互动交流", ""],
        ]
    )

    page = preview(admin_client, REVIEWERS_IMPORT, upload, XLSX).content.decode()

    summary = text(
        page[page.index('id="invitation-summary"') : page.index("</div>", page.index("invitation-summary"))]
    )
    assert "4 行中有 3 行有问题；改正之前不会写入任何内容。" in summary
    assert page.index("invitation-summary") < page.index('id="invitation-rows"')
    # Rows as the spreadsheet numbers them (the headings are row 1), the blank line left out.
    assert "✓ 无误" in text(row_markup(page, 2)) and "王芳" in text(row_markup(page, 2))
    assert "问题 电子邮箱：输入一个有效的 Email 地址。" in text(row_markup(page, 3))
    assert "评审类别：没有名为“区块链”的类别" in text(row_markup(page, 4))
    assert "电子邮箱：只有超级管理员才能修改组织方" in text(row_markup(page, 6))
    assert 'class="invitation-problem"' in row_markup(page, 6)
    assert "validation-error-container" not in page  # nothing hidden behind a hover
    assert nothing_written()


def test_the_preview_is_in_english_for_an_english_session(admin_client, world):
    upload = xlsx_file(
        [
            ["name", "email", "categories", "declared conflicts"],
            ["Li", "li@import.example.cn", "blockchain", "Mars City"],
            ["Wang", "wang@import.example.cn", "service", ""],
        ]
    )
    page = preview(admin_client, REVIEWERS_IMPORT, upload, XLSX, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "1 of 2 rows has a problem; nothing will be written until it is fixed." in text(page)
    problems = text(row_markup(page, 2))
    assert "categories reviewed: No category is called “blockchain”" in problems
    assert "declared conflicts: No agency is called “Mars City”." in problems
    assert "✓ Ready" in text(row_markup(page, 3))
    assert nothing_written()


def test_a_clean_preview_says_every_row_is_ready(admin_client, world):
    upload = csv_file([["name", "email", "agency"], ["Zhou", "zhou@import.example.cn", "北京"]])
    page = preview(admin_client, STAFF_IMPORT, upload, CSV).content.decode()
    assert "全部 1 行无误：确认导入即邀请他们。" in text(page)
    assert "✓ 无误" in text(row_markup(page, 2)) and "invitation-problem" not in page


def test_a_file_that_cannot_be_read_says_why_without_a_traceback(admin_client, world):
    upload = csv_file([["姓名", "电话"], ["王芳", "010-1234"]])
    page = preview(admin_client, REVIEWERS_IMPORT, upload, CSV).content.decode()
    assert "无法读取该文件，未写入任何内容" in page and "Traceback" not in page
    assert nothing_written()


def reviewers_file(count: int) -> SimpleUploadedFile:
    return xlsx_file(
        [["姓名", "电子邮箱", "工作单位", "评审类别", "回避单位"]]
        + [
            [
                f"专家{n}",
                f"expert{n}@import.example.cn",
                ["北京", "清华大学"][n % 2],
                "公开解读、在线服务",
                "北京海淀区",
            ]
            for n in range(count)
        ]
    )


def staff_file(count: int) -> SimpleUploadedFile:
    return csv_file(
        [["姓名", "电子邮箱", "单位"]]
        + [[f"官员{n}", f"officer{n}@import.example.cn", ["北京", "北京海淀区"][n % 2]] for n in range(count)]
    )


@pytest.mark.parametrize(
    ("url", "make_file", "file_format"),
    [(REVIEWERS_IMPORT, reviewers_file, XLSX), (STAFF_IMPORT, staff_file, CSV)],
)
def test_the_preview_and_the_import_of_30_rows_take_as_many_queries_as_of_3(
    admin_client, world, url, make_file, file_format
):
    # Someone with an account among the rows: an officer who becomes a reviewer too; an officer invited again.
    address = "expert0@import.example.cn" if url == REVIEWERS_IMPORT else "officer0@import.example.cn"
    factories.AgencyMemberFactory(agency=world["beijing"], user__email=address)
    counts = {}
    for rows in [3, 30]:
        with CaptureQueriesContext(connection) as previewed:
            response = preview(admin_client, url, make_file(rows), file_format)
        assert response.context["confirm_form"] is not None
        with CaptureQueriesContext(connection) as confirmed:
            confirm(admin_client, url, response)
        counts[rows] = (len(previewed), len(confirmed))
        AccountChange.objects.all().delete()
        OutboxMessage.objects.all().delete()
        ReviewerProfile.objects.all().delete()
        AgencyMember.objects.exclude(user__email=address).delete()
    assert counts[30] == counts[3], counts


def test_a_person_named_twice_in_a_file_is_invited_once_and_never_to_two_agencies(
    admin_client, organiser, world
):
    rows = [
        ["姓名", "电子邮箱", "单位"],
        ["周杰", "zhoujie@import.example.cn", "北京海淀区"],
        ["周杰", "ZhouJie@import.example.cn", "北京海淀区"],
        ["吴刚", "wugang@import.example.cn", "北京"],
        ["吴刚", "wugang@import.example.cn", "北京海淀区"],
    ]
    response = preview(admin_client, STAFF_IMPORT, csv_file(rows), CSV)
    assert set(row_errors(response)) == {4}
    assert "wugang@import.example.cn已是北京市人民政府的工作人员" in row_errors(response)[4]
    assert nothing_written()

    del rows[4]
    confirm(admin_client, STAFF_IMPORT, preview(admin_client, STAFF_IMPORT, csv_file(rows), CSV))

    assert dict(AgencyMember.objects.values_list("user__email", "agency")) == {
        "zhoujie@import.example.cn": world["haidian"].pk,
        "wugang@import.example.cn": world["beijing"].pk,
    }
    assert sorted(OutboxMessage.objects.values_list("recipient", flat=True)) == [
        "wugang@import.example.cn",
        "zhoujie@import.example.cn",
    ]
    assert AccountChange.objects.count() == 2
