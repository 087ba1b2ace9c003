"""The two admin sites' chrome: the app list is built only where a page shows it, and still shows what it did."""

from django.contrib import admin
from django.urls import reverse

from govcases.sites import OrganiserAdminSite
from reviews.sites import review_site
from tests.reviews.scenario import build


def sidebar_and_main(page: str) -> tuple[str, str]:
    sidebar, _, main = page.partition('<main id="content-start"')
    return sidebar, main


def test_the_organiser_index_and_sidebar_list_the_apps(client, organiser):
    client.force_login(organiser)
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    apps = [app["app_label"] for app in index.context["app_list"]]
    assert {"govcases", "reviews"} <= set(apps)
    page = index.content.decode()
    assert reverse("admin:govcases_case_changelist") in page
    assert reverse("admin:reviews_assignment_changelist") in page
    # Another page of the site shows the same apps in its nav sidebar.
    changelist = client.get(reverse("admin:govcases_agency_changelist")).content.decode()
    assert 'id="nav-sidebar"' in changelist
    sidebar, _ = sidebar_and_main(changelist)
    assert reverse("admin:reviews_assignment_changelist") in sidebar
    assert reverse("admin:govcases_case_changelist") in sidebar
    # The case list and a case's page go without it: it cost them as much as the whole index.
    assert 'id="nav-sidebar"' not in client.get(reverse("admin:govcases_case_changelist")).content.decode()


def test_an_app_index_lists_only_that_app(client, organiser):
    client.force_login(organiser)
    response = client.get(reverse("admin:app_list", args=["govcases"]))
    assert response.status_code == 200
    assert [app["app_label"] for app in response.context["app_list"]] == ["govcases"]


def test_the_app_list_is_built_once_per_request(client, organiser, monkeypatch):
    built = []
    original = admin.AdminSite._build_app_dict

    def counting(site, request, label=None):
        built.append(label)
        return original(site, request, label)

    monkeypatch.setattr(admin.AdminSite, "_build_app_dict", counting)
    client.force_login(organiser)
    assert client.get(reverse("admin:index")).status_code == 200
    assert built == [None]  # Django's own index builds it twice: for the page and for each_context


def test_a_page_without_the_sidebar_never_builds_the_app_list(client, round_, monkeypatch):
    scenario = build(round_)
    built = []
    original = admin.AdminSite._build_app_dict
    monkeypatch.setattr(
        admin.AdminSite,
        "_build_app_dict",
        lambda site, request, label=None: built.append(label) or original(site, request, label),
    )
    client.force_login(scenario.reviewer_a)
    assert client.get(reverse("review:reviews_assignment_changelist")).status_code == 200
    assert built == []


def test_a_reviewer_sees_only_their_own_models_on_the_review_site(rf, round_):
    scenario = build(round_)
    request = rf.get("/review/")
    request.user = scenario.reviewer_a
    apps = review_site.get_app_list(request)
    # Their queue, and the page where they bid on cases before assignment.
    assert [(app["app_label"], sorted(m["object_name"] for m in app["models"])) for app in apps] == [
        ("reviews", ["Assignment", "bids"])
    ]


def test_no_apps_for_someone_who_is_not_an_organiser(rf, officer, organiser):
    site = OrganiserAdminSite(name="test_sites")
    site._registry = admin.site._registry
    request = rf.get("/admin/")
    request.user = officer
    assert not site.has_permission(request)
    assert list(site.get_app_list(request)) == []


def test_logging_out_of_the_organiser_site_works(client, organiser):
    client.force_login(organiser)
    assert client.post(reverse("admin:logout")).status_code in {200, 302}
    assert client.get(reverse("admin:index")).status_code == 302


BOARDS = ["reviewprogress", "rankingboard", "selectionboard"]


def test_the_boards_are_listed_with_the_reviews_models_and_open_for_a_round(client, organiser, round_):
    client.force_login(organiser)
    index = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en")
    reviews = next(app for app in index.context["app_list"] if app["app_label"] == "reviews")
    listed = {model["object_name"]: model for model in reviews["models"]}
    page = index.content.decode()
    for board in BOARDS:
        rounds = reverse(f"admin:reviews_{board}_changelist")
        assert listed[board]["admin_url"] == rounds and listed[board]["view_only"]
        assert f'href="{rounds}"' in page
        listing = client.get(rounds).content.decode()
        assert f'href="{reverse(f"admin:reviews_{board}_change", args=[round_.pk])}"' in listing
    assert "Ranking boards" in page and "Selection boards" in page and "Review progress" in page


def test_a_board_without_forms_refuses_a_post(client, organiser, round_):
    client.force_login(organiser)
    response = client.post(reverse("admin:reviews_rankingboard_change", args=[round_.pk]), {"action": "x"})
    assert response.status_code == 405


def test_a_board_of_a_round_that_does_not_exist_is_not_found(client, organiser):
    client.force_login(organiser)
    assert client.get(reverse("admin:reviews_selectionboard_change", args=[9999])).status_code == 404
