"""Audit the installed dependencies with pip-audit, and say plainly what could not be checked.

Exit 1 when a dependency has a known vulnerability. When the vulnerability database cannot be
reached (no network, or an index without PyPI's JSON API), pip-audit alone would print "No
known vulnerabilities found" after skipping every package; here that is a loud warning, and a
failure when CTA_AUDIT_REQUIRED=true.
"""

import json
import os
import subprocess
import sys

REQUIRED = os.environ.get("CTA_AUDIT_REQUIRED", "").lower() in ("1", "true", "yes")


def main() -> int:
    command = [sys.executable, "-m", "pip_audit", "--progress-spinner", "off"]
    command += ["--skip-editable", "--format", "json", "--desc", "off"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    try:
        report = json.loads(result.stdout)
    except ValueError:
        return unaudited(f"pip-audit failed: {(result.stderr or result.stdout).strip()[-2000:]}")
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    for dependency in vulnerable:
        for vulnerability in dependency["vulns"]:
            fixed = ", ".join(vulnerability.get("fix_versions") or []) or "no fixed version"
            print(
                f"VULNERABLE {dependency['name']} {dependency['version']}: "
                f"{vulnerability['id']} (fixed in: {fixed})"
            )
    if vulnerable:
        print(f"pip-audit: {len(vulnerable)} vulnerable dependencies; upgrade their pins.")
        return 1
    if skipped:
        return unaudited(
            f"{len(skipped)} of {len(dependencies)} dependencies could not be audited, e.g. "
            f"{skipped[0]['skip_reason']}"
        )
    print(f"pip-audit: {len(dependencies)} dependencies audited, no known vulnerability.")
    return 0


def unaudited(reason: str) -> int:
    print(f"WARNING: dependencies NOT audited. {reason}", file=sys.stderr)
    print(
        "The vulnerability database (PyPI's JSON API) was not reachable from here. Run "
        "`.venv/bin/pip-audit` where it is, or set CTA_AUDIT_REQUIRED=true to make this fatal.",
        file=sys.stderr,
    )
    return 1 if REQUIRED else 0


if __name__ == "__main__":
    sys.exit(main())
