"""String values of configuration files, each with the exact place of its source text.

mpz-lint checks `.env`, ini/cfg, YAML, JSON and TOML files for legacy Procore hosts and
fixes them in place, keeping every other byte. Library parsers return values without
positions, so this module reads each format with a small scanner of its own and returns
every scalar string value with its key, its key path and its character offsets into the
text. It never raises on malformed input: it returns the values it could read.

The readers follow what real projects' tools do (python-dotenv, configparser, PyYAML,
json, tomllib) closely enough to find and place values; they are not validators.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class ConfigValue:
    """One scalar string value of a configuration file.

    `key` is the name the value is bound to: the innermost key for nested keys, the key of
    the list for list items, None when there is none. `path` is the full key path (list
    indices are not part of it). `text[start:end]` is the raw source of the value's content,
    inside the quotes if it is quoted. `exact` says that raw source equals `value` (no
    escapes, no line folding), so an edit of a substring of the raw text is the same edit
    of the value.
    """

    key: str | None
    path: tuple[str, ...]
    value: str
    start: int
    end: int
    exact: bool


def extract_values(text: str, path: str) -> list[ConfigValue]:
    """Every scalar string value of `text`, in source order, read as the format `path` names.

    The format comes from the file name: `.env`, `.env.*`, `*.env` (dotenv), `*.ini`,
    `*.cfg`, `*.yaml`, `*.yml`, `*.json`, `*.toml`. Other names give []. Numbers, booleans
    and nulls are left out. Malformed input gives the values read before the damage.
    """
    reader = _READERS.get(_format_of(path))
    return reader(text) if reader is not None else []


def env_assignments(text: str) -> dict[str, ConfigValue]:
    """KEY -> value of a `.env` style text; when a key is assigned twice the last one wins."""
    return {item.path[0]: item for item in _read_dotenv(text)}


def _format_of(path: str) -> str:
    name = posixpath.basename(path.replace("\\", "/")).lower()
    if name == ".env" or name.startswith(".env.") or name.endswith(".env"):
        return "dotenv"
    for suffix, kind in ((".ini", "ini"), (".cfg", "ini"), (".yaml", "yaml"),
                         (".yml", "yaml"), (".json", "json"), (".toml", "toml")):
        if name.endswith(suffix):
            return kind
    return ""


class _Malformed(Exception):
    """Raised inside a reader where the text stops making sense; never leaves this module."""


_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = "\ufeff"


def _line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, line break excluded. A leading BOM is not part of line 1."""
    spans: list[tuple[int, int]] = []
    start = 1 if text.startswith(_BOM) else 0
    for brk in _LINE_BREAK.finditer(text, start):
        spans.append((start, brk.start()))
        start = brk.end()
    spans.append((start, len(text)))
    return spans


def _normalise_breaks(raw: str) -> str:
    """Line breaks as a text-mode reader returns them (universal newlines)."""
    return _LINE_BREAK.sub("\n", raw)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" \t"))


# --- dotenv ---------------------------------------------------------------------------
# python-dotenv's grammar: optional `export`, a key without `=`, `#` or whitespace, `=`,
# then a quoted value (which may span lines) or the rest of the line up to ` #`.

_DOTENV_KEY = re.compile(r"[ \t]*(?:export[ \t]+)?([^=#\s]+)[ \t]*=[ \t]*")
_DOTENV_INLINE_COMMENT = re.compile(r"\s+#")
_DOTENV_ESCAPES = {'"': {"\\": "\\", "'": "'", '"': '"', "a": "\a", "b": "\b", "f": "\f",
                         "n": "\n", "r": "\r", "t": "\t", "v": "\v"},
                   "'": {"\\": "\\", "'": "'"}}


def _read_dotenv(text: str) -> list[ConfigValue]:
    out: list[ConfigValue] = []
    spans = _line_spans(text)
    index = 0
    while index < len(spans):
        start, end = spans[index]
        index += 1
        match = _DOTENV_KEY.match(text, start, end)
        if match is None:
            continue
        key = match.group(1)
        at = match.end()
        quote = text[at] if at < end else ""
        if quote in ("'", '"'):
            close = _dotenv_closing_quote(text, at + 1, quote)
            if close is None:
                continue
            raw = text[at + 1:close]
            value = _dotenv_unescape(raw, quote)
            out.append(ConfigValue(key, (key,), value, at + 1, close, raw == value))
            while index < len(spans) and spans[index][0] <= close:
                index += 1
        else:
            raw = text[at:end]
            comment = _DOTENV_INLINE_COMMENT.search(raw)
            value = (raw[:comment.start()] if comment else raw).rstrip()
            out.append(ConfigValue(key, (key,), value, at, at + len(value), True))
    return out


def _dotenv_closing_quote(text: str, start: int, quote: str) -> int | None:
    """Where python-dotenv's `"((?:\\"|[^"])*)"` ends the value whose content starts at
    `start`: the first quote without a backslash before it, else the last one with one."""
    escaped = None
    at = text.find(quote, start)
    while at >= 0:
        if at == start or text[at - 1] != "\\":
            return at
        escaped = at
        at = text.find(quote, at + 1)
    return escaped


def _dotenv_unescape(raw: str, quote: str) -> str:
    escapes = _DOTENV_ESCAPES[quote]
    parts: list[str] = []
    pos = 0
    while pos < len(raw):
        char = raw[pos]
        if char == "\\" and raw[pos + 1:pos + 2] in escapes:
            parts.append(escapes[raw[pos + 1]])
            pos += 2
        else:
            parts.append(char)
            pos += 1
    return _normalise_breaks("".join(parts))


# --- ini / cfg ------------------------------------------------------------------------
# configparser's grammar: `[section]`, `key = value` or `key: value` (the first `=` or
# `:` splits), full-line `#`/`;` comments, and continuation lines indented deeper than
# their key. Each continuation line is its own value (setuptools and tox read them as list
# items). A ` ;` or ` #` after whitespace starts an inline comment, and a value wrapped in
# one pair of quotes is read without them: both are what these files mean in practice.

_INI_SECTION = re.compile(r"\[(?P<name>.+)\]")
_INI_INLINE_COMMENT = re.compile(r"\s[;#]")


def _read_ini(text: str) -> list[ConfigValue]:
    out: list[ConfigValue] = []
    section: str | None = None
    key: str | None = None
    key_indent = 0
    empty_first: ConfigValue | None = None  # `key =` with its items on the next lines
    for start, end in _line_spans(text):
        line = text[start:end]
        stripped = line.strip()
        if not stripped or stripped[0] in "#;":
            continue
        indent = _indent(line)
        if key is not None and indent > key_indent:
            empty_first = None
            out.append(_ini_value(text, start + indent, end, key, _ini_path(section, key)))
            continue
        if empty_first is not None:
            out.append(empty_first)
            empty_first = None
        header = _INI_SECTION.match(stripped)
        if header:
            section, key = header.group("name"), None
            continue
        split = min((at for at in (line.find("="), line.find(":")) if at >= 0), default=-1)
        name = line[:split].strip()
        if split < 0 or not name:
            key = None
            continue
        key, key_indent = name, indent
        item = _ini_value(text, start + split + 1, end, key, _ini_path(section, key))
        if item.value:
            out.append(item)
        else:
            empty_first = item
    if empty_first is not None:
        out.append(empty_first)
    return out


def _ini_path(section: str | None, key: str) -> tuple[str, ...]:
    return (key,) if section is None else (section, key)


def _ini_value(text: str, start: int, end: int, key: str,
               path: tuple[str, ...]) -> ConfigValue:
    raw = text[start:end]
    lead = _indent(raw)
    comment = _INI_INLINE_COMMENT.search(raw, lead)
    value = (raw[:comment.start()] if comment else raw)[lead:].rstrip()
    at = start + lead
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" \
            and value[0] not in value[1:-1]:
        value, at = value[1:-1], at + 1
    return ConfigValue(key, path, value, at, at + len(value), True)


# --- JSON -----------------------------------------------------------------------------
# A scanner over objects, arrays and strings. It also takes the `//` and `/* */` comments
# and trailing commas of JSONC files (tsconfig.json, .vscode/settings.json).

_JSON_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n",
                 "r": "\r", "t": "\t"}
_JSON_LITERAL = re.compile(
    r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?(?![\w.+-])"
    r"|(?:true|false|null|NaN|Infinity|-Infinity)(?![\w.+-])")
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_MAX_DEPTH = 200


class _JsonReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith(_BOM) else 0
        self.out: list[ConfigValue] = []

    def read(self) -> list[ConfigValue]:
        try:
            self._space()
            self._value(None, (), 0)
        except _Malformed:
            pass
        return self.out

    def _space(self) -> None:
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif text.startswith("//", self.pos):
                brk = _LINE_BREAK.search(text, self.pos)
                self.pos = brk.start() if brk else len(text)
            elif text.startswith("/*", self.pos):
                close = text.find("*/", self.pos + 2)
                if close < 0:
                    raise _Malformed
                self.pos = close + 2
            else:
                return

    def _value(self, key: str | None, path: tuple[str, ...], depth: int) -> None:
        if depth > _MAX_DEPTH or self.pos >= len(self.text):
            raise _Malformed
        char = self.text[self.pos]
        if char == "{":
            self._object(path, depth)
        elif char == "[":
            self._array(key, path, depth)
        elif char == '"':
            start = self.pos + 1
            value = self._string()
            raw = self.text[start:self.pos - 1]
            self.out.append(ConfigValue(key, path, value, start, self.pos - 1, raw == value))
        else:
            literal = _JSON_LITERAL.match(self.text, self.pos)
            if literal is None:
                raise _Malformed
            self.pos = literal.end()

    def _object(self, path: tuple[str, ...], depth: int) -> None:
        self.pos += 1
        self._space()
        while not self._close("}"):
            if self.text[self.pos:self.pos + 1] != '"':
                raise _Malformed
            name = self._string()
            self._space()
            self._expect(":")
            self._space()
            self._value(name, (*path, name), depth + 1)
            self._space()
            if not self._comma("}"):
                break

    def _array(self, key: str | None, path: tuple[str, ...], depth: int) -> None:
        self.pos += 1
        self._space()
        while not self._close("]"):
            self._value(key, path, depth + 1)
            self._space()
            if not self._comma("]"):
                break

    def _close(self, bracket: str) -> bool:
        if self.text.startswith(bracket, self.pos):
            self.pos += 1
            return True
        return False

    def _comma(self, bracket: str) -> bool:
        """After an element: True if another may follow, False if the container closed."""
        if self._close(bracket):
            return False
        self._expect(",")
        self._space()
        return True

    def _expect(self, char: str) -> None:
        if not self.text.startswith(char, self.pos):
            raise _Malformed
        self.pos += 1

    def _string(self) -> str:
        """Decode the string whose opening quote is at `pos`; leave `pos` after its close."""
        text = self.text
        pos = self.pos + 1
        parts: list[str] = []
        while True:
            if pos >= len(text):
                raise _Malformed
            char = text[pos]
            if char == '"':
                self.pos = pos + 1
                return _join_surrogates("".join(parts))
            if char == "\\":
                code = text[pos + 1:pos + 2]
                if code in _JSON_ESCAPES:
                    parts.append(_JSON_ESCAPES[code])
                    pos += 2
                elif code == "u" and _HEX4.fullmatch(text, pos + 2, pos + 6):
                    parts.append(chr(int(text[pos + 2:pos + 6], 16)))
                    pos += 6
                else:
                    raise _Malformed
            elif char < " ":
                raise _Malformed
            else:
                parts.append(char)
                pos += 1


_SURROGATE_PAIR = re.compile("[\ud800-\udbff][\udc00-\udfff]")


def _join_surrogates(value: str) -> str:
    """`\\ud83d\\ude00` escapes name one character, as json.loads reads them."""
    return _SURROGATE_PAIR.sub(
        lambda m: chr(0x10000 + ((ord(m.group()[0]) - 0xD800) << 10)
                      + (ord(m.group()[1]) - 0xDC00)), value)


def _read_json(text: str) -> list[ConfigValue]:
    return _JsonReader(text).read()


# --- TOML -----------------------------------------------------------------------------
# TOML 1.0 as tomllib reads it, with TOML 1.1's newlines in inline tables. The reader
# stops at the first thing it cannot read (tomllib rejects such a file as a whole).

_TOML_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_TOML_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?"
    r"|[A-Za-z0-9_+.:-]+")
_TOML_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "e": "\x1b",
                 '"': '"', "\\": "\\"}
_TOML_HEX = {"x": 2, "u": 4, "U": 8}


class _TomlReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 1 if text.startswith(_BOM) else 0
        self.out: list[ConfigValue] = []

    def read(self) -> list[ConfigValue]:
        try:
            self._document()
        except _Malformed:
            pass
        return self.out

    def _document(self) -> None:
        table: tuple[str, ...] = ()
        text = self.text
        while True:
            self._blank(newlines=True)
            if self.pos >= len(text):
                return
            if text[self.pos] == "[":
                many = text.startswith("[[", self.pos)
                self.pos += 2 if many else 1
                self._blank()
                table = self._key()
                self._expect("]]" if many else "]")
            else:
                self._pair(table, 0)
            self._end_of_line()

    def _blank(self, newlines: bool = False) -> None:
        """Skip spaces and tabs, a comment, and with `newlines` any number of lines of them."""
        text = self.text
        while self.pos < len(text):
            char = text[self.pos]
            if char in " \t":
                self.pos += 1
            elif char == "#":
                brk = _LINE_BREAK.search(text, self.pos)
                self.pos = brk.start() if brk else len(text)
            elif newlines and (char == "\n" or text.startswith("\r\n", self.pos)):
                self.pos += 1 if char == "\n" else 2
            else:
                return

    def _end_of_line(self) -> None:
        self._blank()
        if self.pos < len(self.text) and self._newline() == 0:
            raise _Malformed

    def _newline(self) -> int:
        for brk in ("\n", "\r\n"):
            if self.text.startswith(brk, self.pos):
                self.pos += len(brk)
                return len(brk)
        return 0

    def _expect(self, token: str) -> None:
        if not self.text.startswith(token, self.pos):
            raise _Malformed
        self.pos += len(token)

    def _key(self) -> tuple[str, ...]:
        """A dotted key; leaves `pos` after the spaces that follow it."""
        parts: list[str] = []
        while True:
            char = self.text[self.pos:self.pos + 1]
            if char in ('"', "'"):
                parts.append(self._string()[0])
            else:
                bare = _TOML_BARE_KEY.match(self.text, self.pos)
                if bare is None:
                    raise _Malformed
                parts.append(bare.group())
                self.pos = bare.end()
            self._blank()
            if not self.text.startswith(".", self.pos):
                return tuple(parts)
            self.pos += 1
            self._blank()

    def _pair(self, table: tuple[str, ...], depth: int) -> None:
        key = self._key()
        self._expect("=")
        self._blank()
        self._value(key[-1], (*table, *key), depth)

    def _value(self, key: str, path: tuple[str, ...], depth: int) -> None:
        if depth > _MAX_DEPTH or self.pos >= len(self.text):
            raise _Malformed
        char = self.text[self.pos]
        if char in ('"', "'"):
            value, start, end = self._string()
            raw = self.text[start:end]
            self.out.append(ConfigValue(key, path, value, start, end, raw == value))
        elif char == "[":
            self.pos += 1
            while True:
                self._blank(newlines=True)
                if self._close("]"):
                    return
                self._value(key, path, depth + 1)
                self._blank(newlines=True)
                if self._close("]"):
                    return
                self._expect(",")
        elif char == "{":
            self.pos += 1
            while True:
                self._blank(newlines=True)
                if self._close("}"):
                    return
                self._pair(path, depth + 1)
                self._blank(newlines=True)
                if self._close("}"):
                    return
                self._expect(",")
        else:
            scalar = _TOML_SCALAR.match(self.text, self.pos)
            if scalar is None:
                raise _Malformed
            self.pos = scalar.end()

    def _close(self, bracket: str) -> bool:
        if self.text.startswith(bracket, self.pos):
            self.pos += 1
            return True
        return False

    def _string(self) -> tuple[str, int, int]:
        """Read the string at `pos`: (value, start, end) of its content; `pos` after it."""
        text = self.text
        quote = text[self.pos]
        if text.startswith(quote * 3, self.pos):
            self.pos += 3
            self._newline()  # a newline right after the opening quotes is not content
            start = pos = self.pos
            while not text.startswith(quote * 3, pos):
                if pos >= len(text):
                    raise _Malformed
                pos += 2 if text[pos] == "\\" and quote == '"' else 1
            run = 3  # up to two more quotes end the content: `""""` is `"` then `"""`
            while run < 6 and text.startswith(quote, pos + run):
                run += 1
            if run > 5:
                raise _Malformed
            end = pos + run - 3
            self.pos = pos + run
            raw = text[start:end]
            value = raw.replace("\r\n", "\n")
            if quote == '"':
                value = _toml_unescape(value, multiline=True)
            return value, start, end
        start = self.pos + 1
        pos = start
        while True:
            char = text[pos:pos + 1]
            if char in ("", "\n", "\r"):
                raise _Malformed
            if char == quote:
                break
            if char == "\\" and quote == '"':
                pos += 1
                if text[pos:pos + 1] in ("", "\n", "\r"):
                    raise _Malformed
            pos += 1
        self.pos = pos + 1
        raw = text[start:pos]
        return (_toml_unescape(raw, multiline=False) if quote == '"' else raw), start, pos


_TOML_LINE_END_BACKSLASH = re.compile(r"\\[ \t]*\n[ \t\n]*")


def _toml_unescape(raw: str, multiline: bool) -> str:
    parts: list[str] = []
    pos = 0
    while pos < len(raw):
        char = raw[pos]
        if char != "\\":
            parts.append(char)
            pos += 1
            continue
        if multiline:
            trimmed = _TOML_LINE_END_BACKSLASH.match(raw, pos)
            if trimmed:
                pos = trimmed.end()
                continue
        code = raw[pos + 1:pos + 2]
        if code in _TOML_ESCAPES:
            parts.append(_TOML_ESCAPES[code])
            pos += 2
        elif code in _TOML_HEX:
            digits = raw[pos + 2:pos + 2 + _TOML_HEX[code]]
            if len(digits) != _TOML_HEX[code] or not all(d in "0123456789abcdefABCDEF"
                                                          for d in digits):
                raise _Malformed
            number = int(digits, 16)
            if number > 0x10FFFF or 0xD800 <= number <= 0xDFFF:
                raise _Malformed
            parts.append(chr(number))
            pos += 2 + len(digits)
        else:
            raise _Malformed
    return "".join(parts)


def _read_toml(text: str) -> list[ConfigValue]:
    return _TomlReader(text).read()


# --- YAML -----------------------------------------------------------------------------
# A pragmatic, line-based subset: block mappings and sequences by indentation, plain,
# single- and double-quoted scalars (quoted ones may span lines), flow collections,
# comments, document markers. Block scalars (`|`, `>`) are skipped, as are aliases;
# anchors and tags in front of a value are read past. Plain scalars that YAML resolves
# to null, bool, int or float (YAML 1.1, as PyYAML does) are not strings and are left out.

_YAML_NOT_STRING = re.compile(r"""
        ~|null|Null|NULL
    | yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF
    | [-+]?0b[0-1_]+ | [-+]?0[0-7_]+ | [-+]?(?:0|[1-9][0-9_]*) | [-+]?0x[0-9a-fA-F_]+
    | [-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+
    | [-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)? | \.[0-9][0-9_]*(?:[eE][-+][0-9]+)?
    | [-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]* | [-+]?\.(?:inf|Inf|INF) | \.(?:nan|NaN|NAN)
    | <<|=
""", re.VERBOSE)
_YAML_BLOCK_HEADER = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?$")
_YAML_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n",
                        "v": "\v", "f": "\f", "r": "\r", "e": "\x1b", " ": " ", '"': '"',
                        "/": "/", "\\": "\\", "N": "\x85", "_": "\xa0", "L": "\u2028",
                        "P": "\u2029"}
_YAML_HEX = {"x": 2, "u": 4, "U": 8}
_YAML_FLOW_INDICATORS = ",[]{}"
_YAML_ANCHOR = re.compile(r"[A-Za-z0-9_-]*")  # the anchor names PyYAML accepts
_YAML_STR_TAGS = ("!!str", "!<tag:yaml.org,2002:str>")  # `!!str 8080` is the string "8080"
_YAML_KEY_END = re.compile(r":(?:[ \t]|$)|[ \t]#")  # `: ` ends a key, ` #` a line
_YAML_COMMENT = re.compile(r"[ \t]#")


def _yaml_plain_end(line: str, pos: int) -> int:
    """End of a block plain scalar starting at `pos`: before ` #` or the line's end, trimmed."""
    comment = _YAML_COMMENT.search(line, pos)
    return pos + len(line[pos:comment.start() if comment else len(line)].rstrip(" \t"))


def _yaml_property_end(text: str, pos: int, limit: int) -> int:
    """End of the anchor (`&name`), alias (`*name`) or tag (`!Sub`, `!!str`) at `pos`."""
    if text[pos] in "&*":
        name = _YAML_ANCHOR.match(text, pos + 1, limit)
        return name.end() if name else pos + 1
    while pos < limit and text[pos] not in " \t\r\n,[]{}":
        pos += 1
    return pos


def _is_document_marker(line: str) -> bool:
    return line[:3] in ("---", "...") and line[3:4] in ("", " ", "\t")


class _YamlReader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = _line_spans(text)
        self.out: list[ConfigValue] = []
        # Open block nodes, innermost last: (column, key); key None is a sequence entry.
        self.stack: list[tuple[int, str | None]] = []
        self.broken_flow_until = -1

    def read(self) -> list[ConfigValue]:
        index = 0
        while index < len(self.lines):
            index = self._line(index)
        return self.out

    def _keys(self) -> tuple[str, ...]:
        return tuple(key for _, key in self.stack if key is not None)

    def _line(self, index: int) -> int:
        """Read the line at `index` (and any lines its value spans); the next line to read."""
        start, end = self.lines[index]
        line = self.text[start:end]
        column = _indent(line)
        if column == len(line) or line[column] == "#":
            return index + 1
        if _is_document_marker(line) or line.startswith("%"):
            self.stack.clear()
            return index + 1
        # Pop what this line closes. A `- ` entry at its mapping key's column belongs to
        # that key (`hosts:` then `- a` on the next line, both at column 0).
        while line[column] == "-" and line[column + 1:column + 2] in ("", " ", "\t"):
            while self.stack and (self.stack[-1][0] > column or (
                    self.stack[-1][0] == column and self.stack[-1][1] is None)):
                self.stack.pop()
            self.stack.append((column, None))
            column = _indent(line[column + 1:]) + column + 1
            if column == len(line) or line[column] == "#":
                return index + 1
        while self.stack and self.stack[-1][0] >= column:
            self.stack.pop()
        if line[column] == "?" and line[column + 1:column + 2] in ("", " ", "\t"):
            return index + 1  # complex keys are not something config files use
        mapping_key = self._mapping_key(line, column)
        if mapping_key is None:
            owner = self.stack[-1][0] if self.stack else -1
            keys = self._keys()
            return self._node(index, column, keys[-1] if keys else None, keys, owner, None)
        key, after = mapping_key
        value_column = after + _indent(line[after:])
        return self._node(index, value_column, key, (*self._keys(), key), column, (column, key))

    def _mapping_key(self, line: str, column: int) -> tuple[str, int] | None:
        """(key, column after its `:`) if the node at `column` is a mapping key."""
        char = line[column]
        if char in "\"'":
            scanned = _yaml_quoted(line, column + 1, char, len(line))
            if scanned is None:
                return None
            name, close = scanned
            after = close + 1 + _indent(line[close + 1:])
            if line[after:after + 1] == ":" and line[after + 1:after + 2] in ("", " ", "\t"):
                return name, after + 1
            return None
        if char in "[{&*!|>":
            return None
        colon = _YAML_KEY_END.search(line, column)
        if colon is None or not colon.group().startswith(":"):
            return None
        return line[column:colon.start()].rstrip(" \t"), colon.start() + 1

    def _node(self, index: int, column: int, key: str | None, path: tuple[str, ...],
              owner: int, opens: tuple[int, str] | None) -> int:
        """Read the value at `column` of line `index`; `owner` is the column of its key (or
        `- `); `opens` is the block node pushed when the value continues on later lines."""
        start, end = self.lines[index]
        line = self.text[start:end]
        tagged_str = False
        while column < len(line) and line[column] in "&!":
            gap = _yaml_property_end(line, column, len(line))
            tagged_str = tagged_str or line[column:gap] in _YAML_STR_TAGS
            column = gap + _indent(line[gap:])
        if column >= len(line) or line[column] == "#":
            if opens is not None:
                self.stack.append(opens)
            return index + 1
        char = line[column]
        if char == "*":
            return index + 1
        if char in "|>" and _YAML_BLOCK_HEADER.match(line, column):
            return self._skip_block(index + 1, owner)
        if char in "\"'":
            scanned = _yaml_quoted(self.text, start + column + 1, char, len(self.text))
            if scanned is None:
                return index + 1
            value, close = scanned
            raw = self.text[start + column + 1:close]
            self.out.append(ConfigValue(key, path, value, start + column + 1, close,
                                        raw == value))
            return self._line_after(close)
        if char in "[{":
            return self._flow(index, start + column, key, path)
        return self._plain(index, column, key, path, owner, tagged_str)

    def _line_after(self, offset: int) -> int:
        """Index of the first line that starts after `offset`."""
        low, high = 0, len(self.lines)
        while low < high:
            middle = (low + high) // 2
            if self.lines[middle][0] <= offset:
                low = middle + 1
            else:
                high = middle
        return low

    def _skip_block(self, index: int, owner: int) -> int:
        while index < len(self.lines):
            start, end = self.lines[index]
            line = self.text[start:end]
            if line.strip(" \t") and (_indent(line) <= owner or _is_document_marker(line)):
                break
            index += 1
        return index

    def _plain(self, index: int, column: int, key: str | None, path: tuple[str, ...],
               owner: int, tagged_str: bool) -> int:
        start, end = self.lines[index]
        line = self.text[start:end]
        stop = _yaml_plain_end(line, column)
        pieces = [line[column:stop]]
        last_end = start + stop
        next_index = index + 1
        ended = stop < len(line.rstrip(" \t"))  # a comment ends a plain scalar
        blank_lines = 0
        while not ended and next_index < len(self.lines):
            more_start, more_end = self.lines[next_index]
            more = self.text[more_start:more_end]
            if not more.strip(" \t"):
                blank_lines += 1
                next_index += 1
                continue
            indent = _indent(more)
            if indent <= owner or more[indent] == "#" or _is_document_marker(more) \
                    or self._mapping_key(more, indent) is not None:
                break  # a plain scalar has no `: `, so a key line is not part of it
            more_stop = _yaml_plain_end(more, indent)
            pieces.append("\n" * blank_lines if blank_lines else " ")
            pieces.append(more[indent:more_stop])
            blank_lines = 0
            last_end = more_start + more_stop
            ended = more_stop < len(more.rstrip(" \t"))
            next_index += 1
        value = "".join(pieces)
        if len(pieces) == 1 and not tagged_str and _YAML_NOT_STRING.fullmatch(value):
            return next_index
        raw = self.text[start + column:last_end]
        self.out.append(ConfigValue(key, path, value, start + column, last_end, raw == value))
        return self._line_after(last_end) if len(pieces) > 1 else index + 1

    def _flow(self, index: int, offset: int, key: str | None, path: tuple[str, ...]) -> int:
        """A flow collection, over as many lines as it takes (PyYAML does not hold its lines
        to the block's indentation either); if it never closes, only its first line counts."""
        if offset >= self.broken_flow_until:
            reader = _YamlFlow(self.text, offset, len(self.text))
            if reader.read(key, path):
                self.out.extend(reader.out)
                return self._line_after(reader.pos - 1)
            # Collections that start inside this broken one would read to the same
            # failure; reading each of them to it again would be quadratic.
            self.broken_flow_until = reader.pos
        reader = _YamlFlow(self.text, offset, self.lines[index][1])
        reader.read(key, path)
        self.out.extend(reader.out)
        return index + 1


def _yaml_quoted(text: str, pos: int, quote: str, limit: int) -> tuple[str, int] | None:
    """Decode a quoted scalar whose content starts at `pos`: (value, offset of the closing
    quote), or None if it does not close before `limit` or has a bad escape. Line breaks
    fold as YAML folds them: one break is a space, each further break a newline."""
    parts: list[str] = []
    spaces = ""  # unescaped white space, dropped if a line break follows it
    while pos < limit:
        char = text[pos]
        if char == quote:
            if quote == "'" and text[pos + 1:pos + 2] == "'" and pos + 1 < limit:
                parts.append(spaces + "'")
                spaces = ""
                pos += 2
                continue
            return "".join(parts) + spaces, pos
        if char in "\r\n":
            breaks, pos = _yaml_fold(text, pos, limit)
            if breaks < 0:
                return None
            spaces = ""
            parts.append(" " if breaks == 1 else "\n" * (breaks - 1))
            continue
        if char in " \t":
            spaces += char
            pos += 1
            continue
        parts.append(spaces)
        spaces = ""
        if char == "\\" and quote == '"':
            code = text[pos + 1:pos + 2]
            if code in _YAML_SIMPLE_ESCAPES:
                parts.append(_YAML_SIMPLE_ESCAPES[code])
                pos += 2
            elif code in _YAML_HEX:
                digits = text[pos + 2:pos + 2 + _YAML_HEX[code]]
                if len(digits) != _YAML_HEX[code] or not all(
                        d in "0123456789abcdefABCDEF" for d in digits):
                    return None
                number = int(digits, 16)
                if number > 0x10FFFF:
                    return None
                parts.append(chr(number))
                pos += 2 + len(digits)
            elif code in ("\r", "\n"):
                breaks, pos = _yaml_fold(text, pos + 1, limit)  # an escaped break joins lines
                if breaks < 0:
                    return None
                parts.append("\n" * (breaks - 1))
            else:
                return None
            continue
        parts.append(char)
        pos += 1
    return None


def _yaml_fold(text: str, pos: int, limit: int) -> tuple[int, int]:
    """Count the line breaks at `pos` and skip the white space around them: (breaks,
    offset after). (-1, -1) when a document marker shows the scalar never closed."""
    breaks = 0
    while pos < limit:
        brk = _LINE_BREAK.match(text, pos)
        if brk is None:
            break
        breaks += 1
        pos = brk.end()
        if _is_document_marker(text[pos:pos + 4]):
            return -1, -1
        while pos < limit and text[pos] in " \t":
            pos += 1
    return breaks, pos


class _YamlFlow:
    """A flow collection (`[a, b]`, `{url: x}`) read from `pos` up to `limit`."""

    def __init__(self, text: str, pos: int, limit: int) -> None:
        self.text = text
        self.pos = pos
        self.limit = limit
        self.out: list[ConfigValue] = []

    def read(self, key: str | None, path: tuple[str, ...]) -> bool:
        """True if the collection closed; `out` holds the values read either way."""
        try:
            self._node(key, path, 0)
        except _Malformed:
            return False
        return True

    def _char(self) -> str:
        return self.text[self.pos] if self.pos < self.limit else ""

    def _space(self) -> None:
        while self.pos < self.limit:
            char = self.text[self.pos]
            if char in " \t\r\n":
                self.pos += 1
            elif char == "#" and self.text[self.pos - 1] in " \t\r\n":
                brk = _LINE_BREAK.search(self.text, self.pos, self.limit)
                self.pos = brk.start() if brk else self.limit
            else:
                return

    def _node(self, key: str | None, path: tuple[str, ...], depth: int) -> None:
        if depth > _MAX_DEPTH:
            raise _Malformed
        char = self._char()
        tagged_str = False
        while char in ("&", "!"):
            tagged_str = tagged_str or self._token() in _YAML_STR_TAGS
            self._space()
            char = self._char()
        if char == "[":
            self._collection("]", key, path, depth)
        elif char == "{":
            self._collection("}", key, path, depth)
        elif char == "*":
            self._token()
        elif char in _YAML_FLOW_INDICATORS:
            return  # an empty node: `[a, , b]` or `{a: }`
        else:
            scalar = self._scalar()
            self._space()
            if self._char() == ":":  # a single pair inside a sequence: `[url: x]`
                self.pos += 1
                self._space()
                self._node(scalar[0], (*path, scalar[0]), depth + 1)
            elif scalar[4] or tagged_str:
                value, start, end, exact, _ = scalar
                self.out.append(ConfigValue(key, path, value, start, end, exact))

    def _collection(self, close: str, key: str | None, path: tuple[str, ...],
                    depth: int) -> None:
        self.pos += 1
        while True:
            self._space()
            if self._char() == close:
                self.pos += 1
                return
            if close == "}":
                self._entry(path, depth)
            else:
                self._node(key, path, depth + 1)
            self._space()
            char = self._char()
            if char == ",":
                self.pos += 1
            elif char != close:
                raise _Malformed

    def _entry(self, path: tuple[str, ...], depth: int) -> None:
        char = self._char()
        if char in ("[", "{"):
            raise _Malformed
        name = self._scalar()[0]
        self._space()
        if self._char() == ":":
            self.pos += 1
            self._space()
            self._node(name, (*path, name), depth + 1)

    def _token(self) -> str:
        start = self.pos
        self.pos = _yaml_property_end(self.text, start, self.limit)
        return self.text[start:self.pos]

    def _scalar(self) -> tuple[str, int, int, bool, bool]:
        """(value, start, end, exact, is a string) of the scalar at `pos`."""
        char = self._char()
        if char in ("'", '"'):
            scanned = _yaml_quoted(self.text, self.pos + 1, char, self.limit)
            if scanned is None:
                raise _Malformed
            value, close = scanned
            start = self.pos + 1
            self.pos = close + 1
            return value, start, close, self.text[start:close] == value, True
        if not char or char in "#\r\n":
            raise _Malformed
        text = self.text
        start = self.pos
        pieces: list[str] = []
        while True:  # one line of the scalar per turn; a line break folds to a space
            line_start = self.pos
            while self.pos < self.limit:
                char = text[self.pos]
                if char in ",[]{}\r\n" or char == "#" and text[self.pos - 1] in " \t" \
                        or char == ":" and self._ends_plain(self.pos + 1):
                    break
                self.pos += 1
            piece = text[line_start:self.pos].rstrip(" \t")
            pieces.append(piece)
            end = line_start + len(piece)
            if not text.startswith(("\r", "\n"), self.pos):
                break
            ahead, breaks = self.pos, 0
            while ahead < self.limit:
                brk = _LINE_BREAK.match(text, ahead, self.limit)
                if brk is not None:
                    ahead, breaks = brk.end(), breaks + 1
                elif text[ahead] in " \t":
                    ahead += 1
                else:
                    break
            if ahead >= self.limit or text[ahead] in ",[]{}#" \
                    or text[ahead] == ":" and self._ends_plain(ahead + 1):
                break
            pieces.append(" " if breaks == 1 else "\n" * (breaks - 1))
            self.pos = ahead
        self.pos = end
        value = "".join(pieces)
        if not value:
            raise _Malformed
        return (value, start, end, text[start:end] == value,
                _YAML_NOT_STRING.fullmatch(value) is None)

    def _ends_plain(self, after: int) -> bool:
        """Whether a `:` followed by the text at `after` ends a plain scalar in flow context."""
        return after >= self.limit or self.text[after] in " \t\r\n,[]{}"


def _read_yaml(text: str) -> list[ConfigValue]:
    return _YamlReader(text).read()


_READERS: dict[str, Callable[[str], list[ConfigValue]]] = {
    "dotenv": _read_dotenv,
    "ini": _read_ini,
    "yaml": _read_yaml,
    "json": _read_json,
    "toml": _read_toml,
}
