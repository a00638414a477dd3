"""Configuration files and the command line, merged into the Settings of a run.

As ruff: `[tool.mpz-lint]` in `pyproject.toml`, or the top-level keys of `mpz-lint.toml`
or `.mpz-lint.toml`, the first found from the checked paths upward (in one folder
`.mpz-lint.toml` wins over `mpz-lint.toml`, which wins over `pyproject.toml`; a
`pyproject.toml` without the table is passed over). `--config PATH` names the file;
`--config 'KEY = VALUE'` overrides one key; `--isolated` reads no file. The dedicated
flags win over `--config` overrides, which win over the file.

Layers merge key by key: a later layer's value replaces an earlier one, except the
`extend-*` keys and `ignore`, which add up (a later `select` starts the rule selection
afresh, dropping earlier `ignore` and `extend-select`, as in ruff). Globs and
per-file-ignores in a file are relative to that file's folder.

Failing to load a configuration is fatal: unknown keys and wrong types raise ConfigError
naming the file, the key and the closest valid key.
"""

from __future__ import annotations

import difflib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from mpz_lint.settings import HttpClientSetting, PerFileIgnore, ServiceAccountMode, Settings

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python < 3.11
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

CONFIG_NAMES = (".mpz-lint.toml", "mpz-lint.toml", "pyproject.toml")
TOOL_TABLE = "mpz-lint"
OUTPUT_FORMATS = ("full", "concise", "json", "json-lines", "sarif", "github", "gitlab", "junit")
DEFAULT_ORIGIN = "default"
CLI_ORIGIN = "command line"


class ConfigError(Exception):
    """A configuration that cannot be used; the message names the file and the key."""


# --- what each key accepts ----------------------------------------------------------------


def _type_name(value: object) -> str:
    return {bool: "a boolean", int: "an integer", float: "a float", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _expect(where: str, key: str, value: object, expected: str, ok: bool) -> None:
    if not ok:
        raise ConfigError(f"{where}: `{key}` must be {expected}, not {_type_name(value)} "
                          f"({_show(value)})")


def _string_list(where: str, key: str, value: object) -> list[str]:
    _expect(where, key, value, "an array of strings",
            isinstance(value, list) and all(isinstance(item, str) for item in value))
    assert isinstance(value, list)
    return list(value)


def _check_codes(where: str, key: str, value: object, known: Sequence[str]) -> list[str]:
    codes = [code.strip().upper() for code in _string_list(where, key, value)]
    for code in codes:
        # A typo must not silently select nothing and give a green run.
        if code != "ALL" and not any(rule.startswith(code) for rule in known):
            close = difflib.get_close_matches(code, known, n=1)
            hint = f" (did you mean `{close[0]}`?)" if close else ""
            raise ConfigError(f"{where}: `{key}`: no rule code starts with `{code}`{hint}")
    return codes


def _check_bool(where: str, key: str, value: object, known: Sequence[str]) -> bool:
    _expect(where, key, value, "a boolean", isinstance(value, bool))
    return bool(value)


def _check_globs(where: str, key: str, value: object, known: Sequence[str]) -> list[str]:
    return _string_list(where, key, value)


def _check_service_account(where: str, key: str, value: object, known: Sequence[str]) -> object:
    _expect(where, key, value, '"auto", true or false', isinstance(value, bool) or value == "auto")
    return value


def _check_expression(where: str, key: str, value: object, known: Sequence[str]) -> str:
    _expect(where, key, value, "a string", isinstance(value, str))
    assert isinstance(value, str)
    from mpz_lint.settings import parse_company_id_expr

    try:
        parse_company_id_expr(value)
    except ValueError as exc:
        raise ConfigError(f"{where}: `{key}`: {exc}") from None
    return value


def _check_endpoints(where: str, key: str, value: object, known: Sequence[str]) -> list[str]:
    from mpz_lint.knowledge import parse_exempt_endpoint

    endpoints = _string_list(where, key, value)
    for endpoint in endpoints:
        try:
            parse_exempt_endpoint(endpoint)
        except ValueError as exc:
            raise ConfigError(f"{where}: `{key}`: {exc}") from None
    return endpoints


HTTP_CLIENT_KEYS = ("name", "url", "method", "headers")


def _check_http_clients(where: str, key: str, value: object,
                        known: Sequence[str]) -> list[dict[str, Any]]:
    _expect(where, key, value, "an array of tables",
            isinstance(value, list) and all(isinstance(item, dict) for item in value))
    assert isinstance(value, list)
    for number, client in enumerate(value, start=1):
        place = f"{key}[{number}]"
        for name in client:
            if name not in HTTP_CLIENT_KEYS:
                raise ConfigError(f"{where}: unknown key `{name}` in `{place}`"
                                  f"{_hint(name, HTTP_CLIENT_KEYS)}")
        if not isinstance(client.get("name"), str) or not client["name"]:
            raise ConfigError(f"{where}: `{place}` needs a `name` (the qualified name of the "
                              "function or method, e.g. \"acme.http.get\")")
        for name in ("url", "method", "headers"):
            if name in client:
                item = client[name]
                _expect(where, f"{place}.{name}", item, "a position (integer) or a keyword (string)",
                        isinstance(item, (int, str)) and not isinstance(item, bool))
    return [dict(client) for client in value]


def _check_per_file_ignores(where: str, key: str, value: object,
                            known: Sequence[str]) -> dict[str, list[str]]:
    _expect(where, key, value, "a table of globs to arrays of codes", isinstance(value, dict))
    assert isinstance(value, dict)
    return {glob: _check_codes(where, f"{key}.{glob}", codes, known) for glob, codes in value.items()}


def _check_output_format(where: str, key: str, value: object, known: Sequence[str]) -> str:
    _expect(where, key, value, "a string", isinstance(value, str))
    if value not in OUTPUT_FORMATS:
        raise ConfigError(f"{where}: `{key}` must be one of {', '.join(OUTPUT_FORMATS)}, not "
                          f"{_show(value)}{_hint(str(value), OUTPUT_FORMATS)}")
    return str(value)


def _check_jobs(where: str, key: str, value: object, known: Sequence[str]) -> int:
    _expect(where, key, value, "a positive integer (processes)",
            isinstance(value, int) and not isinstance(value, bool) and value >= 1)
    assert isinstance(value, int)
    return value


def _check_path(where: str, key: str, value: object, known: Sequence[str]) -> str:
    _expect(where, key, value, "a path (string)", isinstance(value, str) and bool(value))
    return str(value)


Checker = Callable[[str, str, object, Sequence[str]], Any]

# Every key, in the order `--show-settings` prints them, with its check and default.
KEYS: dict[str, tuple[Checker, Any]] = {
    "select": (_check_codes, None),
    "extend-select": (_check_codes, []),
    "ignore": (_check_codes, []),
    "per-file-ignores": (_check_per_file_ignores, {}),
    "exclude": (_check_globs, []),
    "extend-exclude": (_check_globs, []),
    "respect-gitignore": (_check_bool, True),
    "force-exclude": (_check_bool, False),
    "strict": (_check_bool, False),
    "service-account": (_check_service_account, "auto"),
    "company-id-expr": (_check_expression, None),
    "exempt-endpoints": (_check_endpoints, None),
    "extend-exempt-endpoints": (_check_endpoints, []),
    "http-clients": (_check_http_clients, []),
    "output-format": (_check_output_format, "full"),
    "jobs": (_check_jobs, None),  # None: one process per core
    "cache": (_check_bool, True),
    "cache-dir": (_check_path, None),  # None: .mpz_lint_cache beside the config file
}
# Keys whose values add up over the layers instead of replacing each other.
EXTENDING = ("extend-select", "ignore", "extend-exclude", "extend-exempt-endpoints")


def _hint(key: str, valid: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(valid), n=1, cutoff=0.5)
    return f" (did you mean `{close[0]}`?)" if close else ""


def _show(value: object) -> str:
    return _toml_value(value) if value is not None else "unset"


# --- layers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layer:
    """The keys one source sets: a file, a `--config` override or the command line.
    `root` is the folder the layer's relative globs are relative to (None: as given)."""

    origin: str
    values: dict[str, Any]
    root: Path | None = None


def validate(where: str, table: dict[str, Any], known: Sequence[str], *,
             context: str = "") -> dict[str, Any]:
    """The checked values of `table`; raises ConfigError for an unknown key or a bad value."""
    checked: dict[str, Any] = {}
    for key, value in table.items():
        if key not in KEYS:
            raise ConfigError(f"{where}: unknown key `{key}`{context}{_hint(key, KEYS)}")
        checker, _ = KEYS[key]
        checked[key] = checker(where, key, value, known)
    return checked


def read_config_file(path: Path, known: Sequence[str]) -> Layer | None:
    """The layer of the config file at `path`; None for a pyproject.toml without
    `[tool.mpz-lint]`. Raises ConfigError if it cannot be read or is not valid."""
    where = str(path)
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except OSError as exc:
        from mpz_lint.files import os_error_reason

        raise ConfigError(f"{where}: cannot read: {os_error_reason(exc)}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: cannot decode as utf-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML ({exc})") from None
    root = Path(os.path.abspath(path)).parent
    if path.name == "pyproject.toml":
        tool = data.get("tool", {})
        table = tool.get(TOOL_TABLE) if isinstance(tool, dict) else None
        if table is None:
            close = _misspelt_table(tool) if isinstance(tool, dict) else None
            if close is not None:
                raise ConfigError(f"{where}: unknown table `[tool.{close}]` (did you mean "
                                  f"`[tool.{TOOL_TABLE}]`?)")
            return None
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: `tool.{TOOL_TABLE}` must be a table")
        return Layer(where, validate(where, table, known, context=f" in [tool.{TOOL_TABLE}]"), root)
    return Layer(where, validate(where, data, known), root)


def find_config_file(start: Path) -> Path | None:
    """The config file that governs `start` (a folder): the first found upward."""
    folder = Path(os.path.abspath(start))
    for candidate in [folder, *folder.parents]:
        for name in CONFIG_NAMES:
            path = candidate / name
            if path.is_file():
                if name != "pyproject.toml" or _has_tool_table(path):
                    return path
    return None


def _has_tool_table(path: Path) -> bool:
    """Whether a pyproject.toml configures mpz-lint (or means to, with a misspelt table)."""
    try:
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError:
        return False
    if "mpz" not in text.lower():  # a cheap look first
        return False
    try:
        tool = tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
        return True  # it may mean to configure us: let reading it report the error
    return isinstance(tool, dict) and (TOOL_TABLE in tool or _misspelt_table(tool) is not None)


def _misspelt_table(tool: dict[str, Any]) -> str | None:
    close = difflib.get_close_matches(TOOL_TABLE, [str(name) for name in tool], n=1, cutoff=0.75)
    return close[0] if close else None


def search_start(paths: Sequence[str], cwd: Path) -> Path:
    """The folder the config search starts from: the deepest folder holding all `paths`."""
    if not paths:
        return cwd
    folders = []
    for given in paths:
        full = Path(os.path.abspath(cwd / given))
        folders.append(str(full if full.is_dir() else full.parent))
    try:
        return Path(os.path.commonpath(folders))
    except ValueError:  # different drives
        return cwd


def override_layer(text: str, known: Sequence[str]) -> Layer:
    """The layer of one `--config 'KEY = VALUE'` argument."""
    where = f"--config {text!r}"
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: neither a file nor a `KEY = VALUE` TOML pair ({exc})") from None
    return Layer("--config", validate(where, table, known), None)


def is_config_path(argument: str, cwd: Path) -> bool:
    """Whether a `--config` argument names a file (else it is a `KEY = VALUE` override)."""
    return "=" not in argument or argument.endswith(".toml") and (cwd / argument).is_file()


# --- merging ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Resolved:
    """The settings of a run, and for each key the value in effect and where it came from."""

    settings: Settings
    output_format: str
    config_file: Path | None
    values: dict[str, Any] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    jobs: int | None = None  # how the run goes, not what it finds: not in Settings
    cache: bool = True
    cache_dir: str | None = None

    def show(self) -> str:
        """`--show-settings`: every key as TOML, with where its value came from."""
        entries = [(f"{key} = {_toml_value(self.values[key])}" if self.values[key] is not None
                    else f"# {key} is not set", self.origins[key]) for key in KEYS]
        width = max(len(line) for line, _ in entries)
        lines = [f"# config file: {self.config_file or 'none'}"]
        lines += [f"{line:<{width}}  # {origin}" for line, origin in entries]
        return "\n".join(lines) + "\n"


def merge(layers: Sequence[Layer]) -> Resolved:
    """Merge `layers` (lowest precedence first) into the settings of a run."""
    values: dict[str, Any] = {key: default for key, (_, default) in KEYS.items()}
    origins: dict[str, list[str]] = {key: [DEFAULT_ORIGIN] for key in KEYS}
    resolved: dict[str, Any] = {key: _resolve(key, default, None) for key, (_, default) in KEYS.items()}
    for layer in layers:
        if "select" in layer.values:
            for key in ("ignore", "extend-select"):
                values[key], resolved[key], origins[key] = [], [], [DEFAULT_ORIGIN]
        for key, value in layer.values.items():
            converted = _resolve(key, value, layer.root)
            if key in EXTENDING:
                values[key] = [*values[key], *value]
                resolved[key] = [*resolved[key], *converted]
                origins[key] = [*(o for o in origins[key] if o != DEFAULT_ORIGIN), layer.origin]
            else:
                values[key], resolved[key], origins[key] = value, converted, [layer.origin]
    config_file = next((Path(layer.origin) for layer in layers
                        if layer.origin not in ("--config", CLI_ORIGIN)), None)
    settings = Settings(
        select=None if resolved["select"] is None else tuple(resolved["select"]),
        ignore=tuple(resolved["ignore"]),
        extend_select=tuple(resolved["extend-select"]),
        per_file_ignores=tuple(resolved["per-file-ignores"]),
        exclude=tuple(resolved["exclude"]),
        extend_exclude=tuple(resolved["extend-exclude"]),
        respect_gitignore=resolved["respect-gitignore"],
        force_exclude=resolved["force-exclude"],
        strict=resolved["strict"],
        service_account=resolved["service-account"],
        company_id_expr=resolved["company-id-expr"],
        exempt_endpoints=(None if resolved["exempt-endpoints"] is None
                          else tuple(resolved["exempt-endpoints"])),
        extend_exempt_endpoints=tuple(resolved["extend-exempt-endpoints"]),
        http_clients=tuple(resolved["http-clients"]),
    )
    return Resolved(settings, values["output-format"], config_file, values,
                    {key: " + ".join(origin) for key, origin in origins.items()},
                    jobs=resolved["jobs"], cache=resolved["cache"], cache_dir=resolved["cache-dir"])


def _resolve(key: str, value: Any, root: Path | None) -> Any:
    """A checked value in the form Settings takes."""
    if value is None:
        return None
    if key in ("exclude", "extend-exclude"):
        return [_anchor(glob, root) for glob in value]
    if key == "cache-dir":
        return str(root / value) if root is not None and not Path(value).is_absolute() else value
    if key == "per-file-ignores":
        return [PerFileIgnore(_anchor(glob, root), tuple(codes)) for glob, codes in value.items()]
    if key == "service-account":
        mode: ServiceAccountMode = "auto" if value == "auto" else ("yes" if value else "no")
        return mode
    if key == "http-clients":
        return [HttpClientSetting(**client) for client in value]
    return value


def _anchor(glob: str, root: Path | None) -> str:
    """A config file's glob with a `/` is relative to the file's folder, as in ruff."""
    if root is None or "/" not in glob.replace("\\", "/") or os.path.isabs(glob):
        return glob
    return os.path.join(str(root), glob.removeprefix("./"))


def resolve(
    paths: Sequence[str], cwd: Path, known: Sequence[str], *, config_args: Sequence[str] = (),
    isolated: bool = False, cli_values: dict[str, Any] | None = None,
) -> Resolved:
    """Settings for checking `paths`: the config file (found, or named by `--config`),
    then `--config` overrides, then the command line's own flags."""
    layers: list[Layer] = []
    files = [arg for arg in config_args if is_config_path(arg, cwd)]
    overrides = [arg for arg in config_args if not is_config_path(arg, cwd)]
    if len(files) > 1:
        raise ConfigError("--config: only one configuration file can be given")
    if files and isolated:
        raise ConfigError("--config: a configuration file cannot be used with --isolated")
    if files:
        path = cwd / files[0]
        if not path.is_file():
            raise ConfigError(f"--config: no such file: {files[0]}")
        layer = read_config_file(path, known)
        if layer is None:
            raise ConfigError(f"{path}: no [tool.{TOOL_TABLE}] table")
        layers.append(layer)
    elif not isolated:
        found = find_config_file(search_start(paths, cwd))
        if found is not None:
            layer = read_config_file(found, known)
            if layer is not None:
                layers.append(layer)
    layers.extend(override_layer(text, known) for text in overrides)
    if cli_values:
        layers.append(Layer(CLI_ORIGIN, validate(CLI_ORIGIN, cli_values, known), None))
    return merge(layers)


# --- TOML values for --show-settings ------------------------------------------------------


def _toml_value(value: object) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a TOML basic string as well
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, dict):
        items = ", ".join(f"{_toml_key(k)} = {_toml_value(v)}" for k, v in value.items())
        return "{ " + items + " }" if items else "{}"
    return json.dumps(str(value))


def _toml_key(key: str) -> str:
    import re

    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_value(key)
