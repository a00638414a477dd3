"""The runtime guard (mpz_lint.testing): the same MPZ codes, checked on real requests.

Every test runs with the network cut off (`no_network`), so a request that escaped the
guard fails loudly instead of reaching a server.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable

import pytest

from mpz_lint.testing import MpzGuard, Violation

pytest_plugins = ["pytester"]

requests = pytest.importorskip("requests")
httpx = pytest.importorskip("httpx")

API = "https://api.procore.com/rest/v1.0"
TOKEN_URL = "https://login.procore.com/oauth/token"
COMPANY = {"Procore-Company-Id": "1"}
TOKEN_BODY = {"access_token": "test-token", "token_type": "Bearer", "expires_in": 7200,
              "refresh_token": "test-refresh", "created_at": 0}
ROOT = Path(__file__).resolve().parent.parent


class NetworkUsed(AssertionError):
    pass


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise NetworkUsed(f"a request tried to leave the process: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture
def guard() -> Iterator[MpzGuard]:
    with MpzGuard() as active:
        yield active


# --- one call per client style: (method, url, headers, form data, json) -> (status, body) ---


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


Call = Callable[..., Reply]


def via_requests(method: str, url: str, headers: dict[str, Any] | None = None,
                 data: dict[str, str] | None = None, json: Any = None) -> Reply:
    response = requests.request(method, url, headers=headers, data=data, json=json)
    assert isinstance(response, requests.Response)
    return Reply(response.status_code, response.content)


def via_requests_session(method: str, url: str, headers: dict[str, Any] | None = None,
                         data: dict[str, str] | None = None, json: Any = None) -> Reply:
    with requests.Session() as session:
        response = session.request(method, url, headers=headers, data=data, json=json)
    assert isinstance(response, requests.Response)
    return Reply(response.status_code, response.content)


def via_httpx(method: str, url: str, headers: dict[str, Any] | None = None,
              data: dict[str, str] | None = None, json: Any = None) -> Reply:
    response = httpx.request(method, url, headers=headers, data=data, json=json)
    assert isinstance(response, httpx.Response)
    return Reply(response.status_code, response.content)


def via_httpx_client(method: str, url: str, headers: dict[str, Any] | None = None,
                     data: dict[str, str] | None = None, json: Any = None) -> Reply:
    with httpx.Client() as client:
        response = client.request(method, url, headers=headers, data=data, json=json)
    assert isinstance(response, httpx.Response)
    return Reply(response.status_code, response.content)


def via_httpx_async(method: str, url: str, headers: dict[str, Any] | None = None,
                    data: dict[str, str] | None = None, json: Any = None) -> Reply:
    async def run() -> Reply:
        async with httpx.AsyncClient() as client:
            response = await client.request(method, url, headers=headers, data=data, json=json)
        assert isinstance(response, httpx.Response)
        return Reply(response.status_code, response.content)

    return asyncio.run(run())


def via_aiohttp(method: str, url: str, headers: dict[str, Any] | None = None,
                data: dict[str, str] | None = None, json: Any = None) -> Reply:
    aiohttp = pytest.importorskip("aiohttp")

    async def run() -> Reply:
        async with aiohttp.ClientSession() as session:
            async with session.request(method, url, headers=headers, data=data,
                                       json=json) as response:
                assert isinstance(response, aiohttp.ClientResponse)
                return Reply(response.status, await response.read())

    return asyncio.run(run())


CLIENTS = [via_requests, via_requests_session, via_httpx, via_httpx_client, via_httpx_async,
           via_aiohttp]


@pytest.fixture(params=CLIENTS, ids=lambda f: f.__name__.removeprefix("via_"))
def call(request: pytest.FixtureRequest) -> Call:
    return request.param


# --- a compliant program ------------------------------------------------------------------


def test_compliant_run_has_no_violations(guard: MpzGuard, call: Call) -> None:
    token = call("POST", TOKEN_URL, data={"grant_type": "authorization_code", "code": "x"})
    me = call("GET", f"{API}/me")
    companies = call("GET", f"{API}/companies")
    projects = call("GET", f"{API}/projects", headers=COMPANY)
    project = call("GET", f"{API}/projects/5", headers=COMPANY)
    created = call("POST", f"{API}/projects", headers=COMPANY, json={"name": "x"})

    assert guard.violations == []
    assert (token.status, token.json()) == (200, TOKEN_BODY)
    assert (me.status, me.json()) == (200, {"id": 1, "login": "guard@example.com",
                                            "name": "Guard"})
    assert (companies.status, companies.json()) == (200, [])
    assert (projects.status, projects.json()) == (200, [])
    assert (project.status, project.json()) == (200, {})
    assert (created.status, created.json()) == (200, {})
    assert [(r.method, r.url) for r in guard.requests] == [
        ("POST", TOKEN_URL), ("GET", f"{API}/me"), ("GET", f"{API}/companies"),
        ("GET", f"{API}/projects"), ("GET", f"{API}/projects/5"), ("POST", f"{API}/projects"),
    ]
    assert guard.requests[3].header("procore-company-id") == "1"
    guard.assert_clean()


def test_header_name_case_does_not_matter(guard: MpzGuard, call: Call) -> None:
    call("GET", f"{API}/projects", headers={"PROCORE-COMPANY-ID": "1"})
    call("GET", f"{API}/projects", headers={"procore-company-id": "1"})
    assert guard.violations == []


# --- each code, exactly ---------------------------------------------------------------------


def test_legacy_host_for_oauth_is_mpz001(guard: MpzGuard, call: Call) -> None:
    url = "https://app.procore.com/oauth/token"
    reply = call("POST", url, data={"grant_type": "authorization_code"})
    assert reply.json() == TOKEN_BODY
    assert guard.violations == [Violation(
        "MPZ001", "POST", url,
        "legacy host app.procore.com used for OAuth; OAuth goes to login.procore.com")]


def test_legacy_host_for_rest_is_mpz002(guard: MpzGuard, call: Call) -> None:
    url = "https://app.procore.com/rest/v1.0/projects"
    call("GET", url, headers=COMPANY)
    assert guard.violations == [Violation(
        "MPZ002", "GET", url,
        "legacy host app.procore.com used for REST; REST goes to api.procore.com")]


def test_rest_on_a_login_host_is_mpz002(guard: MpzGuard, call: Call) -> None:
    url = "https://login.procore.com/rest/v1.0/projects"
    call("GET", url, headers=COMPANY)
    assert guard.violations == [Violation(
        "MPZ002", "GET", url,
        "legacy host login.procore.com used for REST; REST goes to api.procore.com")]


def test_missing_header_is_mpz101(guard: MpzGuard, call: Call) -> None:
    call("GET", f"{API}/projects", headers={"Authorization": "Bearer test-token"})
    assert guard.violations == [
        Violation("MPZ101", "GET", f"{API}/projects", "no Procore-Company-Id header")]


def test_legacy_host_without_header_is_both(guard: MpzGuard, call: Call) -> None:
    url = "https://app.procore.com/rest/v1.1/companies/1/projects"
    call("GET", url)
    assert [v.code for v in guard.violations] == ["MPZ002", "MPZ101"]


def test_near_miss_header_is_mpz102_only(guard: MpzGuard, call: Call) -> None:
    call("GET", f"{API}/projects", headers={"Procore_Company_Id": "1"})
    assert guard.violations == [Violation(
        "MPZ102", "GET", f"{API}/projects",
        "header 'Procore_Company_Id' is not Procore-Company-Id; Procore ignores it")]


@pytest.mark.parametrize("name", ["ProcoreCompanyId", "Company-Id", "company_id",
                                  "Procore-Company-ID "])
def test_every_near_miss_spelling(guard: MpzGuard, name: str) -> None:
    requests.get(f"{API}/projects", headers={name: "1"})
    assert [(v.code, v.message) for v in guard.violations] == [
        ("MPZ102", f"header {name!r} is not Procore-Company-Id; Procore ignores it")]


def test_int_header_value_is_mpz103_and_the_library_still_raises(
        guard: MpzGuard, call: Call) -> None:
    # requests raises InvalidHeader (a ValueError), httpx and aiohttp a TypeError.
    with pytest.raises((ValueError, TypeError)):
        call("GET", f"{API}/projects", headers={"Procore-Company-Id": 1})
    assert guard.violations == [Violation(
        "MPZ103", "GET", f"{API}/projects", "Procore-Company-Id value is int, not str")]


def test_int_header_from_a_requests_session_default_is_mpz103(guard: MpzGuard) -> None:
    with requests.Session() as session:
        session.headers["Procore-Company-Id"] = 12345678901
        with pytest.raises(requests.exceptions.InvalidHeader):
            session.get(f"{API}/projects", params={"company_id": "12345678901"})
    assert guard.violations == [Violation(
        "MPZ103", "GET", f"{API}/projects?company_id=12345678901",
        "Procore-Company-Id value is int, not str")]


def test_int_header_on_httpx_client_with_base_url(guard: MpzGuard) -> None:
    with httpx.Client(base_url="https://api.procore.com/rest/v1.0") as client:
        with pytest.raises(TypeError):
            client.get("/projects", headers={"Procore-Company-Id": 7})
    assert [(v.code, v.url) for v in guard.violations] == [("MPZ103", f"{API}/projects")]


# --- where the header comes from --------------------------------------------------------------


def test_client_default_headers_count_as_sent(guard: MpzGuard) -> None:
    with requests.Session() as session:
        session.headers.update(COMPANY)
        session.get(f"{API}/projects")

    async def run() -> None:
        async with httpx.AsyncClient(headers=COMPANY) as client:
            await client.get(f"{API}/projects")

    with httpx.Client(headers=COMPANY) as client:
        client.get(f"{API}/projects")
    asyncio.run(run())
    assert len(guard.requests) == 3
    assert guard.violations == []


def test_aiohttp_session_default_headers_count_as_sent(guard: MpzGuard) -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def run() -> None:
        async with aiohttp.ClientSession(headers=COMPANY) as session:
            async with session.get(f"{API}/projects") as response:
                assert await response.json() == []

    asyncio.run(run())
    assert guard.violations == []


def test_aiohttp_chunked_and_expect_100_bodies_are_read(guard: MpzGuard) -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def chunks() -> Any:
        yield b"grant_type=client_"
        yield b"credentials"

    async def run() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.post(TOKEN_URL, data=chunks()) as response:
                assert await response.json() == TOKEN_BODY
            async with session.post(f"{API}/projects", data=b"{}", expect100=True,
                                    headers=COMPANY) as response:
                assert await response.json() == {}

    asyncio.run(asyncio.wait_for(run(), timeout=5))
    assert [r.body for r in guard.requests] == [b"grant_type=client_credentials", b"{}"]
    assert guard.requests[1].header("expect") == "100-continue"
    assert guard.is_service_account


def test_requests_auth_object_that_sets_the_header(guard: MpzGuard) -> None:
    auth_base: Any = requests.auth.AuthBase

    class CompanyAuth(auth_base):
        def __call__(self, request: Any) -> Any:
            request.headers["Procore-Company-Id"] = "1"
            return request

    requests.get(f"{API}/projects", auth=CompanyAuth())
    assert guard.violations == []


# --- exemptions and carve-outs --------------------------------------------------------------


@pytest.mark.parametrize("method, url", [
    ("GET", f"{API}/me"),
    ("GET", f"{API}/me/"),
    ("GET", f"{API}/companies"),
    ("GET", f"{API}/companies?page=2&per_page=100"),
    ("POST", TOKEN_URL),
    ("POST", "https://login.procore.com/oauth/revoke"),
    ("PUT", "https://storage.procore.com/uploads/abc?X-Amz-Signature=1"),
    ("GET", "https://app.procore.com/rest/v1.0/mcp"),
    ("GET", "https://us02.procore.com/rest/v1.0/mcp/tools"),
    ("GET", "https://app.procore.com/fas/abc123/plan.pdf"),
    ("GET", "https://app.procore.com/rest/v1.0/files/1?sig=abc"),
    ("GET", "https://app.procore.com/12345/project/home"),
    ("GET", "https://developers.procore.com/reference/rest/projects"),
])
def test_exempt_and_carved_out_requests_need_nothing(
        guard: MpzGuard, call: Call, method: str, url: str) -> None:
    reply = call(method, url)
    assert reply.status == 200
    assert guard.violations == []


@pytest.mark.parametrize("query", ["company_id=1", "project_id=2"])
def test_me_with_company_or_project_in_the_query_needs_the_header(
        guard: MpzGuard, call: Call, query: str) -> None:
    call("GET", f"{API}/me?{query}")
    call("GET", f"{API}/me?{query}", headers=COMPANY)
    assert guard.violations == [
        Violation("MPZ101", "GET", f"{API}/me?{query}", "no Procore-Company-Id header")]


def test_only_get_of_me_is_exempt(guard: MpzGuard) -> None:
    requests.patch(f"{API}/me", json={})
    assert [v.code for v in guard.violations] == ["MPZ101"]


def test_other_company_paths_need_the_header(guard: MpzGuard) -> None:
    requests.get(f"{API}/companies/1/users")
    requests.get("https://api.procore.com/rest/v2.0/companies/1/projects")
    assert [v.code for v in guard.violations] == ["MPZ101", "MPZ101"]


# --- the service-account switch ---------------------------------------------------------------


SERVICE_MESSAGE = ("no Procore-Company-Id header (service account: the client credentials "
                   "grant makes {path} need it too)")


def test_client_credentials_token_takes_the_exemptions_away(
        guard: MpzGuard, call: Call) -> None:
    call("GET", f"{API}/me")
    assert guard.violations == []
    call("POST", TOKEN_URL, data={"grant_type": "client_credentials", "client_id": "x"})
    assert guard.is_service_account
    call("GET", f"{API}/me")
    call("GET", f"{API}/companies")
    call("GET", f"{API}/companies", headers=COMPANY)
    assert guard.violations == [
        Violation("MPZ101", "GET", f"{API}/me", SERVICE_MESSAGE.format(path="/rest/v1.0/me")),
        Violation("MPZ101", "GET", f"{API}/companies",
                  SERVICE_MESSAGE.format(path="/rest/v1.0/companies")),
    ]


@pytest.mark.parametrize("send_token", [
    pytest.param(lambda: requests.post(TOKEN_URL, json={"grant_type": "client_credentials"}),
                 id="json-body"),
    pytest.param(lambda: httpx.post(f"{TOKEN_URL}?grant_type=client_credentials"),
                 id="query-string"),
])
def test_client_credentials_grant_in_json_or_query(
        guard: MpzGuard, send_token: Callable[[], object]) -> None:
    send_token()
    requests.get(f"{API}/me")
    assert [v.code for v in guard.violations] == ["MPZ101"]


def test_other_grants_keep_the_exemptions(guard: MpzGuard) -> None:
    requests.post(TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": "r"})
    requests.get(f"{API}/me")
    assert not guard.is_service_account
    assert guard.violations == []


def test_service_account_can_be_forced_either_way() -> None:
    with MpzGuard(service_account=True) as forced:
        requests.get(f"{API}/me")
    assert [v.code for v in forced.violations] == ["MPZ101"]
    with MpzGuard(service_account=False) as denied:
        requests.post(TOKEN_URL, data={"grant_type": "client_credentials"})
        requests.get(f"{API}/me")
    assert denied.violations == []


# --- nothing leaves the process ---------------------------------------------------------------


def test_other_hosts_get_a_local_404_and_record_nothing(guard: MpzGuard, call: Call) -> None:
    reply = call("GET", "https://example.com/api/items", headers={"X": "1"})
    assert (reply.status, reply.body) == (404, b"")
    lookalike = call("GET", "https://app.procore.com.evil.org/rest/v1.0/projects")
    assert lookalike.status == 404
    assert guard.violations == []
    assert [r.url for r in guard.requests] == [
        "https://example.com/api/items", "https://app.procore.com.evil.org/rest/v1.0/projects"]


def test_responses_are_the_libraries_own(guard: MpzGuard) -> None:
    response = requests.get("https://example.com/")
    with pytest.raises(requests.HTTPError):
        response.raise_for_status()
    ok = requests.get(f"{API}/projects/1", headers=COMPANY)
    ok.raise_for_status()
    assert ok.headers["Content-Type"] == "application/json"
    with pytest.raises(httpx.HTTPStatusError):
        httpx.get("https://example.com/").raise_for_status()


def test_the_network_is_really_cut_off_in_these_tests() -> None:
    with pytest.raises(NetworkUsed):
        requests.get("https://example.com/", timeout=1)


def test_guard_restores_the_libraries_on_exit() -> None:
    send = requests.adapters.HTTPAdapter.send
    handle = httpx.HTTPTransport.handle_request
    build = httpx.Client.build_request
    with MpzGuard() as active:
        assert requests.adapters.HTTPAdapter.send is not send
        assert "requests" in active.libraries and "httpx" in active.libraries
    assert requests.adapters.HTTPAdapter.send is send
    assert httpx.HTTPTransport.handle_request is handle
    assert httpx.Client.build_request is build


def test_a_library_it_cannot_patch_stops_the_guard_cleanly(
        monkeypatch: pytest.MonkeyPatch) -> None:
    send = requests.adapters.HTTPAdapter.send
    monkeypatch.delattr(httpx.AsyncHTTPTransport, "handle_async_request")
    with pytest.raises(RuntimeError, match="cannot patch httpx.AsyncHTTPTransport"):
        with MpzGuard():
            pass  # pragma: no cover
    assert requests.adapters.HTTPAdapter.send is send
    monkeypatch.undo()
    with MpzGuard() as active:  # nothing was left half-active
        assert "httpx" in active.libraries


def test_only_one_guard_at_a_time(guard: MpzGuard) -> None:
    with pytest.raises(RuntimeError, match="already active"):
        with MpzGuard():
            pass
    requests.get(f"{API}/projects", headers=COMPANY)  # the first guard still works
    assert len(guard.requests) == 1


# --- reading results ---------------------------------------------------------------------------


def test_assert_clean_lists_one_violation_per_line(guard: MpzGuard) -> None:
    requests.get(f"{API}/projects")
    requests.get("https://app.procore.com/rest/v1.0/me")
    with pytest.raises(AssertionError) as raised:
        guard.assert_clean()
    assert str(raised.value) == (
        "MPZ guard: 2 violations\n"
        f"MPZ101 GET {API}/projects: no Procore-Company-Id header\n"
        "MPZ002 GET https://app.procore.com/rest/v1.0/me: legacy host app.procore.com used "
        "for REST; REST goes to api.procore.com")


def test_expect_takes_the_named_violations(guard: MpzGuard) -> None:
    requests.get(f"{API}/projects")
    requests.get("https://app.procore.com/rest/v1.0/me")
    taken = guard.expect("MPZ101")
    assert [v.code for v in taken] == ["MPZ101"]
    assert [v.code for v in guard.violations] == ["MPZ002"]
    with pytest.raises(AssertionError, match="expected MPZ103, got: MPZ002"):
        guard.expect("MPZ103")
    guard.clear()
    guard.assert_clean()


# --- the pytest fixture -----------------------------------------------------------------------


def _plugin_args() -> list[str]:
    """Load the plugin by hand when the package was installed before its entry point."""
    found = entry_points()
    # Python 3.9 returns a dict of groups; 3.10+ selects by keyword.
    plugins = found.select(group="pytest11") if hasattr(found, "select") else found.get("pytest11", ())
    registered = any(ep.value == "mpz_lint.testing" for ep in plugins)
    return [] if registered else ["-p", "mpz_lint.testing"]


FIXTURE_TESTS = '''
import requests

API = "https://api.procore.com/rest/v1.0"

def test_violation(mpz_guard):
    requests.get(f"{API}/projects")

def test_clean(mpz_guard):
    requests.get(f"{API}/projects", headers={"Procore-Company-Id": "1"})
    assert mpz_guard.requests[0].url == f"{API}/projects"

def test_inspect_instead(mpz_guard):
    mpz_guard.fail_on_exit = False
    requests.get(f"{API}/projects")
    assert [v.code for v in mpz_guard.violations] == ["MPZ101"]

def test_not_strict(mpz_guard):
    mpz_guard.strict = False
    requests.get(f"{API}/projects")

def test_expected(mpz_guard):
    requests.get(f"{API}/projects")
    mpz_guard.expect("MPZ101")

def test_cleared(mpz_guard):
    requests.get(f"{API}/projects")
    mpz_guard.clear()
'''


def test_fixture_fails_a_test_that_leaves_violations(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app=FIXTURE_TESTS)
    result = pytester.runpytest(*_plugin_args(), "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, errors=1)
    result.stdout.fnmatch_lines([
        "*ERROR at teardown of test_violation*",
        "MPZ guard: 1 violation",
        f"MPZ101 GET {API}/projects: no Procore-Company-Id header",
    ])


def test_fixture_can_be_imported_from_the_module(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_app='''
        import requests
        from mpz_lint.testing import mpz_guard  # noqa: F401

        def test_it(mpz_guard):
            requests.get("https://api.procore.com/rest/v1.0/me")
            assert mpz_guard.violations == []
    ''')
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_pyproject_registers_the_plugin_and_test_extras() -> None:
    text = (ROOT / "pyproject.toml").read_text()
    assert '[project.entry-points.pytest11]\nmpz_lint = "mpz_lint.testing"' in text
    for requirement in ('"pytest', '"requests"', '"httpx"'):
        assert requirement in text.split("[project.optional-dependencies]", 1)[1]


def _python(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    return done.stdout.strip()


def test_importing_the_module_needs_only_the_standard_library() -> None:
    out = _python(
        "import sys\n"
        "sys.modules['pytest'] = None\n"  # as if pytest were not installed
        "import mpz_lint.testing as t\n"
        "print(hasattr(t, 'mpz_guard'),"
        " sorted(m for m in ('requests', 'httpx', 'aiohttp') if m in sys.modules))\n")
    assert out == "False []"


def test_a_library_that_is_not_installed_is_skipped() -> None:
    out = _python(
        "import sys\n"
        "sys.modules['aiohttp'] = None\n"
        "sys.modules['httpx'] = None\n"
        "from mpz_lint.testing import MpzGuard\n"
        "import requests\n"
        "with MpzGuard() as g:\n"
        "    requests.get('https://api.procore.com/rest/v1.0/projects')\n"
        "print(g.libraries, [v.code for v in g.violations])\n")
    assert out == "('requests',) ['MPZ101']"
