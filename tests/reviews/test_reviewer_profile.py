"""A reviewer's profile in the organisers' admin: whose it is never changes; every edit is recorded."""

import pytest
from django.urls import reverse
from django.utils import translation

from govcases.enums import AccountAction
from govcases.exceptions import Refused
from govcases.models import AccountChange, Category
from reviews.models import ReviewerProfile
from reviews.services import reviewer_profile_update
from tests import factories


@pytest.fixture
def reviewer(round_):
    return factories.ReviewerFactory(username="reviewer_wang", first_name="甲", last_name="王")


def url(profile):
    return reverse("admin:reviews_reviewerprofile_change", args=[profile.pk])


def posted(profile, **changes):
    """The change form as the page sends it, with `changes` over the stored values."""
    data = {
        "affiliation_agency": profile.affiliation_agency_id or "",
        "institution": profile.institution,
        "categories": [category.pk for category in profile.categories.all()],
        "declared_conflicts": [agency.pk for agency in profile.declared_conflicts.all()],
        "max_load": profile.max_load,
        "reason": "",
    }
    return data | changes


def test_the_change_page_shows_whose_profile_it_is_without_a_field_to_change_it(client, organiser, reviewer):
    client.force_login(organiser)
    page = client.get(url(reviewer.reviewer_profile)).content.decode()
    assert 'name="user"' not in page
    assert reverse("admin:auth_user_change", args=[reviewer.pk]) in page and "reviewer_wang" in page


def test_a_planted_user_is_ignored_and_the_edit_is_saved_and_recorded(client, organiser, reviewer):
    other = factories.ReviewerFactory(username="reviewer_li")
    profile = reviewer.reviewer_profile
    first = Category.objects.order_by("position").first()
    client.force_login(organiser)
    response = client.post(url(profile), posted(profile, user=other.pk, max_load=12, categories=[first.pk]))
    assert response.status_code == 302
    profile = ReviewerProfile.objects.get(pk=profile.pk)
    assert profile.user == reviewer
    assert other.reviewer_profile.pk != profile.pk
    assert profile.max_load == 12
    assert list(profile.categories.all()) == [first]
    change = AccountChange.objects.get(user=reviewer)
    assert (change.action, change.by) == (AccountAction.CHANGED, organiser)
    assert "max_load: 60 → 12" in change.detail and "categories: -" in change.detail
    assert not AccountChange.objects.filter(user=other).exists()


def test_changing_conflicts_needs_a_reason_and_keeps_what_was_typed(client, organiser, reviewer):
    profile = reviewer.reviewer_profile
    conflict = factories.AgencyFactory(name="北京市海淀区人民政府")
    client.force_login(organiser)
    response = client.post(
        url(profile),
        posted(profile, declared_conflicts=[conflict.pk], institution="北京大学"),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Say why the reviewer&#x27;s affiliated agency or declared conflicts change." in page
    assert 'value="北京大学"' in page
    assert not profile.declared_conflicts.exists() and not AccountChange.objects.exists()

    reason = "本人曾在该区政务服务中心挂职"
    response = client.post(url(profile), posted(profile, declared_conflicts=[conflict.pk], reason=reason))
    assert response.status_code == 302
    assert list(profile.declared_conflicts.all()) == [conflict]
    change = AccountChange.objects.get(user=reviewer)
    assert change.reason == reason and "declared_conflicts: +北京市海淀区人民政府" in change.detail
    # The account's page lists it for whoever must later account for it.
    page = client.get(reverse("admin:auth_user_change", args=[reviewer.pk])).content.decode()
    assert reason in page


def test_saving_an_unchanged_profile_records_nothing(client, organiser, reviewer):
    client.force_login(organiser)
    response = client.post(url(reviewer.reviewer_profile), posted(reviewer.reviewer_profile))
    assert response.status_code == 302
    assert not AccountChange.objects.exists()


@pytest.mark.parametrize("who", ["officer", "reviewer"])
def test_a_non_organiser_is_refused(client, officer, reviewer, who):
    user = {"officer": officer, "reviewer": reviewer}[who]
    profile = reviewer.reviewer_profile
    client.force_login(user)
    response = client.post(url(profile), posted(profile, max_load=1))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    assert ReviewerProfile.objects.get(pk=profile.pk).max_load == 60
    with translation.override("en"), pytest.raises(Refused, match="Only the organisers"):
        reviewer_profile_update(
            profile=profile,
            by=user,
            affiliation_agency=None,
            institution=profile.institution,
            categories=profile.categories.all(),
            declared_conflicts=[],
            max_load=1,
        )
    assert ReviewerProfile.objects.get(pk=profile.pk).max_load == 60
    assert not AccountChange.objects.exists()
