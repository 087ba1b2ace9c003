"""The agency portal in a browser, where things go wrong: a refused upload, the deadline passing mid-form."""

from datetime import timedelta

import pytest
from django.utils import timezone

from govcases.models import Case, Round
from tests import factories

from .browser import in_chinese, log_in, visit

pytestmark = pytest.mark.e2e


@pytest.fixture
def open_round(transactional_db):
    return factories.RoundFactory(year=2024)


@pytest.fixture
def officer(open_round):
    return factories.AgencyMemberFactory(
        agency=factories.AgencyFactory(name="北京市海淀区人民政府", display_name="北京海淀区")
    ).user


TITLE = "“一网通办”企业开办全程网办"
SUMMARY = "依托一体化政务服务平台，企业开办实现全程网办、一日办结，\n办理时限由5个工作日压缩至1个工作日。"


def test_a_refused_upload_keeps_the_typed_text_and_names_the_file(page, screenshot, officer, tmp_path):
    not_a_picture = tmp_path / "办事大厅照片.png"
    not_a_picture.write_text("这不是图片，只是一段文字。", encoding="utf-8")
    picture = tmp_path / "窗口照片.png"
    picture.write_bytes(factories.png_bytes(640, 400))
    log_in(page, officer)

    visit(page, "/portal/cases/new/")
    page.fill("[name=title]", TITLE)
    page.fill("[name=summary]", SUMMARY)
    page.set_input_files("input[type=file][name=images]", [str(not_a_picture), str(picture)])
    screenshot(page, "filled")
    with page.expect_navigation():
        page.locator("#save").click()

    screenshot(page, "refused")
    # The message names the refused file (and only that one), so that the officer knows which to replace…
    errors = page.locator("#error-summary li").all_inner_texts()
    assert any("办事大厅照片.png" in error for error in errors), errors
    assert not any("窗口照片.png" in error for error in errors), errors
    # …and nothing typed is lost: the fields still hold the text, line breaks included.
    assert page.locator("[name=title]").input_value() == TITLE
    assert page.locator("[name=summary]").input_value() == SUMMARY
    # The text is safe in the draft too, with the good picture; the bad file is not kept.
    case = Case.objects.get(agency=officer.agency_membership.agency)
    assert (case.title, case.summary) == (TITLE, SUMMARY.replace("\n", "\r\n"))
    assert [(image.width, image.height) for image in case.images.all()] == [(640, 400)]
    assert page.locator("#images img").count() == 1


def test_the_deadline_passing_while_the_form_is_open(page, screenshot, officer, open_round):
    case = factories.CaseFactory(round=open_round, agency=officer.agency_membership.agency, title=TITLE)
    log_in(page, officer)
    visit(page, f"/portal/cases/{case.pk}/edit/")
    page.fill("[name=title]", "截止后改的标题")

    # The deadline passes while the officer is still typing.
    Round.objects.filter(pk=open_round.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))
    with page.expect_navigation():
        page.locator("#save").click()

    screenshot(page, "after-deadline")
    messages = page.locator(".messages .message").all_inner_texts()
    assert messages, "no message tells the officer what happened"
    assert any(in_chinese("The submission deadline has passed.") in message for message in messages), messages
    # What the officer typed is still on the page, so it is not lost; the database is unchanged.
    assert page.locator("[name=title]").input_value() == "截止后改的标题"
    case.refresh_from_db()
    assert case.title == TITLE
    assert case.status == "draft"


def test_the_deadline_passing_before_submitting(page, screenshot, officer, open_round):
    """Submitting a complete draft after the deadline is refused, with the reason, and the case stays a draft."""
    case = factories.CaseFactory(round=open_round, agency=officer.agency_membership.agency, title=TITLE)
    log_in(page, officer)
    visit(page, f"/portal/cases/{case.pk}/")

    Round.objects.filter(pk=open_round.pk).update(submission_deadline=timezone.now() - timedelta(minutes=1))
    with page.expect_navigation():
        page.locator("#submit").click()

    screenshot(page, "refused")
    messages = page.locator(".messages .message").all_inner_texts()
    assert any(in_chinese("The submission deadline has passed.") in message for message in messages), messages
    case.refresh_from_db()
    assert (case.status, case.reference) == ("draft", "")
