"""The peers of scripts/bench.py: pinned ruff, Fixit 2 and semgrep in virtualenvs under
.bench/, and the one-rule configurations they run with.

Fixit 2 and semgrep cannot share a virtualenv (Fixit 2.2 needs click<8.2, semgrep 1.185
click~=8.4), so there are two: .bench/peers-venv (ruff, Fixit) and
.bench/peers-venv-semgrep. Each is made with venv + pip once and reused while its pins
match (a stamp file inside it records them).

Quirks worked around here (each would silently shrink what a peer looks at):

- Fixit walks files with trailrunner, which finds the "project root" (the nearest folder
  with a pyproject.toml, .git or .hg) and applies that root's .gitignore; the repo's
  .gitignore ignores .bench/, so Fixit would check no file at all. A
  .bench/pyproject.toml makes .bench/ the root, and carries the Fixit config: the one
  local rule below, Fixit's built-in rules off. mpz-lint passes over a pyproject.toml
  without [tool.mpz-lint], and ruff runs --isolated.
- semgrep applies built-in default ignores (test/, tests/, build/, ...) when the project
  root (the git root) has no .semgrepignore, and the default `semgrep scan` cannot be
  pointed at another root: it skips django/test/ (8 files). `--experimental
  --project-root .bench` with an empty .bench/.semgrepignore scans every file; that
  mode (the OCaml CLI) is timed as well, as a second semgrep figure.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / ".bench"
RULES = BENCH / "peers"
FIXIT_RULE = RULES / "fixit_procore.py"
SEMGREP_RULE = RULES / "semgrep_procore.yaml"
PINS_STAMP = "bench-pins.txt"


@dataclass(frozen=True)
class Venv:
    path: Path
    pins: tuple[str, ...]

    def exe(self, name: str) -> Path:
        return self.path / ("Scripts" if os.name == "nt" else "bin") / name

    @property
    def label(self) -> str:
        return self.path.relative_to(REPO).as_posix()


PEERS_VENV = Venv(BENCH / "peers-venv", ("ruff==0.17.6", "fixit==2.2.1"))
SEMGREP_VENV = Venv(BENCH / "peers-venv-semgrep", ("semgrep==1.185.0",))


def ensure(venv: Venv, install: bool) -> str | None:
    """Make `venv` hold its pins; None when it does, else why not (for a skip message)."""
    stamp = venv.path / PINS_STAMP
    wanted = "\n".join(venv.pins) + "\n"
    python = venv.exe("python")
    if python.is_file() and stamp.is_file() and stamp.read_text() == wanted:
        return None
    if not install:
        return (f"{venv.label} does not hold {' '.join(venv.pins)} and --no-install was given")
    print(f"installing {' '.join(venv.pins)} into {venv.label} ...", flush=True)
    if not python.is_file():
        done = subprocess.run([sys.executable, "-m", "venv", str(venv.path)],
                              capture_output=True, text=True)
        if done.returncode != 0:
            return f"`python -m venv {venv.label}` failed: {_tail(done.stderr)}"
    command = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q",
               *venv.pins]
    print(f"  $ {' '.join(command)}", flush=True)
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [line for line in (done.stderr or done.stdout).splitlines()
                 if "is ignored: it is neither a file nor a directory" not in line]
        return f"pip install {' '.join(venv.pins)} failed:\n{_tail(chr(10).join(lines))}"
    stamp.write_text(wanted)
    return None


FIXIT_RULE_SOURCE = '''\
"""One trivial Fixit rule for scripts/bench.py: flag string literals naming app.procore.com."""

from __future__ import annotations

import libcst as cst
from fixit import Invalid, LintRule, Valid


class ProcoreAppHost(LintRule):
    MESSAGE = "string literal contains app.procore.com"
    VALID = [Valid('BASE = "https://api.procore.com/rest/v1.0"')]
    INVALID = [Invalid('BASE = "https://app.procore.com/rest/v1.0"')]

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "app.procore.com" in node.value:
            self.report(node)

    def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
        if "app.procore.com" in node.value:
            self.report(node)
'''

BENCH_PYPROJECT = """\
# Written by scripts/bench.py. It makes .bench/ the project root for Fixit's file walker
# (trailrunner), which would otherwise apply the repository's .gitignore (that ignores
# .bench/) and check nothing; and it is Fixit's configuration for the benchmark.
# mpz-lint passes over a pyproject.toml without [tool.mpz-lint].
[tool.fixit]
root = true
enable = [".peers.fixit_procore"]
disable = ["fixit.rules"]
"""

SEMGREP_RULE_SOURCE = """\
# Written by scripts/bench.py: the semgrep counterpart of the Fixit rule.
rules:
  - id: procore-app-host
    languages: [python]
    severity: WARNING
    message: string literal contains app.procore.com
    pattern: '"=~/app\\.procore\\.com/"'
"""

SEMGREPIGNORE = """\
# Written by scripts/bench.py. Empty on purpose: with no .semgrepignore at the project
# root, semgrep skips its default paths (test/, tests/, build/, ...).
"""


def write_configs() -> None:
    """The rule files and the two marker files the peers need (see the module doc)."""
    RULES.mkdir(parents=True, exist_ok=True)
    for path, text in ((FIXIT_RULE, FIXIT_RULE_SOURCE), (SEMGREP_RULE, SEMGREP_RULE_SOURCE),
                       (BENCH / "pyproject.toml", BENCH_PYPROJECT),
                       (BENCH / ".semgrepignore", SEMGREPIGNORE)):
        if not path.is_file() or path.read_text() != text:
            path.write_text(text)


def ruff_command(tree: str) -> list[str]:
    return [str(PEERS_VENV.exe("ruff")), "check", "--isolated", "--no-cache", "--select", "S113",
            tree]


def fixit_command(tree: str) -> list[str]:
    return [str(PEERS_VENV.exe("fixit")), "lint", tree]


SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}


def semgrep_command(tree: str, experimental: bool) -> list[str]:
    mode = ["--experimental", "--project-root", BENCH.relative_to(REPO).as_posix()] \
        if experimental else []
    return [str(SEMGREP_VENV.exe("semgrep")), "scan", *mode,
            "--config", SEMGREP_RULE.relative_to(REPO).as_posix(), "--metrics=off",
            "--disable-version-check", "--no-git-ignore", "--json", "--quiet", tree]


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])
