"""The reviewer queue's cheap path: what it counts, and that its hand-written rows read like the admin's."""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.template.loader import render_to_string
from django.urls import reverse

from reviews.enums import ReviewStatus
from reviews.models import Assignment, Review
from reviews.review_admin import ReviewQueueAdmin
from reviews.services import review_submit

from .scenario import in_review_case

QUEUE = reverse("review:reviews_assignment_changelist")
# Session, user, roles, the reviewer's progress (which also counts the whole queue), the categories of the
# filter and the page's rows. A filter or a search adds the count of what it leaves.
QUEUE_QUERIES = 6


def add_assignments(scenario, how_many):
    for index in range(how_many):
        assignment = Assignment.objects.create(
            reviewer=scenario.reviewer_a, case=in_review_case(scenario.round, scenario.category)
        )
        if index % 3 == 0:
            Review.objects.create(assignment=assignment)


@pytest.mark.parametrize("extra_cases", [0, 15])
def test_the_queue_takes_a_fixed_number_of_queries(client, scenario, django_assert_num_queries, extra_cases):
    add_assignments(scenario, extra_cases)
    client.force_login(scenario.reviewer_a)
    with django_assert_num_queries(QUEUE_QUERIES):
        assert client.get(QUEUE).status_code == 200
    with django_assert_num_queries(QUEUE_QUERIES + 1):
        assert client.get(QUEUE + "?progress=pending").status_code == 200


def test_a_narrowed_queue_still_says_how_many_there_are_in_all(client, scenario):
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    client.force_login(scenario.reviewer_a)
    page = client.get(QUEUE + "?progress=pending", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"1 result\s*\(<a [^>]*>2 total</a>\)", page)
    searched = client.get(QUEUE + "?q=惠企", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert re.search(r"1 result\s*\(<a [^>]*>2 total</a>\)", searched)
    whole = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 total" not in whole  # as in the admin: no total while nothing narrows the list


def test_a_long_queue_is_paged_with_the_right_count(client, scenario, monkeypatch):
    monkeypatch.setattr(ReviewQueueAdmin, "list_per_page", 3)
    add_assignments(scenario, 3)  # five in all
    client.force_login(scenario.reviewer_a)
    first = client.get(QUEUE)
    assert first.context["cl"].result_count == 5 and first.context["cl"].paginator.num_pages == 2
    assert len(first.context["cl"].result_list) == 3
    second = client.get(QUEUE + "?p=2")
    assert second.status_code == 200 and len(second.context["cl"].result_list) == 2


def normalised(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html)).strip()


@pytest.mark.parametrize("query", ["", "?progress=pending", "?o=3.-1", "?q=案例", "?progress=submitted&o=-1"])
def test_the_queue_rows_are_the_admins_own_markup(client, scenario, query):
    """Every kind of row (to do, draft, submitted), sorted, filtered and searched, as Django would write it."""
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    add_assignments(scenario, 2)  # one draft, one to do
    client.force_login(scenario.reviewer_a)
    response = client.get(QUEUE + query, HTTP_ACCEPT_LANGUAGE="en")
    cl = response.context["cl"]
    assert cl.result_list
    ours = render_to_string(
        "reviews/review_site/queue_results.html", {"cl": cl, "columns": cl.queue_headers()}
    )
    admins = render_to_string("admin/change_list_results.html", result_list(cl))
    assert normalised(ours) == normalised(admins)
    assert normalised(ours) in normalised(response.content.decode())


def test_the_queue_rows_show_progress_totals_and_keep_the_filters_in_their_links(client, scenario):
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    Review.objects.create(assignment=scenario.a_shared, status=ReviewStatus.DRAFT)
    client.force_login(scenario.reviewer_a)
    page = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    total = Review.objects.get(assignment=scenario.a_only).total
    assert f'<td class="field-own_total">{total}</td>' in page
    assert '<td class="field-progress">Submitted</td>' in page
    assert '<td class="field-progress">Draft</td>' in page
    filtered = client.get(QUEUE + "?progress=pending").content.decode()
    change = reverse("review:reviews_assignment_change", args=[scenario.a_shared.pk])
    assert f'href="{change}?_changelist_filters=progress%3Dpending"' in filtered


def test_titles_and_names_are_escaped_in_the_rows(client, scenario):
    scenario.a_only_case.title = '<script>alert("x")</script>'
    scenario.a_only_case.save()
    client.force_login(scenario.reviewer_a)
    page = client.get(QUEUE).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
