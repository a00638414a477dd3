"""The benchmark of issue 7 ("Scale"): `mpz-lint check` against a bare libcst parse, ruff,
Fixit and semgrep, over corpora the script builds itself, with the issue's targets.

    python scripts/bench.py                       # everything (about 20 minutes)
    python scripts/bench.py --only dense,fix      # some sections
    python scripts/bench.py --runs 3 --runs-slow 1 --no-install

Corpora, built once under .bench/ (gitignored) and reused (`--rebuild` builds them
again; see scripts/bench_corpora.py):

  mixed    the sdists of django 4.2.30, sqlalchemy 2.0.58 and botocore 1.44.8 (their
           sources with tests and docs, fetched from PyPI's simple index and checked
           against its sha256: about 1.2 million lines of Python) plus fixtures/;
  mixed2x  mixed twice, in two sibling folders (the memory-growth figure);
  dense    50k+ lines of Procore client code: fixtures/{demo,hosts,headers,programs}
           (not *.fixed.py) replicated into copy_NNN/ package trees;
  dense2x  the same with twice the copies (the growth figure).

Sections (`--only`, comma-separated; default all):

  mixed    bare libcst.parse_module of every .py file (one process, in this process);
           `mpz-lint check` as a user runs it, default jobs (ratio to the bare parse,
           target <= 0.03; `-j 1` shown too) and `ruff check --isolated --no-cache
           --select S113` (ratio, target <= 4x);
  dense    bare parse; `check -j 1` (target <= 2x the parse) and `-j 2` (<= 1.2x);
  fix      `check --fix -j 1` over a fresh copy of dense each run (the copy not timed),
           target <= 2x `check -j 1` over dense;
  peers    Fixit 2 with one custom rule and semgrep with one pattern rule (string
           literals containing app.procore.com) over mixed: mpz-lint (default jobs, as
           the peers) at least 50x and 10x faster; each also as a ratio of a 2-worker
           libcst parse of mixed;
  startup  `python -m mpz_lint check ONE_FILE.py` against `python -c "import libcst,
           click"` (target <= 1.5x); the `mpz-lint` console script too;
  memory   peak RSS of `check -j 1` over mixed (target <= 400 MB) and over mixed2x
           (<= 1.2x that), measured by scripts/bench_rss.py; default jobs too;
  growth   `check -j 1` over dense2x / over dense (target <= 2.2x);
  cache    `check -j 1 --cache-dir TMP` over dense again with the cache warm (no target).

mpz-lint is byte-compiled first, as `pip install` does (this machine sets
PYTHONDONTWRITEBYTECODE: an editable install would compile every module on every run).
Every mpz-lint run is `python -m mpz_lint check --output-format concise --no-cache -j N`
as a subprocess from the repo root (exit 0 or 1; anything else is reported as a failure
with its stderr). `-j/--jobs`, `--no-cache` and `--cache-dir` are used only when
`check --help` lists them (a one-line warning says which are dropped). Each figure is the
median [min-max] of `--runs` runs (`--runs-slow` for the long ones: the bare parses of
mixed and the peers); a ratio is of medians. Peers are installed pinned into
.bench/peers-venv and .bench/peers-venv-semgrep (see scripts/bench_peers.py).

Exit status: 0 when every figure was measured (whether or not its target holds), 1 when
a command failed. Standard library only, plus the installed mpz_lint and libcst.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

import bench_corpora as corpora
import bench_peers as peers

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / ".bench"
SECTIONS = ("mixed", "dense", "fix", "peers", "startup", "memory", "growth", "cache")
CHECK = ("-m", "mpz_lint", "check", "--output-format", "concise")
CLI_OK = (0, 1)  # mpz-lint check: 0 clean, 1 findings; anything else is a failure
STARTUP_FILE = "fixtures/hosts/rest_literal.py"
STARTUP_MIN_RUNS = 20  # a start-up takes a fraction of a second: more runs are cheap
FINDING = re.compile(r"^\S.*:\d+:\d+: [A-Z]+[0-9]+ ", re.MULTILINE)
FIXIT_FINDING = re.compile(r"@\d+:\d+ ProcoreAppHost: ", re.MULTILINE)
RUFF_FINDING = re.compile(r"^Found (\d+) error", re.MULTILINE)


class Failure(Exception):
    """A command that did not run as it should; the section stops, the others go on."""


@dataclass(frozen=True)
class Timing:
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    def show(self, unit: str = "s", scale: float = 1.0, digits: int = 3) -> str:
        low, mid, high = (min(self.runs) * scale, self.median * scale, max(self.runs) * scale)
        return f"{mid:.{digits}f} {unit} [{low:.{digits}f}-{high:.{digits}f}]"


@dataclass
class Row:
    figure: str
    value: str
    target: str
    status: str


@dataclass
class Flags:
    """Which of the new `check` options this mpz-lint has."""

    jobs: str | None  # "-j" or "--jobs", or None
    no_cache: bool
    cache_dir: bool
    warned: set[str] = field(default_factory=set)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench.py",
        description="The benchmark of issue 7: mpz-lint check against a bare libcst parse, "
                    "ruff, Fixit and semgrep, with the issue's targets.",
    )
    parser.add_argument("--only", default=",".join(SECTIONS), metavar="SECTIONS",
                        help=f"comma-separated sections to run (default: all of "
                             f"{','.join(SECTIONS)})")
    parser.add_argument("--runs", type=int, default=5, metavar="N",
                        help="runs of each quick measurement (default: 5)")
    parser.add_argument("--runs-slow", type=int, default=3, metavar="N",
                        help="runs of the slow ones: bare parses of mixed, Fixit, semgrep "
                             "(default: 3)")
    parser.add_argument("--no-install", action="store_true",
                        help="use the peers' virtualenvs as they are; skip a missing peer")
    parser.add_argument("--rebuild", action="store_true", help="build every corpus again")
    args = parser.parse_args(argv)
    args.sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = [s for s in args.sections if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    if args.runs < 1 or args.runs_slow < 1:
        parser.error("--runs and --runs-slow must be at least 1")
    return args


# --- running and timing commands ----------------------------------------------------------


def show_command(command: Sequence[str], env: dict[str, str] | None = None) -> str:
    shown = [_short(part) for part in command]
    prefix = " ".join(f"{k}={v}" for k, v in (env or {}).items())
    return (prefix + " " if prefix else "") + shlex.join(shown)


def _short(part: str) -> str:
    """A path inside the repo as a relative path (commands run from the repo root)."""
    if part.startswith(str(REPO) + os.sep):
        return os.path.relpath(part, REPO)
    return part


def run_timed(command: Sequence[str], runs: int, *, ok: Sequence[int] = CLI_OK,
              env: dict[str, str] | None = None, prepare: Callable[[], None] | None = None,
              warmup: int = 0, count: Callable[[subprocess.CompletedProcess[str]], int] | None = None,
              ) -> tuple[Timing, subprocess.CompletedProcess[str]]:
    """Run `command` `warmup` + `runs` times from the repo root; time the last `runs`.
    `prepare` runs (untimed) before each run; `count` counts a run's findings, which must
    not change from run to run. Returns the timing and the first result."""
    print(f"    $ {show_command(command, env)}", flush=True)
    environment = {**os.environ, **(env or {})}
    times: list[float] = []
    first: subprocess.CompletedProcess[str] | None = None
    for index in range(warmup + runs):
        if prepare is not None:
            prepare()
        start = time.perf_counter()
        done = subprocess.run(list(command), cwd=REPO, env=environment, capture_output=True,
                              text=True, errors="replace")
        elapsed = time.perf_counter() - start
        # An uncaught exception exits 1 too, which mpz-lint uses for "findings".
        if done.returncode not in ok or "Traceback (most recent call last)" in done.stderr:
            raise Failure(f"`{show_command(command, env)}` exited {done.returncode}:\n"
                          f"{_tail(done.stderr or done.stdout)}")
        if first is not None and count is not None and count(done) != count(first):
            print(f"    warning: run {index + 1} gave {count(done)} findings, the first "
                  f"{count(first)}: the output is not stable", flush=True)
        if index >= warmup:
            times.append(elapsed)
        first = first or done
    assert first is not None
    return Timing(tuple(times)), first


# A step timed in turns: a command, or a function of this process that times itself.
Step = Union[list[str], Callable[[], float]]


def run_interleaved(commands: dict[str, Step], runs: int, *, warmup: int = 0,
                    prepare: dict[str, Callable[[], None]] | None = None,
                    ) -> dict[str, Timing]:
    """Run each command once per round, `warmup` + `runs` rounds; time the last `runs`.
    `prepare[key]` runs (untimed) before each run of that command."""
    for command in commands.values():
        if not callable(command):
            print(f"    $ {show_command(command)}", flush=True)
    times: dict[str, list[float]] = {key: [] for key in commands}
    for index in range(warmup + runs):
        for key, command in commands.items():
            if prepare is not None and key in prepare:
                prepare[key]()
            if callable(command):
                elapsed = command()
                if index >= warmup:
                    times[key].append(elapsed)
                continue
            start = time.perf_counter()
            done = subprocess.run(command, cwd=REPO, capture_output=True, text=True,
                                  errors="replace")
            elapsed = time.perf_counter() - start
            if done.returncode not in CLI_OK or "Traceback (most recent call last)" in done.stderr:
                raise Failure(f"`{show_command(command)}` exited {done.returncode}:\n"
                              f"{_tail(done.stderr or done.stdout)}")
            if index >= warmup:
                times[key].append(elapsed)
    return {key: Timing(tuple(values)) for key, values in times.items()}


def _tail(text: str, lines: int = 20) -> str:
    return "\n".join("      " + line for line in text.strip().splitlines()[-lines:])


# --- bare parses ----------------------------------------------------------------------------


def _parse_file(path: str) -> bool:
    """Parse one file (in a worker); True if it parsed."""
    import libcst

    try:
        libcst.parse_module(Path(path).read_bytes().decode("utf-8", errors="replace"))
    except libcst.ParserSyntaxError:
        return False
    return True


def time_bare_parse(corpus: corpora.Corpus, runs: int) -> tuple[Timing, int]:
    """libcst.parse_module of every Python file, in this process (files read beforehand);
    also how many did not parse."""
    import libcst

    texts = [path.read_bytes().decode("utf-8", errors="replace") for path in corpus.python_files]
    libcst.parse_module("pass\n")  # load the native parser first
    times: list[float] = []
    failures = 0
    for _ in range(runs):
        failures = 0
        start = time.perf_counter()
        for text in texts:
            try:
                libcst.parse_module(text)
            except libcst.ParserSyntaxError:
                failures += 1
        times.append(time.perf_counter() - start)
    return Timing(tuple(times)), failures


def bare_parse_step(corpus: corpora.Corpus) -> tuple[Callable[[], float], int]:
    """A function timing one bare parse of every Python file (as time_bare_parse), and how
    many files did not parse."""
    import libcst

    texts = [path.read_bytes().decode("utf-8", errors="replace") for path in corpus.python_files]
    libcst.parse_module("pass\n")  # load the native parser first
    failures = 0
    for text in texts:
        try:
            libcst.parse_module(text)
        except libcst.ParserSyntaxError:
            failures += 1

    def step() -> float:
        start = time.perf_counter()
        for text in texts:
            try:
                libcst.parse_module(text)
            except libcst.ParserSyntaxError:
                pass
        return time.perf_counter() - start

    return step, failures


def time_pool_parse(corpus: corpora.Corpus, runs: int, workers: int = 2) -> tuple[Timing, int]:
    """The same with a multiprocessing Pool of `workers` (starting the pool is timed; each
    worker reads its files)."""
    import multiprocessing

    paths = [str(path) for path in corpus.python_files]
    times: list[float] = []
    failures = 0
    for _ in range(runs):
        start = time.perf_counter()
        with multiprocessing.Pool(workers) as pool:
            parsed = pool.map(_parse_file, paths, chunksize=8)
        times.append(time.perf_counter() - start)
        failures = parsed.count(False)
    return Timing(tuple(times)), failures


# --- the benchmark --------------------------------------------------------------------------


class Bench:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.runs: int = args.runs
        self.runs_slow: int = args.runs_slow
        self.timings: dict[str, Timing] = {}
        self.failed: set[str] = set()  # figures whose command failed (not tried again)
        self.noted: set[str] = set()  # skip notes already printed
        self.rows: list[Row] = []
        self.failures: list[str] = []
        self.flags = self._detect_flags()
        self.corpora: dict[str, corpora.Corpus] = {}
        self.peer_problems: dict[str, str | None] = {}

    # -- the mpz-lint command line --

    def _detect_flags(self) -> Flags:
        done = subprocess.run([sys.executable, *CHECK[:3], "--help"], cwd=REPO,
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"bench: `python -m mpz_lint check --help` exited "
                             f"{done.returncode}:\n{_tail(done.stderr)}")
        text = done.stdout
        jobs = None
        if re.search(r"(?<![\w-])--jobs\b", text):
            jobs = "-j" if re.search(r"(?<![\w-])-j\b", text) else "--jobs"
        return Flags(jobs=jobs, no_cache=bool(re.search(r"(?<![\w-])--no-cache\b", text)),
                     cache_dir=bool(re.search(r"(?<![\w-])--cache-dir\b", text)))

    def _warn_once(self, flag: str, dropped: str) -> None:
        if flag not in self.flags.warned:
            self.flags.warned.add(flag)
            print(f"  warning: `mpz-lint check --help` lists no {flag} yet: dropping it "
                  f"(`{dropped}`) from the mpz-lint commands", flush=True)

    def mpz(self, tree: str, *, jobs: int | None = 1, cache_dir: str | None = None,
            fix: bool = False) -> list[str]:
        """`python -m mpz_lint check --output-format concise [--fix] --no-cache -j N TREE`,
        less the options this mpz-lint does not have yet."""
        command = [sys.executable, *CHECK]
        if fix:
            command.append("--fix")
        if cache_dir is None:
            if self.flags.no_cache:
                command.append("--no-cache")
            else:
                self._warn_once("--no-cache", "--no-cache")
        elif self.flags.cache_dir:
            command += ["--cache-dir", cache_dir]
        else:
            self._warn_once("--cache-dir", f"--cache-dir {cache_dir}")
        if jobs is not None:
            if self.flags.jobs:
                command += [self.flags.jobs, str(jobs)]
            else:
                self._warn_once("-j/--jobs", f"-j {jobs}")
        command.append(tree)
        return command

    # -- corpora --

    def corpus(self, name: str) -> corpora.Corpus:
        if name not in self.corpora:
            root = BENCH / name
            rebuild = bool(self.args.rebuild)  # each corpus is built at most once a run
            if name == "mixed":
                corpora.build_mixed(root, rebuild)
            elif name == "mixed2x":
                self.corpus("mixed")
                corpora.build_twice(root, BENCH / "mixed", rebuild)
            elif name in ("dense", "dense2x"):
                copies = corpora.dense_copies() * (2 if name == "dense2x" else 1)
                corpora.build_dense(root, copies, rebuild)
            else:
                raise ValueError(name)
            self.corpora[name] = corpora.load(name, root)
            print(f"  corpus {self.corpora[name].describe()}", flush=True)
        return self.corpora[name]

    # -- figures, each measured once and shared between sections --

    def figure(self, key: str, label: str, measure: Callable[[], Timing], unit: str = "s",
               scale: float = 1.0, digits: int = 3) -> Timing | None:
        if key in self.timings:
            return self.timings[key]
        if key in self.failed:
            return None
        print(f"  {label}", flush=True)
        try:
            timing = measure()
        except Failure as failure:
            print(f"    FAILED: {failure}", flush=True)
            self.failures.append(f"{label}: {failure}")
            self.failed.add(key)
            return None
        self.timings[key] = timing
        print(f"    = {timing.show(unit, scale, digits)}  ({len(timing.runs)} runs)", flush=True)
        return timing

    def ratio(self, figure: str, numerator: str, denominator: str, *, at_most: float | None = None,
              at_least: float | None = None, inverse: bool = False) -> None:
        """Print and record numerator/denominator (of medians) against its target."""
        top, bottom = self.timings.get(numerator), self.timings.get(denominator)
        if inverse:
            top, bottom = bottom, top
        target = (f"<= {at_most:g}" if at_most is not None
                  else f">= {at_least:g}" if at_least is not None else "-")
        if top is None or bottom is None or bottom.median <= 0:
            print(f"  {figure} = n/a (a figure is missing)  target {target}", flush=True)
            self.rows.append(Row(figure, "n/a", target, "n/a"))
            return
        value = top.median / bottom.median
        if at_most is not None:
            status = "ok" if value <= at_most else "MISS"
        elif at_least is not None:
            status = "ok" if value >= at_least else "MISS"
        else:
            status = "-"
        shown = f"{value:.4f}x" if value < 0.1 else f"{value:.2f}x"
        print(f"  => {figure} = {shown}  target {target}  {status}", flush=True)
        self.rows.append(Row(figure, shown, target, status))

    def info(self, figure: str, value: str) -> None:
        self.rows.append(Row(figure, value, "-", "-"))

    def check_figure(self, tree: str, jobs: int | None = 1) -> Timing | None:
        """`mpz-lint check` over a corpus, timed; findings counted once."""
        key = f"check {tree} -j {jobs if jobs is not None else 'default'}"
        if jobs is not None and jobs != 1 and not self.flags.jobs:
            if key not in self.noted:
                self.noted.add(key)
                print(f"  {key}: skipped, `mpz-lint check` has no -j/--jobs yet", flush=True)
            return None
        corpus = self.corpus(tree)

        def measure() -> Timing:
            timing, first = run_timed(self.mpz(_rel(corpus.root), jobs=jobs), self.runs,
                                      count=_findings)
            print(f"    {len(FINDING.findall(first.stdout))} findings (exit {first.returncode})",
                  flush=True)
            return timing

        return self.figure(key, f"mpz-lint {key}", measure)

    def parse_figure(self, tree: str, workers: int = 1) -> Timing | None:
        corpus = self.corpus(tree)
        runs = self.runs_slow if tree.startswith("mixed") else self.runs
        key = f"parse {tree} x{workers}"

        def measure() -> Timing:
            if workers == 1:
                timing, failures = time_bare_parse(corpus, runs)
                how = "libcst.parse_module of each file's text, in this process"
            else:
                timing, failures = time_pool_parse(corpus, runs, workers)
                how = f"multiprocessing.Pool({workers}).map(read + libcst.parse_module)"
            naming = sum(1 for p in corpus.python_files if b"procore" in p.read_bytes().lower())
            note = f"; {failures} did not parse" if failures else ""
            print(f"    {how}: {len(corpus.python_files)} files, {corpus.python_lines:,} lines "
                  f"({naming} name Procore{note})", flush=True)
            return timing

        label = (f"bare parse {tree}, one process" if workers == 1
                 else f"bare parse {tree}, {workers} worker processes")
        return self.figure(key, label, measure)

    # -- sections --

    def section_mixed(self) -> None:
        # The target is `mpz-lint check` as a user runs it (one process per core); the
        # single-process figure is shown beside it.
        self.parse_figure("mixed")
        self.check_figure("mixed", jobs=None)
        self.check_figure("mixed")
        self.ruff_figure()
        self.ratio("mixed: check / bare parse", "check mixed -j default", "parse mixed x1",
                   at_most=0.03)
        self.ratio("mixed: check -j1 / bare parse", "check mixed -j 1", "parse mixed x1")
        self.ratio("mixed: check / ruff S113", "check mixed -j default", "ruff mixed", at_most=4)

    def ruff_figure(self) -> Timing | None:
        problem = self.peer_ready(peers.PEERS_VENV)
        if problem:
            print(f"  ruff: skipped: {problem}", flush=True)
            return None
        corpus = self.corpus("mixed")

        def measure() -> Timing:
            timing, first = run_timed(peers.ruff_command(_rel(corpus.root)), self.runs)
            found = RUFF_FINDING.search(first.stdout)
            print(f"    ruff {_version(peers.PEERS_VENV.exe('ruff'))}: "
                  f"{found.group(1) if found else 0} S113 findings", flush=True)
            return timing

        return self.figure("ruff mixed", "ruff check --select S113 over mixed", measure)

    def section_dense(self) -> None:
        # The bare parse and both checks in turns: the targets are ratios of them.
        corpus = self.corpus("dense")
        parse, failures = bare_parse_step(corpus)
        print(f"  bare parse: libcst.parse_module of each file's text, in this process: "
              f"{len(corpus.python_files)} files, {corpus.python_lines:,} lines"
              f"{f'; {failures} did not parse' if failures else ''}", flush=True)
        figures: dict[str, tuple[str, Step]] = {
            "parse dense x1": ("bare parse dense, one process", parse),
            "check dense -j 1": ("mpz-lint check dense -j 1", self.mpz(_rel(corpus.root), jobs=1))}
        if self.flags.jobs:
            figures["check dense -j 2"] = ("mpz-lint check dense -j 2",
                                           self.mpz(_rel(corpus.root), jobs=2))
        if not self.in_turns(figures):
            return
        self.ratio("dense: check -j1 / bare parse", "check dense -j 1", "parse dense x1",
                   at_most=2)
        self.ratio("dense: check -j2 / bare parse", "check dense -j 2", "parse dense x1",
                   at_most=1.2)

    def in_turns(self, figures: dict[str, tuple[str, Step]],
                 prepare: dict[str, Callable[[], None]] | None = None) -> bool:
        """Time the commands of a ratio in turns (one run of each per round), so that the
        machine's drift over minutes does not enter the ratio; record each as a figure."""
        print("  " + " and ".join(label for label, _ in figures.values()) + ", run in turns",
              flush=True)
        try:
            timings = run_interleaved({key: command for key, (_, command) in figures.items()},
                                      self.runs, prepare=prepare)
        except Failure as failure:
            print(f"    FAILED: {failure}", flush=True)
            self.failures.append(f"{' / '.join(figures)}: {failure}")
            return False
        for key, (label, _) in figures.items():
            self.timings.pop(key, None)  # this round's figure replaces one taken earlier
            self.figure(key, label, functools.partial(timings.__getitem__, key))
        return True

    def section_fix(self) -> None:
        dense = self.corpus("dense")
        work = BENCH / "dense-fix"
        print(f"  (a fresh copy of {_rel(dense.root)} to {_rel(work)} before each fix run, "
              f"not timed)", flush=True)
        if self.in_turns(
                {"check dense -j 1": ("mpz-lint check dense -j 1",
                                      self.mpz(_rel(dense.root), jobs=1)),
                 "fix dense -j 1": ("mpz-lint check --fix -j 1 over a fresh copy of dense",
                                    self.mpz(_rel(work), jobs=1, fix=True))},
                prepare={"fix dense -j 1": lambda: corpora.fresh_copy(dense.root, work)}):
            self.ratio("fix: check --fix / check (dense, -j1)", "fix dense -j 1",
                       "check dense -j 1", at_most=2)

    def peer_ready(self, venv: peers.Venv) -> str | None:
        key = str(venv.path)
        if key not in self.peer_problems:
            self.peer_problems[key] = peers.ensure(venv, install=not self.args.no_install)
            peers.write_configs()
        return self.peer_problems[key]

    def section_peers(self) -> None:
        corpus = self.corpus("mixed")
        tree = _rel(corpus.root)
        self.parse_figure("mixed", workers=2)
        self.check_figure("mixed", jobs=None)
        problem = self.peer_ready(peers.PEERS_VENV)
        if problem:
            print(f"  Fixit: skipped: {problem}", flush=True)
        else:
            def fixit() -> Timing:
                # Fixit's exit status is a bit mask: 1 findings, 2 a file it could not
                # lint (the sdists hold a test file that does not parse on purpose).
                timing, first = run_timed(peers.fixit_command(tree), self.runs_slow,
                                          ok=(0, 1, 2, 3))
                summary = first.stderr.strip().splitlines()[-1:] or ["(no summary)"]
                found = len(FIXIT_FINDING.findall(first.stdout))
                print(f"    Fixit {_version(peers.PEERS_VENV.exe('fixit'))}, rule "
                      f"{_rel(peers.FIXIT_RULE)}: {found} findings; {summary[0].strip()}",
                      flush=True)
                if found == 0:
                    raise Failure("Fixit found no app.procore.com literal in the fixtures: "
                                  "its rule did not run, the comparison would not be real:\n"
                                  + _tail(first.stdout + first.stderr))
                return timing

            self.figure("fixit mixed", "Fixit 2, one custom rule, over mixed", fixit)
        problem = self.peer_ready(peers.SEMGREP_VENV)
        if problem:
            print(f"  semgrep: skipped: {problem}", flush=True)
        else:
            for experimental in (False, True):
                key = "semgrep-exp mixed" if experimental else "semgrep mixed"
                label = ("semgrep --experimental --project-root .bench (every file), over mixed"
                         if experimental else "semgrep scan (default CLI), over mixed")
                self.figure(key, label, self._semgrep_measure(tree, experimental))
        # The peers use every core by default; so does mpz-lint here.
        self.ratio("peers: Fixit / mpz-lint check", "fixit mixed", "check mixed -j default",
                   at_least=50)
        self.ratio("peers: semgrep / mpz-lint check", "semgrep mixed", "check mixed -j default",
                   at_least=10)
        self.ratio("peers: semgrep --experimental / mpz-lint", "semgrep-exp mixed",
                   "check mixed -j default", at_least=10)
        for name, key in (("Fixit", "fixit mixed"), ("semgrep", "semgrep mixed"),
                          ("semgrep --experimental", "semgrep-exp mixed"),
                          ("mpz-lint", "check mixed -j default")):
            self.ratio(f"peers: {name} / 2-worker parse", key, "parse mixed x2")

    def _semgrep_measure(self, tree: str, experimental: bool) -> Callable[[], Timing]:
        def measure() -> Timing:
            timing, first = run_timed(peers.semgrep_command(tree, experimental), self.runs_slow,
                                      env=peers.SEMGREP_ENV)
            try:
                report = json.loads(first.stdout)
                results, scanned = len(report["results"]), len(report["paths"]["scanned"])
                errors = len(report.get("errors", []))
            except (ValueError, KeyError, TypeError):
                raise Failure(f"semgrep printed no JSON report:\n{_tail(first.stdout)}") from None
            python = len(self.corpus("mixed").python_files)
            print(f"    semgrep {_version(peers.SEMGREP_VENV.exe('semgrep'))}: {results} findings, "
                  f"{scanned} of {python} Python files scanned, {errors} errors", flush=True)
            if results == 0:
                raise Failure("semgrep found no app.procore.com literal in the fixtures: the "
                              "comparison would not be real")
            return timing

        return measure

    def section_startup(self) -> None:
        runs = max(self.runs, STARTUP_MIN_RUNS)
        # --no-cache: a pre-commit run checks files just edited, which no cache holds.
        no_cache = ["--no-cache"] if self.flags.no_cache else []
        commands: dict[str, tuple[str, list[str]]] = {
            "startup check": (
                f"start-up: python -m mpz_lint check {' '.join(no_cache)} {STARTUP_FILE}",
                [sys.executable, "-m", "mpz_lint", "check", *no_cache, STARTUP_FILE]),
            "startup import": ('start-up: python -c "import libcst, click"',
                               [sys.executable, "-c", "import libcst, click"]),
        }
        script = Path(sys.executable).parent / "mpz-lint"
        on_path = shutil.which("mpz-lint")
        if not script.is_file() and on_path:
            script = Path(on_path)
        if script.is_file():
            if on_path and Path(on_path) != script:
                print(f"  note: `mpz-lint` on PATH is {on_path} (a wrapper, e.g. a pyenv "
                      f"shim); timing {script} itself", flush=True)
            commands["startup script"] = (
                f"start-up: {_short(str(script))} check {' '.join(no_cache)} {STARTUP_FILE}",
                [str(script), "check", *no_cache, STARTUP_FILE])
        else:
            print("  no `mpz-lint` console script found", flush=True)
        # Taken in turns, one run of each per round: the machine's speed drifts over
        # seconds, and a ratio of two blocks of runs taken apart measures the drift too.
        print("  start-up commands, run in turns", flush=True)
        try:
            timings = run_interleaved({key: command for key, (_, command) in commands.items()},
                                      runs, warmup=1)
        except Failure as failure:
            print(f"    FAILED: {failure}", flush=True)
            self.failures.append(f"start-up: {failure}")
            return
        for key, (label, _) in commands.items():
            self.figure(key, label, functools.partial(timings.__getitem__, key), unit="ms",
                        scale=1000, digits=0)
        self.ratio("startup: check one file / import libcst+click", "startup check",
                   "startup import", at_most=1.5)
        if "startup script" in self.timings:
            self.ratio("startup: console script / import libcst+click", "startup script",
                       "startup import", at_most=1.5)

    def rss_figure(self, tree: str, jobs: int | None) -> None:
        corpus = self.corpus(tree)
        key = f"rss {tree} -j {jobs if jobs is not None else 'default'}"
        command = self.mpz(_rel(corpus.root), jobs=jobs)

        def measure() -> Timing:
            wrapper = [sys.executable, str(REPO / "scripts" / "bench_rss.py")]
            print(f"    $ {show_command(wrapper + ['STDERR_FILE'] + command)}", flush=True)
            largest: list[float] = []
            tree_peaks: list[float] = []
            with tempfile.TemporaryDirectory() as folder:
                errors = Path(folder) / "stderr"
                for _ in range(self.runs):
                    done = subprocess.run([*wrapper, str(errors), *command], cwd=REPO,
                                          capture_output=True, text=True)
                    try:
                        report = json.loads(done.stdout.strip().splitlines()[-1])
                    except (ValueError, IndexError):
                        raise Failure(f"bench_rss.py printed no report:\n"
                                      f"{_tail(done.stderr)}") from None
                    if report["returncode"] not in CLI_OK:
                        raise Failure(f"`{show_command(command)}` exited {report['returncode']}:"
                                      f"\n{_tail(errors.read_text(errors='replace'))}")
                    largest.append(report["maxrss_kb"] / 1024)
                    if report["tree_peak_kb"] is not None:
                        tree_peaks.append(report["tree_peak_kb"] / 1024)
            if tree_peaks:
                self.timings[key + " tree"] = Timing(tuple(tree_peaks))
                print(f"    all processes together (sampled every 20 ms): "
                      f"{Timing(tuple(tree_peaks)).show('MB', digits=0)}", flush=True)
            return Timing(tuple(largest))

        self.figure(key, f"peak RSS (largest process, ru_maxrss) of check {key[4:]}", measure,
                    unit="MB", digits=0)

    def section_memory(self) -> None:
        self.rss_figure("mixed", 1)
        self.rss_figure("mixed2x", 1)
        self.rss_figure("mixed", None)
        peak = self.timings.get("rss mixed -j 1")
        if peak is None:
            self.rows.append(Row("memory: peak RSS, mixed, -j1", "n/a", "<= 400 MB", "n/a"))
        else:
            status = "ok" if peak.median <= 400 else "MISS"
            print(f"  => memory: peak RSS, mixed, -j1 = {peak.median:.0f} MB  target <= 400 MB  "
                  f"{status}", flush=True)
            self.rows.append(Row("memory: peak RSS, mixed, -j1", f"{peak.median:.0f} MB",
                                 "<= 400 MB", status))
        self.ratio("memory: peak RSS mixed2x / mixed (-j1)", "rss mixed2x -j 1", "rss mixed -j 1",
                   at_most=1.2)
        for key, label in (("rss mixed -j default", "largest process"),
                           ("rss mixed -j default tree", "all processes")):
            if key in self.timings:
                self.info(f"memory: peak RSS, mixed, default jobs, {label}",
                          f"{self.timings[key].median:.0f} MB")

    def section_growth(self) -> None:
        dense, double = self.corpus("dense"), self.corpus("dense2x")
        if self.in_turns(
                {"check dense -j 1": ("mpz-lint check dense -j 1",
                                      self.mpz(_rel(dense.root), jobs=1)),
                 "check dense2x -j 1": ("mpz-lint check dense2x -j 1",
                                        self.mpz(_rel(double.root), jobs=1))}):
            self.ratio("growth: check dense2x / dense (-j1)", "check dense2x -j 1",
                       "check dense -j 1", at_most=2.2)

    def section_cache(self) -> None:
        if not self.flags.cache_dir:
            print("  skipped: `mpz-lint check --help` lists no --cache-dir yet", flush=True)
            self.rows.append(Row("cache: warm re-run over dense", "n/a", "-", "n/a"))
            return
        self.check_figure("dense", 1)
        corpus = self.corpus("dense")
        with tempfile.TemporaryDirectory(prefix="mpz-bench-cache-") as folder:
            command = self.mpz(_rel(corpus.root), jobs=1, cache_dir=folder)

            def measure() -> Timing:
                print("    (one untimed run first fills the cache)", flush=True)
                timing, first = run_timed(command, self.runs, warmup=1, count=_findings)
                print(f"    {len(FINDING.findall(first.stdout))} findings (exit "
                      f"{first.returncode})", flush=True)
                return timing

            timing = self.figure("cache dense -j 1", "mpz-lint check -j 1 over dense, cache warm",
                                 measure)
        if timing is not None:
            self.info("cache: warm re-run over dense, -j1", timing.show())
        self.ratio("cache: warm re-run / uncached check (dense)", "cache dense -j 1",
                   "check dense -j 1")

    # -- report --

    def summary(self) -> None:
        print("\nsummary (ratios of medians)")
        width = max([len(r.figure) for r in self.rows] + [6])
        header = f"  {'figure':<{width}}  {'value':>26}  {'target':>10}  status"
        print(header)
        print("  " + "-" * (len(header) - 2))
        for row in self.rows:
            print(f"  {row.figure:<{width}}  {row.value:>26}  {row.target:>10}  {row.status}")
        misses = sum(1 for r in self.rows if r.status == "MISS")
        oks = sum(1 for r in self.rows if r.status == "ok")
        print(f"\n  {oks} ok, {misses} MISS, {sum(1 for r in self.rows if r.status == 'n/a')} n/a")
        if self.failures:
            print(f"\n{len(self.failures)} command(s) failed:")
            for failure in self.failures:
                print(f"  {failure}")

    def header(self) -> None:
        from importlib.metadata import version

        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO,
                                capture_output=True, text=True).stdout.strip() or "?"
        print(f"mpz-lint benchmark: {platform.python_implementation()} "
              f"{platform.python_version()}, libcst {version('libcst')}, "
              f"mpz-lint {version('mpz-lint')} ({commit}), {os.cpu_count()} cores, "
              f"{platform.system()} {platform.machine()}")
        supported = [name for name, ok in (("-j/--jobs", self.flags.jobs),
                                           ("--no-cache", self.flags.no_cache),
                                           ("--cache-dir", self.flags.cache_dir)) if ok]
        print(f"check options present: {', '.join(supported) or 'none of -j, --no-cache, --cache-dir'}"
              f"; runs: {self.runs} (slow: {self.runs_slow}); sections: "
              f"{', '.join(self.args.sections)}")
        compile_installed()


def compile_installed() -> None:
    """Byte-compile mpz-lint as `pip install` does for a regular install. An editable
    install in an environment with PYTHONDONTWRITEBYTECODE (this machine sets it) would
    otherwise compile every module from source on every run; libcst and click, the
    start-up baseline, were compiled when pip installed them."""
    import importlib.util

    folders = []
    for name in ("mpz_lint", "mpz_lint.rules"):
        spec = importlib.util.find_spec(name)
        if spec is not None and spec.submodule_search_locations:
            folders.extend(spec.submodule_search_locations)
    command = [sys.executable, "-m", "compileall", "-q", *folders]
    print(f"byte-compiling mpz-lint first, as pip install does: {show_command(command)}",
          flush=True)
    subprocess.run(command, capture_output=True, check=False)


def _findings(done: subprocess.CompletedProcess[str]) -> int:
    return len(FINDING.findall(done.stdout))


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


def _version(executable: Path) -> str:
    done = subprocess.run([str(executable), "--version"], capture_output=True, text=True)
    words = (done.stdout or done.stderr).strip().split()
    return words[-1] if words else "?"


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    bench = Bench(args)
    bench.header()
    for section in SECTIONS:
        if section not in args.sections:
            continue
        print(f"\n[{section}]", flush=True)
        getattr(bench, f"section_{section}")()
    bench.summary()
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 1 if bench.failures else 0


if __name__ == "__main__":
    sys.exit(main())
