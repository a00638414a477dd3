"""Procore calls, hosts and header dicts planted into programs, with what mpz-lint must say.

A *piece* is a few statements that talk to Procore in one of the shapes real code does
(a URL constant, a `requests`/`httpx`/`aiohttp` call, a class keeping `self.session`, a
bare base URL joined with paths elsewhere), built from hypothesis strategies. Each piece
knows what the checker must report about it: an `Expect` names a unique piece of its text
(the anchor) and the rule code that must report a finding starting inside it, or the codes
that must stay silent there. The expectations come from ../shared/RULES.md and the table
in `mpz_lint.knowledge`, not from running the checker.

Every name a piece binds ends in a serial number (`BASE_fz3`), and every URL carries it
in its fragment (`#fz3`), so that anchors are unique in the program they are planted in.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst
from hypothesis import strategies as st

from mpz_lint import knowledge

HOST_CODES = ("MPZ001", "MPZ002", "MPZ003")
HEADER_CODES = ("MPZ101", "MPZ102", "MPZ103")


@dataclass(frozen=True)
class Expect:
    """What must be reported inside `anchor` (unique text of `path`): a finding of `code`
    starting there, and none of the `silent` codes."""

    path: str
    anchor: str
    code: str | None
    silent: tuple[str, ...] = ()


@dataclass(frozen=True)
class Piece:
    """Statements to plant at the top level of a module, and what must be said of them."""

    code: str
    expects: tuple[Expect, ...]
    # Other modules the piece needs (a settings module that holds its base URL).
    modules: tuple[tuple[str, str], ...] = ()


@dataclass
class Program:
    """A project of one or more modules, with everything planted in them."""

    files: dict[str, str]
    expects: list[Expect] = field(default_factory=list)


# --- hosts and URLs -------------------------------------------------------------------------

_FACTS = {facts.name: facts for facts in knowledge.PROCORE_HOSTS}
AUTH_PATHS = ("/oauth/token", "/oauth/authorize", "/oauth/revoke", "/oauth/token/info")
# /me and /companies are left out: whether they need the header depends on the grant.
API_PATHS = ("/rest/v1.0/projects", "/rest/v1.1/projects/7/rfis",
             "/rest/v2.0/companies/8/projects", "/vapid/projects",
             "/rest/v1.0/workforce-planning/v2/people")
LOOKALIKE_HOSTS = ("notapp.procore.com", "app.procore.com.evil.org", "app.procore.community",
                   "app-procore.com", "procore.com.example.net", "xapi.procore.com")
PORTAL_HOSTS = ("developers.procore.com", "support.procore.com", "status.procore.com",
                "marketplace.procore.com", "storage.procore.com")
# Carve-outs: (host, path) that look legacy but must never be reported or rewritten.
CARVE_OUTS = (("app.procore.com", "/rest/v1.0/mcp"), ("us02.procore.com", "/rest/v1.0/mcp"),
              ("app.procore.com", "/fas/abc/download"), ("us02.procore.com", "/fas/1"),
              ("app.procore.com", "/rest/v1.0/files/1?sig=abc"))
WEB_PATHS = ("/12345/project/home", "/companies/5/projects", "")


@dataclass(frozen=True)
class Url:
    """A URL as written, and what the host rules must say about it."""

    text: str  # without quotes, with the serial fragment
    code: str | None  # MPZ001/MPZ002 expected, or None
    role: str | None  # "auth", "api" or None (web, look-alike, carve-out)
    procore_rest: bool  # a request to it must send Procore-Company-Id
    # Header rules that must say nothing about a request to it (not a REST URL).
    header_silent: tuple[str, ...] = ()


def host_code(host: str, role: str) -> str | None:
    """The host rule that reports `host` used with its own path's `role`, if any."""
    facts = _FACTS[host]
    if role == "auth":
        return "MPZ001" if facts.for_auth is not None else None
    return "MPZ002" if facts.for_api is not None else None


@st.composite
def spellings(draw: st.DrawFn, host: str) -> str:
    """`host` with a scheme, as people write it: any case, port, userinfo, trailing dot."""
    scheme = draw(st.sampled_from(("https://", "http://", "HTTPS://", "//")))
    spelled = draw(st.sampled_from((host, host.upper(), host.title())))
    if draw(st.booleans()):
        spelled = draw(st.sampled_from(("bot:s3cret@", "user@"))) + spelled
    if draw(st.booleans()):
        spelled += draw(st.sampled_from((":443", ":8443", ".")))
    return scheme + spelled


@st.composite
def urls(draw: st.DrawFn, serial: int, kind: str) -> Url:
    """A URL of `kind`: "legacy" (must be reported), "current" (right host for its path),
    "lookalike", "portal", "carve_out" or "web" (never reported)."""
    marker = f"#fz{serial}"
    if kind in ("legacy", "current"):
        role = draw(st.sampled_from(("auth", "api")))
        wanted = {"legacy": True, "current": False}[kind]
        hosts = sorted(name for name in _FACTS if (host_code(name, role) is not None) == wanted)
        host = draw(st.sampled_from(hosts))
        path = draw(st.sampled_from(AUTH_PATHS if role == "auth" else API_PATHS))
        # An OAuth request needs no company header (a near miss or an int in one would
        # still be wrong, so only MPZ101 must be silent).
        return Url(draw(spellings(host)) + path + marker, host_code(host, role), role,
                   procore_rest=role == "api", header_silent=() if role == "api" else ("MPZ101",))
    if kind == "lookalike":
        host = draw(st.sampled_from(LOOKALIKE_HOSTS))
        path = draw(st.sampled_from(AUTH_PATHS + API_PATHS))
        return Url(f"https://{host}{path}{marker}", None, None, procore_rest=False,
                   header_silent=HEADER_CODES)
    if kind == "portal":
        host = draw(st.sampled_from(PORTAL_HOSTS))
        return Url(f"https://{host}/docs/rest-api{marker}", None, None, procore_rest=False,
                   header_silent=HEADER_CODES)
    if kind == "carve_out":
        host, path = draw(st.sampled_from(CARVE_OUTS))
        return Url(draw(spellings(host)) + path + marker, None, None, procore_rest=False)
    assert kind == "web"
    host = draw(st.sampled_from(("app.procore.com", "us02.procore.com", "uk01.procore.com")))
    path = draw(st.sampled_from(WEB_PATHS[:2]))
    return Url(f"https://{host}{path}{marker}", None, None, procore_rest=False,
               header_silent=("MPZ101",))


URL_KINDS = ("legacy", "legacy", "legacy", "current", "lookalike", "portal", "carve_out", "web")


@st.composite
def string_expressions(draw: st.DrawFn, text: str) -> str:
    """A Python expression whose value is the URL `text`, in one of the string shapes:
    quotes, prefixes, f-strings with fields, implicit concatenation, `%` and `.format`."""
    # Split at the end of the host: `"https://app.procore.com" "/rest/..."` still names it.
    slash = text.find("/", text.find("//") + 2)
    head, tail = (text[:slash], text[slash:]) if slash > 0 else (text, "")
    shape = draw(st.sampled_from((
        "double", "single", "triple", "raw", "unicode", "fstring", "fstring_field",
        "concat", "concat_lines", "percent", "format",
    )))
    if shape == "double":
        return f'"{text}"'
    if shape == "single":
        return f"'{text}'"
    if shape == "triple":
        return f'"""{text}"""'
    if shape == "raw":
        return f'r"{text}"'
    if shape == "unicode":
        return f'u"{text}"'
    if shape == "fstring":
        return f'f"{text}"'
    if shape == "fstring_field" and tail:
        # `{7}` is a field that needs no name in scope; `{{x}}` is a literal brace.
        before, _, after = tail.partition("#")
        return f'f"{head}{before}/{{7}}/{{{{x}}}}#{after}"'
    if shape in ("concat", "concat_lines") and tail:
        joiner = " " if shape == "concat" else "\n    "
        return f'("{head}"{joiner}"{tail}")'
    if shape == "percent":
        before, _, after = text.partition("#")
        return f'"{before}/%s#{after}" % 7'
    if shape == "format":
        before, _, after = text.partition("#")
        return f'"{before}/{{}}#{after}".format(7)'
    return f'"{text}"'


def _expect_url(path: str, expression: str, url: Url) -> Expect:
    # The line with the serial is unique; a finding on a string split over lines spans it.
    anchor = next(line.strip() for line in expression.splitlines() if "#fz" in line)
    if url.code is not None:
        return Expect(path, anchor, url.code)
    return Expect(path, anchor, None, HOST_CODES)


# --- pieces ---------------------------------------------------------------------------------


@st.composite
def url_in_context(draw: st.DrawFn, serial: int, path: str) -> Piece:
    """A URL expression somewhere a value lives: a constant, a default, a dict, a call."""
    url = draw(urls(serial, draw(st.sampled_from(URL_KINDS))))
    expression = draw(string_expressions(url.text))
    name = f"URL_fz{serial}"
    context = draw(st.sampled_from((
        "{name} = {e}\n",
        "{name}: str = {e}\n",
        "{name} = {{'endpoint': {e}}}\n",
        "{name} = [{e}, None]\n",
        "def {name}(url={e}):\n    return url\n",
        "def {name}(url: str = {e}) -> str:\n    return url\n",
        "{name} = lambda: {e}\n",
        "class {name}:\n    endpoint = {e}\n",
        "def {name}():\n    return {e}\n",
        "def {name}():\n    yield {e}\n",
        "if ({name} := {e}):\n    pass\n",
        "{name} = print({e})\n",
        "{name} = {e} if print() else None\n",
        # Characters of one, two and four UTF-8 bytes before the URL on its line: columns
        # are characters, libcst's byte offsets must not leak into them.
        "{name} = ('héllo wörld 🚀 中文', {e})\n",
        "变量_{name} = {e}  # ünïcode 🚀\n",
    )))
    code = context.format(name=name, e=expression)
    return Piece(code, (_expect_url(path, expression, url),))


@st.composite
def documentation_mentions(draw: st.DrawFn, serial: int, path: str) -> Piece:
    """A legacy URL where it is documentation or a pattern, never a request: not reported."""
    url = draw(urls(serial, "legacy"))
    name = f"doc_fz{serial}"
    shape = draw(st.sampled_from((
        'def {name}():\n    """See {u}."""\n',
        "class {name}:\n    '''Talks to {u}.'''\n",
        "{name} = 1  # was {u}\n",
        "def {name}(url):\n    return url == '{u}'\n",
        "def {name}(url):\n    return url.startswith('{u}')\n",
        "def {name}(url):\n    return url in ('{u}', None)\n",
    )))
    code = shape.format(name=name, u=url.text)
    return Piece(code, (Expect(path, url.text, None, HOST_CODES),))


# Header shapes: (text with {cid} for the company id expression, header code expected on
# a Procore REST request). None as text: no `headers=` at all.
HEADER_SHAPES: tuple[tuple[str | None, str | None], ...] = (
    (None, "MPZ101"),
    ('{{"Procore-Company-Id": str({cid})}}', None),
    ('{{"Authorization": "Bearer t", "Procore-Company-Id": str({cid})}}', None),
    ('{{"procore-company-id": str({cid})}}', None),
    ('{{**BASE_HEADERS_fz, "Procore-Company-Id": str({cid})}}', None),
    ('dict(BASE_HEADERS_fz, **{{"Procore-Company-Id": str({cid})}})', None),
    ('{{"Procore-Company-Id": 42}}', "MPZ103"),
    ('{{"Procore-Company-Id": {cid}}}', "MPZ103"),  # the parameter is annotated `int`
    ('{{"Procore_Company_Id": str({cid})}}', "MPZ102"),
    ('{{"ProcoreCompanyId": str({cid})}}', "MPZ102"),
    ('{{"Company-Id": str({cid})}}', "MPZ102"),
    ('{{"Accept": "application/json"}}', "MPZ101"),
)

# Request calls: (imports, function prefix, call template, whether the call is awaited).
# {url} is the URL expression, {h} the `, headers=...` part (or nothing).
CLIENTS: tuple[tuple[str, str], ...] = (
    ("import requests", "    resp_fz{n} = requests.get({url}{h})\n"),
    ("import requests", "    resp_fz{n} = requests.post({url}, json={{}}{h})\n"),
    ("import requests", '    resp_fz{n} = requests.request("DELETE", {url}{h})\n'),
    ("import requests",
     "    session = requests.Session()\n    resp_fz{n} = session.put({url}, data=b''{h})\n"),
    ("import httpx", "    resp_fz{n} = httpx.get({url}{h})\n"),
    ("import httpx",
     "    with httpx.Client(timeout=5) as client:\n        resp_fz{n} = client.patch({url}{h})\n"),
    ("import httpx",
     "    async with httpx.AsyncClient() as client:\n        resp_fz{n} = await client.get({url}{h})\n"),
    ("import aiohttp",
     "    async with aiohttp.ClientSession() as session:\n"
     "        async with session.get({url}{h}) as resp_fz{n}:\n            pass\n"),
)


@st.composite
def request_calls(draw: st.DrawFn, serial: int, path: str) -> Piece:
    """A function that sends one request, with a URL of any kind and headers of any shape."""
    url = draw(urls(serial, draw(st.sampled_from(URL_KINDS))))
    # One line per call: a multi-line URL expression only outside calls.
    expression = draw(string_expressions(url.text).filter(lambda e: "\n" not in e))
    imports, call = draw(st.sampled_from(CLIENTS))
    header, header_code = draw(st.sampled_from(HEADER_SHAPES))
    h = "" if header is None else ", headers=" + header.format(cid="company_id")
    body = call.format(n=serial, url=expression, h=h)
    keyword = "async def" if "await" in body or "async " in body else "def"
    code = (f"{keyword} fetch_fz{serial}(company_id: int) -> None:\n"
            f"    {imports}\n{body}")
    expects = [_expect_url(path, expression, url)]
    anchor = next(line.strip() for line in body.splitlines() if f"resp_fz{serial}" in line)
    if url.procore_rest:
        expects.append(Expect(path, anchor, header_code,
                              tuple(c for c in HEADER_CODES if c != header_code)))
    elif url.header_silent:
        expects.append(Expect(path, anchor, None, url.header_silent))
    return Piece(code, tuple(expects))


@st.composite
def session_classes(draw: st.DrawFn, serial: int, path: str) -> Piece:
    """A client class that keeps a session on `self` and sets its default headers in
    `__init__` (or not); a method sends a REST request through it."""
    url = draw(urls(serial, "legacy").filter(lambda u: u.role == "api")
               | urls(serial, "current").filter(lambda u: u.role == "api"))
    setup, header_code = draw(st.sampled_from((
        ('        self.session.headers.update({"Procore-Company-Id": str(company_id)})\n', None),
        ('        self.session.headers["Procore-Company-Id"] = str(company_id)\n', None),
        ('        self.session.headers.update({"Accept": "application/json"})\n', "MPZ101"),
        ("", "MPZ101"),
    )))
    code = (
        f"class Client_fz{serial}:\n"
        f"    def __init__(self, company_id: int) -> None:\n"
        f"        import requests\n"
        f"        self.session = requests.Session()\n"
        + setup +
        f"\n"
        f"    def projects(self):\n"
        f'        resp_fz{serial} = self.session.get("{url.text}")\n'
        f"        return resp_fz{serial}.json()\n"
    )
    anchor = f'resp_fz{serial} = self.session.get("{url.text}")'
    return Piece(code, (
        Expect(path, f'"{url.text}"', url.code, () if url.code else HOST_CODES),
        Expect(path, anchor, header_code, tuple(c for c in HEADER_CODES if c != header_code)),
    ))


# How a bare base URL is joined with a path; {b} is the base's name, {p} the path.
JOINS = (
    'f"{{{b}}}{p}"',
    '{b} + "{p}"',
    '"%s{p}" % {b}',
    '"{{}}{p}".format({b})',
    'urllib.parse.urljoin({b}, "{p}")',
)


@st.composite
def base_flows(draw: st.DrawFn, serial: int, path: str, elsewhere: str | None = None) -> Piece:
    """A bare base URL bound to a name and joined with OAuth and/or REST paths. Its role
    comes from those uses: one role gives MPZ001 or MPZ002 if the host is wrong for it;
    both give MPZ003 (mixed), whatever the host. With `elsewhere`, the base lives in that
    module and this one imports it."""
    host = draw(st.sampled_from(sorted(_FACTS)))
    roles = draw(st.sampled_from((("auth",), ("api",), ("auth", "api"))))
    name = f"BASE_fz{serial}"
    base = draw(spellings(host))
    lines = ["import urllib.parse\n"]
    definition = f'{name} = "{base}"\n'
    if elsewhere is None:
        lines.append(definition)
    else:
        lines.append(f"from {elsewhere[:-3].replace('/', '.')} import {name}\n")
    # A scheme-relative base in urljoin is not followed yet (see the xfail
    # test_fuzz.py::test_urljoin_with_a_scheme_relative_base); every other join is.
    joins = [j for j in JOINS if not (base.startswith("//") and "urljoin" in j)]
    for index, role in enumerate(roles):
        join = draw(st.sampled_from(joins))
        joined = join.format(b=name, p=draw(st.sampled_from(
            AUTH_PATHS if role == "auth" else API_PATHS)))
        lines.append(f"USE_fz{serial}_{index} = {joined}\n")
    code = "".join(lines)
    if len(roles) == 2:
        expected: str | None = "MPZ003"
    else:
        expected = host_code(host, roles[0])
    where = elsewhere or path
    expect = Expect(where, definition.strip(), expected, () if expected else HOST_CODES)
    modules = ((elsewhere, definition),) if elsewhere is not None else ()
    return Piece(code, (expect,), modules)


@st.composite
def pieces(draw: st.DrawFn, serial: int, path: str) -> Piece:
    kind = draw(st.sampled_from(("url", "url", "doc", "request", "request", "request",
                                 "session", "flow", "flow_elsewhere")))
    if kind == "url":
        return draw(url_in_context(serial, path))
    if kind == "doc":
        return draw(documentation_mentions(serial, path))
    if kind == "request":
        return draw(request_calls(serial, path))
    if kind == "session":
        return draw(session_classes(serial, path))
    if kind == "flow":
        return draw(base_flows(serial, path))
    return draw(base_flows(serial, path, elsewhere=f"settings_fz{serial}.py"))


# --- wrapping and planting ------------------------------------------------------------------

# Compound statements a piece can be nested in: the analysis must look inside all of them.
WRAPPERS = (
    "if FLAG_fz:\n{body}",
    "try:\n{body}except Exception:\n    pass\n",
    "for _fz in range(1):\n{body}",
    "while FLAG_fz:\n{body}    break\n",
    "with open(__file__) as _fz:\n{body}",
    "if not FLAG_fz:\n    pass\nelse:\n{body}",
)


def _indent(code: str) -> str:
    return "".join("    " + line if line.strip() else line for line in code.splitlines(True))


@st.composite
def wrapped(draw: st.DrawFn, piece: Piece) -> Piece:
    """`piece`, maybe nested in compound statements (a flow keeps module scope)."""
    code = piece.code
    if not piece.modules and "BASE_fz" not in code:
        for _ in range(draw(st.integers(0, 2))):
            code = draw(st.sampled_from(WRAPPERS)).format(body=_indent(code))
    return Piece(code, piece.expects, piece.modules)


PRELUDE = "FLAG_fz = True\nBASE_HEADERS_fz = {'Accept': 'application/json'}\n"


def plant(base: str, planted: Sequence[Piece], positions: Sequence[int]) -> str:
    """`base` (a module's text) with each piece's statements inserted between its top-level
    statements (after any `from __future__` imports) at the given positions."""
    module = cst.parse_module(base)
    body = list(module.body)
    first = 0
    if body and _is_docstring(body[0]):
        first = 1
    while first < len(body) and _is_future_import(body[first]):
        first += 1
    slots: list[list[cst.BaseStatement]] = [[] for _ in range(len(body) + 1)]
    slots[first].extend(cst.parse_module(PRELUDE).body)
    for piece, position in zip(planted, positions):
        where = first + position % (len(body) - first + 1)
        slots[where].extend(cst.parse_module(piece.code).body)
    merged: list[cst.BaseStatement] = []
    for index in range(len(body) + 1):
        merged.extend(slots[index])
        if index < len(body):
            merged.append(body[index])
    return module.with_changes(body=merged).code


def _is_docstring(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine)
            and isinstance(statement.body[0], cst.Expr)
            and isinstance(statement.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_future_import(statement: cst.BaseStatement) -> bool:
    return (isinstance(statement, cst.SimpleStatementLine)
            and any(isinstance(s, cst.ImportFrom) and isinstance(s.module, cst.Name)
                    and s.module.value == "__future__" for s in statement.body))


@st.composite
def programs(draw: st.DrawFn, bases: st.SearchStrategy[str], max_pieces: int = 6) -> Program:
    """A project: `main_fz.py` is a program drawn from `bases` with pieces planted in it,
    plus the settings modules some pieces import their base URL from."""
    counter = itertools.count(1)
    path = "main_fz.py"
    chosen: list[Piece] = []
    for _ in range(draw(st.integers(1, max_pieces))):
        chosen.append(draw(wrapped(draw(pieces(next(counter), path)))))
    base = draw(bases)
    positions = [draw(st.integers(0, 1000)) for _ in chosen]
    files = {path: plant(base, chosen, positions)}
    for piece in chosen:
        for module_path, text in piece.modules:
            files[module_path] = text
    return Program(files, [e for piece in chosen for e in piece.expects])


SIMPLE_BASES = st.sampled_from((
    "",
    "x = 1\n",
    '"""A module docstring."""\nfrom __future__ import annotations\n\nimport os\n',
    "import requests\nrequests = None\n",  # the planted functions import it locally
    "def helper(a, *args, b=2, **kw):\n    return a\n\n\nclass Thing:\n    pass\n",
    "# -*- coding: utf-8 -*-\nprint('héllo')\n",
    # Not yet a tab-indented base: the fixes that add a line indent it with spaces (see
    # the xfail tests test_*_in_a_tab_indented_file in test_fuzz.py).
))
