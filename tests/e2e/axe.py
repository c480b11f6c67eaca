"""axe-core in the browser tests: inject the vendored copy, run the WCAG 2.1 A and AA rules.

axe-core is vendored from npm for the tests only (``tests/e2e/vendor/axe-core``,
MPL-2.0); pages never load it.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"critical", "serious"}
# Best-practice rules that fail the test whatever axe-core calls their impact.
ALWAYS = {"empty-table-header"}


def axe_findings(page) -> list[str]:
    """Run axe-core on the page as it is now; return its critical and serious findings.

    WCAG 2.1 A and AA rules, and axe-core's best practices: a serious best-practice
    finding counts too, and an empty table header whatever its impact.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})",
        [*WCAG_21_AA, "best-practice"],
    )
    return [
        f"{violation['id']} ({violation['impact']}): {node['target']} {node['failureSummary']}"
        for violation in results["violations"]
        if violation["impact"] in BLOCKING or violation["id"] in ALWAYS
        for node in violation["nodes"]
    ]
