"""The organisers' admin for the cases domain: invitations, phase actions, returning and declaring cases
ineligible with a reason, and records that only services write."""

import re

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import results
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from govcases.admin import CaseAdmin
from govcases.enums import CaseStatus, Level, Phase, Province
from govcases.exceptions import Refused
from govcases.models import AgencyMember, Case, CaseImage, CaseTransition, EmailTemplate, RoundPhaseChange
from govcases.permissions import AGENCIES
from govcases.services import agency_member_invite, case_submit, case_transition
from reviews.models import AssignmentEvent
from reviews.services import assignment_add, assignment_remove
from tests import factories

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def submitted_case(round_, officer, **kwargs):
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, **kwargs)
    return case_submit(case=case, by=officer)


def test_only_organisers_enter_the_admin(client, officer, reviewer):
    for user in [officer, reviewer]:
        client.force_login(user)
        response = client.get(reverse("admin:govcases_case_changelist"))
        assert response.status_code == 302 and reverse("admin:login") in response["Location"]


@pytest.mark.parametrize(
    "model", ["agency", "category", "round", "case", "emailtemplate", "publication", "publishedcase"]
)
def test_every_changelist_opens(admin_client, round_, officer, model):
    submitted_case(round_, officer)
    assert admin_client.get(reverse(f"admin:govcases_{model}_changelist")).status_code == 200


def test_change_pages_open(admin_client, round_, officer):
    case = submitted_case(round_, officer)
    for url in [
        reverse("admin:govcases_case_change", args=[case.pk]),
        reverse("admin:govcases_round_change", args=[round_.pk]),
        reverse("admin:govcases_agency_change", args=[case.agency_id]),
        reverse("admin:govcases_emailtemplate_add"),
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_the_reviews_models_are_left_to_the_reviews_admin():
    from django.contrib import admin

    from govcases import admin as cases_admin

    ours = {
        model
        for model, model_admin in admin.site._registry.items()
        if type(model_admin).__module__ == cases_admin.__name__
    }
    assert ours and all(model._meta.app_label == "govcases" for model in ours)


# Agencies and invitations


def test_agencies_are_found_by_pinyin_without_tones(admin_client):
    factories.AgencyFactory(name="安徽省人民政府", level=Level.PROVINCE, province=Province.ANHUI)
    factories.AgencyFactory(name="北京市人民政府", level=Level.MUNICIPALITY, province=Province.BEIJING)
    response = admin_client.get(reverse("admin:govcases_agency_changelist"), {"q": "anhui"})
    names = [agency.name for agency in response.context["cl"].result_list]
    assert names == ["安徽省人民政府"]


def test_the_invite_action_asks_for_addresses_then_invites(admin_client, organiser, deliver_mail):
    agency = factories.AgencyFactory(
        name="重庆市人民政府", level=Level.MUNICIPALITY, province=Province.CHONGQING
    )
    url = reverse("admin:govcases_agency_changelist")
    action = {"action": "invite_staff", "_selected_action": [agency.pk]}

    form = admin_client.post(url, action, **EN)
    assert form.status_code == 200 and 'id="invite-form"' in form.content.decode()

    wrong = admin_client.post(url, {**action, "apply": "1", "emails": "not-an-address"}, **EN)
    assert wrong.status_code == 200 and "not-an-address" in wrong.content.decode()
    assert not mail.outbox

    done = admin_client.post(url, {**action, "apply": "1", "emails": "a@cq.gov.cn\nb@cq.gov.cn"})
    deliver_mail()
    assert done.status_code == 302
    assert set(AgencyMember.objects.filter(agency=agency).values_list("user__email", flat=True)) == {
        "a@cq.gov.cn",
        "b@cq.gov.cn",
    }
    assert sorted(message.to[0] for message in mail.outbox) == ["a@cq.gov.cn", "b@cq.gov.cn"]


def test_an_invitation_link_sets_a_password_that_logs_in(client, organiser, deliver_mail):
    agency = factories.AgencyFactory(name="北京市海淀区人民政府")
    user = agency_member_invite(agency=agency, email="Officer@HaiDian.gov.cn", by=organiser)
    deliver_mail()
    assert user.groups.filter(name=AGENCIES).exists() and not user.has_usable_password()
    assert user.agency_membership.agency == agency

    (invitation,) = mail.outbox
    assert invitation.to == ["Officer@haidian.gov.cn"]
    link = re.search(r"https?://\S+/accounts/invitation/\S+/", invitation.body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]

    form_page = client.get(f"/{path}", follow=True)
    assert 'id="set-password"' in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    new_password = "海淀-政务-2024-secure"
    done = client.post(set_url, {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302

    client.logout()
    logged_in = client.post(reverse("login"), {"username": user.username, "password": new_password})
    assert logged_in.status_code == 302
    assert client.get(reverse("home-after-login"))["Location"] == reverse("portal:dashboard")
    # The link works once.
    assert 'id="invalid-link"' in client.get(f"/{path}", follow=True).content.decode()


def test_an_invitation_reuses_an_account_but_never_moves_an_officer(organiser, officer):
    other_agency = factories.AgencyFactory()
    with pytest.raises(Refused):
        agency_member_invite(agency=other_agency, email=officer.email, by=organiser)
    same = agency_member_invite(agency=officer.agency_membership.agency, email=officer.email, by=organiser)
    assert same == officer and User.objects.filter(email=officer.email).count() == 1


def test_an_officer_invites_only_into_their_own_agency(officer, reviewer):
    with pytest.raises(Refused):
        agency_member_invite(agency=factories.AgencyFactory(), email="x@example.cn", by=officer)
    with pytest.raises(Refused):
        agency_member_invite(agency=officer.agency_membership.agency, email="y@example.cn", by=reviewer)
    assert not User.objects.filter(email__in=["x@example.cn", "y@example.cn"]).exists()


# Rounds


def step_url(round_, to: str) -> str:
    return reverse("admin:govcases_round_step", args=[round_.pk, to])


def test_the_next_phase_goes_through_a_confirmation_page_and_keeps_a_history(
    admin_client, organiser, round_, officer
):
    case = submitted_case(round_, officer)
    round_.submission_deadline = timezone.now()
    round_.save()

    change = admin_client.get(reverse("admin:govcases_round_change", args=[round_.pk])).content.decode()
    assert step_url(round_, Phase.REVIEW) in change
    assert 'name="phase"' not in change  # read-only: only the confirmed steps move it
    page = admin_client.get(step_url(round_, Phase.REVIEW), **EN).content.decode()
    assert "1 submitted case goes into review" in page
    assert "Nothing is outstanding." in page
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION  # looking at the page changes nothing

    admin_client.post(step_url(round_, Phase.REVIEW), {"reason": ""})

    round_.refresh_from_db()
    case.refresh_from_db()
    assert (round_.phase, case.status) == (Phase.REVIEW, CaseStatus.IN_REVIEW)
    assert RoundPhaseChange.objects.filter(round=round_, to_phase=Phase.REVIEW, by=organiser).exists()


def test_with_work_outstanding_the_step_needs_the_override_and_a_reason_and_keeps_what_was_typed(
    admin_client, organiser, round_, officer
):
    submitted_case(round_, officer)
    factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)  # a draft, deadline ahead
    url = step_url(round_, Phase.REVIEW)

    page = admin_client.get(url, **EN).content.decode()
    assert "has not passed" in page and "1 case is still a draft" in page
    assert 'name="override"' in page

    refused = admin_client.post(url, {"reason": "提前开始评审"}, **EN).content.decode()
    assert "To go on all the same" in refused
    assert "提前开始评审" in refused  # the reason typed is still there
    without_reason = admin_client.post(url, {"override": "on", "reason": ""}, **EN).content.decode()
    assert "Give a reason" in without_reason
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION

    admin_client.post(url, {"override": "on", "reason": "提前开始评审"})
    round_.refresh_from_db()
    assert round_.phase == Phase.REVIEW
    audit = RoundPhaseChange.objects.get(round=round_, to_phase=Phase.REVIEW)
    assert audit.reason == "提前开始评审" and len(audit.overridden) == 2


def test_a_step_the_round_cannot_take_is_not_offered(admin_client, round_):
    assert admin_client.get(step_url(round_, Phase.ARCHIVED)).status_code == 404
    assert admin_client.get(step_url(round_, "nonsense")).status_code == 404
    assert admin_client.post(step_url(round_, Phase.ARCHIVED), {"reason": "x"}).status_code == 404
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_only_organisers_reach_the_confirmation_page(client, round_, officer, reviewer, who):
    client.force_login({"officer": officer, "reviewer": reviewer}[who])
    response = client.post(step_url(round_, Phase.REVIEW), {"override": "on", "reason": "x"})
    assert response.status_code in (302, 403)
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION


def test_open_submission_from_setup(admin_client):
    round_ = factories.RoundFactory(year=2030, phase=Phase.SETUP)
    admin_client.post(step_url(round_, Phase.SUBMISSION), {"reason": ""})
    round_.refresh_from_db()
    assert round_.phase == Phase.SUBMISSION


# Cases


def test_returning_a_case_needs_a_reason_and_tells_the_agency(
    admin_client, organiser, round_, officer, deliver_mail
):
    case = submitted_case(round_, officer)
    deliver_mail()
    mail.outbox.clear()
    url = reverse("admin:govcases_case_changelist")
    action = {"action": "status_returned", "_selected_action": [case.pk]}

    asked = admin_client.post(url, action)
    assert asked.status_code == 200 and 'id="reason-form"' in asked.content.decode()
    empty = admin_client.post(url, {**action, "apply": "1", "reason": "   "})
    assert empty.status_code == 200 and empty.context["form"].errors
    case.refresh_from_db()
    assert case.status == CaseStatus.SUBMITTED

    admin_client.post(url, {**action, "apply": "1", "reason": "请补充服务链接截图"})
    deliver_mail()
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
    audit = CaseTransition.objects.filter(case=case).last()
    assert (audit.to_status, audit.by, audit.reason) == (CaseStatus.RETURNED, organiser, "请补充服务链接截图")
    # One e-mail to each of the agency's addresses (its contact and its officer), with the reason and the link.
    assert sorted(message.to[0] for message in mail.outbox) == sorted([case.agency.email, officer.email])
    assert all("请补充服务链接截图" in message.body for message in mail.outbox)
    assert all(f"/portal/cases/{case.pk}/" in message.body for message in mail.outbox)


def test_marking_ineligible_in_review(admin_client, organiser, round_, officer):
    case = submitted_case(round_, officer)
    round_.submission_deadline = timezone.now()
    round_.save()
    from govcases.services import round_phase_set

    round_phase_set(round=round_, to=Phase.REVIEW, by=organiser, override=True, reason="测试准备")
    admin_client.post(
        reverse("admin:govcases_case_changelist"),
        {"action": "status_ineligible", "_selected_action": [case.pk], "apply": "1", "reason": "非政务服务"},
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.INELIGIBLE


def test_a_refused_action_says_why_and_changes_nothing(admin_client, round_, officer):
    draft = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    response = admin_client.post(
        reverse("admin:govcases_case_changelist"),
        {"action": "status_returned", "_selected_action": [draft.pk], "apply": "1", "reason": "理由"},
        follow=True,
        **EN,
    )
    draft.refresh_from_db()
    assert draft.status == CaseStatus.DRAFT
    assert "cannot become" in response.content.decode()


def test_the_case_page_is_read_only(admin_client, round_, officer):
    case = submitted_case(round_, officer, title="原标题")
    url = reverse("admin:govcases_case_change", args=[case.pk])
    page = admin_client.get(url).content.decode()
    assert 'name="title"' not in page and 'name="status"' not in page
    admin_client.post(url, {"title": "改过", "status": CaseStatus.SELECTED})
    case.refresh_from_db()
    assert (case.title, case.status) == ("原标题", CaseStatus.SUBMITTED)
    assert admin_client.get(reverse("admin:govcases_case_add")).status_code == 403


def test_case_list_filters_by_agency_level_and_status(admin_client, round_, officer):
    submitted_case(round_, officer, title="已提交的案例")
    factories.CaseFactory(round=round_, title="草稿案例")
    response = admin_client.get(
        reverse("admin:govcases_case_changelist"),
        {"status__exact": "submitted", "agency__level__exact": "district"},
    )
    assert [case.title for case in response.context["cl"].result_list] == ["已提交的案例"]


def test_publications_cannot_be_edited(admin_client):
    assert admin_client.get(reverse("admin:govcases_publication_add")).status_code == 403


def test_email_templates_are_edited_here_and_used(admin_client, organiser, officer, deliver_mail):
    admin_client.post(
        reverse("admin:govcases_emailtemplate_add"),
        {
            "key": "invitation",
            "language": "zh-hans",
            "subject": "欢迎 {{ agency.name }}",
            "body": "请设置密码：{{ url }}",
        },
    )
    assert EmailTemplate.objects.filter(key="invitation").exists()
    agency = factories.AgencyFactory(name="广州市人民政府")
    agency_member_invite(agency=agency, email="gz@example.cn", by=organiser)
    deliver_mail()
    assert (
        mail.outbox[-1].subject == "欢迎 广州市人民政府" and "/accounts/invitation/" in mail.outbox[-1].body
    )


# --- what the organisers' case pages cost -----------------------------------------------------------------


def count_queries(admin_client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert admin_client.get(url).status_code == 200
    return len(queries)


def test_the_case_list_takes_as_many_queries_for_one_case_as_for_many(admin_client, round_, officer):
    submitted_case(round_, officer)
    url = reverse("admin:govcases_case_changelist")
    one = count_queries(admin_client, url)
    other_round = factories.RoundFactory(year=round_.year + 1)
    for index in range(12):
        factories.CaseFactory(
            round=other_round if index % 2 else round_,
            images=0,
            status=CaseStatus.SUBMITTED,
            reference=f"2025-{index:03d}",
            submitted_at=timezone.now(),
        )
    assert count_queries(admin_client, url) == one
    assert count_queries(admin_client, url + f"?round__id__exact={round_.pk}&status=submitted") == one


def test_the_case_list_takes_the_same_queries_for_3_cases_as_for_300_and_pages_them_by_50(
    admin_client, round_, officer
):
    url = reverse("admin:govcases_case_changelist")
    agency = officer.agency_membership.agency
    cases = [submitted_case(round_, officer) for _ in range(3)]
    three = count_queries(admin_client, url)
    cases += factories.CaseFactory.create_batch(
        297, round=round_, agency=agency, images=0, status=CaseStatus.SUBMITTED, submitted_at=timezone.now()
    )

    assert count_queries(admin_client, url) == three
    assert count_queries(admin_client, url + "?p=5") == three
    page = admin_client.get(url, **EN).content.decode()
    assert len(re.findall(r'name="_selected_action"', page)) == 50
    assert "300 cases" in page and "?p=5" in page
    # The row's checkbox is the input Django's own widget writes, so that the actions and "select all" work.
    newest = max(cases, key=lambda case: case.pk)
    assert str(admin.ModelAdmin.action_checkbox(CaseAdmin(Case, admin.site), newest)) in page


def test_the_case_list_leaves_the_long_texts_in_the_database(admin_client, round_, officer):
    case = submitted_case(round_, officer)
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("admin:govcases_case_changelist")).content.decode()
    assert f'href="{reverse("admin:govcases_case_change", args=[case.pk])}"' in page
    rows = [query["sql"] for query in queries if query["sql"].startswith('SELECT "govcases_case"."id"')]
    assert rows and all('"govcases_case"."description"' not in sql for sql in rows)


def test_a_case_page_takes_as_many_queries_with_a_long_history(admin_client, round_, officer, organiser):
    case = submitted_case(round_, officer)
    url = reverse("admin:govcases_case_change", args=[case.pk])
    short = count_queries(admin_client, url)
    for index in range(3):
        who = factories.OrganiserFactory()
        case = case_transition(case=case, to=CaseStatus.RETURNED, by=who, reason=f"请补充材料{index}")
        case = case_submit(case=case, by=officer)
        CaseImage.objects.create(
            case=case,
            image=factories.image_file(),
            thumbnail=factories.image_file("t.png"),
            position=index + 1,
        )
    assert CaseTransition.objects.filter(case=case).count() == 7
    assert count_queries(admin_client, url) == short


def test_one_case_is_counted_as_one_case_and_two_as_cases(admin_client, round_, officer):
    """“1 case is now…”, never “1 cases are now…” (ngettext)."""
    first, *others = (submitted_case(round_, officer) for _ in range(3))
    url = reverse("admin:govcases_case_changelist")
    one = admin_client.post(
        url,
        {"action": "status_returned", "_selected_action": [first.pk], "apply": "1", "reason": "补充截图"},
        follow=True,
        **EN,
    ).content.decode()
    assert "1 case is now “Returned for correction”." in one
    assert "1 cases" not in one
    first.refresh_from_db()
    assert first.status == CaseStatus.RETURNED
    two = admin_client.post(
        url,
        {
            "action": "status_ineligible",
            "_selected_action": [case.pk for case in others],
            "apply": "1",
            "reason": "非政务服务",
        },
        follow=True,
        **EN,
    ).content.decode()
    assert "2 cases are now “Ineligible”." in two


@pytest.mark.parametrize("language", ["zh-hans", "en"])
@pytest.mark.parametrize(
    "query",
    ["", "?o=2.-6", "?status__exact=submitted&q=%3Cb%3E", "?category__id__isnull=True"],
)
def test_the_case_lists_rows_are_written_as_django_writes_them(
    rf, organiser, round_, officer, language, query
):
    """The case list writes its rows itself (govcases.sites.LeanChangeList.lean_rows): cell for cell, the
    markup, links, empty values and translations of Django's own result table."""
    submitted_case(round_, officer, title='<b>"一网通办" & more</b>')
    factories.CaseFactory(round=round_, agency=officer.agency_membership.agency, title="", category=None)
    factories.CaseFactory(round=round_, title="草稿", reference="", images=0)
    request = rf.get(reverse("admin:govcases_case_changelist") + query)
    request.user = organiser
    case_admin = admin.site.get_model_admin(Case)
    with translation.override(language):
        changelist = case_admin.get_changelist_instance(request)
        changelist.formset = None  # as the change list's view sets it without editable rows
        lean = ["".join(row) for row in changelist.lean_rows()]
        django = ["".join(row) for row in results(changelist)]
    assert lean == django and lean


def test_a_list_with_a_column_the_lean_rows_cannot_write_falls_back_to_djangos(
    rf, organiser, round_, officer
):
    submitted_case(round_, officer)
    request = rf.get(reverse("admin:govcases_case_changelist"))
    request.user = organiser
    case_admin = admin.site.get_model_admin(Case)
    changelist = case_admin.get_changelist_instance(request)
    changelist.formset = None
    changelist.list_display = [*changelist.list_display, "__str__"]
    assert changelist.lean_rows() is None


@pytest.mark.parametrize(
    "language, assigned, history",
    [("zh-hans", "分配给本案例的评审专家", "本案例的分配记录"), ("en", None, None)],
)
def test_a_case_page_leads_to_its_reviewers_and_the_history_of_their_assignments_only(
    admin_client, organiser, round_, language, assigned, history
):
    round_.phase = Phase.REVIEW
    round_.save()
    cases = factories.CaseFactory.create_batch(2, round=round_, status=CaseStatus.IN_REVIEW)
    url = reverse("admin:govcases_case_change", args=[cases[0].pk])
    admin_client.get(url)  # the first page of a process also fills Django's cache of content types
    unassigned = count_queries(admin_client, url)
    stays, goes, elsewhere = factories.ReviewerFactory.create_batch(3)
    assignment_add(reviewer=stays, case=cases[0], by=organiser)
    assignment_remove(assignment=assignment_add(reviewer=goes, case=cases[0], by=organiser), by=organiser)
    assignment_add(reviewer=elsewhere, case=cases[1], by=organiser)

    # The links cost the page no query, however many reviewers came and went.
    assert count_queries(admin_client, url) == unassigned
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    html = admin_client.get(url, **headers).content.decode()
    links = {
        anchor: (href.replace("&amp;", "&"), text)
        for anchor, href, text in re.findall(
            r'<a id="(case-assignment[a-z-]*)" href="([^"]+)">([^<]+)</a>', html
        )
    }
    assert {anchor: text for anchor, (_href, text) in links.items()} == {
        "case-assignments": assigned or "Reviewers assigned to this case",
        "case-assignment-events": history or "Assignment history of this case",
    }

    listed = admin_client.get(links["case-assignments"][0], **headers)
    assert [(a.case, a.reviewer) for a in listed.context["cl"].result_list] == [(cases[0], stays)]
    trail = admin_client.get(links["case-assignment-events"][0], **headers)
    assert {(event.case, event.reviewer, event.action) for event in trail.context["cl"].result_list} == {
        (cases[0], stays, AssignmentEvent.Action.ADDED),
        (cases[0], goes, AssignmentEvent.Action.ADDED),
        (cases[0], goes, AssignmentEvent.Action.REMOVED),
    }
