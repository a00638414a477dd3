"""Regenerate the rules table in README.md from the rules' own documentation.

Run `python scripts/update_readme.py`; `--check` exits 1 if README.md is out of date
(the test suite runs that check, so the README never drifts from the code).
"""

from __future__ import annotations

import sys
from pathlib import Path

from mpz_lint.rules import ALL_RULES

START = "<!-- rules:start -->"
END = "<!-- rules:end -->"
README = Path(__file__).resolve().parent.parent / "README.md"


def rules_table() -> str:
    lines = [
        "| code | name | what it finds | fix | on by default |",
        "| --- | --- | --- | --- | --- |",
    ]
    for rule in ALL_RULES:
        lines.append(
            f"| {rule.code} | {rule.name} | {rule.summary()} | {rule.fix_description()} "
            f"| {'yes' if rule.default_enabled else 'no (`--strict`)'} |"
        )
    return "\n".join(lines)


def updated(text: str) -> str:
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{rules_table()}\n{END}{tail}"


def main(argv: list[str]) -> int:
    text = README.read_text(encoding="utf-8")
    new = updated(text)
    if "--check" in argv:
        if new != text:
            print("README.md is out of date: run python scripts/update_readme.py")
            return 1
        return 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
