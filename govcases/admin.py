"""The organisers' admin for the cases domain at /admin/: agencies and their officers, categories, rounds and
quotas, cases, e-mail texts and publications.

Declarative where Django's admin allows it; every change of state goes through govcases.services, and
actions that need a reason or addresses ask for them on an intermediate page first.
"""

import re

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Replace
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django_tasks_db.models import DBTaskResult

from . import booklet, bulk, outbox, selectors, services, steps
from .admin_actions import confirmation_page, run_for_each
from .enums import CaseStatus, Phase
from .exceptions import Refused
from .forms import BulkMailForm, CaseIdentifyingPartsForm, InviteForm, ReasonForm, RoundCopyForm, StepForm
from .models import (
    AccountChange,
    Agency,
    AgencyMember,
    Case,
    Category,
    EmailTemplate,
    OutboxMessage,
    Profile,
    Publication,
    PublishedCase,
    Quota,
    Round,
    RoundEvent,
    RoundPhaseChange,
    level_order,
)
from .notifications import KINDS as EMAIL_KINDS
from .people_import import AgencyStaffResource, AgencyStaffRowForm, InvitationImportAdmin, LanguageField
from .sites import AuditTrailInline, LeanList, OrganisersOnly, ReadOnly

# --- agencies --------------------------------------------------------------------------------------------


class AgencyMemberInline(ReadOnly, admin.TabularInline):
    """The agency's officers, read-only: people come in by invitation (audited), never by a row typed here."""

    model = AgencyMember
    extra = 0
    fields = ["user", "email"]
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("agency officers (to add one, use the action “Invite staff”)")

    @admin.display(description=gettext_lazy("e-mail"))
    def email(self, member):
        return member.user.email if member.user_id else ""


# The organisers follow the mail in the outbox below; the worker's task rows are plumbing, not theirs.
if admin.site.is_registered(DBTaskResult):
    admin.site.unregister(DBTaskResult)


@admin.register(Agency)
class AgencyAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["name", "display_name", "level", "province", "parent", "email"]
    list_filter = ["level", "province"]
    search_fields = ["name", "display_name", "pinyin"]
    readonly_fields = ["pinyin"]
    autocomplete_fields = ["parent"]
    inlines = [AgencyMemberInline]
    actions = ["invite_staff"]
    list_select_related = ["parent"]

    def get_queryset(self, request):
        return Agency.objects.in_report_order()

    def get_search_results(self, request, queryset, search_term):
        # The stored key carries tone numbers ("an1 hui1"); officers type "anhui".
        found, duplicates = super().get_search_results(request, queryset, search_term)
        letters = re.sub(r"[^a-z]", "", search_term.lower())
        if not letters:
            return found, duplicates
        plain = F("pinyin")
        for character in "12345 ":
            plain = Replace(plain, Value(character), Value(""))
        by_pinyin = Agency.objects.alias(plain_pinyin=plain).filter(plain_pinyin__contains=letters)
        return queryset.filter(Q(pk__in=found.values("pk")) | Q(pk__in=by_pinyin.values("pk"))), duplicates

    def get_ordering(self, request):
        # Ministries first, then provinces… and by Hanyu Pinyin within a level, as the report lists them.
        return [level_order(), "pinyin", "pk"]

    @admin.action(description=gettext_lazy("Invite staff: e-mail officers a link to choose a password"))
    def invite_staff(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, _("Choose exactly one agency to invite its staff."), messages.ERROR)
            return None
        agency = queryset.get()
        form = InviteForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():

            def invite(email: str) -> str:
                services.agency_member_invite(
                    agency=agency,
                    email=email,
                    by=request.user,
                    language=form.cleaned_data["language"] or settings.LANGUAGE_CODE,
                )
                return email

            invited = run_for_each(self, request, form.cleaned_data["emails"], invite)
            if invited:
                self.message_user(
                    request,
                    ngettext(
                        "Invited %(count)d officer of %(agency)s: %(emails)s",
                        "Invited %(count)d officers of %(agency)s: %(emails)s",
                        len(invited),
                    )
                    % {"count": len(invited), "agency": agency, "emails": ", ".join(invited)},
                    messages.SUCCESS,
                )
            return None
        return confirmation_page(
            self,
            request,
            queryset,
            template="admin/govcases/agency/invite_staff.html",
            form=form,
            title=_("Invite staff of %(agency)s") % {"agency": agency},
            action="invite_staff",
        )


class AgencyStaffInviteForm(AgencyStaffRowForm):
    language = LanguageField()


@admin.register(AgencyMember)
class AgencyMemberAdmin(OrganisersOnly, InvitationImportAdmin, admin.ModelAdmin):
    """Agency officers: invited one at a time or from a coordinator's spreadsheet (name, e-mail, agency)."""

    resource_classes = [AgencyStaffResource]
    invite_button_label = gettext_lazy("Invite agency staff")
    list_display = ["user", "name", "email", "agency", "active", "last_login"]
    list_filter = ["agency__level", "user__is_active"]
    search_fields = [
        "user__username",
        "user__email",
        "user__first_name",
        "agency__name",
        "agency__display_name",
    ]
    list_select_related = ["user", "agency"]
    raw_id_fields = ["user"]
    autocomplete_fields = ["agency"]

    def add_view(self, request, form_url="", extra_context=None):
        return self.invite_view(
            request,
            form_class=AgencyStaffInviteForm,
            invite=lambda cleaned: AgencyStaffResource().invite(cleaned, by=request.user),
            title=_("Invite agency staff"),
        )

    def has_change_permission(self, request, obj=None):
        # An officer's agency changes only by a new invitation; the account is managed under Users.
        return False

    def has_delete_permission(self, request, obj=None):
        # Officers who leave are deactivated under Users: their cases' history names them.
        return False

    @admin.display(description=gettext_lazy("full name"), ordering="user__first_name")
    def name(self, member):
        return member.user.get_full_name()

    @admin.display(description=gettext_lazy("e-mail"), ordering="user__email")
    def email(self, member):
        return member.user.email

    @admin.display(description=gettext_lazy("active"), boolean=True, ordering="user__is_active")
    def active(self, member):
        return member.user.is_active

    @admin.display(description=gettext_lazy("last login"), ordering="user__last_login")
    def last_login(self, member):
        return member.user.last_login


@admin.register(Category)
class CategoryAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "position"]
    list_editable = ["position"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name_en"]}


# --- rounds ----------------------------------------------------------------------------------------------


class QuotaInline(OrganisersOnly, admin.TabularInline):
    model = Quota
    extra = 0
    min_num = 1


class RoundPhaseChangeInline(AuditTrailInline):
    model = RoundPhaseChange
    fields = ["at", "from_phase", "to_phase", "by", "reason", "overridden"]
    readonly_fields = fields


class RoundEventInline(AuditTrailInline):
    model = RoundEvent
    fk_name = "round"
    fields = ["at", "action", "source", "by", "reason"]
    readonly_fields = fields


@admin.register(Round)
class RoundAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["year", "title", "phase", "submission_deadline", "review_deadline", "reviews_per_case"]
    list_filter = ["phase"]
    readonly_fields = ["phase", "dossiers"]
    inlines = [QuotaInline, RoundEventInline, RoundPhaseChangeInline]
    change_form_template = "admin/govcases/round/change_form.html"
    change_list_template = "admin/govcases/round/change_list.html"
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "year",
                    "title",
                    "phase",
                    "submission_opens",
                    "submission_deadline",
                    "review_deadline",
                    "dossiers",
                ]
            },
        ),
        (gettext_lazy("Guidelines for agencies"), {"fields": ["guidelines"]}),
        (
            gettext_lazy("Stages"),
            {"fields": ["triage_enabled", "screening_reason_shared", "verification_enabled"]},
        ),
        (
            gettext_lazy("Reviewing and ranking"),
            {
                "fields": [
                    "reviews_per_case",
                    "replace_declined_automatically",
                    "ranking_score",
                    "ranking_convention",
                    "disagreement_range",
                    "disagreement_stdev",
                    "normalisation_min_reviews",
                    "blind_review",
                ]
            },
        ),
        (
            gettext_lazy("Messages and feedback"),
            {"fields": ["draft_reminder_days", "review_reminder_days", "agency_feedback"]},
        ),
    ]

    def has_delete_permission(self, request, obj=None):
        # A round's cases, reviews and publications hang on it: rounds are archived, never deleted.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A stage is chosen before it could begin: triage once submissions close, verification once the
        # selection is staged. Changing either later would rewrite the order the round was run in.
        fixed = []
        if obj is not None and obj.phase not in {Phase.SETUP, Phase.SUBMISSION}:
            fixed.append("triage_enabled")
        if obj is not None and obj.phase not in {Phase.SETUP, Phase.SUBMISSION, Phase.TRIAGE, Phase.REVIEW}:
            fixed.append("verification_enabled")
        return [*super().get_readonly_fields(request, obj), *fixed]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:
            # With its quotas saved: each category's default rubric, and the record of who created it.
            services.round_set_up(round=form.instance, by=request.user)

    def get_urls(self):
        copy = path("copy/", self.admin_site.admin_view(self.copy_view), name="govcases_round_copy")
        step = path(
            "<int:object_id>/step/<str:to>/",
            self.admin_site.admin_view(self.step_view),
            name="govcases_round_step",
        )
        dossier = path(
            "<int:round_id>/dossier/<slug:category_code>.pdf",
            self.admin_site.admin_view(self.dossier_view),
            name="govcases_round_dossier",
        )
        return [copy, step, dossier, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        round = self.get_object(request, object_id)
        offered = [] if round is None else selectors.round_steps_offered(round=round)
        context = {**(extra_context or {}), "steps": [(to, Phase(to).label) for to in offered]}
        return super().change_view(request, object_id, form_url, context)

    def step_view(self, request, object_id: int, to: str):
        """The confirmation page of a phase change: what it does, what is outstanding, override and reason."""
        round = self.get_object(request, str(object_id))
        if round is None or not self.has_change_permission(request, round):
            raise Http404
        if to not in selectors.round_steps_offered(round=round):
            raise Http404
        form = StepForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.round_phase_set(
                    round=round,
                    to=to,
                    by=request.user,
                    override=form.cleaned_data["override"],
                    reason=form.cleaned_data["reason"],
                )
            except Refused as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(
                    request,
                    _("%(round)s is now in the “%(phase)s” phase.")
                    % {"round": round, "phase": Phase(to).label},
                    messages.SUCCESS,
                )
                return redirect("admin:govcases_round_change", round.pk)
        outstanding = steps.outstanding(round=round, to=to)
        return TemplateResponse(
            request,
            "admin/govcases/round/step.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Move %(round)s to “%(phase)s”?") % {"round": round, "phase": Phase(to).label},
                "opts": self.model._meta,
                "original": round,
                "effects": steps.effects(round=round, to=to),
                "outstanding": outstanding,
                "form": form,
            },
        )

    def copy_view(self, request):
        """“Start from last year”: a new round with an earlier round's quotas, rubrics, settings, guidelines."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        chosen = (
            Round.objects.filter(pk=request.GET.get("source", "")).first()
            if request.GET.get("source", "").isdecimal()
            else None
        )
        latest = chosen or Round.objects.order_by("-year").first()
        form = RoundCopyForm(request.POST or None, initial=RoundCopyForm.initial_from(latest))
        if request.method == "POST" and form.is_valid():
            try:
                round = services.round_copy(
                    **{name: form.cleaned_data[name] for name in RoundCopyForm.base_fields}, by=request.user
                )
            except ValidationError as invalid:
                form.add_error(None, invalid)
            except Refused as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(
                    request,
                    _("%(round)s was started from %(source)s. Check its quotas, rubrics and guidelines.")
                    % {"round": round, "source": form.cleaned_data["source"]},
                    messages.SUCCESS,
                )
                return redirect("admin:govcases_round_change", round.pk)
        return TemplateResponse(
            request,
            "admin/govcases/round/copy.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Start a new round from an earlier one"),
                "opts": self.model._meta,
                "form": form,
            },
        )

    @admin.display(description=gettext_lazy("Panel dossiers (PDF)"))
    def dossiers(self, round):
        if not round.pk:
            return "–"
        links = [
            format_html(
                '<a href="{}">{}</a>',
                reverse("admin:govcases_round_dossier", args=[round.pk, quota.category.code]),
                quota.category,
            )
            for quota in round.quotas.select_related("category").order_by("category__position")
        ]
        return format_html(" · ".join(["{}"] * len(links)), *links) if links else "–"

    def dossier_view(self, request, round_id: int, category_code: str):
        """The cases a category's panel reviews, as a PDF for an offline meeting (organisers only)."""
        round = get_object_or_404(Round, pk=round_id)
        if not self.has_view_permission(request, round):
            raise PermissionDenied
        category = get_object_or_404(Category, code=category_code, quotas__round=round)
        response = HttpResponse(
            booklet.panel_dossier_pdf(round=round, category=category), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="dossier-{round.year}-{category.code}.pdf"'
        return response


# --- cases -----------------------------------------------------------------------------------------------


def parts_table(headers: list, rows: list[tuple]) -> str:
    """A read-only table of a case's images, attachments or status changes on its admin page.

    Inline formsets would build a form and its hidden inputs per row for records nobody edits here: on a case
    with a long history they took more time than the rest of the page.
    """
    if not rows:
        return "—"
    return format_html(
        '<table class="case-parts"><thead><tr>{}</tr></thead><tbody>{}</tbody></table>',
        format_html_join("", '<th scope="col">{}</th>', ((capfirst(header),) for header in headers)),
        format_html_join(
            "",
            "<tr>{}</tr>",
            ((format_html_join("", "<td>{}</td>", ((cell,) for cell in row)),) for row in rows),
        ),
    )


def identifying_box(name: str, part) -> str:
    """The box of a picture or attachment in CaseIdentifyingPartsForm's field `name`: ticked if the part
    identifies the case's agency."""
    return format_html(
        '<input type="checkbox" name="{}" value="{}" aria-label="{}"{}>',
        name,
        part.pk,
        _("%(part)s identifies the agency") % {"part": part},
        " checked" if part.identifying else "",
    )


def _reason_action(to: str, description, title):
    @admin.action(description=description)
    def action(modeladmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if not (form.is_bound and form.is_valid()):
            return confirmation_page(
                modeladmin,
                request,
                queryset,
                template="admin/govcases/case/reason.html",
                form=form,
                title=title,
                action=f"status_{to}",
            )
        done = run_for_each(
            modeladmin,
            request,
            queryset,
            lambda case: services.case_transition(
                case=case, to=to, by=request.user, reason=form.cleaned_data["reason"]
            ),
        )
        if done:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d case is now “%(status)s”.",
                    "%(count)d cases are now “%(status)s”.",
                    len(done),
                )
                % {"count": len(done), "status": CaseStatus(to).label},
                messages.SUCCESS,
            )
        return None

    action.__name__ = f"status_{to}"
    return action


@admin.register(Case)
class CaseAdmin(OrganisersOnly, LeanList, admin.ModelAdmin):
    list_display = ["title", "agency", "category", "status", "reference", "round", "submitted_at"]
    list_filter = ["round", "category", "status", "agency__level"]
    search_fields = ["title", "reference", "agency__name", "agency__display_name", "agency__pinyin"]
    list_select_related = ["agency", "category", "round"]
    # What the list's columns show: a case's long texts stay in the database (see LeanChangeList). No date
    # hierarchy: it reads every case's date for its links, and the round's filter already narrows by year.
    list_only = [
        "title",
        "status",
        "reference",
        "submitted_at",
        "agency__name",
        "category__name",
        "round__title",
        "round__year",
    ]
    # Even written by LeanChangeList a row costs about 0.1 ms (its four model instances, its date): fifty keep
    # the page within 1.5× the admin index, and a filtered list shows its count without counting the whole
    # table again.
    list_per_page = 50
    show_full_result_count = False
    actions = [
        _reason_action(
            CaseStatus.RETURNED,
            gettext_lazy("Return for correction (with a reason)"),
            gettext_lazy("Return cases to their agencies for correction"),
        ),
        _reason_action(
            CaseStatus.INELIGIBLE,
            gettext_lazy("Mark ineligible (with a reason)"),
            gettext_lazy("Mark cases ineligible"),
        ),
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "round",
                    "agency",
                    "status",
                    "reference",
                    "submitted_at",
                    *services.CASE_FIELDS,
                    "created_by",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
        (gettext_lazy("Images"), {"fields": ["image_table"]}),
        (gettext_lazy("Attachments"), {"fields": ["attachment_table"]}),
        (gettext_lazy("Status changes"), {"fields": ["transition_table"]}),
        (gettext_lazy("Review"), {"fields": ["assignment_links"]}),
    ]

    # The case is read-only here but for the marks of the parts that identify its agency (a blind round's
    # reviewers neither see nor fetch them): boxes in the tables of pictures and attachments. Not inline
    # formsets, which build a form per part and took a third of the page.
    form = CaseIdentifyingPartsForm

    def save_model(self, request, obj, form, change):
        # Nothing of the case itself is written here: only the changed marks, each through its service.
        for part, identifying in form.changed_parts():
            services.case_part_identifying_set(part=part, identifying=identifying, by=request.user)

    def save_related(self, request, form, formsets, change):
        pass  # no inlines, and the marks are not relations of the case

    def get_queryset(self, request):
        # The change page shows who created the case beside its round, agency and category.
        return super().get_queryset(request).select_related("round", "agency", "category", "created_by")

    # Without the nav sidebar, which rebuilds the admin index's list of every model on each page and cost these
    # two pages as much as the whole index; the breadcrumbs lead back to it.
    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {"is_nav_sidebar_enabled": False, **(extra_context or {})})

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return super().change_view(
            request, object_id, form_url, {"is_nav_sidebar_enabled": False, **(extra_context or {})}
        )

    def get_readonly_fields(self, request, obj=None):
        # The agency owns its case's content; the status changes only through the actions above.
        return [field for _name, options in self.fieldsets for field in options["fields"]]

    @admin.display(description=gettext_lazy("images"))
    def image_table(self, case):
        return parts_table(
            [_("image"), _("caption"), _("position"), _("size"), _("identifies the agency")],
            [
                (
                    format_html(
                        '<a href="{}"><img src="{}" alt="" width="160"></a>',
                        image.image.url,
                        image.thumbnail.url,
                    ),
                    image.caption,
                    image.position,
                    f"{image.width} × {image.height}",
                    identifying_box("identifying_images", image),
                )
                for image in case.images.order_by("position", "pk")
            ],
        )

    @admin.display(description=gettext_lazy("attachments"))
    def attachment_table(self, case):
        return parts_table(
            [_("file"), _("size"), _("identifies the agency")],
            [
                (
                    format_html('<a href="{}">{}</a>', attachment.file.url, attachment.name),
                    filesizeformat(attachment.size),
                    identifying_box("identifying_attachments", attachment),
                )
                for attachment in case.attachments.order_by("pk")
            ],
        )

    @admin.display(description=gettext_lazy("status changes"))
    def transition_table(self, case):
        return parts_table(
            [_("at"), _("from"), _("to"), _("by"), _("reason")],
            [
                (
                    date_format(localtime(change.at), "DATETIME_FORMAT"),
                    change.get_from_status_display(),
                    change.get_to_status_display(),
                    change.by or "—",
                    change.reason,
                )
                for change in case.transitions.select_related("by").order_by("at", "pk")
            ],
        )

    @admin.display(description=gettext_lazy("assignments"))
    def assignment_links(self, case):
        # The reviews app keeps the assignments and their trail; govcases names its admin lists only by URL,
        # so a site without them shows no link.
        links = []
        for anchor, url_name, text in [
            ("case-assignments", "admin:reviews_assignment_changelist", _("Reviewers assigned to this case")),
            (
                "case-assignment-events",
                "admin:reviews_assignmentevent_changelist",
                _("Assignment history of this case"),
            ),
        ]:
            try:
                url = f"{reverse(url_name)}?case__id__exact={case.pk}"
            except NoReverseMatch:
                continue
            links.append((anchor, url, text))
        if not links:
            return "—"
        return format_html_join(" · ", '<a id="{}" href="{}">{}</a>', links)

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmailTemplate)
class EmailTemplateAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["key", "language", "subject"]
    list_filter = ["key", "language"]
    search_fields = ["key", "subject", "body"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.base_fields["key"].help_text = format_html(
            "{}<ul>{}</ul>",
            _(
                "One kind per line below, with its placeholders. Texts use Django template syntax, e.g. {{ round.title }}; without a text of your own a kind uses its built-in one."
            ),
            format_html_join(
                "",
                "<li><code>{}</code> — {}: {}</li>",
                ((key, kind.label, kind.placeholders) for key, kind in EMAIL_KINDS.items()),
            ),
        )
        return form


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnly, admin.ModelAdmin):
    """Every e-mail and its delivery: organisers see who was told what, and send failed ones again."""

    list_display = ["created_at", "recipient", "kind", "round", "state", "attempts", "last_error", "sent_at"]
    list_filter = ["state", "kind", "round", "language"]
    search_fields = ["recipient", "subject"]
    list_select_related = ["round"]
    fields = [
        "recipient",
        "language",
        "kind",
        "round",
        "state",
        "attempts",
        "last_error",
        "created_at",
        "due_at",
        "sent_at",
        "subject",
        "body",
    ]
    readonly_fields = fields
    actions = ["resend"]
    date_hierarchy = "created_at"

    @admin.action(description=gettext_lazy("Send the selected failed messages again"))
    def resend(self, request, queryset):
        count = outbox.outbox_resend(messages=queryset, by=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed message queued again.", "%(count)d failed messages queued again.", count
            )
            % {"count": count},
        )

    def get_urls(self):
        resend_failed = self.admin_site.admin_view(self.resend_failed_view)
        compose = self.admin_site.admin_view(self.compose_view)
        return [
            path("resend-failed/", resend_failed, name="govcases_outboxmessage_resend_failed"),
            path("compose/", compose, name="govcases_outboxmessage_compose"),
            *super().get_urls(),
        ]

    def compose_view(self, request):
        """Bulk mail: the form, then the text rendered for the first recipient with the count, then sending."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = BulkMailForm(request.POST or None)
        preview = None
        if form.is_bound and form.is_valid():
            chosen = {name: form.cleaned_data[name] for name in ["group", "round", "category", "level"]}
            text = {"subject": form.cleaned_data["subject"], "body": form.cleaned_data["body"]}
            try:
                if request.POST.get("previewed") == form.digest():
                    count = bulk.bulk_mail_send(by=request.user, **chosen, **text)
                    self.message_user(
                        request,
                        ngettext("%(count)d message queued.", "%(count)d messages queued.", count)
                        % {"count": count},
                    )
                    return redirect("admin:govcases_outboxmessage_changelist")
                addressees = bulk.bulk_addressees(**chosen)
                if addressees:
                    subject, body = bulk.bulk_render(**text, addressee=addressees[0], round=chosen["round"])
                    preview = {
                        "count": len(addressees),
                        "to": addressees[0],
                        "subject": subject,
                        "body": body,
                    }
                else:
                    form.add_error("group", _("Nobody in this group has an e-mail address."))
            except Refused as refused:
                form.add_error(None, str(refused))
        return TemplateResponse(
            request,
            "admin/govcases/outboxmessage/compose.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Write to a group"),
                "opts": self.model._meta,
                "form": form,
                "preview": preview,
                "digest": form.digest() if preview else "",
            },
        )

    def resend_failed_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            count = outbox.outbox_resend(messages=OutboxMessage.objects.all(), by=request.user)
            self.message_user(
                request,
                ngettext(
                    "%(count)d failed message queued again.", "%(count)d failed messages queued again.", count
                )
                % {"count": count},
            )
        return redirect("admin:govcases_outboxmessage_changelist")

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}), "outbox": outbox.outbox_summary()})


@admin.register(Profile)
class ProfileAdmin(OrganisersOnly, admin.ModelAdmin):
    list_display = ["user", "language"]
    list_filter = ["language"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]


@admin.register(AccountChange)
class AccountChangeAdmin(ReadOnly, admin.ModelAdmin):
    """Every change to people's accounts, by whom and when (written by govcases.services.people)."""

    list_display = ["at", "username", "action", "detail", "by", "reason"]
    list_filter = ["action", "at"]
    search_fields = ["username", "detail"]
    list_select_related = ["by"]
    date_hierarchy = "at"


# --- publications ----------------------------------------------------------------------------------------


class PublishedCaseInline(ReadOnly, admin.TabularInline):
    model = PublishedCase
    extra = 0
    fields = ["title", "agency_name", "category", "level", "province"]
    readonly_fields = fields


@admin.register(Publication)
class PublicationAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["round", "version", "published_at", "published_by", "submitted"]
    list_filter = ["round"]
    inlines = [PublishedCaseInline]


@admin.register(PublishedCase)
class PublishedCaseAdmin(ReadOnly, admin.ModelAdmin):
    list_display = ["title", "agency_name", "category", "level", "publication"]
    list_filter = ["publication__round", "category", "level"]
    search_fields = ["title", "agency_name", "pinyin"]
    list_select_related = ["publication__round", "category"]
    # The view-only page still builds a form of every field; say the scheme, as Django 6 will assume https.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
