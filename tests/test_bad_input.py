"""Bad input, end to end through the command line: every kind a real tree holds.

For each: a one-line error that names the file, the other files still checked (a good
file with a finding is always beside the bad one), exit code 2, and no file ever left
half-written. Files that are odd but valid (a BOM, CRLF or mixed line endings, a form
feed, a very long line, an empty file) are checked like any other, and their fixes
keep every other byte.

The tests run as root, where file permissions stop nothing: an unreadable file is
simulated by making `Path.read_bytes` raise PermissionError (and a FIFO is the real
thing that cannot be read), and a read-only file under `--fix` is made immutable with
`chattr +i` (skipped where that is not supported) and also simulated by making
`os.replace` raise PermissionError.

Inputs that can crash the process itself (a segfault deep in the parser) or hang it run
the CLI in a subprocess (`python -m mpz_lint`), with a timeout.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from mpz_lint.engine import fix_source
from tests.cli_helpers import make, run

REPO = Path(__file__).resolve().parent.parent

# The good file beside every bad one: MPZ002 (fixable) and MPZ101 (no fix).
GOOD = 'import requests\n\nrequests.get("https://app.procore.com/rest/v1.0/projects")\n'
GOOD_FINDINGS = ["good.py:3:1: MPZ101", "good.py:3:14: MPZ002"]
GOOD_FIXED = GOOD.replace("app.procore.com", "api.procore.com")
# A file that names Procore, so that it is parsed and analysed.
TOKEN = 'TOKEN_URL = "https://app.procore.com/oauth/token"\n'


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, {"good.py": GOOD})
    return tmp_path


def check(*args: str) -> Result:
    """`check` as a user runs it (no --isolated: the config tests need the config)."""
    return run("check", "--output-format", "concise", *args)


def found(result: Result) -> list[str]:
    """`path:row:column: CODE` of each finding printed."""
    return [line.split(" ", 2)[0] + " " + line.split(" ", 2)[1]
            for line in result.stdout.splitlines() if ": MPZ" in line]


def errors(result: Result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error: ")]


def assert_reported(result: Result, name: str, message: str) -> None:
    """Exit 2, one error line naming `name` (starting with `message`), the good file
    checked."""
    assert len(errors(result)) == 1, result.stderr
    assert errors(result)[0].startswith(f"error: {name}: {message}"), result.stderr
    assert result.exit_code == 2
    assert [f for f in found(result) if f.startswith("good.py")] == GOOD_FINDINGS


def cli(*args: str, cwd: Path, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """The CLI in a process of its own (for inputs that may crash or hang it)."""
    return subprocess.run([sys.executable, "-m", "mpz_lint", "check",
                           "--output-format", "concise", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, "PYTHONPATH": str(REPO)})


# --- files that cannot be checked -----------------------------------------------------------


def test_syntax_error(project: Path) -> None:
    make(project, {"bad.py": TOKEN + "def broken(:\n    pass\n"})
    result = check()
    # Where libcst's parser gives up and what it expected are its own words.
    assert_reported(result, "bad.py", "syntax error at ")


def test_undecodable_bytes(project: Path) -> None:
    make(project, {"bad.py": TOKEN.encode() + b'NAME = "caf\xe9"\n'})
    assert_reported(check(), "bad.py",
                    "cannot decode as utf-8: byte 0xe9 on line 2 (invalid continuation byte)")


def test_unknown_coding_cookie(project: Path) -> None:
    make(project, {"bad.py": "# -*- coding: klingon -*-\n" + TOKEN})
    assert_reported(check(), "bad.py", "cannot decode: unknown encoding: klingon")


def test_nul_bytes(project: Path) -> None:
    make(project, {"bad.py": TOKEN.encode() + b"x = 1\x00\n"})
    assert_reported(check(), "bad.py", "contains NUL bytes")


def test_a_compiled_file_named_py(project: Path) -> None:
    make(project, {"bad.py": b"\xa7\r\r\n\x00\x00\x00\x00" + bytes(range(256))})
    assert_reported(check(), "bad.py", "contains NUL bytes")


def test_path_that_does_not_exist(project: Path) -> None:
    result = check("missing.py", "good.py")
    assert_reported(result, "missing.py", "no such file or directory")


def test_file_vanishes_between_listing_and_reading(
        project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mpz_lint import files

    make(project, {"gone.py": TOKEN})
    discover = files.discover

    def discover_then_delete(*args: object, **kwargs: object) -> object:
        listed = discover(*args, **kwargs)  # type: ignore[arg-type]
        (project / "gone.py").unlink()
        return listed

    monkeypatch.setattr(files, "discover", discover_then_delete)
    assert_reported(check(), "gone.py", "cannot read: no such file or directory")


def test_unreadable_file(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As root, chmod 000 does not stop a read: make the open fail as it would for a user.
    make(project, {"secret.py": TOKEN})
    open_file = os.open

    def refuse(path: str, *args: int) -> int:
        if os.path.basename(path) == "secret.py":
            raise PermissionError(13, "Permission denied", path)
        return open_file(path, *args)

    monkeypatch.setattr(os, "open", refuse)
    assert_reported(check(), "secret.py", "cannot read: permission denied")


def test_fifo_named_on_the_command_line(project: Path) -> None:
    os.mkfifo(project / "pipe.py")
    try:
        done = cli("pipe.py", "good.py", cwd=project, timeout=5)
    except subprocess.TimeoutExpired:
        pytest.fail("the run hangs on a FIFO")
    assert done.returncode == 2
    assert [line for line in done.stderr.splitlines() if line.startswith("error:")] == [
        "error: pipe.py: not a regular file"]


def test_a_folder_named_like_a_python_file_is_walked(project: Path) -> None:
    make(project, {"package.py/inner.py": TOKEN})
    result = check()
    assert (result.exit_code, errors(result)) == (1, [])
    assert found(result) == [*GOOD_FINDINGS, "package.py/inner.py:1:13: MPZ001"]


def test_symlink_loop_named_on_the_command_line(project: Path) -> None:
    (project / "loop.py").symlink_to("loop.py")
    result = check("loop.py", "good.py")
    # The message says what os.path.exists() concludes; the point is the one line.
    assert_reported(result, "loop.py", "no such file or directory")


def test_symlink_loop_found_while_walking(project: Path) -> None:
    (project / "a.py").symlink_to("b.py")
    (project / "b.py").symlink_to("a.py")
    result = check()
    assert result.exit_code == 2
    assert errors(result) == ["error: a.py: cannot read: too many levels of symbolic links",
                              "error: b.py: cannot read: too many levels of symbolic links"]


def test_symlink_loop_of_folders_ends(project: Path) -> None:
    (project / "sub").mkdir()
    (project / "sub" / "up").symlink_to("..")
    result = check()
    assert (result.exit_code, errors(result), found(result)) == (1, [], GOOD_FINDINGS)


# --- notebooks and configuration ----------------------------------------------------------


def test_notebook_with_bad_json(project: Path) -> None:
    make(project, {"analysis.ipynb": '{"cells": [{"cell_type": "code", "source": ['})
    assert_reported(check(), "analysis.ipynb",
                    "not a valid notebook: Expecting value at line 1")


def test_notebook_that_is_not_a_notebook(project: Path) -> None:
    make(project, {"list.ipynb": "[1, 2]", "empty.ipynb": ""})
    result = check()
    assert result.exit_code == 2
    assert errors(result) == [
        "error: empty.ipynb: not a valid notebook: Expecting value at line 1",
        "error: list.ipynb: not a valid notebook: no `cells` (nbformat 4 is needed)",
    ]


def test_notebook_with_a_source_of_numbers(project: Path) -> None:
    cells = [{"cell_type": "code", "source": [1, None], "metadata": {}, "outputs": []}]
    make(project, {"odd.ipynb": json.dumps({"cells": cells, "nbformat": 4})})
    done = cli(cwd=project)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert "error: odd.ipynb: not a valid notebook" in done.stderr


def test_notebook_nested_too_deeply(project: Path) -> None:
    make(project, {"deep.ipynb": '{"cells": ' + "[" * 100_000 + "]" * 100_000 + "}"})
    done = cli(cwd=project)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert "error: deep.ipynb: not a valid notebook" in done.stderr


@pytest.mark.parametrize("name", ["pyproject.toml", "mpz-lint.toml", ".mpz-lint.toml"])
def test_config_file_with_bad_toml(project: Path, name: str) -> None:
    table = "[tool.mpz-lint]\n" if name == "pyproject.toml" else ""
    make(project, {name: table + 'select = ["MPZ001"\n'})
    result = check()
    # A config that does not load is fatal: nothing is checked.
    assert (result.exit_code, result.stdout) == (2, "")
    assert errors(result) == [
        f"error: {project / name}: not valid TOML (Unclosed array (at end of document))"]


def test_config_file_with_a_wrong_value(project: Path) -> None:
    make(project, {"mpz-lint.toml": 'select = "MPZ001"\n'})
    result = check()
    assert (result.exit_code, result.stdout) == (2, "")
    assert len(errors(result)) == 1 and "mpz-lint.toml" in errors(result)[0]


def test_checked_config_files_with_broken_syntax_are_read_leniently(project: Path) -> None:
    make(project, {
        "settings.json": '{"api": "https://app.procore.com/rest/v1.0", ',
        "settings.toml": 'auth = "https://app.procore.com/oauth/token"\n[broken',
        ".env": "PROCORE_API=https://app.procore.com/rest/v1.0\n\x01\x02=\n",
    })
    result = check()
    assert (result.exit_code, errors(result)) == (1, [])
    assert found(result) == [".env:1:13: MPZ002", *GOOD_FINDINGS,
                             "settings.json:1:10: MPZ002", "settings.toml:1:9: MPZ001"]


# --- odd but valid files: checked, and fixed byte for byte -----------------------------------


def _fix(project: Path, name: str, data: bytes) -> tuple[Result, bytes]:
    make(project, {name: data})
    result = check("--fix")
    return result, (project / name).read_bytes()


def test_empty_files(project: Path) -> None:
    make(project, {"empty.py": "", "only_bom.py": b"\xef\xbb\xbf", ".env": "", "e.json": "",
                   "blank.py": "\n\n\n"})
    result = check()
    assert (result.exit_code, errors(result), found(result)) == (1, [], GOOD_FINDINGS)


def test_bom(project: Path) -> None:
    data = b"\xef\xbb\xbf" + TOKEN.encode()
    make(project, {"bom.py": data})
    assert found(check()) == ["bom.py:1:13: MPZ001", *GOOD_FINDINGS]
    result, after = _fix(project, "bom.py", data)
    assert after == data.replace(b"app.procore", b"login.procore")
    assert result.exit_code == 1  # MPZ101 in good.py has no fix


def test_crlf_line_endings(project: Path) -> None:
    data = ("import requests\r\n\r\n" + TOKEN.replace("\n", "\r\n")
            + 'API = "https://app.procore.com/vapid/projects"\r\n').encode()
    make(project, {"crlf.py": data})
    assert found(check())[:2] == ["crlf.py:3:13: MPZ001", "crlf.py:4:7: MPZ002"]
    _, after = _fix(project, "crlf.py", data)
    assert after == (b'import requests\r\n\r\nTOKEN_URL = "https://login.procore.com/oauth/token"'
                     b'\r\nAPI = "https://api.procore.com/rest/v1.0/projects"\r\n')


def test_mixed_and_lone_cr_line_endings(project: Path) -> None:
    data = (b'A = 1\r\nTOKEN = "https://app.procore.com/oauth/token"\rB = 2\n'
            b'API = "https://app.procore.com/rest/v1.0/me"\r\n')
    make(project, {"mixed.py": data})
    assert found(check())[2:] == ["mixed.py:2:9: MPZ001", "mixed.py:4:7: MPZ002"]
    _, after = _fix(project, "mixed.py", data)
    assert after == (b'A = 1\r\nTOKEN = "https://login.procore.com/oauth/token"\rB = 2\n'
                     b'API = "https://api.procore.com/rest/v1.0/me"\r\n')


def test_form_feed(project: Path) -> None:
    data = b'import os\n\x0c\ndef f():\n    pass\n\x0c\nTOKEN = "https://app.procore.com/oauth/token"\n'
    make(project, {"ff.py": data})
    assert found(check())[0] == "ff.py:6:9: MPZ001"
    _, after = _fix(project, "ff.py", data)
    assert after == data.replace(b"app.procore", b"login.procore")


def test_very_long_line(project: Path) -> None:
    # A megabyte of string before the URL, on one line: columns are characters.
    filler = "é" * 1_000_000
    data = f'X = "{filler}"; TOKEN = "https://app.procore.com/oauth/token"\n'.encode()
    make(project, {"long.py": data})
    assert found(check())[2:] == [f"long.py:1:{1_000_000 + 17}: MPZ001"]
    _, after = _fix(project, "long.py", data)
    assert after == data.replace(b"app.procore", b"login.procore")


def test_20_megabyte_file(project: Path) -> None:
    # A generated data module: checked by a byte search (it does not name Procore).
    line = b'ROW_%07d = {"key": "value", "n": 1234567890, "ok": True}\n'
    data = b"".join(line % i for i in range(340_000))
    assert len(data) >= 20_000_000
    make(project, {"data.py": data})
    started = time.monotonic()
    result = check()
    assert (result.exit_code, errors(result), found(result)) == (1, [], GOOD_FINDINGS)
    assert time.monotonic() - started < 60


# --- nesting ---------------------------------------------------------------------------------

# Valid Python (CPython compiles it) that is deeper than libcst's visitors can walk under
# the default recursion limit: a 600-term string concatenation, as generated code has.
DEEP = TOKEN + "QUERY = " + " + ".join(['"x"'] * 600) + "\n"


def test_deep_nesting_is_reported_not_a_crash(project: Path) -> None:
    make(project, {"deep.py": DEEP})
    done = cli(cwd=project)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2
    assert "error: deep.py: too deeply nested to analyse" in done.stderr.splitlines()


def test_deep_nesting_leaves_the_other_files_checked(project: Path) -> None:
    make(project, {"deep.py": DEEP})
    assert_reported(check(), "deep.py", "too deeply nested to analyse")


def test_nesting_past_pythons_own_limit_is_reported_not_a_segfault(project: Path) -> None:
    make(project, {"parens.py": TOKEN + "X = " + "(" * 3000 + "1" + ")" * 3000 + "\n"})
    done = cli(cwd=project)
    assert done.returncode == 2, f"exit {done.returncode}"
    assert "error: parens.py: too deeply nested to parse" in done.stderr.splitlines()
    assert "good.py:3:14: MPZ002" in done.stdout


# --- writing fixes ---------------------------------------------------------------------------


@pytest.fixture
def immutable(project: Path) -> Iterator[Path]:
    """A file with a fix to write, made immutable (`chattr +i`): even root cannot replace it."""
    path = project / "locked.py"
    path.write_text(TOKEN)
    if shutil.which("chattr") is None:
        pytest.skip("no chattr")
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("this file system has no immutable flag")
    try:
        yield path
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)


def test_read_only_file_under_fix(project: Path, immutable: Path) -> None:
    result = check("--fix")
    # EPERM is a PermissionError too.
    assert errors(result) == ["error: locked.py: cannot write fixes: permission denied"]
    assert result.exit_code == 2
    assert immutable.read_text() == TOKEN
    assert (project / "good.py").read_text() == GOOD_FIXED
    assert sorted(p.name for p in project.iterdir()) == ["good.py", "locked.py"]  # no temp


def test_write_refused_under_fix(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # What a user without write permission gets (simulated: root may write anything).
    make(project, {"locked.py": TOKEN})
    replace = os.replace

    def refuse(source: str, target: str) -> None:
        if str(target).endswith("locked.py"):
            raise PermissionError(13, "Permission denied", str(target))
        replace(source, target)

    monkeypatch.setattr(os, "replace", refuse)
    result = check("--fix")
    assert errors(result) == ["error: locked.py: cannot write fixes: permission denied"]
    assert result.exit_code == 2
    assert (project / "locked.py").read_text() == TOKEN
    assert (project / "good.py").read_text() == GOOD_FIXED
    assert sorted(p.name for p in project.iterdir()) == ["good.py", "locked.py"]


# Ten shapes of file with fixes; each file of the killed run is one of them, numbered.
_SHAPES = [
    GOOD,
    TOKEN * 5,
    "import requests\n\ndef f(company_id):\n"
    '    return requests.get("https://app.procore.com/rest/v1.0/projects/1")\n',
    'BASE = "https://app.procore.com"\nTOKEN = f"{BASE}/oauth/token"\n',
    'A = "https://sandbox.procore.com/oauth/authorize"\nB = "https://app.procore.com/vapid/x"\n',
]


def test_killed_mid_fix_leaves_every_file_old_or_new(tmp_path: Path) -> None:
    """SIGKILL `check --fix` while it writes: every file is exactly its old or its new
    content (writes are atomic), never a mix or a truncation."""
    fixed_shapes = {shape: fix_source(shape * 4)[0] for shape in _SHAPES}
    expected: dict[str, tuple[str, str]] = {}
    for number in range(300):
        shape = _SHAPES[number % len(_SHAPES)]
        name, header = f"m{number:04d}.py", f"# file {number}\n"
        expected[name] = (header + shape * 4, header + fixed_shapes[shape])
        (tmp_path / name).write_text(expected[name][0])
    # Files are written in order once all are fixed: kill when the middle one is.
    middle = tmp_path / "m0150.py"
    process = subprocess.Popen(
        [sys.executable, "-m", "mpz_lint", "check", "--isolated", "--fix", "."], cwd=tmp_path,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONPATH": str(REPO)})
    deadline = time.monotonic() + 120
    try:
        while middle.read_text() == expected["m0150.py"][0]:
            assert process.poll() is None, "the run ended before it wrote anything"
            assert time.monotonic() < deadline
            time.sleep(0.0005)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    new = 0
    for name, (old_text, new_text) in expected.items():
        text = (tmp_path / name).read_text()
        assert text in (old_text, new_text), name
        new += text == new_text
    assert new >= 1
    print(f"killed with {new} of {len(expected)} files written")  # shown with -s
    # Nothing else but, at most, the temporary file being written when the kill came
    # (hidden and named `.NAME.*.tmp`: never checked as Python).
    leftovers = [p.name for p in tmp_path.iterdir() if p.name not in expected]
    assert len(leftovers) <= 1 and all(n.startswith(".m") and n.endswith(".tmp")
                                       for n in leftovers), leftovers
