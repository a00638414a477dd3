"""Jupyter notebooks: their code cells checked as one Python module, fixes written back.

The code cells are joined into one Python text, each after a separator comment line, so
the engine checks them like any module (a name defined in one cell is known in the
next). IPython syntax that is not Python (line magics `%time`, cell magics `%%bash`,
shell lines `!pip`, `x = !ls`, help `obj?`) is masked by a `pass` line that names the
masked line, so parsing works and the original comes back on writing. Positions are
shown relative to their cell (`cell 3:2:5`, cells numbered as the notebook shows them,
markdown cells included). Written back, only the changed cells' sources change; the
JSON keeps its layout whenever it is one `json.dumps` can reproduce (nbformat's is).
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field
from typing import Any

from mpz_lint.model import FileError, Location
from mpz_lint.sources import SourceFile

NOTEBOOK_SUFFIX = ".ipynb"
_SEPARATOR = "# mpz-lint: cell {}\n"
_SEPARATOR_LINE = re.compile(r"^# mpz-lint: cell (\d+)\r?\n", re.MULTILINE)
_MASK = "{indent}pass  # mpz-lint: masked {number}"
_MASKED_LINE = re.compile(r"^[ \t]*pass  # mpz-lint: masked (\d+)$")
# IPython lines that are not Python: magics, shell escapes, help, and assignments of them.
_MAGIC = re.compile(r"^\s*(?:[%!?]|[\w.]+\s*=\s*[%!])|^[^#]*\?\s*$")


def is_notebook(path: str) -> bool:
    return path.lower().endswith(NOTEBOOK_SUFFIX)


@dataclass
class _Cell:
    number: int  # 1-based, among all cells
    index: int  # position in the notebook's `cells`
    text: str  # the original source
    first_row: int = 0  # its first row in the joined text
    masked: dict[int, str] = field(default_factory=dict)  # mask number -> original line


@dataclass
class Notebook:
    """A parsed notebook: the joined, masked Python text and the way back to the JSON."""

    path: str
    raw: str
    data: dict[str, Any]
    cells: list[_Cell]
    text: str

    @classmethod
    def parse(cls, path: str, raw: str) -> Notebook | FileError:
        """The notebook in the JSON text `raw`, or why it cannot be read."""
        try:
            data = json.loads(raw)
        except json.JSONDecodeError as exc:
            return FileError(path, f"not a valid notebook: {exc.msg} at line {exc.lineno}")
        except (RecursionError, ValueError):
            return FileError(path, "not a valid notebook: nested too deeply")
        if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
            return FileError(path, "not a valid notebook: no `cells` (nbformat 4 is needed)")
        cells: list[_Cell] = []
        parts: list[str] = []
        row = 1
        masks = 0
        for index, cell in enumerate(data["cells"]):
            if not isinstance(cell, dict) or cell.get("cell_type") != "code":
                continue
            source = cell.get("source", "")
            if isinstance(source, list) and not all(isinstance(s, str) for s in source):
                return FileError(path, f"not a valid notebook: cell {index + 1} has a source "
                                       "that is not text")
            text = "".join(source) if isinstance(source, list) else str(source)
            entry = _Cell(index + 1, index, text)
            if parts:
                parts.append(_SEPARATOR.format(entry.number))
                row += 1
            entry.first_row = row
            masked, masks = _mask(text, entry, masks)
            if not masked.endswith("\n"):
                masked += "\n"
            parts.append(masked)
            row += masked.count("\n")
            cells.append(entry)
        return cls(path, raw, data, cells, "".join(parts))

    def source(self) -> SourceFile:
        return SourceFile(path=self.path, text=self.text, kind="python")

    def cell_location(self, location: Location) -> tuple[int, Location]:
        """The cell number and the position inside the cell of a position in the text."""
        if not self.cells:
            return 1, location
        starts = [cell.first_row for cell in self.cells]
        cell = self.cells[max(bisect.bisect_right(starts, location.row) - 1, 0)]
        return cell.number, Location(max(location.row - cell.first_row + 1, 1), location.column)

    def write(self, fixed_text: str) -> str:
        """The notebook's JSON text with the code cells of `fixed_text` (the joined text
        after fixes) put back; the original text if nothing changed."""
        chunks = _SEPARATOR_LINE.split(fixed_text)
        # split() gives [cell 1, number, cell, number, cell, ...].
        texts = [chunks[0], *chunks[2::2]]
        if len(texts) != len(self.cells):
            raise ValueError("the cell separators did not survive the fixes")
        originals = {mask: line for cell in self.cells for mask, line in cell.masked.items()}
        changed = False
        for cell, text in zip(self.cells, texts):
            lines = text.splitlines(keepends=True)
            for position, line in enumerate(lines):
                body = line.rstrip("\r\n")
                match = _MASKED_LINE.match(body)
                if match is not None:
                    lines[position] = originals[int(match.group(1))] + line[len(body):]
            restored = "".join(lines)
            if not cell.text.endswith("\n") and restored.endswith("\n"):
                restored = restored[:-1]
            if restored != cell.text:
                changed = True
                entry = self.data["cells"][cell.index]
                source = entry.get("source")
                entry["source"] = (_regroup(source, restored) if isinstance(source, list)
                                   else restored)
        if not changed:
            return self.raw
        return _dump_like(self.data, self.raw)


def _regroup(items: list[str], text: str) -> list[str]:
    """`text` as a source list shaped like `items`: one line per item as Jupyter writes
    it, or, for a list grouped otherwise, the same grouping when the line count allows."""
    lines = text.splitlines(keepends=True)
    sizes = [len(str(item).splitlines(keepends=True)) for item in items]
    if all(size == 1 for size in sizes) or sum(sizes) != len(lines):
        return lines
    grouped: list[str] = []
    for size in sizes:
        grouped.append("".join(lines[:size]))
        lines = lines[size:]
    return grouped


def _mask(text: str, cell: _Cell, masks: int) -> tuple[str, int]:
    lines = text.splitlines(keepends=True)
    whole_cell = bool(lines) and lines[0].lstrip().startswith("%%")
    out: list[str] = []
    for line in lines:
        body = line.rstrip("\r\n")
        if whole_cell or _MAGIC.match(body):
            masks += 1
            cell.masked[masks] = body
            indent = "" if whole_cell else body[:len(body) - len(body.lstrip())]
            out.append(_MASK.format(indent=indent, number=masks) + line[len(body):])
        else:
            out.append(line)
    return "".join(out), masks


def _dump_like(data: dict[str, Any], raw: str) -> str:
    """`data` as JSON in the layout of `raw`, if json.dumps can reproduce that layout."""
    newline = "\n" if raw.endswith("\n") else ""
    original = json.loads(raw)
    for indent in (1, 2, 4, None):
        for ensure_ascii in (False, True):
            if json.dumps(original, indent=indent, ensure_ascii=ensure_ascii) + newline == raw:
                return json.dumps(data, indent=indent, ensure_ascii=ensure_ascii) + newline
    # nbformat's own layout.
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"
