"""GitHub Actions workflow commands: one `::error` annotation per finding.

    ::error file=app.py,line=3,col=14,endLine=3,endColumn=37,title=MPZ002::message

Values are escaped as the runner's own toolkit does (`%`, CR, LF everywhere; `:` and `,`
in properties too), so a message can never end the command early.
"""

from __future__ import annotations

from collections.abc import Sequence

from mpz_lint.engine import FileResult
from mpz_lint.output import Notebooks, shown


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def format_github(results: Sequence[FileResult], notebooks: Notebooks) -> str:
    lines = []
    for item in shown(results, notebooks):
        diagnostic = item.diagnostic
        properties = ",".join((
            f"file={_property(item.path)}",
            f"line={item.location.row}",
            f"col={item.location.column}",
            f"endLine={item.end_location.row}",
            f"endColumn={item.end_location.column}",
            f"title={_property(diagnostic.code)}",
        ))
        cell = f"cell {item.cell}: " if item.cell is not None else ""
        lines.append(f"::error {properties}::{_data(cell + diagnostic.message)}")
    return "".join(line + "\n" for line in lines)
