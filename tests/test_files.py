"""File discovery, reading (every byte kept) and atomic writing."""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from mpz_lint.files import discover, read_source, write_atomic
from mpz_lint.model import FileError
from mpz_lint.settings import Settings
from mpz_lint.sources import SourceFile


def make(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode()
        path.write_bytes(content)


def names(root: Path, paths: tuple[str, ...] = (), settings: Settings | None = None) -> list[str]:
    found, errors = discover(paths, settings or Settings(), cwd=root)
    assert errors == []
    return [display for _, display in found]


# --- discovery -------------------------------------------------------------------------


def test_finds_python_and_config_files_sorted(tmp_path: Path) -> None:
    make(tmp_path, {
        "b.py": "", "a.pyi": "", "pkg/c.py": "", ".env": "", "settings.yaml": "",
        "README.md": "", "data.csv": "", "script.sh": "",
    })
    assert names(tmp_path) == [".env", "a.pyi", "b.py", "pkg/c.py", "settings.yaml"]


def test_skips_tool_folders_and_virtualenvs(tmp_path: Path) -> None:
    make(tmp_path, {
        "app.py": "",
        ".git/hooks/pre.py": "", ".hg/x.py": "", ".svn/x.py": "",
        ".venv/lib/x.py": "", "venv/lib/x.py": "",
        "myenv/pyvenv.cfg": "home = /usr", "myenv/lib/x.py": "",
        "node_modules/pkg/x.json": "", "pkg/__pycache__/x.py": "",
        ".tox/x.py": "", ".nox/x.py": "", ".mypy_cache/x.json": "", ".ruff_cache/x.json": "",
        ".pytest_cache/x.json": "", "build/lib/x.py": "", "dist/x.py": "",
        "mpz.egg-info/x.py": "", "lib/site-packages/x.py": "",
        "env/kept.py": "",  # a folder named env is only skipped if it holds pyvenv.cfg
    })
    assert names(tmp_path) == ["app.py", "env/kept.py"]


def test_gitignore_is_honoured_with_nested_files_relative_to_their_folder(tmp_path: Path) -> None:
    make(tmp_path, {
        ".gitignore": "*.gen.py\n/generated/\n",
        "a.py": "", "a.gen.py": "", "generated/x.py": "",
        "sub/.gitignore": "local.py\n!keep.gen.py\n/only_here.py\n",
        "sub/local.py": "", "sub/keep.gen.py": "", "sub/only_here.py": "", "sub/b.py": "",
        "sub/generated/y.py": "",  # `/generated/` is anchored to the root folder
        "other/local.py": "", "other/only_here.py": "",  # sub's patterns stop at sub/
    })
    assert names(tmp_path) == [
        "a.py", "other/local.py", "other/only_here.py",
        "sub/b.py", "sub/generated/y.py", "sub/keep.gen.py",
    ]


def test_gitignore_of_the_repository_above_the_given_folder(tmp_path: Path) -> None:
    make(tmp_path, {
        ".git/HEAD": "", ".git/info/exclude": "mine.py\n", ".gitignore": "secret_*.py\n",
        "src/.gitignore": "skip.py\n",
        "src/pkg/a.py": "", "src/pkg/secret_x.py": "", "src/pkg/skip.py": "", "src/pkg/mine.py": "",
    })
    assert names(tmp_path / "src" / "pkg") == ["a.py"]
    assert names(tmp_path, ("src/pkg",)) == ["src/pkg/a.py"]


def test_no_respect_gitignore_checks_ignored_files(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "ignored.py\n", "ignored.py": "", "a.py": ""})
    assert names(tmp_path) == ["a.py"]
    assert names(tmp_path, settings=Settings(respect_gitignore=False)) == ["a.py", "ignored.py"]


def test_exclude_globs_apply_to_names_and_paths(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": "", "migrations/0001.py": "", "src/gen/x.py": "", "src/y.py": ""})
    assert names(tmp_path, settings=Settings(exclude=("migrations",))) == [
        "a.py", "src/gen/x.py", "src/y.py"]
    assert names(tmp_path, settings=Settings(exclude=("src/gen/*",))) == [
        "a.py", "migrations/0001.py", "src/y.py"]
    assert names(tmp_path, settings=Settings(exclude=("*.py",))) == []


def test_explicit_files_are_checked_even_if_ignored(tmp_path: Path) -> None:
    make(tmp_path, {".gitignore": "ignored.py\n", "ignored.py": "", "build/x.py": "",
                    "notes.txt": "", "settings.ini": ""})
    assert names(tmp_path, ("ignored.py", "build/x.py", "notes.txt", "./settings.ini")) == [
        "build/x.py", "ignored.py", "settings.ini"]


def test_an_explicit_folder_is_walked_even_if_ignored_or_skipped(tmp_path: Path) -> None:
    make(tmp_path, {".git/HEAD": "", ".gitignore": "generated/\n",
                    "generated/a.py": "", "build/b.py": ""})
    assert names(tmp_path, ("generated", "build")) == ["build/b.py", "generated/a.py"]


def test_display_names_keep_the_path_as_given(tmp_path: Path) -> None:
    make(tmp_path, {"src/pkg/a.py": "", "b.py": ""})
    assert names(tmp_path, ("src/",)) == ["src/pkg/a.py"]
    assert names(tmp_path, ("./src",)) == ["src/pkg/a.py"]
    assert names(tmp_path / "src", ("../b.py", ".")) == ["../b.py", "pkg/a.py"]


def test_a_file_given_twice_is_checked_once(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": ""})
    assert names(tmp_path, (".", "a.py")) == ["a.py"]


def test_missing_path_is_an_error_and_the_rest_is_found(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": ""})
    found, errors = discover(["nope.py", "."], Settings(), cwd=tmp_path)
    assert [display for _, display in found] == ["a.py"]
    assert errors == [FileError("nope.py", "no such file or directory")]


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    make(tmp_path, {"pkg/a.py": ""})
    (tmp_path / "pkg" / "loop").symlink_to(tmp_path / "pkg", target_is_directory=True)
    (tmp_path / "up").symlink_to(tmp_path, target_is_directory=True)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    assert names(tmp_path) == ["pkg/a.py"]


# --- reading ---------------------------------------------------------------------------


def test_bom_and_crlf_survive_read_and_encode(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfimport os\r\nx = 'caf\xc3\xa9'\r\n\r\n"
    make(tmp_path, {"a.py": data})
    source = read_source(tmp_path / "a.py", "a.py")
    assert source == SourceFile("a.py", "import os\r\nx = 'café'\r\n\r\n", "python", "utf-8", True)
    assert source.encode(source.text) == data


def test_config_file_bom_and_lone_cr(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbfURL=https://app.procore.com\rOTHER=1\n"
    make(tmp_path, {".env": data})
    source = read_source(tmp_path / ".env", ".env")
    assert isinstance(source, SourceFile)
    assert (source.kind, source.bom, source.text) == (
        "config", True, "URL=https://app.procore.com\rOTHER=1\n")
    assert source.encode(source.text) == data


def test_latin1_coding_cookie_round_trips(tmp_path: Path) -> None:
    data = b"# -*- coding: latin-1 -*-\nname = 'Jos\xe9'\n"
    make(tmp_path, {"a.py": data})
    source = read_source(tmp_path / "a.py", "a.py")
    assert isinstance(source, SourceFile)
    assert source.text == "# -*- coding: latin-1 -*-\nname = 'José'\n"
    assert source.encode(source.text) == data


def test_undecodable_file_is_a_one_line_error(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": b"x = 1\ny = '\xff'\n", "c.yaml": b"k: \xc3\x28\n"})
    assert read_source(tmp_path / "a.py", "a.py") == FileError(
        "a.py", "cannot decode as utf-8: byte 0xff on line 2 (invalid start byte)")
    assert read_source(tmp_path / "c.yaml", "c.yaml") == FileError(
        "c.yaml", "cannot decode as utf-8: byte 0xc3 on line 1 (invalid continuation byte)")


def test_unknown_coding_cookie_and_nul_bytes(tmp_path: Path) -> None:
    make(tmp_path, {"a.py": b"# coding: klingon\n", "b.py": b"x = 1\x00\n"})
    assert read_source(tmp_path / "a.py", "a.py") == FileError(
        "a.py", "cannot decode: unknown encoding: klingon")
    assert read_source(tmp_path / "b.py", "b.py") == FileError("b.py", "contains NUL bytes")


def test_unreadable_paths_are_errors(tmp_path: Path) -> None:
    (tmp_path / "folder.py").mkdir()
    assert read_source(tmp_path / "gone.py", "gone.py") == FileError(
        "gone.py", "cannot read: no such file or directory")
    error = read_source(tmp_path / "folder.py", "folder.py")
    assert error == FileError("folder.py", "not a regular file")
    assert "\n" not in error.message


# --- writing ---------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX mode bits")
def test_write_atomic_replaces_content_and_keeps_mode(tmp_path: Path) -> None:
    target = tmp_path / "run.py"
    target.write_bytes(b"old\n")
    os.chmod(target, 0o751)
    write_atomic(target, b"new\r\n")
    assert target.read_bytes() == b"new\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o751
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.py"]  # no temp file left


@pytest.mark.skipif(sys.platform == "win32", reason="symlinks need privileges on Windows")
def test_write_atomic_writes_through_a_symlink(tmp_path: Path) -> None:
    (tmp_path / "real.py").write_bytes(b"old\n")
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    write_atomic(tmp_path / "link.py", b"new\n")
    assert (tmp_path / "link.py").is_symlink()
    assert (tmp_path / "real.py").read_bytes() == b"new\n"


def test_write_atomic_failure_leaves_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "a.py"
    target.write_bytes(b"old\n")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomic(target, b"new\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.py"]
