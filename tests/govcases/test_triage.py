"""Triage (初步筛选): the research team passes or puts out each submitted case; only passed cases go to the
experts; the agency learns an “out” at publication, with the reason if the round shares it."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from govcases.enums import CaseStatus, Level, Phase
from govcases.exceptions import Refused
from govcases.models import Case, CaseTransition, Category, RoundPhaseChange, TriageEvent
from govcases.selectors import round_steps_offered
from govcases.services import publication_create, round_phase_set, triage_decide, triage_pass_many
from tests import factories

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
OUT_REASON = "申报材料缺少可衡量的应用成效数据"


def triage_round(year: int = 2024, **options):
    """A round with triage whose submissions closed yesterday, in the triage phase."""
    round = factories.RoundFactory(
        year=year, triage_enabled=True, submission_deadline=timezone.now() - timedelta(days=1), **options
    )
    round.phase = Phase.TRIAGE
    round.save()
    return round


def submitted_case(round, code: str = "disclosure", **fields) -> Case:
    return factories.CaseFactory(
        round=round,
        category=Category.objects.get(code=code),
        status=CaseStatus.SUBMITTED,
        images=fields.pop("images", 0),
        **fields,
    )


@pytest.fixture
def researcher(db):
    return factories.ResearcherFactory()


def test_a_round_with_triage_goes_from_submission_to_triage_and_never_straight_to_review(organiser):
    round = factories.RoundFactory(
        triage_enabled=True, submission_deadline=timezone.now() - timedelta(hours=1)
    )
    assert round_steps_offered(round=round) == [Phase.TRIAGE]
    with translation.override("en"), pytest.raises(Refused, match="cannot move to “Review”"):
        round_phase_set(round=round, to=Phase.REVIEW, by=organiser)

    round_phase_set(round=round, to=Phase.TRIAGE, by=organiser)

    round.refresh_from_db()
    assert round.phase == Phase.TRIAGE
    assert round_steps_offered(round=round) == [Phase.REVIEW]
    with pytest.raises(Refused):
        round_phase_set(round=round, to=Phase.SELECTION, by=organiser, override=True, reason="跳过")


def test_a_round_without_triage_cannot_enter_it(organiser):
    round = factories.RoundFactory(submission_deadline=timezone.now() - timedelta(hours=1))
    assert round_steps_offered(round=round) == [Phase.REVIEW]
    with pytest.raises(Refused):
        round_phase_set(round=round, to=Phase.TRIAGE, by=organiser)


def test_only_passed_cases_go_to_the_experts_and_the_others_are_screened_out_with_their_reason(
    organiser, researcher
):
    round = triage_round()
    passed, out = submitted_case(round), submitted_case(round)
    triage_decide(case=passed, passed=True, by=researcher)
    triage_decide(case=out, passed=True, by=researcher)
    triage_decide(case=out, passed=False, by=researcher, reason=OUT_REASON)  # a change of mind

    round_phase_set(round=round, to=Phase.REVIEW, by=organiser)

    passed.refresh_from_db()
    out.refresh_from_db()
    assert (passed.status, out.status) == (CaseStatus.IN_REVIEW, CaseStatus.SCREENED_OUT)
    audit = CaseTransition.objects.get(case=out)
    assert (audit.to_status, audit.reason, audit.by) == (CaseStatus.SCREENED_OUT, OUT_REASON, organiser)
    # Every decision is audited, the change of mind included.
    assert list(TriageEvent.objects.filter(case=out).values_list("passed", "by")) == [
        (True, researcher.pk),
        (False, researcher.pk),
    ]


def test_untriaged_cases_are_outstanding_per_category_and_an_override_sends_them_to_the_experts(organiser):
    round = triage_round()
    waiting = submitted_case(round, "service")
    submitted_case(round, "service")
    decided = submitted_case(round, "disclosure")
    triage_decide(case=decided, passed=True, by=organiser)

    with translation.override("en"), pytest.raises(Refused) as refused:
        round_phase_set(round=round, to=Phase.REVIEW, by=organiser)
    assert "2 cases are not triaged yet" in str(refused.value)
    assert Category.objects.get(code="service").name in str(refused.value)
    assert Category.objects.get(code="disclosure").name not in str(refused.value)

    round_phase_set(round=round, to=Phase.REVIEW, by=organiser, override=True, reason="时间紧")

    waiting.refresh_from_db()
    assert waiting.status == CaseStatus.IN_REVIEW
    change = RoundPhaseChange.objects.get(round=round, to_phase=Phase.REVIEW)
    assert change.reason == "时间紧" and len(change.overridden) == 1


def test_the_step_page_lists_the_cases_not_triaged_and_what_entering_review_does(client, organiser):
    round = triage_round()
    submitted_case(round)
    out = submitted_case(round)
    triage_decide(case=out, passed=False, by=organiser, reason=OUT_REASON)
    client.force_login(organiser)

    page = client.get(reverse("admin:govcases_round_step", args=[round.pk, "review"]), **EN).content.decode()

    assert "1 case is not triaged yet" in page
    assert "1 case that passed triage goes to the experts" in page  # the undecided one, if overridden
    assert "1 case is screened out" in page


@pytest.mark.parametrize("who", ["officer", "reviewer", "nobody"])
def test_only_the_organisers_and_the_research_team_triage(who, officer):
    round = triage_round()
    case = submitted_case(round)
    user = {"officer": officer, "reviewer": factories.ReviewerFactory(), "nobody": None}[who]
    with translation.override("en"), pytest.raises(Refused, match="Only the organisers and their research"):
        triage_decide(case=case, passed=True, by=user)
    assert not TriageEvent.objects.exists()


def test_an_out_needs_a_reason_and_triage_needs_the_triage_phase(researcher):
    round = triage_round()
    case = submitted_case(round)
    with translation.override("en"), pytest.raises(Refused, match="Say why"):
        triage_decide(case=case, passed=False, by=researcher, reason="  ")
    round.phase = Phase.REVIEW
    round.save()
    with translation.override("en"), pytest.raises(Refused, match="triage phase"):
        triage_decide(case=case, passed=True, by=researcher)
    with pytest.raises(Refused):
        triage_pass_many(round=round, cases=round.cases.all(), by=researcher)
    assert not TriageEvent.objects.exists()


def test_a_case_not_submitted_is_not_triaged(researcher):
    round = triage_round()
    draft = factories.CaseFactory(round=round, images=0)
    with pytest.raises(Refused):
        triage_decide(case=draft, passed=True, by=researcher)


def test_pass_all_shown_passes_only_the_undecided_cases_of_the_filter(researcher):
    round = triage_round()
    out = submitted_case(round)
    triage_decide(case=out, passed=False, by=researcher, reason=OUT_REASON)
    others = [submitted_case(round) for _ in range(3)]
    elsewhere = submitted_case(round, "service")

    passed = triage_pass_many(
        round=round, cases=round.cases.filter(category__code="disclosure"), by=researcher
    )

    assert passed == 3
    assert all(case.triage.passed for case in Case.objects.filter(pk__in=[c.pk for c in others]))
    out.triage.refresh_from_db()
    assert out.triage.passed is False
    assert not hasattr(Case.objects.get(pk=elsewhere.pk), "triage")


# --- the triage list ----------------------------------------------------------------------------------------


def test_the_triage_list_passes_and_puts_out_from_plain_forms_and_keeps_the_filter(client, researcher):
    round = triage_round()
    case = submitted_case(round, "service", title="企业开办一日办结")
    other = submitted_case(round, "service", title="不动产登记一网通办")
    client.force_login(researcher)
    url = reverse("admin:reviews_triageboard_change", args=[round.pk])

    response = client.post(url, {"case": other.pk, "action": "pass", "category": "service"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"?category=service#case-{other.pk}")
    response = client.post(url, {"case": case.pk, "action": "out", "reason": "", "category": "service"}, **EN)
    assert not hasattr(Case.objects.get(pk=case.pk), "triage")  # refused: no reason
    page = client.get(response["Location"], **EN).content.decode()
    assert "Say why the case is out" in page
    client.post(url, {"case": case.pk, "action": "out", "reason": OUT_REASON})

    page = client.get(url + "?category=service", **EN).content.decode()
    assert f"✗ out: {OUT_REASON}" in page
    assert "✓ passed" in page
    counts = re.search(r'<tr id="count-service">(.*?)</tr>', page).group(1)
    assert re.findall(r"<td>(\d+)</td>", counts) == ["2", "1", "1", "0"]


def test_the_triage_list_filters_by_category_level_and_state(client, organiser):
    round = triage_round()
    district = submitted_case(round, "service", agency=factories.AgencyFactory(level=Level.DISTRICT))
    province = submitted_case(round, "service", agency=factories.AgencyFactory(level=Level.PROVINCE))
    disclosure = submitted_case(round, "disclosure")
    triage_decide(case=province, passed=True, by=organiser)
    client.force_login(organiser)
    url = reverse("admin:reviews_triageboard_change", args=[round.pk])

    def shown(query):
        return {
            int(pk) for pk in re.findall(r'<tr id="case-(\d+)"', client.get(url + query).content.decode())
        }

    assert shown("") == {district.pk, province.pk, disclosure.pk}
    assert shown("?category=service") == {district.pk, province.pk}
    assert shown("?category=service&level=district") == {district.pk}
    assert shown("?state=waiting") == {district.pk, disclosure.pk}
    assert shown("?state=passed") == {province.pk}


def test_the_triage_list_takes_the_same_number_of_queries_for_few_and_many_cases(client, organiser):
    client.force_login(organiser)
    counts = []
    for year, number in ((2024, 2), (2025, 40)):
        round = triage_round(year=year)
        cases = [submitted_case(round, code) for code in ("disclosure", "service") for _ in range(number)]
        for case in cases[::3]:
            triage_decide(case=case, passed=False, by=organiser, reason=OUT_REASON)
        url = reverse("admin:reviews_triageboard_change", args=[round.pk])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.content.decode().count('<tr id="case-') == 2 * number
        counts.append(len(queries))
    assert counts[0] == counts[1], counts


def test_the_research_team_reaches_the_triage_list_and_nothing_else_of_the_round(client, researcher):
    round = triage_round()
    client.force_login(researcher)
    index = client.get(reverse("admin:index")).content.decode()
    assert reverse("admin:reviews_triageboard_changelist") in index
    assert client.get(reverse("admin:reviews_triageboard_change", args=[round.pk])).status_code == 200
    assert client.get(reverse("admin:govcases_round_change", args=[round.pk])).status_code == 403
    assert client.get(reverse("admin:reviews_selectionboard_change", args=[round.pk])).status_code == 403


@pytest.mark.parametrize("who", ["reviewer", "officer"])
def test_reviewers_and_agencies_cannot_open_or_post_to_the_triage_list(client, who, officer):
    round = triage_round()
    case = submitted_case(round)
    client.force_login(factories.ReviewerFactory() if who == "reviewer" else officer)
    url = reverse("admin:reviews_triageboard_change", args=[round.pk])
    assert client.get(url).status_code in {302, 403}
    client.post(url, {"case": case.pk, "action": "pass"})
    assert not TriageEvent.objects.exists()


# --- the agency learns the outcome at publication ---------------------------------------------------------


@pytest.mark.parametrize("shared", [True, False])
def test_the_agency_learns_of_an_out_only_at_publication_with_the_reason_if_the_round_shares_it(
    client, organiser, officer, deliver_mail, shared
):
    round = triage_round(screening_reason_shared=shared)
    case = submitted_case(round, agency=officer.agency_membership.agency, title="企业开办一日办结")
    triage_decide(case=case, passed=False, by=organiser, reason=OUT_REASON)
    round_phase_set(round=round, to=Phase.REVIEW, by=organiser)
    client.force_login(officer)
    portal = reverse("portal:case", args=[case.pk])

    before = client.get(portal, **EN).content.decode()
    assert "In review" in before
    assert OUT_REASON not in before and "Screened out" not in before

    round.phase = Phase.SELECTION
    round.save()
    publication_create(round=round, selected=[], by=organiser, override=True, reason="测试")
    after = client.get(portal, **EN).content.decode()
    sent = [message for message in deliver_mail() if message.to == [officer.email]]

    assert "did not pass the organisers' triage" in after
    assert (OUT_REASON in after) is shared
    assert len(sent) == 1
    assert (OUT_REASON in sent[0].body) is shared
