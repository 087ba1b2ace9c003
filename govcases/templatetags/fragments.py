"""POST forms inside a cached piece of a page (govcases.pagecache.cached_fragment)."""

from django import template
from django.utils.html import format_html

from ..pagecache import FRAGMENT_FORMS

register = template.Library()


@register.simple_tag(takes_context=True)
def fragment_form(context, *parts) -> str:
    """`id="<parts joined by dashes>"` for a POST form of a cached fragment, which carries no CSRF token: the
    id is listed for cached_fragment, which puts each visitor's token beside the fragment for that form."""
    try:
        forms = context[FRAGMENT_FORMS]
    except KeyError:
        raise template.TemplateSyntaxError(
            "{% fragment_form %} is for templates rendered by pagecache.cached_fragment()."
        ) from None
    form_id = "-".join(str(part) for part in parts)
    forms.append(form_id)
    return format_html('id="{}"', form_id)
