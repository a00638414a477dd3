"""A runtime guard: checks MPZ compliance of the Procore requests a program really makes.

`MpzGuard` patches the transports of `requests`, `httpx` and `aiohttp` (each only when it
is installed) so that no request leaves the process: every request is answered locally,
Procore hosts with small Procore-like responses and every other host with an empty 404.
Each request to a Procore host is checked with the same facts and codes as the static
rules (`mpz_lint.knowledge`), and what it finds is kept as `Violation`s:

    with MpzGuard() as guard:
        sync_projects()
    guard.assert_clean()

Installed with pytest, this module is also a pytest plugin (entry point `pytest11`) that
provides the `mpz_guard` fixture: it fails the test at teardown while violations remain.
See docs/runtime-guard.md.
"""

from __future__ import annotations

import asyncio
import importlib
import io
import json
import re
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from types import ModuleType
from typing import Any, Callable
from urllib.parse import SplitResult, parse_qsl, urlsplit

from mpz_lint import knowledge, urls

__all__ = ["MpzGuard", "SeenRequest", "Violation", "mpz_guard"]


@dataclass(frozen=True)
class Violation:
    """One request that broke an MPZ requirement, with the static rule's code."""

    code: str
    method: str
    url: str
    message: str

    def __str__(self) -> str:
        return f"{self.code} {self.method} {self.url}: {self.message}"


@dataclass(frozen=True)
class SeenRequest:
    """A request that reached a patched transport (and was answered locally)."""

    method: str
    url: str
    headers: Mapping[str, str]  # names as the program spelled them
    body: bytes = b""

    def header(self, name: str) -> str | None:
        """The value of header `name` (case-insensitive), or None when it was not sent."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)


# --- the only Procore-specific content of this module: the bodies of local answers --------

_TOKEN_BODY: dict[str, object] = {
    "access_token": "test-token",
    "token_type": "Bearer",
    "expires_in": 7200,
    "refresh_token": "test-refresh",
    "created_at": 0,
}
_ME_BODY: dict[str, object] = {"id": 1, "login": "guard@example.com", "name": "Guard"}


@dataclass(frozen=True)
class _Reply:
    """The local answer to one request."""

    status: int
    body: bytes = b""
    content_type: str | None = None

    @property
    def reason(self) -> str:
        return HTTPStatus(self.status).phrase

    def header_pairs(self) -> list[tuple[str, str]]:
        pairs = [("Content-Length", str(len(self.body)))]
        if self.content_type is not None:
            pairs.append(("Content-Type", self.content_type))
        return pairs


def _json_reply(value: object) -> _Reply:
    return _Reply(200, json.dumps(value).encode(), "application/json")


_NOT_FOUND = _Reply(404)


# --- where a request goes, in the terms of knowledge ----------------------------------------


@dataclass(frozen=True)
class _Target:
    host: str  # lower case, no trailing dot, no port or userinfo
    path: str  # path and query, as sent
    facts: knowledge.HostFacts | None  # None: not an OAuth/REST host we have facts for
    procore: bool  # answered like Procore (any host of Procore's domains)
    role: knowledge.Role | None
    carved_out: bool

    @property
    def bare_path(self) -> str:
        return self.path.split("?", 1)[0].rstrip("/")

    @property
    def query_names(self) -> set[str]:
        query = self.path.split("?", 1)[1] if "?" in self.path else ""
        return {part.split("=", 1)[0] for part in query.split("&") if part}

    @property
    def checked(self) -> bool:
        """Whether MPZ rules apply: an OAuth or REST request to a known, not carved-out host."""
        return (self.facts is not None and not self.carved_out
                and self.role in (knowledge.AUTH, knowledge.API))


def _target(url: str) -> _Target:
    parts = _split(url)
    host = (parts.hostname or "").rstrip(".")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    procore = any(host == domain or host.endswith("." + domain)
                  for domain in knowledge.PROCORE_DOMAINS)
    return _Target(
        host=host,
        path=path,
        facts=knowledge.HOSTS_BY_NAME.get(host),
        procore=procore,
        role=urls.role_of_path(path, True) if procore else None,
        carved_out=knowledge.is_carved_out(host, path) or host in knowledge.NON_API_HOSTS,
    )


def _split(url: str) -> SplitResult:
    try:
        return urlsplit(url)
    except ValueError:  # a malformed port or IPv6 literal: not a Procore request
        return urlsplit("")


def _letters(name: str) -> str:
    return re.sub(r"[^a-z]", "", name.lower())


def _path_matches(pattern: str, path: str) -> bool:
    regex = "^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(pattern)) + "$"
    return re.match(regex, path, re.IGNORECASE) is not None


def _exempt_endpoint(method: str, target: _Target) -> knowledge.ExemptEndpoint | None:
    """The exemption this request falls under, ignoring the service-account switch."""
    for endpoint in knowledge.EXEMPT_ENDPOINTS:
        if (method == endpoint.method and _path_matches(endpoint.path, target.bare_path)
                and not target.query_names & endpoint.unless_query):
            return endpoint
    return None


def _is_token_request(method: str, target: _Target) -> bool:
    return (method == "POST" and target.role == knowledge.AUTH
            and target.bare_path.lower().endswith("/oauth/token"))


def _grant_types(target: _Target, body: bytes) -> set[str]:
    """`grant_type` values of a token request: form or JSON body, or the query string."""
    query = target.path.split("?", 1)[1] if "?" in target.path else ""
    grants = {v for k, v in parse_qsl(query) if k == "grant_type"}
    text = body.decode("utf-8", "replace").strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except ValueError:
            return grants
        value = data.get("grant_type") if isinstance(data, dict) else None
        return grants | ({value} if isinstance(value, str) else set())
    return grants | {v for k, v in parse_qsl(text) if k == "grant_type"}


def _reply_for(method: str, target: _Target) -> _Reply:
    if not target.procore:
        return _NOT_FOUND
    if method == "HEAD":
        return _Reply(200)
    if target.role == knowledge.AUTH:
        return _json_reply(_TOKEN_BODY if _is_token_request(method, target) else {})
    if target.role == knowledge.API:
        last = target.bare_path.rsplit("/", 1)[-1].lower()
        if last == "me":
            return _json_reply(_ME_BODY)
        if method == "GET" and not last.isdigit():
            return _json_reply([])  # a list endpoint: /projects, /companies/1/users
        return _json_reply({})
    return _Reply(200)  # web pages, file links, storage


def _text(value: object) -> str:
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("latin-1")
    return str(value)


def _body_bytes(body: object) -> bytes:
    """A request body as bytes; a streamed body (generator, file) is not read."""
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body)
    if isinstance(body, str):
        return body.encode()
    return b""


# --- patching ---------------------------------------------------------------------------------


class _Patches:
    """Attributes replaced on library classes, undone in reverse order."""

    def __init__(self) -> None:
        self._undo: list[tuple[type, str, object]] = []

    def replace(self, cls: type, name: str, make: Callable[[Any], object], *,
                inherited: bool = False) -> None:
        """Replace `name` on `cls` by `make(original)`; with `inherited`, on the nearest
        base that defines it."""
        owners = cls.__mro__ if inherited else (cls,)
        owner = next((k for k in owners if name in k.__dict__), None)
        if owner is None:
            # Failing beats a silent skip: an unpatched library would reach the network.
            raise RuntimeError(f"MpzGuard cannot patch {cls.__module__}.{cls.__qualname__}."
                               f"{name}: not in this version of the library")
        if any(o is owner and n == name for o, n, _ in self._undo):
            return  # shared by two patched classes (httpx's Client and AsyncClient)
        original = owner.__dict__[name]
        setattr(owner, name, make(getattr(owner, name)))
        self._undo.append((owner, name, original))

    def undo(self) -> None:
        while self._undo:
            owner, name, original = self._undo.pop()
            setattr(owner, name, original)


def _optional(module: str) -> ModuleType | None:
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


_active_lock = threading.Lock()
_active: list[MpzGuard] = []


class MpzGuard:
    """Answers every HTTP request locally and records MPZ violations of Procore requests.

    Use as a context manager. While active, `requests`, `httpx` (sync and async) and
    `aiohttp` send nothing over the network; `libraries` names the ones patched. Only one
    guard may be active at a time. `service_account` forces the client-credentials
    answer; by default it is True once a token request with that grant was seen.
    """

    def __init__(self, *, service_account: bool | None = None) -> None:
        self.violations: list[Violation] = []
        self.requests: list[SeenRequest] = []
        self.service_account = service_account
        # Read by the pytest fixture: whether remaining violations fail the test.
        self.fail_on_exit = True
        self.libraries: tuple[str, ...] = ()
        self._saw_client_credentials = False
        self._lock = threading.Lock()
        self._patches = _Patches()

    # --- the public surface -------------------------------------------------------------

    @property
    def strict(self) -> bool:
        """The same switch as `fail_on_exit`."""
        return self.fail_on_exit

    @strict.setter
    def strict(self, value: bool) -> None:
        self.fail_on_exit = value

    @property
    def is_service_account(self) -> bool:
        """Whether /me and /companies need the company header (client credentials grant)."""
        if self.service_account is not None:
            return self.service_account
        return self._saw_client_credentials

    def report(self) -> str:
        """The violations, one per line, under a one-line summary."""
        count = len(self.violations)
        lines = [f"MPZ guard: {count} violation{'s' if count != 1 else ''}"]
        lines.extend(str(v) for v in self.violations)
        return "\n".join(lines)

    def assert_clean(self) -> None:
        """Raise AssertionError listing the violations, if any were recorded."""
        if self.violations:
            raise AssertionError(self.report())

    def expect(self, *codes: str) -> list[Violation]:
        """Take the violations with these codes (all, when none are given) off the list.

        Returns them, so a test can assert on them; raises AssertionError when one of the
        codes was never recorded.
        """
        with self._lock:
            wanted = set(codes) or {v.code for v in self.violations}
            missing = sorted(wanted - {v.code for v in self.violations})
            if missing or not wanted:
                raise AssertionError(
                    f"expected {', '.join(missing) or 'violations'}, got: "
                    + (", ".join(sorted({v.code for v in self.violations})) or "none"))
            taken = [v for v in self.violations if v.code in wanted]
            self.violations = [v for v in self.violations if v.code not in wanted]
        return taken

    def clear(self) -> None:
        """Forget the violations recorded so far (the seen requests are kept)."""
        with self._lock:
            self.violations.clear()

    def __enter__(self) -> MpzGuard:
        with _active_lock:
            if _active:
                raise RuntimeError("another MpzGuard is already active")
            _active.append(self)
        try:
            patched = [name for name, patch in (("requests", self._patch_requests),
                                                ("httpx", self._patch_httpx),
                                                ("aiohttp", self._patch_aiohttp))
                       if patch()]
        except BaseException:
            self._deactivate()
            raise
        self.libraries = tuple(patched)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._deactivate()

    def _deactivate(self) -> None:
        self._patches.undo()
        with _active_lock:
            if self in _active:
                _active.remove(self)

    # --- checks ---------------------------------------------------------------------------

    def _exchange(self, method: str, url: str, headers: list[tuple[str, str]],
                  body: bytes) -> _Reply:
        """Record and check one request that reached a transport; return its answer."""
        method = method.upper()
        target = _target(url)
        with self._lock:
            self.requests.append(SeenRequest(method, url, dict(headers), body))
            if (target.procore and _is_token_request(method, target)
                    and knowledge.SERVICE_ACCOUNT_GRANT in _grant_types(target, body)):
                self._saw_client_credentials = True
            self.violations.extend(self._check(method, url, target, headers))
        return _reply_for(method, target)

    def _check(self, method: str, url: str, target: _Target,
               headers: list[tuple[str, str]]) -> Iterator[Violation]:
        if not target.checked or target.role is None:
            return
        right = urls.correct_host(target.host, target.role)
        if right is not None:
            code, use = ("MPZ001", "OAuth") if target.role == knowledge.AUTH else ("MPZ002", "REST")
            yield Violation(code, method, url,
                            f"legacy host {target.host} used for {use}; {use} goes to {right}")
        if target.role != knowledge.API:
            return
        exempt = _exempt_endpoint(method, target)
        if exempt is not None and not self.is_service_account:
            return
        wanted = knowledge.COMPANY_HEADER.lower()
        near_misses = [name for name, _ in headers if name.lower() != wanted
                       and _letters(name) in knowledge.COMPANY_HEADER_NEAR_MISSES]
        for name in near_misses:
            yield Violation("MPZ102", method, url,
                            f"header {name!r} is not {knowledge.COMPANY_HEADER}; "
                            "Procore ignores it")
        if near_misses or any(name.lower() == wanted for name, _ in headers):
            return
        message = f"no {knowledge.COMPANY_HEADER} header"
        if exempt is not None:
            message += (" (service account: the client credentials grant makes "
                        f"{exempt.path} need it too)")
        yield Violation("MPZ101", method, url, message)

    def _check_header_types(self, method: object, url: object,
                            headers: Iterable[tuple[object, object]]) -> None:
        """MPZ103, checked before the library validates (and rejects) the values."""
        method_text, url_text = _text(method or "GET").upper(), _text(url or "")
        target = _target(url_text)
        if not target.checked or target.role != knowledge.API:
            return
        wanted = knowledge.COMPANY_HEADER.lower()
        found = [
            Violation("MPZ103", method_text, url_text,
                      f"{knowledge.COMPANY_HEADER} value is {type(value).__name__}, not str")
            for name, value in headers
            if _text(name).lower() == wanted and not isinstance(value, str)
        ]
        with self._lock:
            self.violations.extend(found)

    # --- the libraries ----------------------------------------------------------------------

    def _patch_requests(self) -> bool:
        requests_adapters = _optional("requests.adapters")
        if requests_adapters is None:
            return False
        requests_models = importlib.import_module("requests.models")
        urllib3 = importlib.import_module("urllib3")
        guard = self

        def send(adapter: Any, request: Any, *args: Any, **kwargs: Any) -> Any:
            reply = guard._exchange(
                _text(request.method or "GET"), _text(request.url or ""),
                [(_text(k), _text(v)) for k, v in request.headers.items()],
                _body_bytes(request.body))
            raw = urllib3.HTTPResponse(
                body=io.BytesIO(reply.body), headers=dict(reply.header_pairs()),
                status=reply.status, reason=reply.reason, preload_content=False)
            return adapter.build_response(request, raw)

        def prepare_headers(original: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(prepared: Any, headers: Any, *args: Any, **kwargs: Any) -> Any:
                if headers and hasattr(headers, "items"):
                    guard._check_header_types(prepared.method, prepared.url, headers.items())
                return original(prepared, headers, *args, **kwargs)
            return wrapper

        self._patches.replace(requests_adapters.HTTPAdapter, "send", lambda _: send)
        self._patches.replace(requests_models.PreparedRequest, "prepare_headers",
                              prepare_headers)
        return True

    def _patch_httpx(self) -> bool:
        httpx = _optional("httpx")
        if httpx is None:
            return False
        guard = self

        def answer(request: Any, body: bytes) -> Any:
            reply = guard._exchange(
                _text(request.method), str(request.url),
                [(_text(k), _text(v)) for k, v in request.headers.raw], body)
            return httpx.Response(reply.status, headers=reply.header_pairs(),
                                  content=reply.body, request=request)

        def handle_request(transport: Any, request: Any) -> Any:
            return answer(request, request.read())

        async def handle_async_request(transport: Any, request: Any) -> Any:
            return answer(request, await request.aread())

        def build_request(original: Callable[..., Any]) -> Callable[..., Any]:
            def wrapper(client: Any, method: Any, url: Any, *args: Any, **kwargs: Any) -> Any:
                headers = kwargs.get("headers")
                if headers:
                    pairs = headers.items() if hasattr(headers, "items") else headers
                    guard._check_header_types(method, _httpx_full_url(client, url), pairs)
                return original(client, method, url, *args, **kwargs)
            return wrapper

        self._patches.replace(httpx.HTTPTransport, "handle_request", lambda _: handle_request)
        self._patches.replace(httpx.AsyncHTTPTransport, "handle_async_request",
                              lambda _: handle_async_request)
        for client in (httpx.Client, httpx.AsyncClient):
            self._patches.replace(client, "build_request", build_request, inherited=True)
        return True

    def _patch_aiohttp(self) -> bool:
        """aiohttp: its TCP connector gets a loopback connection instead of a socket.

        aiohttp writes the request as it would to a server and parses our answer with its
        own parser, so the caller gets a genuine ClientResponse. Each answer closes the
        connection, so every request asks the connector for a new one.
        """
        aiohttp = _optional("aiohttp")
        if aiohttp is None:
            return False
        client_proto = importlib.import_module("aiohttp.client_proto")
        guard = self

        async def create_connection(connector: Any, req: Any, *args: Any, **kwargs: Any) -> Any:
            method, url = _text(req.method), str(req.url)
            guard._check_header_types(method, url, list(req.headers.items()))

            def answer(body: bytes) -> _Reply:
                headers = [(_text(k), _text(v)) for k, v in req.headers.items()]
                return guard._exchange(method, url, headers, body)

            loop = asyncio.get_running_loop()
            protocol = client_proto.ResponseHandler(loop)
            protocol.connection_made(_LoopbackTransport(loop, protocol, answer))
            return protocol

        self._patches.replace(aiohttp.TCPConnector, "_create_connection",
                              lambda _: create_connection)
        return True


def _httpx_full_url(client: Any, url: Any) -> str:
    """The URL an httpx client sends to: a relative URL goes under its base_url."""
    text = str(url)
    if "://" in text[:12]:
        return text
    base = str(getattr(client, "base_url", "") or "")
    return base.rstrip("/") + "/" + text.lstrip("/") if base else text


class _LoopbackTransport(asyncio.Transport):
    """Takes what aiohttp writes for one request and answers it on the same connection."""

    def __init__(self, loop: asyncio.AbstractEventLoop, protocol: asyncio.Protocol,
                 answer: Callable[[bytes], _Reply]) -> None:
        super().__init__()
        self._loop = loop
        self._protocol = protocol
        self._answer = answer
        self._sent = bytearray()
        self._answered = False
        self._continued = False
        self._closing = False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self._closing or self._answered:
            return
        self._sent += data
        head = _request_head(bytes(self._sent))
        if head is None:
            return
        fields, rest = head
        if fields.get(b"expect", b"").lower() == b"100-continue" and not self._continued:
            self._continued = True  # aiohttp's expect100=True waits for this before the body
            self._loop.call_soon(self._protocol.data_received, b"HTTP/1.1 100 Continue\r\n\r\n")
        body = _complete_body(fields, rest)
        if body is None:
            return
        self._answered = True
        reply = self._answer(body)
        lines = [f"HTTP/1.1 {reply.status} {reply.reason}", "Connection: close"]
        lines.extend(f"{name}: {value}" for name, value in reply.header_pairs())
        wire = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + reply.body
        self._loop.call_soon(self._protocol.data_received, wire)

    def close(self) -> None:
        if not self._closing:
            self._closing = True
            self._loop.call_soon(self._protocol.connection_lost, None)

    def abort(self) -> None:
        self.close()

    def is_closing(self) -> bool:
        return self._closing

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return default

    def can_write_eof(self) -> bool:
        return False

    def write_eof(self) -> None:
        pass

    def get_write_buffer_size(self) -> int:
        return 0

    def set_write_buffer_limits(self, high: int | None = None, low: int | None = None) -> None:
        pass

    def pause_reading(self) -> None:
        pass

    def resume_reading(self) -> None:
        pass

    def is_reading(self) -> bool:
        return not self._closing

    def set_protocol(self, protocol: asyncio.BaseProtocol) -> None:
        pass

    def get_protocol(self) -> asyncio.BaseProtocol:
        return self._protocol


def _request_head(sent: bytes) -> tuple[dict[bytes, bytes], bytes] | None:
    """The header fields (names lower-cased) of the HTTP/1.1 request in `sent` and what
    follows them, or None while the head is incomplete."""
    head, separator, rest = sent.partition(b"\r\n\r\n")
    if not separator:
        return None
    fields: dict[bytes, bytes] = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        fields[name.strip().lower()] = value.strip()
    return fields, rest


def _complete_body(fields: dict[bytes, bytes], rest: bytes) -> bytes | None:
    """The request body after the head, or None while it is incomplete."""
    if b"chunked" in fields.get(b"transfer-encoding", b"").lower():
        return _dechunk(rest)
    length = int(fields.get(b"content-length", b"0") or b"0")
    return rest[:length] if len(rest) >= length else None


def _dechunk(data: bytes) -> bytes | None:
    body = bytearray()
    while True:
        size_line, separator, data = data.partition(b"\r\n")
        if not separator:
            return None
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            return bytes(body)
        if len(data) < size + 2:
            return None
        body += data[:size]
        data = data[size + 2:]


# --- pytest plugin (entry point pytest11: mpz_lint = "mpz_lint.testing") -------------------

try:
    import pytest
except ImportError:  # pytest is optional: the guard works without it
    _HAS_PYTEST = False
else:
    _HAS_PYTEST = True

if _HAS_PYTEST:

    @pytest.fixture
    def mpz_guard() -> Iterator[MpzGuard]:
        """An active MpzGuard for one test; violations left at teardown fail the test.

        To inspect violations instead, take them with `mpz_guard.expect(...)`, drop them
        with `mpz_guard.clear()`, or set `mpz_guard.fail_on_exit = False`.
        """
        with MpzGuard() as guard:
            yield guard
        if guard.fail_on_exit and guard.violations:
            pytest.fail(guard.report(), pytrace=False)
