"""Who may open which page: every URL of the site, found by walking the URL configuration, requested by six
roles, against a small table of rules.

The URLs come from django.urls.get_resolver(), not from a list kept by hand: a page added tomorrow is
requested here too, and a page the rules do not classify fails the test ("unclassified URL"), so that
nobody ships a page without deciding who may open it. Where a URL takes an id, it is filled with a real
object, and where tenants differ (agency A and B, reviewer A and B) with each tenant's object: an officer
of agency B asking for agency A's case must get a 404, not the case.

The data is built once for the module inside a transaction that is rolled back at the end; each test only
reads it (every request here is a GET), in a savepoint of its own.
"""

import re
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from evaluation import services as evaluation_services
from evaluation.models import Dimension, Evaluation, EvaluationPublication, Indicator, Score
from govcases.enums import AccountAction, CaseStatus, Phase
from govcases.models import Case, EmailTemplate, OutboxMessage, Profile
from govcases.permissions import EVALUATORS
from govcases.services import account_change_record, publication_create
from reviews.enums import BidChoice, ReviewStatus
from reviews.models import Assignment, AssignmentEvent, Bid, DiscussionComment, Recusal, Review
from tests import factories
from tests.reading import read

ROLES = ["anonymous", "officer_a", "officer_b", "reviewer_a", "reviewer_b", "evaluator", "organiser"]
OFFICERS = {"officer_a": "A", "officer_b": "B"}
REVIEWERS = {"reviewer_a": "A", "reviewer_b": "B"}

# --- the URL configuration, walked ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    """One URL pattern of the site with what is needed to build a concrete URL for it."""

    route: str  # the whole pattern, spelt as ResolverMatch.route spells it
    name: str  # "namespace:name", or "" for the unnamed patterns (the admin's catch-all, its id redirects)
    view: str  # module.name of the view, for the unnamed ones and for reading failures
    site: str  # "admin" or "review" inside an admin site, else ""
    model: str  # "app_label.model_name" for an admin site's per-model URLs, else ""

    @property
    def converters(self) -> list[str]:
        """The names of the parameters: <int:pk> of a path, (?P<app_label>…) of a regular expression."""
        return [first or second for first, second in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.route)]


def _join(first: str, second: str) -> str:
    # As django.urls.resolvers.URLResolver._join_route: an inner regex loses its leading caret.
    return first + (second[1:] if second.startswith("^") else second)


def admin_model(prefix: str) -> str:
    """The model an admin include is for ("govcases/case/" → "govcases.case"), or "" for any other."""
    try:
        app_label, model_name = prefix.strip("/").split("/")
        return apps.get_model(app_label, model_name)._meta.label_lower
    except (ValueError, LookupError):
        return ""


def walk(resolver=None, route="", namespaces=(), site="", model="") -> list[Route]:
    """Every URLPattern below `resolver`, with its full route, namespaced name, admin site and model."""
    resolver = resolver or get_resolver()
    found = []
    for pattern in resolver.url_patterns:
        here = _join(route, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner_namespaces = (*namespaces, pattern.namespace) if pattern.namespace else namespaces
            inner_site = pattern.namespace if pattern.app_name == "admin" else site
            inner_model = model
            if inner_site and not pattern.namespace:
                # Inside an admin site, "app_label/model_name/" includes that model's ModelAdmin URLs.
                inner_model = admin_model(str(pattern.pattern))
            found += walk(pattern, here, inner_namespaces, inner_site, inner_model)
        elif isinstance(pattern, URLPattern):
            callback = pattern.callback
            view = f"{callback.__module__}.{getattr(callback, '__name__', type(callback).__name__)}"
            name = ":".join([*namespaces, pattern.name]) if pattern.name else ""
            found.append(Route(route=here, name=name, view=view, site=site, model=model))
    return found


# Not pages: files served in development only.
NOT_PAGES = {"django.views.static.serve"}

ROUTES = [route for route in walk() if route.view not in NOT_PAGES]


# --- what fills each URL's parameters ------------------------------------------------------------------------


def subjects(route: Route) -> list[str]:
    """The objects a URL is requested with, named. Several where the answer must differ between them."""
    parameters = set(route.converters)
    if not parameters:
        return ["-"]
    if route.name.startswith("portal:"):
        return ["case of agency A", "case of agency B"]
    if route.name == "public:case":
        return ["published case", "case in review"]
    if parameters == {"year"}:
        return ["published year", "year in review"]
    if route.name in (
        "review:reviews_assignment_change",
        "review:reviews_assignment_discussion",
        "review:reviews_assignment_draft",
        "review:reviews_assignment_decline",
    ):
        return ["assignment of reviewer A", "assignment of reviewer B"]
    if route.name in (
        "admin:reviews_rankingboard_discussion",
        "admin:reviews_rankingboard_close_discussion",
        "admin:reviews_rankingboard_reopen_discussion",
        "admin:reviews_rankingboard_add_reviewer",
    ):
        return ["case in review"]
    if "app_label" in parameters:
        # One request per app the pattern accepts: (?P<app_label>auth|axes|govcases|reviews)
        alternatives = re.search(r"\(\?P<app_label>([^)]*)\)", route.route).group(1)
        return [f"app {label}" for label in alternatives.split("|")]
    if parameters == {"url"}:
        return ["unknown page"]
    if route.name == "case-file":
        return list(FILE_SUBJECTS)
    if parameters == {"uidb64", "token"}:
        return ["a wrong token"]  # the right one is tested in test_security.py (the invitation)
    if parameters == {"content_type_id", "object_id"}:
        return ["case of agency A"]
    if parameters in ({"round_id", "category_id"}, {"round_id"}, {"round_id", "category_code"}):
        return ["round in review"]  # a rubric, a board of the round, or a panel's dossier
    if parameters == {"object_id", "to"}:
        return ["the review round's next phase"]
    if parameters == {"evaluation_id", "step"}:
        return ["evaluation step"]
    if route.model and parameters in ({"object_id"}, {"id"}):
        return [route.model]
    return ["?"]  # unknown parameters: the test fails and says so


@dataclass
class Data:
    """The objects of the matrix, by role and by subject."""

    users: dict  # role → user (None for anonymous)
    sessions: dict  # role → session key
    cases: dict  # "A", "B" → a draft in the open round
    published_case: Case
    case_in_review: Case
    published_year: int
    review_round: object
    assignments: dict  # "A", "B" → the reviewer's assignment
    media: object  # MEDIA_ROOT of the data's uploaded files
    evaluation: object  # the published year's evaluation


def fill(route: Route, subject: str, data: Data) -> dict[str, str]:
    """Values for the URL's parameters, for `subject`."""
    parameters = set(route.converters)
    if subject == "-":
        return {}
    if subject.startswith("case of agency "):
        case = data.cases[subject[-1]]
        if parameters == {"content_type_id", "object_id"}:
            return {"content_type_id": ContentType.objects.get_for_model(Case).pk, "object_id": case.pk}
        return {name: case.pk for name in parameters}
    if subject == "published case":
        return {"case_id": data.published_case.pk}
    if subject == "case in review":
        return {"case_id": data.case_in_review.pk}
    if subject == "published year":
        return {"year": data.published_year}
    if subject == "year in review":
        return {"year": data.review_round.year}
    if subject.startswith("assignment of reviewer "):
        return {"object_id": data.assignments[subject[-1]].pk}
    if subject.startswith("app "):
        return {"app_label": subject.removeprefix("app ")}
    if subject == "unknown page":
        return {"url": "no-such-page/"}
    if subject in FILE_SUBJECTS:
        case = FILE_SUBJECTS[subject](data)
        return {"name": case.images.order_by("pk").first().image.name}
    if subject == "a wrong token":
        return {"uidb64": "MQ", "token": "abc-wrong"}
    if subject == "the review round's next phase":
        return {"object_id": data.review_round.pk, "to": "selection"}
    if subject == "evaluation step":
        return {"evaluation_id": data.evaluation.pk, "step": "publish"}
    if subject == "round in review":
        category = data.review_round.categories.first()
        values = {
            "round_id": data.review_round.pk,
            "category_id": category.pk,
            "category_code": category.code,
        }
        return {name: values[name] for name in parameters}
    model = apps.get_model(subject)
    instance = model._default_manager.order_by("pk").first()
    assert instance is not None, f"no {subject} in the matrix's data: create one in `matrix_data`"
    return {name: instance.pk for name in parameters}


def build_url(route: Route, values: dict) -> str:
    path = route.route
    for name, value in values.items():
        # The regular expression's group first: its "<name>" would otherwise be taken for a path converter.
        path = re.sub(rf"\(\?P<{name}>[^)]*\)", str(value), path)
        path = re.sub(rf"<(?:\w+:)?{name}>", str(value), path)
    path = path.lstrip("^").replace("$", "")
    assert "<" not in path and "(?P" not in path, f"unfilled parameter in {route.route}"
    return "/" + path


# --- the rules -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    status: int
    to: str | None = None  # where a redirect goes (the start of its Location)

    def __str__(self):
        return f"{self.status} → {self.to}" if self.to else str(self.status)


OK, NOT_FOUND, FORBIDDEN, NOT_ALLOWED = Expect(200), Expect(404), Expect(403), Expect(405)
TO_LOGIN = Expect(302, "/accounts/login/?next=")
TO_ADMIN_LOGIN = Expect(302, "/admin/login/?next=")
TO_REVIEW_LOGIN = Expect(302, "/review/login/?next=")
TO_EVALUATE_LOGIN = Expect(302, "/evaluate/login/?next=")


def _everyone(expect: Expect):
    return lambda role, subject: expect


def _post_only(role, subject):
    return NOT_ALLOWED


def _public(role, subject):
    # The public sees only published rounds and cases, whoever asks.
    return NOT_FOUND if subject in {"case in review", "year in review"} else OK


def _site_login(role, subject):
    # Django's LoginView with redirect_authenticated_user: a logged-in user is sent on.
    return OK if role == "anonymous" else Expect(302, "/accounts/home/")


def _logged_in(role, subject):
    return TO_LOGIN if role == "anonymous" else OK


def _home_after_login(role, subject):
    return {
        "anonymous": TO_LOGIN,
        "officer_a": Expect(302, "/portal/"),
        "officer_b": Expect(302, "/portal/"),
        "reviewer_a": Expect(302, "/review/"),
        "reviewer_b": Expect(302, "/review/"),
        "evaluator": Expect(302, "/evaluate/"),
        "organiser": Expect(302, "/admin/"),
    }[role]


def _portal(role, subject):
    if role == "anonymous":
        return TO_LOGIN
    if role not in OFFICERS:
        return FORBIDDEN
    if subject.startswith("case of agency "):
        # Another agency's case does not exist, as far as an officer can tell.
        return OK if subject[-1] == OFFICERS[role] else NOT_FOUND
    return OK


def _admin_site_login(site_role: set[str], index: str):
    def rule(role, subject):
        # The admin's login page sends a user who may use the site on to its index, and shows the form
        # (with "you are not authorised") to anyone else.
        return Expect(302, index) if role in site_role else OK

    return rule


def _admin_gate(site_roles: set[str], refused: Expect, inside):
    """An admin_view-wrapped page: whoever may not use the site is sent to its login page."""

    def rule(role, subject):
        return inside(role, subject) if role in site_roles else refused

    return rule


REVIEW_ROLES = set(REVIEWERS)
EVALUATE_ROLES = {"evaluator"}
ORGANISER_ROLES = {"organiser"}


# An uploaded file: anyone's for a published case; else its agency's, the organisers' and its reviewers'.
FILE_SUBJECTS = {
    "picture of agency A's draft": lambda data: data.cases["A"],
    "picture of agency B's draft": lambda data: data.cases["B"],
    "picture of the published case": lambda data: data.published_case,
    "picture of agency B's case in review": lambda data: data.case_in_review,
}


def _case_file(role, subject):
    if subject == "picture of the published case":
        return OK
    readers = {"organiser", "officer_b", "reviewer_b"}  # the case in review is B's, assigned to reviewer B
    if subject.endswith("draft"):
        readers = {"organiser", f"officer_{subject.split()[3][0].lower()}"}
    return OK if role in readers else NOT_FOUND


def _own_assignment(role, subject):
    return OK if subject[-1] == REVIEWERS[role] else NOT_FOUND


def _own_discussion(role, subject):
    # Neither reviewer has submitted a review (A holds a draft): their own case's discussion is refused until
    # they do (HotCRP's rule); another reviewer's assignment does not exist for them.
    return FORBIDDEN if subject[-1] == REVIEWERS[role] else NOT_FOUND


# What an organiser gets on each admin page: the models whose records only services write have no add or
# delete page; Django's own group and axes admins use model permissions, which the organisers group has none
# of (the users' admin is the project's own: accounts.admin).
ADMIN_NO_ADD = {
    "govcases.case",
    "govcases.publication",
    "govcases.publishedcase",
    "govcases.outboxmessage",
    "reviews.review",
    "reviews.bid",
    "reviews.recusal",
    "reviews.assignmentevent",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "accounts.signinevent",
    "accounts.loginlock",
    "accounts.authenticator",
    "evaluation.evaluationpublication",
    "evaluation.scorechange",
    "govcases.accountchange",
}
# Rounds are archived, never deleted; the only rubric here is frozen, as its round is in review. Sign-in
# records and locks go only through their services; an authenticator may be removed (a lost phone).
# Accounts and officers are deactivated, never deleted (their records and reviews name them).
ADMIN_NO_DELETE = (
    ADMIN_NO_ADD
    | {"govcases.round", "reviews.criterion", "evaluation.evaluation", "auth.user", "govcases.agencymember"}
) - {"accounts.authenticator"}
DJANGO_PERMISSION_ADMINS = {
    "auth.group",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
}


def _organiser_page(route: Route):
    action = route.name.rsplit("_", 1)[-1] if route.name else ""
    model = route.model

    def rule(role, subject):
        if not route.name:  # "<object_id>/": the old change URL, kept as a redirect to the change page
            return Expect(302, "{url}change/")
        if model in DJANGO_PERMISSION_ADMINS:
            return FORBIDDEN
        if action == "add" and model in ADMIN_NO_ADD:
            return FORBIDDEN
        if action == "delete" and model in ADMIN_NO_DELETE:
            return FORBIDDEN
        return OK

    return rule


@dataclass(frozen=True)
class Rule:
    what: str
    applies: object  # Route → bool
    expect: object  # (role, subject) → Expect


def named(*names):
    return lambda route: route.name in names


def _admin_site_rules(site: str, roles: set[str], to_login: Expect) -> list[Rule]:
    """The pages every admin site has, the same way on /review/ and /admin/."""
    return [
        Rule(f"{site}: login", named(f"{site}:login"), _admin_site_login(roles, f"/{site}/")),
        Rule(
            f"{site}: logout (POST only; the admin sends whoever may not use it to its index)",
            named(f"{site}:logout"),
            _admin_gate(roles, Expect(302, f"/{site}/"), _post_only),
        ),
        Rule(
            f"{site}: view on site (no model has a public URL)",
            named(f"{site}:view_on_site"),
            _admin_gate(roles, to_login, _everyone(NOT_FOUND)),
        ),
        Rule(
            f"{site}: unknown pages",
            lambda r: r.site == site and r.view.endswith("catch_all_view"),
            _admin_gate(roles, to_login, _everyone(NOT_FOUND)),
        ),
        Rule(
            f"{site}: autocomplete (needs its parameters)",
            named(f"{site}:autocomplete"),
            _admin_gate(roles, to_login, _everyone(FORBIDDEN)),
        ),
    ]


RULES = [
    Rule(
        "POST-only actions",
        named("portal:case_submit", "portal:case_reopen", "logout"),
        _post_only,
    ),
    Rule("the public site", lambda r: r.name.startswith("public:"), _public),
    Rule("the evaluation's public page and open data", lambda r: r.name.startswith("evaluation:"), _public),
    Rule("health check", named("healthz"), _everyone(OK)),
    Rule("uploaded files, each behind its case's permission check", named("case-file"), _case_file),
    Rule(
        "language switch (redirects back; changes only on POST)",
        named("set_language"),
        _everyone(Expect(302, "/")),
    ),
    Rule("site login", named("login"), _site_login),
    Rule(
        "password reset by e-mail",
        named(
            "password_reset",
            "password_reset_done",
            "password_reset_confirm",
            "password_reset_complete",
            "invitation_accept",
        ),
        _everyone(OK),
    ),
    Rule("own password", named("password_change", "password_change_done"), _logged_in),
    Rule(
        "two-factor sign-in and its set-up (only for roles that need it, which these tests do not require)",
        named("two-factor", "two-factor-setup"),
        lambda role, subject: TO_LOGIN if role == "anonymous" else Expect(302, "/accounts/home/"),
    ),
    Rule(
        "new backup codes (only in a session verified by a code)",
        named("two-factor-backup-codes"),
        lambda role, subject: TO_LOGIN if role == "anonymous" else Expect(302, "/accounts/two-factor/?next="),
    ),
    Rule("after login", named("home-after-login"), _home_after_login),
    Rule("agency portal", lambda r: r.name.startswith("portal:"), _portal),
    Rule("an agency's own evaluation report", named("evaluation_portal:report"), _portal),
    # The reviewers' admin at /review/
    *_admin_site_rules("review", REVIEW_ROLES, TO_REVIEW_LOGIN),
    Rule(
        "review: index sends reviewers to their queue",
        named("review:index"),
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _everyone(Expect(302, "/review/reviews/assignment/"))),
    ),
    Rule(
        "review: a reviewer's own assignment only",
        named("review:reviews_assignment_change"),
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _own_assignment),
    ),
    Rule(
        "review: a case's discussion, only for its reviewer, only after their own review is submitted",
        named("review:reviews_assignment_discussion"),
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _own_discussion),
    ),
    Rule(
        "review: giving back a reviewer's own assignment (a confirmation page)",
        named("review:reviews_assignment_decline"),
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _own_assignment),
    ),
    Rule(
        "review: the scoring page's autosave (POST only)",
        named("review:reviews_assignment_draft"),
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _post_only),
    ),
    Rule(
        "review: the queue and the reviewer's own pages",
        lambda r: r.site == "review",
        _admin_gate(REVIEW_ROLES, TO_REVIEW_LOGIN, _everyone(OK)),
    ),
    # The evaluators' admin at /evaluate/
    *_admin_site_rules("evaluate", EVALUATE_ROLES, TO_EVALUATE_LOGIN),
    Rule(
        "evaluate: index sends evaluators to the surveyed agencies",
        named("evaluate:index"),
        _admin_gate(
            EVALUATE_ROLES, TO_EVALUATE_LOGIN, _everyone(Expect(302, "/evaluate/evaluation/surveyedagency/"))
        ),
    ),
    Rule(
        "evaluate: the agencies, their panels and the spreadsheet import",
        lambda r: r.site == "evaluate",
        _admin_gate(EVALUATE_ROLES, TO_EVALUATE_LOGIN, _everyone(OK)),
    ),
    # The organisers' admin at /admin/
    *_admin_site_rules("admin", ORGANISER_ROLES, TO_ADMIN_LOGIN),
    Rule(
        "admin: app index",
        named("admin:app_list"),
        _admin_gate(
            ORGANISER_ROLES,
            TO_ADMIN_LOGIN,
            lambda role, subject: NOT_FOUND if subject == "app axes" else OK,
        ),
    ),
    Rule(
        "admin: the board's assignment button (POST; a GET goes back to the board)",
        named("admin:reviews_reviewprogress_assign"),
        _admin_gate(
            ORGANISER_ROLES, TO_ADMIN_LOGIN, _everyone(Expect(302, "/admin/reviews/reviewprogress/"))
        ),
    ),
    Rule(
        "admin: the outbox's resend button (POST; a GET goes back to the outbox)",
        named("admin:govcases_outboxmessage_resend_failed"),
        _admin_gate(
            ORGANISER_ROLES, TO_ADMIN_LOGIN, _everyone(Expect(302, "/admin/govcases/outboxmessage/"))
        ),
    ),
    Rule(
        "admin: a spreadsheet import's confirmation (POST only)",
        lambda r: r.site == "admin" and r.name.endswith("_process_import"),
        _admin_gate(ORGANISER_ROLES, TO_ADMIN_LOGIN, _post_only),
    ),
    Rule(
        "admin: the model pages",
        lambda r: r.site == "admin" and bool(r.model),
        None,  # per route: _organiser_page(route)
    ),
    Rule(
        "admin: the site's own pages",
        lambda r: r.site == "admin",
        _admin_gate(ORGANISER_ROLES, TO_ADMIN_LOGIN, _everyone(OK)),
    ),
]


def rule_for(route: Route) -> Rule | None:
    return next((rule for rule in RULES if rule.applies(route)), None)


def expectation(route: Route, role: str, subject: str) -> Expect:
    rule = rule_for(route)
    if rule.expect is None:
        return _admin_gate(ORGANISER_ROLES, TO_ADMIN_LOGIN, _organiser_page(route))(role, subject)
    return rule.expect(role, subject)


# --- the data ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def matrix_data(django_db_setup, django_db_blocker, tmp_path_factory):
    """Three rounds (2023 published, 2024 in review, 2025 open), two agencies, two reviewers, an organiser,
    and one object of every model an admin page shows; rolled back when the module ends."""
    media = tmp_path_factory.mktemp("matrix-media")
    with (
        django_db_blocker.unblock(),
        override_settings(
            MEDIA_ROOT=media, PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
        ),
        transaction.atomic(),
    ):
        data = _build()
        data.media = media
        yield data
        transaction.set_rollback(True)


def _build() -> Data:
    organiser = factories.OrganiserFactory()
    members = {tenant: factories.AgencyMemberFactory() for tenant in "AB"}
    reviewers = {tenant: factories.ReviewerFactory() for tenant in "AB"}

    published_round = factories.RoundFactory(year=2023, phase=Phase.SELECTION)
    published_case = factories.CaseFactory(
        round=published_round, agency=members["A"].agency, status=CaseStatus.IN_REVIEW
    )
    publication_create(
        round=published_round, selected=[published_case], by=organiser, override=True, reason="测试准备"
    )

    review_round = factories.RoundFactory(
        year=2024, phase=Phase.REVIEW, review_deadline=timezone.now() + timedelta(days=10)
    )
    category = review_round.categories.order_by("position").first()
    factories.rubric(review_round, category)
    assignments = {}
    case_in_review = None
    for tenant in "AB":
        case_in_review = factories.CaseFactory(
            round=review_round, agency=members[tenant].agency, category=category, status=CaseStatus.IN_REVIEW
        )
        assignments[tenant] = Assignment.objects.create(reviewer=reviewers[tenant], case=case_in_review)
    Review.objects.create(assignment=assignments["A"], status=ReviewStatus.DRAFT, comment="草稿")
    AssignmentEvent.objects.create(
        case=case_in_review, reviewer=reviewers["B"], action=AssignmentEvent.Action.ADDED, by=organiser
    )
    Bid.objects.create(reviewer=reviewers["A"], case=case_in_review, choice=BidChoice.KEEN)
    declining = factories.ReviewerFactory()
    Recusal.objects.create(
        case=case_in_review, reviewer=declining, kind=Recusal.Kind.DECLINED, reason="出差", by=declining
    )

    open_round = factories.RoundFactory(year=2025)
    cases = {
        tenant: factories.CaseFactory(round=open_round, agency=members[tenant].agency) for tenant in "AB"
    }
    AccessAttempt.objects.create(
        username="someone", ip_address="192.0.2.1", user_agent="test", failures_since_start=1
    )
    AccessFailureLog.objects.create(username="someone", ip_address="192.0.2.1", user_agent="test")
    AccessLog.objects.create(username=organiser.username, ip_address="192.0.2.2", user_agent="test")
    TOTPDevice.objects.create(user=reviewers["A"], name="authenticator", confirmed=True)
    EmailTemplate.objects.create(key="case_submitted", subject="已收到", body="{{ case.title }}")
    Profile.objects.create(user=organiser, language="en")
    OutboxMessage.objects.create(
        recipient="a@example.gov.cn", language="zh-hans", kind="bulk", subject="通知", body="…"
    )
    evaluator = factories.UserFactory()
    Group.objects.get_or_create(name=EVALUATORS)[0].user_set.add(evaluator)
    account_change_record(user=reviewers["A"], action=AccountAction.INVITED, by=organiser)
    evaluation = _evaluation_published(published_round.year, members["A"].agency, organiser, evaluator)

    users = {
        "anonymous": None,
        "officer_a": members["A"].user,
        "officer_b": members["B"].user,
        "reviewer_a": reviewers["A"],
        "reviewer_b": reviewers["B"],
        "evaluator": evaluator,
        "organiser": organiser,
    }
    sessions = {}
    for role, user in users.items():
        if user is not None:
            client = Client()
            client.force_login(user)
            sessions[role] = client.session.session_key
    return Data(
        users=users,
        sessions=sessions,
        cases=cases,
        published_case=published_case,
        case_in_review=case_in_review,
        published_year=published_round.year,
        review_round=review_round,
        assignments=assignments,
        media=None,
        evaluation=evaluation,
    )


def _evaluation_published(year: int, agency, organiser, evaluator) -> Evaluation:
    """The published year's evaluation of one agency, scored, computed and published through the services."""
    evaluation = Evaluation.objects.create(year=year, title=f"{year}年网上政府发展指数评估")
    dimension = Dimension.objects.create(evaluation=evaluation, code="service", name="在线服务", weight=100)
    indicator = Indicator.objects.create(
        dimension=dimension, code="service-online", name="事项网上可办", max_points=10
    )
    evaluation_services.surveyed_add(evaluation=evaluation, agencies=[agency], by=organiser)
    surveyed = evaluation.surveyed.get()
    evaluation_services.scores_save(
        evaluation=evaluation,
        values=[evaluation_services.ScoreValue(surveyed, indicator, Decimal(8))],
        submit=True,
        by=evaluator,
    )
    evaluation_services.evaluation_compute(evaluation=evaluation, by=organiser)
    evaluation_services.evaluation_publish(evaluation=evaluation, by=organiser)
    return evaluation


def browser(data: Data, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.cookies[settings.SESSION_COOKIE_NAME] = data.sessions[role]
    return client


# --- the tests -----------------------------------------------------------------------------------------------


def _route_id(route: Route) -> str:
    return route.name or f"{route.view.rsplit('.', 1)[-1]}:{route.route}"


CELLS = [
    pytest.param(route, subject, role, id=f"{_route_id(route)}[{subject}]-{role}")
    for route in ROUTES
    for subject in subjects(route)
    for role in ROLES
]


def test_every_url_is_classified():
    unclassified = [route.route for route in ROUTES if rule_for(route) is None]
    assert not unclassified, f"unclassified URL: add it to the matrix in {__name__}: {unclassified}"
    unfillable = [route.route for route in ROUTES if "?" in subjects(route)]
    assert not unfillable, f"URL parameters the matrix cannot fill: teach `subjects` and `fill`: {unfillable}"


def test_the_walk_finds_every_part_of_the_site():
    """A sanity check of the walk itself: if it missed an include, the matrix would be silently smaller."""
    names = {route.name for route in ROUTES}
    assert {"public:home", "public:case", "portal:case_edit", "healthz", "login"} <= names
    assert {
        "review:reviews_assignment_changelist",
        "review:reviews_assignment_change",
        "review:reviews_assignment_discussion",
        "review:reviews_assignment_draft",
        "review:reviews_assignment_decline",
        "review:reviews_bids_changelist",
    } <= names
    assert {
        "evaluation:page",
        "evaluation:json",
        "evaluation_portal:report",
        "evaluate:evaluation_surveyedagency_change",
        "evaluate:evaluation_surveyedagency_import",
        "admin:evaluation_evaluation_step",
    } <= names
    assert {
        "admin:govcases_case_change",
        "admin:reviews_selectionboard_change",
        "admin:reviews_criterion_rubric",
        "admin:reviews_rankingboard_discussion",
        "admin:reviews_rankingboard_close_discussion",
        "admin:reviews_rankingboard_reopen_discussion",
        "admin:reviews_rankingboard_add_reviewer",
    } <= names
    models = {route.model for route in ROUTES if route.site == "admin"}
    assert {"govcases.case", "govcases.round", "reviews.review", "reviews.assignment"} <= models
    assert len(ROUTES) > 150


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "subject", "role"), CELLS)
def test_access(matrix_data, settings, route, subject, role):
    rule = rule_for(route)
    assert rule is not None, f"unclassified URL: add it to the matrix: {route.route} ({route.view})"
    url = build_url(route, fill(route, subject, matrix_data))
    # The URL built must reach the pattern it was built for, or the cell would test another page.
    assert resolve(url).route == route.route, f"{url} resolves to {resolve(url).route}, not {route.route}"
    expected = expectation(route, role, subject)
    settings.MEDIA_ROOT = matrix_data.media

    response = read(browser(matrix_data, role).get(url))

    answered_as_expected(response, expected, f"{role} GET {url} ({rule.what})", url)


def answered_as_expected(response, expected: Expect, what: str, url: str) -> None:
    if expected.to:
        expected = Expect(expected.status, expected.to.format(url=url))
    got = Expect(
        response.status_code, response.get("Location") if response.status_code in (301, 302) else None
    )
    assert response.status_code == expected.status, f"{what}: {got}, expected {expected}"
    if expected.to:
        assert response["Location"].startswith(expected.to), f"{what}: to {got.to}, expected {expected.to}"


# A view that checks its user only on GET would let a crafted POST through: whoever is refused a page is
# refused a POST to it too, and the POST changes nothing.

POST_ONLY_PORTAL = {"portal:case_submit", "portal:case_withdraw", "portal:case_reopen"}
REFUSALS = {TO_LOGIN, TO_ADMIN_LOGIN, TO_REVIEW_LOGIN, TO_EVALUATE_LOGIN, FORBIDDEN}
TENANT_SUBJECTS = {
    "case of agency A",
    "case of agency B",
    "assignment of reviewer A",
    "assignment of reviewer B",
}
CRAFTED = {
    "title": "被篡改",
    "comment": "被篡改",
    "reason": "被篡改",
    "body": "被篡改",
    "action": "publish",
    "apply": "1",
    "_comment": "1",
}


def refusal_on_post(route: Route, role: str, subject: str) -> Expect | None:
    if route.name.startswith("public:") or route.name.endswith(("logout", "autocomplete")):
        return None  # not refusals of a role: GET-only pages, POST-only logout, missing parameters
    expected = _portal(role, subject) if route.name in POST_ONLY_PORTAL else expectation(route, role, subject)
    if expected in REFUSALS or (expected == NOT_FOUND and subject in TENANT_SUBJECTS):
        return expected
    return None


REFUSED_POSTS = [
    pytest.param(route, subject, role, id=f"{_route_id(route)}[{subject}]-{role}")
    for route in ROUTES
    for subject in subjects(route)
    for role in ROLES
    if refusal_on_post(route, role, subject)
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "subject", "role"), REFUSED_POSTS)
def test_a_refused_user_is_refused_a_post_too(matrix_data, route, subject, role):
    url = build_url(route, fill(route, subject, matrix_data))
    statuses = dict(Case.objects.values_list("pk", "status"))
    assignments = list(Assignment.objects.values_list("pk", flat=True))
    evaluation_state = (
        list(Evaluation.objects.values_list("pk", "status")),
        list(EvaluationPublication.objects.values_list("pk", flat=True)),
        list(Score.objects.values_list("pk", "points", "status")),
    )

    response = browser(matrix_data, role).post(url, CRAFTED)

    answered_as_expected(response, refusal_on_post(route, role, subject), f"{role} POST {url}", url)
    assert not Case.objects.filter(title="被篡改").exists()
    assert dict(Case.objects.values_list("pk", "status")) == statuses
    assert not Review.objects.filter(comment="被篡改").exists()
    assert not DiscussionComment.objects.filter(body="被篡改").exists()
    assert list(Assignment.objects.values_list("pk", flat=True)) == assignments  # none given back
    assert evaluation_state == (
        list(Evaluation.objects.values_list("pk", "status")),
        list(EvaluationPublication.objects.values_list("pk", flat=True)),
        list(Score.objects.values_list("pk", "points", "status")),
    )


def test_a_url_nobody_classified_fails_the_matrix():
    """The guard itself: a new page outside every rule is reported, not skipped."""
    new_page = Route(
        route="reports/<slug:code>/", name="reports", view="govcases.reports.page", site="", model=""
    )
    assert rule_for(new_page) is None
    assert subjects(new_page) == ["?"]
    # A new model in the organisers' admin is classified at once: organisers only.
    new_model_page = Route(
        route="admin/govcases/newthing/",
        name="admin:govcases_newthing_changelist",
        view="x",
        site="admin",
        model="govcases.newthing",
    )
    assert expectation(new_model_page, "officer_a", "-") == TO_ADMIN_LOGIN
    assert expectation(new_model_page, "reviewer_a", "-") == TO_ADMIN_LOGIN
    assert expectation(new_model_page, "organiser", "-") == OK


# Every page a role may open, opened with hostile query parameters: never a server error, never the markup
# echoed raw. (Filters, sorting, paging and versions all read the query string.)

HOSTILE_QUERY = {
    "q": "<script>alert(1)</script>\x00",
    "page": "²",
    "p": "-1",
    "o": "<script>alert(1)</script>",
    "version": "²",
    "category": "<script>alert(1)</script>",
    "year": "'; DROP TABLE govcases_case;--",
    "level": "\u202e<b>",
    "province": "\x00",
    "flagged": "<script>alert(1)</script>",
    "_changelist_filters": "<script>alert(1)</script>",
    "next": "javascript:alert(1)",
}

OPEN_PAGES = [
    pytest.param(route, subject, role, id=f"{_route_id(route)}[{subject}]-{role}")
    for route in ROUTES
    for subject in subjects(route)
    for role in ROLES
    if expectation(route, role, subject) == OK and not route.name.endswith("autocomplete")
]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "subject", "role"), OPEN_PAGES)
def test_hostile_query_parameters_are_never_a_server_error(matrix_data, route, subject, role):
    url = build_url(route, fill(route, subject, matrix_data))

    response = browser(matrix_data, role).get(url, HOSTILE_QUERY)

    assert response.status_code in {200, 302, 400, 404}, f"{role} GET {url}?…: {response.status_code}"
    if response.get("Content-Type", "").startswith("text/html"):
        assert "<script>alert(1)" not in response.content.decode()
    if response.status_code == 302:
        assert not response["Location"].startswith("javascript:")


@pytest.mark.django_db
@pytest.mark.parametrize("login", ["/accounts/login/", "/admin/login/", "/review/login/", "/evaluate/login/"])
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_logging_in_never_redirects_off_the_site(matrix_data, login, target):
    role = {
        "/accounts/login/": "officer_a",
        "/admin/login/": "organiser",
        "/review/login/": "reviewer_a",
        "/evaluate/login/": "evaluator",
    }[login]
    user = matrix_data.users[role]
    response = Client().post(
        f"{login}?next={target}", {"username": user.username, "password": factories.PASSWORD, "next": target}
    )
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"])
def test_the_language_switch_never_redirects_off_the_site(matrix_data, target):
    response = Client().post("/i18n/setlang/", {"language": "en", "next": target})
    assert response.status_code == 302
    assert response["Location"].startswith("/") and not response["Location"].startswith("//")
