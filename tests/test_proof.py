"""Proof by running: each program in `fixtures/programs/` under the runtime guard, before
and after `mpz-lint check --fix --unsafe-fixes`.

Every program is a small Procore integration (a module or a package) with a `run()` entry
that takes no arguments. For each one this module asserts, with expectations reasoned from
../shared/RULES.md and written out below:

- what the static check finds in it as written (code, file, row, fix safety);
- the exact violations `MpzGuard` records when `run()` runs as written;
- that `--fix --unsafe-fixes` on a copy leaves files that parse, and that a second
  `--fix` changes no byte;
- what the fixed copy does at run time: no violation for a fixable program, and exactly
  the ones a person must resolve for the others, each listed after the fix with its reason;
- that the fixed copy makes the same requests, and sends the company id the code had.

Where mpz-lint disagrees with RULES.md today, the expectation here is RULES.md's and the
test is a strict xfail (KNOWN_DISCREPANCIES): fixing the tool makes it pass, and then the
entry must go. `scripts/proof_report.py` prints the figures of all this as a table.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

import pytest

from mpz_lint.testing import MpzGuard, SeenRequest

REPO = Path(__file__).resolve().parent.parent
PROGRAMS_DIR = REPO / "fixtures" / "programs"

COMPANY_ID = "562949953421312"  # the company every program works for
PROJECT = "562949953425001"
NO_COMPANY_ID = "no company id in scope to add (set `--company-id-expr`)"

# (code, file relative to the program's folder, row, fix: "safe" | "unsafe" | None)
Finding = tuple[str, str, int, Optional[str]]
# (code, method, url) of a violation the guard records
Violation = tuple[str, str, str]
# (code, file, row, text the message must contain: the reason it is left for a person)
LeftFinding = tuple[str, str, int, str]


@dataclass(frozen=True)
class Program:
    """One runnable program and everything expected of it."""

    name: str  # its folder under fixtures/programs, put on sys.path to import it
    entry: str  # the module (or package) whose run() is called
    summary: str
    findings: tuple[Finding, ...]  # static findings as written
    violations: tuple[Violation, ...]  # at run time, as written
    raises: str | None = None  # qualified name of the exception run() raises as written
    left: tuple[LeftFinding, ...] = ()  # static findings after the fix, with their reason
    remaining: tuple[Violation, ...] = ()  # at run time, after the fix

    @property
    def root(self) -> Path:
        return PROGRAMS_DIR / self.name

    @property
    def fixable(self) -> bool:
        return not self.left and not self.remaining


API = "https://api.procore.com/rest/v1.0"
LEGACY_API = "https://app.procore.com/rest/v1.0"

PROGRAMS: tuple[Program, ...] = (
    Program(
        "oauth_app", "jobsite_connect",
        "authorization code exchange and refresh on app.procore.com; /me and /companies",
        # RULES 1: a bare base joined with /oauth/... is an auth use; app.procore.com →
        # login.procore.com, safe. /me (no company_id query) and /companies are exempt.
        findings=(("MPZ001", "jobsite_connect/settings.py", 6, "safe"),),
        violations=(
            ("MPZ001", "POST", "https://app.procore.com/oauth/token"),  # code exchange
            ("MPZ001", "POST", "https://app.procore.com/oauth/token"),  # refresh
        ),
    ),
    Program(
        "legacy_rest_host", "timecard_export",
        "REST and /vapid on app.procore.com through an httpx base_url and a literal",
        # RULES 1: app.procore.com for api use → api.procore.com, safe; /vapid/x may
        # become /rest/v1.0/x. The client's base_url serves two relative REST paths.
        findings=(
            ("MPZ002", "timecard_export.py", 11, "safe"),
            ("MPZ002", "timecard_export.py", 26, "safe"),
        ),
        violations=(
            ("MPZ002", "GET", f"{LEGACY_API}/companies/{COMPANY_ID}/people"),
            ("MPZ002", "GET", f"https://app.procore.com/vapid/projects/{PROJECT}/timecard_entries"),
            ("MPZ002", "GET", f"{LEGACY_API}/projects/{PROJECT}/crews"),
            ("MPZ002", "GET", "https://app.procore.com/vapid/projects/562949953425002/timecard_entries"),
            ("MPZ002", "GET", f"{LEGACY_API}/projects/562949953425002/crews"),
        ),
    ),
    Program(
        "mixed_base", "site_monitor",
        "aiohttp: one base for the token refresh and REST (split by the unsafe fix)",
        # RULES 1: a base used for auth and api is mixed; the right fix splits it, and
        # it needs judgement: unsafe.
        findings=(("MPZ003", "site_monitor.py", 12, "unsafe"),),
        violations=(
            ("MPZ001", "POST", "https://app.procore.com/oauth/token"),
            ("MPZ002", "GET", f"{LEGACY_API}/observations/items?project_id={PROJECT}"
                              "&filters%5Bstatus%5D=open"),
        ),
    ),
    Program(
        "missing_header", "daily_logs",
        "no company header: a session made in __init__, direct calls with a token header",
        # RULES 2: every REST request needs the header; RULES 3: the company id comes
        # from params, a `company_id` parameter or `self.company_id`: all four are fixable
        # with a safe fix at the request itself (none of these functions forwards its
        # caller's headers, so none is judged at its callers).
        findings=(
            ("MPZ101", "daily_logs.py", 22, "safe"),  # session.get, params company_id
            ("MPZ101", "daily_logs.py", 27, "safe"),  # session.get, self.company_id
            ("MPZ101", "daily_logs.py", 37, "safe"),  # requests.post in post_weather
            ("MPZ101", "daily_logs.py", 47, "safe"),  # requests.get in company_vendors
        ),
        violations=(
            ("MPZ101", "GET", f"{API}/projects?company_id={COMPANY_ID}"),
            ("MPZ101", "GET", f"{API}/projects/{PROJECT}/daily_logs?log_date=2024-06-03"),
            ("MPZ101", "POST", f"{API}/projects/{PROJECT}/weather_logs"),
            ("MPZ101", "GET", f"{API}/projects/562949953425002/daily_logs?log_date=2024-06-03"),
            ("MPZ101", "POST", f"{API}/projects/562949953425002/weather_logs"),
            ("MPZ101", "GET", f"{API}/companies/{COMPANY_ID}/vendors"),
        ),
    ),
    Program(
        "wrapped_clients", "punchlist_bot",
        "httpx wrappers: one never adds the header, one forwards its caller's headers",
        # RULES 2: a wrapper that forwards its caller's headers is judged at each caller
        # (bot.py); one that builds its own headers is judged, and fixed, at the wrapper
        # (procore.py, with self.company_id).
        findings=(
            ("MPZ101", "punchlist_bot/bot.py", 13, "safe"),  # dict literal at the caller
            ("MPZ101", "punchlist_bot/bot.py", 23, "safe"),  # shared dict: merged
            ("MPZ101", "punchlist_bot/procore.py", 14, "safe"),  # the wrapper's own call
        ),
        violations=(
            ("MPZ101", "GET", f"{API}/punch_items?project_id={PROJECT}"),
            ("MPZ101", "GET", f"{API}/projects/{PROJECT}/punch_items/potential_assignees"),
            ("MPZ101", "PATCH", f"{API}/punch_items/562949953500001"),
            ("MPZ101", "POST", f"{API}/projects/{PROJECT}/punch_items/562949953500001/comments"),
            ("MPZ101", "PATCH", f"{API}/punch_items/562949953500002"),
            ("MPZ101", "POST", f"{API}/projects/{PROJECT}/punch_items/562949953500002/comments"),
        ),
    ),
    Program(
        "header_values", "rfi_webhooks",
        "a misspelled header name, then an int company id (requests raises InvalidHeader)",
        # RULES 2: Procore_Company_Id is a near miss (MPZ102, renamed); an int-annotated
        # parameter as the value is a defect (MPZ103, wrapped in str()).
        findings=(
            ("MPZ102", "rfi_webhooks.py", 19, "safe"),
            ("MPZ103", "rfi_webhooks.py", 29, "safe"),
        ),
        violations=(
            ("MPZ102", "POST", f"{API}/webhooks/hooks?project_id={PROJECT}"),
            ("MPZ103", "GET", f"{API}/webhooks/hooks/1/triggers?project_id={PROJECT}"),
        ),
        raises="requests.exceptions.InvalidHeader",
    ),
    Program(
        "service_account", "erp_costs",
        "client credentials grant: /me and /companies need the header too",
        # RULES 2: in a project with a client_credentials token request, /me and
        # /companies need the header; self.company_id is in scope.
        findings=(
            ("MPZ101", "erp_costs/sync.py", 18, "safe"),
            ("MPZ101", "erp_costs/sync.py", 23, "safe"),
        ),
        violations=(
            ("MPZ101", "GET", f"{API}/me"),
            ("MPZ101", "GET", f"{API}/companies"),
        ),
    ),
    Program(
        "unfixable", "owner_portal",
        "project-scoped owner token: no company id anywhere; legacy and UK zone hosts",
        # RULES 1: the production entry of the environment table is used for REST (safe
        # fix); uk01 for REST → api.procore.com, unsafe. RULES 3: with no company id in
        # scope there is no header fix, and the report says why.
        findings=(
            ("MPZ002", "owner_portal/environments.py", 6, "safe"),
            ("MPZ002", "owner_portal/environments.py", 10, "unsafe"),
            ("MPZ101", "owner_portal/portal.py", 16, None),
            ("MPZ101", "owner_portal/portal.py", 21, None),
            ("MPZ101", "owner_portal/portal.py", 27, None),
        ),
        violations=(
            ("MPZ002", "GET", f"{LEGACY_API}/projects/{PROJECT}/documents"),
            ("MPZ101", "GET", f"{LEGACY_API}/projects/{PROJECT}/documents"),
            ("MPZ101", "GET", f"https://api.procore.com/rest/v1.1/projects/{PROJECT}/drawing_areas"),
            ("MPZ002", "GET", f"https://uk01.procore.com/rest/v1.0/projects/{PROJECT}/schedule/tasks"),
            ("MPZ101", "GET", f"https://uk01.procore.com/rest/v1.0/projects/{PROJECT}/schedule/tasks"),
        ),
        left=(
            ("MPZ101", "owner_portal/portal.py", 16, NO_COMPANY_ID),
            ("MPZ101", "owner_portal/portal.py", 21, NO_COMPANY_ID),
            ("MPZ101", "owner_portal/portal.py", 27, NO_COMPANY_ID),
        ),
        remaining=(
            ("MPZ101", "GET", f"{API}/projects/{PROJECT}/documents"),
            ("MPZ101", "GET", f"https://api.procore.com/rest/v1.1/projects/{PROJECT}/drawing_areas"),
            ("MPZ101", "GET", f"{API}/projects/{PROJECT}/schedule/tasks"),
        ),
    ),
    Program(
        "compliant", "closeout_uploader",
        "compliant: login/api hosts, headers on an AsyncClient, storage upload, web link",
        findings=(),
        violations=(),
    ),
)

BY_NAME = {program.name: program for program in PROGRAMS}

# Where mpz-lint disagrees with RULES.md today: (program, check) → why. The tests named
# here hold RULES.md's answer and are strict xfails; remove the entry once the tool agrees.
_TOKEN_PARAMETER_IS_NOT_FORWARDING = (
    "a function whose own headers dict uses a parameter (the token) is judged at its "
    "callers as if it forwarded its caller's headers: MPZ101 lands on the caller with no "
    "fix, though `company_id` is a parameter in scope (RULES 2 and 3)"
)
KNOWN_DISCREPANCIES: dict[tuple[str, str], str] = {}


def cases(check: str, programs: tuple[Program, ...] = PROGRAMS) -> list[Any]:
    """The programs as pytest params, each known discrepancy of `check` a strict xfail."""
    params = []
    for program in programs:
        reason = KNOWN_DISCREPANCIES.get((program.name, check))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(program, id=program.name, marks=marks))
    return params


# --- running a program under the guard ------------------------------------------------------


@dataclass
class RunResult:
    """What one run() did under the guard."""

    violations: list[Violation]
    messages: list[str]
    requests: list[SeenRequest]
    error: BaseException | None


@contextmanager
def imported(root: Path, entry: str) -> Iterator[Any]:
    """Import `entry` from the folder `root`; afterwards sys.path and sys.modules are as
    they were, so the same names can be imported again from another copy."""
    folder = str(root)
    clash = [name for name in sys.modules if name == entry or name.startswith(entry + ".")]
    assert not clash, f"{entry} is already imported from elsewhere: {clash}"
    before = set(sys.modules)
    writes_bytecode = sys.dont_write_bytecode
    sys.dont_write_bytecode = True  # no __pycache__ inside fixtures/
    sys.path.insert(0, folder)
    importlib.invalidate_caches()
    try:
        yield importlib.import_module(entry)
    finally:
        sys.path.remove(folder)
        sys.dont_write_bytecode = writes_bytecode
        for name in set(sys.modules) - before:
            # Only the program's own modules: a library it imported first stays, so that
            # every test keeps seeing (and the guard keeps patching) the same classes.
            if _is_under(getattr(sys.modules[name], "__file__", None), root):
                del sys.modules[name]


def _is_under(filename: str | None, root: Path) -> bool:
    return filename is not None and Path(filename).resolve().is_relative_to(root.resolve())


def run_program(root: Path, entry: str) -> RunResult:
    """Run `entry.run()` from `root` under a fresh MpzGuard; an exception is recorded."""
    error: BaseException | None = None
    with imported(root, entry) as module, MpzGuard() as guard:
        try:
            module.run()
        except Exception as exc:  # noqa: BLE001 - recorded, and asserted by the tests
            error = exc
    return RunResult([(v.code, v.method, v.url) for v in guard.violations],
                     [str(v) for v in guard.violations], list(guard.requests), error)


def qualified_name(error: BaseException | None) -> str | None:
    return None if error is None else f"{type(error).__module__}.{type(error).__qualname__}"


# --- the command line, on the program as written and on a fixed copy ------------------------


def mpz_lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m mpz_lint ARGS` in `cwd`, as a user runs it."""
    result = subprocess.run([sys.executable, "-m", "mpz_lint", *args], cwd=cwd,
                            capture_output=True, text=True, timeout=300, check=False)
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return result


def json_findings(cwd: Path) -> list[dict[str, Any]]:
    """`check . --output-format json` in `cwd`: the findings, each as the JSON contract."""
    items: list[dict[str, Any]] = json.loads(
        mpz_lint(cwd, "check", ".", "--output-format", "json", "--exit-zero").stdout)
    return items


def as_findings(items: list[dict[str, Any]]) -> list[Finding]:
    return [(item["code"], item["filename"], item["location"]["row"],
             item["fix"]["applicability"] if item["fix"] else None) for item in items]


def snapshot(root: Path) -> dict[str, bytes]:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*")) if path.is_file()}


@dataclass
class FixedCopy:
    """A program copied, fixed with `--fix --unsafe-fixes`, then fixed and checked again."""

    root: Path
    fix_output: str  # stdout of the fix: the findings left, with their messages
    fix_summary: str  # its stderr: "Found N errors (F fixed, R remaining)."
    fixed_files: dict[str, bytes]  # every file after the fix
    refixed_files: dict[str, bytes]  # every file after a second fix
    findings_after: list[dict[str, Any]]  # `check` on the fixed copy, JSON

    @property
    def fixed_count(self) -> int:
        match = re.search(r"\((\d+) fixed, \d+ remaining\)", self.fix_summary)
        return int(match.group(1)) if match else 0


def fix_copy(program: Program, workdir: Path) -> FixedCopy:
    root = workdir / program.name
    shutil.copytree(program.root, root, ignore=shutil.ignore_patterns("__pycache__"))
    fixed = mpz_lint(root, "check", ".", "--fix", "--unsafe-fixes")
    fixed_files = snapshot(root)
    mpz_lint(root, "check", ".", "--fix", "--unsafe-fixes")
    refixed_files = snapshot(root)
    return FixedCopy(root, fixed.stdout, fixed.stderr, fixed_files, refixed_files,
                     json_findings(root))


# --- tests ------------------------------------------------------------------------------------


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """A request that escaped the guard fails loudly instead of reaching a server."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(f"a request tried to leave the process: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@dataclass
class _Cache:
    workdir: Path
    copies: dict[str, FixedCopy] = field(default_factory=dict)
    runs: dict[tuple[str, str], RunResult] = field(default_factory=dict)


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> _Cache:
    return _Cache(tmp_path_factory.mktemp("programs"))


@pytest.fixture
def fixed(cache: _Cache, request: pytest.FixtureRequest) -> FixedCopy:
    program: Program = request.node.callspec.params["program"]
    if program.name not in cache.copies:
        cache.copies[program.name] = fix_copy(program, cache.workdir)
    return cache.copies[program.name]


def run_cached(cache: _Cache, program: Program, which: str, root: Path) -> RunResult:
    key = (program.name, which)
    if key not in cache.runs:
        cache.runs[key] = run_program(root, program.entry)
    return cache.runs[key]


def test_every_program_folder_is_listed() -> None:
    folders = sorted(p.name for p in PROGRAMS_DIR.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert folders == sorted(BY_NAME)


def test_the_programs_cover_every_runtime_code_and_both_outcomes() -> None:
    codes = {v[0] for program in PROGRAMS for v in program.violations}
    assert codes == {"MPZ001", "MPZ002", "MPZ101", "MPZ102", "MPZ103"}
    static = {f[0] for program in PROGRAMS for f in program.findings}
    assert static == {"MPZ001", "MPZ002", "MPZ003", "MPZ101", "MPZ102", "MPZ103"}
    assert any(p.fixable and p.findings for p in PROGRAMS)
    assert any(not p.fixable for p in PROGRAMS)
    assert any(not p.findings and not p.violations for p in PROGRAMS)


@pytest.mark.parametrize("program", cases("runtime_before"))
def test_runs_as_written_with_the_expected_violations(program: Program, cache: _Cache) -> None:
    result = run_cached(cache, program, "before", program.root)
    assert qualified_name(result.error) == program.raises, result.error
    assert result.violations == list(program.violations), "\n".join(result.messages)


@pytest.mark.parametrize("program", cases("static"))
def test_static_findings_as_written(program: Program) -> None:
    assert as_findings(json_findings(program.root)) == list(program.findings)


@pytest.mark.parametrize("program", cases("converges"))
def test_fixed_files_parse_and_a_second_fix_changes_nothing(program: Program,
                                                            fixed: FixedCopy) -> None:
    for name, data in fixed.fixed_files.items():
        if name.endswith(".py"):
            ast.parse(data, filename=name)
    assert fixed.refixed_files == fixed.fixed_files


@pytest.mark.parametrize("program", cases("fixed_count"))
def test_the_fix_fixes_every_finding_that_has_a_fix(program: Program, fixed: FixedCopy) -> None:
    with_fix = sum(1 for finding in program.findings if finding[3] is not None)
    assert fixed.fixed_count == with_fix, fixed.fix_summary


@pytest.mark.parametrize("program", cases("left"))
def test_what_the_fix_leaves_is_listed_with_its_reason(program: Program,
                                                       fixed: FixedCopy) -> None:
    after = [(item["code"], item["filename"], item["location"]["row"], item["message"])
             for item in fixed.findings_after]
    assert [(code, path, row) for code, path, row, _ in after] == \
        [(code, path, row) for code, path, row, _ in program.left]
    for (code, path, row, message), (*_, reason) in zip(after, program.left):
        assert reason in message
        # The fix run itself lists what it left, one heading per finding.
        assert re.search(rf"^{re.escape(path)}:{row}:\d+: {code} {re.escape(message)}$",
                         fixed.fix_output, re.MULTILINE), fixed.fix_output


@pytest.mark.parametrize("program", cases("runtime_after"))
def test_the_fixed_program_runs_with_only_what_a_person_must_resolve(
        program: Program, fixed: FixedCopy, cache: _Cache) -> None:
    result = run_cached(cache, program, "after", fixed.root)
    assert result.error is None, result.error
    assert result.violations == list(program.remaining), "\n".join(result.messages)


def _request_shape(request: SeenRequest) -> tuple[str, str, str]:
    parts = urlsplit(request.url)
    # The fix may move /vapid/x to /rest/v1.0/x (RULES 3); hosts are what it changes.
    return request.method, re.sub(r"^/vapid/", "/rest/v1.0/", parts.path), parts.query


@pytest.mark.parametrize("program", cases("same_requests"))
def test_the_fixed_program_makes_the_same_requests(program: Program, fixed: FixedCopy,
                                                   cache: _Cache) -> None:
    before = run_cached(cache, program, "before", program.root)
    after = run_cached(cache, program, "after", fixed.root)
    shapes_before = [_request_shape(r) for r in before.requests]
    shapes_after = [_request_shape(r) for r in after.requests]
    if program.raises is None:
        assert shapes_after == shapes_before
    else:
        # It got further once the value was a str; up to the failure, nothing changed.
        assert shapes_after[:len(shapes_before)] == shapes_before


@pytest.mark.parametrize("program", cases("company_id"))
def test_the_fixed_program_sends_the_company_id_the_code_had(
        program: Program, fixed: FixedCopy, cache: _Cache) -> None:
    after = run_cached(cache, program, "after", fixed.root)
    sent = {r.header("Procore-Company-Id") for r in after.requests} - {None}
    assert sent <= {COMPANY_ID}
