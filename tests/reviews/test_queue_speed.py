"""The reviewer queue's cheap path: what it counts, and that its rows are the admin's own."""

import re

import pytest
from django.contrib.admin.templatetags.admin_list import results
from django.urls import reverse
from django.utils import translation

from reviews.admin.reviewer_site import ReviewQueueAdmin
from reviews.enums import ReviewStatus
from reviews.models import Assignment, Review
from reviews.services import review_submit
from reviews.sites import review_site

from .scenario import in_review_case

QUEUE = reverse("review:reviews_assignment_changelist")
# Session, user, roles, the reviewer's progress (which also counts the whole queue), the categories of the
# filter, the page's rows and the round whose bidding is open (for the link to the bidding page). A filter or
# a search adds the count of what it leaves.
QUEUE_QUERIES = 7


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


@pytest.mark.parametrize(
    ("query", "rows", "first"),
    [
        ("", 4, None),
        ("?progress=pending", 3, None),
        ("?progress=submitted", 1, "仅甲案例：惠企政策免申即享"),
        ("?q=惠企", 1, "仅甲案例：惠企政策免申即享"),
    ],
)
def test_the_queue_is_the_admins_own_table_filtered_and_searched(client, scenario, query, rows, first):
    """Every kind of row (to do, draft, submitted) in Django's own result table."""
    review_submit(assignment=scenario.a_only, by=scenario.reviewer_a, points=scenario.full_points())
    add_assignments(scenario, 2)  # one draft, one to do
    client.force_login(scenario.reviewer_a)
    titles = queue_titles(client, query)
    assert len(titles) == rows
    if first:
        assert titles[0] == first


def queue_titles(client, query: str) -> list[str]:
    page = client.get(QUEUE + query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<table id="result_list">' in page
    return re.findall(r'<th class="field-case_title"><a href="[^"]*">([^<]*)</a></th>', page)


def test_the_queue_sorts_by_a_column_both_ways(client, scenario):
    add_assignments(scenario, 2)
    client.force_login(scenario.reviewer_a)
    ascending, descending = queue_titles(client, "?o=0"), queue_titles(client, "?o=-0")
    assert len(ascending) == 4 and descending == ascending[::-1]


def test_the_queue_headings_sort_by_their_column_and_then_the_other_way(client, scenario):
    client.force_login(scenario.reviewer_a)
    # Django's own headings (the queue's rows are written by govcases.sites.LeanChangeList).
    heading = r'<th scope="col" class="sortable column-case_title{}">(?:(?!</th>).)*<div class="text"><a href="([^"]+)">Case</a>'
    page = client.get(QUEUE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # Sorting by case keeps the queue's own order (by category, column 1) as the next key.
    assert re.search(heading.format(""), page, re.DOTALL).group(1) == "?o=0.1"
    page = client.get(QUEUE + "?o=0&progress=pending", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    sorted_heading = re.search(heading.format(" sorted ascending"), page, re.DOTALL)
    assert sorted_heading.group(1) == "?o=-0&amp;progress=pending"
    # The progress column has no order of its own: its heading is no link.
    assert '<th scope="col" class="column-progress">' in page and "<span>Progress</span>" in page


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


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_queue_rows_are_written_as_django_writes_them(rf, scenario, language):
    """The queue's rows come from govcases.sites.LeanChangeList: cell for cell what Django's own result table
    writes from the same display functions (a link to a discussion, a draft, a total, an empty cell)."""
    review_submit(
        assignment=scenario.a_shared,
        by=scenario.reviewer_a,
        points=scenario.full_points(lambda c: c.max_points),
    )
    review_submit(
        assignment=scenario.b_shared, by=scenario.reviewer_b, points=scenario.full_points(lambda c: 1)
    )
    Review.objects.create(assignment=scenario.a_only, status=ReviewStatus.DRAFT)
    request = rf.get(QUEUE + "?o=-4.1")
    request.user = scenario.reviewer_a
    queue_admin = review_site.get_model_admin(Assignment)
    with translation.override(language):
        queue = queue_admin.get_changelist_instance(request)
        queue.formset = None  # as the change list's view sets it
        lean = ["".join(row) for row in queue.lean_rows()]
        django = ["".join(row) for row in results(queue)]
    assert lean == django
    assert len(lean) == 2 and 'field-discussion_link"><a href' in "".join(lean)
