"""The assignments' trail: every reviewer put on a case or taken off it is recorded (who, how, when, why, and
whether a draft review went with it), and removing assignments from the organisers' list is confirmed first."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from govcases.enums import Phase
from govcases.exceptions import Refused
from govcases.models import Round
from reviews.enums import ReviewStatus
from reviews.models import Assignment, AssignmentEvent, Review
from reviews.services import (
    assignment_add,
    assignment_decline,
    assignment_generate,
    assignment_remove,
    recusal_replace,
    review_save,
    review_submit,
)
from tests import factories

from .scenario import in_review_case

Action = AssignmentEvent.Action
CHANGELIST = "admin:reviews_assignment_changelist"


def events():
    return list(
        AssignmentEvent.objects.order_by("pk").values_list(
            "action", "case_id", "reviewer_id", "by_id", "reason", "draft_discarded"
        )
    )


def revision(round_) -> int:
    return Round.objects.values_list("revision", flat=True).get(pk=round_.pk)


@pytest.fixture
def drafted(scenario):
    """The scenario with a draft review of reviewer A's own case (a_only)."""
    review_save(assignment=scenario.a_only, by=scenario.reviewer_a, points={scenario.criteria[0].pk: 10})
    return scenario


@pytest.fixture
def scored(drafted):
    """…and reviewer B's review of the shared case submitted."""
    review_submit(assignment=drafted.b_shared, by=drafted.reviewer_b, points=drafted.full_points())
    return drafted


# --- the services --------------------------------------------------------------------------------------------


def test_adding_by_hand_is_recorded_and_shows_on_the_boards(scenario, organiser):
    reviewer = factories.ReviewerFactory()
    before = revision(scenario.round)

    assignment_add(reviewer=reviewer, case=scenario.a_only_case, by=organiser)

    assert events() == [(Action.ADDED, scenario.a_only_case.pk, reviewer.pk, organiser.pk, "", False)]
    assert revision(scenario.round) > before


def test_a_refused_addition_records_nothing(scenario, organiser):
    with pytest.raises(Refused):
        assignment_add(reviewer=scenario.reviewer_a, case=scenario.a_only_case, by=organiser)  # twice
    with pytest.raises(Refused):
        assignment_add(
            reviewer=factories.ReviewerFactory(), case=scenario.a_only_case, by=scenario.reviewer_a
        )
    assert events() == []


def test_removing_records_who_why_and_whether_a_draft_was_discarded(drafted, organiser):
    event = assignment_remove(assignment=drafted.a_only, by=organiser, reason="  专家临时出国  ")
    assignment_remove(assignment=drafted.b_shared, by=organiser)

    assert event.draft_discarded
    assert events() == [
        (Action.REMOVED, drafted.a_only_case.pk, drafted.reviewer_a.pk, organiser.pk, "专家临时出国", True),
        (Action.REMOVED, drafted.shared_case.pk, drafted.reviewer_b.pk, organiser.pk, "", False),
    ]
    assert not Review.objects.filter(assignment_id=drafted.a_only.pk).exists()


def test_a_submitted_review_a_stranger_or_a_closed_round_removes_nothing(scored, organiser):
    with pytest.raises(Refused, match="submitted"), translation.override("en"):
        assignment_remove(assignment=scored.b_shared, by=organiser)
    with pytest.raises(Refused):
        assignment_remove(assignment=scored.a_only, by=scored.reviewer_a)
    scored.round.phase = Phase.SELECTION
    scored.round.save()
    with pytest.raises(Refused):
        assignment_remove(assignment=scored.a_only, by=organiser)
    assert Assignment.objects.count() == 3
    assert events() == []


def test_removing_an_assignment_already_gone_is_refused_in_words(scenario, organiser):
    assignment_remove(assignment=scenario.a_only, by=organiser)
    with pytest.raises(Refused, match="already removed"), translation.override("en"):
        assignment_remove(assignment=scenario.a_only, by=organiser)
    assert len(events()) == 1


def test_the_solver_records_one_event_per_new_assignment(scenario, organiser):
    for _ in range(2):
        factories.ReviewerFactory(profile__categories=[scenario.category])

    report = assignment_generate(round=scenario.round, by=organiser)

    new = set(
        Assignment.objects.exclude(
            pk__in=[scenario.a_shared.pk, scenario.b_shared.pk, scenario.a_only.pk]
        ).values_list("case_id", "reviewer_id")
    )
    assert report.created == len(new) == 3
    assert sorted(events()) == sorted(
        (Action.GENERATED, case_id, reviewer_id, organiser.pk, "", False) for case_id, reviewer_id in new
    )
    assert assignment_generate(round=scenario.round, by=organiser).created == 0
    assert len(events()) == 3


def round_to_solve(year: int, cases: int) -> Round:
    round_ = factories.RoundFactory(year=year, phase=Phase.REVIEW)
    category = round_.categories.order_by("position").first()
    for _ in range(cases):
        in_review_case(round_, category)
    return round_


def test_the_solver_takes_as_many_queries_for_many_new_assignments_as_for_few(db, organiser):
    few, many = round_to_solve(2030, cases=2), round_to_solve(2031, cases=12)
    for _ in range(3):
        factories.ReviewerFactory()
    counts = {}
    for round_ in (few, many):
        by = get_user_model().objects.get(pk=organiser.pk)  # its roles not read yet, each time
        with CaptureQueriesContext(connection) as queries:
            assignment_generate(round=round_, by=by)
        counts[round_.pk] = len(queries)
    assert AssignmentEvent.objects.filter(case__round=few).count() == 2 * 3
    assert AssignmentEvent.objects.filter(case__round=many).count() == 12 * 3
    assert counts[few.pk] == counts[many.pk]


def test_a_case_given_back_and_its_replacement_are_in_the_trail(built, organiser):
    review_save(assignment=built.a_shared, by=built.reviewer_a, points={built.criteria[0].pk: 10})
    recusal = assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="时间冲突")
    recusal_replace(recusal=recusal, by=organiser)

    case = built.shared_case.pk
    assert events() == [
        (Action.GIVEN_BACK, case, built.reviewer_a.pk, built.reviewer_a.pk, "时间冲突", True),
        (Action.REPLACEMENT, case, built.reviewer_c.pk, organiser.pk, "", False),
    ]


def test_a_replacement_made_at_once_is_recorded_without_an_organiser(built):
    built.round.replace_declined_automatically = True
    built.round.save()
    assignment_decline(assignment=built.a_shared, by=built.reviewer_a, reason="身体原因")
    assert events()[-1] == (Action.REPLACEMENT, built.shared_case.pk, built.reviewer_c.pk, None, "", False)


# --- removing from the organisers' list ----------------------------------------------------------------------


def choose(*assignments, **extra):
    return {"action": "remove_assignments", "_selected_action": [a.pk for a in assignments], **extra}


def test_the_action_asks_first_and_says_which_drafts_will_be_lost(client, drafted, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse(CHANGELIST), choose(drafted.a_only, drafted.b_shared), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "These 2 assignments will be removed" in page
    assert "1 of them has a draft review, which will be discarded" in page
    assert drafted.a_only_case.title in page and drafted.shared_case.title in page
    assert "submitted review" not in page
    assert Assignment.objects.count() == 3
    assert events() == []


def test_confirming_removes_reports_the_counts_and_records_the_reason(client, drafted, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse(CHANGELIST),
        choose(drafted.a_only, drafted.b_shared, confirm="1", reason="分组调整"),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "2 assignments removed. 1 draft review was discarded."
    ]
    assert set(Assignment.objects.values_list("pk", flat=True)) == {drafted.a_shared.pk}
    assert sorted(events()) == [
        (Action.REMOVED, drafted.shared_case.pk, drafted.reviewer_b.pk, organiser.pk, "分组调整", False),
        (Action.REMOVED, drafted.a_only_case.pk, drafted.reviewer_a.pk, organiser.pk, "分组调整", True),
    ]


def test_a_reason_too_long_comes_back_with_the_error_and_removes_nothing(client, drafted, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse(CHANGELIST),
        choose(drafted.a_only, confirm="1", reason="长" * 2001),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "at most 2000 characters" in response.content.decode()
    assert "长" * 2001 in response.content.decode()
    assert Assignment.objects.count() == 3 and events() == []


def test_a_submitted_review_is_named_refused_and_stays(client, scored, organiser):
    client.force_login(organiser)
    response = client.post(
        reverse(CHANGELIST), choose(scored.b_shared, scored.a_only), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "1 has a submitted review: a submitted review cannot be removed" in response.content.decode()

    response = client.post(
        reverse(CHANGELIST), choose(scored.b_shared, scored.a_only, confirm="1"), HTTP_ACCEPT_LANGUAGE="en"
    )

    said = [(message.level_tag, str(message)) for message in get_messages(response.wsgi_request)]
    assert said == [
        ("error", f"{scored.b_shared}: The review of this assignment was submitted; it cannot be removed."),
        ("success", "1 assignment removed. 1 draft review was discarded."),
    ]
    assert Review.objects.get(assignment=scored.b_shared).status == ReviewStatus.SUBMITTED
    assert [event[:3] for event in events()] == [
        (Action.REMOVED, scored.a_only_case.pk, scored.reviewer_a.pk)
    ]


def test_the_confirmation_page_is_in_chinese_by_default(client, drafted, organiser):
    client.force_login(organiser)
    page = client.post(reverse(CHANGELIST), choose(drafted.a_only, drafted.b_shared)).content.decode()
    assert "将删除这 2 项评审分配" in page
    assert "其中 1 项已有评分草稿，确认后将被丢弃" in page
    assert "原因（选填）" in page


@pytest.mark.parametrize("who", ["anonymous", "officer", "reviewer_a"])
def test_only_organisers_remove(client, drafted, officer, who):
    user = {"officer": officer, "reviewer_a": drafted.reviewer_a}.get(who)
    if user:
        client.force_login(user)
    for url, data in [
        (reverse(CHANGELIST), choose(drafted.a_only, confirm="1")),
        (reverse("admin:reviews_assignment_delete", args=[drafted.a_only.pk]), {"confirm": "1"}),
    ]:
        response = client.post(url, data)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))
    assert Assignment.objects.count() == 3
    assert events() == []


def test_the_delete_page_asks_the_same_and_records_the_removal(client, drafted, organiser):
    client.force_login(organiser)
    url = reverse("admin:reviews_assignment_delete", args=[drafted.a_only.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This assignment will be removed" in page
    assert "1 of them has a draft review, which will be discarded" in page
    assert Assignment.objects.filter(pk=drafted.a_only.pk).exists()

    response = client.post(url, {"confirm": "1", "reason": "回避"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 302 and response["Location"] == reverse(CHANGELIST)
    assert [str(message) for message in get_messages(response.wsgi_request)] == [
        "1 assignment removed. 1 draft review was discarded."
    ]
    assert events() == [
        (Action.REMOVED, drafted.a_only_case.pk, drafted.reviewer_a.pk, organiser.pk, "回避", True)
    ]


def test_the_delete_page_of_a_submitted_review_is_refused(client, scored, organiser):
    client.force_login(organiser)
    url = reverse("admin:reviews_assignment_delete", args=[scored.b_shared.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"confirm": "1"}).status_code == 403
    assert Assignment.objects.filter(pk=scored.b_shared.pk).exists() and events() == []


# --- the trail, read ------------------------------------------------------------------------------------------

EVENTS = "admin:reviews_assignmentevent_changelist"


def test_organisers_read_the_trail_filtered_and_searched(client, drafted, organiser):
    other_round = factories.RoundFactory(year=2030, phase=Phase.REVIEW)
    elsewhere = in_review_case(other_round, drafted.category, title="他轮案例：社保卡一卡通")
    assignment_add(reviewer=drafted.reviewer_b, case=elsewhere, by=organiser)
    assignment_remove(assignment=drafted.a_only, by=organiser, reason="分组调整")
    client.force_login(organiser)

    def rows(**query):
        page = client.get(reverse(EVENTS), query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return {title for title in (elsewhere.title, drafted.a_only_case.title) if title in page}, page

    shown, page = rows()
    assert shown == {elsewhere.title, drafted.a_only_case.title}
    assert "分组调整" in page and "Removed" in page and "Added by hand" in page
    assert rows(case__round__id__exact=other_round.pk)[0] == {elsewhere.title}
    assert rows(action__exact=Action.REMOVED)[0] == {drafted.a_only_case.title}
    assert rows(reviewer__id__exact=drafted.reviewer_b.pk)[0] == {elsewhere.title}
    assert rows(q="社保卡")[0] == {elsewhere.title}


def test_the_trail_is_read_only(client, drafted, organiser):
    event = assignment_remove(assignment=drafted.a_only, by=organiser)
    client.force_login(organiser)
    assert client.get(reverse("admin:reviews_assignmentevent_add")).status_code == 403
    assert client.get(reverse("admin:reviews_assignmentevent_change", args=[event.pk])).status_code == 200
    assert client.post(reverse("admin:reviews_assignmentevent_delete", args=[event.pk])).status_code == 403
    assert AssignmentEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.parametrize("who", ["anonymous", "officer", "reviewer_a"])
def test_only_organisers_read_the_trail(client, drafted, officer, who):
    user = {"officer": officer, "reviewer_a": drafted.reviewer_a}.get(who)
    if user:
        client.force_login(user)
    response = client.get(reverse(EVENTS))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_the_trail_takes_as_many_queries_for_300_rows_as_for_3(client, scenario, organiser):
    client.force_login(organiser)
    reviewers = [scenario.reviewer_a, scenario.reviewer_b, factories.ReviewerFactory()]
    cases = [scenario.shared_case, scenario.a_only_case, in_review_case(scenario.round, scenario.category)]

    def add(count):
        AssignmentEvent.objects.bulk_create(
            AssignmentEvent(
                case=cases[index % 3],
                reviewer=reviewers[index % 3],
                action=Action.REMOVED if index % 2 else Action.GENERATED,
                by=organiser if index % 5 else None,
                reason=f"理由{index}" if index % 2 else "",
            )
            for index in range(count)
        )

    counts = []
    for count in (3, 297):
        add(count)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse(EVENTS))
        assert response.status_code == 200
        counts.append(len(queries))
    assert AssignmentEvent.objects.count() == 300
    assert counts[0] == counts[1]
