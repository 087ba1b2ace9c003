"""`{% lean_result_list cl %}`: Django's result table (admin/change_list_results.html, its headers written by
Django) with the rows of a govcases.sites.LeanChangeList."""

from django import template
from django.contrib.admin.templatetags.admin_list import result_headers, result_hidden_fields, results
from django.contrib.admin.templatetags.base import InclusionAdminNode

register = template.Library()


def lean_result_list(cl) -> dict:
    """What Django's `result_list` tag gives its template, the rows written by the change list if it can."""
    headers = list(result_headers(cl))
    rows = cl.lean_rows()
    return {
        "cl": cl,
        "result_hidden_fields": list(result_hidden_fields(cl)),
        "result_headers": headers,
        "num_sorted_fields": sum(1 for header in headers if header["sortable"] and header["sorted"]),
        "results": list(results(cl)) if rows is None else rows,
    }


@register.tag(name="lean_result_list")
def lean_result_list_tag(parser, token):
    # Found as Django finds its own: admin/<app>/<model>/change_list_results.html first.
    return InclusionAdminNode(
        parser, token, func=lean_result_list, template_name="change_list_results.html", takes_context=False
    )
