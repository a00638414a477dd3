"""Print the proof figures: each program of `fixtures/programs/`, checked, fixed and run.

For every program listed in tests/test_proof.py this measures, afresh:

- the static findings of `mpz-lint check` on the program as written;
- how many of them `check --fix --unsafe-fixes` fixed on a copy, safe and unsafe (from
  each finding's fix applicability, cross-checked with the fix's own summary line);
- what the fix left for a person, with the reason its message gives;
- the violations the runtime guard records when `run()` runs before and after the fix.

It uses the same helpers as the tests, so the table and the tests cannot drift apart;
the tests hold the expectations, this script only reports what happens.

    python scripts/proof_report.py
"""

from __future__ import annotations

import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.test_proof import (  # noqa: E402 - after the sys.path set-up above
    KNOWN_DISCREPANCIES,
    PROGRAMS,
    Program,
    RunResult,
    as_findings,
    fix_copy,
    json_findings,
    qualified_name,
    run_program,
)


@dataclass(frozen=True)
class Row:
    program: str
    findings: list[str]  # codes of the static findings as written
    fixed_safe: int
    fixed_unsafe: int
    fixed_by_cli: int  # what the fix's summary line says it fixed
    left: list[tuple[str, str, str]]  # (code, file:row, reason)
    before: RunResult
    after: RunResult


def measure(program: Program, workdir: Path) -> Row:
    findings = as_findings(json_findings(program.root))
    copy = fix_copy(program, workdir)
    left = [(item["code"], f"{item['filename']}:{item['location']['row']}", _reason(item["message"]))
            for item in copy.findings_after]
    return Row(
        program=program.name,
        findings=[code for code, *_ in findings],
        fixed_safe=sum(1 for *_, fix in findings if fix == "safe"),
        fixed_unsafe=sum(1 for *_, fix in findings if fix == "unsafe"),
        fixed_by_cli=copy.fixed_count,
        left=left,
        before=run_program(program.root, program.entry),
        after=run_program(copy.root, program.entry),
    )


def _reason(message: str) -> str:
    """The part of a message that says why there is no fix (after its last '; ')."""
    return message.rsplit("; ", 1)[1] if "; " in message else "(no reason given)"


def _codes(codes: Sequence[str]) -> str:
    if not codes:
        return "0"
    counts = Counter(codes)
    return f"{len(codes)} (" + ", ".join(
        f"{code}x{n}" if n > 1 else code for code, n in sorted(counts.items())) + ")"


def _runtime(result: RunResult) -> str:
    text = _codes([code for code, _, _ in result.violations])
    raised = qualified_name(result.error)
    return text + (f" + raises {raised.rsplit('.', 1)[1]}" if raised else "")


def table(rows: Sequence[Row]) -> str:
    header = ("program", "static findings", "fixed safe", "fixed unsafe", "left for a person",
              "runtime before", "runtime after")
    lines = [header]
    for row in rows:
        fixed_note = "" if row.fixed_by_cli == row.fixed_safe + row.fixed_unsafe else \
            f" (CLI says {row.fixed_by_cli} fixed in all)"
        lines.append((
            row.program, _codes(row.findings), f"{row.fixed_safe}{fixed_note}",
            str(row.fixed_unsafe), _codes([code for code, _, _ in row.left]),
            _runtime(row.before), _runtime(row.after),
        ))
    totals = (
        "TOTAL", _codes([c for row in rows for c in row.findings]),
        str(sum(r.fixed_safe for r in rows)), str(sum(r.fixed_unsafe for r in rows)),
        _codes([code for row in rows for code, _, _ in row.left]),
        _codes([v[0] for row in rows for v in row.before.violations]),
        _codes([v[0] for row in rows for v in row.after.violations]),
    )
    lines.append(totals)
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]

    def render(cells: Sequence[str]) -> str:
        return "| " + " | ".join(cell.ljust(width) for cell, width in zip(cells, widths)) + " |"

    out = [render(lines[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out.extend(render(line) for line in lines[1:])
    return "\n".join(out)


def details(rows: Sequence[Row]) -> str:
    out = ["", "Left for a person after --fix --unsafe-fixes:"]
    for row in rows:
        for code, where, reason in row.left:
            out.append(f"  {row.program}: {code} {where}: {reason}")
    out.append("")
    out.append("Runtime violations after the fix:")
    for row in rows:
        for code, method, url in row.after.violations:
            out.append(f"  {row.program}: {code} {method} {url}")
    out.append("")
    out.append("Known discrepancies with RULES.md (strict xfails in tests/test_proof.py):")
    by_reason: dict[str, list[str]] = {}
    for (program, check), reason in sorted(KNOWN_DISCREPANCIES.items()):
        by_reason.setdefault(reason, []).append(f"{program}[{check}]")
    for reason, tests in by_reason.items():
        out.append(f"  {', '.join(tests)}:")
        out.append(f"    {reason}")
    return "\n".join(out)


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="mpz-proof-") as workdir:
        rows = [measure(program, Path(workdir)) for program in PROGRAMS]
    print(table(rows))
    print(details(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
