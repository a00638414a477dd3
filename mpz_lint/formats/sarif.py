"""SARIF 2.1.0, valid against the OASIS schema (the tests check it).

One run; every rule is described in `tool.driver.rules` (its documentation as help);
each result has its region, a `fixes` entry when it has a fix (the edits as
replacements), and a stable `partialFingerprints` entry. Findings hidden by `# noqa`
are results too, with an in-source suppression, as code scanning expects. Columns are
counted in Unicode code points (`columnKind`), as mpz-lint counts them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from mpz_lint import __version__, engine
from mpz_lint.baseline import fingerprint
from mpz_lint.engine import FileResult
from mpz_lint.model import Location
from mpz_lint.output import Notebooks, Shown, shown

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def format_sarif(results: Sequence[FileResult], notebooks: Notebooks) -> str:
    rules = engine.all_rules()
    rule_index = {rule.code: number for number, rule in enumerate(rules)}
    descriptors = []
    for rule in rules:
        documentation = rule.documentation()
        descriptors.append({
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary()},
            "fullDescription": {"text": documentation},
            "help": {"text": documentation, "markdown": documentation},
            "defaultConfiguration": {"enabled": rule.default_enabled, "level": "error"},
            "properties": {"fix": rule.fix_description()},
        })
    items = [_result(item, rule_index, notebooks) for item in shown(results, notebooks,
                                                                    suppressed=True)]
    root = Path(os.getcwd()).as_uri().rstrip("/") + "/"
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "mpz-lint",
                "version": __version__,
                "informationUri": "https://pypi.org/project/mpz-lint/",
                "rules": descriptors,
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": root}},
            "columnKind": "unicodeCodePoints",
            "results": items,
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    return quote(path.replace(os.sep, "/"))


def _region(start: Location, end: Location) -> dict[str, int]:
    return {"startLine": start.row, "startColumn": start.column,
            "endLine": end.row, "endColumn": end.column}


def _result(item: Shown, rule_index: dict[str, int], notebooks: Notebooks) -> dict[str, Any]:
    diagnostic = item.diagnostic
    artifact = {"uri": _uri(item.path), "uriBaseId": SRCROOT}
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "level": "error",
        "message": {"text": diagnostic.message},
        "locations": [{"physicalLocation": {
            "artifactLocation": artifact,
            "region": _region(item.location, item.end_location),
        }}],
        "partialFingerprints": {"mpzLint/v1": fingerprint(diagnostic, item.index)},
    }
    if diagnostic.code in rule_index:
        result["ruleIndex"] = rule_index[diagnostic.code]
    if diagnostic.fix is not None:
        replacements = []
        for edit in diagnostic.fix.edits:
            start, end = item.edit_place(edit, notebooks)
            replacements.append({"deletedRegion": _region(start, end),
                                 "insertedContent": {"text": edit.content}})
        result["fixes"] = [{
            "description": {"text": diagnostic.fix.message},
            "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
            "properties": {"applicability": diagnostic.fix.applicability.value},
        }]
    if item.suppressed:
        result["suppressions"] = [{"kind": "inSource"}]
    if item.cell is not None:
        result["properties"] = {"cell": item.cell}
    return result
