"""Every Procore fact mpz-lint relies on, in one table.

Procore changes hosts, paths and exemptions over time; a maintainer changes them here and
nowhere else. Rule logic reads these tables and never names a host or a path itself.
Source: ../shared/RULES.md and Procore's "Working with Multiple Procore Zones" guide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from mpz_lint.model import Applicability

Role = Literal["auth", "api", "web"]
AUTH: Role = "auth"
API: Role = "api"
WEB: Role = "web"


@dataclass(frozen=True)
class HostFacts:
    """One Procore host: which environment it serves and what it should be for each role.

    `for_auth` / `for_api` give the correct host when this host is used for that role;
    None means this host is already right for it. `serves_web` says whether browser links
    to this host are legitimate (the web application lives there).
    """

    name: str
    environment: str
    for_auth: str | None
    for_api: str | None
    api_fix: Applicability = Applicability.SAFE
    auth_fix: Applicability = Applicability.SAFE
    serves_web: bool = False


PROCORE_HOSTS: tuple[HostFacts, ...] = (
    # production
    HostFacts("app.procore.com", "production", "login.procore.com", "api.procore.com",
              serves_web=True),
    HostFacts("api.procore.com", "production", "login.procore.com", None),
    HostFacts("login.procore.com", "production", None, "api.procore.com"),
    # regional web hosts: REST on them is served by api.procore.com, but a person should
    # confirm the move, so the api fix is unsafe.
    HostFacts("us02.procore.com", "production (US02)", "login.procore.com", "api.procore.com",
              api_fix=Applicability.UNSAFE, serves_web=True),
    HostFacts("uk01.procore.com", "production (UK01)", "login.procore.com", "api.procore.com",
              api_fix=Applicability.UNSAFE, serves_web=True),
    # development sandbox: REST stays on sandbox.procore.com
    HostFacts("sandbox.procore.com", "development sandbox", "login-sandbox.procore.com", None,
              serves_web=True),
    HostFacts("login-sandbox.procore.com", "development sandbox", None, "sandbox.procore.com"),
    # monthly sandbox
    HostFacts("api-monthly.procore.com", "monthly sandbox",
              "login-sandbox-monthly.procore.com", None),
    HostFacts("api-sandbox-monthly.procore.com", "monthly sandbox",
              "login-sandbox-monthly.procore.com", "api-monthly.procore.com",
              api_fix=Applicability.UNSAFE),
    HostFacts("login-sandbox-monthly.procore.com", "monthly sandbox", None,
              "api-monthly.procore.com"),
    # federal
    HostFacts("api.procoregov.com", "federal", "login.procoregov.com", None),
    HostFacts("login.procoregov.com", "federal", None, "api.procoregov.com"),
)

HOSTS_BY_NAME: dict[str, HostFacts] = {h.name: h for h in PROCORE_HOSTS}

# Hosts that are Procore's but never an OAuth or REST endpoint: portals, status pages and
# file storage. A URL on one of these is never reported and never needs the header.
NON_API_HOSTS: frozenset[str] = frozenset(
    {
        "developers.procore.com",
        "support.procore.com",
        "status.procore.com",
        "marketplace.procore.com",
        "storage.procore.com",
    }
)

# The registrable domains whose hosts we know. Anything ending in one of these but absent
# from PROCORE_HOSTS is left alone: we do not guess about hosts we have no facts for.
PROCORE_DOMAINS: tuple[str, ...] = ("procore.com", "procoregov.com")


# --- roles from paths --------------------------------------------------------------------

AUTH_PATH = re.compile(r"/oauth(?:/|$|\?|#)", re.IGNORECASE)
# /rest/v1.0/..., /rest/v2.1/..., /rest/v1/...; the legacy /vapid/ API too.
API_PATH = re.compile(r"/(?:rest/v\d+(?:\.\d+)?|vapid)(?:/|$|\?|#)", re.IGNORECASE)
# A path that starts like one of the above but is cut short by an unknown part.
ROLE_PATH_PREFIXES: tuple[str, ...] = ("/oauth", "/rest", "/vapid")

LEGACY_API_PREFIX = re.compile(r"/vapid(?=/|$|\?|#)", re.IGNORECASE)
CURRENT_API_PREFIX = "/rest/v1.0"


@dataclass(frozen=True)
class CarveOut:
    """Procore URLs that look legacy but must never be reported or rewritten."""

    hosts: frozenset[str] | None  # None: any Procore host
    path_prefix: str | None = None
    query_marker: str | None = None
    why: str = ""


CARVE_OUTS: tuple[CarveOut, ...] = (
    CarveOut(frozenset({"app.procore.com", "us02.procore.com"}), "/rest/v1.0/mcp",
             why="Procore's hosted MCP server lives on the web host"),
    CarveOut(None, "/fas/", why="file links are served from the host that issued them"),
    CarveOut(None, query_marker="sig=", why="presigned URLs must be used exactly as issued"),
)


def is_carved_out(host: str, path: str) -> bool:
    for carve in CARVE_OUTS:
        if carve.hosts is not None and host not in carve.hosts:
            continue
        if carve.path_prefix is not None and not path.lower().startswith(carve.path_prefix):
            continue
        if carve.query_marker is not None and carve.query_marker not in path:
            continue
        return True
    return False


# --- name hints --------------------------------------------------------------------------
# The name a bare base URL is bound to is a weak hint of its role, used only when the
# value's flow says nothing.

AUTH_NAME_WORDS: frozenset[str] = frozenset(
    {"oauth", "auth", "token", "login", "authorize", "authorization", "authorise", "signin"}
)
API_NAME_WORDS: frozenset[str] = frozenset({"api", "rest", "vapid", "resource", "resources"})
WEB_NAME_WORDS: frozenset[str] = frozenset(
    {"web", "link", "links", "ui", "dashboard", "portal", "browser", "frontend", "app_link"}
)

_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")


def name_words(name: str) -> list[str]:
    """Split `PROCORE_TOKEN_URL`, `procoreTokenUrl` or `token-url` into lower-case words."""
    return [w.lower() for w in _WORD.findall(name)]


def role_from_name(name: str) -> Role | None:
    words = set(name_words(name))
    hints = {
        role
        for role, vocabulary in ((AUTH, AUTH_NAME_WORDS), (API, API_NAME_WORDS),
                                 (WEB, WEB_NAME_WORDS))
        if words & vocabulary
    }
    if len(hints) == 1:
        return hints.pop()
    if hints == {AUTH, API}:
        # "API_TOKEN_URL", "REST_AUTH_BASE": the more specific word is the OAuth one.
        return AUTH
    return None


# --- OAuth libraries and client constructors: where a value takes a role --------------------

# Keyword arguments whose value is an OAuth endpoint, whoever receives them
# (requests_oauthlib, authlib, oauthlib, rauth, social-auth, our users' own helpers).
AUTH_URL_KEYWORDS: frozenset[str] = frozenset(
    {
        "token_url", "authorization_url", "authorize_url", "access_token_url",
        "refresh_token_url", "auto_refresh_url", "revocation_url", "revoke_url",
        "token_endpoint", "authorization_endpoint", "authorization_base_url",
        "request_token_url", "token_uri", "auth_uri", "authorize_endpoint",
    }
)
# Methods of OAuth sessions/clients whose first argument (or `url=`) is an OAuth endpoint.
AUTH_URL_METHODS: frozenset[str] = frozenset(
    {
        "fetch_token", "refresh_token", "authorization_url", "create_authorization_url",
        "fetch_access_token", "revoke_token", "introspect_token", "fetch_request_token",
        "authorize_redirect",
    }
)
# Connection classes that take a bare host in the constructor and a path per request.
HOST_CONNECTION_CLASSES: frozenset[str] = frozenset(
    {"http.client.HTTPSConnection", "http.client.HTTPConnection",
     "urllib3.HTTPSConnectionPool", "urllib3.connectionpool.HTTPSConnectionPool"}
)
# Keyword arguments that make a value the base of every relative request of a client.
BASE_URL_KEYWORDS: frozenset[str] = frozenset({"base_url", "api_base_url", "base_uri"})


# --- the Procore-Company-Id header (used by the header rules) ------------------------------

COMPANY_HEADER = "Procore-Company-Id"


@dataclass(frozen=True)
class ExemptEndpoint:
    """A REST request that needs no Procore-Company-Id header (unless a service account)."""

    method: str
    path: str  # "/rest/v1.0/me"; "{id}" matches one path segment
    # Query parameters whose presence takes the exemption away.
    unless_query: frozenset[str] = frozenset()


def parse_exempt_endpoint(text: str) -> ExemptEndpoint:
    """`"GET /rest/v1.0/me"`, optionally `" unless company_id,project_id"` (query names
    that take the exemption away); `{id}` in the path matches one segment."""
    words = text.split()
    if len(words) not in (2, 4) or not words[1].startswith("/") or (
            len(words) == 4 and words[2] != "unless"):
        raise ValueError(f"{text!r} is not `METHOD /path` (optionally `unless name,name`)")
    unless = frozenset(words[3].split(",")) if len(words) == 4 else frozenset()
    return ExemptEndpoint(words[0].upper(), words[1], unless)


EXEMPT_ENDPOINTS: tuple[ExemptEndpoint, ...] = (
    ExemptEndpoint("GET", "/rest/v1.0/me", frozenset({"company_id", "project_id"})),
    ExemptEndpoint("GET", "/rest/v1.0/companies"),
)


# --- HTTP client catalogue (used by the header rules) --------------------------------------
# Where each client API keeps a request's URL, method and headers, and how it treats the
# default headers of its session or client. Read from the libraries' own source:
# - requests: Session.request merges session.headers with the call's headers
#   (merge_setting); module functions use a fresh Session (no defaults); Session.send
#   sends a PreparedRequest as it is (Request.prepare() never sees session headers,
#   Session.prepare_request does).
# - httpx: Client/AsyncClient merge their headers with the call's (build_request);
#   module functions have no defaults; Client.send sends a built Request as it is.
# - aiohttp: ClientSession merges its default headers with the call's.
# - urllib3: PoolManager.request uses the pool's headers only when the call passes none
#   (RequestMethods.request_encode_url: `if headers is None: headers = self.headers`).
# - http.client: headers only per request. urllib.request: Request(headers=) and
#   Request.add_header; urlopen(url_string) sends none.


@dataclass(frozen=True)
class RequestApi:
    """One request-making call: where its URL, method and headers are."""

    url_arg: int | None = 0
    method: str | None = None  # fixed HTTP method, or None to read it from method_arg
    method_arg: int | None = None
    headers_arg: int | None = None
    # "merge": the client's default headers are sent too; "replace": only when the call
    # passes no headers; "none": the client's defaults are never sent.
    defaults: Literal["merge", "replace", "none"] = "merge"
    url_kw: str = "url"
    method_kw: str = "method"
    headers_kw: str = "headers"


def _verbs(defaults: Literal["merge", "replace", "none"]) -> dict[str, RequestApi]:
    verbs = {v: RequestApi(0, v.upper(), defaults=defaults)
             for v in ("get", "post", "put", "patch", "delete", "head", "options")}
    verbs["request"] = RequestApi(1, None, 0, defaults=defaults)
    return verbs


MODULE_REQUEST_FUNCTIONS: dict[str, RequestApi] = {
    **{f"requests.{name}": api for name, api in _verbs("none").items()},
    **{f"requests.api.{name}": api for name, api in _verbs("none").items()},
    **{f"httpx.{name}": api for name, api in _verbs("none").items()},
    "httpx.stream": RequestApi(1, None, 0, defaults="none"),
}


@dataclass(frozen=True)
class ClientClass:
    """A session or client class: its request methods and where its defaults come from."""

    methods: dict[str, RequestApi]
    headers_kw: str | None = "headers"  # constructor keyword for default headers
    base_url_kw: str | None = None


_REQUESTS_SESSION = ClientClass(_verbs("merge"), headers_kw=None)
_HTTPX_CLIENT = ClientClass(
    {**_verbs("merge"), "stream": RequestApi(1, None, 0, defaults="merge")},
    base_url_kw="base_url",
)
_AIOHTTP_SESSION = ClientClass(_verbs("merge"), base_url_kw="base_url")
_URLLIB3_POOL = ClientClass(
    {name: RequestApi(1, None, 0, 3, defaults="replace")
     for name in ("request", "request_encode_url", "request_encode_body", "urlopen")},
)

CLIENT_CLASSES: dict[str, ClientClass] = {
    "requests.Session": _REQUESTS_SESSION,
    "requests.session": _REQUESTS_SESSION,
    "requests.sessions.Session": _REQUESTS_SESSION,
    "requests_oauthlib.OAuth2Session": _REQUESTS_SESSION,
    "authlib.integrations.requests_client.OAuth2Session": _REQUESTS_SESSION,
    "httpx.Client": _HTTPX_CLIENT,
    "httpx.AsyncClient": _HTTPX_CLIENT,
    "authlib.integrations.httpx_client.OAuth2Client": _HTTPX_CLIENT,
    "authlib.integrations.httpx_client.AsyncOAuth2Client": _HTTPX_CLIENT,
    "aiohttp.ClientSession": _AIOHTTP_SESSION,
    "urllib3.PoolManager": _URLLIB3_POOL,
    "urllib3.HTTPSConnectionPool": _URLLIB3_POOL,
    "urllib3.connectionpool.HTTPSConnectionPool": _URLLIB3_POOL,
}

# Request objects built first and sent later; their headers are their own.
REQUEST_OBJECT_CLASSES: dict[str, RequestApi] = {
    "requests.Request": RequestApi(1, None, 0, 2, defaults="none"),
    "urllib.request.Request": RequestApi(0, None, None, 2, defaults="none"),
    "httpx.Request": RequestApi(1, None, 0, defaults="none"),
}
# Calls that send a request object: (method name, whether the client's defaults apply).
SEND_METHODS: frozenset[str] = frozenset({"send"})
URLOPEN_FUNCTIONS: frozenset[str] = frozenset({"urllib.request.urlopen"})
# Session methods that build a request object with the session's defaults merged in.
PREPARE_WITH_DEFAULTS: frozenset[str] = frozenset({"prepare_request", "build_request"})

# Base classes whose subclasses set headers on each request (auth and hooks).
AUTH_BASES: frozenset[str] = frozenset(
    {"requests.auth.AuthBase", "httpx.Auth", "aiohttp.BasicAuth"}
)
# The grant that makes a project a service account (client credentials).
SERVICE_ACCOUNT_GRANT = "client_credentials"
SERVICE_ACCOUNT_CLIENTS: frozenset[str] = frozenset(
    {"oauthlib.oauth2.BackendApplicationClient",
     "oauthlib.oauth2.rfc6749.clients.BackendApplicationClient"}
)
# A module that uses the grant in any form we recognise contains one of these words.
SERVICE_ACCOUNT_WORDS: tuple[str, ...] = (
    SERVICE_ACCOUNT_GRANT, *sorted({q.rsplit(".", 1)[-1] for q in SERVICE_ACCOUNT_CLIENTS}))

# Header names that mean Procore-Company-Id but are spelled wrong (compared after
# removing everything but letters and lower-casing): Procore_Company_Id,
# ProcoreCompanyId, Company-Id, company_id.
COMPANY_HEADER_NEAR_MISSES: frozenset[str] = frozenset({"procorecompanyid", "companyid"})
