"""Finding Procore hosts in text that may be only partly known, and reading their role.

The resolver hands us a *flat* string: known text with every unknown part replaced by
HOLE. A host counts only when it stands where a URL's host stands (at the start, after
`scheme://`, after userinfo, or right after an unknown part); a host in the middle of a
sentence is prose, not a request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mpz_lint import knowledge
from mpz_lint.knowledge import Role

HOLE = "\x00"

_HOST = re.compile(
    r"(?<![A-Za-z0-9.\-_])"
    r"((?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)*procore(?:gov)?\.com)"
    r"(\.?)"
    r"(?![A-Za-z0-9\-_]|\.[A-Za-z0-9])",
    re.IGNORECASE,
)
# What may stand between the start of a URL and its host.
_URL_PREFIX = re.compile(
    r"(?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?://)?(?:[^\s/@\x00]*@)?\Z"
)
_PORT = re.compile(r":\d*")
_PATH_END = re.compile(r"[\s\x00\"'<>]")


@dataclass(frozen=True)
class HostMatch:
    """A Procore host standing as a URL's host in a flat string."""

    host: str  # lower case, no trailing dot
    start: int  # span of the host name itself in the flat string
    end: int
    path: str  # known path, query and fragment after the host (and port)
    path_complete: bool  # False when an unknown part follows the known path
    after: str = ""  # what follows the unknown part, when the path is not complete

    @property
    def role(self) -> Role | None:
        role = role_of_path(self.path, self.path_complete)
        if role is None and not self.path_complete and self.path.startswith("/"):
            return _role_after_unknown_segment(self.path, self.after)
        return role

    @property
    def carved_out(self) -> bool:
        return knowledge.is_carved_out(self.host, self.path)


def find_hosts(flat: str) -> tuple[HostMatch, ...]:
    """Every known Procore host (knowledge.PROCORE_HOSTS) used as a URL host in `flat`."""
    if "procore" not in flat.lower():
        return ()
    return _find_hosts(flat)


# By text: a client's few base URLs are looked at again at every use.
@lru_cache(maxsize=4096)
def _find_hosts(flat: str) -> tuple[HostMatch, ...]:
    found: list[HostMatch] = []
    for m in _HOST.finditer(flat):
        host = m.group(1).lower()
        if host not in knowledge.HOSTS_BY_NAME:
            continue
        prefix = flat[: m.start()]
        # Drop everything up to the last unknown part: f"{scheme}://app.procore.com" is fine.
        prefix = prefix[prefix.rfind(HOLE) + 1 :]
        if not _URL_PREFIX.match(prefix):
            continue  # prose: "see https://app.procore.com for details"
        rest = flat[m.end() :]
        port = _PORT.match(rest)
        if port:
            rest = rest[port.end() :]
        if rest and rest[0] not in "/?#" + HOLE and not rest[0].isspace():
            continue
        stop = _PATH_END.search(rest)
        path = rest if stop is None else rest[: stop.start()]
        tail = "" if stop is None else rest[stop.start() :]
        if tail and tail[0] != HOLE and tail.strip(" \t\r\n\"'<>"):
            continue  # more words follow the URL: a sentence that mentions it
        complete = not tail.startswith(HOLE)
        found.append(HostMatch(host, m.start(1), m.end(1), path, complete,
                               "" if complete else tail[1:]))
    return tuple(found)


def role_of_path(path: str, complete: bool) -> Role | None:
    """The role a URL path gives its host, or None when the known text does not say.

    `complete` is False when an unknown part follows `path`, so it may be only a prefix.
    """
    if knowledge.AUTH_PATH.match(path):
        return knowledge.AUTH
    if knowledge.API_PATH.match(path):
        return knowledge.API
    lowered = path.lower()
    bare = lowered.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    if bare == "":
        return None  # a base URL: its role comes from how it is used
    # "/rest", "/rest/v1.0" cut short, "/oau" + unknown: may still become auth or api.
    for prefix in knowledge.ROLE_PATH_PREFIXES:
        if bare.startswith(prefix) or (not complete and prefix.startswith(bare)):
            return None
    if not complete and "/" not in lowered[1:]:
        return None  # the first segment itself is cut short
    return knowledge.WEB


def _role_after_unknown_segment(path: str, after: str) -> Role | None:
    """`https://app.procore.com/{company_id}/project/home`: a path whose first segment is
    unknown is a web link when what follows is known and names no OAuth or REST path."""
    if path.rstrip("/") != "" or not after.startswith("/"):
        return None
    known = after.split(HOLE, 1)[0].lower()
    if any(marker in known for marker in ("/oauth", "/rest", "/vapid")) or known.strip("/") == "":
        return None
    if any(marker in after.lower() for marker in ("oauth", "rest/v", "vapid")):
        return None
    return knowledge.WEB


def correct_host(host: str, role: Role) -> str | None:
    """The host that `host` should be for `role`, or None if it is right as it is."""
    facts = knowledge.HOSTS_BY_NAME[host]
    if role == knowledge.AUTH:
        return facts.for_auth
    if role == knowledge.API:
        return facts.for_api
    return None
