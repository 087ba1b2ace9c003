"""The organisers' reviewing pages at /admin/: who gets in, and what each page and action does."""

import csv
import io
import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from govcases.enums import CaseStatus, Level, Phase, Province, RankingScore
from govcases.exceptions import Refused
from govcases.models import Round
from govcases.services import case_transition
from reviews.admin.ranking import RankingBoard
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Criterion, Review
from reviews.services import CriterionLine, discussion_close, review_reopen, review_submit, rubric_save
from tests import factories

from .scenario import build, in_review_case


def pages(scenario):
    """Every organiser page of reviewing, as (name, method, url, data)."""
    round_id = scenario.round.pk
    review = Review.objects.filter(assignment=scenario.b_shared).first()
    return {
        "reviewers": ("get", reverse("admin:reviews_reviewerprofile_changelist"), None),
        "reviewer": (
            "get",
            reverse("admin:reviews_reviewerprofile_change", args=[scenario.reviewer_a.reviewer_profile.pk]),
            None,
        ),
        "criteria": ("get", reverse("admin:reviews_criterion_changelist"), None),
        "rubric": (
            "get",
            reverse("admin:reviews_criterion_rubric", args=[round_id, scenario.category.pk]),
            None,
        ),
        "assignments": ("get", reverse("admin:reviews_assignment_changelist"), None),
        "assignment_add": ("get", reverse("admin:reviews_assignment_add"), None),
        "reviews": ("get", reverse("admin:reviews_review_changelist"), None),
        "review": ("get", reverse("admin:reviews_review_change", args=[review.pk]), None),
        "progress_list": ("get", reverse("admin:reviews_reviewprogress_changelist"), None),
        "progress": ("get", reverse("admin:reviews_reviewprogress_change", args=[round_id]), None),
        "reminders": ("get", reverse("admin:reviews_reviewprogress_reminders", args=[round_id]), None),
        "ranking_list": ("get", reverse("admin:reviews_rankingboard_changelist"), None),
        "ranking": ("get", reverse("admin:reviews_rankingboard_change", args=[round_id]), None),
        "xlsx": ("get", reverse("admin:reviews_rankingboard_xlsx", args=[round_id]), None),
        "csv": ("get", reverse("admin:reviews_rankingboard_csv", args=[round_id]), None),
        "send_reminders": ("post", reverse("admin:reviews_reviewprogress_reminders", args=[round_id]), {}),
        "assign": ("post", reverse("admin:reviews_reviewprogress_assign", args=[round_id]), {}),
        "reopen": (
            "post",
            reverse("admin:reviews_review_changelist"),
            {"action": "reopen", "_selected_action": [review.pk], "confirm": "1", "reason": "复核"},
        ),
    }


@pytest.fixture
def scored(scenario):
    review_submit(assignment=scenario.b_shared, by=scenario.reviewer_b, points=scenario.full_points())
    return scenario


PAGE_NAMES = [
    "reviewers",
    "reviewer",
    "criteria",
    "rubric",
    "assignments",
    "assignment_add",
    "reviews",
    "review",
    "progress_list",
    "progress",
    "reminders",
    "ranking_list",
    "ranking",
    "xlsx",
    "csv",
    "send_reminders",
    "assign",
    "reopen",
]


@pytest.mark.parametrize("page", PAGE_NAMES)
@pytest.mark.parametrize("who", ["anonymous", "officer", "reviewer_a", "reviewer_b"])
def test_only_organisers_enter(client, scored, officer, who, page):
    user = {"officer": officer, "reviewer_a": scored.reviewer_a, "reviewer_b": scored.reviewer_b}.get(who)
    if user:
        client.force_login(user)
    method, url, data = pages(scored)[page]
    with_mail = len(mail.outbox)
    response = getattr(client, method)(url, data or {})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))
    # Nothing happened.
    assert Review.objects.get(assignment=scored.b_shared).status == ReviewStatus.SUBMITTED
    assert Assignment.objects.count() == 3
    assert len(mail.outbox) == with_mail


@pytest.mark.parametrize(
    "page",
    [name for name in PAGE_NAMES if name not in {"send_reminders", "assign", "reopen"}],
)
def test_organisers_see_every_page(client, scored, organiser, page):
    client.force_login(organiser)
    method, url, _data = pages(scored)[page]
    assert client.get(url).status_code == 200


# --- assignments by hand ---------------------------------------------------------------------------------


def test_an_organiser_adds_an_assignment_and_a_conflicted_pair_is_refused(client, scenario, organiser):
    chengdu = factories.AgencyFactory(
        name="成都市人民政府", level=Level.PROVINCIAL_CAPITAL, province=Province.SICHUAN
    )
    reviewer = factories.ReviewerFactory()
    reviewer.reviewer_profile.affiliation_agency = chengdu
    reviewer.reviewer_profile.save()
    sichuan_case = scenario.shared_case  # its agency is a prefecture of Sichuan
    free_case = in_review_case(
        scenario.round, scenario.category, agency=factories.AgencyFactory(province=Province.ZHEJIANG)
    )
    client.force_login(organiser)
    url = reverse("admin:reviews_assignment_add")
    response = client.post(url, {"reviewer": reviewer.pk, "case": sichuan_case.pk}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "same province" in response.content.decode()
    assert not Assignment.objects.filter(reviewer=reviewer).exists()

    response = client.post(url, {"reviewer": reviewer.pk, "case": free_case.pk})
    assert response.status_code == 302
    assignment = Assignment.objects.get(reviewer=reviewer)
    assert (assignment.case, assignment.created_by) == (free_case, organiser)


def test_an_assignment_with_a_submitted_review_cannot_be_removed(client, scored, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse("admin:reviews_assignment_changelist"),
        {
            "action": "remove_assignments",
            "_selected_action": [scored.b_shared.pk, scored.a_only.pk],
            "confirm": "1",
        },
    )
    assert response.status_code == 302
    assert Assignment.objects.filter(pk=scored.b_shared.pk).exists()
    assert not Assignment.objects.filter(pk=scored.a_only.pk).exists()
    delete = reverse("admin:reviews_assignment_delete", args=[scored.b_shared.pk])
    assert client.post(delete, {"confirm": "1"}).status_code == 403
    assert Assignment.objects.filter(pk=scored.b_shared.pk).exists()


def test_the_assign_button_fills_the_gaps_and_reports(client, scenario, organiser):
    for _ in range(2):
        factories.ReviewerFactory(profile__categories=[scenario.category])
    client.force_login(organiser)
    response = client.post(
        reverse("admin:reviews_reviewprogress_assign", args=[scenario.round.pk]), follow=True
    )
    assert response.status_code == 200
    for case in (scenario.shared_case, scenario.a_only_case):
        assert case.assignments.count() == 3


# --- reviews ---------------------------------------------------------------------------------------------


def test_reviews_are_read_only_for_organisers(client, scored, organiser):
    review = Review.objects.get(assignment=scored.b_shared)
    client.force_login(organiser)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    page = client.get(url).content.decode()
    assert 'name="comment"' not in page
    client.post(url, {"comment": "改"})
    review.refresh_from_db()
    assert review.comment == "" and review.status == ReviewStatus.SUBMITTED


def test_reopen_asks_for_a_reason_then_reopens(client, scored, organiser):
    review = Review.objects.get(assignment=scored.b_shared)
    client.force_login(organiser)
    url = reverse("admin:reviews_review_changelist")
    response = client.post(url, {"action": "reopen", "_selected_action": [review.pk]})
    assert response.status_code == 200 and 'name="reason"' in response.content.decode()
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    response = client.post(
        url, {"action": "reopen", "_selected_action": [review.pk], "confirm": "1", "reason": ""}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.SUBMITTED
    client.post(
        url, {"action": "reopen", "_selected_action": [review.pk], "confirm": "1", "reason": "总分有误"}
    )
    review.refresh_from_db()
    assert review.status == ReviewStatus.DRAFT
    assert review.events.get(action="reopened").reason == "总分有误"


# --- rubric ----------------------------------------------------------------------------------------------


def rubric_post(criteria, changes=(), extra=()):
    data = {"form-TOTAL_FORMS": len(criteria) + len(extra), "form-INITIAL_FORMS": len(criteria)}
    for index, criterion in enumerate(criteria):
        data |= {
            f"form-{index}-id": criterion.pk,
            f"form-{index}-position": criterion.position,
            f"form-{index}-name": criterion.name,
            f"form-{index}-description": criterion.description,
            f"form-{index}-max_points": dict(changes).get(criterion.name, criterion.max_points),
        }
    for offset, (name, points) in enumerate(extra):
        index = len(criteria) + offset
        data |= {
            f"form-{index}-position": 9,
            f"form-{index}-name": name,
            f"form-{index}-description": "说明",
            f"form-{index}-max_points": points,
        }
    return data


def test_a_rubric_must_add_up_to_100_and_freezes_when_review_opens(client, round_, organiser):
    category = round_.categories.first()
    criteria = factories.rubric(round_, category)
    url = reverse("admin:reviews_criterion_rubric", args=[round_.pk, category.pk])
    client.force_login(organiser)
    response = client.post(url, rubric_post(criteria, changes=[("创新性", 35)]), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "add up to 105 points" in response.content.decode()
    assert Criterion.objects.get(name="创新性").max_points == 30
    response = client.post(url, rubric_post(criteria, changes=[("创新性", 25)], extra=[("安全性", 5)]))
    assert response.status_code == 302
    assert Criterion.objects.get(name="安全性", round=round_, category=category).max_points == 5

    round_.phase = Phase.REVIEW
    round_.save()
    criteria = list(Criterion.objects.filter(round=round_, category=category))
    client.post(url, rubric_post(criteria, changes=[("创新性", 20), ("安全性", 10)]))
    assert Criterion.objects.get(name="创新性").max_points == 25
    change = reverse("admin:reviews_criterion_change", args=[criteria[0].pk])
    assert client.post(change, {"name": "改名"}).status_code == 403
    delete = reverse("admin:reviews_criterion_delete", args=[criteria[0].pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Criterion.objects.filter(round=round_, category=category).count() == 5


# --- progress and reminders ------------------------------------------------------------------------------


def test_progress_counts_and_overdue(client, scored, organiser):
    scored.round.submission_deadline = timezone.now() - timedelta(days=20)
    scored.round.review_deadline = timezone.now() - timedelta(days=1)
    scored.round.save()
    client.force_login(organiser)
    page = client.get(
        reverse("admin:reviews_reviewprogress_change", args=[scored.round.pk]), HTTP_ACCEPT_LANGUAGE="en"
    )
    text = page.content.decode()
    assert "1 of 3 reviews submitted." in text
    progress = page.context["progress"]
    assert [(line.assigned, line.submitted, line.overdue) for line in progress.by_category] == [(3, 1, 2)]
    by_reviewer = {line.label: (line.assigned, line.submitted, line.overdue) for line in progress.by_reviewer}
    assert by_reviewer == {"王甲": (2, 0, 2), "李乙": (1, 1, 0)}


def test_reminders_are_previewed_then_sent_to_reviewers_with_pending_reviews(
    client, scored, organiser, deliver_mail
):
    client.force_login(organiser)
    url = reverse("admin:reviews_reviewprogress_reminders", args=[scored.round.pk])
    preview = client.get(url).content.decode()
    assert "王甲" in preview and scored.a_only_case.title in preview and "李乙" not in preview
    assert mail.outbox == []
    client.post(url)
    deliver_mail()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [scored.reviewer_a.email]
    assert scored.a_only_case.title in message.body and scored.shared_case.title in message.body


# --- ranking board and exports ---------------------------------------------------------------------------


def test_the_ranking_board_shows_ties_flags_and_links(client, round_, organiser):
    scenario = build(round_)
    third = in_review_case(round_, scenario.category, title="第三案例")
    review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    # B is far harsher on the shared case: a disagreement.
    review_submit(
        assignment=scenario.b_shared, by=scenario.reviewer_b, points=scenario.full_points(lambda c: 5)
    )
    client.force_login(organiser)
    url = reverse("admin:reviews_rankingboard_change", args=[round_.pk])
    response = client.get(url)
    rows = [row for row, *_ in response.context["rows"]]
    assert [row.case for row in rows] == [scenario.a_only_case, scenario.shared_case, third]
    assert [row.rank for row in rows] == [1, 2, None]
    assert rows[1].flagged and rows[1].range == 60
    page = response.content.decode()
    assert f"?assignment__case__id__exact={scenario.shared_case.pk}" in page
    flagged = client.get(url + "?flagged=on").context["rows"]
    assert [row.case for row, *_ in flagged] == [scenario.shared_case]
    by_range = client.get(url + "?o=-range").context["rows"]
    assert by_range[0][0].case == scenario.shared_case
    reviews = client.get(
        reverse("admin:reviews_review_changelist") + f"?assignment__case__id__exact={scenario.shared_case.pk}"
    )
    assert reviews.status_code == 200 and reviews.context["cl"].result_count == 2


def test_the_ranking_board_shows_a_page_at_a_time_keeping_filters_and_order(
    client, round_, organiser, monkeypatch
):
    scenario = build(round_)
    add_scored_cases(scenario, 5)
    monkeypatch.setattr(RankingBoard, "rows_per_page", 2)
    client.force_login(organiser)
    url = reverse("admin:reviews_rankingboard_change", args=[round_.pk])

    first = client.get(url + "?o=-mean")
    second = client.get(url + "?o=-mean&page=2")

    ranked = [row.case for row, *_ in first.context["rows"]] + [
        row.case for row, *_ in second.context["rows"]
    ]
    assert len(ranked) == 4 and len(set(ranked)) == 4
    page = first.content.decode()
    assert first.context["page"].paginator.count == 7  # five scored cases and the scenario's two
    assert "?o=-mean&amp;page=2" in page
    assert "Page 1 of 4" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_ties_share_a_rank_and_show_bing_lie(client, scenario, organiser):
    review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    client.force_login(organiser)
    response = client.get(reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk]))
    rows = [row for row, *_ in response.context["rows"]]
    assert [(row.rank, row.tied) for row in rows] == [(1, True), (1, True)]
    assert response.content.decode().count('class="tie"') == 2  # 并列 in Chinese, "tied" in English


def board_rows(response) -> dict[int, list[str]]:
    """The ranking board's rows as an organiser reads them: case id → the text of each cell."""
    rows = {}
    for case_id, cells in re.findall(r'<tr[^>]*id="case-(\d+)">(.*?)</tr>', response.content.decode(), re.S):
        rows[int(case_id)] = [
            re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", cells, re.S)
        ]
    return rows


def test_the_ranking_board_is_rendered_once_and_shows_every_change_of_the_round(client, round_, organiser):
    built = build(round_)
    review_submit(assignment=built.a_shared, by=built.reviewer_a, points=built.full_points())
    client.force_login(organiser)
    url = reverse("admin:reviews_rankingboard_change", args=[round_.pk])
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    with CaptureQueriesContext(connection) as again_queries:
        again = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    # The second visit is served from the cache: the same board, without ranking the round again.
    assert board_rows(again) == board_rows(first)
    assert len(again_queries) < len(first_queries)
    assert board_rows(first)[built.shared_case.pk][1] == "1"  # rank
    assert board_rows(first)[built.a_only_case.pk][5] == "0"  # reviews

    review = review_submit(
        assignment=built.a_only, by=built.reviewer_a, points=built.full_points(lambda c: c.max_points)
    )
    rows = board_rows(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert (rows[built.a_only_case.pk][1], rows[built.a_only_case.pk][5]) == ("1", "1")
    assert rows[built.shared_case.pk][1] == "2"

    review_reopen(review=review, by=organiser, reason="复核")
    rows = board_rows(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))
    assert rows[built.a_only_case.pk][5] == "0" and rows[built.shared_case.pk][1] == "1"

    case_transition(case=built.shared_case, to=CaseStatus.INELIGIBLE, by=organiser, reason="材料不实")
    assert built.shared_case.pk not in board_rows(client.get(url, HTTP_ACCEPT_LANGUAGE="en"))

    # The round's settings are part of what the board shows.
    Round.objects.filter(pk=round_.pk).update(ranking_score=RankingScore.NORMALISED)
    assert "Ranked by: Normalised score" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def admin_form_data(response) -> dict:
    """What a browser posts back from an admin change page left as it is: the form and its inlines."""
    forms, data = [response.context["adminform"].form], {}
    for inline in response.context["inline_admin_formsets"]:
        management = inline.formset.management_form
        data.update({management.add_prefix(name): value for name, value in management.initial.items()})
        forms += inline.formset.forms
    for form in forms:
        data.update({form.add_prefix(name): form[name].value() for name in form.fields})
    return {name: value for name, value in data.items() if value is not None}


@pytest.mark.parametrize("model", ["agency", "category"])
def test_a_renamed_agency_or_category_shows_on_the_cached_board(client, scenario, organiser, model):
    client.force_login(organiser)
    board = reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])
    assert client.get(board).status_code == 200
    renamed = {"agency": scenario.shared_case.agency, "category": scenario.category}[model]
    url = reverse(f"admin:govcases_{model}_change", args=[renamed.pk])
    data = admin_form_data(client.get(url))
    data["display_name" if model == "agency" else "name"] = "改过的名称"

    # Followed to the list, which shows the "changed" message: the board must show the name by itself.
    assert client.post(url, data, follow=True).redirect_chain[0][1] == 302

    assert "改过的名称" in client.get(board).content.decode()


def test_the_ranking_board_is_kept_per_language(client, scenario, organiser):
    client.force_login(organiser)
    url = reverse("admin:reviews_rankingboard_change", args=[scenario.round.pk])
    assert "Export CSV" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "Export CSV" not in chinese and "导出" in chinese  # needs zh_Hans catalogue


def add_scored_cases(built, count):
    for index in range(count):
        case = in_review_case(built.round, built.category)
        assignment = Assignment.objects.create(reviewer=built.reviewer_a, case=case)
        points = built.full_points(lambda criterion, index=index: index % criterion.max_points)
        review_submit(assignment=assignment, by=built.reviewer_a, points=points)


def test_the_ranking_board_and_exports_take_the_same_number_of_queries_for_few_and_many_cases(
    client, round_, organiser
):
    built = build(round_)
    client.force_login(organiser)
    urls = [
        reverse(name, args=[round_.pk])
        for name in (
            "admin:reviews_rankingboard_change",
            "admin:reviews_rankingboard_csv",
            "admin:reviews_rankingboard_xlsx",
            "admin:reviews_reviewprogress_change",
        )
    ]

    def count_queries():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        return counts

    add_scored_cases(built, 2)
    few = count_queries()
    add_scored_cases(built, 25)
    assert count_queries() == few


def test_exports_hold_every_score(client, scored, organiser):
    review_submit(assignment=scored.a_shared, by=scored.reviewer_a, points=scored.full_points(lambda c: 10))
    client.force_login(organiser)
    response = client.get(reverse("admin:reviews_rankingboard_xlsx", args=[scored.round.pk]))
    workbook = load_workbook(io.BytesIO(response.content))
    sheet = workbook[scored.category.name]
    header = [cell.value for cell in sheet[1]]
    assert "创新性 (30)" in header
    values = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    shared = next(row for row in values if row[3] == scored.shared_case.title)
    assert shared[0] == 1 and shared[6] == 2  # rank, reviews
    with translation.override("zh-hans"):
        assert shared[5] == str(Level.PREFECTURE.label) != "prefecture"  # the level in words, not its code
    assert "王甲" in shared and "李乙" in shared and 40 in shared and 80 in shared

    response = client.get(reverse("admin:reviews_rankingboard_csv", args=[scored.round.pk]))
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert {row["reviewer"] for row in rows if row["case_id"] == str(scored.shared_case.pk)} == {
        "王甲",
        "李乙",
    }
    assert {row["mean"] for row in rows if row["case_id"] == str(scored.shared_case.pk)} == {"60.00"}


@pytest.mark.parametrize(
    ("language", "header", "yes"), [("en", "Discussion closed", "yes"), ("zh-hans", "讨论已关闭", "是")]
)
def test_exports_say_which_discussions_the_organisers_closed(
    client, scenario, organiser, language, header, yes
):
    review_submit(assignment=scenario.a_shared, by=scenario.reviewer_a, points=scenario.full_points())
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    review_submit(
        assignment=scenario.b_shared, by=scenario.reviewer_b, points=scenario.full_points(lambda c: 5)
    )
    discussion_close(case=scenario.shared_case, by=organiser, reason="分歧已说明")
    client.force_login(organiser)

    response = client.get(
        reverse("admin:reviews_rankingboard_xlsx", args=[scenario.round.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    sheet = load_workbook(io.BytesIO(response.content))[scenario.category.name]
    column = [cell.value for cell in sheet[1]].index(header)
    closed = {row[2]: row[column] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert closed == {scenario.shared_case.pk: yes, scenario.a_only_case.pk: None}

    response = client.get(
        reverse("admin:reviews_rankingboard_csv", args=[scenario.round.pk]), HTTP_ACCEPT_LANGUAGE=language
    )
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8").lstrip("\ufeff")))
    assert {(row["case_id"], row["discussion_closed"]) for row in rows} == {
        (str(scenario.shared_case.pk), "true"),
        (str(scenario.a_only_case.pk), "false"),
    }


# --- commands --------------------------------------------------------------------------------------------


def test_the_ranking_command_prints_csv_and_json(scored, capsys):
    call_command("ranking", str(scored.round.year), "--format", "json")
    records = json.loads(capsys.readouterr().out)
    shared = next(record for record in records if record["case_id"] == scored.shared_case.pk)
    assert shared == {
        "category": scored.category.name,
        "rank": 1,
        "tied": False,
        "case_id": scored.shared_case.pk,
        "agency": scored.shared_case.agency.display_name,
        "title": scored.shared_case.title,
        "reviews": 1,
        "mean": 80.0,
        "median": 80.0,
        "stdev": 0.0,
        "range": 0.0,
        "normalised": 80.0,
        "flagged": False,
    }
    call_command("ranking", str(scored.round.year), "--format", "csv")
    out = capsys.readouterr().out
    assert out.startswith(
        "\ufeffcategory,rank,tied,case_id,agency,title,reviews,mean,median,stdev,range,normalised,flagged"
    )
    unscored = next(
        row
        for row in csv.DictReader(io.StringIO(out.lstrip("\ufeff")))
        if row["case_id"] == str(scored.a_only_case.pk)
    )
    assert unscored["rank"] == "" and unscored["reviews"] == "0"


def test_the_assign_command_says_what_it_made_and_what_it_could_not(scenario, capsys):
    with translation.override("en"):
        call_command("assign_reviewers", str(scenario.round.year))
    out = capsys.readouterr().out
    assert "1 assignment made." in out and "1 assignments" not in out
    assert "2 cases still lack reviewers:" in out
    assert scenario.shared_case.title in out and scenario.a_only_case.title in out


def test_rubric_save_is_for_organisers_keeps_names_apart_and_its_own_criteria(round_, organiser, reviewer):
    category, other = round_.categories.order_by("position")[:2]
    criteria = factories.rubric(round_, category)
    foreign = factories.rubric(round_, other)[0]
    lines = [
        CriterionLine(
            pk=c.pk, position=c.position, name=c.name, description=c.description, max_points=c.max_points
        )
        for c in criteria
    ]
    with pytest.raises(Refused):
        rubric_save(round=round_, category=category, lines=lines, by=reviewer)
    twice = [*lines[:-1], CriterionLine(None, 9, lines[0].name, "", lines[-1].max_points)]
    with pytest.raises(Refused, match="名称相同"):
        rubric_save(round=round_, category=category, lines=twice, by=organiser)
    stolen = [*lines[:-1], CriterionLine(foreign.pk, 9, "借来的", "", lines[-1].max_points)]
    with pytest.raises(Refused):
        rubric_save(round=round_, category=category, lines=stolen, by=organiser)
    assert Criterion.objects.get(pk=foreign.pk).category == other

    kept = rubric_save(
        round=round_,
        category=category,
        lines=lines[:-2]
        + [CriterionLine(None, 9, "安全性", "", lines[-2].max_points + lines[-1].max_points)],
        by=organiser,
    )
    assert [c.name for c in kept][-1] == "安全性" and sum(c.max_points for c in kept) == 100
    assert not Criterion.objects.filter(pk__in=[lines[-1].pk, lines[-2].pk]).exists()
