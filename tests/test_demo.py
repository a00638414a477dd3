"""The demo project: what `mpz-lint check fixtures/demo` finds, and what a fix makes of it.

`fixtures/demo` is a small Procore integration (the `procore_sync` package, a `.env.example`
and a YAML config) with defects of every rule on by default beside compliant code: legacy
hosts (MPZ001-MPZ003) and `Procore-Company-Id` headers missing, misspelled or sent as an
int (MPZ101-MPZ103). It is checked as one project with the default settings, as
`mpz-lint check fixtures/demo` checks it. Findings are asserted exactly, file by file; the
text after `--fix` is compared byte for byte with `fixtures/demo_fixed/`, which holds every
file a safe fix changes.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from mpz_lint.engine import FileResult, fix_files, lint_files, selected_rules
from mpz_lint.files import discover, read_source
from mpz_lint.project import kind_of
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "fixtures" / "demo"
DEMO_FIXED = REPO / "fixtures" / "demo_fixed"
DEFAULTS = Settings()

# (code, row, column) of every finding, for every file the demo has mpz-lint check.
EXPECTED_FINDINGS: dict[str, list[tuple[str, int, int]]] = {
    # PROCORE_OAUTH_BASE_URL is read by settings.py and flows into /oauth/token in auth.py.
    ".env.example": [("MPZ001", 8, 24)],
    "config/settings.yaml": [
        ("MPZ001", 5, 14),  # login_url: a bare base, OAuth only by its key's name
        ("MPZ002", 8, 17),  # webhooks_api: /rest/v1.0 on the web host
        ("MPZ003", 11, 14),  # base_url: a bare base nobody in the project uses
    ],
    # PROCORE_URL is for plugins outside the project: its use cannot be seen.
    "procore_sync/__init__.py": [("MPZ003", 8, 15)],
    "procore_sync/auth.py": [("MPZ001", 15, 17)],  # the authorize URL on the web host
    "procore_sync/client.py": [("MPZ002", 25, 28)],  # a /vapid/ URL on the web host
    "procore_sync/documents.py": [],  # already on api.procore.com; storage, presigned URLs
    "procore_sync/healthcheck.py": [("MPZ003", 15, 15)],  # one base for OAuth and REST
    "procore_sync/links.py": [],  # web links, the MCP server, a /fas/ file link, portals
    "procore_sync/notifications.py": [],  # web links built with ids in the path
    "procore_sync/rfis.py": [
        ("MPZ102", 30, 41),  # Procore_Company_Id: Procore ignores it
        ("MPZ103", 40, 63),  # company_id: int as the header value
        ("MPZ101", 48, 16),  # no header at all; company_id is a parameter
        ("MPZ101", 59, 16),  # no header, and no company id in scope to add
    ],
    "procore_sync/settings.py": [
        ("MPZ001", 12, 54),  # os.getenv default that auth.py joins with /oauth/token
        ("MPZ002", 15, 12),  # API_ROOT, imported by client.py and joined with /rest/v1.0
        ("MPZ002", 19, 17),  # the US02 zone: reported, its fix is unsafe
    ],
    "procore_sync/sync.py": [],
    # _request never adds the header: reported once, at the call every method goes through.
    "procore_sync/webhooks.py": [("MPZ101", 22, 20)],
}

# What a safe fix leaves: findings whose fix is unsafe, and those with no fix at all.
REMAINING_AFTER_SAFE_FIX: list[tuple[str, str, int, int, str | None]] = [
    ("config/settings.yaml", "MPZ001", 5, 14, "unsafe"),
    ("config/settings.yaml", "MPZ003", 11, 14, None),
    ("procore_sync/__init__.py", "MPZ003", 8, 15, None),
    ("procore_sync/healthcheck.py", "MPZ003", 15, 15, "unsafe"),
    ("procore_sync/rfis.py", "MPZ101", 59, 16, None),
    ("procore_sync/settings.py", "MPZ002", 19, 17, "unsafe"),
]

# The edits --unsafe-fixes makes on top of the safe ones (each old text occurs once).
UNSAFE_EDITS: dict[str, tuple[tuple[str, str], ...]] = {
    "config/settings.yaml": (
        ("  login_url: https://app.procore.com\n", "  login_url: https://login.procore.com\n"),
    ),
    "procore_sync/healthcheck.py": (
        ('PROCORE_URL = "https://app.procore.com"\n',
         'PROCORE_URL = "https://api.procore.com"\nPROCORE_LOGIN_URL = "https://login.procore.com"\n'),
        ('f"{PROCORE_URL}/oauth/token"', 'f"{PROCORE_LOGIN_URL}/oauth/token"'),
    ),
    "procore_sync/settings.py": (
        ('US02_API_ROOT = "https://us02.procore.com/rest/v1.0"\n',
         'US02_API_ROOT = "https://api.procore.com/rest/v1.0"\n'),
    ),
}


def read_tree(root: Path) -> list[SourceFile]:
    """Every file below `root` that mpz-lint checks, named relative to `root`."""
    sources: list[SourceFile] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file() and kind_of(p.name)):
        source = read_source(path, path.relative_to(root).as_posix())
        assert isinstance(source, SourceFile), source
        sources.append(source)
    return sources


def findings(results: list[FileResult]) -> list[tuple[str, str, int, int]]:
    for result in results:
        assert result.error is None, result.error
    return [(d.path, d.code, d.location.row, d.location.column)
            for result in results for d in result.diagnostics]


def text_bytes(results: list[FileResult]) -> dict[str, bytes]:
    """Each file's bytes as `--fix` would write them."""
    return {r.file.path: r.file.encode(r.file.text) for r in results}


def original_bytes() -> dict[str, bytes]:
    return {path: (DEMO / path).read_bytes() for path in EXPECTED_FINDINGS}


def safe_fixed_bytes() -> dict[str, bytes]:
    """The demo after a safe fix: demo_fixed/ where a file changes, the demo elsewhere."""
    expected = original_bytes()
    for path in expected:
        if (DEMO_FIXED / path).is_file():
            expected[path] = (DEMO_FIXED / path).read_bytes()
    return expected


@pytest.fixture(scope="module")
def demo() -> list[SourceFile]:
    return read_tree(DEMO)


@pytest.fixture(scope="module")
def demo_findings(demo: list[SourceFile]) -> list[tuple[str, str, int, int]]:
    return findings(lint_files(demo, DEFAULTS))


def test_demo_checks_the_files_the_cli_finds(demo: list[SourceFile]) -> None:
    assert [s.path for s in demo] == sorted(EXPECTED_FINDINGS)
    discovered, errors = discover(["fixtures/demo"], Settings(), cwd=REPO)
    assert errors == []
    assert [display for _, display in discovered] == [
        f"fixtures/demo/{path}" for path in sorted(EXPECTED_FINDINGS)
    ]


@pytest.mark.parametrize("path", sorted(EXPECTED_FINDINGS))
def test_demo_findings(path: str, demo_findings: list[tuple[str, str, int, int]]) -> None:
    found = [(code, row, column) for where, code, row, column in demo_findings if where == path]
    assert found == EXPECTED_FINDINGS[path]


def test_demo_has_a_defect_of_every_default_rule(
    demo_findings: list[tuple[str, str, int, int]],
) -> None:
    default_codes = {rule.code for rule in selected_rules(DEFAULTS)}
    assert default_codes == {"MPZ001", "MPZ002", "MPZ003", "MPZ101", "MPZ102", "MPZ103"}
    assert {code for _, code, _, _ in demo_findings} == default_codes


def test_a_missing_header_without_a_fix_says_why(demo: list[SourceFile]) -> None:
    (diagnostic,) = [d for result in lint_files(demo, DEFAULTS) for d in result.diagnostics
                     if d.code == "MPZ101" and d.fix is None]
    assert (diagnostic.path, diagnostic.location.row) == ("procore_sync/rfis.py", 59)
    assert "no company id in scope" in diagnostic.message


def test_strict_mode_adds_nothing_as_every_demo_request_is_decided(demo: list[SourceFile]) -> None:
    strict = findings(lint_files(demo, Settings(strict=True)))
    assert [f for f in strict if f[1] == "MPZ104"] == []


def test_demo_fixed_holds_exactly_the_files_a_safe_fix_changes(demo: list[SourceFile]) -> None:
    changed = sorted(r.file.path for r in fix_files(demo, DEFAULTS) if r.fixed_text is not None)
    stored = sorted(p.relative_to(DEMO_FIXED).as_posix()
                    for p in DEMO_FIXED.rglob("*") if p.is_file())
    assert changed == stored


def test_safe_fix_gives_demo_fixed_byte_for_byte(demo: list[SourceFile]) -> None:
    results = fix_files(demo, DEFAULTS)
    assert text_bytes(results) == safe_fixed_bytes()


def test_safe_fix_leaves_the_unsafe_and_unfixable_findings(demo: list[SourceFile]) -> None:
    results = fix_files(demo, DEFAULTS)
    remaining = [
        (d.path, d.code, d.location.row, d.location.column,
         d.fix.applicability.value if d.fix is not None else None)
        for result in results for d in result.diagnostics
    ]
    assert remaining == REMAINING_AFTER_SAFE_FIX


def test_unsafe_fix_also_applies_the_unsafe_edits(demo: list[SourceFile]) -> None:
    expected = safe_fixed_bytes()
    for path, edits in UNSAFE_EDITS.items():
        text = expected[path].decode("utf-8")
        for old, new in edits:
            assert text.count(old) == 1, (path, old)
            text = text.replace(old, new)
        expected[path] = text.encode("utf-8")
    results = fix_files(demo, DEFAULTS, unsafe_fixes=True)
    assert text_bytes(results) == expected
    assert findings(results) == [
        (path, code, row, column)
        for path, code, row, column, applicability in REMAINING_AFTER_SAFE_FIX
        if applicability is None
    ]


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
def test_a_second_fix_pass_changes_nothing(demo: list[SourceFile], unsafe: bool) -> None:
    once = [result.file for result in fix_files(demo, DEFAULTS, unsafe_fixes=unsafe)]
    twice = fix_files(once, DEFAULTS, unsafe_fixes=unsafe)
    assert [r.fixed_text for r in twice] == [None] * len(once)
    assert all(r.fixed == [] for r in twice)
