import datetime
import html
from collections.abc import Callable

from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import ResultList
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import display_for_field, display_for_value, quote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import models
from django.urls import include, path, reverse
from django.utils.functional import SimpleLazyObject, cached_property
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import capfirst, smart_split
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .permissions import RUN_ROUND, SCREEN_CASES, VERIFY_CASES, allowed, two_factor_satisfied
from .search import search_terms


class BoundedSearch:
    """The admin's search box, bounded as the public one (govcases.search), with a message when cut."""

    def get_search_results(self, request, queryset, search_term):
        terms = search_terms(search_term, split=smart_split)
        if terms.cut:
            messages.warning(request, terms.notice())
        return super().get_search_results(request, queryset, " ".join(terms.words))


class AdminBoard:
    """A page of an admin site that is no model's list or form: a board, with the views it needs.

    Registered with `site.register_board(BoardClass)`, its views are served under `<app_label>/<name>/` and
    named `<app_label>_<name>_<view>` in the site's namespace, like a model's; the site's index and sidebar
    list it beside the app's models. A subclass says what it is (`app_label`, `name`, `verbose_name_plural`)
    and which views it has (`get_urls`, each wrapped by `view()`).
    """

    app_label: str
    name: str
    verbose_name_plural: str

    def __init__(self, admin_site: admin.AdminSite):
        self.admin_site = admin_site

    def has_permission(self, request) -> bool:
        return allowed(request.user, RUN_ROUND)

    def url_name(self, view: str) -> str:
        return f"{self.app_label}_{self.name}_{view}"

    def reverse(self, view: str, *args) -> str:
        return reverse(f"{self.admin_site.name}:{self.url_name(view)}", args=args)

    @property
    def changelist_url(self) -> str:
        return self.reverse("changelist")

    def view(self, function):
        """`function` behind the site's login (admin_view) and this board's permission."""

        def board_view(request, *args, **kwargs):
            if not self.has_permission(request):
                raise PermissionDenied
            return function(request, *args, **kwargs)

        return self.admin_site.admin_view(board_view)

    def get_urls(self) -> list:
        raise NotImplementedError

    def app_list_entry(self) -> dict:
        """The board as the admin's app list shows a model that one may only view."""
        return {
            "model": None,
            "name": capfirst(self.verbose_name_plural),
            "object_name": self.name,
            "perms": {"add": False, "change": False, "delete": False, "view": True},
            "admin_url": self.changelist_url,
            "add_url": None,
            "view_only": True,
        }


class AppListOnDemandSite(admin.AdminSite):
    """An admin site that builds its app list only when a page shows it, and then once per request; whose
    every search is bounded (BoundedSearch); and that serves boards (AdminBoard) beside its models.

    Django's each_context builds the whole app list (every model's permissions and URLs) for the nav sidebar on
    every admin page, even where the sidebar is off, and the index builds it again for its own list.
    """

    def __init__(self, name="admin"):
        super().__init__(name)
        self._boards: list[AdminBoard] = []

    def register_board(self, board_class: type[AdminBoard]) -> None:
        self._boards.append(board_class(self))

    def get_urls(self):
        # Before the site's own: they end with a catch-all.
        boards = [
            path(f"{board.app_label}/{board.name}/", include(board.get_urls())) for board in self._boards
        ]
        return [*boards, *super().get_urls()]

    def register(self, model_or_iterable, admin_class=None, **options):
        # Every model admin of the site gets the bounded search, so that none can be forgotten.
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, BoundedSearch):
            admin_class = type(
                admin_class.__name__, (BoundedSearch, admin_class), {"__module__": admin_class.__module__}
            )
        super().register(model_or_iterable, admin_class, **options)

    def get_app_list(self, request, app_label=None):
        if app_label is not None:
            return self._with_boards(request, super().get_app_list(request, app_label), app_label)
        return SimpleLazyObject(lambda: self._app_list_once(request))

    def _app_list_once(self, request):
        built = getattr(request, "_govcases_app_list", None)
        if built is None or built[0] is not self or built[1] is not request.user:
            built = (self, request.user, self._with_boards(request, super().get_app_list(request)))
            request._govcases_app_list = built
        return built[2]

    def _with_boards(self, request, app_list: list[dict], app_label: str | None = None) -> list[dict]:
        by_label = {app["app_label"]: app for app in app_list}
        for board in self._boards:
            if not board.has_permission(request) or app_label not in {None, board.app_label}:
                continue
            if board.app_label not in by_label:
                # Someone who may open a board but none of the app's models (the research team).
                config = apps.get_app_config(board.app_label)
                by_label[board.app_label] = {
                    "name": config.verbose_name,
                    "app_label": board.app_label,
                    "app_url": reverse(f"{self.name}:app_list", kwargs={"app_label": board.app_label}),
                    "has_module_perms": True,
                    "models": [],
                }
                app_list.append(by_label[board.app_label])
            by_label[board.app_label]["models"].append(board.app_list_entry())
        for app in app_list:
            app["models"].sort(key=lambda model: str(model["name"]))
        return app_list


class OrganiserAdminSite(AppListOnDemandSite):
    """`/admin/`: where the organisers run the round. Only the `organisers` group (and superusers) get in."""

    site_header = _("Government case selection: organisers")
    site_title = _("Organisers")
    index_title = _("Run the round")

    def has_permission(self, request):
        # The research team (triage and verification) comes in too, and finds only its own lists.
        may_enter = any(allowed(request.user, role) for role in (RUN_ROUND, SCREEN_CASES, VERIFY_CASES))
        return may_enter and two_factor_satisfied(request.user)


class OrganisersOnly:
    """Organisers manage everything on their site; Django's per-model permissions are not used for them."""

    def has_module_permission(self, request):
        return allowed(request.user, RUN_ROUND)

    def has_view_permission(self, request, obj=None):
        return allowed(request.user, RUN_ROUND)

    def has_add_permission(self, request, *args):
        return allowed(request.user, RUN_ROUND)

    def has_change_permission(self, request, obj=None):
        return allowed(request.user, RUN_ROUND)

    def has_delete_permission(self, request, obj=None):
        return allowed(request.user, RUN_ROUND)


class ReadOnly(OrganisersOnly):
    """Records that only services write: organisers may look, not touch."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def html_text(value) -> str:
    """`value` as HTML text: Django's conditional_escape, without the check for lazy arguments that took as
    long as the escaping on a list's every cell."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


class LeanChangeList(ChangeList):
    """A changelist that does per page what Django does per row where the rows cannot differ.

    It loads only the fields its columns show (the ModelAdmin's `list_only`, which may name the related
    rows' fields too: `agency__name`) and joins only the rows `list_select_related` names if it is a list: a
    list page shows fifty rows, and their long texts would only cost time.
    The admin's actions get these partial rows too; the services they call read what they change afresh. It
    reverses the change page's URL once, not once per row, and writes each row's cells itself (`lean_rows`).
    """

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if isinstance(self.list_select_related, (list, tuple)):
            # Only the related rows the columns show: the ModelAdmin's own queryset may join more for its
            # change page.
            queryset = queryset.select_related(None).select_related(*self.list_select_related)
        fields = getattr(self.model_admin, "list_only", None)
        return queryset.only(*fields) if fields else queryset

    @cached_property
    def _change_url_around_the_id(self) -> tuple[str, str]:
        before, _zero, after = super().url_for_result(self.model(pk=0)).rpartition("/0/")
        return before, after

    def url_for_result(self, result):
        # Django's URL of the row, with its own id in the place of the zero.
        before, after = self._change_url_around_the_id
        return f"{before}/{quote(result.pk)}/{after}"

    def lean_rows(self) -> list[ResultList] | None:
        """The page's rows as Django's admin/change_list_results.html takes them, each row's cells written
        as one piece of HTML, with the markup, classes and texts Django's `items_for_result` gives them.

        Django looks up each cell's field, its empty value and its link, and escapes it through format_html:
        25–40 µs a cell, most of a list page's time. Here each column is looked at once per page. None where
        Django's own rows are needed: a popup, editable rows, or a column that is neither the action
        checkbox, a model's own field (text, choice, date or foreign key) nor a display function of the
        ModelAdmin (other than a yes/no icon).
        """
        if self.is_popup or self.formset is not None:
            return None
        cells = [self._cell_writer(name) for name in self.list_display]
        if None in cells:
            return None
        return [
            ResultList(None, [mark_safe("".join(cell(row) for cell in cells))]) for row in self.result_list
        ]

    def _cell_writer(self, name) -> Callable[[models.Model], str] | None:
        """What writes column `name`'s cell of a row (`<td>` or, for the row's link, `<th>`), or None."""
        if name == "action_checkbox":
            checkbox = self.model_admin.action_checkbox
            return lambda row: f'<td class="action-checkbox">{checkbox(row)}</td>'
        shown = self._cell_shown(name)
        if shown is None:
            return None
        links = self.list_display_links or ()
        if name not in links:
            return lambda row: '<td class="{}">{}</td>'.format(*shown(row))
        # Django puts the first link of a row in a <th> (the row's heading).
        first_link = next(column for column in self.list_display if column in links)
        tag = "th" if name == first_link else "td"
        url = self._row_url_around_the_id

        def linked(row):
            classes, text = shown(row)
            return f'<{tag} class="{classes}"><a href="{url[0]}{quote(row.pk)}{url[1]}">{text}</a></{tag}>'

        return linked

    def _cell_shown(self, name) -> Callable[[models.Model], tuple[str, str]] | None:
        """A row's cell of column `name` as Django shows it: its classes and its text as HTML. None if the
        column is not of a kind written here."""
        classes = f"field-{name}"
        empty = self.model_admin.get_empty_value_display()
        try:
            field = self.lookup_opts.get_field(name) if isinstance(name, str) else None
        except FieldDoesNotExist:
            field = None
        if field is None:
            display = getattr(self.model_admin, name, None) if name != "__str__" else None
            if not callable(display) or getattr(display, "boolean", False):
                return None
            empty = getattr(display, "empty_value_display", empty)

            def shown_by_display(row):
                value = display(row)
                if isinstance(value, str) and not value.strip():
                    value = ""
                nowrap = " nowrap" if isinstance(value, (datetime.date, datetime.time)) else ""
                return classes + nowrap, html_text(display_for_value(value, empty))

            return shown_by_display
        text = self._field_text(field, empty)
        if text is None:
            return None
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            classes += " nowrap"
        return lambda row: (classes, html_text(text(row)))

    @staticmethod
    def _field_text(field, empty) -> Callable[[models.Model], str] | None:
        """What a cell of a model's own field shows, as Django's display_for_field shows it; None for a
        field of a kind not written here."""
        if field.auto_created or not field.concrete:
            return None
        if field.many_to_one:
            return lambda row: getattr(row, field.name) or empty
        attname = field.attname
        if field.flatchoices:
            # Translated once per page, not once per row.
            choices = {value: str(label) for value, label in field.flatchoices}
            return lambda row: choices.get(getattr(row, attname), empty)
        if isinstance(field, (models.CharField, models.TextField)) and not isinstance(field, models.URLField):

            def text_or_empty(row):
                value = getattr(row, attname)
                return value if value and value.strip() else empty

            return text_or_empty
        if isinstance(field, (models.DateField, models.TimeField)):
            return lambda row: display_for_field(getattr(row, attname), field, empty)
        return None

    @cached_property
    def _row_url_around_the_id(self) -> tuple[str, str]:
        """The row's link (its change page, keeping the list's filters), escaped, before and after its id."""
        before, after = self._change_url_around_the_id
        filters = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        url = add_preserved_filters(filters, f"{before}/0/{after}")
        head, _zero, tail = url.partition("/0/")
        return escape(f"{head}/"), escape(f"/{tail}")


class LeanList:
    """A ModelAdmin whose list page costs what its rows hold: its changelist is a LeanChangeList, whose rows
    its template writes with `{% lean_result_list %}`, and each row's action checkbox is written as the markup
    Django's widget gives it.

    Django renders that checkbox through the form renderer's templates once per row: on a page of a hundred
    cases, a quarter of the page's time.
    """

    change_list_template = "admin/lean_change_list.html"

    def get_changelist(self, request, **kwargs):
        return LeanChangeList

    def action_checkbox(self, obj):
        # Django's own wording and translation, the object's name escaped in it as format_html would.
        label = gettext("Select this object for an action - {}").format(html_text(obj))
        return mark_safe(
            f'<input type="checkbox" name="{ACTION_CHECKBOX_NAME}" value="{html_text(obj.pk)}" '
            f'class="action-select" aria-label="{label}">'
        )


class AuditTrailInline(ReadOnly, admin.TabularInline):
    """An audit trail (AuditEntry rows) under its object: read-only, each row's author read with it."""

    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("by")
