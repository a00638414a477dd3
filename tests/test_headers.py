"""The header rules (MPZ101-MPZ104) per client library, header source and exemption."""

from __future__ import annotations

from textwrap import dedent

import pytest

from mpz_lint.engine import fix_source
from mpz_lint.settings import Settings
from tests import helpers

HEADER_RULES = Settings(select=("MPZ1",))
STRICT = Settings(select=("MPZ1",), strict=True)


def findings(files: dict[str, str], settings: Settings = HEADER_RULES) -> list[tuple[str, str, int, int]]:
    return helpers.findings(files, settings)


def one(code: str) -> dict[str, str]:
    return {"a.py": code}


# --- requests ------------------------------------------------------------------------


def test_requests_module_function_without_the_header() -> None:
    assert findings(one("""
        import requests as r
        API = "https://api.procore.com/rest/v1.0"

        def projects(token):
            return r.get(f"{API}/projects", headers={"Authorization": f"Bearer {token}"})
        """)) == [("a.py", "MPZ101", 5, 12)]


def test_requests_with_the_header_in_every_shape() -> None:
    assert findings(one("""
        import requests
        API = "https://api.procore.com/rest/v1.0"
        BASE_HEADERS = {"Accept": "application/json"}

        def a(cid):
            return requests.get(f"{API}/projects", headers={"Procore-Company-Id": str(cid)})

        def b(cid):
            return requests.get(f"{API}/projects", headers=dict(Authorization="x", **{"procore-company-id": cid}))

        def c(cid):
            return requests.get(f"{API}/projects", headers={**BASE_HEADERS, "Procore-Company-Id": cid})

        def d(cid):
            return requests.get(f"{API}/projects", headers=BASE_HEADERS | {"Procore-Company-Id": cid})

        def e(cid):
            headers = {"Accept": "application/json"}
            headers["Procore-Company-Id"] = cid
            return requests.post(f"{API}/rfis", headers=headers)

        def f(cid):
            headers = dict(BASE_HEADERS)
            headers.update({"Procore-Company-Id": cid})
            return requests.request("GET", f"{API}/projects", headers=headers)
        """)) == []


def test_header_dict_built_by_a_function_in_another_module() -> None:
    files = {
        "procore/headers.py": """
            def company_headers(token, company_id):
                return {"Authorization": f"Bearer {token}", "Procore-Company-Id": str(company_id)}
            """,
        "procore/sync.py": """
            import requests
            from procore.headers import company_headers

            def sync(token, cid):
                return requests.get("https://api.procore.com/rest/v1.0/projects",
                                    headers=company_headers(token, cid))
            """,
    }
    assert findings(files) == []


def test_session_defaults_on_self_reach_requests_in_other_methods() -> None:
    assert findings(one("""
        import requests

        class Procore:
            def __init__(self, token, company_id):
                self.session = requests.Session()
                self.session.headers.update({"Authorization": f"Bearer {token}",
                                             "Procore-Company-Id": str(company_id)})

            def projects(self):
                return self.session.get("https://api.procore.com/rest/v1.0/projects")
        """)) == []


def test_session_headers_item_assignment_and_replacement() -> None:
    assert findings(one("""
        import requests
        s1 = requests.Session()
        s1.headers["Procore-Company-Id"] = "1"
        s1.get("https://api.procore.com/rest/v1.0/projects")
        s2 = requests.Session()
        s2.headers = {"Procore-Company-Id": "1"}
        s2.get("https://api.procore.com/rest/v1.0/projects")
        s3 = requests.Session()
        s3.get("https://api.procore.com/rest/v1.0/projects")
        """)) == [("a.py", "MPZ101", 9, 1)]


def test_session_subclass_setting_its_own_headers() -> None:
    assert findings(one("""
        import requests

        class ProcoreSession(requests.Session):
            def __init__(self, company_id):
                super().__init__()
                self.headers.update({"Procore-Company-Id": str(company_id)})

        session = ProcoreSession(1)
        session.get("https://api.procore.com/rest/v1.0/projects")
        """)) == []


def test_prepared_request_bypasses_session_defaults() -> None:
    assert findings(one("""
        import requests
        session = requests.Session()
        session.headers.update({"Procore-Company-Id": "1"})
        req = requests.Request("GET", "https://api.procore.com/rest/v1.0/projects")
        ok = session.send(session.prepare_request(req))
        bad = session.send(req.prepare())
        """)) == [("a.py", "MPZ101", 6, 7)]


def test_auth_class_that_sets_the_header() -> None:
    assert findings(one("""
        import requests
        from requests.auth import AuthBase

        class ProcoreAuth(AuthBase):
            def __init__(self, token, company_id):
                self.token, self.company_id = token, company_id

            def __call__(self, r):
                r.headers["Authorization"] = f"Bearer {self.token}"
                r.headers["Procore-Company-Id"] = str(self.company_id)
                return r

        def projects(token, cid):
            return requests.get("https://api.procore.com/rest/v1.0/projects",
                                auth=ProcoreAuth(token, cid))
        """)) == []


# --- httpx ---------------------------------------------------------------------------


def test_httpx_client_defaults_and_base_url() -> None:
    assert findings(one("""
        from httpx import AsyncClient as C, Client

        async def ok(cid):
            async with C(base_url="https://api.procore.com", headers={"Procore-Company-Id": cid}) as c:
                return await c.get("/rest/v1.0/projects")

        def bad():
            with Client(base_url="https://api.procore.com/rest/v1.0") as c:
                return c.get("/projects")
        """)) == [("a.py", "MPZ101", 9, 16)]


def test_httpx_event_hook_that_sets_the_header() -> None:
    assert findings(one("""
        import httpx

        def add_company(request):
            request.headers["Procore-Company-Id"] = "42"

        client = httpx.Client(event_hooks={"request": [add_company]})
        client.get("https://api.procore.com/rest/v1.0/projects")
        """)) == []


def test_client_passed_in_a_parameter_annotated_with_its_type() -> None:
    assert findings(one("""
        import httpx

        def list_projects(client: httpx.Client, company_id: str):
            return client.get("https://api.procore.com/rest/v1.0/projects",
                              params={"company_id": company_id})
        """)) == [("a.py", "MPZ101", 4, 12)]


# --- aiohttp, urllib, urllib3, http.client, OAuth sessions ----------------------------


def test_aiohttp_session_methods_and_defaults() -> None:
    assert findings(one("""
        import aiohttp

        async def main(cid):
            async with aiohttp.ClientSession(headers={"Procore-Company-Id": cid}) as ok:
                await ok.get("https://api.procore.com/rest/v1.0/projects")
            async with aiohttp.ClientSession() as bad:
                async with bad.get("https://api.procore.com/rest/v1.0/projects") as resp:
                    return await resp.json()
        """)) == [("a.py", "MPZ101", 7, 20)]


def test_urllib_request_and_add_header() -> None:
    assert findings(one("""
        import urllib.request

        ok = urllib.request.Request("https://api.procore.com/rest/v1.0/projects")
        ok.add_header("Procore-Company-Id", "1")
        urllib.request.urlopen(ok)
        bad = urllib.request.Request("https://api.procore.com/rest/v1.0/projects",
                                     headers={"Authorization": "Bearer x"})
        urllib.request.urlopen(bad)
        """)) == [("a.py", "MPZ101", 8, 1)]


def test_urllib3_request_headers_replace_pool_headers() -> None:
    assert findings(one("""
        import urllib3
        pool = urllib3.PoolManager(headers={"Procore-Company-Id": "1"})
        pool.request("GET", "https://api.procore.com/rest/v1.0/projects")
        pool.request("GET", "https://api.procore.com/rest/v1.0/projects",
                     headers={"Authorization": "Bearer x"})
        """)) == [("a.py", "MPZ101", 4, 1)]


def test_http_client_connection() -> None:
    assert findings(one("""
        import http.client
        conn = http.client.HTTPSConnection("api.procore.com")
        conn.request("GET", "/rest/v1.0/projects", headers={"Authorization": "Bearer x"})
        conn.request("GET", "/rest/v1.0/projects", headers={"Procore-Company-Id": "1"})
        """)) == [("a.py", "MPZ101", 3, 1)]


def test_oauth2_session_requests() -> None:
    assert findings(one("""
        from requests_oauthlib import OAuth2Session

        def projects(client_id, token):
            oauth = OAuth2Session(client_id, token=token)
            return oauth.get("https://api.procore.com/rest/v1.0/projects")
        """)) == [("a.py", "MPZ101", 5, 12)]


# --- exemptions and service accounts -------------------------------------------------


def test_exempt_endpoints() -> None:
    assert findings(one("""
        import requests
        API = "https://api.procore.com"
        requests.get(API + "/rest/v1.0/me")
        requests.get(API + "/rest/v1.0/companies", params={"page": 2})
        requests.post("https://login.procore.com/oauth/token", data={})
        requests.put("https://storage.procore.com/upload?sig=abc", data=b"")
        requests.get(API + "/rest/v1.0/me?company_id=1")
        requests.get(API + "/rest/v1.0/me", params={"project_id": 5})
        requests.get(API + "/rest/v1.0/companies/1/users")
        """)) == [("a.py", "MPZ101", 7, 1), ("a.py", "MPZ101", 8, 1), ("a.py", "MPZ101", 9, 1)]


def test_service_account_project_needs_the_header_on_me_and_companies() -> None:
    files = {
        "auth.py": """
            import requests
            def token(cid, secret):
                return requests.post("https://login.procore.com/oauth/token",
                                     data={"grant_type": "client_credentials",
                                           "client_id": cid, "client_secret": secret})
            """,
        "api.py": """
            import requests
            requests.get("https://api.procore.com/rest/v1.0/me")
            """,
    }
    assert findings(files) == [("api.py", "MPZ101", 2, 1)]
    (message,) = helpers.messages(files, HEADER_RULES)
    assert "service account" in message
    forced = Settings(select=("MPZ1",), service_account="no")
    assert findings(files, forced) == []


def test_non_procore_and_look_alike_hosts_are_ignored() -> None:
    assert findings(one("""
        import requests
        requests.get("https://status.procore.com/api/v2/status.json")
        requests.get("https://api.github.com/rest/v1.0/projects")
        requests.get("https://api.procore.com.evil.org/rest/v1.0/projects")
        requests.get("https://developers.procore.com/rest/v1.0/projects")
        """)) == []


# --- wrappers ----------------------------------------------------------------------------


def test_wrapper_that_never_adds_the_header_is_reported_once_at_its_call() -> None:
    files = {
        "client.py": """
            import requests

            class Client:
                def __init__(self, token):
                    self.token = token

                def get(self, path):
                    return requests.get(f"https://api.procore.com/rest/v1.0/{path}",
                                        headers={"Authorization": self.token})
            """,
        "use.py": """
            from client import Client
            c = Client("t")
            c.get("projects")
            c.get("companies/1/users")
            """,
    }
    assert findings(files) == [("client.py", "MPZ101", 8, 16)]
    (message,) = helpers.messages(files, HEADER_RULES)
    assert "GET /rest/v1.0/companies/1/users" in message and "GET /rest/v1.0/projects" in message


def test_wrapper_that_forwards_headers_is_judged_at_each_caller() -> None:
    files = {
        "http.py": """
            import requests

            def procore_get(path, headers=None):
                return requests.get("https://api.procore.com/rest/v1.0/" + path, headers=headers)
            """,
        "use.py": """
            from http import procore_get
            procore_get("projects", headers={"Procore-Company-Id": "1"})
            procore_get("projects", headers={"Authorization": "x"})
            procore_get("me")
            """,
    }
    assert findings(files) == [("use.py", "MPZ101", 3, 1)]


def test_wrapper_that_adds_the_header_itself() -> None:
    assert findings(one("""
        import requests

        def procore_get(path, company_id):
            return requests.get("https://api.procore.com/rest/v1.0/" + path,
                                headers={"Procore-Company-Id": str(company_id)})

        procore_get("projects", 1)
        """)) == []


# --- near misses, int values, strict mode ---------------------------------------------


def test_near_miss_names_are_reported_on_the_key() -> None:
    assert findings(one("""
        import requests
        URL = "https://api.procore.com/rest/v1.0/projects"
        requests.get(URL, headers={"Procore_Company_Id": "1"})
        requests.get(URL, headers={"ProcoreCompanyId": "1"})
        requests.get(URL, headers={"Procore-Company-ID ": "1"})
        requests.get(URL, headers={"Company-Id": "1"})
        requests.get(URL, headers={"company_id": "1"}, params={"company_id": "1"})
        """)) == [("a.py", "MPZ102", 3, 28), ("a.py", "MPZ102", 4, 28), ("a.py", "MPZ102", 5, 28),
                  ("a.py", "MPZ102", 6, 28), ("a.py", "MPZ102", 7, 28)]
    fixed = helpers.fixed(one('import requests\nrequests.get("https://api.procore.com/rest/v1.0/x", '
                              'headers={"Company-Id": "1"})\n'), settings=HEADER_RULES)
    assert fixed["a.py"] == ('import requests\nrequests.get("https://api.procore.com/rest/v1.0/x", '
                             'headers={"Procore-Company-Id": "1"})\n')


def test_int_values_are_reported_and_wrapped_in_str() -> None:
    code = """
        import requests
        URL = "https://api.procore.com/rest/v1.0/projects"

        class Api:
            company_id: int

            def a(self):
                return requests.get(URL, headers={"Procore-Company-Id": self.company_id})

        def b(raw):
            return requests.get(URL, headers={"Procore-Company-Id": int(raw)})

        def c():
            return requests.get(URL, headers={"Procore-Company-Id": 12345678901})
        """
    assert findings(one(code)) == [("a.py", "MPZ103", 8, 65), ("a.py", "MPZ103", 11, 61),
                                   ("a.py", "MPZ103", 14, 61)]
    text = helpers.fixed(one(code), settings=HEADER_RULES)["a.py"]
    assert '"Procore-Company-Id": str(self.company_id)' in text
    assert '"Procore-Company-Id": str(int(raw))' in text
    assert '"Procore-Company-Id": str(12345678901)' in text


def test_strict_mode_reports_what_cannot_be_decided() -> None:
    files = one("""
        import requests
        from somewhere import build_headers
        URL = "https://api.procore.com/rest/v1.0/projects"
        requests.get(URL, headers=build_headers())

        def get(**kwargs):
            return requests.get(URL, **kwargs)

        def maybe(cid):
            headers = {}
            if cid:
                headers["Procore-Company-Id"] = cid
            return requests.get(URL, headers=headers)
        """)
    assert findings(files) == []
    assert findings(files, STRICT) == [("a.py", "MPZ104", 4, 1), ("a.py", "MPZ104", 7, 12),
                                       ("a.py", "MPZ104", 13, 12)]
    assert "not on every path" in " ".join(helpers.messages(files, STRICT)) or \
        "only on some paths" in " ".join(helpers.messages(files, STRICT))


def test_headers_from_a_property() -> None:
    assert findings(one("""
        import requests

        class Api:
            def __init__(self, company_id):
                self.company_id = company_id

            @property
            def headers(self):
                return {"Procore-Company-Id": str(self.company_id)}

            def projects(self):
                return requests.get("https://api.procore.com/rest/v1.0/projects",
                                    headers=self.headers)
        """)) == []


def test_configured_exempt_endpoints_replace_or_extend_the_table() -> None:
    files = one("""
        import requests
        API = "https://api.procore.com"
        requests.get(API + "/rest/v1.0/me")
        requests.get(API + "/rest/v1.0/companies/7/permissions")
        """)
    assert findings(files) == [("a.py", "MPZ101", 4, 1)]
    extended = Settings(select=("MPZ1",),
                        extend_exempt_endpoints=("GET /rest/v1.0/companies/{id}/permissions",))
    assert findings(files, extended) == []
    replaced = Settings(select=("MPZ1",), exempt_endpoints=())
    assert findings(files, replaced) == [("a.py", "MPZ101", 3, 1), ("a.py", "MPZ101", 4, 1)]


def test_configured_http_client_of_a_library_we_do_not_know() -> None:
    from mpz_lint.settings import HttpClientSetting

    files = one("""
        from acme_http import fetch
        fetch("GET", "https://api.procore.com/rest/v1.0/projects", extra={"Accept": "json"})
        fetch("GET", "https://api.procore.com/rest/v1.0/projects", extra={"Procore-Company-Id": "1"})
        """)
    assert findings(files) == []
    declared = Settings(select=("MPZ1",), http_clients=(
        HttpClientSetting("acme_http.fetch", url=1, method=0, headers="extra"),))
    assert findings(files, declared) == [("a.py", "MPZ101", 2, 1)]


def test_wrapper_merging_extra_headers_in_a_loop_is_judged_at_each_caller() -> None:
    files = {
        "api/base.py": """
            import requests

            class Base:
                def __init__(self, token, server_url):
                    self.__token = token
                    self.__server_url = server_url

                def get_request(self, api_url, additional_headers=None):
                    headers = {"Authorization": f"Bearer {self.__token}"}
                    if additional_headers is not None:
                        for key, value in additional_headers.items():
                            headers[key] = value
                    return requests.get(self.__server_url + api_url, headers=headers)
            """,
        "api/companies.py": """
            from api.base import Base

            class Companies(Base):
                def __init__(self, token, server_url):
                    super().__init__(token, server_url)
                    self.endpoint = "/rest/v1.0/companies"

                def projects(self, company_id):
                    return self.get_request(f"{self.endpoint}/{company_id}/projects",
                                            additional_headers={"Procore-Company-Id": str(company_id)})

                def regions(self, company_id):
                    return self.get_request(f"{self.endpoint}/{company_id}/project_regions")
            """,
        "main.py": """
            from api.companies import Companies
            companies = Companies("t", "https://api.procore.com")
            """,
    }
    assert findings(files) == [("api/companies.py", "MPZ101", 13, 16)]
    fixed = helpers.fixed(files, settings=HEADER_RULES)["api/companies.py"]
    assert ('self.get_request(f"{self.endpoint}/{company_id}/project_regions", '
            'additional_headers={"Procore-Company-Id": str(company_id)})') in fixed


def test_rest_path_on_a_base_url_from_the_environment_is_still_a_procore_request() -> None:
    assert findings(one("""
        import os
        import requests
        BASE = os.environ["PROCORE_API"]

        def projects(token):
            return requests.get(BASE + "/rest/v1.0/projects", headers={"Authorization": token})

        def other(token):
            return requests.get(BASE + "/api/v2/things", headers={"Authorization": token})
        """)) == [("a.py", "MPZ101", 6, 12)]


# --- the fix next to parentheses, trailing commas and comments -------------------------
#
# libcst's range of a parenthesised expression leaves its parentheses out: an edit placed
# at the end of `(URL)` lands inside them, and `f((URL))` would become `f((URL, headers=...))`.

URL = '"https://api.procore.com/rest/v1.0/projects"'
CID = '"Procore-Company-Id": str(company_id)'
BEFORE_CALL = """\
import requests

BASE = {"Accept": "application/json"}


def projects(company_id: int, token: str):
    return """


def fixed_call(call: str, unsafe: bool = False) -> str:
    """The call after `--fix`: the fix applies, leaves nothing fixable, and holds."""
    fixed, remaining = fix_source(BEFORE_CALL + call, "a.py", HEADER_RULES, unsafe_fixes=unsafe)
    assert [d.code for d in remaining if d.fix is not None] == []
    assert fix_source(fixed, "a.py", HEADER_RULES, unsafe_fixes=unsafe)[0] == fixed
    assert fixed.startswith(BEFORE_CALL)
    return fixed[len(BEFORE_CALL):]


@pytest.mark.parametrize(("call", "expected"), [
    # A new `headers=` argument after a parenthesised last argument.
    (f"requests.get(({URL}))\n",
     f"requests.get(({URL}), headers={{{CID}}})\n"),
    (f"requests.get((({URL})))\n",
     f"requests.get((({URL})), headers={{{CID}}})\n"),
    (f"requests.get(url=({URL}))\n",
     f"requests.get(url=({URL}), headers={{{CID}}})\n"),
    (f"requests.get({URL}, timeout=(3, 10))\n",
     f"requests.get({URL}, timeout=(3, 10), headers={{{CID}}})\n"),
    (f"requests.get({URL}, timeout=(30))\n",
     f"requests.get({URL}, timeout=(30), headers={{{CID}}})\n"),
    # A trailing comma inside the call, with or without a space before `)`.
    (f"requests.get({URL},)\n",
     f"requests.get({URL}, headers={{{CID}}},)\n"),
    (f"requests.get(({URL}),)\n",
     f"requests.get(({URL}), headers={{{CID}}},)\n"),
    (f"requests.get(({URL}), )\n",
     f"requests.get(({URL}), headers={{{CID}}}, )\n"),
    # A comment after the last argument, on the call's own line.
    (f"requests.get(({URL})  # projects\n    )\n",
     f"requests.get(({URL}), headers={{{CID}}}  # projects\n    )\n"),
    # Parentheses that open on the call's line and close on another.
    (f"requests.get((\n        {URL}\n    ))\n",
     f"requests.get((\n        {URL}\n    ), headers={{{CID}}})\n"),
    # One argument per line: the new one on a line of its own, at the same indent.
    (f"requests.get(\n        ({URL})\n    )\n",
     f"requests.get(\n        ({URL}),\n        headers={{{CID}}}\n    )\n"),
    (f"requests.get(\n        ({URL}),\n    )\n",
     f"requests.get(\n        ({URL}),\n        headers={{{CID}}},\n    )\n"),
    (f"requests.get(\n        ({URL}),  # projects\n    )\n",
     f"requests.get(\n        ({URL}),  # projects\n        headers={{{CID}}},\n    )\n"),
    # A comment after the last argument stays on its line; the comma goes before it.
    (f"requests.get(\n        ({URL})  # projects\n    )\n",
     f"requests.get(\n        ({URL}),  # projects\n        headers={{{CID}}}\n    )\n"),
    (f"requests.get(\n        {URL}  # projects\n    )\n",
     f"requests.get(\n        {URL},  # projects\n        headers={{{CID}}}\n    )\n"),
    (f"requests.get(\n        {URL},\n        timeout=(\n            30\n        )\n    )\n",
     f"requests.get(\n        {URL},\n        timeout=(\n            30\n        ),\n"
     f"        headers={{{CID}}}\n    )\n"),
    # A last argument spanning lines and closing on the call's last line: the new one
    # lines up with it.
    (f"requests.get(\n        {URL}, timeout=(\n            30))\n",
     f"requests.get(\n        {URL}, timeout=(\n            30),\n"
     f"{' ' * 54}headers={{{CID}}})\n"),
])
def test_new_headers_argument_after_parentheses_commas_and_comments(call: str,
                                                                   expected: str) -> None:
    assert fixed_call(call) == expected


@pytest.mark.parametrize(("call", "expected"), [
    # Into the dict literal, after a parenthesised value or a `**` of one.
    (f'requests.get({URL}, headers={{"Authorization": (token)}})\n',
     f'requests.get({URL}, headers={{"Authorization": (token), {CID}}})\n'),
    (f'requests.get({URL}, headers={{"Authorization": ((token))}})\n',
     f'requests.get({URL}, headers={{"Authorization": ((token)), {CID}}})\n'),
    (f'requests.get({URL}, headers={{"Authorization": (token),}})\n',
     f'requests.get({URL}, headers={{"Authorization": (token), {CID},}})\n'),
    (f"requests.get({URL}, headers={{**(BASE)}})\n",
     f"requests.get({URL}, headers={{**(BASE), {CID}}})\n"),
    (f'requests.get({URL}, headers=({{"Authorization": token}}))\n',
     f'requests.get({URL}, headers=({{"Authorization": token, {CID}}}))\n'),
    (f'requests.get({URL}, headers=BASE | {{"Authorization": (token)}})\n',
     f'requests.get({URL}, headers=BASE | {{"Authorization": (token), {CID}}})\n'),
    (f'requests.get({URL}, headers={{\n        "Authorization": (token)\n    }})\n',
     f'requests.get({URL}, headers={{\n        "Authorization": (token),\n        {CID}\n    }})\n'),
    (f'requests.get({URL}, headers={{\n        "Authorization": (token)  # bearer\n    }})\n',
     f'requests.get({URL}, headers={{\n        "Authorization": (token),  # bearer\n'
     f'        {CID}\n    }})\n'),
    (f'requests.get({URL}, headers={{\n        "Authorization": (\n            token\n        ),\n    }})\n',
     f'requests.get({URL}, headers={{\n        "Authorization": (\n            token\n        ),\n'
     f'        {CID},\n    }})\n'),
    # `None` and `{}` are replaced inside their parentheses.
    (f"requests.get({URL}, headers=(None))\n",
     f"requests.get({URL}, headers=({{{CID}}}))\n"),
    (f"requests.get({URL}, headers=({{}}))\n",
     f"requests.get({URL}, headers=({{{CID}}}))\n"),
])
def test_into_the_headers_dict_after_parentheses_and_comments(call: str, expected: str) -> None:
    assert fixed_call(call) == expected


@pytest.mark.parametrize(("call", "expected"), [
    # A shared value is merged around its parentheses, not inside them.
    (f"requests.get({URL}, headers=(BASE))\n",
     f"requests.get({URL}, headers={{**(BASE), {CID}}})\n"),
    (f"requests.get({URL}, headers=(\n        BASE\n    ))\n",
     f"requests.get({URL}, headers={{**(\n        BASE\n    ), {CID}}})\n"),
    # `**` binds tighter than `or`, `if`-`else`, `not` and comparisons: parentheses added.
    (f"requests.get({URL}, headers=BASE or {{}})\n",
     f"requests.get({URL}, headers={{**(BASE or {{}}), {CID}}})\n"),
    (f"requests.get({URL}, headers=BASE if token else {{}})\n",
     f"requests.get({URL}, headers={{**(BASE if token else {{}}), {CID}}})\n"),
    (f"requests.get({URL}, headers=(BASE or {{}}))\n",
     f"requests.get({URL}, headers={{**(BASE or {{}}), {CID}}})\n"),
])
def test_shared_headers_merged_around_parentheses(call: str, expected: str) -> None:
    assert fixed_call(call) == expected


def test_wrapper_caller_gets_the_header_after_a_parenthesised_argument() -> None:
    code = dedent("""\
        import requests


        def procore_get(path, headers=None):
            return requests.get("https://api.procore.com/rest/v1.0/" + path, headers=headers)


        def sync(company_id):
            return procore_get(
                ("projects")  # all of them
            )
        """)
    fixed, remaining = fix_source(code, "a.py", HEADER_RULES)
    assert remaining == []
    assert fixed == code.replace(
        '        ("projects")  # all of them\n',
        '        ("projects"),  # all of them\n'
        '        headers={"Procore-Company-Id": str(company_id)}\n')


def test_client_defaults_get_the_header_after_a_parenthesised_base_url() -> None:
    code = dedent("""\
        import httpx


        class Sync:
            def __init__(self, company_id):
                self.client = httpx.Client(base_url=("https://api.procore.com"))

            def projects(self):
                return self.client.get("/rest/v1.0/projects")
        """)
    fixed, remaining = fix_source(code, "a.py", HEADER_RULES, unsafe_fixes=True)
    assert remaining == []
    assert fixed == code.replace(
        'httpx.Client(base_url=("https://api.procore.com"))',
        'httpx.Client(base_url=("https://api.procore.com"), '
        'headers={"Procore-Company-Id": str(company_id)})')
