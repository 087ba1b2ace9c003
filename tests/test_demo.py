"""`manage.py load_demo`: the 2024 round built from the project's copy of the reference, once per module."""

import io
import random
from collections import Counter, defaultdict

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from demo import build, current, load, reference, scores
from govcases.enums import CaseStatus, Level, Phase
from govcases.models import Agency, Case, CaseImage, CaseTransition, Category, Publication, Round
from govcases.notifications import person_name
from govcases.services import case_submit
from reviews.enums import ReviewStatus
from reviews.models import Assignment, DiscussionComment, Recusal, Review, ReviewerProfile, SelectionDecision
from reviews.selectors import ranking_rows, verification_list
from reviews.services import reviewer_conflicts
from tests.govcases.test_demo_data import LEVEL_COUNTS

PASSWORD = "demo-test-password"


@pytest.fixture(scope="module")
def demo_media(tmp_path_factory):
    return tmp_path_factory.mktemp("demo-media")


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, demo_media):
    """Runs the 509-case demo once for the module, and removes it afterwards for the other tests."""
    md5 = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as the tests' settings, so that logins check
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=demo_media, PASSWORD_HASHERS=md5):
        out = io.StringIO()
        call_command("load_demo", "--password", PASSWORD, stdout=out)
        yield out.getvalue()
        load.demo_remove()


@pytest.fixture
def round_2024(demo_output, db):
    return Round.objects.get(year=2024)


def test_685_agencies_across_the_seven_levels(round_2024):
    assert Agency.objects.count() == 685
    assert dict(Counter(Agency.objects.values_list("level", flat=True))) == LEVEL_COUNTS


def test_every_agency_the_reference_names_exists_with_its_published_name_and_level(round_2024):
    for printed, facts in reference.reference()["printed_agencies"].items():
        agency = Agency.objects.get(name=facts["name"])
        assert (agency.display_name, agency.level) == (facts["display_name"], facts["level"]), printed
    for category in reference.reference()["cases"]["categories"]:
        for printed in category["agencies"]:
            assert Agency.objects.filter(display_name=printed).count() == 1, printed


def test_short_names_provinces_and_parents(round_2024):
    def agency(name):
        return Agency.objects.select_related("parent").get(name=name)

    haidian = agency("北京市海淀区")
    assert (haidian.display_name, haidian.province, haidian.parent.name) == ("北京海淀区", "北京", "北京市")
    assert agency("深圳市龙华区").parent.name == "深圳市"
    assert agency("黔南布依族苗族自治州").display_name == "黔南州"
    assert agency("内蒙古自治区").display_name == "内蒙古"
    branch = agency("国家税务总局广东省税务局")
    assert (branch.level, branch.parent.name, branch.province) == (Level.MINISTRY, "国家税务总局", "广东")
    assert set(
        Agency.objects.filter(level=Level.MINISTRY, parent=None).values_list("province", flat=True)
    ) == {""}
    assert not Agency.objects.exclude(level=Level.MINISTRY).filter(province="").exists()


def test_round_categories_and_quotas(round_2024):
    assert round_2024.title == "2024年网上政务创新实践案例征集"
    assert round_2024.phase == Phase.PUBLISHED
    quotas = [
        (q.category.code, q.category.name, q.seats) for q in round_2024.quotas.select_related("category")
    ]
    assert quotas == [
        ("disclosure", "公开解读", 15),
        ("service", "在线服务", 16),
        ("interaction", "互动交流", 11),
        ("platform", "平台支撑", 8),
    ]
    assert all(Category.objects.values_list("name_en", flat=True))


def test_509_cases_were_submitted_through_the_services(round_2024):
    cases = Case.objects.filter(round=round_2024)
    assert cases.count() == 509
    assert not cases.filter(submitted_at__isnull=True).exists()
    assert cases.exclude(reference="").count() == 509
    assert (
        CaseTransition.objects.filter(case__round=round_2024, to_status=CaseStatus.SUBMITTED).count() == 509
    )
    assert set(cases.values_list("status", flat=True)) == {CaseStatus.PUBLISHED, CaseStatus.NOT_SELECTED}
    assert all(case.submitted_at < round_2024.submission_deadline for case in cases)
    for case in cases.order_by("pk")[:20]:
        assert case.title and case.summary and case.description and case.outcomes and case.contact_name
        assert ".invalid/" in case.service_url


def test_every_case_has_one_to_three_pictures_that_exist(round_2024, demo_media):
    per_case = Counter(CaseImage.objects.filter(case__round=round_2024).values_list("case_id", flat=True))
    assert len(per_case) == 509
    assert set(per_case.values()) <= {1, 2, 3}
    for image in CaseImage.objects.filter(case__round=round_2024).order_by("pk")[:5]:
        assert (demo_media / image.image.name).is_file()
        assert (demo_media / image.thumbnail.name).is_file()
        assert (image.width, image.height) == (960, 540)


def test_three_submitted_reviews_per_case(round_2024):
    reviews = Counter(
        Review.objects.filter(assignment__case__round=round_2024, status=ReviewStatus.SUBMITTED).values_list(
            "assignment__case_id", flat=True
        )
    )
    assert len(reviews) == 509
    assert set(reviews.values()) == {3}
    in_2024 = Review.objects.filter(assignment__case__round=round_2024)
    assert not in_2024.exclude(status=ReviewStatus.SUBMITTED).exists()


def test_no_reviewer_scores_a_case_they_are_conflicted_with(round_2024):
    profiles = ReviewerProfile.objects.prefetch_related("declared_conflicts")
    assert 40 <= profiles.count() <= 60
    conflicts = {profile.user_id: reviewer_conflicts(profile) for profile in profiles}
    assert any(len(agencies) > 20 for agencies in conflicts.values())  # a local government's province
    assert profiles.filter(declared_conflicts__isnull=False).exists()
    for reviewer_id, agency_id in Assignment.objects.filter(case__round=round_2024).values_list(
        "reviewer_id", "case__agency_id"
    ):
        assert agency_id not in conflicts[reviewer_id]


def test_published_50_match_the_reference_per_category(round_2024):
    publication = Publication.objects.get(round=round_2024)
    published = defaultdict(list)
    for row in publication.cases.select_related("category"):
        published[row.category.name].append(row.agency_name)
    for category in reference.reference()["cases"]["categories"]:
        assert sorted(published[category["name"]]) == sorted(category["agencies"]), category["name"]
    assert publication.submitted == 509
    assert sum(len(names) for names in published.values()) == 50


def test_selected_cases_lead_their_categories_with_some_disagreement_and_normalisation_effects(round_2024):
    flagged, normalisation_moves = 0, 0
    for quota in round_2024.quotas.select_related("category"):
        rows = ranking_rows(round=round_2024, category=quota.category)
        top = {row.case.pk for row in rows[: quota.seats]}
        assert top == {row.case.pk for row in rows if row.case.status == CaseStatus.PUBLISHED}
        assert rows[quota.seats - 1].mean > rows[quota.seats].mean  # no tie at the cut line
        flagged += sum(1 for row in rows if row.range > 25)
        by_normalised = sorted(rows, key=lambda row: (-row.normalised, row.case.pk))
        normalisation_moves += sum(1 for a, b in zip(rows, by_normalised, strict=True) if a.case != b.case)
    assert flagged >= 3
    assert normalisation_moves > 0


def test_accounts_are_printed_and_use_the_password(round_2024, demo_output):
    for username in ["organiser", "reviewer01", "beijinghaidianqu", "qiannanzhou", "suzhoushi-jiangsu"]:
        assert username in demo_output
        assert User.objects.get(username=username).check_password(PASSWORD)
    officer = User.objects.get(username="beijinghaidianqu")
    assert officer.agency_membership.agency.name == "北京市海淀区"
    assert officer.groups.filter(name="agencies").exists()
    assert User.objects.get(username="organiser").groups.filter(name="organisers").exists()


def counts() -> dict[str, int]:
    return {
        "agencies": Agency.objects.count(),
        "cases": Case.objects.count(),
        "images": CaseImage.objects.count(),
        "reviews": Review.objects.count(),
        "users": User.objects.count(),
        "published": Publication.objects.get().cases.count(),
    }


def test_running_twice_gives_the_same_counts(round_2024):
    # A small round keeps this quick; the default round takes the same path.
    call_command("load_demo", "--cases", "60", "--seed", "7", stdout=io.StringIO())
    first = counts()
    call_command("load_demo", "--cases", "60", "--seed", "7", stdout=io.StringIO())
    assert counts() == first
    assert first["agencies"] == 685 and first["published"] == 50
    assert Case.objects.filter(round__year=2024).count() == 60


# --- the current round (2025): work for every role ----------------------------------------------------------


def test_the_2025_round_is_in_review_with_work_for_every_role(round_2024, demo_output):
    round = Round.objects.get(year=2025)
    assert round.phase == Phase.REVIEW
    assert round.submission_deadline < timezone.now() < round.review_deadline
    in_review = Case.objects.filter(round=round, status=CaseStatus.IN_REVIEW)
    assert in_review.count() > 50
    assert Case.objects.filter(round=round, status=CaseStatus.DRAFT).exists()  # left behind at the deadline
    reviews = Review.objects.filter(assignment__case__round=round)
    assignments = Assignment.objects.filter(case__round=round).count()
    submitted = reviews.filter(status=ReviewStatus.SUBMITTED).count()
    assert 0.35 * assignments < submitted < 0.75 * assignments  # about half
    assert reviews.filter(status=ReviewStatus.DRAFT).exists()
    assert any(row.flagged for row in ranking_rows(round=round))
    # The accounts printed first have live work: a reviewer with cases to score, an agency with a case.
    lines = demo_output.splitlines()
    reviewer = next(line.split()[1] for line in lines if line.startswith("reviewer") and "2025" in line)
    assert (
        Assignment.objects.filter(case__round=round, reviewer__username=reviewer)
        .exclude(review__status=ReviewStatus.SUBMITTED)
        .exists()
    )
    agency = next(line.split()[1] for line in lines if line.startswith("agency") and "2025" in line)
    assert in_review.filter(agency__members__user__username=agency).exists()
    # The 2024 reference is untouched by it.
    assert Publication.objects.get().round.year == 2024


def test_the_2025_round_in_review_was_triaged_first_and_some_cases_were_screened_out(round_2024):
    round = Round.objects.get(year=2025)
    assert (round.triage_enabled, round.verification_enabled) == (True, True)
    out = CaseTransition.objects.filter(case__round=round, to_status=CaseStatus.SCREENED_OUT)
    assert out.count() == current.SCREENED_OUT
    assert all(reason in current.OUT_REASONS for reason in out.values_list("reason", flat=True))
    assert not Assignment.objects.filter(case__round=round, case__status=CaseStatus.SCREENED_OUT).exists()
    phases = list(round.phase_changes.values_list("to_phase", flat=True))
    assert phases == [Phase.SUBMISSION, Phase.TRIAGE, Phase.REVIEW]


def test_the_2025_round_in_review_has_its_flagged_case_discussed(round_2024, client):
    round = Round.objects.get(year=2025)
    comments = list(DiscussionComment.objects.filter(case__round=round).select_related("author", "case"))
    assert [comment.body for comment in comments] == [current.DISCUSSION_QUESTION, current.DISCUSSION_ANSWER]
    question, answer = comments
    case = question.case
    assert question.author.groups.filter(name="organisers").exists()
    assert Review.objects.filter(
        assignment__case=case, assignment__reviewer=answer.author, status=ReviewStatus.SUBMITTED
    ).exists()
    assert next(row for row in ranking_rows(round=round) if row.case.pk == case.pk).flagged
    # Another reviewer of the case, who submitted too, reads both comments on the case's discussion page.
    reader = (
        Assignment.objects.filter(case=case, review__status=ReviewStatus.SUBMITTED)
        .exclude(reviewer=answer.author)
        .select_related("reviewer")
        .first()
    )
    client.force_login(reader.reviewer)
    page = client.get(reverse("review:reviews_assignment_discussion", args=[reader.pk]))
    assert page.status_code == 200
    assert current.DISCUSSION_QUESTION in page.content.decode()
    assert current.DISCUSSION_ANSWER in page.content.decode()


def test_the_2025_round_in_review_has_a_case_given_back_and_its_replacement_waiting(
    round_2024, demo_output, client
):
    round = Round.objects.get(year=2025)
    recusal = Recusal.objects.select_related("reviewer", "proposed").get(case__round=round)
    assert (recusal.kind, recusal.reason) == (Recusal.Kind.DECLINED, current.DECLINE_REASON)
    assert recusal.resolved_at is None and recusal.proposed is not None
    assert not Assignment.objects.filter(case=recusal.case, reviewer=recusal.reviewer).exists()
    client.force_login(User.objects.get(username="organiser"))
    page = client.get(reverse("admin:reviews_reviewprogress_change", args=[round.pk])).content.decode()
    assert f'id="recusal-{recusal.pk}"' in page
    assert current.DECLINE_REASON in page
    assert person_name(recusal.proposed) in page
    organiser_line = next(line for line in demo_output.splitlines() if line.startswith("organiser"))
    assert "replacement" in organiser_line and "discussion" in organiser_line


def test_the_2024_round_went_without_triage_or_verification(round_2024):
    assert (round_2024.triage_enabled, round_2024.verification_enabled) == (False, False)
    phases = list(round_2024.phase_changes.values_list("to_phase", flat=True))
    assert phases == [Phase.SUBMISSION, Phase.REVIEW, Phase.SELECTION, Phase.PUBLISHED]
    assert not Case.objects.filter(round=round_2024, status=CaseStatus.SCREENED_OUT).exists()


def test_the_2025_round_in_submission_has_a_draft_its_officer_can_submit_at_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = load.demo_load(cases=60, seed=7, current=Phase.SUBMISSION)
    round = Round.objects.get(year=2025)
    assert round.phase == Phase.SUBMISSION and round.submission_open()
    account = next(a for a in result.accounts if a.role == "agency" and "2025" in a.note)
    officer = User.objects.get(username=account.username)
    draft = Case.objects.get(round=round, status=CaseStatus.DRAFT, agency=officer.agency_membership.agency)
    assert case_submit(case=draft, by=officer).status == CaseStatus.SUBMITTED
    assert Case.objects.filter(round=round, status=CaseStatus.SUBMITTED).count() > 30


def test_the_2025_round_in_selection_has_every_review_in_and_a_proposal_staged(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load.demo_load(cases=60, seed=7, current=Phase.SELECTION)
    round = Round.objects.get(year=2025)
    assert round.phase == Phase.SELECTION
    assert (
        not Review.objects.filter(assignment__case__round=round)
        .exclude(status=ReviewStatus.SUBMITTED)
        .exists()
    )
    assert SelectionDecision.objects.filter(case__round=round, selected=True).exists()  # the proposal


def test_the_2025_round_in_triage_leaves_cases_for_the_research_team(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result = load.demo_load(cases=60, seed=7, current=Phase.TRIAGE)
    round = Round.objects.get(year=2025)
    assert round.phase == Phase.TRIAGE
    submitted = Case.objects.filter(round=round, status=CaseStatus.SUBMITTED)
    waiting = submitted.filter(triage__isnull=True).count()
    assert 0 < waiting < submitted.count() / 2
    assert submitted.filter(triage__passed=False).exclude(triage__reason="").exists()
    researcher = next(a for a in result.accounts if a.role == "research")
    assert User.objects.get(username=researcher.username).groups.filter(name="researchers").exists()


def test_the_2025_round_in_verification_has_checks_done_one_failed_and_some_open(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    load.demo_load(cases=60, seed=7, current=Phase.VERIFICATION)
    round = Round.objects.get(year=2025)
    assert round.phase == Phase.VERIFICATION
    listing = verification_list(round=round)
    assert listing.counts["failed"] == 1 and listing.counts["open"] == 3 and listing.counts["passed"] > 10
    failed = next(row for row in listing.rows if row.state == "failed")
    assert failed.latest.reason == current.VERIFICATION_FAILURE
    # Second phases of 2024 cases: verification shows the earlier selected case of the same agency.
    assert any(match.same_agency for row in listing.rows for match in row.matches)
    with translation.override("en"), pytest.raises(CommandError, match="not verified yet"):
        call_command("publish", "2025", "--override", "--reason", "演示", stdout=io.StringIO())


def test_an_unknown_phase_for_the_2025_round_is_refused(round_2024):
    with pytest.raises(CommandError):
        call_command("load_demo", "--phase", "published", stdout=io.StringIO())


def test_too_few_cases_for_the_selection_is_refused(round_2024):
    with pytest.raises(CommandError):
        call_command("load_demo", "--cases", "49", stdout=io.StringIO())


@pytest.mark.parametrize(
    ("target", "deviations"),
    [(255, [13.0, -14.0, 1.0]), (282, [5.0, 5.0, -5.0]), (150, [-5.0, 0.0, 0.0]), (244, [0.3, -0.2, 0.1])],
)
def test_planned_totals_add_up_to_the_target_within_bounds(target, deviations):
    totals = scores._totals(target, deviations)
    assert sum(totals) == target
    assert all(0 <= total <= 100 for total in totals)


def test_a_total_splits_over_the_rubric_within_each_maximum():
    rng = random.Random(1)
    maxima = [points for _name, points, _descriptions in scores.RUBRIC]
    for total in range(0, 101):
        points = scores.split_points(total, maxima, rng)
        assert sum(points) == total
        assert all(0 <= value <= top for value, top in zip(points, maxima, strict=True))


def test_bulk_path_leaves_the_same_statuses_audit_and_reviews_as_the_services(db):
    """Large rounds (the benchmark's 20 000 cases) are written in bulk; forced here on a small one."""
    load.demo_load(cases=80, seed=3, bulk=True)
    round = Round.objects.get(year=2024)
    cases = Case.objects.filter(round=round)
    assert cases.count() == 80
    assert Counter(cases.values_list("status", flat=True)) == {
        CaseStatus.PUBLISHED: 50,
        CaseStatus.NOT_SELECTED: 30,
    }
    trails = defaultdict(list)
    for case_id, to_status in CaseTransition.objects.filter(case__round=round).values_list(
        "case_id", "to_status"
    ):
        trails[case_id].append(to_status)
    assert {tuple(trail) for trail in trails.values()} == {
        (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.SELECTED, CaseStatus.PUBLISHED),
        (CaseStatus.SUBMITTED, CaseStatus.IN_REVIEW, CaseStatus.NOT_SELECTED),
    }
    reviews = Review.objects.filter(assignment__case__round=round).prefetch_related("scores", "events")
    assert reviews.count() == 240
    for review in reviews:
        assert review.status == ReviewStatus.SUBMITTED
        assert review.total == sum(score.points for score in review.scores.all())
        assert [event.action for event in review.events.all()] == ["submitted"]
    published = Counter(Publication.objects.get(round=round).cases.values_list("category__code", flat=True))
    assert published == {"disclosure": 15, "service": 16, "interaction": 11, "platform": 8}


def test_a_larger_round_gets_more_reviewers_not_busier_ones(db):
    """The design's reviewers score 30 to 60 cases: a national round has more of them, and a smaller round
    loaded afterwards does not keep them."""
    load.demo_load(cases=1500, seed=5, bulk=True)

    profiles = ReviewerProfile.objects.all()
    loads = Counter(Assignment.objects.values_list("reviewer_id", flat=True))
    assert profiles.count() == len(load.REVIEWERS_SPEC) + len(load.more_reviewer_panels(1500)) > 48
    assert max(loads.values()) <= load.CASES_PER_REVIEWER + 1
    assert set(loads) == set(profiles.values_list("user_id", flat=True))  # every reviewer has work

    load.demo_load(cases=80, seed=3, bulk=True)

    assert ReviewerProfile.objects.count() == len(load.REVIEWERS_SPEC)
    assert not User.objects.filter(username=f"reviewer{len(load.REVIEWERS_SPEC) + 1}").exists()


@pytest.mark.parametrize("total", [50, 509, 1000, 1500, 20000])
def test_every_category_has_reviewers_enough_for_50_cases_each(total):
    serving = Counter(codes.split()[0] for _name, _affiliation, codes, *_rest in load.REVIEWERS_SPEC)
    serving.update(load.more_reviewer_panels(total))
    for code, cases in build.category_counts(total).items():
        assert serving[code] * load.CASES_PER_REVIEWER >= 3 * cases, code


def test_the_2024_demo_keeps_its_48_reviewers():
    assert load.more_reviewer_panels(509) == []


def test_the_2024_evaluation_reproduces_the_report_with_the_selection_published(
    round_2024, demo_output, client
):
    """The evaluation's 优秀创新案例 dimension reads the selection load_demo published, and the report still comes
    out exactly: every group's ranking with its ties, the tiers, the index and the number surveyed."""
    from evaluation.models import PublishedResult

    facts = reference.reference()
    data = client.get("/evaluation/2024.json").json()
    assert (data["surveyed"], data["index"]) == (facts["surveyed_governments"], facts["development_index"])
    assert {group["code"]: group["ranking"] for group in data["groups"]} == facts["rankings"]
    assert [(len(tier["excellent"]), len(tier["good"])) for tier in data["tiers"]] == [
        (row["优秀"], row["良好"]) for row in facts["tiers"]["groups"]
    ]
    guangdong = PublishedResult.objects.get(agency__name="广东省")
    # Its two selected cases (在线服务, 互动交流) give the dimension's whole 100 points.
    assert [case["category"] for case in guangdong.detail["cases"]] == ["在线服务", "互动交流"]
    innovation = next(d for d in guangdong.detail["dimensions"] if d["code"] == "innovation")
    assert innovation["percent"] == "100.00"
    assert "evaluator" in demo_output
