"""The host rules over every value-flow form the resolver follows.

Each test is a small project; findings are asserted exactly (path, code, row, column)
and fixes byte for byte.
"""

from __future__ import annotations

from mpz_lint.settings import Settings
from tests import helpers

HOST_RULES = Settings(select=("MPZ0",))


def findings(files: dict[str, str]) -> list[tuple[str, str, int, int]]:
    return helpers.findings(files, HOST_RULES)


def messages(files: dict[str, str]) -> list[str]:
    return helpers.messages(files, HOST_RULES)


def fixed(files: dict[str, str], unsafe: bool = False) -> dict[str, str]:
    return helpers.fixed(files, unsafe, HOST_RULES)


def test_module_constant_imported_by_another_module() -> None:
    files = {
        "app/config.py": 'PROCORE_URL = "https://app.procore.com"\n',
        "app/client.py": """
            import requests
            from app.config import PROCORE_URL

            def projects(company_id):
                return requests.get(f"{PROCORE_URL}/rest/v1.0/projects")
            """,
    }
    assert findings(files) == [("app/config.py", "MPZ002", 1, 15)]
    assert fixed(files)["app/config.py"] == 'PROCORE_URL = "https://api.procore.com"\n'


def test_relative_import_and_module_attribute() -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/settings.py": 'BASE = "https://app.procore.com"\n',
        "pkg/auth.py": """
            from . import settings

            def token_url():
                return settings.BASE + "/oauth/token"
            """,
    }
    assert findings(files) == [("pkg/settings.py", "MPZ001", 1, 8)]


def test_self_attribute_from_parameter_default_used_in_another_method() -> None:
    files = {
        "client.py": """
            class ProcoreClient:
                def __init__(self, base_url="https://app.procore.com"):
                    self.base_url = base_url

                def token(self, session):
                    return session.post(self.base_url + "/oauth/token")
            """,
    }
    assert findings(files) == [("client.py", "MPZ001", 2, 33)]


def test_argument_passed_by_a_caller_takes_the_role_of_the_callee() -> None:
    files = {
        "client.py": """
            import requests

            class ProcoreClient:
                def __init__(self, base_url):
                    self.base_url = base_url

                def projects(self):
                    return requests.get(f"{self.base_url}/rest/v1.0/projects")
            """,
        "main.py": """
            from client import ProcoreClient

            client = ProcoreClient(base_url="https://app.procore.com")
            """,
    }
    assert findings(files) == [("main.py", "MPZ002", 3, 33)]


def test_class_attribute_and_inheritance() -> None:
    files = {
        "api.py": """
            class Base:
                API_ROOT = "https://app.procore.com"

            class Projects(Base):
                def url(self):
                    return "%s/rest/v1.0/projects" % self.API_ROOT
            """,
    }
    assert findings(files) == [("api.py", "MPZ002", 2, 16)]


def test_format_with_position_and_keyword() -> None:
    files = {
        "a.py": """
            BASE = "https://app.procore.com"
            TOKEN = "{}/oauth/token".format(BASE)
            """,
        "b.py": """
            ROOT = "https://us02.procore.com"
            URL = "{root}/rest/v1.0/me".format(root=ROOT)
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 1, 8), ("b.py", "MPZ002", 1, 8)]


def test_urljoin_and_posixpath_join() -> None:
    files = {
        "a.py": """
            from urllib.parse import urljoin
            BASE = "https://app.procore.com/"
            URL = urljoin(BASE, "/rest/v1.0/projects")
            """,
        "b.py": """
            import posixpath
            BASE = "https://app.procore.com"
            URL = posixpath.join(BASE, "oauth/token")
            """,
    }
    assert findings(files) == [("a.py", "MPZ002", 2, 8), ("b.py", "MPZ001", 2, 8)]


def test_environment_default_flows_into_the_url() -> None:
    files = {
        "a.py": """
            import os
            PROCORE = os.getenv("PROCORE_URL", "https://app.procore.com")
            TOKEN = PROCORE + "/oauth/token"
            """,
        "b.py": """
            from os import environ
            API = environ.get("PROCORE_API", default="https://app.procore.com")
            def get(session, path):
                return session.get(f"{API}/rest/v1.0/{path}")
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 2, 36), ("b.py", "MPZ002", 2, 42)]


def test_mixed_base_is_reported_with_its_uses() -> None:
    files = {
        "procore.py": """
            BASE_URL = "https://app.procore.com"

            def token(oauth):
                return oauth.fetch_token(f"{BASE_URL}/oauth/token")

            def projects(session):
                return session.get(f"{BASE_URL}/rest/v1.0/projects")
            """,
    }
    assert findings(files) == [("procore.py", "MPZ003", 1, 12)]
    (message,) = messages(files)
    assert "OAuth at procore.py:4" in message and "REST at procore.py:7" in message
    original = helpers.sources(files)[0].text
    assert fixed(files) == {"procore.py": original}  # the split is unsafe
    assert fixed(files, unsafe=True) == {"procore.py": (
        'BASE_URL = "https://api.procore.com"\n'
        'LOGIN_URL = "https://login.procore.com"\n'
        "\n"
        "def token(oauth):\n"
        '    return oauth.fetch_token(f"{LOGIN_URL}/oauth/token")\n'
        "\n"
        "def projects(session):\n"
        '    return session.get(f"{BASE_URL}/rest/v1.0/projects")\n'
    )}


def test_mixed_base_with_an_oauth_use_in_another_module_has_no_split_fix() -> None:
    files = {
        "conf.py": 'BASE = "https://app.procore.com"\nME = BASE + "/rest/v1.0/me"\n',
        "auth.py": 'from conf import BASE\nTOKEN = BASE + "/oauth/token"\n',
    }
    assert findings(files) == [("conf.py", "MPZ003", 1, 8)]
    assert fixed(files, unsafe=True)["conf.py"] == files["conf.py"]


def test_unknown_role_needs_a_scheme() -> None:
    files = {
        "a.py": 'PROCORE = "https://app.procore.com"\n',
        "b.py": 'ALLOWED = ["app.procore.com"]\n',
    }
    assert findings(files) == [("a.py", "MPZ003", 1, 11)]


def test_bound_name_is_a_weak_hint_with_an_unsafe_fix() -> None:
    files = {"a.py": 'PROCORE_TOKEN_BASE = "https://app.procore.com"\n'}
    assert findings(files) == [("a.py", "MPZ001", 1, 22)]
    assert fixed(files) == files
    assert fixed(files, unsafe=True) == {"a.py": 'PROCORE_TOKEN_BASE = "https://login.procore.com"\n'}


def test_client_base_url_takes_the_role_of_its_requests() -> None:
    files = {
        "a.py": """
            import httpx
            PROCORE = "https://app.procore.com"

            def projects():
                with httpx.Client(base_url=PROCORE) as client:
                    return client.get("/rest/v1.0/projects")
            """,
    }
    assert findings(files) == [("a.py", "MPZ002", 2, 11)]


def test_oauth_keyword_gives_a_bare_base_the_auth_role() -> None:
    files = {
        "a.py": """
            from requests_oauthlib import OAuth2Session
            ROOT = "https://app.procore.com/oauth/token"
            session = OAuth2Session("id", auto_refresh_url=ROOT)
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 2, 8)]


def test_function_returning_a_url_is_followed_with_the_callers_argument() -> None:
    files = {
        "a.py": """
            import requests
            HOST = "https://app.procore.com"

            def url(path):
                return HOST + path

            def me():
                return requests.get(url("/rest/v1.0/me"))
            """,
    }
    assert findings(files) == [("a.py", "MPZ002", 2, 8)]


def test_dataclass_and_pydantic_settings_defaults() -> None:
    files = {
        "settings.py": """
            from dataclasses import dataclass, field
            from pydantic_settings import BaseSettings

            @dataclass
            class Config:
                auth_root: str = field(default="https://app.procore.com")

            class Settings(BaseSettings):
                procore_api: str = "https://app.procore.com"

            config = Config()
            settings = Settings()
            TOKEN = f"{config.auth_root}/oauth/token"
            PROJECTS = f"{settings.procore_api}/rest/v1.0/projects"
            """,
    }
    assert findings(files) == [("settings.py", "MPZ001", 6, 36), ("settings.py", "MPZ002", 9, 24)]


def test_vapid_path_is_rewritten_with_the_host() -> None:
    files = {
        "a.py": """
            BASE = "https://app.procore.com"
            def companies(session):
                return session.get(BASE + "/vapid/companies")
            """,
    }
    assert fixed(files)["a.py"] == (
        'BASE = "https://api.procore.com"\n'
        "def companies(session):\n"
        '    return session.get(BASE + "/rest/v1.0/companies")\n'
    )


def test_sandbox_hosts() -> None:
    files = {
        "a.py": """
            TOKEN = "https://sandbox.procore.com/oauth/token"
            API = "https://sandbox.procore.com/rest/v1.0/projects"
            MONTHLY = "https://api-sandbox-monthly.procore.com/rest/v1.0/me"
            LOGIN_REST = "https://login.procore.com/rest/v1.0/me"
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 1, 9), ("a.py", "MPZ002", 3, 11),
                               ("a.py", "MPZ002", 4, 14)]
    # The monthly sandbox move is unsafe: applied only on request.
    assert "api-sandbox-monthly" in fixed(files)["a.py"]
    assert "api-sandbox-monthly" not in fixed(files, unsafe=True)["a.py"]


def test_sandbox_base_used_for_oauth_and_rest_is_mixed() -> None:
    files = {
        "a.py": """
            SANDBOX = "https://sandbox.procore.com"
            TOKEN = SANDBOX + "/oauth/token"
            ME = SANDBOX + "/rest/v1.0/me"
            """,
    }
    assert findings(files) == [("a.py", "MPZ003", 1, 11)]


def test_never_reported() -> None:
    files = {
        "a.py": '''
            """Module docs: tokens come from https://app.procore.com/oauth/token."""
            # REST used to live at https://app.procore.com/rest/v1.0/projects
            HOME = "https://app.procore.com/12345/project/home"
            MCP = "https://app.procore.com/rest/v1.0/mcp"
            US_MCP = "https://us02.procore.com/rest/v1.0/mcp"
            FILE = "https://app.procore.com/fas/abc123/file.pdf"
            PRESIGNED = "https://app.procore.com/rest/v1.0/files?sig=abc"
            STORAGE = "https://storage.procore.com/uploads/1"
            DOCS = "https://developers.procore.com/reference/rest/v1/me"
            STATUS = "https://status.procore.com"
            LOOK1 = "https://notapp.procore.com/oauth/token"
            LOOK2 = "https://app.procore.com.evil.org/rest/v1.0/me"
            LOOK3 = "https://app.procore.community/oauth/token"
            HELP = "Log in at https://app.procore.com/oauth/authorize and retry"
            GOOD = "https://login.procore.com/oauth/token"
            API = "https://api.procore.com/rest/v1.0/me"

            def is_legacy(url):
                return url.startswith("https://app.procore.com/rest") or url == "https://app.procore.com"
            ''',
    }
    assert findings(files) == []


def test_host_matching_ignores_case_port_userinfo_and_trailing_dot() -> None:
    files = {
        "a.py": """
            A = "HTTPS://APP.PROCORE.COM/oauth/token"
            B = "https://app.procore.com:443/rest/v1.0/me"
            C = "https://user:pw@app.procore.com./rest/v1.0/me"
            D = "//app.procore.com/oauth/authorize"
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 1, 5), ("a.py", "MPZ002", 2, 5),
                               ("a.py", "MPZ002", 3, 5), ("a.py", "MPZ001", 4, 5)]
    assert fixed(files)["a.py"] == (
        'A = "HTTPS://login.procore.com/oauth/token"\n'
        'B = "https://api.procore.com:443/rest/v1.0/me"\n'
        'C = "https://user:pw@api.procore.com./rest/v1.0/me"\n'
        'D = "//login.procore.com/oauth/authorize"\n'
    )


def test_fix_keeps_quotes_prefixes_and_fstring_parts() -> None:
    files = {
        "a.py": """
            A = f'https://app.procore.com/rest/v1.0/projects/{project_id}'
            B = r"https://app.procore.com/oauth/token"
            C = ("https://app.procore.com"
                 "/rest/v1.0/me")
            D = '''https://app.procore.com/oauth/authorize'''
            """,
    }
    assert findings(files) == [("a.py", "MPZ002", 1, 5), ("a.py", "MPZ001", 2, 5),
                               ("a.py", "MPZ002", 3, 6), ("a.py", "MPZ001", 5, 5)]
    assert fixed(files)["a.py"] == (
        "A = f'https://api.procore.com/rest/v1.0/projects/{project_id}'\n"
        'B = r"https://login.procore.com/oauth/token"\n'
        'C = ("https://api.procore.com"\n'
        '     "/rest/v1.0/me")\n'
        "D = '''https://login.procore.com/oauth/authorize'''\n"
    )


def test_crlf_and_comments_survive_a_fix() -> None:
    text = '# settings\r\nTOKEN = "https://app.procore.com/oauth/token"  # keep me\r\n'
    assert fixed({"a.py": text})["a.py"] == (
        '# settings\r\nTOKEN = "https://login.procore.com/oauth/token"  # keep me\r\n'
    )


def test_non_ascii_before_the_url_keeps_columns_in_characters() -> None:
    files = {"a.py": 'NOTE = "é"; URL = "https://app.procore.com/oauth/token"\n'}
    assert findings(files) == [("a.py", "MPZ001", 1, 19)]
    assert fixed(files)["a.py"] == 'NOTE = "é"; URL = "https://login.procore.com/oauth/token"\n'


def test_base_defined_in_a_module_that_is_used_by_one_that_never_names_procore() -> None:
    files = {
        "conf.py": 'ROOT = "https://app.procore.com"\n',
        "sync.py": """
            import requests
            from conf import ROOT

            def pull():
                return requests.get(ROOT + "/rest/v1.0/projects")
            """,
    }
    assert findings(files) == [("conf.py", "MPZ002", 1, 8)]


def test_http_client_connection_host_takes_the_role_of_its_request_paths() -> None:
    files = {
        "a.py": """
            import http.client
            PROCORE_HOST = "app.procore.com"

            def me(token):
                conn = http.client.HTTPSConnection(PROCORE_HOST)
                conn.request("GET", "/rest/v1.0/me", headers={"Authorization": token})
                return conn.getresponse()
            """,
    }
    assert findings(files) == [("a.py", "MPZ002", 2, 16)]


def test_host_name_in_an_fstring_authority() -> None:
    files = {
        "a.py": """
            HOST = "app.procore.com"
            TOKEN = f"https://{HOST}/oauth/token"
            """,
    }
    assert findings(files) == [("a.py", "MPZ001", 1, 8)]


def test_django_settings_constant() -> None:
    files = {
        "proj/settings.py": 'PROCORE_API_URL = "https://app.procore.com"\n',
        "proj/sync.py": """
            import requests
            from django.conf import settings

            def projects():
                return requests.get(f"{settings.PROCORE_API_URL}/rest/v1.0/projects")
            """,
    }
    assert findings(files) == [("proj/settings.py", "MPZ002", 1, 19)]


def test_web_link_with_an_unknown_first_segment_is_left_alone() -> None:
    files = {
        "links.py": """
            PROCORE_APP = "https://app.procore.com"

            def rfi_link(project_id, rfi_id):
                return f"{PROCORE_APP}/{project_id}/project/rfi/show/{rfi_id}"

            def home(company_id):
                return f"https://app.procore.com/{company_id}/company/home"
            """,
    }
    assert findings(files) == []


def test_mixed_rest_and_web_links_advises_an_api_and_a_web_base() -> None:
    files = {
        "a.py": """
            PROCORE = "https://app.procore.com"
            PROJECTS = PROCORE + "/rest/v1.0/projects"
            HOME = PROCORE + "/12345/company/home"
            """,
    }
    assert findings(files) == [("a.py", "MPZ003", 1, 11)]
    (message,) = messages(files)
    assert message.endswith(
        "split it into an API base (`api.procore.com`) and a web base (`app.procore.com`)")
