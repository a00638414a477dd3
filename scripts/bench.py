"""Benchmark `mpz-lint check` on the demo project and on a large tree of real Python.

Times `python -m mpz_lint check --output-format concise PATH` as a subprocess (start-up,
discovery, reading and checking: what a user waits for) over:

  (a) fixtures/demo, the sample Procore integration, and
  (b) a corpus of at least 50,000 lines of real Python, copied once from installed
      packages (libcst and click by default) into .bench/corpus50k/.

When the CLI is not there yet (no `mpz_lint/__main__.py`), it times the engine in-process
instead (reading every file, then `mpz_lint.engine.lint_files`) and says so.

For comparison it times a bare `libcst.parse_module` of every Python file of each tree,
in-process, and prints how many bare parses one check costs. Each measurement runs
`--runs` times; the median, minimum and maximum are printed.

Only the standard library and the installed mpz_lint (with its libcst) are used.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DEMO = REPO / "fixtures" / "demo"
DEFAULT_CORPUS = REPO / ".bench" / "corpus50k"
DEFAULT_PACKAGES = ("libcst", "click")
DEFAULT_MIN_LINES = 50_000
CLI_ARGS = ("check", "--output-format", "concise")
# Exit codes of `mpz-lint check`: 0 clean, 1 findings, anything else a failure.
CLI_OK = (0, 1)


@dataclass(frozen=True)
class Tree:
    """The files of one benchmark target, as `mpz-lint check` would see them."""

    label: str
    root: Path
    files: tuple[Path, ...]  # every file mpz-lint checks (Python and config)
    lines: int

    @property
    def python_files(self) -> tuple[Path, ...]:
        return tuple(f for f in self.files if f.suffix in (".py", ".pyi"))


@dataclass(frozen=True)
class Timing:
    runs: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.runs)

    @property
    def low(self) -> float:
        return min(self.runs)

    @property
    def high(self) -> float:
        return max(self.runs)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python scripts/bench.py",
        description=(
            "Time `mpz-lint check` on fixtures/demo and on a corpus of at least 50k lines "
            "of real Python, and compare with a bare libcst.parse_module of the same files."
        ),
    )
    parser.add_argument("--runs", type=int, default=5, metavar="N",
                        help="how many times to run each measurement (default: 5)")
    parser.add_argument("--demo", type=Path, default=DEFAULT_DEMO, metavar="PATH",
                        help="the demo project to check (default: fixtures/demo)")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, metavar="PATH",
                        help="where the corpus of real Python is kept (default: "
                             ".bench/corpus50k); built from --packages if missing")
    parser.add_argument("--packages", nargs="+", default=list(DEFAULT_PACKAGES),
                        metavar="NAME",
                        help="installed packages whose source makes up the corpus "
                             "(default: libcst click)")
    parser.add_argument("--min-lines", type=int, default=DEFAULT_MIN_LINES, metavar="N",
                        help="fail if the corpus has fewer lines (default: 50000)")
    parser.add_argument("--rebuild", action="store_true",
                        help="copy the packages into the corpus folder again")
    parser.add_argument("--in-process", action="store_true",
                        help="time mpz_lint.engine.lint_files in this process even when "
                             "the CLI exists")
    parser.add_argument("--skip-corpus", action="store_true",
                        help="time the demo only")
    parser.add_argument("--select", default=None, metavar="CODES",
                        help="rules to run, as `mpz-lint check --select` (default: the "
                             "rules on by default); e.g. MPZ0 for the host rules only")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


# --- the trees ---------------------------------------------------------------------------


def build_corpus(target: Path, packages: Sequence[str]) -> None:
    """Copy the .py files of each installed package into `target/<package>/`."""
    if target.exists():
        shutil.rmtree(target)
    for name in packages:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.submodule_search_locations:
            raise SystemExit(f"bench: {name!r} is not an installed package")
        source = Path(next(iter(spec.submodule_search_locations)))
        for path in sorted(source.rglob("*.py")):
            if "__pycache__" in path.parts:
                continue
            destination = target / name / path.relative_to(source)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def checked_files(root: Path) -> list[Path]:
    """The files below `root` that mpz-lint checks, in a stable order."""
    from mpz_lint.project import kind_of

    found: list[Path] = []
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(names):
            if kind_of(name) is not None:
                found.append(Path(folder) / name)
    return found


def load_tree(label: str, root: Path) -> Tree:
    files = checked_files(root)
    lines = sum(count_lines(path.read_bytes()) for path in files)
    return Tree(label, root, tuple(files), lines)


# --- what is timed -----------------------------------------------------------------------


def cli_available() -> bool:
    spec = importlib.util.find_spec("mpz_lint")
    if spec is None or not spec.submodule_search_locations:
        return False
    package = Path(next(iter(spec.submodule_search_locations)))
    return (package / "__main__.py").is_file()


def time_cli(tree: Tree, runs: int, select: str | None = None) -> Timing:
    selection = ["--select", select] if select else []
    command = [sys.executable, "-m", "mpz_lint", *CLI_ARGS, *selection, str(tree.root)]
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in CLI_OK:
            raise SystemExit(
                f"bench: `{' '.join(command)}` exited {done.returncode}:\n{done.stderr.strip()}"
            )
    return Timing(tuple(times))


def time_engine(tree: Tree, runs: int, select: str | None = None) -> Timing:
    """Read every file and run lint_files over them, in this process."""
    from mpz_lint.engine import lint_files
    from mpz_lint.project import kind_of
    from mpz_lint.settings import Settings
    from mpz_lint.sources import SourceFile

    settings = Settings(select=tuple(select.split(",")) if select else None)

    def check() -> list[str]:
        sources = []
        for path in tree.files:
            display = path.relative_to(tree.root).as_posix()
            text = path.read_bytes().decode("utf-8", errors="replace")
            sources.append(SourceFile(display, text, kind_of(display) or "python"))
        return [str(r.error) for r in lint_files(sources, settings) if r.error is not None]

    errors = check()  # warm-up: imports and first-use costs are not the engine's speed
    if errors:
        print(f"warning: {len(errors)} file(s) of {tree.label} could not be checked, "
              f"e.g. {errors[0]}", file=sys.stderr)
    times: list[float] = []
    for _ in range(runs):
        start = time.perf_counter()
        check()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times))


def time_bare_parse(tree: Tree, runs: int) -> tuple[Timing, int]:
    """Parse every Python file with libcst.parse_module; also how many fail to parse."""
    import libcst

    texts = [path.read_bytes().decode("utf-8", errors="replace") for path in tree.python_files]

    def parse_all() -> int:
        failures = 0
        for text in texts:
            try:
                libcst.parse_module(text)
            except libcst.ParserSyntaxError:
                failures += 1
        return failures

    libcst.parse_module("pass\n")  # warm-up: load the native parser
    times: list[float] = []
    failures = 0
    for _ in range(runs):
        start = time.perf_counter()
        failures = parse_all()
        times.append(time.perf_counter() - start)
    return Timing(tuple(times)), failures


def naming_procore(tree: Tree) -> int:
    """Python files whose bytes name Procore: the ones the engine parses at all."""
    return sum(1 for path in tree.python_files if b"procore" in path.read_bytes().lower())


# --- report ------------------------------------------------------------------------------


def _row(label: str, tree: Tree, timing: Timing) -> str:
    rate = tree.lines / timing.median if timing.median > 0 else float("inf")
    return (f"{label:<34} {len(tree.files):>6} {tree.lines:>8} {timing.median:>9.3f} "
            f"{timing.low:>8.3f} {timing.high:>8.3f} {rate:>12,.0f}")


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    use_cli = cli_available() and not args.in_process
    trees = [load_tree(_label(args.demo), args.demo)]
    if not args.skip_corpus:
        if args.rebuild or not args.corpus.is_dir():
            print(f"building corpus in {_label(args.corpus)} from {', '.join(args.packages)}")
            build_corpus(args.corpus, args.packages)
        corpus = load_tree(_label(args.corpus), args.corpus)
        print(f"corpus: {len(corpus.files)} files, {corpus.lines:,} lines")
        if corpus.lines < args.min_lines:
            raise SystemExit(f"bench: the corpus has {corpus.lines} lines, fewer than "
                             f"{args.min_lines}; add --packages or lower --min-lines")
        trees.append(corpus)

    if use_cli:
        how = f"{Path(sys.executable).name} -m mpz_lint {' '.join(CLI_ARGS)} PATH (subprocess)"
    else:
        why = "--in-process" if args.in_process else "the CLI does not exist yet"
        how = f"mpz_lint.engine.lint_files in-process, reading included ({why})"
    print(f"timing: {how}; {args.runs} run(s) each\n")
    header = (f"{'target':<34} {'files':>6} {'lines':>8} {'median s':>9} {'min s':>8} "
              f"{'max s':>8} {'lines/s':>12}")
    print(header)
    print("-" * len(header))
    checks: dict[str, Timing] = {}
    for tree in trees:
        timing = (time_cli(tree, args.runs, args.select) if use_cli
                  else time_engine(tree, args.runs, args.select))
        checks[tree.label] = timing
        print(_row(f"check {tree.label}", tree, timing))
    print()
    for tree in trees:
        parse, failures = time_bare_parse(tree, args.runs)
        python_tree = Tree(tree.label, tree.root, tree.python_files,
                           sum(count_lines(p.read_bytes()) for p in tree.python_files))
        print(_row(f"libcst.parse_module {tree.label}", python_tree, parse))
        ratio = checks[tree.label].median / parse.median if parse.median > 0 else float("inf")
        note = f", {failures} file(s) did not parse" if failures else ""
        print(f"  check / bare parse = {ratio:.2f}x  ({naming_procore(tree)} of "
              f"{len(tree.python_files)} Python files name Procore{note})")
    return 0


def _label(path: Path) -> str:
    try:
        return path.resolve().relative_to(REPO).as_posix()
    except ValueError:
        return str(path)


if __name__ == "__main__":
    sys.exit(main())
