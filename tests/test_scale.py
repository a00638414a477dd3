"""Scale without changing results: groups, `-j`, the cache, positions, the tree walk.

No timing here (scripts/bench.py measures speed); these tests hold what speed must not
change: parallel and serial runs print the same bytes in the same order, a cached run
prints what an uncached one does, and the cheap positions and walk agree with libcst's.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from mpz_lint import engine, files
from mpz_lint.cache import ResultCache
from mpz_lint.groups import plan_groups
from mpz_lint.positions import ModuleOffsets, NodeOffsets
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile
from mpz_lint.treewalk import TreeWalker
from tests.cli_helpers import make, run

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "fixtures"


@pytest.fixture
def monorepo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two teams' copies of the Procore fixtures side by side, as one tree."""
    for team in ("team_a", "team_b"):
        for part in ("demo", "hosts", "headers", "programs"):
            shutil.copytree(FIXTURES / part, tmp_path / team / part,
                            ignore=shutil.ignore_patterns("*.fixed.py", "__pycache__"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def sources_of(root: Path) -> list[SourceFile]:
    from mpz_lint.project import kind_of

    found = []
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        kind = kind_of(name)
        if path.is_file() and kind is not None:
            found.append(SourceFile(name, path.read_text(), kind))
    return found


# --- -j: the same bytes in the same order -----------------------------------------------


@pytest.mark.parametrize("output_format", ["concise", "json", "full"])
def test_parallel_and_serial_runs_print_the_same_bytes(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch, output_format: str) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_CHARS", 0)  # fork even for a small tree
    monkeypatch.setattr(files, "PARALLEL_READ_MIN_FILES", 0)  # and read in workers
    serial = run("check", "--no-cache", "-j", "1", "--output-format", output_format, ".")
    parallel = run("check", "--no-cache", "-j", "2", "--output-format", output_format, ".")
    assert serial.exit_code == parallel.exit_code == 1
    assert parallel.stdout == serial.stdout
    assert parallel.stderr == serial.stderr
    if output_format == "json":
        assert len(json.loads(serial.stdout)) > 100  # the tree really has findings


def test_parallel_and_serial_fixes_are_the_same(monorepo: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(files, "PARALLEL_READ_MIN_FILES", 0)
    serial = run("check", "--no-cache", "-j", "1", "--diff", "--unsafe-fixes", ".")
    parallel = run("check", "--no-cache", "-j", "2", "--diff", "--unsafe-fixes", ".")
    assert serial.stdout.count("\n+++ ") > 50
    assert parallel.stdout == serial.stdout


def test_results_come_back_in_the_order_of_the_files(monorepo: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_CHARS", 0)
    files = sources_of(monorepo)
    serial = engine.lint_files(files, Settings(), jobs=1)
    parallel = engine.lint_files(files, Settings(), jobs=2)
    assert [(r.file, r.diagnostics, r.error) for r in parallel] == [
        (r.file, r.diagnostics, r.error) for r in serial]
    backwards = engine.lint_files(files[::-1], Settings(), jobs=2)
    assert [r.file.path for r in backwards] == [f.path for f in files[::-1]]


def test_jobs_must_be_positive_and_can_come_from_the_config(monorepo: Path) -> None:
    assert run("check", "-j", "0", ".").exit_code == 2
    make(monorepo, {"mpz-lint.toml": "jobs = 2\ncache = false\n"})
    shown = run("check", "--show-settings", ".").stdout
    assert "jobs = 2" in shown and "cache = false" in shown
    make(monorepo, {"mpz-lint.toml": "jobs = 0\n"})
    result = run("check", ".")
    assert result.exit_code == 2
    assert "`jobs` must be a positive integer" in result.stderr


# --- groups ------------------------------------------------------------------------------


def test_groups_follow_imports_env_files_and_django_settings() -> None:
    files = [
        SourceFile("billing/client.py", 'from billing import config\n'
                   'import requests\nrequests.get(config.BASE + "/rest/v1.0/projects")\n'),
        SourceFile("billing/config.py", 'BASE = "https://app.procore.com"\n'),
        SourceFile("hooks/server.py", 'import os\nURL = os.getenv("PROCORE_URL")\n'),
        SourceFile(".env", "PROCORE_URL=https://app.procore.com\n", "config"),
        SourceFile("site/views.py", "from django.conf import settings\n"
                   "import requests\nrequests.get(settings.PROCORE_API)\n"),
        SourceFile("site/settings.py", 'PROCORE_API = "https://app.procore.com/rest/v1.0/me"\n'),
        SourceFile("tools/lint.py", "print('nothing to do with it')\n"),
        SourceFile("docs/config.yaml", "procore: https://app.procore.com\n", "config"),
    ]
    plan = plan_groups(files, Settings())
    assert [[f.path for f in group.files] for group in plan.groups] == [
        ["billing/client.py", "billing/config.py"],
        ["hooks/server.py", ".env"],
        ["site/views.py", "site/settings.py"],
        ["docs/config.yaml"],
        ["tools/lint.py"],  # cannot concern Procore: a byte search, no parse
    ]
    assert plan.groups[-1].relevant == frozenset()
    assert plan.settings.service_account == "no"


def test_a_service_account_is_decided_for_the_whole_run() -> None:
    files = [
        SourceFile("jobs/token.py", 'import requests\nrequests.post('
                   '"https://login.procore.com/oauth/token", data={"grant_type": '
                   '"client_credentials"})\n'),
        SourceFile("api/me.py", 'import requests\nrequests.get('
                   '"https://api.procore.com/rest/v1.0/me")\n'),
    ]
    plan = plan_groups(files, Settings())
    assert len(plan.groups) == 2
    assert plan.settings.service_account == "yes"
    results = engine.lint_files(files, Settings())
    assert [(d.path, d.code) for r in results for d in r.diagnostics] == [("api/me.py", "MPZ101")]


# --- the cache ---------------------------------------------------------------------------


def test_a_cached_run_prints_what_an_uncached_one_does(monorepo: Path, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    cache = str(tmp_path / "cache")
    uncached = run("check", "--no-cache", "--output-format", "json", ".")
    first = run("check", "--cache-dir", cache, "--output-format", "json", ".")
    assert (Path(cache) / "CACHEDIR.TAG").is_file()
    assert (Path(cache) / ".gitignore").read_text().splitlines()[-1] == "*"

    def no_analysis(*args: object) -> None:
        raise AssertionError("a group was analysed although the cache had it")

    monkeypatch.setattr(engine, "_analyse_group", no_analysis)
    second = run("check", "--cache-dir", cache, "--output-format", "json", ".")
    assert first.stdout == second.stdout == uncached.stdout
    assert first.exit_code == second.exit_code == uncached.exit_code == 1


def test_the_cache_follows_the_other_modules_of_a_group(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, {
        "crm/auth.py": "def procore_headers(company_id):\n"
                       "    return {'Procore-Company-Id': str(company_id)}\n",
        "crm/sync.py": "import requests\nfrom crm.auth import procore_headers\n\n"
                       "def projects(company_id):\n"
                       "    return requests.get('https://api.procore.com/rest/v1.0/projects',\n"
                       "                        headers=procore_headers(company_id))\n",
    })
    cache = str(tmp_path / "cache")
    assert run("check", "--cache-dir", cache, "crm").exit_code == 0
    # Only the helper changes; the module that makes the request is byte for byte the same.
    make(tmp_path, {"crm/auth.py": "def procore_headers(company_id):\n"
                                   "    return {'Accept': 'application/json'}\n"})
    result = run("check", "--cache-dir", cache, "--output-format", "concise", "crm")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["crm/sync.py:5:12:", "MPZ101"]]


def test_settings_are_part_of_the_cache_key(monorepo: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    everything = run("check", "--cache-dir", cache, "--output-format", "concise", ".")
    hosts_only = run("check", "--cache-dir", cache, "--select", "MPZ0", "--output-format",
                     "concise", ".")
    assert {line.split()[1] for line in hosts_only.stdout.splitlines()} <= {
        "MPZ001", "MPZ002", "MPZ003"}
    assert "MPZ101" in everything.stdout


def test_no_cache_writes_nothing_and_a_broken_cache_is_a_miss(monorepo: Path,
                                                              tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    run("check", "--no-cache", "--cache-dir", str(cache), ".")
    assert not cache.exists()
    expected = run("check", "--cache-dir", str(cache), ".").stdout
    for entry in cache.rglob("*"):
        if entry.is_file() and entry.parent.parent.name.startswith("v"):
            entry.write_bytes(b"not a pickle")
    assert run("check", "--cache-dir", str(cache), ".").stdout == expected


def test_a_cache_that_cannot_be_written_does_not_stop_the_run(monorepo: Path,
                                                             tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("")
    result = run("check", "--cache-dir", str(blocked / "cache"), "--output-format",
                 "concise", ".")
    assert result.exit_code == 1
    assert result.stdout == run("check", "--no-cache", "--output-format", "concise", ".").stdout
    assert "error:" not in result.stderr


def test_a_fix_run_uses_the_cache_only_where_nothing_is_to_fix(tmp_path: Path) -> None:
    files = [SourceFile("a.py", 'import requests\nrequests.get("https://app.procore.com'
                        '/rest/v1.0/me")\n'),
             SourceFile("b.py", 'URL = "https://api.procore.com/rest/v1.0/me"\n')]
    cache = ResultCache(tmp_path / "cache")
    engine.lint_files(files, Settings(), cache=cache)
    (fixed_a, clean_b) = engine.fix_files(files, Settings(), cache=cache)
    assert fixed_a.fixed_text == files[0].text.replace("app.procore", "api.procore")
    assert clean_b.fixed_text is None and clean_b.diagnostics == []


# --- memory: a group's trees go as soon as its results are out --------------------------


@pytest.mark.parametrize("unsafe_fixes", [None, True])
def test_a_groups_trees_are_freed_by_reference_counting(
        monorepo: Path, unsafe_fixes: bool | None) -> None:
    """Nothing of a finished group waits for the cycle collector (which would walk every
    node again): Project.close breaks the cycles between scopes, bindings and modules."""
    import gc

    plan = plan_groups(sources_of(monorepo), Settings())
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        parsed = 0
        for group in plan.groups:
            outcomes = engine._analyse_group(group, plan.settings, unsafe_fixes)
            assert len(outcomes) == len(group.files)
            parsed += len(group.relevant)
        gc.collect()
        left = [o for o in gc.garbage if isinstance(o, cst.CSTNode)]
        kinds = {type(o).__module__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
    assert parsed > 40
    assert left == []
    assert not {k for k in kinds if k.startswith("mpz_lint")}, kinds


# --- positions and the walk agree with libcst -------------------------------------------


def fixture_modules() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*.py") if "__pycache__" not in p.parts)


def test_node_offsets_match_libcsts_positions() -> None:
    from mpz_lint.fixer import LineIndex

    compared = 0
    for path in fixture_modules():
        tree = cst.parse_module(path.read_text())
        offsets, lines = NodeOffsets(tree), LineIndex(tree.code)
        assert offsets.code == tree.code
        for node, where in MetadataWrapper(tree, unsafe_skip_copy=True).resolve(
                PositionProvider).items():
            start, end = (lines.location(o) for o in offsets.span(node))
            assert (start.row, start.column - 1, end.row, end.column - 1) == (
                where.start.line, where.start.column, where.end.line, where.end.column), path
            compared += 1
    assert compared > 50_000


def _statement_offsets(text: str) -> tuple[ModuleOffsets, NodeOffsets, _Counter]:
    tree = cst.parse_module(text)
    walker = _Counter()
    walker.walk(tree)
    return ModuleOffsets(tree, text, walker.homes), NodeOffsets(tree), walker


@pytest.mark.parametrize("innermost_first", [False, True])
def test_offsets_from_single_statements_are_those_of_the_whole_module(
        innermost_first: bool) -> None:
    # Asked outermost first, each statement is generated whole; innermost first, most
    # nodes are placed alone.
    compared = placed_alone = 0
    for path in fixture_modules():
        text = path.read_text()
        ours, whole, walker = _statement_offsets(text)
        homes = list(walker.homes.items())
        for key, home in reversed(homes) if innermost_first else homes:
            if home is not None:  # the Module itself is in no statement
                node = walker.nodes[key]
                assert ours.span(node) == whole.span(node), (path, node)
                compared += 1
        assert ours.matches_text()
        placed_alone += ours._whole is None
    assert compared > 20_000
    assert placed_alone > 0.9 * len(fixture_modules())  # the whole module is the exception


def test_a_node_placed_alone_gives_every_node_in_it_its_place_in_the_module() -> None:
    placed = refused = 0
    for path in fixture_modules():
        text = path.read_text()
        ours, whole, walker = _statement_offsets(text)
        for key, home in walker.homes.items():
            if home is None:
                continue
            alone = ModuleOffsets(ours._tree, text, walker.homes)
            if not alone._place(walker.nodes[key], home.indents):
                refused += 1
                continue
            placed += 1
            for inner, (start, end) in alone._spans.items():  # ids, layout nodes included
                first, last = whole._spans[inner]
                assert (start, end) == (whole._offsets[first], whole._offsets[last]), (
                    path, walker.nodes[key])
    assert placed > 10_000 and refused > 1_000  # short names and repeated literals refused


@pytest.mark.parametrize("text", [
    # The same statement twice: its text says nothing about which one is asked about.
    "def a():\n    r = get(URL)\n    return r\n\n\ndef b():\n    r = get(URL)\n    return r\n",
    "r = get(URL)\nr = get(URL)\n",
    # No newline at the end; CRLF; tabs; comments and blank lines owned by statements.
    "class A:\n    def f(self):\n        return get('https://app.procore.com')",
    "class A:\r\n    # the client\r\n    def f(self):\r\n\r\n        return get(URL)\r\n",
    "if x:\n\tif y:\n\t\tget(URL)  # call\n\telif z:\n\t\tpost(URL)\nelse:\n\tput(URL)\n",
    # Decorators, one-line suites, a statement spread over lines, semicolons.
    "@retry(times=3)\n@log\ndef f(): return get(URL)\n\nwhile True: get(URL); break\n",
    "x = call(\n    a,\n    b=\"\"\"\nr = get(URL)\n\"\"\",\n)\nr = get(URL)\n",
    "try:\n    get(URL)\nexcept E as e:\n    log(e)\nfinally:\n    with s as t:\n        t.get(URL)\n",
])
def test_statement_offsets_hold_where_a_statement_is_repeated_or_oddly_written(
        text: str) -> None:
    ours, whole, walker = _statement_offsets(text)
    nodes = list(walker.nodes.values())
    for node in reversed(nodes):  # inner statements first, so that outer ones are tried
        assert ours.span(node) == whole.span(node), node
    assert ours.matches_text()


class _Seen:
    """Names, strings and calls met, in the order met (a mixin for both walkers)."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[str] = []

    def visit_Name(self, node: cst.Name) -> None:
        self.seen.append(node.value)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.seen.append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        self.seen.append("call")


class _Counter(_Seen, TreeWalker):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: dict[int, cst.CSTNode] = {}  # every walked node, by id

    def walk(self, node: cst.CSTNode) -> None:
        self.nodes[id(node)] = node
        super().walk(node)


class _LibcstCounter(_Seen, cst.CSTVisitor):
    pass


def test_the_tree_walk_knows_every_libcst_node_class() -> None:
    from mpz_lint.treewalk import _NODE_TYPES

    public = {kind for kind in vars(cst).values()
              if isinstance(kind, type) and issubclass(kind, cst.CSTNode)} - {cst.CSTNode}
    assert len(public) > 150 and public <= _NODE_TYPES


def test_the_tree_walk_meets_every_name_string_and_call_libcst_does() -> None:
    for path in fixture_modules():
        tree = cst.parse_module(path.read_text())
        ours, theirs = _Counter(), _LibcstCounter()
        ours.walk(tree)
        tree.visit(theirs)
        # Decorators come after their function in field order: compare as multisets.
        assert sorted(ours.seen) == sorted(theirs.seen), path


# --- reading a large tree: only what can matter is kept whole ---------------------------


def test_modules_that_cannot_concern_procore_are_kept_as_their_imports_only() -> None:
    from mpz_lint.relevance import Screen

    screen = Screen([SourceFile(".env", "PROCORE_URL=https://app.procore.com\n", "config")])
    other = SourceFile("app/views.py", "import os\nfrom app.models import (\n    Job,  # x\n"
                       "    Site,\n)\n\n\ndef index():\n    return render(Job)\n")
    kept = screen.keep(other)
    assert kept.partial
    assert kept.text == "import os\nfrom app.models import (\n    Job,  # x\n    Site,\n)"
    naming = SourceFile("app/sync.py", 'URL = "https://app.procore.com"\n')
    reading = SourceFile("app/hooks.py", 'import os\nURL = os.environ["PROCORE_URL"]\n')
    assert screen.keep(naming) is naming and screen.keep(reading) is reading


def test_a_module_read_as_imports_is_read_whole_when_it_matters(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # sync.py never names Procore: it is read as its imports, then whole, because it
    # imports the module that holds the base URL (bracketed, over several lines).
    make(tmp_path, {
        "crm/settings.py": 'API_BASE = "https://app.procore.com"\n',
        "crm/sync.py": "import requests\nfrom crm.settings import (\n    API_BASE,\n)\n\n\n"
                       "def projects(company_id):\n"
                       "    return requests.get(API_BASE + '/rest/v1.0/projects',\n"
                       "                        headers={'Procore-Company-Id': str(company_id)})\n",
        "crm/unrelated.py": "import json\n\n\ndef load(path):\n    return json.load(path)\n",
    })
    result = run("check", "--no-cache", "--output-format", "concise", ".")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["crm/settings.py:1:12:", "MPZ002"]]
    assert "used at crm/sync.py:8" in run("check", "--no-cache", ".").stdout
    diff = run("check", "--no-cache", "--diff", ".")
    assert "+API_BASE = \"https://api.procore.com\"" in diff.stdout


def test_unused_suppressions_are_found_in_files_that_never_name_procore(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # MPZ900 reads every file's noqa comments: nothing may be kept as imports only.
    monkeypatch.chdir(tmp_path)
    make(tmp_path, {"jobs/report.py": "import os  # noqa: MPZ101\n",
                    "jobs/config.json": '{"retries": 3}\n'})
    result = run("check", "--no-cache", "--extend-select", "MPZ900",
                 "--output-format", "concise", ".")
    assert [line.split(" ")[:2] for line in result.stdout.splitlines()] == [
        ["jobs/report.py:1:12:", "MPZ900"]]


def _die(*args: object) -> None:
    import os

    os._exit(3)  # a worker killed from outside, or out of memory


def test_a_worker_that_dies_is_reported_and_the_run_goes_on(
        monorepo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_CHARS", 0)
    monkeypatch.setattr(engine, "_analyse_batch", _die)  # the forked workers inherit it
    cache = str(tmp_path / "cache")
    result = run("check", "--cache-dir", cache, "-j", "2", "--output-format", "concise", ".")
    assert result.exit_code == 2
    assert "the process checking it stopped" in result.stderr
    monkeypatch.undo()
    monkeypatch.chdir(monorepo)
    # Nothing of the broken run was cached: the next run finds everything.
    assert run("check", "--cache-dir", cache, "--output-format", "concise", ".").stdout == \
        run("check", "--no-cache", "--output-format", "concise", ".").stdout


def test_a_reader_that_dies_leaves_the_reading_to_the_main_process(
        monorepo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = run("check", "--no-cache", "-j", "1", "--output-format", "concise", ".")
    monkeypatch.setattr(files, "PARALLEL_READ_MIN_FILES", 0)
    monkeypatch.setattr(files, "_load_chunk", _die)
    result = run("check", "--no-cache", "-j", "2", "--output-format", "concise", ".")
    assert (result.exit_code, result.stdout, result.stderr) == (
        expected.exit_code, expected.stdout, expected.stderr)
    assert expected.stdout.count("\n") > 100


def test_trees_are_parsed_unvalidated_but_nodes_made_later_are_checked() -> None:
    from mpz_lint.project import parse

    tree = parse("client.py", "BASE = 'https://app.procore.com'\n")
    assert isinstance(tree, cst.Module) and tree.code == "BASE = 'https://app.procore.com'\n"
    with pytest.raises(cst.CSTValidationError):
        cst.Name("not a name")  # libcst's own checks are back once the parse is done
    error = parse("broken.py", "def f(:\n")
    assert not isinstance(error, cst.Module) and error.message.startswith("syntax error at ")
    with pytest.raises(cst.CSTValidationError):
        cst.Name("still not a name")  # and after a parse that failed


@pytest.mark.parametrize("raw", [
    '"https://app.procore.com"', "'a'", '"""a\nb"""', "'''a'''", 'r"x\\d"', 'u"é"',
    '"tab\\there"', '""', "''", '""""""', 'R"a"', 'b"bytes"', 'rb"""x"""',
])
def test_a_literals_spelling_is_read_as_libcst_reads_it(raw: str) -> None:
    from mpz_lint.pyindex import literal_spelling

    node = cst.SimpleString(raw)
    value = node.evaluated_value
    if not isinstance(value, str):
        assert literal_spelling(raw) is None
        return
    opening = len(node.prefix) + len(node.quote)
    body = raw[opening:len(raw) - len(node.quote)]
    assert literal_spelling(raw) == (value, opening, body == value)


@pytest.mark.parametrize("text", [
    "", "x", "x\n", "\n\n", "a\nbb\n\nccc", "a\r\nb\r\n", "a\rb\nc\r\n", "\r", "é\nü\n",
    "tab\tand\fform feed\n\u2028no break\n",
])
def test_line_tables_break_lines_as_python_does(text: str) -> None:
    import re

    from mpz_lint.fixer import LineIndex

    breaks = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
    lines = LineIndex(text)
    assert lines.starts == breaks
    for offset in range(len(text) + 2):
        row = max(i for i, start in enumerate(breaks) if start <= offset) + 1
        location = lines.location(offset)
        assert (location.row, location.column) == (row, offset - breaks[row - 1] + 1)
