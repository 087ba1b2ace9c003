"""People without a superuser: who may invite, change, deactivate and unlock whom (every denial), the audit
of every account change, the invitation's link (its e-mail through a real SMTP server, its expiry, sending
it again) and the organisers' and officers' pages for people, with their query counts."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.enums import SignInKind
from accounts.models import SignInEvent
from accounts.services import account_unlock
from govcases.enums import AccountAction, Phase
from govcases.exceptions import Refused
from govcases.invitations import invitation_token_generator
from govcases.models import AccountChange, AgencyMember, OutboxMessage, Profile
from govcases.permissions import AGENCIES, EVALUATORS, ORGANISERS, REVIEWERS
from govcases.services import (
    account_active_set,
    account_invite,
    account_update,
    agency_member_invite,
    invitation_resend,
)
from reviews.models import ReviewerProfile
from reviews.services import reviewer_invite
from tests import factories

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
GOOD_PASSWORD = "青山绿水-review-2025"


@pytest.fixture
def superuser(db):
    return factories.UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def other_organiser(db):
    return factories.OrganiserFactory()


def roles(user) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def audit(user) -> list[tuple[str, object]]:
    return list(AccountChange.objects.filter(user=user).order_by("pk").values_list("action", "by"))


# --- the services' denials -----------------------------------------------------------------------------------


def test_an_organiser_cannot_create_an_organiser(organiser):
    with pytest.raises(Refused, match="超级管理员"):
        account_invite(email="boss@example.cn", role=ORGANISERS, by=organiser)
    assert not User.objects.filter(email="boss@example.cn").exists()
    assert not AccountChange.objects.exists() and not OutboxMessage.objects.exists()


def test_an_organiser_cannot_make_anyone_a_superuser_or_staff(organiser, reviewer):
    for flags in [{"is_superuser": True}, {"is_staff": not reviewer.is_staff}]:
        with pytest.raises(Refused, match="超级管理员"):
            account_update(
                user=reviewer, by=organiser, first_name="", last_name="", email=reviewer.email,
                roles={REVIEWERS}, **flags,
            )  # fmt: skip
    reviewer.refresh_from_db()
    assert not reviewer.is_superuser and reviewer.is_staff
    assert not AccountChange.objects.exists()


def test_an_organiser_cannot_grant_the_organisers_role(organiser, reviewer):
    with pytest.raises(Refused, match="超级管理员"):
        account_update(
            user=reviewer, by=organiser, first_name="", last_name="", email=reviewer.email,
            roles={REVIEWERS, ORGANISERS},
        )  # fmt: skip
    assert roles(reviewer) == {REVIEWERS}


def test_an_organiser_cannot_change_their_own_roles_nor_another_organisers_account(
    organiser, other_organiser
):
    with pytest.raises(Refused):
        account_update(
            user=organiser, by=organiser, first_name="", last_name="", email=organiser.email,
            roles={ORGANISERS, REVIEWERS},
        )  # fmt: skip
    for target in [organiser, other_organiser]:
        with pytest.raises(Refused, match="超级管理员"):
            account_update(
                user=target, by=organiser, first_name="", last_name="", email=target.email, roles=set()
            )
        with pytest.raises(Refused):
            account_active_set(user=target, active=False, by=organiser)
    assert roles(organiser) == roles(other_organiser) == {ORGANISERS}
    assert User.objects.get(pk=other_organiser.pk).is_active
    assert not AccountChange.objects.exists()


def test_an_organiser_cannot_touch_a_superuser_nor_take_over_an_organisers_address(organiser, superuser):
    with pytest.raises(Refused):
        account_active_set(user=superuser, active=False, by=organiser)
    with pytest.raises(Refused):
        reviewer_invite(
            email=superuser.email, name="x", categories=factories.categories_2024()[:1], by=organiser
        )
    assert roles(superuser) == set() and User.objects.get(pk=superuser.pk).is_active


def test_a_superuser_may_do_all_of_it_and_is_audited(superuser, organiser):
    boss = account_invite(email="boss@example.cn", role=ORGANISERS, by=superuser)
    assert roles(boss) == {ORGANISERS} and not boss.has_usable_password()
    account_update(
        user=organiser, by=superuser, first_name="敏", last_name="张", email=organiser.email,
        roles={ORGANISERS, EVALUATORS}, is_staff=False,
    )  # fmt: skip
    organiser.refresh_from_db()
    assert roles(organiser) == {ORGANISERS, EVALUATORS} and not organiser.is_staff
    assert audit(boss) == [(AccountAction.INVITED, superuser.pk)]
    ((action, by),) = audit(organiser)
    (detail,) = AccountChange.objects.filter(user=organiser).values_list("detail", flat=True)
    assert (action, by) == (AccountAction.CHANGED, superuser.pk) and "+evaluators" in detail


def test_only_organisers_and_an_agencys_own_officers_invite(officer, other_officer, reviewer):
    own = officer.agency_membership.agency
    for nobody in [officer, None]:
        with pytest.raises(Refused):
            account_invite(email="x@example.cn", role=REVIEWERS, by=nobody)
    with pytest.raises(Refused):
        agency_member_invite(agency=own, email="y@example.cn", by=other_officer)
    with pytest.raises(Refused):
        agency_member_invite(agency=own, email="z@example.cn", by=reviewer)
    # An officer brings in someone new, never someone else's account.
    with pytest.raises(Refused):
        agency_member_invite(agency=own, email=reviewer.email, by=officer)
    assert roles(reviewer) == {REVIEWERS}
    colleague = agency_member_invite(agency=own, email="new@example.cn", name="李华", by=officer)
    assert colleague.agency_membership.agency == own and roles(colleague) == {AGENCIES}
    assert audit(colleague) == [(AccountAction.INVITED, officer.pk)]


def test_deactivation_reactivation_and_unlocking_are_audited(client, organiser, reviewer):
    assert account_active_set(user=reviewer, active=False, by=organiser)
    assert not signs_in(client, reviewer.username, factories.PASSWORD)
    assert not account_active_set(user=reviewer, active=False, by=organiser)  # already: nothing recorded
    assert account_active_set(user=reviewer, active=True, by=organiser, reason="回来了")
    AccessAttempt.objects.create(
        username=reviewer.username, ip_address="192.0.2.7", user_agent="x", failures_since_start=9
    )
    # The lock made here and the failure of the sign-in tried while deactivated.
    assert account_unlock(user=reviewer, by=organiser, address="192.0.2.1") == 2
    assert not AccessAttempt.objects.filter(username=reviewer.username).exists()
    assert audit(reviewer) == [
        (AccountAction.DEACTIVATED, organiser.pk),
        (AccountAction.REACTIVATED, organiser.pk),
        (AccountAction.UNLOCKED, organiser.pk),
    ]
    assert SignInEvent.objects.filter(
        kind=SignInKind.UNLOCK, username=reviewer.username, by=organiser
    ).exists()
    with pytest.raises(Refused):
        account_active_set(user=organiser, active=False, by=organiser)
    with pytest.raises(Refused):
        account_unlock(user=organiser, by=reviewer)


def test_a_lock_lifted_from_the_login_locks_page_is_an_account_change_too(client, organiser, officer):
    AccessAttempt.objects.create(
        username=officer.username, ip_address="192.0.2.7", user_agent="x", failures_since_start=9
    )
    AccessAttempt.objects.create(
        username="nobody-such", ip_address="192.0.2.8", user_agent="x", failures_since_start=9
    )
    client.force_login(organiser)
    client.post(
        "/admin/accounts/loginlock/",
        {"action": "unlock", "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True))},
    )
    assert not AccessAttempt.objects.exists()
    assert audit(officer) == [(AccountAction.UNLOCKED, organiser.pk)]
    assert (
        AccountChange.objects.count() == 1
    )  # the lock of a name without an account is a sign-in record only


# --- the invitation ------------------------------------------------------------------------------------------


def signs_in(client, username: str, password: str) -> bool:
    """Through the login form, as a person does (django-axes needs the request)."""
    return client.post(reverse("login"), {"username": username, "password": password}).status_code == 302


def invitation_link(body: str) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/invitation/\S+/)", body).group(1)


def set_password(client, link: str, password: str = GOOD_PASSWORD):
    form_url = client.get(link)["Location"]  # Django keeps the token in the session, then shows the form
    return client.post(form_url, {"new_password1": password, "new_password2": password})


def test_the_invited_reviewer_signs_in_only_after_choosing_a_password_from_the_emailed_link(
    client, smtp, organiser, deliver_mail
):
    smtp.start()
    round = factories.RoundFactory(
        year=2025, phase=Phase.REVIEW, review_deadline=timezone.now() + timedelta(days=20)
    )
    categories = factories.categories_2024()[:2]
    reviewer_invite(
        email="Wang.Fang@cass.example.cn", name="王芳", categories=categories, institution="中国社会科学院",
        language="en", by=organiser,
    )  # fmt: skip
    deliver_mail()

    (received,) = smtp.recorder.received
    assert received.recipient == "Wang.Fang@cass.example.cn"
    assert "user name is wang.fang@cass.example.cn" in received.body
    assert "as reviewer" in received.body and round.title in received.body
    assert f"{timezone.localtime(round.review_deadline):%Y}" in received.body
    assert f"within {django_settings.INVITATION_VALID_DAYS} days" in received.body
    user = User.objects.get(email="Wang.Fang@cass.example.cn")
    assert user.first_name == "王芳" and roles(user) == {REVIEWERS}
    assert set(user.reviewer_profile.categories.all()) == set(categories)

    assert not signs_in(client, user.username, GOOD_PASSWORD)
    page = client.get(invitation_link(received.body), follow=True).content.decode()
    assert 'id="invitation-username"' in page and user.username in page
    assert set_password(client, invitation_link(received.body)).status_code == 302

    client.logout()
    assert signs_in(client, user.username, GOOD_PASSWORD)
    assert client.get(reverse("home-after-login"))["Location"] == "/review/"
    # The link served once; a password reset link is no invitation link.
    client.logout()
    assert 'id="invalid-link"' in client.get(invitation_link(received.body), follow=True).content.decode()


def test_an_officers_invitation_names_the_agency_and_the_submission_deadline_in_chinese(
    organiser, smtp, deliver_mail
):
    smtp.start()
    round = factories.RoundFactory(year=2026)
    agency = factories.AgencyFactory(name="杭州市人民政府")
    agency_member_invite(agency=agency, email="hz@example.cn", name="周杰", by=organiser)
    deliver_mail()
    (received,) = smtp.recorder.received
    assert "杭州市人民政府" in received.body and round.title in received.body
    assert "hz@example.cn" in received.body and "/accounts/invitation/" in received.body
    assert "单位填报人员" in received.body and "周杰" in received.body and "14天内" in received.body


@pytest.mark.parametrize(
    "language, invited_as, other_role",
    [("zh-hans", "开通评审专家账号", "单位填报人员"), ("en", "as reviewer", "agency officer")],
)
def test_an_officer_invited_as_a_reviewer_is_told_they_are_invited_as_a_reviewer(
    organiser, language, invited_as, other_role
):
    round = factories.RoundFactory(
        year=2025, phase=Phase.REVIEW, review_deadline=timezone.now() + timedelta(days=20)
    )
    officer = factories.AgencyMemberFactory(agency=factories.AgencyFactory(name="杭州市人民政府")).user
    Profile.objects.create(user=officer, language=language)
    reviewer_invite(
        email=officer.email, name="周杰", categories=factories.categories_2024()[:1], by=organiser
    )

    message = OutboxMessage.objects.get(recipient=officer.email, kind="invitation")
    assert invited_as in message.body and round.title in message.body
    # Not the role they already had, nor the agency they are an officer of.
    assert other_role not in message.body and "杭州市人民政府" not in message.body
    assert roles(officer) == {AGENCIES, REVIEWERS}


@pytest.mark.parametrize(
    "language, invited_as, other_role",
    [("zh-hans", "开通评审专家账号", "单位填报人员"), ("en", "as reviewer", "agency officer")],
)
def test_an_invitation_sent_again_names_the_role_of_the_latest_invitation(
    organiser, language, invited_as, other_role
):
    factories.RoundFactory(year=2025, phase=Phase.REVIEW, review_deadline=timezone.now() + timedelta(days=20))
    officer = agency_member_invite(
        agency=factories.AgencyFactory(name="杭州市人民政府"),
        email="zhou@example.cn",
        name="周杰",
        language=language,
        by=organiser,
    )
    reviewer_invite(
        email=officer.email, name="周杰", categories=factories.categories_2024()[:1], by=organiser
    )

    invitation_resend(user=officer, by=organiser)

    sent = OutboxMessage.objects.filter(recipient=officer.email, kind="invitation").order_by("pk")
    assert sent.count() == 3
    assert invited_as in sent.last().body
    assert other_role not in sent.last().body and "杭州市人民政府" not in sent.last().body
    # The first invitation, for the officer's role, named it and the agency.
    assert other_role in sent.first().body and "杭州市人民政府" in sent.first().body


def test_an_invitation_recorded_without_its_role_is_sent_again_for_the_first_role_held(organiser):
    factories.RoundFactory(year=2026)
    officer = agency_member_invite(
        agency=factories.AgencyFactory(name="杭州市人民政府"), email="zhou@example.cn", by=organiser
    )
    account_invite(email=officer.email, role=REVIEWERS, by=organiser)
    AccountChange.objects.filter(user=officer).update(role="")  # as recorded before the role was kept

    invitation_resend(user=officer, by=organiser)

    resent = OutboxMessage.objects.filter(recipient=officer.email, kind="invitation").latest("pk")
    assert "单位填报人员" in resent.body and "杭州市人民政府" in resent.body


def token_made(user, days_ago: float) -> str:
    """The invitation token as it was made `days_ago` days ago."""
    generator = invitation_token_generator
    made = generator._num_seconds(generator._now()) - int(days_ago * 24 * 3600)
    return generator._make_token_with_timestamp(user, made, generator.secret)


def test_the_link_runs_out_after_the_set_number_of_days_and_the_organiser_sends_a_new_one(
    client, settings, organiser, deliver_mail
):
    settings.INVITATION_VALID_DAYS = 5
    user = account_invite(email="eva@example.cn", role=EVALUATORS, by=organiser)
    uid = re.search(r"/accounts/invitation/([^/]+)/", OutboxMessage.objects.get().body).group(1)

    assert (
        'id="invitation-username"'
        in client.get(f"/accounts/invitation/{uid}/{token_made(user, 4.9)}/", follow=True).content.decode()
    )
    expired = client.get(f"/accounts/invitation/{uid}/{token_made(user, 5.1)}/", follow=True).content.decode()
    assert 'id="invalid-link"' in expired

    invitation_resend(user=user, by=organiser)
    resent = OutboxMessage.objects.order_by("-pk").first()
    assert resent.recipient == "eva@example.cn" and resent.kind == "invitation"
    assert set_password(client, invitation_link(resent.body)).status_code == 302
    assert audit(user) == [(AccountAction.INVITED, organiser.pk), (AccountAction.RESENT, organiser.pk)]
    # Once a password is chosen there is nothing to send again.
    with pytest.raises(Refused, match="已设置密码"):
        invitation_resend(user=User.objects.get(pk=user.pk), by=organiser)


def test_a_password_reset_link_is_no_invitation_link(client, organiser):
    user = account_invite(email="eva@example.cn", role=EVALUATORS, by=organiser)
    uid = re.search(r"/accounts/invitation/([^/]+)/", OutboxMessage.objects.get().body).group(1)
    from django.contrib.auth.tokens import default_token_generator

    wrong = client.get(f"/accounts/invitation/{uid}/{default_token_generator.make_token(user)}/", follow=True)
    assert 'id="invalid-link"' in wrong.content.decode()


# --- the organisers' admin -----------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, organiser):
    client.force_login(organiser)
    return client


def test_the_people_pages_show_the_invite_and_import_buttons(admin_client):
    users = admin_client.get("/admin/auth/user/").content.decode()
    assert 'id="invite-reviewer"' in users and 'id="invite-agency-staff"' in users
    reviewers = admin_client.get("/admin/reviews/reviewerprofile/").content.decode()
    assert 'id="invite-one"' in reviewers and 'id="invite-spreadsheet"' in reviewers
    assert "邀请评审专家" in reviewers
    staff = admin_client.get("/admin/govcases/agencymember/").content.decode()
    assert 'id="invite-one"' in staff and 'id="invite-spreadsheet"' in staff


def test_an_organiser_invites_one_reviewer_from_the_admin_and_a_refusal_keeps_the_form(
    admin_client, organiser
):
    factories.RoundFactory(year=2025)
    conflict = factories.AgencyFactory(name="北京市人民政府")
    service = factories.categories_2024()[1]
    url = "/admin/reviews/reviewerprofile/add/"
    form = {
        "name": "王芳",
        "email": "wf@example.cn",
        "affiliation": "清华大学",
        "categories": [service.pk],
        "conflicts": "北京市人民政府",
        "language": "zh-hans",
    }
    assert admin_client.post(url, form).status_code == 302
    profile = ReviewerProfile.objects.get(user__email="wf@example.cn")
    assert profile.institution == "清华大学" and list(profile.declared_conflicts.all()) == [conflict]
    assert list(profile.categories.all()) == [service]

    again = admin_client.post(url, {**form, "email": organiser.email}, **EN)
    assert again.status_code == 200
    assert "Only a superuser can change the account of an organiser" in again.content.decode()
    assert 'value="清华大学"' in again.content.decode()  # what was typed stays


def test_the_admin_never_offers_an_organiser_the_organisers_role_nor_the_superuser_flag(
    admin_client, organiser, reviewer
):
    add = admin_client.get("/admin/auth/user/add/")
    assert [value for value, _label in add.context["form"].fields["role"].choices] == [EVALUATORS]
    refused = admin_client.post(
        "/admin/auth/user/add/", {"name": "x", "email": "x@example.cn", "role": ORGANISERS}
    )
    assert refused.status_code == 200 and not User.objects.filter(email="x@example.cn").exists()

    change = f"/admin/auth/user/{reviewer.pk}/change/"
    fields = admin_client.get(change).context["adminform"].form.fields
    assert "is_superuser" not in fields and "is_staff" not in fields
    assert ORGANISERS not in dict(fields["roles"].choices)
    crafted = {
        "first_name": "",
        "last_name": "",
        "email": reviewer.email,
        "is_superuser": "on",
        # The audit trail's inline (read-only) still sends its management form.
        "account_changes-TOTAL_FORMS": "0",
        "account_changes-INITIAL_FORMS": "0",
    }
    refused = admin_client.post(change, {**crafted, "roles": [REVIEWERS, ORGANISERS]})
    assert refused.status_code == 200 and refused.context["adminform"].form.errors["roles"]
    assert admin_client.post(change, {**crafted, "roles": [REVIEWERS, EVALUATORS]}).status_code == 302
    reviewer.refresh_from_db()
    assert roles(reviewer) == {REVIEWERS, EVALUATORS} and not reviewer.is_superuser

    # Their own account: a page to read, not to change.
    own = f"/admin/auth/user/{organiser.pk}/change/"
    own_page = admin_client.get(own).content.decode()
    assert 'name="roles"' not in own_page and 'name="email"' not in own_page
    assert (
        admin_client.post(own, {**crafted, "email": organiser.email, "roles": [ORGANISERS]}).status_code
        == 403
    )
    assert roles(organiser) == {ORGANISERS} and not User.objects.get(pk=organiser.pk).is_superuser


def test_a_superuser_is_offered_the_organisers_role(client, superuser):
    client.force_login(superuser)
    choices = client.get("/admin/auth/user/add/").context["form"].fields["role"].choices
    assert ORGANISERS in dict(choices)


def run_action(client, action: str, users) -> str:
    response = client.post(
        "/admin/auth/user/", {"action": action, "_selected_action": [user.pk for user in users]}, follow=True
    )
    return response.content.decode()


def test_the_admins_actions_call_the_services_and_tell_what_was_refused(
    admin_client, organiser, other_organiser, reviewer, officer
):
    page = run_action(admin_client, "deactivate", [reviewer, officer, other_organiser])
    assert "已停用2个账号" in page and "只有超级管理员才能修改组织方" in page
    assert (
        not User.objects.get(pk=reviewer.pk).is_active and User.objects.get(pk=other_organiser.pk).is_active
    )
    run_action(admin_client, "reactivate", [reviewer])
    assert User.objects.get(pk=reviewer.pk).is_active
    AccessAttempt.objects.create(
        username=officer.username, ip_address="192.0.2.9", user_agent="x", failures_since_start=5
    )
    listing = admin_client.get("/admin/auth/user/?is_active__exact=0").context["cl"].result_list
    assert [user.is_locked for user in listing] == [True]
    run_action(admin_client, "unlock", [officer])
    assert not AccessAttempt.objects.exists()
    invited = account_invite(email="eva@example.cn", role=EVALUATORS, by=organiser)
    run_action(admin_client, "resend_invitation", [invited])
    assert OutboxMessage.objects.filter(recipient="eva@example.cn").count() == 2

    trail = admin_client.get("/admin/govcases/accountchange/").context["cl"].result_list
    assert {(entry.username, entry.action) for entry in trail} == {
        (reviewer.username, AccountAction.DEACTIVATED),
        (reviewer.username, AccountAction.REACTIVATED),
        (officer.username, AccountAction.DEACTIVATED),
        (officer.username, AccountAction.UNLOCKED),
        (invited.username, AccountAction.INVITED),
        (invited.username, AccountAction.RESENT),
    }
    trail_on_page = admin_client.get(f"/admin/auth/user/{reviewer.pk}/change/").content.decode()
    assert 'id="account_changes-group"' in trail_on_page and "已重新启用" in trail_on_page


def test_the_user_list_shows_the_last_login(admin_client, reviewer):
    User.objects.filter(pk=reviewer.pk).update(
        last_login=timezone.make_aware(timezone.datetime(2025, 3, 1, 9, 30))
    )
    page = admin_client.get("/admin/auth/user/", **EN).content.decode()
    assert "Last login" in page and "March 1, 2025" in page


# --- the officer's colleagues --------------------------------------------------------------------------------


def test_an_officer_invites_a_colleague_of_their_own_agency_from_the_portal(
    client, officer, other_officer, reviewer
):
    client.force_login(officer)
    own = officer.agency_membership.agency
    crafted = {
        "name": "李华",
        "email": "lihua@example.cn",
        "agency": other_officer.agency_membership.agency_id,
    }
    response = client.post("/portal/colleagues/", crafted)
    assert response.status_code == 302
    assert AgencyMember.objects.get(user__email="lihua@example.cn").agency == own
    page = client.get("/portal/colleagues/").content.decode()
    assert "lihua@example.cn" in page and "尚未设置密码" in page

    taken = client.post("/portal/colleagues/", {"name": "某人", "email": reviewer.email})
    assert taken.status_code == 200 and "请联系组织方" in taken.content.decode()
    assert 'value="某人"' in taken.content.decode()
    moved = client.post("/portal/colleagues/", {"name": "x", "email": other_officer.email})
    assert "已是" in moved.content.decode()
    assert roles(reviewer) == {REVIEWERS} and other_officer.agency_membership.agency != own


# --- query counts --------------------------------------------------------------------------------------------


def queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url", ["/admin/auth/user/", "/admin/govcases/accountchange/", "/admin/govcases/agencymember/"]
)
def test_the_people_lists_take_the_same_queries_for_3_as_for_30(admin_client, organiser, url):
    def add(count):
        for _ in range(count):
            member = factories.AgencyMemberFactory()
            member.user.groups.add(Group.objects.get_or_create(name=EVALUATORS)[0])
            account_active_set(user=member.user, active=False, by=organiser)

    add(3)
    few = queries(admin_client, url)
    add(27)
    assert queries(admin_client, url) == few


def test_the_colleagues_page_takes_the_same_queries_for_1_as_for_20(client, officer):
    client.force_login(officer)
    few = queries(client, "/portal/colleagues/")
    for _ in range(19):
        factories.AgencyMemberFactory(agency=officer.agency_membership.agency)
    assert queries(client, "/portal/colleagues/") == few
