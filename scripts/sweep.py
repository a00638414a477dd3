"""Sweep `mpz-lint check` (and `check --fix --diff`) over a million lines of real Python.

The code swept is the standard library of the running interpreter and the site-packages
of a virtualenv this script makes in .bench/sweep-venv/ and fills with a few large,
pinned packages (PACKAGES below). None of it has anything to do with Procore, so:

- a crash is a failure: the CLI exits with something other than 0, 1 or 2, prints a
  traceback, or reports an internal error (`internal error: ...`, `too deeply nested`)
  for a file; a file that is not valid Python (the standard library's own test data
  holds Python 2 code, bad encodings and NUL bytes) is an input error, not a crash;
- every finding is printed, to be read: each is either a real reference to Procore or
  a false alarm to fix.

`--analyse-all` also runs the engine over every Python file as if it named Procore
(normally a file is parsed only when it does), in worker processes that a crash cannot
take down with it: this is the sweep of the parser, the index and the resolver.

    python scripts/sweep.py                  # install (once), check, fix --diff, report
    python scripts/sweep.py --analyse-all    # and the deep sweep (slower)
    python scripts/sweep.py --json out.json  # the figures as JSON too

Exit status: 0 with no crash, 1 with a crash.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import sysconfig
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_VENV = REPO / ".bench" / "sweep-venv"
# Large, pure-Python packages (botocore also brings thousands of JSON files, which
# mpz-lint checks as config files). Pinned so that figures compare between runs.
PACKAGES = ("django==4.2.30", "sqlalchemy==2.0.58", "botocore==1.44.8", "sympy==1.14.0")
CHECK = ("check", "--isolated", "--no-respect-gitignore")
MIN_LINES = 1_000_000
# Messages of FileErrors that are mpz-lint's fault, not the input's.
CRASH_MESSAGES = re.compile(r"internal error|too deeply nested|Traceback")
ERROR_LINE = re.compile(r"^error: (.*?): (.*)$")


@dataclass
class Inventory:
    """What the sweep covers: files and lines by kind, as mpz-lint discovers them."""

    roots: list[str]
    python_files: int = 0
    python_lines: int = 0
    config_files: int = 0
    config_lines: int = 0
    notebooks: int = 0


@dataclass
class Run:
    """One CLI run over all roots."""

    command: list[str]
    exit_code: int
    seconds: float
    findings: list[str] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    diff_files: int = 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--venv", type=Path, default=DEFAULT_VENV,
                        help="the virtualenv holding the swept packages (made if missing)")
    parser.add_argument("--no-install", action="store_true",
                        help="use the virtualenv as it is (fail if it is missing)")
    parser.add_argument("--no-fix", action="store_true", help="skip the `--fix --diff` run")
    parser.add_argument("--analyse-all", action="store_true",
                        help="also parse and analyse every Python file (slow)")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes for --analyse-all")
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    args = parser.parse_args(argv)

    site_packages = ensure_venv(args.venv, install=not args.no_install)
    roots = [sysconfig.get_paths()["stdlib"], site_packages]
    inventory = take_inventory(roots)
    print_inventory(inventory)
    if inventory.python_lines + inventory.config_lines < MIN_LINES:
        print(f"warning: fewer than {MIN_LINES:,} lines swept", file=sys.stderr)

    runs = [run_cli([*CHECK, "--output-format", "json"], roots)]
    if not args.no_fix:
        runs.append(run_cli([*CHECK, "--fix", "--diff"], roots))
    for run in runs:
        print_run(run)
    deep: dict[str, object] | None = None
    if args.analyse_all:
        deep = analyse_all(roots, args.workers)
    crashed = any(run.crashes for run in runs) or bool(deep and deep["crashes"])
    if args.json is not None:
        args.json.write_text(json.dumps({
            "inventory": asdict(inventory), "runs": [asdict(r) for r in runs],
            "analyse_all": deep, "packages": PACKAGES, "python": sys.version,
        }, indent=2) + "\n")
    return 1 if crashed else 0


# --- the virtualenv -------------------------------------------------------------------------


def ensure_venv(venv: Path, install: bool) -> str:
    """The site-packages folder of `venv`, with PACKAGES installed in it."""
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = venv / "mpz-sweep-packages.txt"
    wanted = "\n".join(PACKAGES) + "\n"
    if not (python.exists() and stamp.exists() and stamp.read_text() == wanted):
        if not install:
            raise SystemExit(f"{venv} is missing or holds other packages; run without --no-install")
        print(f"installing {', '.join(PACKAGES)} into {venv} ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", *PACKAGES], check=True)
        stamp.write_text(wanted)
    found = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                           check=True, capture_output=True, text=True)
    return found.stdout.strip()


# --- what is swept --------------------------------------------------------------------------


def take_inventory(roots: Sequence[str]) -> Inventory:
    """Count files and lines exactly as `mpz-lint check` finds them."""
    sys.path.insert(0, str(REPO))
    from mpz_lint.files import discover
    from mpz_lint.notebooks import is_notebook
    from mpz_lint.project import kind_of
    from mpz_lint.settings import Settings

    inventory = Inventory(list(roots))
    found, _ = discover(list(roots), Settings(respect_gitignore=False), Path("/"))
    for path, display in found:
        try:
            lines = path.read_bytes().count(b"\n")
        except OSError:
            continue
        if is_notebook(display):
            inventory.notebooks += 1
        elif kind_of(display) == "python":
            inventory.python_files += 1
            inventory.python_lines += lines
        else:
            inventory.config_files += 1
            inventory.config_lines += lines
    return inventory


def print_inventory(inventory: Inventory) -> None:
    print("swept:", ", ".join(inventory.roots))
    print(f"  python files {inventory.python_files:>8,}   lines {inventory.python_lines:>10,}")
    print(f"  config files {inventory.config_files:>8,}   lines {inventory.config_lines:>10,}")
    print(f"  notebooks    {inventory.notebooks:>8,}")


# --- the CLI runs ---------------------------------------------------------------------------


def run_cli(arguments: Sequence[str], roots: Sequence[str]) -> Run:
    command = [sys.executable, "-m", "mpz_lint", *arguments, *roots]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, cwd="/",
                          env={**os.environ, "PYTHONPATH": str(REPO)})
    run = Run(command[2:], done.returncode, time.monotonic() - started)
    if done.returncode not in (0, 1, 2):
        run.crashes.append(f"exit code {done.returncode}: {done.stderr[-2000:]}")
    if "Traceback (most recent call last)" in done.stderr:
        run.crashes.append("traceback: " + done.stderr[done.stderr.index("Traceback"):][-3000:])
    for line in done.stderr.splitlines():
        error = ERROR_LINE.match(line)
        if error is None:
            continue
        (run.crashes if CRASH_MESSAGES.search(error.group(2)) else run.input_errors).append(line)
    if "--diff" in arguments:
        run.diff_files = len(re.findall(r"^\+\+\+ ", done.stdout, re.MULTILINE))
        run.findings = [line for line in done.stdout.splitlines() if line.startswith("+++ ")]
    elif done.stdout.strip():
        for item in json.loads(done.stdout):
            where = f"{item['filename']}:{item['location']['row']}:{item['location']['column']}"
            run.findings.append(f"{where}: {item['code']} {item['message']}")
    return run


def print_run(run: Run) -> None:
    print(f"\n$ mpz-lint {' '.join(run.command[1:-2])} <roots>")
    print(f"  exit code {run.exit_code}, {run.seconds:.1f} s")
    print(f"  crashes {len(run.crashes)}, input errors {len(run.input_errors)}, "
          f"findings {len(run.findings)}" + (f", files with fixes {run.diff_files}"
                                              if "--diff" in run.command else ""))
    for crash in run.crashes:
        print("  CRASH", crash)
    kinds = Counter(re.sub(r"\d+", "N", line.split(": ", 2)[-1])[:60] for line in run.input_errors)
    for kind, count in kinds.most_common():
        print(f"  input error x{count}: {kind}")
    for finding in run.findings:
        print("  FINDING", finding)


# --- the deep sweep -------------------------------------------------------------------------

_WORKER = r"""
import json, sys, time
from pathlib import Path
from mpz_lint import project
from mpz_lint.engine import fix_files, lint_files
from mpz_lint.files import read_source
from mpz_lint.model import FileError
from mpz_lint.settings import Settings

# Every file is treated as one that names Procore: parsed, indexed and analysed.
project.Project.relevant_paths = lambda self: {f.path for f in self.python_files()}
out = {"checked": 0, "errors": [], "findings": [], "slow": []}
for name in sys.stdin.read().splitlines():
    source = read_source(Path(name), name)
    if isinstance(source, FileError):
        continue
    started = time.monotonic()
    (result,) = lint_files([source], Settings())
    if result.error is None and any(d.fix is not None for d in result.diagnostics):
        (result,) = fix_files([source], Settings(), unsafe_fixes=True)
    seconds = time.monotonic() - started
    out["checked"] += 1
    if seconds > 20:
        out["slow"].append(f"{name}: {seconds:.0f} s")
    if result.error is not None:
        out["errors"].append(str(result.error))
    out["findings"] += [f"{d.path}:{d.location.row}:{d.location.column}: {d.code} {d.message}"
                        for d in result.diagnostics]
print(json.dumps(out))
"""


def analyse_all(roots: Sequence[str], workers: int) -> dict[str, object]:
    """Parse and analyse every Python file, in batches, each in its own process."""
    from mpz_lint.files import discover
    from mpz_lint.project import kind_of
    from mpz_lint.settings import Settings

    found, _ = discover(list(roots), Settings(respect_gitignore=False), Path("/"))
    names = [str(path) for path, display in found if kind_of(display) == "python"]
    batches = [names[i:i + 200] for i in range(0, len(names), 200)]
    started = time.monotonic()
    totals: dict[str, list[str]] = {"errors": [], "findings": [], "slow": [], "crashes": []}
    checked = 0
    running: list[tuple[subprocess.Popen[str], list[str]]] = []
    env = {**os.environ, "PYTHONPATH": str(REPO)}

    def collect(process: subprocess.Popen[str], batch: list[str]) -> None:
        nonlocal checked
        stdout, stderr = process.communicate()
        if process.returncode != 0:
            # A crash of the process (a segfault in the parser): bisect to the file.
            totals["crashes"].extend(_bisect_crash(batch, env))
            return
        data = json.loads(stdout)
        checked += data["checked"]
        for key in ("errors", "findings", "slow"):
            totals[key].extend(data[key])

    for batch in batches:
        while len(running) >= workers:
            process, running_batch = running.pop(0)
            collect(process, running_batch)
        process = subprocess.Popen([sys.executable, "-c", _WORKER], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                   env=env)
        assert process.stdin is not None
        process.stdin.write("\n".join(batch))
        process.stdin.close()
        process.stdin = None  # communicate() must not write again
        running.append((process, batch))
    for process, batch in running:
        collect(process, batch)
    seconds = time.monotonic() - started
    crashes = totals["crashes"] + [e for e in totals["errors"] if CRASH_MESSAGES.search(e)]
    input_errors = [e for e in totals["errors"] if not CRASH_MESSAGES.search(e)]
    print(f"\n$ analyse every Python file ({workers} workers)")
    print(f"  files {checked:,}, {seconds:.0f} s, crashes {len(crashes)}, "
          f"input errors {len(input_errors)}, "
          f"findings {len(totals['findings'])}, slow files {len(totals['slow'])}")
    for crash in crashes:
        print("  CRASH", crash)
    for error in input_errors:
        print("  input error", error)
    for slow in totals["slow"]:
        print("  SLOW", slow)
    for finding in totals["findings"]:
        print("  FINDING", finding)
    return {"files": checked, "seconds": seconds, "crashes": crashes,
            "input_errors": input_errors, "findings": totals["findings"], "slow": totals["slow"]}


def _bisect_crash(batch: list[str], env: dict[str, str]) -> list[str]:
    """The files of `batch` that kill a worker process on their own."""
    if len(batch) == 1:
        return [f"{batch[0]}: the worker process died"]
    half = len(batch) // 2
    crashed: list[str] = []
    for part in (batch[:half], batch[half:]):
        done = subprocess.run([sys.executable, "-c", _WORKER], input="\n".join(part),
                              capture_output=True, text=True, env=env)
        if done.returncode != 0:
            crashed.extend(_bisect_crash(part, env))
    return crashed


if __name__ == "__main__":
    sys.exit(main())
