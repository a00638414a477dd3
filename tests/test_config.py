"""Configuration: where it is found, how layers merge, that every key (and its command
line twin) changes what a run does, and that a bad configuration is fatal (exit 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import LEGACY_REQUEST, codes, findings, make, run
from tests.fake_rules import fake_rules  # noqa: F401 - a fixture

fake = pytest.mark.usefixtures("fake_rules")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def concise(*args: str) -> list[str]:
    return findings(run("check", "--output-format", "concise", *args))


# --- where the configuration comes from ---------------------------------------------------


@fake
def test_pyproject_tool_table_is_read(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY\n",
                   "pyproject.toml": '[project]\nname = "x"\n\n[tool.mpz-lint]\nignore = ["MPZ998"]\n'})
    assert concise() == ["a.py:1 MPZ999"]


@fake
def test_mpz_lint_toml_has_top_level_keys_and_wins_over_pyproject(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY\n",
                   "pyproject.toml": '[tool.mpz-lint]\nignore = ["MPZ998"]\n',
                   "mpz-lint.toml": 'ignore = ["MPZ999"]\n'})
    assert concise() == ["a.py:1 MPZ998"]
    make(project, {".mpz-lint.toml": 'select = ["MPZ997"]\n'})  # the hidden name wins
    assert concise() == []


@fake
def test_pyproject_without_the_table_is_passed_over(project: Path) -> None:
    make(project, {"mpz-lint.toml": 'ignore = ["MPZ998"]\n',
                   "pkg/pyproject.toml": '[tool.ruff]\nline-length = 99\n',
                   "pkg/a.py": "FLAG RISKY\n"})
    assert concise("pkg") == ["pkg/a.py:1 MPZ999"]


@fake
def test_config_is_found_from_the_checked_path_upward(project: Path) -> None:
    make(project, {"mpz-lint.toml": 'ignore = ["MPZ999"]\n',
                   "sub/mpz-lint.toml": 'ignore = ["MPZ998"]\n',
                   "sub/a.py": "FLAG RISKY\n"})
    # Run from the top: the config nearest to the checked folder governs.
    assert concise("sub") == ["sub/a.py:1 MPZ999"]
    assert concise("sub/a.py") == ["sub/a.py:1 MPZ999"]


@fake
def test_config_option_and_isolated(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY\n", "mpz-lint.toml": 'ignore = ["MPZ998"]\n',
                   "other/settings.toml": 'ignore = ["MPZ999"]\n'})
    assert concise() == ["a.py:1 MPZ999"]
    assert concise("--config", "other/settings.toml") == ["a.py:1 MPZ998"]
    assert concise("--isolated") == ["a.py:1 MPZ999", "a.py:1 MPZ998"]


@fake
def test_isolated_cannot_take_a_config_file(project: Path) -> None:
    make(project, {"a.py": "x\n", "c.toml": ""})
    result = run("check", "--isolated", "--config", "c.toml")
    assert result.exit_code == 2
    assert "cannot be used with --isolated" in result.stderr


@fake
def test_config_override_and_flags_precedence(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY STRICT\n", "mpz-lint.toml": "strict = true\n"})
    assert concise() == ["a.py:1 MPZ999", "a.py:1 MPZ998", "a.py:1 MPZ997"]
    # `--config KEY = VALUE` overrides the file ...
    assert concise("--config", "strict = false") == ["a.py:1 MPZ999", "a.py:1 MPZ998"]
    # ... and a dedicated flag overrides both.
    assert concise("--config", "strict = false", "--strict") == [
        "a.py:1 MPZ999", "a.py:1 MPZ998", "a.py:1 MPZ997"]
    assert concise("--no-strict") == ["a.py:1 MPZ999", "a.py:1 MPZ998"]


@fake
def test_command_line_select_starts_afresh(project: Path) -> None:
    make(project, {"a.py": "FLAG RISKY\n",
                   "mpz-lint.toml": 'ignore = ["MPZ999"]\nextend-select = ["MPZ997"]\n'})
    assert concise() == ["a.py:1 MPZ998"]
    assert concise("--select", "MPZ999") == ["a.py:1 MPZ999"]  # as in ruff
    assert concise("--ignore", "MPZ998") == []  # ignores add up


# --- every key changes behaviour ----------------------------------------------------------


@fake
@pytest.mark.parametrize(("setting", "flags", "expected"), [
    ('select = ["MPZ998"]', ("--select", "MPZ998"), ["a.py:1 MPZ998"]),
    ('extend-select = ["MPZ997"]', ("--extend-select", "MPZ997"),
     ["a.py:1 MPZ999", "a.py:1 MPZ998", "a.py:1 MPZ997"]),
    ('ignore = ["MPZ99"]', ("--ignore", "MPZ99"), []),
    ("strict = true", ("--strict",), ["a.py:1 MPZ999", "a.py:1 MPZ998", "a.py:1 MPZ997"]),
])
def test_rule_selection_keys(project: Path, setting: str, flags: tuple[str, ...],
                             expected: list[str]) -> None:
    make(project, {"a.py": "FLAG RISKY STRICT\n"})
    assert concise("--isolated") == ["a.py:1 MPZ999", "a.py:1 MPZ998"]
    assert concise("--isolated", *flags) == expected
    make(project, {"mpz-lint.toml": setting + "\n"})
    assert concise() == expected


@fake
def test_per_file_ignores(project: Path) -> None:
    make(project, {"pkg/tests/test_a.py": "FLAG RISKY\n", "pkg/a.py": "FLAG RISKY\n",
                   "pkg/mpz-lint.toml": '[per-file-ignores]\n"tests/*" = ["MPZ999"]\n'
                                        '"a.py" = ["MPZ998"]\n'})
    # The file's globs are relative to its folder, wherever the run starts.
    assert concise("pkg") == ["pkg/a.py:1 MPZ999", "pkg/tests/test_a.py:1 MPZ998"]
    assert concise("pkg", "--isolated", "--per-file-ignores", "pkg/tests/*:MPZ99") == [
        "pkg/a.py:1 MPZ999", "pkg/a.py:1 MPZ998"]


@fake
def test_exclude_and_extend_exclude(project: Path) -> None:
    make(project, {"a.py": "FLAG\n", "gen/b.py": "FLAG\n", "c_pb2.py": "FLAG\n",
                   "mpz-lint.toml": 'exclude = ["gen"]\nextend-exclude = ["*_pb2.py"]\n'})
    assert concise() == ["a.py:1 MPZ999"]
    # --exclude replaces the configured exclude; --extend-exclude adds to it.
    assert concise("--exclude", "nothing") == ["a.py:1 MPZ999", "gen/b.py:1 MPZ999"]
    assert concise("--isolated", "--extend-exclude", "gen/*") == [
        "a.py:1 MPZ999", "c_pb2.py:1 MPZ999"]


@fake
def test_respect_gitignore(project: Path) -> None:
    make(project, {".gitignore": "ignored.py\n", "ignored.py": "FLAG\n"})
    assert concise() == []
    make(project, {"mpz-lint.toml": "respect-gitignore = false\n"})
    assert concise() == ["ignored.py:1 MPZ999"]
    assert concise("--respect-gitignore") == []


@fake
def test_force_exclude_applies_to_named_paths(project: Path) -> None:
    make(project, {"gen/b.py": "FLAG\n", "c.py": "FLAG\n",
                   "mpz-lint.toml": 'extend-exclude = ["gen", "c.py"]\n'})
    # pre-commit names every file: without force-exclude, named files are checked.
    assert concise("gen/b.py", "c.py") == ["c.py:1 MPZ999", "gen/b.py:1 MPZ999"]
    assert concise("gen/b.py", "c.py", "--force-exclude") == []
    make(project, {"mpz-lint.toml": 'extend-exclude = ["gen"]\nforce-exclude = true\n'})
    assert concise("gen/b.py", "c.py") == ["c.py:1 MPZ999"]


def test_service_account(project: Path) -> None:
    make(project, {"me.py": 'import requests\n\nrequests.get("https://api.procore.com/rest/v1.0/me")\n'})
    assert concise() == []  # /me needs no company header ...
    assert concise("--service-account") == ["me.py:3 MPZ101"]  # ... unless a service account
    make(project, {"mpz-lint.toml": "service-account = true\n"})
    assert concise() == ["me.py:3 MPZ101"]
    assert concise("--no-service-account") == []
    make(project, {"mpz-lint.toml": 'service-account = "auto"\n'})
    assert concise() == []


def test_company_id_expr(project: Path) -> None:
    source = 'import requests\n\nrequests.get("https://api.procore.com/rest/v1.0/projects")\n'
    make(project, {"a.py": source})
    assert "no company id in scope" in run("check").stdout
    make(project, {"mpz-lint.toml": 'company-id-expr = "settings.COMPANY_ID"\n'})
    assert run("check", "--fix").exit_code == 0
    assert "settings.COMPANY_ID" in (project / "a.py").read_text()
    make(project, {"a.py": source})
    assert run("check", "--fix", "--company-id-expr", "acme.company()").exit_code == 0
    assert "acme.company()" in (project / "a.py").read_text()


def test_exempt_endpoints(project: Path) -> None:
    make(project, {
        "a.py": 'import requests\n\n'
                'requests.get("https://api.procore.com/rest/v1.0/projects/7/users")\n'
                'requests.get("https://api.procore.com/rest/v1.0/me")\n',
    })
    assert concise() == ["a.py:3 MPZ101"]
    replace = 'exempt-endpoints = ["GET /rest/v1.0/projects/{id}/users"]\n'
    make(project, {"mpz-lint.toml": replace})
    assert concise() == ["a.py:4 MPZ101"]  # the built-in /me exemption is replaced
    make(project, {"mpz-lint.toml": 'extend-exempt-endpoints = ["GET /rest/v1.0/projects/{id}/users"]\n'})
    assert concise() == []
    assert concise("--isolated", "--exempt-endpoints", "GET /rest/v1.0/projects/{id}/users") == [
        "a.py:4 MPZ101"]
    assert concise("--isolated", "--extend-exempt-endpoints",
                   "GET /rest/v1.0/projects/{id}/users") == []


def test_http_clients(project: Path) -> None:
    make(project, {
        "acme/http.py": "def fetch(path, headers=None):\n    pass\n",
        "a.py": 'from acme import http\n\nhttp.fetch("https://api.procore.com/rest/v1.0/projects")\n',
    })
    assert concise() == []
    make(project, {"mpz-lint.toml": '[[http-clients]]\nname = "acme.http.fetch"\nurl = 0\n'
                                    'method = "GET"\nheaders = "headers"\n'})
    assert concise() == ["a.py:3 MPZ101"]
    assert concise("--isolated", "--http-client", "acme.http.fetch:url=0,method=GET") == [
        "a.py:3 MPZ101"]


@fake
def test_output_format_key(project: Path) -> None:
    make(project, {"a.py": "FLAG\n", "mpz-lint.toml": 'output-format = "concise"\n'})
    assert run("check").stdout == "a.py:1:1: MPZ999 `FLAG` left in the code\n"
    assert run("check", "--output-format", "json").stdout.startswith("[")


# --- errors are fatal ---------------------------------------------------------------------


@fake
@pytest.mark.parametrize(("name", "text", "message"), [
    ("mpz-lint.toml", 'selct = ["MPZ999"]\n',
     "mpz-lint.toml: unknown key `selct` (did you mean `select`?)"),
    ("pyproject.toml", '[tool.mpz-lint]\nextend-exlude = ["x"]\n',
     "pyproject.toml: unknown key `extend-exlude` in [tool.mpz-lint] (did you mean `extend-exclude`?)"),
    ("pyproject.toml", '[tool.mpz_lint]\nstrict = true\n',
     "pyproject.toml: unknown table `[tool.mpz_lint]` (did you mean `[tool.mpz-lint]`?)"),
    ("mpz-lint.toml", 'strict = "yes"\n',
     'mpz-lint.toml: `strict` must be a boolean, not a string ("yes")'),
    ("mpz-lint.toml", 'select = "MPZ999"\n',
     "mpz-lint.toml: `select` must be an array of strings, not a string"),
    ("mpz-lint.toml", 'select = ["XYZ1"]\n', "mpz-lint.toml: `select`: no rule code starts with `XYZ1`"),
    ("mpz-lint.toml", 'service-account = "sometimes"\n',
     'mpz-lint.toml: `service-account` must be "auto", true or false'),
    ("mpz-lint.toml", 'company-id-expr = "company id"\n',
     "mpz-lint.toml: `company-id-expr`: not a Python expression"),
    ("mpz-lint.toml", 'exempt-endpoints = ["/rest/v1.0/me"]\n',
     "mpz-lint.toml: `exempt-endpoints`: '/rest/v1.0/me' is not `METHOD /path`"),
    ("mpz-lint.toml", '[[http-clients]]\nname = "a.get"\nurls = 0\n',
     "mpz-lint.toml: unknown key `urls` in `http-clients[1]` (did you mean `url`?)"),
    ("mpz-lint.toml", '[[http-clients]]\nurl = 0\n', "mpz-lint.toml: `http-clients[1]` needs a `name`"),
    ("mpz-lint.toml", 'output-format = "jsonl"\n',
     "mpz-lint.toml: `output-format` must be one of full, concise, json, json-lines, sarif, "
     'github, gitlab, junit, not "jsonl" (did you mean `json`?)'),
    ("mpz-lint.toml", 'per-file-ignores = { "x.py" = ["MPZ99X"] }\n',
     "mpz-lint.toml: `per-file-ignores.x.py`: no rule code starts with `MPZ99X`"),
    ("mpz-lint.toml", "strict = \n", "mpz-lint.toml: not valid TOML"),
])
def test_bad_configuration_exits_2(project: Path, name: str, text: str, message: str) -> None:
    make(project, {"a.py": "FLAG\n", name: text})
    result = run("check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("error: " + str(project / message.split(":")[0]))
    assert message.split(":", 1)[1] in result.stderr


@fake
def test_bad_override_exits_2(project: Path) -> None:
    make(project, {"a.py": "FLAG\n"})
    result = run("check", "--config", "strickt = true")
    assert result.exit_code == 2
    assert "unknown key `strickt` (did you mean `strict`?)" in result.stderr
    assert run("check", "--config", "missing.toml").exit_code == 2


# --- --show-settings ----------------------------------------------------------------------


@fake
def test_show_settings_names_each_origin(project: Path) -> None:
    make(project, {"a.py": "FLAG\n",
                   "pyproject.toml": '[tool.mpz-lint]\nignore = ["MPZ998"]\nstrict = true\n'
                                     'extend-exclude = ["gen"]\n'})
    result = run("check", "--show-settings", "--extend-exclude", "build", "--no-strict",
                  "--config", 'company-id-expr = "settings.COMPANY"')
    assert result.exit_code == 0
    config = str(project / "pyproject.toml")
    lines = result.stdout.splitlines()
    assert lines[0] == f"# config file: {config}"
    settings = {line.split(" = ")[0]: line for line in lines[1:] if " = " in line}
    assert settings["ignore"].startswith('ignore = ["MPZ998"]')
    assert settings["ignore"].endswith(f"# {config}")
    assert settings["strict"].startswith("strict = false") and settings["strict"].endswith(
        "# command line")
    assert settings["extend-exclude"].startswith('extend-exclude = ["gen", "build"]')
    assert settings["extend-exclude"].endswith(f"# {config} + command line")
    assert settings["company-id-expr"].endswith("# --config")
    assert settings["respect-gitignore"].endswith("# default")
    assert codes(run("check", "--output-format", "concise")) == ["MPZ999"]


def test_show_settings_without_a_file(project: Path) -> None:
    make(project, {"a.py": LEGACY_REQUEST})
    result = run("check", "--show-settings")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == "# config file: none"
    assert "# select is not set" in result.stdout
