"""Invitations by spreadsheet (XLSX or CSV), through django-import-export's admin import: the file is read,
every row checked by the same services that invite one person (in a transaction rolled back), and the
preview lists each row's errors; only a file without any error can be confirmed, and a confirmed import
that still meets an error writes nothing (the whole import is one transaction).

A resource here is one kind of invitation: its `row_form` checks a row's shape (columns, addresses, names of
agencies and categories) and `invite` calls the service. Column headers may be in English or Chinese.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from .enums import AccountAction
from .exceptions import Refused
from .models import Agency, AgencyMember
from .services import agency_member_invite

# A list in one cell: 在线服务、公开解读 or "service, disclosure".
LIST_SEPARATORS = "、,，;；\n"


def split_list(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


def agency_named(name: str) -> Agency | None:
    """The agency a spreadsheet names by its official or published name."""
    return Agency.objects.filter(Q(name=name) | Q(display_name=name)).order_by("pk").first()


class RowForm(forms.Form):
    """One row of an invitation spreadsheet, checked for shape."""

    name = forms.CharField(label=gettext_lazy("full name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("e-mail"))


class LanguageField(forms.ChoiceField):
    """The language of a one-person invitation's e-mails (a spreadsheet's people get the default)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("language of e-mails"),
            choices=settings.LANGUAGES,
            initial=settings.LANGUAGE_CODE,
            **kwargs,
        )


class RowValues(resources.Diff):
    """The preview's cells: what each row says, as text. (Every row is new, so a diff would only colour it,
    and with inline styles the site's Content-Security-Policy refuses.)"""

    def as_html(self):
        return ["" if value is None else str(value) for value in self.right]


class InvitationResource(resources.ModelResource):
    """Rows of people to invite. Subclasses name their columns (`columns`: key → header aliases), their
    `row_form` and the service call (`invite`)."""

    # Each column's key (its English header), its Chinese header, then other names people use for it.
    columns: dict[str, tuple[str, ...]] = {
        "name": ("name", "姓名"),
        "email": ("email", "电子邮箱", "e-mail", "邮箱", "电子邮件"),
    }
    required = ("name", "email")
    row_form = RowForm

    class Meta:
        fields = ()
        force_init_instance = True  # every row is a new invitation
        clean_model_instances = False
        use_transactions = True

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # One field per column, stored on the row's instance under a name no model field has, so that the
        # preview's table shows what each row says.
        for key in self.columns:
            self.fields[key] = fields.Field(attribute=f"row_{key}", column_name=key)

    def get_diff_class(self):
        return RowValues

    def get_diff_headers(self):
        # The preview's column headings in the organiser's language, in the order of the fields.
        return [str(self.row_form.base_fields[key].label) for key in self.columns]

    def before_import(self, dataset, **kwargs):
        """Headers to their keys (English or Chinese, any case), optional columns added."""
        aliases = {alias.lower(): key for key, names in self.columns.items() for alias in names}
        dataset.headers = [
            aliases.get(str(header or "").strip().lower(), header) for header in dataset.headers
        ]
        missing = [key for key in self.required if key not in dataset.headers]
        if missing:

            def named(keys):
                return "、".join(f"{self.columns[key][1]} ({key})" for key in keys)

            raise ValueError(
                _("The file has no column %(columns)s. The first row must name the columns: %(expected)s.")
                % {"columns": named(missing), "expected": named(self.columns)}
            )
        for key in self.columns:
            if key not in dataset.headers:
                dataset.append_col([""] * len(dataset), header=key)

    def import_instance(self, instance, row, **kwargs):
        values = {key: "" if row.get(key) is None else str(row[key]).strip() for key in self.columns}
        for key, value in values.items():
            setattr(instance, f"row_{key}", value)
        instance.row_blank = not any(values.values())
        if instance.row_blank:
            return
        form = self.row_form(data=values)
        if not form.is_valid():
            raise ValidationError(
                {form.fields[key].label: errors for key, errors in form.errors.items() if key in form.fields}
            )
        instance.row_cleaned = form.cleaned_data

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A blank line in a sheet is no one; skipped rather than removed, so rows keep the sheet's numbers.
        return instance.row_blank and not import_validation_errors

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            saved = self.invite(instance.row_cleaned, by=kwargs["user"], action=AccountAction.IMPORTED)
        except Refused as refused:
            raise ValidationError({_("e-mail"): str(refused)}) from refused
        # The row's instance becomes the saved one, for the preview's and the result's names of the rows.
        instance.__dict__.update({key: value for key, value in saved.__dict__.items() if key != "_state"})

    def save_m2m(self, instance, row, **kwargs):
        """The service sets the relations itself."""

    def invite(self, cleaned: dict, *, by, action: str = AccountAction.INVITED):
        """Invites the row's (or the one-person form's) person; returns the saved row of the resource's
        model."""
        raise NotImplementedError


class InviteAdmin:
    """A model admin whose add page invites one person (`invite_view`)."""

    def invite_view(self, request, *, form_class, invite, title):
        """The page that invites one person: the form, then the service; a refusal (an address that is
        already an organiser's, say) shown on the form, which keeps what was typed."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = form_class(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                invite(form.cleaned_data)
            except Refused as refused:
                form.add_error(None, str(refused))
            else:
                self.message_user(
                    request,
                    _("The invitation to %(email)s is on its way.") % {"email": form.cleaned_data["email"]},
                    messages.SUCCESS,
                )
                return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        return TemplateResponse(
            request,
            "admin/people/invite.html",
            {
                **self.admin_site.each_context(request),
                "title": title,
                "opts": self.opts,
                "form": form,
                "import_url_name": f"admin:{self.opts.app_label}_{self.opts.model_name}_import"
                if isinstance(self, ImportMixin) and self.has_import_permission(request)
                else "",
            },
        )


class InvitationImportAdmin(InviteAdmin, ImportMixin):
    """The admin's import with its preview, for XLSX and CSV; the import is audited by the services (one
    AccountChange per person), so the admin's own log is not written."""

    import_formats = [XLSX, CSV]
    skip_admin_log = True
    import_export_change_list_template = "admin/people/change_list.html"
    import_template_name = "admin/people/import.html"
    invite_button_label: str = ""

    def get_import_context_data(self, **kwargs):
        # The columns a file needs, as people write them (Chinese or English headers), and which are optional.
        resource = self.resource_classes[0]
        columns = [
            {"chinese": names[1], "english": key, "required": key in resource.required}
            for key, names in resource.columns.items()
        ]
        return {**super().get_import_context_data(**kwargs), "invitation_columns": columns}

    def get_import_data_kwargs(self, **kwargs):
        # The confirmed import rolls back on any row's error, as the preview does.
        return {**super().get_import_data_kwargs(**kwargs), "rollback_on_validation_errors": True}

    def changelist_view(self, request, extra_context=None):
        context = {**(extra_context or {}), "invite_button_label": self.invite_button_label}
        return super().changelist_view(request, context)


# --- agency staff ------------------------------------------------------------------------------------------


class AgencyStaffRowForm(RowForm):
    agency = forms.CharField(label=gettext_lazy("agency"), max_length=100)

    def clean_agency(self):
        name = self.cleaned_data["agency"]
        agency = agency_named(name)
        if agency is None:
            raise ValidationError(_("No agency is called “%(name)s”.") % {"name": name})
        return agency


class AgencyStaffResource(InvitationResource):
    """Agency officers by spreadsheet (the lists provincial coordinators send): name, e-mail, agency."""

    columns = {**InvitationResource.columns, "agency": ("agency", "参评单位", "单位")}
    required = ("name", "email", "agency")
    row_form = AgencyStaffRowForm

    class Meta(InvitationResource.Meta):
        model = AgencyMember
        name = gettext_lazy("agency officers")

    def invite(self, cleaned, *, by, action=AccountAction.INVITED):
        user = agency_member_invite(
            agency=cleaned["agency"],
            email=cleaned["email"],
            name=cleaned["name"],
            language=cleaned.get("language") or settings.LANGUAGE_CODE,
            by=by,
            action=action,
        )
        return user.agency_membership
