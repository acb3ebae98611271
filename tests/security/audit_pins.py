"""`make check-security`'s dependency check: pip-audit over every version pinned in
pyproject.toml (runtime and test) and every package installed beside them (the dependencies of
the dependencies, at the versions `make install` resolved), without installing anything.

Fails (exit 1) on a known vulnerability, and also (exit 2, saying so plainly) when pip-audit
cannot reach its vulnerability source for any pin: a dependency that was not checked must never
look like one that passed.

    python tests/security/audit_pins.py
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def pins() -> list[str]:
    """``name==version`` of every dependency pinned in pyproject.toml."""
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    # every optional group too (test, mutation): whatever make installs is audited
    groups = project.get("optional-dependencies", {}).values()
    found = [*project["dependencies"], *(d for group in groups for d in group)]
    not_pinned = [d for d in found if not re.fullmatch(r"[\w.\-]+(\[[\w,]+\])?==[\w.]+", d.strip())]
    if not_pinned:
        raise SystemExit(f"not pinned exactly in pyproject.toml: {', '.join(not_pinned)}")
    return sorted(d.strip() for d in found)


def installed() -> list[str]:
    """``name==version`` of every distribution installed in this environment but copps itself:
    the transitive dependencies that the pins pull in."""
    from importlib import metadata

    found = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").strip()
        if name and name.lower() != "copps":
            found[re.sub(r"[-_.]+", "-", name).lower()] = f"{name}=={dist.version}"
    return sorted(found.values())


def requirements() -> list[str]:
    """The pins, then each installed distribution that is not one of them."""
    pinned = pins()
    names = {re.sub(r"[-_.]+", "-", p.split("==")[0].split("[")[0]).lower() for p in pinned}
    extra = [i for i in installed() if re.sub(r"[-_.]+", "-", i.split("==")[0]).lower() not in names]
    return pinned + extra


def main() -> int:
    wanted = requirements()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as fh:
        fh.write("\n".join(wanted) + "\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--strict",
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
            "--requirement",
            fh.name,
        ],
        capture_output=True,
        text=True,
        timeout=900,
    )
    Path(fh.name).unlink()
    unreached = re.findall(r"(\S+): Dependency not found .*|Connection\w*Error.*|Max retries exceeded.*", done.stderr)
    if done.returncode != 0 and (unreached or not done.stdout.strip()):
        print(
            "pip-audit could NOT check the pinned dependencies: it cannot reach its vulnerability "
            "source (PyPI's JSON API) from this machine, so nothing was audited.\n"
            "Run `make check-security` where pypi.org is reachable. pip-audit said:\n"
            + "\n".join(line for line in done.stderr.splitlines() if "ERROR" in line or "Error" in line)[-3000:],
            file=sys.stderr,
        )
        return 2
    report = json.loads(done.stdout or "{}")
    vulnerable = [
        (d["name"], d["version"], v["id"], ", ".join(v.get("fix_versions", [])) or "no fix yet")
        for d in report.get("dependencies", [])
        for v in d.get("vulns", [])
    ]
    for name, version, vid, fix in vulnerable:
        print(f"VULNERABLE {name} {version}: {vid} (fixed in {fix})", file=sys.stderr)
    if done.returncode != 0 and not vulnerable:
        print(done.stderr[-3000:], file=sys.stderr)
        return done.returncode
    print(f"pip-audit: {len(wanted)} dependencies checked (pinned and installed), "
          f"{len(vulnerable)} known vulnerabilities")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
