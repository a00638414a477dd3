"""GitLab Code Quality: a JSON array of issues, each with a unique, stable fingerprint.

The fingerprint is the baseline's (code, span text, line text: not the line number), so
GitLab's merge request widget sees a finding as unchanged when unrelated edits move it;
identical findings in one file get an occurrence number.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from mpz_lint.baseline import fingerprint
from mpz_lint.engine import FileResult
from mpz_lint.output import Notebooks, shown


def format_gitlab(results: Sequence[FileResult], notebooks: Notebooks) -> str:
    seen: Counter[str] = Counter()
    issues: list[dict[str, Any]] = []
    for item in shown(results, notebooks):
        diagnostic = item.diagnostic
        base = f"{item.path}\0{fingerprint(diagnostic, item.index)}"
        seen[base] += 1
        digest = hashlib.sha256(f"{base}\0{seen[base]}".encode()).hexdigest()
        cell = f"cell {item.cell}: " if item.cell is not None else ""
        issues.append({
            "description": f"{cell}{diagnostic.message}",
            "check_name": diagnostic.code,
            "fingerprint": digest,
            "severity": "major",
            "location": {
                "path": item.path,
                "lines": {"begin": item.location.row, "end": item.end_location.row},
            },
        })
    return json.dumps(issues, indent=2) + "\n"
