"""Jupyter notebooks: code cells checked with cell positions, IPython syntax masked,
fixes written back with the rest of the JSON unchanged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from mpz_lint.model import Location
from mpz_lint.notebooks import Notebook
from tests.cli_helpers import make, run

URL = "https://app.procore.com/rest/v1.0/projects"


def notebook(*cells: tuple[str, Any]) -> dict[str, Any]:
    out = []
    for kind, source in cells:
        cell: dict[str, Any] = {"cell_type": kind, "metadata": {}, "source": source}
        if kind == "code":
            cell.update(execution_count=None, outputs=[])
        out.append(cell)
    return {"cells": out, "metadata": {"kernelspec": {"name": "python3"}}, "nbformat": 4,
            "nbformat_minor": 5}


NOTEBOOK = notebook(
    ("markdown", ["# Projects — café\n"]),
    ("code", ["%matplotlib inline\n", "import requests\n", "!pip install requests"]),
    ("code", ["for i in range(2):\n", "    %time x = 1\n", f'r = requests.get("{URL}")\n', "r?"]),
    ("code", f"%%bash\necho {URL}\n"),
    ("code", [f'files = !ls\nrequests.post("{URL}")  # noqa: MPZ101']),
)


def dump(data: dict[str, Any]) -> str:
    # nbformat's own layout.
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make(tmp_path, {"analysis.ipynb": dump(NOTEBOOK)})
    return tmp_path


def test_findings_are_shown_at_their_cell(project: Path) -> None:
    result = run("check", "--output-format", "concise")
    assert result.exit_code == 1
    assert [line.split(" `")[0].split(" Request")[0] for line in result.stdout.splitlines()] == [
        "analysis.ipynb:cell 3:3:5: MPZ101",
        "analysis.ipynb:cell 3:3:18: MPZ002",
        "analysis.ipynb:cell 5:2:15: MPZ002",
    ]


def test_json_gives_the_cell(project: Path) -> None:
    items = json.loads(run("check", "--output-format", "json").stdout)
    assert [(i["cell"], i["location"]["row"], i["location"]["column"]) for i in items] == [
        (3, 3, 5), (3, 3, 18), (5, 2, 15)]
    assert items[1]["fix"]["edits"][0]["location"] == {"row": 3, "column": 27}


def test_fix_changes_only_the_fixed_cells(project: Path) -> None:
    before = (project / "analysis.ipynb").read_text(encoding="utf-8")
    result = run("check", "--fix")
    assert result.exit_code == 1  # MPZ101 needs a company id
    after = (project / "analysis.ipynb").read_text(encoding="utf-8")
    expected = json.loads(before)
    expected["cells"][2]["source"][2] = expected["cells"][2]["source"][2].replace("app.", "api.")
    expected["cells"][4]["source"][0] = expected["cells"][4]["source"][0].replace("app.", "api.")
    assert after == dump(expected)  # byte for byte: magics, markdown, layout, non-ASCII kept
    assert run("check", "--fix").stdout.count("MPZ") == 1  # nothing more to fix


def test_other_layouts_are_kept(project: Path) -> None:
    text = json.dumps(NOTEBOOK, indent=2, ensure_ascii=True)  # no final newline
    make(project, {"analysis.ipynb": text})
    assert run("check", "--fix").exit_code == 1
    after = (project / "analysis.ipynb").read_text()
    assert after == text.replace("app.procore", "api.procore").replace(
        "echo https://api.procore", "echo https://app.procore")  # the bash cell is not Python


def test_cell_magic_cells_are_not_python(project: Path) -> None:
    parsed = Notebook.parse("n.ipynb", dump(NOTEBOOK))
    assert isinstance(parsed, Notebook)
    assert "echo" not in parsed.text
    assert "pass  # mpz-lint: masked" in parsed.text


def test_cell_location() -> None:
    parsed = Notebook.parse("n.ipynb", dump(notebook(("code", "a = 1\nb = 2"), ("markdown", "x"),
                                                     ("code", "c = 3\n"))))
    assert isinstance(parsed, Notebook)
    assert parsed.text == "a = 1\nb = 2\n# mpz-lint: cell 3\nc = 3\n"
    assert parsed.cell_location(Location(2, 3)) == (1, Location(2, 3))
    assert parsed.cell_location(Location(4, 1)) == (3, Location(1, 1))
    assert parsed.write(parsed.text) == parsed.raw


def test_a_broken_notebook_is_an_error(project: Path) -> None:
    make(project, {"broken.ipynb": "{not json", "old.ipynb": '{"worksheets": []}'})
    result = run("check", "broken.ipynb", "old.ipynb")
    assert result.exit_code == 2
    assert "error: broken.ipynb: not a valid notebook" in result.stderr
    assert "error: old.ipynb: not a valid notebook: no `cells`" in result.stderr


def test_diff_shows_the_notebook_change(project: Path) -> None:
    result = run("check", "--diff")
    assert result.exit_code == 1
    changed = [line for line in result.stdout.splitlines()
               if line.startswith(("-", "+")) and not line.startswith(("---", "+++"))]
    assert changed == [
        f'-    "r = requests.get(\\"{URL}\\")\\n",',
        f'+    "r = requests.get(\\"{URL.replace("app.", "api.")}\\")\\n",',
        f'-    "files = !ls\\nrequests.post(\\"{URL}\\")  # noqa: MPZ101"',
        f'+    "files = !ls\\nrequests.post(\\"{URL.replace("app.", "api.")}\\")  # noqa: MPZ101"',
    ]


def test_add_noqa_comments_the_cell_line(project: Path) -> None:
    assert run("check", "--add-noqa").exit_code == 0
    data = json.loads((project / "analysis.ipynb").read_text(encoding="utf-8"))
    assert data["cells"][2]["source"][2] == f'r = requests.get("{URL}")  # noqa: MPZ002, MPZ101\n'
    assert data["cells"][2]["source"][1] == "    %time x = 1\n"  # the magic came back
    assert data["cells"][4]["source"][0].endswith("# noqa: MPZ101, MPZ002")  # merged
    assert run("check").exit_code == 0
