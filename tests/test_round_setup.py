"""Setting up a round: “start from last year” (quotas, rubrics, settings, guidelines), a new round's default
rubric, the rubric editor's rows and running sum, dates in order, and the opening of submissions."""

import re
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from govcases.enums import CaseStatus, Phase
from govcases.exceptions import Refused
from govcases.models import Round, RoundEvent
from govcases.services import case_submit, round_copy, round_set_up
from reviews.models import Criterion
from reviews.services import DEFAULT_RUBRIC
from tests import factories
from tests.reviews.test_organiser_admin import rubric_post

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
PUBLISHED_CRITERIA = ["创新性", "实效性", "整合度", "持续性", "示范性和可推广性"]


@pytest.fixture
def last_year(round_):
    """2024 with its quotas, the 2024 rubric in 公开解读 and settings the organisers changed."""
    factories.rubric(round_, round_.categories.get(code="disclosure"))
    Round.objects.filter(pk=round_.pk).update(
        reviews_per_case=5, agency_feedback=True, disagreement_range=30, guidelines="每单位限报三个案例。"
    )
    round_.refresh_from_db()
    return round_


def new_dates():
    now = timezone.now()
    return {
        "submission_opens": now + timedelta(days=30),
        "submission_deadline": now + timedelta(days=60),
        "review_deadline": now + timedelta(days=90),
    }


def rubric_names(round, code):
    return list(
        Criterion.objects.filter(round=round, category__code=code)
        .order_by("position", "pk")
        .values_list("name", "max_points")
    )


# --- start from last year ---------------------------------------------------------------------------------


def test_a_new_round_starts_from_last_years_quotas_rubrics_settings_and_guidelines(last_year, organiser):
    new = round_copy(source=last_year, year=2025, title="2025年征集", by=organiser, **new_dates())

    assert new.phase == Phase.SETUP and new.year == 2025
    assert dict(new.quotas.values_list("category__code", "seats")) == dict(
        last_year.quotas.values_list("category__code", "seats")
    )
    assert rubric_names(new, "disclosure") == rubric_names(last_year, "disclosure")
    # A category the old round had no rubric for gets the published criteria.
    assert rubric_names(new, "service") == [(name, 20) for name in PUBLISHED_CRITERIA]
    assert (new.reviews_per_case, new.agency_feedback, new.disagreement_range) == (5, True, 30)
    assert new.guidelines == "每单位限报三个案例。"
    event = RoundEvent.objects.get(round=new)
    assert (event.action, event.source, event.by) == (RoundEvent.Action.COPIED, last_year, organiser)
    assert "公开解读 15" in event.reason
    # The old round is left as it was.
    assert Criterion.objects.filter(round=last_year).count() == 4


def test_copying_is_for_organisers_and_checks_the_year_and_the_dates(last_year, organiser, officer):
    with pytest.raises(Refused):
        round_copy(source=last_year, year=2025, title="2025", by=officer, **new_dates())
    with pytest.raises(ValidationError) as taken:
        round_copy(source=last_year, year=2024, title="again", by=organiser, **new_dates())
    assert "year" in taken.value.message_dict
    backwards = {**new_dates(), "review_deadline": timezone.now() + timedelta(days=45)}
    with pytest.raises(ValidationError) as out_of_order:
        round_copy(source=last_year, year=2025, title="2025", by=organiser, **backwards)
    assert "review_deadline" in out_of_order.value.message_dict
    assert not Round.objects.filter(year=2025).exists()


def test_the_copy_page_suggests_next_year_and_creates_the_round(client, last_year, organiser):
    client.force_login(organiser)
    url = reverse("admin:govcases_round_copy")
    changelist = client.get(reverse("admin:govcases_round_changelist"), **EN).content.decode()
    assert f'href="{url}"' in changelist
    page = client.get(url, **EN).content.decode()
    assert 'name="year" value="2025"' in page and "2025年网上政务创新实践案例征集" in page

    dates = {name: value.strftime("%Y-%m-%dT%H:%M") for name, value in new_dates().items()}
    wrong = {**dates, "review_deadline": dates["submission_opens"]}
    form = {"source": last_year.pk, "year": 2025, "title": "2025年征集"}
    refused = client.post(url, {**form, **wrong}, **EN)
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "The review deadline must come after the submission deadline." in text
    assert 'value="2025年征集"' in text  # nothing typed is lost
    assert not Round.objects.filter(year=2025).exists()

    created = client.post(url, {**form, **dates}, **EN)
    new = Round.objects.get(year=2025)
    assert created.status_code == 302 and created["Location"] == reverse(
        "admin:govcases_round_change", args=[new.pk]
    )
    assert new.quotas.count() == 4 and RoundEvent.objects.filter(round=new, by=organiser).exists()


def test_only_organisers_reach_the_copy_page(client, last_year, officer, reviewer):
    for user in (officer, reviewer):
        client.force_login(user)
        response = client.post(
            reverse("admin:govcases_round_copy"), {"source": last_year.pk, "year": 2030, "title": "x"}
        )
        assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not Round.objects.filter(year=2030).exists()


# --- a new round's default rubric ---------------------------------------------------------------------------


def test_a_round_created_in_the_admin_gets_the_published_criteria(client, organiser):
    factories.categories_2024()
    client.force_login(organiser)
    url = reverse("admin:govcases_round_add")
    page = client.get(url).content.decode()
    data = {
        "year": 2026,
        "title": "2026年征集",
        "submission_deadline_0": "2026-06-30",
        "submission_deadline_1": "18:00:00",
        "review_deadline_0": "2026-08-31",
        "review_deadline_1": "18:00:00",
        "reviews_per_case": 3,
        "ranking_score": "mean",
        "ranking_convention": "competition",
        "disagreement_range": "25",
        "disagreement_stdev": "12",
        "normalisation_min_reviews": 5,
        "draft_reminder_days": 3,
        "review_reminder_days": 3,
    }
    # Every inline's management form, as the page renders it.
    for prefix in set(re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page)):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    quotas = [name for name in re.findall(r'name="([\w-]+)-TOTAL_FORMS"', page) if "quota" in name][0]
    data |= {f"{quotas}-TOTAL_FORMS": 1, f"{quotas}-0-category": factories.CategoryFactory(code="service").pk}
    data |= {f"{quotas}-0-seats": 16}
    response = client.post(url, data, **EN)
    assert response.status_code == 302, response.content.decode()[:3000]
    new = Round.objects.get(year=2026)
    assert rubric_names(new, "service") == [(name, 20) for name in PUBLISHED_CRITERIA]
    assert RoundEvent.objects.get(round=new).action == RoundEvent.Action.CREATED


def test_the_default_rubric_is_the_five_published_criteria_summing_to_100(round_, organiser):
    Criterion.objects.filter(round=round_).delete()
    round_set_up(round=round_, by=organiser)
    for quota in round_.quotas.all():
        rows = rubric_names(round_, quota.category.code)
        assert [name for name, _points in rows] == PUBLISHED_CRITERIA
        assert sum(points for _name, points in rows) == 100
    assert [name for name, _description in DEFAULT_RUBRIC] == PUBLISHED_CRITERIA


# --- the rubric editor ------------------------------------------------------------------------------------


def rows(*lines):
    return rubric_post([], extra=lines)


def test_the_rubric_editor_adds_rows_keeps_them_and_states_the_sum(client, round_, organiser):
    category = round_.categories.get(code="platform")
    client.force_login(organiser)
    url = reverse("admin:reviews_criterion_rubric", args=[round_.pk, category.pk])
    assert 'id="rubric-sum" form="rubric-form">0<' in client.get(url, **EN).content.decode()

    # 30 + 30 is refused with its sum; both rows come back as typed.
    refused = client.post(url, rows(("创新性", 30), ("实效性", 30)), **EN).content.decode()
    assert "The criteria add up to 60 points; a rubric has exactly 100." in refused
    assert 'value="创新性"' in refused and 'value="实效性"' in refused
    assert 'id="rubric-sum" form="rubric-form">60<' in refused
    assert not Criterion.objects.filter(round=round_, category=category).exists()

    # "Add a row" saves nothing and gives one empty row more, twice.
    more = client.post(url, {**rows(("创新性", 30), ("实效性", 30)), "add_row": "1"}, **EN).content.decode()
    assert 'name="form-TOTAL_FORMS" value="3"' in more and 'name="form-2-name"' in more
    assert 'value="创新性"' in more and not Criterion.objects.filter(round=round_).exists()

    lines = rows(("创新性", 30), ("实效性", 30), ("整合度", 20), ("持续性", 20))
    assert client.post(url, lines).status_code == 302
    assert rubric_names(round_, "platform") == [
        ("创新性", 30),
        ("实效性", 30),
        ("整合度", 20),
        ("持续性", 20),
    ]

    # A row is removed with its Delete box; the sum it leaves must still be 100.
    saved = list(Criterion.objects.filter(round=round_, category=category).order_by("position", "pk"))
    data = rubric_post(saved, changes=[("创新性", 50)])
    data["form-3-DELETE"] = "on"
    assert client.post(url, data).status_code == 302
    assert rubric_names(round_, "platform") == [("创新性", 50), ("实效性", 30), ("整合度", 20)]


def test_a_crafted_row_count_is_no_server_error(client, round_, organiser):
    category = round_.categories.first()
    client.force_login(organiser)
    url = reverse("admin:reviews_criterion_rubric", args=[round_.pk, category.pk])
    data = {**rows(("创新性", 100)), "form-TOTAL_FORMS": "²", "add_row": "1"}
    assert client.post(url, data).status_code == 200


# --- dates ---------------------------------------------------------------------------------------------------


def test_the_round_form_refuses_a_review_deadline_before_the_submission_deadline(client, round_, organiser):
    errors = Round(
        year=2031,
        title="x",
        submission_opens=round_.submission_deadline + timedelta(days=1),
        submission_deadline=round_.submission_deadline,
        review_deadline=round_.submission_deadline - timedelta(days=1),
    )
    with pytest.raises(ValidationError) as refused:
        errors.full_clean()
    assert set(refused.value.message_dict) >= {"review_deadline", "submission_opens"}
    # The database holds the same rule whoever writes.
    with pytest.raises(IntegrityError), transaction.atomic():
        Round.objects.filter(pk=round_.pk).update(review_deadline=round_.submission_deadline)


def test_agencies_submit_only_once_submissions_open(client, round_, officer):
    opens = timezone.now() + timedelta(days=2)
    Round.objects.filter(pk=round_.pk).update(submission_opens=opens, guidelines="案例须已上线运行满一年。")
    case = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)

    client.force_login(officer)
    dashboard = client.get(reverse("portal:dashboard"), **EN).content.decode()
    assert 'id="guidelines"' in dashboard and "案例须已上线运行满一年。" in dashboard
    assert "Submissions open on" in dashboard
    assert (
        "案例须已上线运行满一年。" in client.get(reverse("portal:case_edit", args=[case.pk])).content.decode()
    )

    response = client.post(reverse("portal:case_submit", args=[case.pk]), follow=True, **EN)
    assert "Submissions open on" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.DRAFT

    submitted = case_submit(case=case, by=officer, now=opens + timedelta(minutes=1))
    assert submitted.status == CaseStatus.SUBMITTED
