"""The MPZ101 fix: where the header goes and which company id it sends, byte for byte."""

from __future__ import annotations

from textwrap import dedent

from mpz_lint.engine import fix_source, lint_source
from mpz_lint.settings import Settings

MISSING = Settings(select=("MPZ101",))


def fix(code: str, settings: Settings = MISSING) -> str:
    text = dedent(code).lstrip("\n")
    fixed, remaining = fix_source(text, "a.py", settings)
    # Fixed code parses, finds nothing more to fix, and a second run changes nothing.
    assert [d for d in remaining if d.fix is not None] == []
    assert fix_source(fixed, "a.py", settings)[0] == fixed
    return fixed


def test_into_the_dict_literal_at_the_call_with_the_company_id_parameter() -> None:
    assert fix("""
        import requests
        def projects(token, company_id):
            return requests.get("https://api.procore.com/rest/v1.0/projects", headers={"Authorization": token})
        """) == dedent("""\
        import requests
        def projects(token, company_id):
            return requests.get("https://api.procore.com/rest/v1.0/projects", headers={"Authorization": token, "Procore-Company-Id": str(company_id)})
        """)


def test_into_a_multi_line_dict_keeping_its_layout_and_comments() -> None:
    assert fix("""
        import requests
        def projects(token, company_id: str):
            headers_ok = requests.get(
                "https://api.procore.com/rest/v1.0/projects",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",  # v1 API
                },
            )
            return headers_ok
        """) == dedent("""\
        import requests
        def projects(token, company_id: str):
            headers_ok = requests.get(
                "https://api.procore.com/rest/v1.0/projects",
                headers={
                    "Authorization": f"Bearer {token}",
                    "Accept": "application/json",  # v1 API
                    "Procore-Company-Id": company_id,
                },
            )
            return headers_ok
        """)


def test_as_a_new_headers_argument_with_the_company_id_from_the_url() -> None:
    assert fix("""
        import requests
        def rfis(session: requests.Session, cid, project_id):
            return session.get(f"https://api.procore.com/rest/v1.0/companies/{cid}/projects/{project_id}/rfis")
        """) == dedent("""\
        import requests
        def rfis(session: requests.Session, cid, project_id):
            return session.get(f"https://api.procore.com/rest/v1.0/companies/{cid}/projects/{project_id}/rfis", headers={"Procore-Company-Id": str(cid)})
        """)


def test_new_argument_after_a_trailing_comma_one_per_line() -> None:
    assert fix("""
        import httpx
        def projects(client: httpx.Client, company_id):
            return client.get(
                "https://api.procore.com/rest/v1.0/projects",
                params={"company_id": company_id},
            )
        """) == dedent("""\
        import httpx
        def projects(client: httpx.Client, company_id):
            return client.get(
                "https://api.procore.com/rest/v1.0/projects",
                params={"company_id": company_id},
                headers={"Procore-Company-Id": str(company_id)},
            )
        """)


def test_company_id_from_params_when_no_name_says_company() -> None:
    assert fix("""
        import requests
        def projects(token, ident):
            return requests.get("https://api.procore.com/rest/v1.0/projects", params={"company_id": ident})
        """) == dedent("""\
        import requests
        def projects(token, ident):
            return requests.get("https://api.procore.com/rest/v1.0/projects", params={"company_id": ident}, headers={"Procore-Company-Id": str(ident)})
        """)


def test_shared_headers_variable_is_merged_at_the_call() -> None:
    assert fix("""
        import requests
        HEADERS = {"Accept": "application/json"}

        class Api:
            def __init__(self, company_id: int):
                self.company_id = company_id

            def projects(self):
                return requests.get("https://api.procore.com/rest/v1.0/projects", headers=HEADERS)
        """) == dedent("""\
        import requests
        HEADERS = {"Accept": "application/json"}

        class Api:
            def __init__(self, company_id: int):
                self.company_id = company_id

            def projects(self):
                return requests.get("https://api.procore.com/rest/v1.0/projects", headers={**HEADERS, "Procore-Company-Id": str(self.company_id)})
        """)


def test_configured_company_id_expression() -> None:
    settings = Settings(select=("MPZ101",), company_id_expr="settings.PROCORE_COMPANY_ID")
    assert fix("""
        import requests
        requests.get("https://api.procore.com/rest/v1.0/projects")
        """, settings) == dedent("""\
        import requests
        requests.get("https://api.procore.com/rest/v1.0/projects", headers={"Procore-Company-Id": str(settings.PROCORE_COMPANY_ID)})
        """)


def test_without_a_company_id_there_is_no_fix_and_the_message_says_why() -> None:
    code = 'import requests\nrequests.get("https://api.procore.com/rest/v1.0/projects")\n'
    (diagnostic,) = lint_source(code, "a.py", MISSING)
    assert diagnostic.fix is None
    assert diagnostic.message.endswith("no company id in scope to add (set `--company-id-expr`)")


def test_no_new_argument_where_it_would_drop_pool_defaults() -> None:
    code = dedent("""\
        import urllib3
        def get(company_id):
            pool = urllib3.PoolManager(headers={"Authorization": "Bearer x"})
            return pool.request("GET", "https://api.procore.com/rest/v1.0/projects")
        """)
    (diagnostic,) = lint_source(code, "a.py", MISSING)
    # Not a `headers=` on the call (urllib3 would drop the pool's headers), but the
    # pool's own defaults: unsafe.
    assert diagnostic.fix is not None and not diagnostic.fix.is_safe
    fixed, _ = fix_source(code, "a.py", MISSING, unsafe_fixes=True)
    assert 'urllib3.PoolManager(headers={"Authorization": "Bearer x", "Procore-Company-Id": str(company_id)})' in fixed


def test_forwarding_wrapper_gets_the_header_at_its_caller() -> None:
    assert fix("""
        import requests

        def procore_get(path, headers=None):
            return requests.get("https://api.procore.com/rest/v1.0/" + path, headers=headers)

        def sync(company_id):
            return procore_get("projects", headers={"Authorization": "x"})
        """) == dedent("""\
        import requests

        def procore_get(path, headers=None):
            return requests.get("https://api.procore.com/rest/v1.0/" + path, headers=headers)

        def sync(company_id):
            return procore_get("projects", headers={"Authorization": "x", "Procore-Company-Id": str(company_id)})
        """)


def test_crlf_file_keeps_its_line_endings() -> None:
    code = ('import httpx\r\ndef get(client: httpx.Client, company_id):\r\n'
            '    return client.get(\r\n        "https://api.procore.com/rest/v1.0/projects",\r\n'
            '        headers={\r\n            "Accept": "json",\r\n        },\r\n    )\r\n')
    fixed, _ = fix_source(code, "a.py", MISSING)
    assert fixed == code.replace('"Accept": "json",\r\n',
                                 '"Accept": "json",\r\n            "Procore-Company-Id": str(company_id),\r\n')


def test_session_defaults_get_the_header_when_only_the_constructor_knows_the_company() -> None:
    code = dedent("""\
        import requests

        class Procore:
            def __init__(self, token, company_id):
                self.session = requests.Session()
                self.session.headers["Authorization"] = f"Bearer {token}"

            def projects(self):
                return self.session.get("https://api.procore.com/rest/v1.0/projects")

            def rfis(self, project_id):
                return self.session.get(f"https://api.procore.com/rest/v1.0/projects/{project_id}/rfis")
        """)
    assert fix_source(code, "a.py", MISSING)[0] == code  # the session fix is unsafe
    fixed, remaining = fix_source(code, "a.py", MISSING, unsafe_fixes=True)
    assert remaining == []
    assert fixed == code.replace(
        '        self.session = requests.Session()\n',
        '        self.session = requests.Session()\n'
        '        self.session.headers["Procore-Company-Id"] = str(company_id)\n')


def test_client_defaults_get_the_header_in_its_constructor() -> None:
    code = dedent("""\
        import httpx

        class Sync:
            def __init__(self, token, company_id):
                self.client = httpx.Client(base_url="https://api.procore.com", headers={"Authorization": token})

            def projects(self):
                return self.client.get("/rest/v1.0/projects")

            def vendors(self):
                return self.client.get("/rest/v1.0/vendors")
        """)
    fixed, remaining = fix_source(code, "a.py", MISSING, unsafe_fixes=True)
    assert remaining == []
    assert 'headers={"Authorization": token, "Procore-Company-Id": str(company_id)})' in fixed


def test_configured_company_id_from_a_module_is_imported() -> None:
    settings = Settings(select=("MPZ101",), company_id_expr="acme.settings:PROCORE_COMPANY_ID")
    assert fix("""
        \"\"\"Sync projects.\"\"\"
        import requests


        def sync():
            return requests.get("https://api.procore.com/rest/v1.0/projects")
        """, settings) == dedent("""\
        \"\"\"Sync projects.\"\"\"
        import requests
        from acme.settings import PROCORE_COMPANY_ID


        def sync():
            return requests.get("https://api.procore.com/rest/v1.0/projects", headers={"Procore-Company-Id": str(PROCORE_COMPANY_ID)})
        """)
