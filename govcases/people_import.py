"""Invitations by spreadsheet (XLSX or CSV), through django-import-export's admin import: the file is read,
every row checked by the same services that invite one person (in a transaction rolled back), and the
preview lists each row's errors; only a file without any error can be confirmed, and a confirmed import
that still meets an error writes nothing (the whole import is one transaction).

A resource here is one kind of invitation: its `row_form` checks a row's shape (columns, addresses, names of
agencies and categories) and `add` puts the row's person in the service's batch (`new_batch`), which checks
them by the same rules as a one-person invitation. What the rows name (agencies, categories, the people's
existing accounts) is read once for the whole file, and the batch is written once after the last row, so a
file of 1,000 people costs a fixed number of queries, not some per row. Column headers may be in English or
Chinese.
"""

from collections.abc import Iterable

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from import_export import fields, resources
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV, XLSX

from .enums import AccountAction
from .exceptions import Refused
from .models import Agency, AgencyMember, Category
from .services import AgencyStaffBatch

# A list in one cell: 在线服务、公开解读 or "service, disclosure".
LIST_SEPARATORS = "、,，;；\n"


def split_list(text: str) -> list[str]:
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [part.strip() for part in text.split(LIST_SEPARATORS[0]) if part.strip()]


class Lookups:
    """What the rows of a file name, read once for the whole file: agencies by their official or published
    name (one query for all the names given beforehand) and the categories (one query). A name not given
    beforehand (a one-person form's) is read when asked for."""

    def __init__(self, agency_names: Iterable[str] = ()):
        self._agencies: dict[str, Agency | None] = {}
        self._read_agencies(agency_names)

    def _read_agencies(self, names: Iterable[str]) -> None:
        names = {name for name in names if name and name not in self._agencies}
        if not names:
            return
        self._agencies.update(dict.fromkeys(names))
        # The oldest agency of a name wins, as it always has: read newest first, so older ones overwrite.
        for agency in Agency.objects.filter(Q(name__in=names) | Q(display_name__in=names)).order_by("-pk"):
            for name in {agency.name, agency.display_name} & names:
                self._agencies[name] = agency

    def agency(self, name: str) -> Agency | None:
        """The agency named by its official or published name."""
        self._read_agencies([name])
        return self._agencies[name]

    @cached_property
    def categories(self) -> list[Category]:
        return list(Category.objects.all())

    def category(self, name: str) -> Category | None:
        """The category named by its Chinese or English name or its code (any case)."""
        folded = name.lower()
        return min(
            (
                category
                for category in self.categories
                if name == category.name or folded in {category.name_en.lower(), category.code.lower()}
            ),
            key=lambda category: category.pk,
            default=None,
        )


class RowForm(forms.Form):
    """One row of an invitation spreadsheet, checked for shape; `lookups` holds what a whole file names."""

    name = forms.CharField(label=gettext_lazy("full name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("e-mail"))

    def __init__(self, *args, lookups: Lookups | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lookups = lookups or Lookups()


class LanguageField(forms.ChoiceField):
    """The language of a one-person invitation's e-mails (a spreadsheet's people get the default)."""

    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("language of e-mails"),
            choices=settings.LANGUAGES,
            initial=settings.LANGUAGE_CODE,
            **kwargs,
        )


class InvitationResource(resources.ModelResource):
    """Rows of people to invite. Subclasses name their columns (`columns`: key → header aliases), those that
    name agencies (`agency_columns`), their `row_form`, the service's batch (`new_batch`) and how a row goes
    into it (`add`)."""

    # Each column's key (its English header), its Chinese header, then other names people use for it.
    columns: dict[str, tuple[str, ...]] = {
        "name": ("name", "姓名"),
        "email": ("email", "电子邮箱", "e-mail", "邮箱", "电子邮件"),
    }
    required = ("name", "email")
    agency_columns: tuple[str, ...] = ()
    row_form = RowForm

    class Meta:
        fields = ()
        force_init_instance = True  # every row is a new invitation
        clean_model_instances = False
        use_transactions = True
        # No savepoint per row: a row writes nothing (the batch is written after the last one), and the
        # whole import is one transaction. The resource's own bulk lists stay empty (`save_instance` below).
        use_bulk = True
        report_skipped = False  # a blank line is no one
        skip_diff = True  # the preview shows each row's cells and problems (`import_row`), not a diff

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        # One field per column, stored on the row's instance under a name no model field has: import-export
        # names the file's columns from them.
        for key in self.columns:
            self.fields[key] = fields.Field(attribute=f"row_{key}", column_name=key)
        self.lookups = Lookups()
        self.batch = None

    def get_diff_headers(self):
        # The preview's column headings in the organiser's language, in the order of the fields.
        return [str(self.row_form.base_fields[key].label) for key in self.columns]

    def before_import(self, dataset, **kwargs):
        """Headers to their keys (English or Chinese, any case), optional columns added; what the rows name
        read once."""
        aliases = {alias.lower(): key for key, names in self.columns.items() for alias in names}
        dataset.headers = [
            aliases.get(str(header or "").strip().lower(), header) for header in dataset.headers
        ]

        def cells(key):
            return (
                [str(cell).strip() for cell in dataset[key] if cell is not None]
                if key in dataset.headers
                else []
            )

        self.lookups = Lookups(
            name for key in self.agency_columns for cell in cells(key) for name in [cell, *split_list(cell)]
        )
        self.batch = self.new_batch(
            emails=cells("email"), by=kwargs.get("user"), action=AccountAction.IMPORTED
        )
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
        form = self.row_form(data=values, lookups=self.lookups)
        if not form.is_valid():
            raise ValidationError(
                {form.fields[key].label: errors for key, errors in form.errors.items() if key in form.fields}
            )
        instance.row_cleaned = form.cleaned_data

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A blank line in a sheet is no one; skipped rather than removed, so rows keep the sheet's numbers.
        return instance.row_blank and not import_validation_errors

    def import_row(self, row, instance_loader, **kwargs):
        """The row's result, with what the preview shows of it: its number in the sheet, its cells in the
        columns' order and each problem with the name of its column."""
        result = super().import_row(row, instance_loader, **kwargs)
        result.number = kwargs["row_number"]
        result.sheet_row = result.number + 1  # as the spreadsheet numbers it, below the headings
        result.cells = ["" if row.get(key) is None else str(row[key]).strip() for key in self.columns]
        errors = result.validation_error.update_error_dict({}) if result.validation_error else {}
        result.problems = [
            ("" if field == NON_FIELD_ERRORS else str(field), str(message))
            for field, messages in errors.items()
            for message in ValidationError(messages).messages
        ]
        return result

    def save_instance(self, instance, is_create, row, **kwargs):
        try:
            pending = self.add(self.batch, instance.row_cleaned)
        except Refused as refused:
            raise ValidationError({_("e-mail"): str(refused)}) from refused
        # The row's instance becomes the batch's, for the preview's and the result's names of the rows.
        instance.__dict__.update({key: value for key, value in pending.__dict__.items() if key != "_state"})
        instance._state.fields_cache.update(pending._state.fields_cache)

    def save_m2m(self, instance, row, **kwargs):
        """The service sets the relations itself."""

    def after_import(self, dataset, result, **kwargs):
        # Written for the preview too (then rolled back), so that it meets whatever the confirmation would.
        if not (result.has_errors() or result.has_validation_errors()):
            try:
                self.batch.write()
            except IntegrityError as clash:
                raise Refused(
                    _("Someone else changed these people's accounts meanwhile; upload the file again.")
                ) from clash

    def new_batch(self, *, emails: list[str], by, action: str):
        """The service's batch the rows go into."""
        raise NotImplementedError

    def add(self, batch, cleaned: dict):
        """Puts the row's (or the one-person form's) person into `batch`; returns the row of the
        resource's model, saved once the batch is written."""
        raise NotImplementedError

    def invite(self, cleaned: dict, *, by, action: str = AccountAction.INVITED):
        """Invites the one-person form's person now."""
        batch = self.new_batch(emails=[cleaned["email"]], by=by, action=action)
        saved = self.add(batch, cleaned)
        batch.write()
        return saved


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
        agency = self.lookups.agency(name)
        if agency is None:
            raise ValidationError(_("No agency is called “%(name)s”.") % {"name": name})
        return agency


class AgencyStaffResource(InvitationResource):
    """Agency officers by spreadsheet (the lists provincial coordinators send): name, e-mail, agency."""

    columns = {**InvitationResource.columns, "agency": ("agency", "参评单位", "单位")}
    required = ("name", "email", "agency")
    agency_columns = ("agency",)
    row_form = AgencyStaffRowForm

    class Meta(InvitationResource.Meta):
        model = AgencyMember
        name = gettext_lazy("agency officers")

    def new_batch(self, *, emails, by, action):
        return AgencyStaffBatch(by=by, emails=emails, action=action)

    def add(self, batch, cleaned):
        return batch.add(
            agency=cleaned["agency"],
            email=cleaned["email"],
            name=cleaned["name"],
            language=cleaned.get("language") or settings.LANGUAGE_CODE,
        )
