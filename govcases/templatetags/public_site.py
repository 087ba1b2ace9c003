"""The public site's footer of registration facts, which every government site carries, from the settings."""

from django import template
from django.conf import settings

register = template.Library()

# Where each registration number is looked up, as the rules for government sites ask the footer to link.
ICP_REGISTRY = "https://beian.miit.gov.cn/"
PUBLIC_SECURITY_REGISTRY = "https://beian.mps.gov.cn/"


@register.inclusion_tag("includes/site_facts.html")
def site_facts() -> dict:
    """Only what is set is shown: a development machine has none of these."""
    return {
        "organiser": settings.SITE_ORGANISER,
        "contact": settings.SITE_CONTACT,
        "icp_number": settings.SITE_ICP_NUMBER,
        "icp_registry": ICP_REGISTRY,
        "public_security_number": settings.SITE_PUBLIC_SECURITY_NUMBER,
        "public_security_registry": PUBLIC_SECURITY_REGISTRY,
        "site_code": settings.SITE_CODE,
    }
