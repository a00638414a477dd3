"""config_values: every string value of a config file with its key, path and exact offsets.

Each expectation is (key, path, value, start, end, exact). `found` also checks, for every
value, that `text[start:end]` is the value when `exact` says so, and the raw source spelled
out beside the expectation when it is not.
"""

from __future__ import annotations

import io
import json
import random
from typing import Optional

import pytest

from mpz_lint.config_values import ConfigValue, env_assignments, extract_values

Row = tuple[Optional[str], tuple[str, ...], str, int, int, bool]


def found(text: str, path: str, raw: dict[str, str] | None = None) -> list[Row]:
    """(key, path, value, start, end, exact) of every value; `raw` maps a non-exact value to
    the source text its offsets must cover."""
    values = extract_values(text, path)
    _check_offsets(text, values)
    for value in values:
        if not value.exact:
            assert raw is not None and text[value.start:value.end] == raw[value.value]
    return [(v.key, v.path, v.value, v.start, v.end, v.exact) for v in values]


def _check_offsets(text: str, values: list[ConfigValue]) -> None:
    previous = 0
    for value in values:
        assert previous <= value.start <= value.end <= len(text)
        previous = value.start
        if value.exact:
            assert text[value.start:value.end] == value.value


def crlf(text: str) -> str:
    return text.replace("\n", "\r\n")


# --- which format ---------------------------------------------------------------------

PROCORE_URL = "https://app.procore.com"


@pytest.mark.parametrize(("path", "text"), [
    (".env", f"URL={PROCORE_URL}"),
    ("config/.env.production", f"URL={PROCORE_URL}"),
    ("PROD.ENV", f"URL={PROCORE_URL}"),
    ("setup.cfg", f"[s]\nurl = {PROCORE_URL}"),
    ("conf\\App.INI", f"[s]\nurl = {PROCORE_URL}"),
    ("config.yaml", f"url: {PROCORE_URL}"),
    ("ci.YML", f"url: {PROCORE_URL}"),
    ("package.json", f'{{"url": "{PROCORE_URL}"}}'),
    ("pyproject.toml", f'url = "{PROCORE_URL}"'),
])
def test_the_file_name_chooses_the_format(path: str, text: str) -> None:
    assert [v.value for v in extract_values(text, path)] == [PROCORE_URL]


@pytest.mark.parametrize("path", [".envrc", "env.txt", "settings.py", "README.md", "x.yaml.bak"])
def test_other_files_have_no_values(path: str) -> None:
    assert extract_values(f"URL={PROCORE_URL}\nurl: {PROCORE_URL}", path) == []


# --- dotenv ---------------------------------------------------------------------------

DOTENV = """\
# Procore (production)
# PROCORE_BASE_URL=https://sandbox.procore.com

PROCORE_BASE_URL=https://app.procore.com
export PROCORE_TOKEN_URL="https://app.procore.com/oauth/token"
PROCORE_API_URL = 'https://app.procore.com/rest/v1.0'  # was https://app.procore.com/vapid
PROCORE_CLIENT_ID=abc123 # comment
"""


def test_dotenv_values_keys_and_offsets() -> None:
    assert found(DOTENV, ".env") == [
        ("PROCORE_BASE_URL", ("PROCORE_BASE_URL",), "https://app.procore.com", 88, 111, True),
        ("PROCORE_TOKEN_URL", ("PROCORE_TOKEN_URL",), "https://app.procore.com/oauth/token",
         138, 173, True),
        ("PROCORE_API_URL", ("PROCORE_API_URL",), "https://app.procore.com/rest/v1.0",
         194, 227, True),
        ("PROCORE_CLIENT_ID", ("PROCORE_CLIENT_ID",), "abc123", 284, 290, True),
    ]


def test_dotenv_comments_with_urls_are_not_values() -> None:
    values = [v.value for v in extract_values(DOTENV, ".env")]
    assert "https://sandbox.procore.com" not in values
    assert not any("vapid" in value or "#" in value for value in values)


def test_dotenv_hash_without_space_before_it_is_part_of_the_value() -> None:
    text = "PROCORE_WEB=https://app.procore.com/#/projects # the web app\n"
    assert found(text, ".env") == [
        ("PROCORE_WEB", ("PROCORE_WEB",), "https://app.procore.com/#/projects", 12, 46, True),
    ]


def test_dotenv_quoted_values_with_escapes_are_not_exact() -> None:
    text = "A=\"https://app.procore.com\\t#1\"\nB='it\\'s https://app.procore.com'\n"
    assert found(text, ".env", raw={
        "https://app.procore.com\t#1": "https://app.procore.com\\t#1",
        "it's https://app.procore.com": "it\\'s https://app.procore.com",
    }) == [
        ("A", ("A",), "https://app.procore.com\t#1", 3, 30, False),
        ("B", ("B",), "it's https://app.procore.com", 35, 64, False),
    ]


def test_dotenv_offsets_count_characters_not_bytes() -> None:
    text = "# Société Générale — зона\nPROCORE_BASE_URL=https://app.procore.com\n"
    assert found(text, ".env.production") == [
        ("PROCORE_BASE_URL", ("PROCORE_BASE_URL",), "https://app.procore.com", 43, 66, True),
    ]


def test_dotenv_crlf_reads_like_lf() -> None:
    lf = extract_values(DOTENV, ".env")
    crlf_values = found(crlf(DOTENV), ".env")
    assert [row[2] for row in crlf_values] == [v.value for v in lf]
    assert crlf_values[0] == ("PROCORE_BASE_URL", ("PROCORE_BASE_URL",),
                              "https://app.procore.com", 91, 114, True)


def test_dotenv_quoted_value_over_two_crlf_lines() -> None:
    text = 'CERT="line one\r\nline two"\r\nNEXT=https://app.procore.com\r\n'
    assert found(text, "prod.env", raw={"line one\nline two": "line one\r\nline two"}) == [
        ("CERT", ("CERT",), "line one\nline two", 6, 24, False),
        ("NEXT", ("NEXT",), "https://app.procore.com", 32, 55, True),
    ]


def test_dotenv_malformed_lines_are_skipped() -> None:
    text = 'A="unterminated\nB=https://app.procore.com\n=novalue\nC\n'
    assert found(text, ".env") == [("B", ("B",), "https://app.procore.com", 18, 41, True)]


def test_env_assignments_last_assignment_wins() -> None:
    text = "PROCORE_BASE_URL=https://sandbox.procore.com\nexport PROCORE_BASE_URL=https://app.procore.com\nOTHER=x\n"
    assignments = env_assignments(text)
    assert sorted(assignments) == ["OTHER", "PROCORE_BASE_URL"]
    item = assignments["PROCORE_BASE_URL"]
    assert (item.key, item.value, item.start, item.end, item.exact) == (
        "PROCORE_BASE_URL", "https://app.procore.com", 69, 92, True)
    assert text[item.start:item.end] == item.value


# --- ini / cfg ------------------------------------------------------------------------

INI = """\
[procore]
base_url = https://app.procore.com
token_url: https://app.procore.com/oauth/token
; old_url = https://sandbox.procore.com
# note: https://app.procore.com is the web app

[procore.sandbox]
base_url=https://sandbox.procore.com
"""


def test_ini_sections_keys_and_both_delimiters() -> None:
    assert found(INI, "setup.cfg") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 21, 44, True),
        ("token_url", ("procore", "token_url"), "https://app.procore.com/oauth/token",
         56, 91, True),
        ("base_url", ("procore.sandbox", "base_url"), "https://sandbox.procore.com",
         207, 234, True),
    ]


def test_ini_continuation_lines_are_items_of_their_key() -> None:
    text = ("[options]\ninstall_requires =\n    requests\n"
            "    # pinned: https://app.procore.com\n    procore-sdk\npython_requires = >=3.9\n")
    assert found(text, "setup.cfg") == [
        ("install_requires", ("options", "install_requires"), "requests", 33, 41, True),
        ("install_requires", ("options", "install_requires"), "procore-sdk", 84, 95, True),
        ("python_requires", ("options", "python_requires"), ">=3.9", 114, 119, True),
    ]


def test_ini_inline_comments_and_quotes_are_not_part_of_the_value() -> None:
    text = ('[api]\nurl = "https://app.procore.com" ; production\n'
            "other = https://app.procore.com # note\nhash = https://app.procore.com/#/x\n")
    assert found(text, "tox.ini") == [
        ("url", ("api", "url"), "https://app.procore.com", 13, 36, True),
        ("other", ("api", "other"), "https://app.procore.com", 59, 82, True),
        ("hash", ("api", "hash"), "https://app.procore.com/#/x", 97, 124, True),
    ]


def test_ini_key_before_any_section_has_a_one_part_path() -> None:
    assert found("top = https://app.procore.com\n[s]\nk = v\n", "a.ini") == [
        ("top", ("top",), "https://app.procore.com", 6, 29, True),
        ("k", ("s", "k"), "v", 38, 39, True),
    ]


def test_ini_crlf() -> None:
    assert found("[procore]\r\nbase_url = https://app.procore.com\r\n", "APP.INI") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 22, 45, True),
    ]


def test_ini_malformed_lines_are_skipped() -> None:
    text = ("[unclosed\nno delimiter here\n= no key\n  indented orphan\n"
            "[ok]\nurl = https://app.procore.com\n")
    assert found(text, "broken.cfg") == [
        ("url", ("ok", "url"), "https://app.procore.com", 66, 89, True),
    ]


# --- YAML -----------------------------------------------------------------------------

YAML_NESTED = "procore:\n  oauth:\n    token_url: https://app.procore.com/oauth/token\n"


def test_yaml_nested_mapping() -> None:
    assert found(YAML_NESTED, "config.yaml") == [
        ("token_url", ("procore", "oauth", "token_url"),
         "https://app.procore.com/oauth/token", 33, 68, True),
    ]


def test_yaml_crlf() -> None:
    assert found(crlf(YAML_NESTED), "config.yaml") == [
        ("token_url", ("procore", "oauth", "token_url"),
         "https://app.procore.com/oauth/token", 35, 70, True),
    ]


def test_yaml_offsets_count_characters_not_bytes() -> None:
    text = "# Société — зона\nprocore:\n  base_url: https://app.procore.com\n"
    assert found(text, "config.yaml") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 38, 61, True),
    ]


YAML_SCALARS = """\
# procore:
#   token_url: https://app.procore.com/oauth/token
procore:
  base_url: "https://app.procore.com"   # production, see https://developers.procore.com
  api_url: 'https://app.procore.com/rest/v1.0'
  retries: 3
  verify: true
  timeout: 2.5
  nothing: ~
  version: !!str 1.0
  web: https://app.procore.com/#/home  # hash is not a comment here
"""


def test_yaml_comments_quotes_and_non_strings() -> None:
    assert found(YAML_SCALARS, "settings.yml") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 84, 107, True),
        ("api_url", ("procore", "api_url"), "https://app.procore.com/rest/v1.0", 172, 205, True),
        ("version", ("procore", "version"), "1.0", 280, 283, True),
        ("web", ("procore", "web"), "https://app.procore.com/#/home", 291, 321, True),
    ]


def test_yaml_lists_take_the_key_of_their_list() -> None:
    text = """\
procore:
  hosts:
  - app.procore.com
  - login.procore.com
  servers:
    - name: production
      url: https://app.procore.com
    - name: sandbox
      url: https://sandbox.procore.com
  matrix:
    - - a
      - b
after: done
"""
    assert found(text, "hosts.yaml") == [
        ("hosts", ("procore", "hosts"), "app.procore.com", 22, 37, True),
        ("hosts", ("procore", "hosts"), "login.procore.com", 42, 59, True),
        ("name", ("procore", "servers", "name"), "production", 83, 93, True),
        ("url", ("procore", "servers", "url"), "https://app.procore.com", 105, 128, True),
        ("name", ("procore", "servers", "name"), "sandbox", 141, 148, True),
        ("url", ("procore", "servers", "url"), "https://sandbox.procore.com", 160, 187, True),
        ("matrix", ("procore", "matrix"), "a", 206, 207, True),
        ("matrix", ("procore", "matrix"), "b", 216, 217, True),
        ("after", ("after",), "done", 225, 229, True),
    ]


def test_yaml_flow_collections_have_item_offsets() -> None:
    text = """\
procore:
  scopes: [read, "write", 'admin']
  urls: {auth: https://app.procore.com/oauth/authorize, api: "https://app.procore.com/rest/v1.0"}
"""
    assert found(text, "flow.yml") == [
        ("scopes", ("procore", "scopes"), "read", 20, 24, True),
        ("scopes", ("procore", "scopes"), "write", 27, 32, True),
        ("scopes", ("procore", "scopes"), "admin", 36, 41, True),
        ("auth", ("procore", "urls", "auth"), "https://app.procore.com/oauth/authorize",
         59, 98, True),
        ("api", ("procore", "urls", "api"), "https://app.procore.com/rest/v1.0", 106, 139, True),
    ]


def test_yaml_flow_sequence_over_several_lines() -> None:
    text = 'args: [\n  "a",  # first\n  b\n]\nnext: c\n'
    assert found(text, "x.yml") == [
        ("args", ("args",), "a", 11, 12, True),
        ("args", ("args",), "b", 26, 27, True),
        ("next", ("next",), "c", 36, 37, True),
    ]


def test_yaml_block_scalars_are_skipped() -> None:
    text = """\
script: |
  curl https://app.procore.com/rest/v1.0/me
  echo done: yes
folded: >-
  text
procore:
  base_url: https://app.procore.com
"""
    assert found(text, "ci.yml") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 110, 133, True),
    ]


def test_yaml_escapes_and_folded_lines_are_not_exact() -> None:
    text = 'a: "https://app.procore.com/\\u0072est"\nb: \'it\'\'s\'\nc: "one\n  two"\nd: plain\n  folded\n'
    assert found(text, "x.yaml", raw={
        "https://app.procore.com/rest": "https://app.procore.com/\\u0072est",
        "it's": "it''s",
        "one two": "one\n  two",
        "plain folded": "plain\n  folded",
    }) == [
        ("a", ("a",), "https://app.procore.com/rest", 4, 37, False),
        ("b", ("b",), "it's", 43, 48, False),
        ("c", ("c",), "one two", 54, 63, False),
        ("d", ("d",), "plain folded", 68, 82, False),
    ]


def test_yaml_anchors_tags_aliases_and_documents() -> None:
    text = """\
base: &base https://app.procore.com
copy: *base
Url: !Sub "https://${Host}/rest/v1.0"
---
base: https://app.procore.com
...
"""
    assert found(text, "x.yaml") == [
        ("base", ("base",), "https://app.procore.com", 12, 35, True),
        ("Url", ("Url",), "https://${Host}/rest/v1.0", 59, 84, True),
        ("base", ("base",), "https://app.procore.com", 96, 119, True),
    ]


def test_yaml_malformed_lines_do_not_stop_the_reader() -> None:
    text = ('procore:\n  scopes: [read, "unterminated\n  base_url: https://app.procore.com\n'
            'bad: "also\nlast: https://app.procore.com\n')
    assert found(text, "broken.yml") == [
        ("scopes", ("procore", "scopes"), "read", 20, 24, True),
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 52, 75, True),
        ("last", ("last",), "https://app.procore.com", 93, 116, True),
    ]


# --- JSON -----------------------------------------------------------------------------

JSON_CONFIG = """\
{
  "procore": {
    "base_url": "https://app.procore.com",
    "oauth": {"token_url": "https://app.procore.com/oauth/token"},
    "hosts": ["app.procore.com", {"name": "sandbox"}, ["nested"]],
    "retries": 3, "verify": true, "proxy": null, "ratio": -1.5e3
  }
}"""


def test_json_objects_and_arrays() -> None:
    assert found(JSON_CONFIG, "config.json") == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 34, 57, True),
        ("token_url", ("procore", "oauth", "token_url"), "https://app.procore.com/oauth/token",
         88, 123, True),
        ("hosts", ("procore", "hosts"), "app.procore.com", 142, 157, True),
        ("name", ("procore", "hosts", "name"), "sandbox", 170, 177, True),
        ("hosts", ("procore", "hosts"), "nested", 183, 189, True),
    ]


def test_json_escapes_are_decoded_and_not_exact() -> None:
    text = ('{"url": "https:\\/\\/app.procore.com\\/rest\\/v1.0", "name": "Soci\\u00e9t\\u00e9",'
            ' "emoji": "\\ud83d\\ude00"}')
    assert found(text, "a.json", raw={
        "https://app.procore.com/rest/v1.0": "https:\\/\\/app.procore.com\\/rest\\/v1.0",
        "Société": "Soci\\u00e9t\\u00e9",
        "\U0001f600": "\\ud83d\\ude00",
    }) == [
        ("url", ("url",), "https://app.procore.com/rest/v1.0", 9, 46, False),
        ("name", ("name",), "Société", 58, 75, False),
        ("emoji", ("emoji",), "\U0001f600", 88, 100, False),
    ]


def test_json_offsets_count_characters_not_bytes() -> None:
    text = '{"note": "Société — зона", "url": "https://app.procore.com"}'
    assert found(text, "a.json") == [
        ("note", ("note",), "Société — зона", 10, 24, True),
        ("url", ("url",), "https://app.procore.com", 35, 58, True),
    ]


def test_json_crlf() -> None:
    assert found('{\r\n  "base_url": "https://app.procore.com"\r\n}\r\n', "A.JSON") == [
        ("base_url", ("base_url",), "https://app.procore.com", 18, 41, True),
    ]


def test_jsonc_comments_are_not_values() -> None:
    text = """\
{
  // "base_url": "https://sandbox.procore.com",
  /* old: https://app.procore.com */
  "base_url": "https://app.procore.com",
}"""
    assert found(text, "tsconfig.json") == [
        ("base_url", ("base_url",), "https://app.procore.com", 102, 125, True),
    ]


@pytest.mark.parametrize("text", [
    '{"a": "https://app.procore.com", "b": }',
    '{"a": "https://app.procore.com", "b": "unterminated',
    '{"a": "https://app.procore.com" "b": "no comma"}',
])
def test_malformed_json_gives_the_values_read_so_far(text: str) -> None:
    assert found(text, "bad.json") == [("a", ("a",), "https://app.procore.com", 7, 30, True)]


@pytest.mark.parametrize("text", ["", "not json", "[" * 5000, '{"a": "\\x"}', "{'a': 'b'}"])
def test_json_that_cannot_be_read_gives_nothing(text: str) -> None:
    assert found(text, "bad.json") == []


# --- TOML -----------------------------------------------------------------------------

PYPROJECT = """\
# base_url = "https://sandbox.procore.com"
[tool.procore]
base_url = "https://app.procore.com"  # production
token_url = 'https://app.procore.com/oauth/token'
oauth.authorize_url = "https://app.procore.com/oauth/authorize"
"api url" = "https://app.procore.com/rest/v1.0"
retries = 3
verify = true
started = 1979-05-27 07:32:00Z
hosts = [
  "app.procore.com",  # legacy
  'login.procore.com',
]
client = { base_url = "https://app.procore.com", timeout = 5 }

[[tool.procore.servers]]
name = "production"
"""


def test_toml_tables_dotted_keys_arrays_and_inline_tables() -> None:
    assert found(PYPROJECT, "pyproject.toml") == [
        ("base_url", ("tool", "procore", "base_url"), "https://app.procore.com", 70, 93, True),
        ("token_url", ("tool", "procore", "token_url"), "https://app.procore.com/oauth/token",
         122, 157, True),
        ("authorize_url", ("tool", "procore", "oauth", "authorize_url"),
         "https://app.procore.com/oauth/authorize", 182, 221, True),
        ("api url", ("tool", "procore", "api url"), "https://app.procore.com/rest/v1.0",
         236, 269, True),
        ("hosts", ("tool", "procore", "hosts"), "app.procore.com", 341, 356, True),
        ("hosts", ("tool", "procore", "hosts"), "login.procore.com", 372, 389, True),
        ("base_url", ("tool", "procore", "client", "base_url"), "https://app.procore.com",
         417, 440, True),
        ("name", ("tool", "procore", "servers", "name"), "production", 491, 501, True),
    ]


def test_toml_multiline_strings_are_exact_only_when_the_raw_text_is_the_value() -> None:
    text = ('a = """\nhttps://app.procore.com"""\n'
            'b = """\\\n    https://app.procore.com/\\\n    rest/v1.0"""\n'
            "c = '''C:\\raw\\path'''\n"
            'd = "tab\\there"\n'
            'e = """quoted "word""""\n')
    assert found(text, "x.toml", raw={
        "https://app.procore.com/rest/v1.0":
            "\\\n    https://app.procore.com/\\\n    rest/v1.0",
        "tab\there": "tab\\there",
    }) == [
        ("a", ("a",), "https://app.procore.com", 8, 31, True),
        ("b", ("b",), "https://app.procore.com/rest/v1.0", 42, 87, False),
        ("c", ("c",), "C:\\raw\\path", 98, 109, True),
        ("d", ("d",), "tab\there", 118, 127, False),
        ("e", ("e",), 'quoted "word"', 136, 149, True),
    ]


def test_toml_crlf() -> None:
    text = '[procore]\r\nbase_url = "https://app.procore.com"\r\nml = """\r\nline1\r\nline2"""\r\n'
    assert found(text, "x.toml", raw={"line1\nline2": "line1\r\nline2"}) == [
        ("base_url", ("procore", "base_url"), "https://app.procore.com", 23, 46, True),
        ("ml", ("procore", "ml"), "line1\nline2", 59, 71, False),
    ]


def test_toml_offsets_count_characters_not_bytes() -> None:
    text = 'note = "Société — зона"\nurl = "https://app.procore.com"\n'
    assert found(text, "x.toml") == [
        ("note", ("note",), "Société — зона", 8, 22, True),
        ("url", ("url",), "https://app.procore.com", 31, 54, True),
    ]


@pytest.mark.parametrize("text", [
    'a = "https://app.procore.com"\nb = \n c = "x"\n',
    'a = "https://app.procore.com" trailing\nb = "y"\n',
    'a = "https://app.procore.com"\n[unclosed\nb = "y"\n',
    'a = "https://app.procore.com"\nb = "unterminated\nc = "z"\n',
])
def test_malformed_toml_gives_the_values_read_so_far(text: str) -> None:
    assert found(text, "bad.toml") == [
        ("a", ("a",), "https://app.procore.com", 5, 28, True),
    ]


# --- agreement with the libraries that read these files -------------------------------

def _strings(data: object) -> list[str]:
    if isinstance(data, dict):
        return [s for item in data.values() for s in _strings(item)]
    if isinstance(data, list):
        return [s for item in data for s in _strings(item)]
    return [data] if isinstance(data, str) else []


def test_json_values_are_what_json_reads() -> None:
    assert [v.value for v in extract_values(JSON_CONFIG, "c.json")] == \
        _strings(json.loads(JSON_CONFIG))


def test_toml_values_are_what_tomllib_reads() -> None:
    tomllib = pytest.importorskip("tomllib")
    for text in (PYPROJECT, crlf(PYPROJECT)):
        assert [v.value for v in extract_values(text, "p.toml")] == _strings(tomllib.loads(text))


def test_yaml_values_are_what_pyyaml_reads() -> None:
    yaml = pytest.importorskip("yaml")
    for text in (YAML_NESTED, YAML_SCALARS, crlf(YAML_SCALARS)):
        assert [v.value for v in extract_values(text, "c.yml")] == \
            _strings(yaml.safe_load(text))


def test_dotenv_values_are_what_python_dotenv_reads() -> None:
    dotenv = pytest.importorskip("dotenv")
    assert {key: v.value for key, v in env_assignments(DOTENV).items()} == \
        dotenv.dotenv_values(stream=io.StringIO(DOTENV), interpolate=False)


# --- robustness -----------------------------------------------------------------------

_SAMPLES = {
    ".env": DOTENV,
    "setup.cfg": INI,
    "c.yml": YAML_SCALARS + YAML_NESTED.replace("procore", "other"),
    "c.json": JSON_CONFIG,
    "p.toml": PYPROJECT,
}
_NOISE = ['"', "'", "\\", "#", ":", "=", "[", "]", "{", "}", ",", "-", " ", "\n", "\r\n",
          "\r", "\t", "|", ">", "&", "*", "!", "é", ";", '"""']


def _damaged(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 4)):
        at = rng.randrange(len(text) + 1)
        if rng.random() < 0.5:
            text = text[:at] + rng.choice(_NOISE) + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 3):]
    return text


def test_damaged_files_never_raise_and_keep_offsets_honest() -> None:
    rng = random.Random(20240229)
    for text in _SAMPLES.values():
        for _ in range(150):
            damaged = _damaged(rng, text if rng.random() < 0.5 else crlf(text))
            for path in _SAMPLES:
                _check_offsets(damaged, extract_values(damaged, path))
            env_assignments(damaged)


@pytest.mark.parametrize("path", list(_SAMPLES))
def test_pathological_input_is_read_in_linear_time(path: str) -> None:
    for text in ("a: [x,\n" * 4000, "[x}\n" * 4000, "a = [\n" * 4000, '"' * 20000,
                 "- " * 10000 + "x", "{" * 10000, 'a: "x\n' * 4000):
        _check_offsets(text, extract_values(text, path))
