"""Checks of plain component arguments, each refusal one line that names the argument, what is allowed and what was
given. Every component validates its args with these, so the same mistake reads the same everywhere."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

# An HTTP API identity source: a header, a query string parameter, a context or a stage variable (API Gateway's
# selection expressions); for a Lambda authorizer they must all be present, and together they are the cache key.
IDENTITY_SOURCE = re.compile(
    r"^\$(request\.(header|querystring)\.[^\s.,$]+|context\.[A-Za-z][A-Za-z0-9.]*|stageVariables\.\w+)$"
)

CLOUDWATCH_RETENTION_DAYS = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip
"""The only retention periods CloudWatch Logs accepts, in days (a platform limit, not a security choice)."""


def check_int(argument: str, value: object, low: int, high: int | None = None) -> None:
    """An integer (not a bool) from ``low`` to ``high`` (no upper bound when None)."""
    if isinstance(value, bool) or not isinstance(value, int) or value < low or (high is not None and value > high):
        allowed = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ValueError(f"{argument}: must be an integer {allowed} (got {value!r})")


def check_one_of(argument: str, value: object, allowed: Iterable[object]) -> None:
    """One of ``allowed`` (a bool never stands for 1 or 0)."""
    choices = tuple(allowed)
    if isinstance(value, bool) and not any(isinstance(c, bool) for c in choices) or value not in choices:
        raise ValueError(f"{argument}: must be one of {', '.join(map(str, choices))} (got {value!r})")


def check_not_blank(argument: str, value: object) -> None:
    """A plain string must not be blank (an Output is checked by the provider when it resolves)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ValueError(f"{argument}: must be a non-empty string or Output (got {value!r})")


# --- networks -------------------------------------------------------------------------------------------------------
PUBLIC_ACCESS_MAX_ADDRESSES = 2**24
"""The most IPv4 addresses a public endpoint's allow list may open, all blocks together: one /8's worth. More than
that is no longer "named networks" (0.0.0.0/1 alone is half the internet)."""


def cidr_problem(cidrs: object, *, public: bool) -> str | None:
    """Why ``cidrs`` is not an acceptable allow list of networks, or None. Networks are compared as networks, not as
    strings: each block must be written in canonical form (``10.0.0.0/8``: no host bits, no ``/00``, a prefix length
    given), and the blocks together must not cover every address of their family (0.0.0.0/0, ::/0). With ``public``
    (what an internet-facing endpoint sees): IPv4 only, no private or reserved block (:data:`NOT_PUBLIC`), and all
    blocks together at most :data:`PUBLIC_ACCESS_MAX_ADDRESSES` addresses."""
    if isinstance(cidrs, str) or not isinstance(cidrs, list | tuple):
        return f"must be a list of CIDR blocks (got {cidrs!r})"
    networks: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = []
    for cidr in cidrs:
        problem = _network_problem(cidr, public)
        if problem:
            return problem
        networks.append(ipaddress.ip_network(cidr))
    if len(set(networks)) != len(networks):
        return "lists a CIDR block twice"
    for everything in (ipaddress.ip_network("0.0.0.0/0"), ipaddress.ip_network("::/0")):
        family = [n for n in networks if n.version == everything.version]
        covered = list(ipaddress.collapse_addresses(family))  # type: ignore[type-var]
        if everything in covered:
            shown = ", ".join(str(n) for n in family)
            verb = "together cover" if len(family) > 1 else "is"
            return f"{shown} {verb} every address ({everything}): the whole internet"
        total = sum(n.num_addresses for n in covered)
        if public and total > PUBLIC_ACCESS_MAX_ADDRESSES:
            return (
                f"opens {total:,} addresses; name the networks that need access (at most a /8's worth, "
                f"{PUBLIC_ACCESS_MAX_ADDRESSES:,}, in all)"
            )
    return None


NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(n)
    for n in ("0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
              "192.168.0.0/16", "224.0.0.0/4", "240.0.0.0/4")
)  # fmt: skip
"""Private, shared, loopback, link-local, multicast and reserved IPv4 space: never the source of a request that
reaches a public endpoint."""


def _network_problem(cidr: object, public: bool) -> str | None:
    if not isinstance(cidr, str):
        return f"{cidr!r} is not a CIDR block"
    try:
        network = ipaddress.ip_network(cidr)
    except ValueError:
        try:
            suggestion = f"; did you mean {ipaddress.ip_network(cidr, strict=False)}?"
        except ValueError:
            suggestion = ""
        return f"{cidr!r} is not a CIDR block{suggestion}"
    if str(network) != cidr:
        return f"{cidr!r} is not in canonical form; write {network}"
    if not public:
        return None
    if not isinstance(network, ipaddress.IPv4Network):
        return f"{cidr!r}: only IPv4 blocks are allowed (the public endpoint is IPv4)"
    if any(network.subnet_of(n) for n in NOT_PUBLIC):
        return f"{cidr!r} is a private or reserved network; a public endpoint only sees public addresses"
    return None


def check_cidrs(argument: str, cidrs: object, *, public: bool) -> None:
    """Raise a ``ValueError`` naming ``argument`` when :func:`cidr_problem` finds one."""
    problem = cidr_problem(cidrs, public=public)
    if problem:
        raise ValueError(f"{argument}: {problem}")


# --- browser origins ------------------------------------------------------------------------------------------------
_ORIGIN = re.compile(r"^(https?)://([a-z0-9]([a-z0-9-]*[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:\d{1,5})?$")
ANY_ORIGIN = ("*", "https://*", "http://*")
"""What API Gateway's CORS takes as "any origin" (all, any https, any http)."""


def origin_problem(origins: object, *, hardened: bool) -> str | None:
    """Why ``origins`` is not a list of CORS origins API Gateway and browsers agree on, or None. An origin is
    ``scheme://host[:port]`` in lower case, with no path and no trailing slash (what a browser sends in ``Origin``);
    ``*``, ``https://*`` and ``http://*`` allow any. When ``hardened``, neither a wildcard nor plain http is allowed."""
    if isinstance(origins, str) or not isinstance(origins, list | tuple):
        return f"must be a list of origins (got {origins!r})"
    for origin in origins:
        if origin in ANY_ORIGIN:
            if hardened:
                return f"{origin!r} allows any origin, which is not allowed when hardened; name each origin"
            continue
        match = _ORIGIN.match(origin) if isinstance(origin, str) else None
        if match is None:
            return f"{origin!r} is not an origin such as 'https://app.example.com' (scheme and host, no path)"
        if hardened and match.group(1) != "https":
            return f"{origin!r}: only https origins are allowed when hardened"
    if len(set(origins)) != len(origins):
        return "lists an origin twice"
    return None
