"""Baselines: record today's findings, then report only new ones.

A finding is matched by its path, its code and a fingerprint of its own source text (the
span it covers and the stripped line around it), never by its line number, so edits
elsewhere that shift lines keep it matched. Identical findings are counted: a second copy
of a baselined line is new. The file is JSON, sorted and stable, so it diffs cleanly:

    {
      "version": 1,
      "findings": [
        {"path": "app/client.py", "code": "MPZ101", "fingerprint": "…",
         "count": 1, "source": "requests.get(URL, headers=HEADERS)"}
      ]
    }

Paths are relative to the baseline file's folder, so the file works from any folder.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from mpz_lint.engine import FileResult
from mpz_lint.fixer import LineIndex
from mpz_lint.model import Diagnostic

VERSION = 1
_SOURCE_WIDTH = 120

Key = tuple[str, str, str]  # (path, code, fingerprint)


class BaselineError(Exception):
    """A baseline file that cannot be read or written."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(f"{path}: {message}")


def fingerprint(diagnostic: Diagnostic, index: LineIndex) -> str:
    """A hash of what the finding is about: its code, the text of its span and its line
    (blanks stripped), independent of where the line is."""
    text = index.text
    start, end = index.offset(diagnostic.location), index.offset(diagnostic.end_location)
    span = text[start:end][:500]
    line = index.line(diagnostic.location.row).strip() if index.starts else ""
    digest = hashlib.sha256("\0".join((diagnostic.code, span, line)).encode("utf-8"))
    return digest.hexdigest()[:20]


def _relative(path: str, folder: Path) -> str:
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute, folder)
    except ValueError:  # another drive
        relative = absolute
    return relative.replace(os.sep, "/")


def _keys(results: Sequence[FileResult], folder: Path) -> list[tuple[Key, str]]:
    keys: list[tuple[Key, str]] = []
    for result in results:
        index = LineIndex(result.file.text)
        for diagnostic in result.diagnostics:
            path = _relative(diagnostic.path, folder)
            source = index.line(diagnostic.location.row).strip()[:_SOURCE_WIDTH]
            keys.append(((path, diagnostic.code, fingerprint(diagnostic, index)), source))
    return keys


def render(results: Sequence[FileResult], folder: Path) -> str:
    """The baseline file text recording every remaining finding of `results`."""
    counts: Counter[Key] = Counter()
    sources: dict[Key, str] = {}
    for key, source in _keys(results, folder):
        counts[key] += 1
        sources.setdefault(key, source)
    findings = [
        {"path": path, "code": code, "fingerprint": digest, "count": counts[(path, code, digest)],
         "source": sources[(path, code, digest)]}
        for path, code, digest in sorted(counts)
    ]
    return json.dumps({"version": VERSION, "findings": findings}, indent=2,
                      ensure_ascii=False) + "\n"


def write(path: Path, results: Sequence[FileResult]) -> int:
    """Write the baseline of `results` to `path`; return how many findings it records."""
    from mpz_lint.files import os_error_reason, write_atomic

    folder = Path(os.path.abspath(path)).parent
    text = render(results, folder)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.encode("utf-8"))
    except OSError as exc:
        raise BaselineError(path, f"cannot write the baseline: {os_error_reason(exc)}") from None
    return sum(len(result.diagnostics) for result in results)


def read(path: Path) -> Counter[Key]:
    """The findings a baseline file records, counted."""
    from mpz_lint.files import os_error_reason

    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        raise BaselineError(path, f"cannot read the baseline: {os_error_reason(exc)}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BaselineError(path, f"not a baseline file ({exc})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(
            data.get("findings"), list):
        raise BaselineError(path, f"not a baseline file of version {VERSION}")
    recorded: Counter[Key] = Counter()
    for entry in data["findings"]:
        try:
            recorded[(str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))] += int(
                entry.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(path, f"a finding without path, code and fingerprint: "
                                f"{entry!r}") from None
    return recorded


def subtract(results: Sequence[FileResult], path: Path) -> tuple[list[FileResult], int]:
    """`results` without the findings the baseline at `path` records, and how many it hid."""
    recorded = read(path)
    folder = Path(os.path.abspath(path)).parent
    kept_results: list[FileResult] = []
    hidden = 0
    for result in results:
        index = LineIndex(result.file.text)
        kept: list[Diagnostic] = []
        for diagnostic in result.diagnostics:
            key = (_relative(diagnostic.path, folder), diagnostic.code,
                   fingerprint(diagnostic, index))
            if recorded[key] > 0:
                recorded[key] -= 1
                hidden += 1
            else:
                kept.append(diagnostic)
        kept_results.append(dataclasses.replace(result, diagnostics=kept))
    return kept_results, hidden
