"""Where the project writes a Procore host, and what each of those hosts is used for.

The analysis behind MPZ001-MPZ003, run once per project:

1. Every string literal that names a Procore host (Python literals that are not
   documentation or patterns, and values of config files) becomes a HostLiteral.
2. Its role comes from its own path; if it has none (a bare base URL), from every place
   its value flows into a URL with a path (f-strings, `+`, `%`, `.format`, `urljoin`,
   client `base_url`, OAuth keywords and methods), anywhere in the project; if none, from
   the name it is bound to.
3. Each literal gets a decision: right as it is, wrong for OAuth, wrong for REST, used for
   roles that need different hosts (mixed), or a legacy host we cannot place (unknown).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import libcst as cst

from mpz_lint import knowledge, urls
from mpz_lint.fixer import LineIndex
from mpz_lint.knowledge import Role
from mpz_lint.model import Applicability, Edit, Location
from mpz_lint.resolver import Instance, Origin, Resolver, Str, Text, path_join, text_str
from mpz_lint.treewalk import children
from mpz_lint.urls import HostMatch

if TYPE_CHECKING:
    from mpz_lint.project import Project
    from mpz_lint.pyindex import ModuleIndex, Scope, StringSite

DecisionKind = Literal["auth", "api", "mixed", "unknown"]
HTTP_METHOD_NAMES = frozenset(
    {"get", "post", "put", "patch", "delete", "head", "options", "request", "stream",
     "send", "fetch"}
)


@dataclass(frozen=True)
class Use:
    """One place a host literal's value is used with a role."""

    role: Role
    module: ModuleIndex = field(compare=False)
    vapid: Text | None = None  # a "/vapid" piece the use appends, to rewrite with the host
    node: cst.CSTNode | None = None  # the expression that uses the value

    @property
    def path(self) -> str:
        return self.module.path

    @property
    def row(self) -> int:
        # Asked only when a finding names its uses: most modules never need positions.
        return self.module.start_of(self.node).row if self.node is not None else 1

    def where(self) -> str:
        return f"{self.path}:{self.row}"


@dataclass(eq=False)
class HostLiteral:
    """A Procore host written in one literal, with everything known about its use."""

    origin: Origin
    host: str
    host_at: int  # index of the host inside the origin's value
    own_role: Role | None
    own_vapid_at: int | None  # index of "/vapid" in the origin's value, if its path has it
    has_scheme: bool
    report_node: cst.CSTNode | None  # Python: the string expression; config: None
    report_span: tuple[int, int] = (0, 0)  # config: offsets of the value in the file
    site: StringSite | None = None  # Python: where the literal is written
    uses: list[Use] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.origin.path

    @property
    def facts(self) -> knowledge.HostFacts:
        return knowledge.HOSTS_BY_NAME[self.host]

    def roles(self) -> set[Role]:
        if self.own_role is not None:
            return {self.own_role}
        return {use.role for use in self.uses}

    def hinted_role(self) -> Role | None:
        return knowledge.role_from_name(self.origin.name_hint) if self.origin.name_hint else None


@dataclass(frozen=True)
class HostFinding:
    """What is wrong with one HostLiteral, ready for a rule to report."""

    kind: DecisionKind
    literal: HostLiteral
    location: Location
    end_location: Location
    target: str | None  # the host to use (auth/api decisions)
    by_name: bool  # the role came from the bound name only
    edits: tuple[Edit, ...]
    applicability: Applicability
    uses: tuple[Use, ...]
    split_name: str | None = None  # mixed: the new login constant the fix adds


class HostAnalysis:
    """Built once per run (Project.analysis(HostAnalysis)); rules read `findings(path)`."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.resolver: Resolver = project.analysis(Resolver)
        self.literals: dict[tuple[int, str, int, int], HostLiteral] = {}
        self._line_indexes: dict[str, LineIndex] = {}
        for module in project.modules():
            self._collect_python_literals(module)
        for source in project.config_files():
            self._collect_config_literals(source.path, source.text)
        if self.literals:
            for module in project.modules():
                self._collect_uses(module)
        self._findings: dict[str, list[HostFinding]] = {}
        for literal in self.literals.values():
            finding = self._decide(literal)
            if finding is not None:
                self._findings.setdefault(literal.path, []).append(finding)

    def findings(self, path: str) -> list[HostFinding]:
        return self._findings.get(path, [])

    # --- literals ----------------------------------------------------------------------

    def _collect_python_literals(self, module: ModuleIndex) -> None:
        for site in module.strings:
            if site.inert or (site.bound_to is not None and site.bound_to in module.pattern_names
                              and site.scope.kind == "module"):
                continue
            value = self.resolver.literal(site.node, module, site.name_hint)
            for match in urls.find_hosts(value.flat()):
                self._add_literal(value, match, site.node, site=site)

    def _collect_config_literals(self, path: str, text: str) -> None:
        if "procore" not in text.lower():
            return
        from mpz_lint.config_values import extract_values

        for item in extract_values(text, path):
            if "procore" not in item.value.lower():
                continue
            hint = item.key if item.key is not None else None
            value = Str((Text(item.value, Origin(path, None, item.start, item.exact, hint)),))
            for match in urls.find_hosts(value.flat()):
                self._add_literal(value, match, None, (item.start, item.end))

    def _add_literal(self, value: Str, match: HostMatch, report_node: cst.CSTNode | None,
                     span: tuple[int, int] = (0, 0), site: StringSite | None = None) -> None:
        if match.carved_out:
            return
        located = _text_span(value, match.start, match.end)
        if located is None:
            return
        part, at = located
        assert part.origin is not None
        flat = value.flat()
        vapid_at = None
        if knowledge.LEGACY_API_PREFIX.match(match.path):
            path_start = flat.index(match.path, match.end) if match.path else -1
            vapid = _text_span(value, path_start, path_start + len("/vapid"))
            if vapid is not None and vapid[0].origin is part.origin:
                vapid_at = vapid[1]
        before = flat[: match.start]
        literal = HostLiteral(
            origin=part.origin, host=match.host, host_at=at, own_role=match.role,
            own_vapid_at=vapid_at, has_scheme="//" in before[before.rfind(urls.HOLE) + 1:],
            report_node=report_node, report_span=span, site=site)
        self.literals.setdefault(_key(part.origin, at), literal)

    # --- uses --------------------------------------------------------------------------

    def _collect_uses(self, module: ModuleIndex) -> None:
        resolver = self.resolver
        for site in module.composites:
            for value in resolver.strings(site.node, site.scope):
                self._record(value, None, module, site.node)
        for site in module.calls:
            call = site.node
            assert isinstance(call, cst.Call)
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in knowledge.AUTH_URL_KEYWORDS:
                    for value in resolver.strings(arg.value, site.scope):
                        self._record(value, knowledge.AUTH, module, arg.value)
            if not isinstance(call.func, cst.Attribute):
                continue
            method = call.func.attr.value
            url = _url_argument(call)
            if url is None:
                continue
            if method in knowledge.AUTH_URL_METHODS:
                for value in resolver.strings(url, site.scope):
                    self._record(value, knowledge.AUTH, module, call)
            elif method in HTTP_METHOD_NAMES:
                for base in self._client_bases(call.func.value, site.scope):
                    for value in resolver.strings(url, site.scope):
                        self._record(_join_base(base, value), None, module, call)
                if method in ("request", "urlopen"):
                    self._connection_request(call, site.scope, module)

    def _connection_request(self, call: cst.Call, scope: Scope, module: ModuleIndex) -> None:
        """`HTTPSConnection("app.procore.com").request("GET", "/rest/v1.0/me")`."""
        assert isinstance(call.func, cst.Attribute)
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        path_node = next((a.value for a in call.args if a.keyword is not None
                          and a.keyword.value == "url"), positional[1] if len(positional) > 1 else None)
        if path_node is None:
            return
        for value in self.resolver.resolve(call.func.value, scope):
            if not (isinstance(value, Instance) and value.external in knowledge.HOST_CONNECTION_CLASSES
                    and value.call is not None and value.scope is not None):
                continue
            host_node = next((a.value for a in value.call.args if a.keyword is None
                              or a.keyword.value == "host"), None)
            if host_node is None:
                continue
            for host in self.resolver.strings(host_node, value.scope, value.context):
                for path in self.resolver.strings(path_node, scope):
                    self._record(text_str("https://") + host + path, None, module, call)

    def _client_bases(self, receiver: cst.BaseExpression, scope: Scope) -> Iterator[Str]:
        """The `base_url` a client object was made with, for relative request paths."""
        for value in self.resolver.resolve(receiver, scope):
            if isinstance(value, Instance) and value.call is not None and value.scope is not None:
                for arg in value.call.args:
                    if arg.keyword is not None and arg.keyword.value in knowledge.BASE_URL_KEYWORDS:
                        yield from self.resolver.strings(arg.value, value.scope, value.context)

    def _record(self, value: Str, sink_role: Role | None, module: ModuleIndex,
                node: cst.CSTNode) -> None:
        flat = value.flat()
        for match in urls.find_hosts(flat):
            located = _text_span(value, match.start, match.end)
            if located is None or located[0].origin is None:
                continue
            literal = self.literals.get(_key(located[0].origin, located[1]))
            if literal is None:
                continue
            if match.carved_out:
                # The MCP server or a presigned link built on this base: that use needs the
                # host as it is, like a web link.
                use = Use(knowledge.WEB, module, None, node)
                if use not in literal.uses:
                    literal.uses.append(use)
                continue
            role = match.role
            if role is None and sink_role is not None and match.path_complete \
                    and urls.role_of_path(match.path, True) is None:
                role = sink_role  # a bare base handed to an OAuth library
            if role is None:
                continue
            vapid = None
            if role == knowledge.API and knowledge.LEGACY_API_PREFIX.match(match.path):
                start = flat.index(match.path, match.end)
                span = _text_span(value, start, start + len("/vapid"))
                if span is not None:
                    vapid = span[0].slice(span[1], span[1] + len("/vapid"))
            use = Use(role, module, vapid, node)
            if use not in literal.uses:
                literal.uses.append(use)

    # --- decisions ---------------------------------------------------------------------

    def _decide(self, literal: HostLiteral) -> HostFinding | None:
        facts = literal.facts
        roles = literal.roles()
        by_name = False
        if not roles:
            hinted = literal.hinted_role()
            if hinted is not None:
                roles, by_name = {hinted}, True
        needed = {role: _host_for(facts, role) for role in roles}
        if not roles:
            # Only a host that is wrong for both OAuth and REST is worth a word when we
            # cannot see its use; a scheme-less name may not be a URL at all.
            if facts.for_auth and facts.for_api and literal.has_scheme:
                return self._finding("unknown", literal, None, False)
            return None
        distinct = {host for host in needed.values()}
        if None in distinct:
            distinct.discard(None)
            if not distinct:
                return None  # web links on a host that does not serve the web: not ours
        if len(distinct) > 1:
            return self._finding("mixed", literal, None, by_name)
        (target,) = distinct
        if target == literal.host:
            return None
        kind: DecisionKind = "auth" if knowledge.AUTH in roles else "api"
        return self._finding(kind, literal, target, by_name)

    def _finding(self, kind: DecisionKind, literal: HostLiteral, target: str | None,
                 by_name: bool) -> HostFinding:
        start, end = self._report_range(literal)
        edits: tuple[Edit, ...] = ()
        applicability = Applicability.SAFE
        if kind in ("auth", "api") and target is not None and literal.origin.exact:
            host_edit = self._edit(literal.origin, literal.host_at, len(literal.host), target)
            vapid_edits: list[Edit] = []
            if kind == "api":
                if literal.own_vapid_at is not None:
                    vapid_edits.append(self._edit(literal.origin, literal.own_vapid_at,
                                                  len("/vapid"), knowledge.CURRENT_API_PREFIX))
                for use in literal.uses:
                    piece = use.vapid
                    if piece is None or piece.origin is None or not piece.origin.exact:
                        continue
                    if piece.origin.path == literal.path:
                        edit = self._edit(piece.origin, piece.at, len(piece.text),
                                          knowledge.CURRENT_API_PREFIX)
                        if edit not in vapid_edits:
                            vapid_edits.append(edit)
            edits = (host_edit, *vapid_edits)
            applicability = literal.facts.auth_fix if kind == "auth" else literal.facts.api_fix
            if by_name:
                applicability = Applicability.UNSAFE  # a name is only a hint
        split_name = None
        if kind == "mixed":
            split = self._split(literal)
            if split is not None:
                edits, split_name = split
                applicability = Applicability.UNSAFE
        return HostFinding(kind, literal, start, end, target, by_name, edits, applicability,
                           tuple(literal.uses), split_name)

    def _split(self, literal: HostLiteral) -> tuple[tuple[Edit, ...], str] | None:
        """Split a base used for OAuth and REST: the base becomes the API host and a new
        sibling constant with the login host serves the OAuth uses (all in this module)."""
        site = literal.site
        roles = {use.role for use in literal.uses}
        if (literal.own_role is not None or roles != {knowledge.AUTH, knowledge.API}
                or site is None or site.statement is None or site.bound_to is None
                or site.scope.kind != "module" or not isinstance(site.node, cst.SimpleString)
                or not literal.origin.exact):
            return None
        module = site.scope.module
        name = site.bound_to
        login_name = sibling_name(name, "LOGIN")
        if login_name in module.scope.bindings:
            return None
        renames: list[Edit] = []
        for use in literal.uses:
            if use.role != knowledge.AUTH:
                continue
            references = list(_name_nodes(use.node, name)) if use.node is not None else []
            if use.path != literal.path or not references:
                return None  # an OAuth use we cannot point at the new constant
            for reference in references:
                edit = Edit(module.start_of(reference), module.end_of(reference), login_name)
                if edit not in renames:
                    renames.append(edit)
        facts = literal.facts
        api_host = facts.for_api or facts.name
        login_host = facts.for_auth or facts.name
        raw = site.node.value
        at = literal.origin.offset + literal.host_at
        login_literal = raw[:at] + login_host + raw[at + len(literal.host):]
        statement_start = module.start_of(site.statement)
        statement_end = module.end_of(site.statement)
        lines = self._line_index(literal.path)
        line_end = Location(statement_end.row, len(lines.line(statement_end.row)) + 1)
        newline = "\r\n" if "\r\n" in lines.text else "\n"
        indent = lines.indent(statement_start)
        edits: list[Edit] = []
        if api_host != literal.host:
            edits.append(self._edit(literal.origin, literal.host_at, len(literal.host), api_host))
        edits.append(Edit.insertion(line_end, f"{newline}{indent}{login_name} = {login_literal}"))
        edits.extend(renames)
        return tuple(edits), login_name

    def _report_range(self, literal: HostLiteral) -> tuple[Location, Location]:
        if literal.report_node is None:
            index = self._line_index(literal.path)
            return index.location(literal.report_span[0]), index.location(literal.report_span[1])
        module = self.project.module(literal.path)
        assert module is not None
        return module.start_of(literal.report_node), module.end_of(literal.report_node)

    def _edit(self, origin: Origin, at: int, length: int, content: str) -> Edit:
        if origin.node is None:
            index = self._line_index(origin.path)
            start = origin.offset + at
            return Edit(index.location(start), index.location(start + length), content)
        module = self.project.module(origin.path)
        assert module is not None
        raw = _raw_text(origin.node)
        begin = module.start_of(origin.node)
        first = _advance(begin, raw[: origin.offset + at])
        last = _advance(first, raw[origin.offset + at: origin.offset + at + length])
        return Edit(first, last, content)

    def _line_index(self, path: str) -> LineIndex:
        if path not in self._line_indexes:
            self._line_indexes[path] = LineIndex(self.project.files[path].text)
        return self._line_indexes[path]


def sibling_name(name: str, word: str) -> str:
    """`PROCORE_BASE_URL` -> `PROCORE_LOGIN_URL`; `api_url` -> `login_url`; `ROOT` -> `ROOT_LOGIN`."""
    parts = name.split("_")
    upper = [p.upper() for p in parts]
    new = word if name.isupper() or not name.islower() else word.lower()
    for replaced in ("BASE", "API", "REST"):
        if replaced in upper:
            parts[upper.index(replaced)] = new
            return "_".join(parts)
    if "URL" in upper:
        index = upper.index("URL")
        return "_".join(parts[:index] + [new] + parts[index:])
    return f"{name}_{new}"


def _name_nodes(node: cst.CSTNode, name: str) -> Iterator[cst.Name]:
    """The `Name` nodes reading `name` inside `node` (not attribute names)."""
    if isinstance(node, cst.Name):
        if node.value == name:
            yield node
        return
    if isinstance(node, cst.Attribute):
        yield from _name_nodes(node.value, name)
        return
    for child in children(node):
        yield from _name_nodes(child, name)


def _host_for(facts: knowledge.HostFacts, role: Role) -> str | None:
    if role == knowledge.AUTH:
        return facts.for_auth or facts.name
    if role == knowledge.API:
        return facts.for_api or facts.name
    return facts.name if facts.serves_web else None


def _key(origin: Origin, at: int) -> tuple[int, str, int, int]:
    return (id(origin.node) if origin.node is not None else 0, origin.path, origin.offset, at)


def _text_span(value: Str, start: int, end: int) -> tuple[Text, int] | None:
    """The known part holding flat[start:end] whole, and the index in its origin's value."""
    if start < 0 or end <= start:
        return None
    first, offset = value.locate(start)
    last, _ = value.locate(end - 1)
    if first is not last or not isinstance(first, Text) or first.origin is None:
        return None
    return first, first.at + offset


def _raw_text(node: cst.CSTNode) -> str:
    if isinstance(node, (cst.SimpleString, cst.FormattedStringText)):
        return node.value
    raise TypeError(type(node).__name__)


def _advance(location: Location, text: str) -> Location:
    """The location after `text`, written from `location`."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if len(lines) == 1:
        return Location(location.row, location.column + len(text))
    return Location(location.row + len(lines) - 1, len(lines[-1]) + 1)


def _url_argument(call: cst.Call) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value in ("url", "token_url"):
            return arg.value
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if not positional:
        return None
    method = call.func.attr.value if isinstance(call.func, cst.Attribute) else ""
    # request(method, url, ...) puts the URL second.
    if method in ("request", "stream", "fetch") and len(positional) >= 2:
        return positional[1].value
    return positional[0].value


def _join_base(base: Str, url: Str) -> Str:
    """How httpx and aiohttp put a client's base_url before a relative request URL."""
    flat = url.flat()
    if "://" in flat[:12]:
        return url
    if flat.startswith("/") and base.flat().endswith("/"):
        return base.split_at(len(base.flat()) - 1)[0] + url
    return path_join(base, url) if flat and not flat.startswith("/") else base + url
