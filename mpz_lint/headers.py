"""Which HTTP requests go to Procore REST, and whether each sends Procore-Company-Id.

The analysis behind MPZ101-MPZ104, run once per project:

1. Every call that makes an HTTP request is matched against the client catalogue in the
   knowledge table (module functions, session and client methods, request objects that
   are sent later), by qualified name through imports, aliases and objects.
2. Its URL is resolved (with the client's `base_url`); a request to a Procore REST path
   that is not exempt needs the header.
3. The headers it sends are gathered as the library really merges them: the call's own
   `headers=`, the session's or client's defaults (unless the call path bypasses them),
   changes made to either afterwards, auth classes and event hooks that set the header.
4. A request inside a project function whose URL or headers come from that function's
   parameters (a wrapper) is judged at each caller, with the caller's arguments.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import libcst as cst

from mpz_lint import knowledge, urls
from mpz_lint.header_fix import HeaderFixTarget, company_id_in_scope, header_fix
from mpz_lint.knowledge import ClientClass, RequestApi
from mpz_lint.model import Applicability, Edit, Fix, Location
from mpz_lint.pyindex import ClassInfo, FunctionInfo, ModuleIndex, Scope, string_value
from mpz_lint.resolver import (
    CallContext,
    ClassValue,
    DictEntry,
    DictValue,
    External,
    FunctionValue,
    Instance,
    IntValue,
    Method,
    NoneValue,
    Resolver,
    Str,
    Unknown,
    Value,
    text_str,
)
from mpz_lint.treewalk import TreeWalker, children

if TYPE_CHECKING:
    from mpz_lint.project import Project
    from mpz_lint.settings import Settings

HeaderKind = Literal["missing", "misspelled", "not-str", "unverified"]


@dataclass(frozen=True)
class HeaderFinding:
    kind: HeaderKind
    module: ModuleIndex
    node: cst.CSTNode  # where to report: the call, the key or the value
    message: str
    endpoint: str = ""
    service_account: bool = False
    fix_target: HeaderFixTarget | None = None  # where a missing header can be added
    fixable: bool = True  # misspelled: renaming would not duplicate the right header
    client_call: int | None = None  # id of the call that made the session/client used
    session_fix: Fix | None = None  # unsafe: the header on the session's defaults


@dataclass(eq=False)
class Request:
    """One request-making call as the catalogue describes it."""

    call: cst.Call
    scope: Scope
    module: ModuleIndex
    api: RequestApi
    client: Instance | None = None
    client_class: ClientClass | None = None
    request_object: Instance | None = None  # requests.Request / urllib Request being sent
    host_node: cst.BaseExpression | None = None  # http.client: the connection's host
    host_scope: Scope | None = None


@dataclass
class SentHeaders:
    """What we know of the headers one request sends."""

    company: list[DictEntry] = field(default_factory=list)
    near_misses: list[DictEntry] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    by_auth: bool = False

    @property
    def sent(self) -> bool:
        return bool(self.company) or self.by_auth

    @property
    def on_every_path(self) -> bool:
        return self.by_auth or any(not e.conditional for e in self.company)


@dataclass(frozen=True)
class Endpoint:
    method: str | None
    url: Str
    host: str
    path: str  # known path and query after the host
    complete: bool


def normalise_header(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


class HeaderAnalysis:
    """Built once per run (Project.analysis(HeaderAnalysis)); rules read `findings(path)`."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.resolver: Resolver = project.analysis(Resolver)
        self.exemptions = exemptions(project.settings)
        self.configured_clients = {c.name: c for c in project.settings.http_clients}
        self.service_account = self._service_account()
        self._findings: dict[str, list[HeaderFinding]] = {}
        self._reported: set[tuple[int, str]] = set()
        # Requests made through each session/client (by the call that made it).
        self._client_requests: dict[int, int] = {}
        self._clients: dict[int, Instance] = {}
        for module in project.modules():
            for request in self._requests(module):
                client = request.client
                if client is not None and client.call is not None:
                    self._client_requests[id(client.call)] = (
                        self._client_requests.get(id(client.call), 0) + 1)
                    self._clients[id(client.call)] = client
                self._judge(request)
        self._offer_session_fixes()

    def findings(self, path: str) -> list[HeaderFinding]:
        return self._findings.get(path, [])

    def _offer_session_fixes(self) -> None:
        """A session or client all of whose requests go to Procore REST without the header
        can carry it in its default headers: one edit where it is made (unsafe: the session
        may later serve other companies)."""
        missing: dict[int, list[HeaderFinding]] = {}
        for findings in self._findings.values():
            for finding in findings:
                if finding.kind == "missing" and finding.client_call is not None:
                    missing.setdefault(finding.client_call, []).append(finding)
        for call_id, findings in missing.items():
            if len(findings) != self._client_requests.get(call_id):
                continue  # some request of this session goes elsewhere or sends the header
            fix = self._session_fix(self._clients[call_id])
            if fix is None:
                continue
            for finding in findings:
                index = self._findings[finding.module.path].index(finding)
                self._findings[finding.module.path][index] = dataclasses.replace(
                    finding, session_fix=fix)

    def _session_fix(self, client: Instance) -> Fix | None:
        assert client.call is not None
        if client.scope is None or client.context is not None:
            return None
        module = client.scope.module
        client_class = knowledge.CLIENT_CLASSES.get(client.external or "")
        target = HeaderFixTarget(module, client.call, client.scope,
                                 client_class.headers_kw if client_class and client_class.headers_kw
                                 else "", None, None)
        configured = self.project.settings.company_id_expr
        if target.keyword:
            made = header_fix(self.resolver, target, configured)
            if isinstance(made, str):
                return None
            return Fix(made.edits, Applicability.UNSAFE,
                       made.message.replace("to the headers", "to the session's default headers")
                       .replace("to a `headers=` argument", "to the client's default headers"))
        # requests.Session(): a line after the one that makes it.
        statement = module.assignments.get(id(client.call))
        company = company_id_in_scope(self.resolver, dataclasses.replace(target, keyword="headers"),
                                      configured)
        if statement is None or company is None:
            return None
        line, assigned = statement
        start, end = module.start_of(line), module.end_of(line)
        lines = module.lines
        newline = "\r\n" if "\r\n" in lines.text else "\n"
        at = Location(end.row, len(lines.line(end.row)) + 1)
        owner = module.tree.code_for_node(assigned).strip()
        insertion = (f"{newline}{lines.indent(start)}{owner}.headers"
                     f'["{knowledge.COMPANY_HEADER}"] = {company.as_header_value()}')
        return Fix((Edit.insertion(at, insertion),), Applicability.UNSAFE,
                   f"Set `{knowledge.COMPANY_HEADER}` on the session's default headers")

    def _add(self, finding: HeaderFinding) -> None:
        key = (id(finding.node), finding.kind)
        if key in self._reported:
            return
        self._reported.add(key)
        self._findings.setdefault(finding.module.path, []).append(finding)

    # --- service accounts --------------------------------------------------------------

    def _service_account(self) -> bool:
        mode = self.project.settings.service_account
        if mode != "auto":
            return mode == "yes"
        return uses_client_credentials(self.project)

    # --- finding requests --------------------------------------------------------------

    def _requests(self, module: ModuleIndex) -> Iterator[Request]:
        for site in module.calls:
            call = site.node
            assert isinstance(call, cst.Call)
            if not isinstance(call.func, (cst.Name, cst.Attribute)):
                continue
            for callee in self.resolver.resolve(call.func, site.scope):
                request = self._match(callee, call, site.scope, module)
                if request is not None:
                    yield request
                    break

    def _match(self, callee: object, call: cst.Call, scope: Scope,
               module: ModuleIndex) -> Request | None:
        configured = self._configured(callee)
        if configured is not None:
            return Request(call, scope, module, configured)
        if isinstance(callee, External):
            api = knowledge.MODULE_REQUEST_FUNCTIONS.get(callee.qualname)
            if api is not None:
                return Request(call, scope, module, api)
            if callee.qualname in knowledge.URLOPEN_FUNCTIONS and call.args:
                for value in self.resolver.resolve(call.args[0].value, scope):
                    if isinstance(value, Instance) and value.external in knowledge.REQUEST_OBJECT_CLASSES:
                        return Request(call, scope, module,
                                       knowledge.REQUEST_OBJECT_CLASSES[value.external],
                                       request_object=value)
                # urlopen(url_string) sends no headers and cannot be given any.
                return Request(call, scope, module,
                               RequestApi(0, "GET", defaults="none", headers_kw=""))
            return None
        if not isinstance(callee, Method) or not isinstance(callee.receiver, Instance):
            return None
        receiver = callee.receiver
        external = receiver.external or ""
        if external in knowledge.HOST_CONNECTION_CLASSES and callee.name == "request":
            host = _ctor_argument(receiver, 0, "host")
            return Request(call, scope, module, RequestApi(1, None, 0, 3, defaults="none"),
                           host_node=host, host_scope=receiver.scope)
        client_class = knowledge.CLIENT_CLASSES.get(external)
        if client_class is None:
            return None
        if callee.name in knowledge.SEND_METHODS and call.args:
            return self._send(call, scope, module, receiver, client_class)
        api = client_class.methods.get(callee.name)
        if api is None:
            return None
        return Request(call, scope, module, api, receiver, client_class)

    def _configured(self, callee: object) -> RequestApi | None:
        """A request-making function the project declared in `http-clients`."""
        if not self.configured_clients:
            return None
        name = None
        if isinstance(callee, External):
            name = callee.qualname
        elif isinstance(callee, FunctionValue):
            name = qualified_name(callee.function)
        elif isinstance(callee, Method) and isinstance(callee.receiver, Instance):
            receiver = callee.receiver
            owner = receiver.external or (qualified_name_of_class(receiver.cls)
                                          if receiver.cls is not None else None)
            name = f"{owner}.{callee.name}" if owner else None
        setting = self.configured_clients.get(name or "")
        if setting is None:
            return None
        fixed_method = setting.method if isinstance(setting.method, str) and \
            setting.method.isupper() else None
        return RequestApi(
            url_arg=setting.url if isinstance(setting.url, int) else None,
            method=fixed_method,
            method_arg=setting.method if isinstance(setting.method, int) else None,
            headers_arg=setting.headers if isinstance(setting.headers, int) else None,
            defaults="none",
            url_kw=setting.url if isinstance(setting.url, str) else "url",
            method_kw=(setting.method if isinstance(setting.method, str) and not fixed_method
                       else "method"),
            headers_kw=setting.headers if isinstance(setting.headers, str) else "headers",
        )

    def _send(self, call: cst.Call, scope: Scope, module: ModuleIndex, client: Instance,
              client_class: ClientClass) -> Request | None:
        """`session.send(prepared)`: only what the request object carries, unless it was
        built by the session itself (`prepare_request`, `build_request`)."""
        built = call.args[0].value
        if isinstance(built, cst.Name):
            bindings = _local_values(built.value, scope)
            built = bindings[0] if len(bindings) == 1 else built
        if isinstance(built, cst.Call) and isinstance(built.func, cst.Attribute):
            method = built.func.attr.value
            if method == "build_request":
                api = client_class.methods.get("request")
                if api is not None:
                    return Request(built, scope, module, api, client, client_class)
            if method in ("prepare_request", "prepare"):
                target = built.args[0].value if method == "prepare_request" and built.args \
                    else built.func.value
                for value in self.resolver.resolve(target, scope):
                    if isinstance(value, Instance) and value.external in knowledge.REQUEST_OBJECT_CLASSES:
                        merged = method == "prepare_request"
                        api = knowledge.REQUEST_OBJECT_CLASSES[value.external]
                        return Request(call, scope, module,
                                       RequestApi(api.url_arg, api.method, api.method_arg,
                                                  api.headers_arg,
                                                  "merge" if merged else "none"),
                                       client if merged else None, client_class,
                                       request_object=value)
        for value in self.resolver.resolve(call.args[0].value, scope):
            if isinstance(value, Instance) and value.external in knowledge.REQUEST_OBJECT_CLASSES:
                return Request(call, scope, module,
                               knowledge.REQUEST_OBJECT_CLASSES[value.external],
                               request_object=value)
        return None

    # --- judging one request -----------------------------------------------------------

    def _judge(self, request: Request) -> None:
        function = request.scope.function
        url_node, headers_node = self._url_node(request), self._headers_node(request)
        callers = self.resolver.call_sites(function) if function is not None else []
        depends_url = function is not None and _depends_on_parameters(url_node, function)
        # Forwarding means the caller chooses the headers: a parameter that holds them, a
        # dict spreading or updated from one, or **kwargs. A dict literal whose values use a
        # parameter (a token) is the function's own headers.
        depends_headers = function is not None and (
            _forwards_headers(headers_node, function) or _forwards_kwargs(request, function))
        if callers and (depends_url or depends_headers):
            assert function is not None
            if depends_headers:
                # A wrapper that forwards its caller's headers: judged at each caller.
                for caller, caller_scope in callers:
                    context = CallContext(function, caller, caller_scope, None,
                                          _bound_self(function, caller, self.resolver,
                                                      caller_scope))
                    caller_module = caller_scope.module
                    target = self._caller_fix_target(request, function, caller, caller_scope)
                    self._judge_in(request, context, (caller_module, caller), target)
                return
            # The URL comes from callers but the headers are the wrapper's own.
            endpoints: list[Endpoint] = []
            for caller, caller_scope in callers:
                context = CallContext(function, caller, caller_scope, None,
                                      _bound_self(function, caller, self.resolver, caller_scope))
                endpoints.extend(e for e in self._endpoints(request, context)
                                 if self._needs(e, request, context))
            if endpoints:
                self._judge_headers(request, None, endpoints, (request.module, request.call),
                                    self._own_fix_target(request), wrapper=True)
            return
        self._judge_in(request, None, (request.module, request.call),
                       self._own_fix_target(request))

    def _own_fix_target(self, request: Request) -> HeaderFixTarget:
        """The request call itself (or the request object it sends) gets the header."""
        call, scope = request.call, request.scope
        obj = request.request_object
        if obj is not None and obj.call is not None and obj.scope is not None:
            call, scope = obj.call, obj.scope
        return HeaderFixTarget(scope.module, call, scope, request.api.headers_kw,
                               request.api.headers_arg,
                               self._url_node(request), request.api.defaults == "replace")

    def _caller_fix_target(self, request: Request, function: FunctionInfo, caller: cst.Call,
                           caller_scope: Scope) -> HeaderFixTarget | None:
        """A wrapper forwarding its caller's headers: the caller's argument gets it."""
        headers = self._headers_node(request)
        params = [p for p in function.params]
        if function.cls is not None and not function.is_static and params:
            params = params[1:]
        if isinstance(headers, cst.Name):
            # The headers parameter itself, or one the local headers dict is updated from.
            names = {headers.value} | {
                m.argument.value.value for m in function.scope.module.mutations
                if m.scope is function.scope and isinstance(m.container, cst.Name)
                and m.container.value == headers.value and m.argument is not None
                and isinstance(m.argument.value, cst.Name)}
            for index, param in enumerate(params):
                if param.name.value in names:
                    return HeaderFixTarget(caller_scope.module, caller, caller_scope,
                                           param.name.value, index, None)
            return None
        if _forwards_kwargs(request, function):
            return HeaderFixTarget(caller_scope.module, caller, caller_scope, "headers", None, None)
        return None

    def _judge_in(self, request: Request, context: CallContext | None,
                  report_at: tuple[ModuleIndex, cst.CSTNode],
                  fix_target: HeaderFixTarget | None) -> None:
        endpoints = [e for e in self._endpoints(request, context) if self._needs(e, request, context)]
        if endpoints:
            self._judge_headers(request, context, endpoints, report_at, fix_target)

    def _judge_headers(self, request: Request, context: CallContext | None,
                       endpoints: list[Endpoint], report_at: tuple[ModuleIndex, cst.CSTNode],
                       fix_target: HeaderFixTarget | None, wrapper: bool = False) -> None:
        sent = self._sent_headers(request, context)
        module, node = report_at
        names = sorted({_describe(e) for e in endpoints})
        shown = ", ".join(names[:3]) + (", ..." if len(names) > 3 else "")
        for entry in sent.near_misses:
            if entry.key_node is not None and entry.scope is not None:
                key = entry.key.known() if entry.key is not None else "?"
                self._add(HeaderFinding(
                    "misspelled", entry.scope.module, entry.key_node,
                    f"Header `{key}` is not `{knowledge.COMPANY_HEADER}`: Procore ignores it "
                    f"(request to {shown})", shown, fixable=not sent.company))
        for entry in sent.company:
            self._check_value(entry, shown)
        if sent.sent:
            if not sent.on_every_path:
                self._add(HeaderFinding(
                    "unverified", module, node,
                    f"`{knowledge.COMPANY_HEADER}` is sent to {shown} only on some paths "
                    "(set inside a condition)", shown))
            return
        if sent.near_misses:
            return  # the misspelling is the defect; its fix sends the header
        if sent.unknown:
            self._add(HeaderFinding(
                "unverified", module, node,
                f"Cannot tell whether the request to {shown} sends `{knowledge.COMPANY_HEADER}`: "
                + "; ".join(sorted(set(sent.unknown))[:3]), shown))
            return
        service = self.service_account and any(
            _is_exempt(e, self.exemptions) for e in endpoints)
        if wrapper:
            message = (f"Request made for its callers ({shown}) does not send "
                       f"`{knowledge.COMPANY_HEADER}`")
        else:
            message = f"Request to {shown} does not send `{knowledge.COMPANY_HEADER}`"
        if service:
            message += (" (a service account: the client credentials grant makes /me and "
                        "/companies need it too)")
        client_call = (id(request.client.call) if not wrapper and request.client is not None
                       and request.client.call is not None else None)
        self._add(HeaderFinding("missing", module, node, message, shown, service, fix_target,
                                client_call=client_call))

    def _check_value(self, entry: DictEntry, shown: str) -> None:
        if entry.value is None or entry.scope is None:
            return
        values = self.resolver.resolve(entry.value, entry.scope, entry.context)
        if values and any(isinstance(v, IntValue) for v in values):
            self._add(HeaderFinding(
                "not-str", entry.scope.module, entry.value,
                f"`{knowledge.COMPANY_HEADER}` value is an int: requests raises InvalidHeader; "
                "send it as a str", shown))

    # --- URLs and exemptions ----------------------------------------------------------

    def _url_node(self, request: Request) -> cst.BaseExpression | None:
        if request.request_object is not None:
            obj = request.request_object
            return _ctor_argument(obj, request.api.url_arg, request.api.url_kw)
        return _call_argument(request.call, request.api.url_arg, request.api.url_kw)

    def _headers_node(self, request: Request) -> cst.BaseExpression | None:
        if request.request_object is not None:
            return _ctor_argument(request.request_object, request.api.headers_arg,
                                  request.api.headers_kw)
        return _call_argument(request.call, request.api.headers_arg, request.api.headers_kw)

    def _endpoints(self, request: Request, context: CallContext | None) -> list[Endpoint]:
        url_node = self._url_node(request)
        if url_node is None:
            return []
        scope = request.scope
        url_context = context
        if request.request_object is not None and request.request_object.scope is not None:
            scope, url_context = _object_scope(request.request_object, context)
        values = self.resolver.strings(url_node, scope, url_context)
        if request.host_node is not None and request.host_scope is not None:
            hosts = self.resolver.strings(request.host_node, request.host_scope)
            values = [text_str("https://") + h + v for h in hosts for v in values]
        elif request.client is not None and request.client_class is not None \
                and request.client_class.base_url_kw:
            base_node = _ctor_argument(request.client, None, request.client_class.base_url_kw)
            if base_node is not None and request.client.scope is not None:
                bases = self.resolver.strings(base_node, request.client.scope, request.client.context)
                values = [_join(b, v) for b in bases for v in values]
        method = request.api.method or self._method(request, context)
        endpoints: list[Endpoint] = []
        for value in values:
            flat = value.flat()
            found = False
            for match in urls.find_hosts(flat):
                found = True
                role = match.role
                facts = knowledge.HOSTS_BY_NAME[match.host]
                if role == knowledge.API or (role is None and facts.for_api is None
                                             and facts.for_auth is not None and not match.path):
                    endpoints.append(Endpoint(method, value, match.host, match.path,
                                              match.path_complete))
                break
            unknown_base = None if found else _UNKNOWN_BASE_REST.match(flat)
            if unknown_base is not None:
                # A base URL we cannot see (read at run time) joined with Procore's own REST
                # path: `/rest/v1.0/...` is Procore's, whatever host the deployment uses.
                path = unknown_base.group(1)
                complete = urls.HOLE not in path
                endpoints.append(Endpoint(method, value, "", path.split(urls.HOLE, 1)[0], complete))
        return endpoints

    def _method(self, request: Request, context: CallContext | None) -> str | None:
        node = _call_argument(request.call, request.api.method_arg, request.api.method_kw)
        if request.request_object is not None:
            node = _ctor_argument(request.request_object, request.api.method_arg,
                                  request.api.method_kw)
        if node is None:
            return "GET" if request.request_object is not None else None
        for value in self.resolver.strings(node, request.scope, context):
            known = value.known()
            if known:
                return known.upper()
        return None

    def _needs(self, endpoint: Endpoint, request: Request, context: CallContext | None) -> bool:
        """Whether a request to `endpoint` must send the header (RULES.md section 2)."""
        if endpoint.host in knowledge.NON_API_HOSTS:
            return False
        if self.service_account:
            return True
        rule = _exempt_rule(endpoint, self.exemptions)
        if rule is None:
            return True
        return bool(self._query_names(endpoint, request, context) & rule.unless_query)

    def _query_names(self, endpoint: Endpoint, request: Request,
                     context: CallContext | None) -> set[str]:
        """Query parameter names sent: in the URL and in `params=`."""
        query = endpoint.path.split("?", 1)[1] if "?" in endpoint.path else ""
        names = {part.split("=", 1)[0] for part in query.split("&") if part}
        params = _call_argument(request.call, None, "params")
        if params is not None:
            for value in self.resolver.resolve(params, request.scope, context):
                if isinstance(value, DictValue):
                    names |= {k for e in value.entries if e.key is not None
                              for k in [e.key.known()] if k}
        return names

    # --- headers a request sends ------------------------------------------------------

    def _sent_headers(self, request: Request, context: CallContext | None) -> SentHeaders:
        sent = SentHeaders()
        headers_node = self._headers_node(request)
        scope = request.scope
        header_context = context
        if request.request_object is not None and request.request_object.scope is not None:
            scope, header_context = _object_scope(request.request_object, context)
        if headers_node is not None:
            self._examine(self.resolver.resolve(headers_node, scope, header_context), sent)
        elif request.request_object is None and _star_kwargs(request.call):
            forwarded = self._headers_through_kwargs(request, context)
            if forwarded is None:
                sent.unknown.append("headers may come through **kwargs")
            else:
                self._examine(forwarded, sent)
        if request.request_object is not None and request.request_object.call is not None:
            # urllib's Request.add_header(...) and `req.headers[...] = ...`
            for key in (("obj", id(request.request_object.call), "headers"),):
                self._entries(self.resolver.mutation_entries(key), sent)
            self._entries(self._add_header_calls(request.request_object), sent)
        passes_none = headers_node is not None and all(
            isinstance(v, NoneValue) for v in self.resolver.resolve(headers_node, scope, header_context))
        uses_defaults = request.api.defaults == "merge" or (
            request.api.defaults == "replace" and (headers_node is None or passes_none))
        if uses_defaults and request.client is not None:
            self._client_defaults(request.client, request.client_class, sent)
        if self._auth_sets_header(request):
            sent.by_auth = True
        return sent

    def _headers_through_kwargs(self, request: Request,
                                context: CallContext | None) -> list[Value] | None:
        """`def get(path, **kwargs): requests.get(url, **kwargs)` judged for one caller:
        the caller's own `headers=`, or none at all. None when it cannot be told."""
        function = request.scope.function
        if context is None or function is None or context.function is not function \
                or not _forwards_kwargs(request, function):
            return None
        for arg in context.call.args:
            if arg.keyword is not None and arg.keyword.value == request.api.headers_kw:
                return self.resolver.resolve(arg.value, context.scope, context.outer)
        if any(arg.star == "**" for arg in context.call.args):
            return None
        return []  # the caller passes no headers

    def _add_header_calls(self, obj: Instance) -> list[DictEntry]:
        assert obj.call is not None
        entries = []
        # add_header(k, v) is filed under the Request object itself, found through its name.
        for module in self.project.modules():
            for mutation in module.mutations:
                if mutation.key is None:
                    continue
                for value in self.resolver.resolve(mutation.container, mutation.scope):
                    if isinstance(value, Instance) and value.call is obj.call:
                        keys = self.resolver.strings(mutation.key, mutation.scope)
                        entries.append(DictEntry(keys[0] if len(keys) == 1 else None,
                                                 mutation.key, mutation.value, mutation.scope,
                                                 None, mutation.conditional))
        return entries

    def _client_defaults(self, client: Instance, client_class: ClientClass | None,
                         sent: SentHeaders) -> None:
        if client_class is not None and client_class.headers_kw and client.scope is not None:
            node = _ctor_argument(client, None, client_class.headers_kw)
            if node is not None:
                self._examine(self.resolver.resolve(node, client.scope, client.context), sent)
        if client.call is not None:
            self._entries(self.resolver.mutation_entries(("obj", id(client.call), "headers")), sent)
        if client.cls is not None:
            found = self.resolver.class_attribute(client.cls, "headers", client)
            if found:
                self._examine([v for v in found if isinstance(v, DictValue)], sent)
            self._entries(self.resolver.mutation_entries(("attr", id(client.cls), "headers")), sent)

    def _examine(self, values: list[Value], sent: SentHeaders) -> None:
        for value in values:
            if isinstance(value, DictValue):
                self._entries(list(value.entries), sent)
                sent.unknown.extend(f"headers include {why}" for why in value.unknown)
            elif isinstance(value, Unknown):
                sent.unknown.append(value.why)
            elif isinstance(value, NoneValue):
                continue  # headers=None: no headers of the call's own
            else:
                sent.unknown.append("headers from an object we cannot read")

    def _entries(self, entries: list[DictEntry], sent: SentHeaders) -> None:
        for entry in entries:
            if entry.key is None:
                sent.unknown.append("a header whose name we cannot read")
                continue
            name = entry.key.known()
            if name is None:
                sent.unknown.append("a header whose name we cannot read")
                continue
            if name.lower() == knowledge.COMPANY_HEADER.lower():
                sent.company.append(entry)
            elif normalise_header(name) in knowledge.COMPANY_HEADER_NEAR_MISSES:
                sent.near_misses.append(entry)

    def _auth_sets_header(self, request: Request) -> bool:
        """An auth object or event hook (on the call or the client) that sets the header."""
        nodes: list[tuple[cst.BaseExpression, Scope, CallContext | None]] = []
        for keyword in ("auth", "event_hooks", "hooks"):
            node = _call_argument(request.call, None, keyword)
            if node is not None:
                nodes.append((node, request.scope, None))
            client = request.client
            if client is not None and client.scope is not None:
                node = _ctor_argument(client, None, keyword)
                if node is not None:
                    nodes.append((node, client.scope, client.context))
        if request.client is not None and request.client.call is not None:
            for attribute in ("auth", "hooks", "event_hooks"):
                key = ("obj", id(request.client.call), attribute)
                for mutation in self.resolver.mutations(key):
                    if mutation.value is not None:
                        nodes.append((mutation.value, mutation.scope, None))
        for node, scope, context in nodes:
            for value in self._callables(node, scope, context):
                if _sets_company_header(value):
                    return True
        return False

    def _callables(self, node: cst.BaseExpression, scope: Scope,
                   context: CallContext | None) -> Iterator[cst.CSTNode]:
        """The project functions and classes an auth= / hooks= value refers to."""
        if isinstance(node, (cst.List, cst.Tuple)):
            for element in node.elements:
                yield from self._callables(element.value, scope, context)
            return
        if isinstance(node, cst.Dict):
            for item in node.elements:
                yield from self._callables(item.value, scope, context)
            return
        for value in self.resolver.resolve(node, scope, context):
            if isinstance(value, FunctionValue):
                yield value.function.node
            elif isinstance(value, (Instance, ClassValue)) and value.cls is not None:
                yield value.cls.node
            elif isinstance(value, DictValue):
                for entry in value.entries:
                    if entry.value is not None and entry.scope is not None:
                        yield from self._callables(entry.value, entry.scope, entry.context)


# --- helpers -------------------------------------------------------------------------------

def module_name(module: ModuleIndex) -> str:
    """`acme/http.py` -> `acme.http`; `acme/__init__.py` -> `acme`."""
    stem = module.path.replace("\\", "/").rsplit(".", 1)[0]
    parts = [p for p in stem.split("/") if p not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def qualified_name_of_class(cls: ClassInfo) -> str:
    return f"{module_name(cls.module)}.{cls.name}"


def qualified_name(function: FunctionInfo) -> str:
    owner = (qualified_name_of_class(function.cls) if function.cls is not None
             else module_name(function.scope.module))
    return f"{owner}.{function.name}"


def uses_client_credentials(project: Project) -> bool:
    """Whether the project gets its tokens with the client credentials grant (a service
    account): a `grant_type` keyword or dict entry, a form body, or oauthlib's
    BackendApplicationClient. Docs and comments do not count."""
    client_names = {q.rsplit(".", 1)[-1] for q in knowledge.SERVICE_ACCOUNT_CLIENTS}
    maybe_clients: list[tuple[cst.Call, Scope]] = []
    for module in project.modules():
        if module.client_credentials:
            return True
        for site in module.calls:
            call = site.node
            assert isinstance(call, cst.Call)
            for arg in call.args:
                if (arg.keyword is not None and arg.keyword.value == "grant_type"
                        and _is_grant(arg.value)):
                    return True
            if any(name in module.source.text for name in client_names):
                maybe_clients.append((call, site.scope))
    # Calls are resolved (the client may be imported under another name) only in modules
    # that name the client, and only when nothing simpler said so.
    resolver: Resolver = project.analysis(Resolver)
    return any(isinstance(value, External) and value.qualname in knowledge.SERVICE_ACCOUNT_CLIENTS
               for call, scope in maybe_clients for value in resolver.resolve(call.func, scope))


def _is_grant(node: cst.BaseExpression) -> bool:
    return (isinstance(node, cst.SimpleString)
            and string_value(node) == knowledge.SERVICE_ACCOUNT_GRANT)


def _call_argument(call: cst.Call, index: int | None, keyword: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg.value
    if index is None:
        return None
    positional = []
    for arg in call.args:
        if arg.star == "*":
            break  # positions after *args cannot be told
        if arg.keyword is None and not arg.star:
            positional.append(arg.value)
    return positional[index] if index < len(positional) else None


def _ctor_argument(obj: Instance, index: int | None, keyword: str) -> cst.BaseExpression | None:
    return _call_argument(obj.call, index, keyword) if obj.call is not None else None


_UNKNOWN_BASE_REST = re.compile(
    r"\x00+(/(?:rest/v\d+\.\d+|vapid)(?:[/?#].*)?)\Z", re.IGNORECASE | re.DOTALL)


def _object_scope(obj: Instance, context: CallContext | None) -> tuple[Scope, CallContext | None]:
    """Where to read a request object's arguments: with the caller's context when the
    object is made in the function being judged for that caller."""
    assert obj.scope is not None
    if context is not None and obj.scope.function is context.function:
        return obj.scope, context
    return obj.scope, obj.context


def _star_kwargs(call: cst.Call) -> bool:
    return any(arg.star == "**" for arg in call.args)


def _local_values(name: str, scope: Scope) -> list[cst.BaseExpression]:
    return [b.value for b in scope.bindings.get(name, []) if b.value is not None]


def _caller_parameters(function: FunctionInfo) -> set[str]:
    """The parameters a caller fills: all but `self`/`cls`, with `**kwargs`."""
    params = {p.name.value for p in function.params}
    if function.cls is not None and function.params and not function.is_static:
        params.discard(function.params[0].name.value)
    star = function.node.params.star_kwarg
    if isinstance(star, cst.Param):
        params.add(star.name.value)
    return params


def _depends_on_parameters(node: cst.BaseExpression | None, function: FunctionInfo,
                           depth: int = 0) -> bool:
    """Whether `node` is built from `function`'s parameters (other than self)."""
    if node is None or depth > 6:
        return False
    params = _caller_parameters(function)
    for name in _names_in(node):
        if name in params:
            return True
        for value in _local_values(name, function.scope):
            if _depends_on_parameters(value, function, depth + 1):
                return True
        # `headers[k] = v` / `headers.update(extra)` in the function, from its parameters.
        for mutation in function.scope.module.mutations:
            if (mutation.scope is function.scope and isinstance(mutation.container, cst.Name)
                    and mutation.container.value == name):
                changed = [mutation.key, mutation.value,
                           mutation.argument.value if mutation.argument else None]
                if any(_depends_on_parameters(n, function, depth + 1) for n in changed):
                    return True
    return False


def _forwards_headers(node: cst.BaseExpression | None, function: FunctionInfo,
                      depth: int = 0) -> bool:
    """Whether the headers `node` stands for are chosen by `function`'s caller."""
    if node is None or depth > 6:
        return False
    params = _caller_parameters(function)
    if isinstance(node, cst.Name):
        if node.value in params:
            return True
        if any(_forwards_headers(v, function, depth + 1)
               for v in _local_values(node.value, function.scope)):
            return True
        return any(
            m.scope is function.scope and isinstance(m.container, cst.Name)
            and m.container.value == node.value and (
                (m.argument is not None and _forwards_headers(m.argument.value, function, depth + 1))
                or (m.key is not None and _depends_on_parameters(m.key, function, depth + 1)))
            for m in function.scope.module.mutations)
    if isinstance(node, cst.Dict):
        return any(isinstance(e, cst.StarredDictElement)
                   and _forwards_headers(e.value, function, depth + 1) for e in node.elements)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return (_forwards_headers(node.left, function, depth + 1)
                or _forwards_headers(node.right, function, depth + 1))
    if isinstance(node, cst.BooleanOperation):
        return (_forwards_headers(node.left, function, depth + 1)
                or _forwards_headers(node.right, function, depth + 1))
    if isinstance(node, cst.Call):
        func = node.func
        if isinstance(func, cst.Name) and func.value == "dict":
            return any(a.keyword is None and _forwards_headers(a.value, function, depth + 1)
                       for a in node.args)
        if isinstance(func, cst.Attribute) and func.attr.value == "copy":
            return _forwards_headers(func.value, function, depth + 1)
    return False


def _names_in(node: cst.CSTNode) -> Iterator[str]:
    if isinstance(node, cst.Name):
        yield node.value
        return
    if isinstance(node, cst.Attribute):
        yield from _names_in(node.value)
        return
    for child in children(node):
        yield from _names_in(child)


def _forwards_kwargs(request: Request, function: FunctionInfo) -> bool:
    star = function.node.params.star_kwarg
    if not isinstance(star, cst.Param):
        return False
    return any(arg.star == "**" and isinstance(arg.value, cst.Name)
               and arg.value.value == star.name.value for arg in request.call.args)


def _bound_self(function: FunctionInfo, call: cst.Call, resolver: Resolver,
                scope: Scope) -> Instance | None:
    if function.cls is None or function.is_static or not isinstance(call.func, cst.Attribute):
        return None
    for value in resolver.resolve(call.func.value, scope):
        if isinstance(value, Instance):
            return value
    return None


def _join(base: Str, url: Str) -> Str:
    flat = url.flat()
    if "://" in flat[:12]:
        return url
    if flat.startswith("/") and base.flat().endswith("/"):
        return base.split_at(len(base.flat()) - 1)[0] + url
    if flat and not flat.startswith("/") and not base.flat().endswith("/"):
        return base + text_str("/") + url
    return base + url


def _path_only(endpoint: Endpoint) -> str:
    return endpoint.path.split("?", 1)[0].split("#", 1)[0].rstrip("/")


def exemptions(settings: Settings) -> tuple[knowledge.ExemptEndpoint, ...]:
    """The exempt endpoints in force: the knowledge table's, or the configured ones."""
    base = (knowledge.EXEMPT_ENDPOINTS if settings.exempt_endpoints is None
            else tuple(knowledge.parse_exempt_endpoint(t) for t in settings.exempt_endpoints))
    return base + tuple(knowledge.parse_exempt_endpoint(t)
                        for t in settings.extend_exempt_endpoints)


def _exempt_rule(endpoint: Endpoint, rules: tuple[knowledge.ExemptEndpoint, ...]
                 ) -> knowledge.ExemptEndpoint | None:
    """The exemption whose path this endpoint is on, if its path is known that far."""
    path = _path_only(endpoint)
    for rule in rules:
        if endpoint.method not in (None, rule.method):
            continue
        if endpoint.complete or "?" in endpoint.path:
            if _path_matches(rule.path, path):
                return rule
    return None


def _path_matches(pattern: str, path: str) -> bool:
    regex = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(pattern)) + "$"
    return re.match(regex, path, re.IGNORECASE) is not None


def _is_exempt(endpoint: Endpoint, rules: tuple[knowledge.ExemptEndpoint, ...]) -> bool:
    rule = _exempt_rule(endpoint, rules)
    if rule is None:
        return False
    query = endpoint.path.split("?", 1)[1] if "?" in endpoint.path else ""
    return not ({part.split("=", 1)[0] for part in query.split("&") if part} & rule.unless_query)


def _describe(endpoint: Endpoint) -> str:
    method = endpoint.method or "?"
    path = (endpoint.path or "/") + ("" if endpoint.complete else urls.HOLE)
    return f"{method} {path.replace(urls.HOLE, '{…}')}"


def _sets_company_header(node: cst.CSTNode) -> bool:
    """Whether a function or class body writes the company header somewhere."""
    finder = _CompanyHeaderFinder()
    finder.walk(node)
    return finder.found


class _CompanyHeaderFinder(TreeWalker):
    wanted = knowledge.COMPANY_HEADER.lower()

    def __init__(self) -> None:
        super().__init__()
        self.found = False

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        value = string_value(node)
        if isinstance(value, str) and value.lower() == self.wanted:
            self.found = True
