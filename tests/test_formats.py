"""Every output format, read back with its consumer's own schema or parser; the options
around output (-o, --statistics, --show-fixes, --report, the progress bar)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from mpz_lint import cli
from tests.cli_helpers import make, run
from tests.fake_rules import fake_rules  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fake_rules")

SCHEMAS = Path(__file__).parent / "schemas"
FILES = {
    "pkg/a.py": "x = 'FLAG'\nif RISKY:\n    pass\ny = 'FLAG'  # noqa: MPZ999\n",
    "b.env": "URL=FLAG\n",
    "c.py": "clean = 1\n",
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, FILES)
    return tmp_path


def check(*args: str) -> tuple[int, str, str]:
    result = run("check", *args)
    return result.exit_code, result.stdout, result.stderr


# --- json and json-lines ------------------------------------------------------------------


def test_json_lines_are_the_json_objects(project: Path) -> None:
    code, out, err = check("--output-format", "json-lines")
    assert (code, err) == (1, "")
    lines = [json.loads(line) for line in out.splitlines()]
    assert lines == json.loads(check("--output-format", "json")[1])
    assert [(item["filename"], item["code"]) for item in lines] == [
        ("b.env", "MPZ999"), ("pkg/a.py", "MPZ999"), ("pkg/a.py", "MPZ998")]


# --- SARIF --------------------------------------------------------------------------------


def sarif_schema() -> dict[str, object]:
    # The OASIS SARIF 2.1.0 schema (errata01), vendored: tests use no network.
    schema: dict[str, object] = json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())
    return schema


def test_sarif_is_valid_against_the_schema(project: Path) -> None:
    code, out, err = check("--output-format", "sarif")
    assert (code, err) == (1, "")
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema(), cls=jsonschema.Draft4Validator)
    (sarif_run,) = log["runs"]
    assert log["version"] == "2.1.0"
    assert [rule["id"] for rule in sarif_run["tool"]["driver"]["rules"]] == [
        "MPZ999", "MPZ998", "MPZ997"]
    results = sarif_run["results"]
    assert [(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"], "suppressions" in r)
            for r in results] == [
        ("MPZ999", "b.env", 1, False),
        ("MPZ999", "pkg/a.py", 1, False),
        ("MPZ998", "pkg/a.py", 2, False),
        ("MPZ999", "pkg/a.py", 4, True),  # hidden by `# noqa`, marked as suppressed
    ]
    first = results[1]
    assert first["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 10}
    (fix,) = first["fixes"]
    assert fix["description"]["text"] == "Replace `FLAG` by `DONE`"
    (change,) = fix["artifactChanges"]
    assert change["replacements"] == [{
        "deletedRegion": {"startLine": 1, "startColumn": 6, "endLine": 1, "endColumn": 10},
        "insertedContent": {"text": "DONE"}}]
    assert results[3]["suppressions"] == [{"kind": "inSource"}]


def test_sarif_without_findings_is_valid(project: Path) -> None:
    code, out, _ = check("--output-format", "sarif", "c.py")
    assert code == 0
    log = json.loads(out)
    jsonschema.validate(log, sarif_schema(), cls=jsonschema.Draft4Validator)
    assert log["runs"][0]["results"] == []


def test_sarif_schema_rejects_a_broken_log() -> None:
    # The schema really checks: a result without a message is not SARIF.
    broken = {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}},
                                            "results": [{"ruleId": "X"}]}]}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, sarif_schema(), cls=jsonschema.Draft4Validator)


# --- GitHub, GitLab, JUnit ----------------------------------------------------------------


def test_github_annotations(project: Path) -> None:
    make(project, {"d.py": "z = 'FLAG'  # 100%, a: b\n"})
    code, out, _ = check("--output-format", "github", "pkg", "d.py")
    assert code == 1
    assert out.splitlines() == [
        "::error file=d.py,line=1,col=6,endLine=1,endColumn=10,title=MPZ999::`FLAG` left in the code",
        "::error file=pkg/a.py,line=1,col=6,endLine=1,endColumn=10,title=MPZ999::`FLAG` left in the code",
        "::error file=pkg/a.py,line=2,col=4,endLine=2,endColumn=9,title=MPZ998::`RISKY` left in the code",
    ]


def test_github_escapes_what_would_end_the_command() -> None:
    from mpz_lint.formats.github import _data, _property

    assert _data("50% done\nnext") == "50%25 done%0Anext"
    assert _property("a:b,c") == "a%3Ab%2Cc"


def test_gitlab_code_quality(project: Path) -> None:
    make(project, {"twice.py": "FLAG\nFLAG\n"})
    code, out, err = check("--output-format", "gitlab")
    assert (code, err) == (1, "")
    issues = json.loads(out)
    for issue in issues:
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert isinstance(issue["location"]["path"], str)
        assert isinstance(issue["location"]["lines"]["begin"], int)
        assert issue["severity"] in ("info", "minor", "major", "critical", "blocker")
    fingerprints = [issue["fingerprint"] for issue in issues]
    assert len(set(fingerprints)) == len(fingerprints) == 5  # identical lines stay distinct
    # Moving a finding down keeps its fingerprint.
    make(project, {"pkg/a.py": "\n\n" + FILES["pkg/a.py"]})
    moved = json.loads(check("--output-format", "gitlab")[1])
    assert {i["fingerprint"] for i in moved} == set(fingerprints)
    assert [i["location"]["lines"]["begin"] for i in moved if i["location"]["path"] == "pkg/a.py"] == [3, 4]


def test_junit_parses(project: Path) -> None:
    code, out, _ = check("--output-format", "junit")
    assert code == 1
    root = ET.fromstring(out)
    assert (root.tag, root.get("tests"), root.get("failures")) == ("testsuites", "3", "3")
    suites = {suite.get("name"): suite for suite in root.iter("testsuite")}
    assert set(suites) == {"b.env", "pkg/a.py"}
    cases = suites["pkg/a.py"].findall("testcase")
    assert [(c.get("name"), c.get("line"), c.get("column")) for c in cases] == [
        ("org.mpz-lint.MPZ999", "1", "6"), ("org.mpz-lint.MPZ998", "2", "4")]
    failure = cases[0].find("failure")
    assert failure is not None and failure.get("message") == "`FLAG` left in the code"


def test_junit_clean_run_is_one_passing_case(project: Path) -> None:
    code, out, _ = check("--output-format", "junit", "c.py")
    assert code == 0
    root = ET.fromstring(out)
    (case,) = root.iter("testcase")
    assert case.find("failure") is None and root.get("failures") == "0"


# --- -o, --statistics, --show-fixes, the summary ------------------------------------------


def test_output_file(project: Path) -> None:
    code, out, err = check("--output-format", "json", "-o", "report.json")
    assert (code, out) == (1, "")
    assert len(json.loads((project / "report.json").read_text())) == 3
    assert err == "Found 3 errors in 2 of 3 files.\n[*] 2 fixable with --fix.\n" \
                  "(1 hidden fix can be enabled with --unsafe-fixes)\n"


def test_statistics(project: Path) -> None:
    make(project, {"d.py": "FLAG RISKY RISKY RISKY\n"})
    code, out, _ = check("--statistics")
    assert code == 1
    assert out == ("4\tMPZ998\t[ ] risky-word\n"
                   "3\tMPZ999\t[*] flag-word\n")
    assert check("--statistics", "--unsafe-fixes")[1].splitlines()[0] == "4\tMPZ998\t[*] risky-word"
    assert json.loads(check("--statistics", "--output-format", "json")[1]) == [
        {"code": "MPZ998", "name": "risky-word", "count": 4, "fixable": False, "fixable_count": 0},
        {"code": "MPZ999", "name": "flag-word", "count": 3, "fixable": True, "fixable_count": 3},
    ]


def test_statistics_counts_partly_fixable_rules() -> None:
    from mpz_lint.engine import FileResult
    from mpz_lint.model import Applicability, Diagnostic, Edit, Fix, Location
    from mpz_lint.output import statistics
    from mpz_lint.sources import SourceFile

    at = Location(1, 1)
    fix = Fix((Edit(at, at, "y"),), Applicability.SAFE, "fix it")
    plain = Diagnostic("MPZ999", "m", "x.py", at, at)
    fixable = Diagnostic("MPZ999", "m", "x.py", at, at, fix)
    result = FileResult(SourceFile("x.py", "x\n"), diagnostics=[plain, fixable])
    assert statistics([result]) == "2\tMPZ999\t[*] flag-word (1 fixable)\n"


def test_show_fixes_lists_what_was_fixed(project: Path) -> None:
    code, out, err = check("--fix", "--show-fixes")
    assert code == 1
    assert out.endswith("Fixed 2 errors:\n- b.env:\n    1 × MPZ999 (flag-word)\n"
                        "- pkg/a.py:\n    1 × MPZ999 (flag-word)\n")
    assert "(2 fixed, 1 remaining)" in err


def test_show_fixes_in_check_shows_the_change(project: Path) -> None:
    out = check("--show-fixes", "b.env")[1]
    assert out == ("b.env:1:5: MPZ999 `FLAG` left in the code\n"
                   "  URL=FLAG\n"
                   "      ^^^^\n"
                   "  help: Replace `FLAG` by `DONE`\n"
                   "  - URL=FLAG\n"
                   "  + URL=DONE\n")


def test_machine_formats_print_no_summary(project: Path) -> None:
    for output_format in ("json", "json-lines", "sarif", "gitlab", "junit"):
        assert check("--output-format", output_format)[2] == "", output_format
    assert check("--output-format", "github")[2].startswith("Found 3 errors")


# --- the migration report -----------------------------------------------------------------


def test_report_after_a_fix(project: Path) -> None:
    make(project, {"pkg/d.py": "STRICT\n"})
    code, _, _ = check("--fix", "--strict", "--report", "out/report.md")
    assert code == 1
    report = (project / "out" / "report.md").read_text()
    assert report.startswith("# mpz-lint migration report\n\n- Files checked: 4\n"
                             "- Fixed: 2 (2 safe, 0 unsafe)\n- Left for a person: 2 in 2 files\n")
    assert "## pkg/a.py\n\nFixed:\n\n- [pkg/a.py:1](../pkg/a.py#L1) MPZ999 flag-word (safe):" in report
    assert ("- [pkg/a.py:2](../pkg/a.py#L2) MPZ998 risky-word: `RISKY` left in the code "
            "(unsafe fix not applied: review, then `--fix --unsafe-fixes`") in report
    assert ("- [pkg/d.py:1](../pkg/d.py#L1) MPZ997 strict-word: `STRICT` left in the code "
            "(no automatic fix: needs a decision)") in report
    assert "| MPZ997 strict-word | 1 |" in report


def test_report_of_a_check(project: Path) -> None:
    check("--report", "report.md")
    report = (project / "report.md").read_text()
    assert "- Fixed: 0 (0 safe, 0 unsafe)" in report
    assert "- Fixable with `--fix`: 2" in report
    assert "- [b.env:1](b.env#L1) MPZ999 flag-word: `FLAG` left in the code (fixable:" in report


# --- the progress bar ---------------------------------------------------------------------


def test_progress_bar_only_on_a_terminal_for_long_runs(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "Checking" not in check()[2]  # not a terminal
    monkeypatch.setattr(cli, "_progress_wanted", lambda: True)
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 3600.0)
    assert "Checking" not in check()[2]  # a quick run
    monkeypatch.setattr(cli, "PROGRESS_DELAY", 0.0)
    code, out, err = check("--output-format", "json")
    assert "Checking" in err and "Checking" not in out
    json.loads(out)  # stdout stays machine-readable


def test_progress_is_never_wanted_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr("sys.stderr", Terminal())
    monkeypatch.setenv("CI", "true")
    assert not cli._progress_wanted()
    monkeypatch.delenv("CI")
    assert cli._progress_wanted()
