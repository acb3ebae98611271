"""Accessibility check for the browser tests: axe-core run inside the page.

axe-core comes from the npm registry at set-up (`make browser-deps` installs the pinned version
under .cache/axe/, git-ignored); the tests never fetch it from the network. The script is
evaluated through Playwright rather than added as a <script> tag, so the pages' Content Security
Policy (no inline script) stays on and is still checked by the tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

AXE_JS = Path(__file__).resolve().parents[2] / ".cache" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = ("serious", "critical")


def serious_violations(page, exclude: tuple[str, ...] = ()) -> list[dict]:
    """axe's violations of impact serious or critical on the page as it is now.

    ``exclude``: CSS selectors axe skips (each caller says why)."""
    if not AXE_JS.exists():
        pytest.fail(f"axe-core is not installed ({AXE_JS} is missing): run `make browser-deps`")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8") + "\n;true")
    results = page.evaluate(
        """async (exclude) => {
            const context = exclude.length ? {include: [document], exclude: exclude.map(s => [s])} : document;
            return await window.axe.run(context, {resultTypes: ["violations"]});
        }""",
        list(exclude),
    )
    return [v for v in results["violations"] if v.get("impact") in SERIOUS]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {v['helpUrl']}")
        for node in v["nodes"][:5]:
            target = " ".join(map(str, node["target"]))
            summary = (node.get("failureSummary") or "").strip().splitlines()
            lines.append(f"    {target}: {summary[-1].strip() if summary else node['html'][:120]}")
        if len(v["nodes"]) > 5:
            lines.append(f"    ... and {len(v['nodes']) - 5} more")
    return "\n".join(lines)


def audit(page, where: str, exclude: tuple[str, ...] = ()) -> str:
    """A readable report of the page's serious or critical violations, "" when there are none (a
    walkthrough collects one per page and fails once, with every page's list)."""
    violations = serious_violations(page, exclude)
    return f"{where} ({page.url}):\n{describe(violations)}" if violations else ""


def assert_accessible(page, where: str, exclude: tuple[str, ...] = ()) -> None:
    """Fail with a readable list when axe finds a serious or critical violation on the page."""
    report = audit(page, where, exclude)
    assert not report, f"axe: serious accessibility violations on {report}"
