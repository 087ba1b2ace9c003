"""The agency portal through its pages: who gets in, drafts that lose nothing, submission, the receipt,
withdrawal, the deadline and the outcome."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.models import Case, CaseImage, CaseTransition, Round
from govcases.services import case_submit, case_transition, round_phase_set
from tests import factories

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

COMPLETE = {
    "title": "“粤省事”移动政务服务平台",
    "summary": "一部手机办事。",
    "description": "整合全省高频事项。",
    "outcomes": "办件量超过十亿件。",
    "service_url": "https://www.example.gov.cn/yss",
    "contact_name": "李华",
    "contact_phone": "020-88886666",
    "contact_email": "lihua@example.cn",
}


def agency_of(user):
    return user.agency_membership.agency


def own_case(round_, officer, **kwargs):
    return factories.CaseFactory(round=round_, agency=agency_of(officer), **kwargs)


def fields(round_, **overrides):
    return {**COMPLETE, "category": round_.quotas.first().category_id, **overrides}


# Who gets in


@pytest.mark.parametrize("who", ["anonymous", "organiser", "reviewer", "plain user"])
def test_only_agency_officers_use_the_portal(client, round_, organiser, reviewer, who):
    user = {"organiser": organiser, "reviewer": reviewer, "plain user": factories.UserFactory()}.get(who)
    if user:
        client.force_login(user)
    response = client.get(reverse("portal:dashboard"))
    if user is None:
        assert response.status_code == 302 and reverse("login") in response["Location"]
    else:
        assert response.status_code == 403


@pytest.mark.parametrize(
    "name, method",
    [
        ("portal:case", "get"),
        ("portal:case_edit", "get"),
        ("portal:case_edit", "post"),
        ("portal:case_submit", "post"),
        ("portal:case_withdraw", "post"),
        ("portal:case_reopen", "post"),
    ],
)
def test_another_agencys_case_is_not_found(client, round_, officer, other_officer, name, method):
    case = own_case(round_, other_officer)
    client.force_login(officer)
    response = getattr(client, method)(reverse(name, args=[case.pk]), {"title": "改掉"})
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.title != "改掉" and case.status == CaseStatus.DRAFT


def test_submit_accepts_only_post(client, round_, officer):
    case = own_case(round_, officer)
    client.force_login(officer)
    assert client.get(reverse("portal:case_submit", args=[case.pk])).status_code == 405


def test_withdrawing_asks_first_on_a_page_that_says_what_happens(client, round_, officer):
    case = case_submit(case=own_case(round_, officer), by=officer)
    client.force_login(officer)
    detail = client.get(reverse("portal:case", args=[case.pk]), **EN).content.decode()
    url = reverse("portal:case_withdraw", args=[case.pk])
    assert f'href="{url}"' in detail  # a link to the confirmation page, not a button that withdraws

    page = client.get(url, **EN).content.decode()
    assert "will not be reviewed" in page and case.reference in page and 'id="confirm-withdraw"' in page
    # A POST that skips the page (an old bookmark, a script) only shows it.
    client.post(url, {"reason": "重复提交"}, **EN)
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    client.post(url, {"confirmed": "1", "reason": "重复提交"}, **EN)
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert case.transitions.get(to_status=CaseStatus.WITHDRAWN).reason == "重复提交"


def test_the_withdrawal_page_says_why_a_case_cannot_be_withdrawn(client, round_, officer):
    draft = own_case(round_, officer)
    client.force_login(officer)
    page = client.get(reverse("portal:case_withdraw", args=[draft.pk]), **EN).content.decode()
    assert 'id="withdraw-refused"' in page and "cannot become" in page
    assert 'id="confirm-withdraw"' not in page


# Dashboard


def test_dashboard_lists_the_agencys_cases_of_every_round_and_the_deadline(
    client, round_, officer, other_officer
):
    old_round = factories.RoundFactory(year=2023, phase=Phase.ARCHIVED)
    mine_now = own_case(round_, officer, title="今年的案例")
    mine_before = own_case(old_round, officer, title="去年的案例")
    theirs = own_case(round_, other_officer, title="别人的案例")
    client.force_login(officer)

    response = client.get(reverse("portal:dashboard"), **EN)

    page = response.content.decode()
    assert mine_now.title in page and mine_before.title in page and theirs.title not in page
    assert 'id="new-case"' in page
    assert timezone.localtime(round_.submission_deadline).strftime("%Y-%m-%d %H:%M") in page


def test_no_new_case_button_after_the_deadline(client, round_, officer):
    round_.submission_deadline = timezone.now() - timedelta(minutes=1)
    round_.save()
    client.force_login(officer)
    assert 'id="new-case"' not in client.get(reverse("portal:dashboard")).content.decode()


@pytest.mark.parametrize("count", [1, 20])
def test_dashboard_query_count_does_not_grow_with_cases(
    client, round_, officer, count, django_assert_num_queries
):
    for _ in range(count):
        own_case(round_, officer, images=0)
    client.force_login(officer)
    # session, user, membership, agency, cases with their round and category, the open round
    with django_assert_num_queries(6):
        response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 200
    assert len(response.context["cases"]) == count


# Drafts


def test_a_new_draft_is_saved_with_required_fields_empty(client, round_, officer):
    client.force_login(officer)
    response = client.post(reverse("portal:case_new"), {"title": "还没写完", "action": "save"})
    case = Case.objects.get(agency=agency_of(officer))
    assert response.status_code == 302 and response["Location"] == reverse("portal:case_edit", args=[case.pk])
    assert (case.title, case.status, case.summary, case.created_by) == (
        "还没写完",
        CaseStatus.DRAFT,
        "",
        officer,
    )


def test_the_category_is_limited_to_the_rounds_categories(client, round_, officer):
    stranger = factories.CategoryFactory(code="elsewhere", name="别的类别")
    client.force_login(officer)
    page = client.get(reverse("portal:case_new")).content.decode()
    assert "公开解读" in page and "别的类别" not in page
    case = own_case(round_, officer)
    response = client.post(reverse("portal:case_edit", args=[case.pk]), fields(round_, category=stranger.pk))
    assert response.status_code == 200 and "category" in response.context["form"].errors
    case.refresh_from_db()
    assert case.category != stranger


def test_an_invalid_field_keeps_what_was_typed_and_saves_the_rest(client, round_, officer):
    case = own_case(round_, officer, title="旧标题")
    client.force_login(officer)
    response = client.post(
        reverse("portal:case_edit", args=[case.pk]),
        fields(round_, title="新标题", contact_email="不是邮箱", summary="新的摘要"),
        **EN,
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="error-summary"' in page and "Contact e-mail" in page
    assert "不是邮箱" in page and "新标题" in page
    case.refresh_from_db()
    assert (case.title, case.summary, case.contact_email) == ("新标题", "新的摘要", "zhangmin@example.cn")


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("service_url", "http://zwfw.example.gov.cn/", "must start with https://"),
        ("contact_phone", "请打电话", "Enter a phone number"),
        ("contact_phone", "12", "Enter a phone number"),
    ],
)
def test_a_plain_http_link_or_a_phone_that_is_not_one_is_refused_and_kept(
    client, round_, officer, field, value, message
):
    case = own_case(round_, officer, title="旧标题")
    client.force_login(officer)
    response = client.post(
        reverse("portal:case_edit", args=[case.pk]), fields(round_, title="新标题", **{field: value}), **EN
    )
    page = response.content.decode()
    assert response.status_code == 200 and message in page and value in page
    case.refresh_from_db()
    assert case.title == "新标题" and getattr(case, field) != value


@pytest.mark.parametrize("phone", ["010-12345678", "13800138000", "(0755) 1234-5678", "0755-12345678转123"])
def test_phone_numbers_as_officers_write_them_are_accepted(client, round_, officer, phone):
    case = own_case(round_, officer)
    client.force_login(officer)
    client.post(reverse("portal:case_edit", args=[case.pk]), fields(round_, contact_phone=phone))
    case.refresh_from_db()
    assert case.contact_phone == phone


def test_submitting_an_incomplete_draft_names_every_missing_field(client, round_, officer):
    client.force_login(officer)
    client.post(reverse("portal:case_new"), {"title": "只有标题", "action": "save"})
    case = Case.objects.get(agency=agency_of(officer))

    response = client.post(reverse("portal:case_submit", args=[case.pk]), **EN)

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {
        "category",
        "summary",
        "description",
        "outcomes",
        "service_url",
        "contact_name",
        "contact_phone",
        "__all__",
    }
    page = response.content.decode()
    for label in [
        "Category",
        "Summary",
        "Description",
        "Measurable outcomes",
        "Link to the live service",
        "Contact person",
        "Contact phone",
    ]:
        assert f"{label}:" in page
    assert "Add at least 1 image." in page
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT and case.reference == ""


def test_save_and_submit_from_the_form(client, round_, officer):
    case = own_case(round_, officer)
    client.force_login(officer)
    response = client.post(reverse("portal:case_edit", args=[case.pk]), fields(round_, action="submit"))
    assert response.status_code == 302 and response["Location"] == reverse("portal:case", args=[case.pk])
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED and case.title == COMPLETE["title"]


def test_the_case_page_shows_a_printable_receipt_after_submission(client, round_, officer):
    case = case_submit(case=own_case(round_, officer), by=officer)
    client.force_login(officer)
    page = client.get(reverse("portal:case", args=[case.pk]), **EN).content.decode()
    assert 'id="receipt"' in page and case.reference in page and "data-print" in page
    assert timezone.localtime(case.submitted_at).strftime("%Y-%m-%d %H:%M:%S") in page
    assert 'id="withdraw"' in page and 'id="edit"' not in page


def test_withdraw_then_reopen_as_a_draft_and_edit_again(client, round_, officer):
    case = case_submit(case=own_case(round_, officer), by=officer)
    client.force_login(officer)

    client.post(reverse("portal:case_withdraw", args=[case.pk]), {"confirmed": "1"})
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN
    assert 'id="reopen"' in client.get(reverse("portal:case", args=[case.pk])).content.decode()

    response = client.post(reverse("portal:case_reopen", args=[case.pk]))
    assert response["Location"] == reverse("portal:case_edit", args=[case.pk])
    client.post(reverse("portal:case_edit", args=[case.pk]), fields(round_, title="改过的标题"))
    case.refresh_from_db()
    assert (case.status, case.title) == (CaseStatus.DRAFT, "改过的标题")
    assert list(CaseTransition.objects.filter(case=case).values_list("to_status", flat=True)) == [
        CaseStatus.SUBMITTED,
        CaseStatus.WITHDRAWN,
        CaseStatus.DRAFT,
    ]


# The deadline and other rules, against crafted requests


def test_a_crafted_edit_after_the_deadline_changes_nothing(client, round_, officer):
    case = own_case(round_, officer, title="截止前的标题")
    round_.submission_deadline = timezone.now() - timedelta(seconds=1)
    round_.save()
    client.force_login(officer)
    before = Case.objects.filter(pk=case.pk).values().get()

    response = client.post(
        reverse("portal:case_edit", args=[case.pk]),
        fields(round_, title="截止后的标题", images=[factories.image_file()]),
        **EN,
    )
    submit = client.post(reverse("portal:case_submit", args=[case.pk]), **EN)

    assert submit.status_code == 302
    assert Case.objects.filter(pk=case.pk).values().get() == before
    assert CaseImage.objects.filter(case=case).count() == 1
    followed = client.get(submit["Location"], **EN).content.decode()
    assert "The submission deadline has passed." in followed
    # The refused edit shows the form again with what the officer typed, so that it can be copied elsewhere.
    assert response.status_code == 200
    page = response.content.decode()
    assert "The submission deadline has passed." in page
    assert 'value="截止后的标题"' in page


def test_a_crafted_new_case_after_the_deadline_is_refused(client, round_, officer):
    round_.submission_deadline = timezone.now() - timedelta(seconds=1)
    round_.save()
    client.force_login(officer)
    response = client.post(reverse("portal:case_new"), {"title": "晚了"})
    assert response.status_code == 302
    assert not Case.objects.exists()


@pytest.mark.parametrize("status", [CaseStatus.SUBMITTED, CaseStatus.WITHDRAWN])
def test_a_crafted_edit_of_a_case_that_is_not_a_draft_changes_nothing(client, round_, officer, status):
    case = case_submit(case=own_case(round_, officer), by=officer)
    if status == CaseStatus.WITHDRAWN:
        case_transition(case=case, to=status, by=officer)
    client.force_login(officer)
    image = case.images.get()
    response = client.post(
        reverse("portal:case_edit", args=[case.pk]), fields(round_, title="偷改", image_remove=image.pk)
    )
    assert response.status_code == 200
    case.refresh_from_db()
    assert case.title != "偷改" and case.images.count() == 1


# The outcome


def published_round_with_outcomes(round_, officer, organiser):
    selected = case_submit(case=own_case(round_, officer, title="入选的案例"), by=officer)
    not_selected = case_submit(case=own_case(round_, officer, title="未入选的案例"), by=officer)
    round_.submission_deadline = timezone.now()
    round_.save()
    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")
    round_phase_set(round=round_, to=Phase.SELECTION, by=organiser, override=True, reason="测试准备")
    return selected, not_selected


def test_before_publication_the_case_page_says_nothing_about_selection(client, round_, officer, organiser):
    selected, _ = published_round_with_outcomes(round_, officer, organiser)
    # A decision staged in the selection phase, not yet published.
    case_transition(case=selected, to=CaseStatus.SELECTED, by=organiser)
    client.force_login(officer)
    page = client.get(reverse("portal:case", args=[selected.pk]), **EN).content.decode()
    assert 'id="outcome"' not in page
    assert "Selected" not in page and "selected cases" not in page
    assert "In review" in page
    dashboard = client.get(reverse("portal:dashboard"), **EN).content.decode()
    assert "Selected" not in dashboard


def test_after_publication_the_case_page_shows_the_outcome(client, round_, officer, organiser):
    from govcases.services import publication_create

    selected, not_selected = published_round_with_outcomes(round_, officer, organiser)
    publication_create(round=round_, selected=[selected], by=organiser, override=True, reason="测试准备")
    client.force_login(officer)

    page = client.get(reverse("portal:case", args=[selected.pk]), **EN).content.decode()
    assert 'class="panel outcome outcome-selected"' in page
    page = client.get(reverse("portal:case", args=[not_selected.pk]), **EN).content.decode()
    assert 'class="panel outcome outcome-not_selected"' in page


# Languages


def test_pages_are_chinese_by_default_and_english_on_request(client, round_, officer):
    case = own_case(round_, officer)
    client.force_login(officer)
    for url in [
        reverse("portal:dashboard"),
        reverse("portal:case", args=[case.pk]),
        reverse("portal:case_edit", args=[case.pk]),
    ]:
        assert '<html lang="zh-hans">' in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
        english = client.get(url, **EN).content.decode()
        assert '<html lang="en">' in english
    assert "Save draft" in english


def test_a_returned_case_shows_the_reason_and_can_be_corrected_and_resubmitted(
    client, round_, officer, organiser
):
    case = case_submit(case=own_case(round_, officer), by=officer)
    case_transition(case=case, to=CaseStatus.RETURNED, by=organiser, reason="请补充成效数据")
    client.force_login(officer)

    page = client.get(reverse("portal:case", args=[case.pk])).content.decode()
    assert 'id="return-reason"' in page and "请补充成效数据" in page and 'id="edit"' in page
    form_page = client.get(reverse("portal:case_edit", args=[case.pk])).content.decode()
    assert "请补充成效数据" in form_page

    client.post(
        reverse("portal:case_edit", args=[case.pk]), fields(round_, outcomes="新增成效数据", action="submit")
    )
    case.refresh_from_db()
    assert (case.status, case.outcomes) == (CaseStatus.SUBMITTED, "新增成效数据")
    assert 'id="return-reason"' not in client.get(reverse("portal:case", args=[case.pk])).content.decode()


# Every service that changes a case's content checks the phase, the deadline, the status and the agency.

PDF = b"%PDF-1.4\n%%EOF\n"


def content_changes(case, by, now):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from govcases import services

    image = case.images.first()
    attachment = case.attachments.first()
    return {
        "update": lambda: services.case_update(case=case, by=by, data={"title": "改"}, now=now),
        "image_add": lambda: services.case_image_add(
            case=case, by=by, upload=SimpleUploadedFile("a.png", factories.png_bytes()), now=now
        ),
        "image_remove": lambda: services.case_image_remove(image=image, by=by, now=now),
        "image_move": lambda: services.case_image_move(image=image, by=by, offset=1, now=now),
        "attachment_add": lambda: services.case_attachment_add(
            case=case, by=by, upload=SimpleUploadedFile("a.pdf", PDF), now=now
        ),
        "attachment_remove": lambda: services.case_attachment_remove(attachment=attachment, by=by, now=now),
        "create": lambda: services.case_create(round=case.round, by=by, data={"title": "新"}, now=now),
    }


CHANGES = [
    "update",
    "image_add",
    "image_remove",
    "image_move",
    "attachment_add",
    "attachment_remove",
    "create",
]


OBSTACLES = ["after the deadline", "review phase", "setup phase", "submitted", "other agency"]
# A new case has no status yet, and an officer only ever creates cases for their own agency.
REFUSALS = [
    (change, obstacle)
    for change in CHANGES
    for obstacle in OBSTACLES
    if not (change == "create" and obstacle in {"submitted", "other agency"})
]


@pytest.mark.parametrize("change, obstacle", REFUSALS)
def test_content_changes_are_refused_by_the_services(round_, officer, other_officer, change, obstacle):
    from govcases.exceptions import Refused
    from govcases.models import CaseAttachment

    case = own_case(round_, officer, title="原标题", images=2)
    CaseAttachment.objects.create(case=case, file=factories.image_file("x.pdf"), name="x.pdf", size=1)
    by, now = officer, timezone.now()
    if obstacle == "after the deadline":
        now = round_.submission_deadline + timedelta(seconds=1)
    elif obstacle.endswith("phase"):
        Round.objects.filter(pk=round_.pk).update(phase=obstacle.split()[0])
        case.refresh_from_db()
    elif obstacle == "submitted":
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.SUBMITTED)
        case.refresh_from_db()
    else:
        by = other_officer
    before = (Case.objects.count(), list(case.images.values_list("pk", "position")), case.attachments.count())

    with pytest.raises(Refused):
        content_changes(case, by, now)[change]()

    after = (Case.objects.count(), list(case.images.values_list("pk", "position")), case.attachments.count())
    assert after == before
    assert Case.objects.get(pk=case.pk).title == "原标题"


def test_portal_pages_run_no_inline_script(client, round_, officer):
    """The Content-Security-Policy forbids inline scripts: the print button's script comes from a file."""
    case = case_submit(case=own_case(round_, officer), by=officer)
    client.force_login(officer)
    for url in [
        reverse("portal:dashboard"),
        reverse("portal:case", args=[case.pk]),
        reverse("portal:case_new"),
    ]:
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        page = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert " onclick=" not in page and "javascript:" not in page
    assert "/static/js/portal.js" in client.get(reverse("portal:case", args=[case.pk])).content.decode()
