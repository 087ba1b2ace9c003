"""Blind review, a round option: reviewers read a case without its agency's name, contact, service link and the
files the organisers mark as identifying, on every page of theirs, in its discussion, and at /files/."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from govcases import blind
from govcases.exceptions import Refused
from govcases.models import Agency, AgencyMember, Case, CaseAttachment, CaseImage, Round
from govcases.services import case_part_identifying_set
from reviews.models import Assignment
from reviews.services import discussion_comment_post, review_save, review_submit
from tests import factories
from tests.reading import read

from .scenario import in_review_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the pure part --------------------------------------------------------------------------------------------


def test_redact_blacks_out_every_name_longest_first():
    text = "成都市武侯区政务服务中心联合成都市推出“一网通办”，ChengDu Wuhou 负责运维。"
    redacted = blind.redact(text, ["成都市武侯区", "成都市", "chengdu wuhou", ""])
    assert "成都" not in redacted and "Wuhou" not in redacted
    assert redacted == (
        f"{blind.BLACKED_OUT}政务服务中心联合{blind.BLACKED_OUT}推出“一网通办”，{blind.BLACKED_OUT} 负责运维。"
    )
    assert blind.redact("", ["成都市"]) == ""
    assert blind.redact("没有名字", []) == "没有名字"
    assert blind.redact("a.b*c", ["."]) == f"a{blind.BLACKED_OUT}b*c"  # names are text, not patterns


def test_only_identifying_files_of_blind_rounds_are_hidden():
    assert blind.hidden_from_reviewers(blind_round=True, identifying=True)
    assert not blind.hidden_from_reviewers(blind_round=True, identifying=False)
    assert not blind.hidden_from_reviewers(blind_round=False, identifying=True)


# --- the pages --------------------------------------------------------------------------------------------------


@pytest.fixture
def blind_case(scenario):
    """The shared case of a blind round, naming its agency in its texts, with an identifying picture and
    attachment beside ordinary ones; both reviewers submitted scores that disagree."""
    Round.objects.filter(pk=scenario.round.pk).update(blind_review=True)
    agency = scenario.shared_case.agency
    Agency.objects.filter(pk=agency.pk).update(name="四川省成都市武侯区人民政府", display_name="成都武侯区")
    case = scenario.shared_case
    case.title = "成都武侯区：不动产登记一网通办"
    case.summary = "四川省成都市武侯区人民政府推出的不动产登记服务。"
    case.description = "成都武侯区依托政务服务平台，实现不动产登记全程网办。"
    case.save()
    CaseImage.objects.filter(case=case).update(caption="成都武侯区政务大厅")
    CaseImage.objects.create(
        case=case,
        image=factories.image_file("logo.png"),
        thumbnail=factories.image_file("logo-thumb.png"),
        caption="单位标识",
        position=1,
        identifying=True,
    )
    CaseAttachment.objects.create(
        case=case,
        file=ContentFile(PDF, name="letter.pdf"),
        name="成都武侯区推荐函.pdf",
        size=len(PDF),
        identifying=True,
    )
    CaseAttachment.objects.create(
        case=case, file=ContentFile(PDF, name="data.pdf"), name="运行数据.pdf", size=len(PDF)
    )
    for assignment, value_of in [
        (scenario.a_shared, lambda criterion: criterion.max_points),
        (scenario.b_shared, lambda criterion: 5),
    ]:
        points = scenario.full_points(value_of)
        comment = "成都武侯区的做法值得推广。"
        review_save(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)
        review_submit(assignment=assignment, by=assignment.reviewer, points=points, comment=comment)
    return case


NAMES = ["成都武侯区", "武侯区", "四川省成都市武侯区人民政府"]


def reviewer_pages(client, scenario) -> dict[str, str]:
    client.force_login(scenario.reviewer_a)
    urls = {
        "queue": reverse("review:reviews_assignment_changelist"),
        "scoring": reverse("review:reviews_assignment_change", args=[scenario.a_shared.pk]),
        "discussion": reverse("review:reviews_assignment_discussion", args=[scenario.a_shared.pk]),
        "history": reverse("review:reviews_assignment_history"),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


def test_a_reviewers_pages_name_no_agency_in_a_blind_round(client, scenario, blind_case, organiser):
    discussion_comment_post(case=blind_case, by=organiser, body="请结合成都武侯区的实际运行数据讨论。")
    contact = blind_case.contact_phone
    for name, page in reviewer_pages(client, scenario).items():
        for agency_name in NAMES:
            assert agency_name not in page, f"{agency_name} on the {name} page"
        assert contact not in page and blind_case.service_url not in page, name
    # The confirmation of a submission, for another case of the same agency.
    other = in_review_case(
        scenario.round, scenario.category, agency=blind_case.agency, title="成都武侯区：惠企政策"
    )
    assignment = Assignment.objects.create(reviewer=scenario.reviewer_a, case=other)
    data = {f"criterion_{pk}": value for pk, value in scenario.full_points().items()}
    confirmation = client.post(
        reverse("review:reviews_assignment_change", args=[assignment.pk]),
        {**data, "comment": "", "_submit": "1"},
    ).content.decode()
    assert "confirm-submission" in confirmation and "惠企政策" in confirmation
    assert all(agency_name not in confirmation for agency_name in NAMES)
    pages = reviewer_pages(client, scenario)
    assert "不动产登记一网通办" in pages["scoring"] and blind.BLACKED_OUT in pages["scoring"]
    assert "运行数据.pdf" in pages["scoring"]
    assert "推荐函" not in pages["scoring"] and "单位标识" not in pages["scoring"]
    assert "请结合" in pages["discussion"] and "实际运行数据讨论" in pages["discussion"]
    # The organisers read everything.
    client.force_login(organiser)
    page = client.get(reverse("admin:reviews_rankingboard_discussion", args=[blind_case.pk])).content.decode()
    assert "四川省成都市武侯区人民政府" in page and "成都武侯区的做法值得推广" in page


def test_the_same_pages_name_the_agency_when_the_round_is_not_blind(client, scenario, blind_case):
    Round.objects.filter(pk=scenario.round.pk).update(blind_review=False)
    pages = reviewer_pages(client, scenario)
    assert "成都武侯区" in pages["queue"]
    assert "四川省成都市武侯区人民政府" in pages["scoring"] and "推荐函" in pages["scoring"]


def test_the_discussion_mails_of_a_blind_round_name_no_agency(scenario, blind_case):
    from govcases.models import OutboxMessage

    discussion_comment_post(case=blind_case, by=scenario.reviewer_a, body="成都武侯区的数据可信。")
    (message,) = OutboxMessage.objects.filter(kind="discussion_comment")
    assert message.recipient == scenario.reviewer_b.email
    assert all(name not in message.subject + message.body for name in NAMES)
    assert "的数据可信" in message.body


def status_of(client, url) -> int:
    return read(client.get(url)).status_code  # a streamed file is read to the end, which closes it


def test_a_blind_reviewer_cannot_fetch_identifying_files(client, scenario, blind_case, organiser):
    identifying = [
        CaseAttachment.objects.get(case=blind_case, identifying=True).file.url,
        CaseImage.objects.get(case=blind_case, identifying=True).image.url,
        CaseImage.objects.get(case=blind_case, identifying=True).thumbnail.url,
    ]
    ordinary = [
        CaseAttachment.objects.get(case=blind_case, identifying=False).file.url,
        CaseImage.objects.get(case=blind_case, identifying=False).image.url,
    ]
    officer = factories.UserFactory()
    AgencyMember.objects.create(user=officer, agency=blind_case.agency)
    for user, may_read_identifying in [(scenario.reviewer_a, False), (organiser, True), (officer, True)]:
        client.force_login(user)
        for url in identifying:
            assert status_of(client, url) == (200 if may_read_identifying else 404), (user, url)
        for url in ordinary:
            assert status_of(client, url) == 200, (user, url)
    # Not blind any more: the reviewer reads them all.
    Round.objects.filter(pk=scenario.round.pk).update(blind_review=False)
    client.force_login(scenario.reviewer_a)
    assert all(status_of(client, url) == 200 for url in identifying)


def test_organisers_mark_files_identifying_in_the_case_admin(client, scenario, organiser):
    case = scenario.shared_case
    attachment = CaseAttachment.objects.create(
        case=case, file=ContentFile(PDF, name="x.pdf"), name="盖章页.pdf", size=len(PDF)
    )
    image = case.images.get()
    client.force_login(organiser)
    url = reverse("admin:govcases_case_change", args=[case.pk])
    page = client.get(url).content.decode()
    # A box per picture and attachment, in the tables that show them.
    for name, part in [("identifying_images", image), ("identifying_attachments", attachment)]:
        assert f'name="{name}" value="{part.pk}"' in page
    response = client.post(url, {"identifying_attachments": [attachment.pk]})
    assert response.status_code == 302, [
        line for line in response.content.decode().splitlines() if "error" in line
    ]
    attachment.refresh_from_db()
    image.refresh_from_db()
    assert attachment.identifying and not image.identifying
    with pytest.raises(Refused):
        case_part_identifying_set(part=image, identifying=True, by=scenario.reviewer_a)
    image.refresh_from_db()
    assert not image.identifying


def test_the_case_page_marks_only_its_own_parts_and_writes_nothing_else(client, scenario, organiser):
    case, other = scenario.shared_case, scenario.a_only_case
    image, foreign = case.images.get(), other.images.get()
    before = Case.objects.filter(pk=case.pk).values().get()
    client.force_login(organiser)
    url = reverse("admin:govcases_case_change", args=[case.pk])

    # A picture of another case planted in the form: refused with the page shown again, nothing marked.
    refused = client.post(url, {"identifying_images": [image.pk, foreign.pk]})
    assert refused.status_code == 200 and "errornote" in refused.content.decode()
    assert not CaseImage.objects.filter(identifying=True).exists()

    english = {"HTTP_ACCEPT_LANGUAGE": "en"}
    assert client.post(url, {"identifying_images": [image.pk]}, **english).status_code == 302
    image.refresh_from_db()
    assert image.identifying
    # The case's own row is untouched (its status included), and its history says what changed.
    assert Case.objects.filter(pk=case.pk).values().get() == before
    with translation.override("en"):
        history = LogEntry.objects.get(object_id=str(case.pk)).get_change_message()
    assert history == "Changed pictures that identify the agency."
    # Unticking it takes the mark away again.
    assert client.post(url, {}).status_code == 302
    image.refresh_from_db()
    assert not image.identifying
