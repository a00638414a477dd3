"""JUnit XML, as ruff writes it: a test suite per file with findings, a failing test case
per finding; a clean run is one passing test case."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence
from itertools import groupby

from mpz_lint.engine import FileResult
from mpz_lint.output import Notebooks, shown


def format_junit(results: Sequence[FileResult], notebooks: Notebooks) -> str:
    items = shown(results, notebooks)
    root = ET.Element("testsuites", name="mpz-lint", tests=str(max(len(items), 1)),
                      failures=str(len(items)), errors="0")
    if not items:
        suite = ET.SubElement(root, "testsuite", name="mpz-lint", tests="1", disabled="0",
                              errors="0", failures="0", package="org.mpz-lint")
        ET.SubElement(suite, "testcase", name="No errors found")
    for path, group in groupby(items, key=lambda item: item.path):
        found = list(group)
        suite = ET.SubElement(root, "testsuite", name=path, tests=str(len(found)), disabled="0",
                              errors="0", failures=str(len(found)), package="org.mpz-lint")
        for item in found:
            case = ET.SubElement(suite, "testcase", name=f"org.mpz-lint.{item.diagnostic.code}",
                                 classname=path, line=str(item.location.row),
                                 column=str(item.location.column))
            cell = f"cell {item.cell}, " if item.cell is not None else ""
            failure = ET.SubElement(case, "failure", message=item.diagnostic.message)
            failure.text = (f"{cell}line {item.location.row}, col {item.location.column}, "
                            f"{item.diagnostic.message}")
    ET.indent(root, space="    ")
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
