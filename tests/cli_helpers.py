"""Running the command line in tests: files from strings, click's runner, concise codes."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result

from mpz_lint.cli import main

# A REST request to the legacy host: MPZ002 (host, safe fix) and MPZ101 (no company
# header, no fix: no company id in scope).
LEGACY_REQUEST = 'import requests\n\nrequests.get("https://app.procore.com/rest/v1.0/projects")\n'


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def run(*args: str, stdin: bytes | None = None) -> Result:
    try:
        runner = CliRunner(mix_stderr=False)  # type: ignore[call-arg]  # click < 8.2
    except TypeError:
        runner = CliRunner()  # click >= 8.2 keeps stderr apart by itself
    return runner.invoke(main, list(args), input=stdin, catch_exceptions=False)


def codes(result: Result) -> list[str]:
    """The codes of the findings printed in concise format."""
    return [line.split(": ")[1].split()[0] for line in result.stdout.splitlines()]


def findings(result: Result) -> list[str]:
    """`path:row CODE` of the findings printed in concise format."""
    out = []
    for line in result.stdout.splitlines():
        where, rest = line.split(": ", 1)
        path, row = where.split(":")[:2]
        out.append(f"{path}:{row} {rest.split()[0]}")
    return out
