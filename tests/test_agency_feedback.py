"""Feedback to agencies: a round setting, off by default; once the round is published, an agency reads in the
portal its case's score band and the reviewers' comments, never their names."""

import pytest
from django.urls import reverse

from reviews.models import Review
from reviews.scoring import score_band
from reviews.services import round_publish, selection_propose
from tests import factories
from tests.reviews.test_selection import scored_case, selection_round

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (0, "0–9"),
        (9.99, "0–9"),
        (80, "80–89"),
        (89.99, "80–89"),
        (90, "90–100"),
        (100, "90–100"),
        (None, "—"),
    ],
)
def test_score_bands(score, band):
    assert score_band(score) == band


@pytest.fixture
def published(db, organiser):
    """A published round with one selected and one not selected case of one agency, each with comments."""

    def publish(*, feedback: bool):
        reviewers = [factories.ReviewerFactory(first_name="评审", last_name=f"专家{n}") for n in range(2)]
        round = selection_round([1])
        round.agency_feedback = feedback
        round.save()
        member = factories.AgencyMemberFactory()
        top = scored_case(round, "disclosure", [92, 88], reviewers, title="甲", agency=member.agency)
        other = scored_case(round, "disclosure", [71, 77], reviewers, title="乙", agency=member.agency)
        for case in (top, other):
            Review.objects.filter(assignment__case=case).update(comment=f"{case.title}的创新点清楚")
        selection_propose(round=round, by=organiser)
        round_publish(round=round, by=organiser)
        return member.user, top, other, reviewers

    return publish


def page(client, user, case) -> str:
    client.force_login(user)
    return client.get(reverse("portal:case", args=[case.pk]), **EN).content.decode()


def test_with_feedback_on_the_agency_reads_its_band_and_the_comments_without_names(client, published):
    officer, top, other, reviewers = published(feedback=True)
    shown = page(client, officer, top)
    assert 'id="feedback"' in shown and "90–100" in shown and "甲的创新点清楚" in shown
    # The band, never the mean (74) — looked for in the feedback itself: the page's other numbers (the user
    # name, officer1745 in a long run) are not the score.
    other_page = page(client, officer, other)
    feedback = other_page[
        other_page.index('id="feedback"') : other_page.index("</section>", other_page.index('id="feedback"'))
    ]
    assert "74" not in feedback and "70–79" in feedback
    for reviewer in reviewers:
        assert reviewer.last_name not in shown and reviewer.username not in shown


def test_feedback_is_off_by_default(client, published):
    officer, top, _other, _reviewers = published(feedback=False)
    shown = page(client, officer, top)
    assert 'id="outcome"' in shown and 'id="feedback"' not in shown and "甲的创新点清楚" not in shown


def test_another_agency_never_reads_the_feedback(client, published):
    _officer, top, _other, _reviewers = published(feedback=True)
    stranger = factories.AgencyMemberFactory().user
    client.force_login(stranger)
    assert client.get(reverse("portal:case", args=[top.pk])).status_code == 404
