"""No input gives a server error: ids out of range, long searches, absurd page numbers, malformed filters.

The security review's findings first, one test each; then a property-based test (hypothesis) that requests
every public and portal URL, found by walking the URL configuration, with generated ids and parameters, as an
anonymous visitor and as an agency officer, and asserts that no answer is a 5xx.
"""

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from govcases.search import MAX_WORD_LENGTH, MAX_WORDS
from govcases.services import CASE_FIELDS
from tests import factories
from tests.govcases.test_public import SPECS_2024, publish
from tests.reading import read
from tests.test_access_matrix import build_url, walk

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
TOO_LARGE = "99999999999999999999"  # above 2**63: SQLite cannot hold it
MANY_WORDS = " ".join(["政务"] * 1500)
CUT_NOTICE = f"Only the first {MAX_WORDS} words of your search, each up to {MAX_WORD_LENGTH} characters"


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.fixture
def published(db):
    return publish(2023, SPECS_2024, images=1)


# --- the review's findings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        f"/cases/{TOO_LARGE}/",
        f"/results/{TOO_LARGE}/",
        f"/results/{TOO_LARGE}.csv",
        f"/results/{TOO_LARGE}/stats/",
        f"/cases/?page={TOO_LARGE}",
        f"/cases/?year={TOO_LARGE}",
        "/cases/?page=-1",
        "/cases/?page=1e99",
        "/cases/?category=%00",
        "/cases/?level=../../etc",
    ],
)
def test_a_number_too_large_or_a_malformed_filter_is_not_a_server_error(production, published, url):
    response = production.get(url)
    assert response.status_code in {200, 404}, url


@pytest.mark.parametrize(
    "url",
    [
        f"/portal/cases/{TOO_LARGE}/",
        f"/portal/cases/{TOO_LARGE}/edit/",
        f"/admin/govcases/case/{TOO_LARGE}/change/",
        f"/admin/govcases/case/?round={TOO_LARGE}",
        f"/admin/govcases/case/?agency={TOO_LARGE}",
        f"/admin/govcases/case/?p={TOO_LARGE}",
        f"/admin/reviews/assignment/?case={TOO_LARGE}",
        "/admin/govcases/case/?q=%00",
        "/admin/govcases/case/?q=a%00b+c",
        "/files/cases/%00.jpg",
    ],
)
def test_a_number_too_large_is_not_a_server_error_where_users_sign_in(production, officer, organiser, url):
    production.force_login(organiser if url.startswith("/admin/") else officer)
    response = production.get(url)
    assert response.status_code in {200, 302, 404}, url


def test_a_search_of_1500_words_is_cut_and_says_so(production, published):
    publication, cases = published
    title = "粤省事"

    response = production.get("/cases/", {"q": f"{title} {MANY_WORDS}"}, **EN)

    assert response.status_code == 200
    page = response.content.decode()
    assert CUT_NOTICE in page
    assert f'href="/cases/{cases[title].pk}/"' in page  # the first words were searched
    assert 'id="search-cut"' not in production.get("/cases/", {"q": title}, **EN).content.decode()


def test_a_search_word_longer_than_any_field_is_cut_and_says_so(production, published):
    response = production.get("/cases/", {"q": "粤" * 5000}, **EN)
    assert response.status_code == 200
    assert CUT_NOTICE in response.content.decode()


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:govcases_case_changelist",
        "admin:govcases_agency_changelist",
        "admin:reviews_assignment_changelist",
    ],
)
def test_the_admins_search_of_1500_words_is_cut_and_says_so(production, organiser, round_, changelist):
    case = factories.CaseFactory(round=round_, title="粤省事")
    production.force_login(organiser)

    response = production.get(reverse(changelist), {"q": MANY_WORDS}, **EN)

    assert response.status_code == 200
    assert CUT_NOTICE in response.content.decode()
    if changelist == "admin:govcases_case_changelist":
        found = production.get(reverse(changelist), {"q": f"粤省事 {MANY_WORDS}"}, **EN).content.decode()
        assert reverse("admin:govcases_case_change", args=[case.pk]) not in found  # 政务 is not in its title
        found = production.get(reverse(changelist), {"q": f"粤省事 {'x' * 100}"}, **EN).content.decode()
        assert CUT_NOTICE in found


def test_the_reviewers_search_of_1500_words_is_cut(production, round_):
    reviewer = factories.ReviewerFactory()
    production.force_login(reviewer)
    response = production.get(reverse("review:reviews_assignment_changelist"), {"q": MANY_WORDS}, **EN)
    assert response.status_code == 200
    assert CUT_NOTICE in response.content.decode()


# --- every public and portal URL, with generated parameters ---------------------------------------------------

SITE_ROUTES = [
    route
    for route in walk()
    if route.name.startswith(("public:", "portal:"))
    or route.name in {"healthz", "case-file", "login", "password_reset", "home-after-login"}
]
TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
VALUES = st.one_of(
    TEXT,
    st.integers(min_value=-(10**22), max_value=10**22).map(str),
    st.sampled_from(
        ["", "0", "²", "1e9", "NaN", "disclosure", "district", "广东", "2023", "-1", "\x00", "%"]
    ),
    st.integers(min_value=0, max_value=2000).map(lambda words: " ".join(["政务"] * words)),
)
PARAMETERS = st.dictionaries(
    st.sampled_from(["q", "category", "level", "province", "year", "page", "version", "o", "next", "zz"]),
    VALUES,
    max_size=5,
)
FORM_FIELDS = [*CASE_FIELDS, "action", "image_remove", "image_up", "attachment_remove"]


@st.composite
def requests(draw, known_ids: list[int], known_names: list[str]):
    """A URL of the site with each parameter filled (a known id or anything), query parameters, and a form."""
    route = draw(st.sampled_from(SITE_ROUTES))
    values = {}
    for name in route.converters:
        if name == "name":
            values[name] = draw(st.one_of(st.sampled_from(known_names), TEXT.filter(lambda t: "?" not in t)))
        else:
            values[name] = draw(
                st.one_of(st.sampled_from(known_ids), st.integers(min_value=0, max_value=10**25))
            )
    method = draw(st.sampled_from(["GET", "POST"])) if route.name.startswith("portal:") else "GET"
    form = draw(st.dictionaries(st.sampled_from(FORM_FIELDS), VALUES, max_size=6)) if method == "POST" else {}
    return method, build_url(route, values), draw(PARAMETERS), form


def site_data(round_, officer):
    published_publication, cases = publish(2023, SPECS_2024, images=1)
    own = factories.CaseFactory(round=round_, agency=officer.agency_membership.agency)
    other = factories.CaseFactory(round=round_)
    cases = [*cases.values(), own, other]
    known_ids = [case.pk for case in cases] + [2023, 2024, round_.year]
    known_names = [case.images.first().image.name for case in cases]
    return known_ids, known_names


def assert_no_server_error(client, method, url, parameters, form):
    if method == "GET":
        response = client.get(url, parameters)
    else:
        response = client.post(url + "?" + "&".join(f"{key}=1" for key in parameters), form)
    read(response)
    assert response.status_code < 500, f"{method} {url} {parameters} {form}: {response.status_code}"


@pytest.mark.parametrize("who", ["anonymous", "officer"])
def test_no_public_or_portal_url_answers_with_a_server_error(production, round_, officer, who):
    known_ids, known_names = site_data(round_, officer)
    if who == "officer":
        production.force_login(officer)

    @hypothesis_settings(
        max_examples=150,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    @given(request=requests(known_ids, known_names))
    def check(request):
        assert_no_server_error(production, *request)

    check()
