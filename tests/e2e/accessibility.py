"""axe-core in the browser: the accessibility rules (WCAG 2.1 A and AA, as GB/T 37668 asks) on the page open.

axe-core's script comes with the axe-playwright-python package, so nothing is fetched at test time.
"""

from axe_playwright_python.sync_playwright import Axe

# What fails a test: axe's two highest impacts. Minor and moderate findings are printed, not fatal.
BLOCKING_IMPACTS = {"serious", "critical"}
RULES = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}

_axe = Axe()


def _describe(violation: dict) -> str:
    targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:5])
    return f"[{violation['impact']}] {violation['id']}: {violation['help']} — {targets}"


def accessibility_violations(page) -> list[str]:
    """The serious and critical axe violations of the page as it is now, described for a failure message."""
    results = _axe.run(page, options={**RULES, "resultTypes": ["violations"]})
    return [
        _describe(violation)
        for violation in results.response["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


def assert_accessible(page) -> None:
    problems = accessibility_violations(page)
    assert not problems, f"axe found on {page.url}:\n" + "\n".join(problems)
