"""Rule: an API that a web app calls from the browser lets in the origin the app is actually served from.

The app's origin is its distribution's alias, or its ``*.cloudfront.net`` name when it has none; the APIs it calls
are those its Content-Security-Policy lets it connect to. An app that reaches its API through its own origin needs
no CORS and is not judged.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_systems.preflight.model import Resource, Stack, as_list


def served_origins(distribution: Resource) -> list[str]:
    aliases = [a for a in as_list(distribution.props.get("aliases")) if isinstance(a, str)]
    domain = distribution.props.get("domainName")
    return [f"https://{a}" for a in aliases] or ([f"https://{domain}"] if isinstance(domain, str) else [])


def connect_sources(stack: Stack, distribution: Resource) -> list[str]:
    """The CSP ``connect-src`` sources of the distribution's default response headers policy."""
    policy_id = distribution.get("defaultCacheBehavior", "responseHeadersPolicyId")
    policy = stack.by_id("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", policy_id)
    csp = policy.get("securityHeadersConfig", "contentSecurityPolicy", "contentSecurityPolicy") if policy else None
    if not isinstance(csp, str):
        return []
    for directive in csp.split(";"):
        parts = directive.split()
        if parts and parts[0] == "connect-src":
            return parts[1:]
    return []


def check(stack: Stack) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    apis = stack.of_type("aws:apigatewayv2/api:Api")
    for distribution in stack.of_type("aws:cloudfront/distribution:Distribution"):
        origins = served_origins(distribution)
        sources = connect_sources(stack, distribution)
        for api in apis:
            endpoint = api.props.get("apiEndpoint")
            if not isinstance(endpoint, str) or not any(
                endpoint.startswith(s.rstrip("/")) for s in sources if "://" in s
            ):
                continue
            cors = api.props.get("corsConfiguration")
            allowed = set(as_list(cors.get("allowOrigins"))) if isinstance(cors, Mapping) else set()
            missing = [o for o in origins if o not in allowed and "*" not in allowed]
            if missing:
                out.append(
                    (
                        api.urn,
                        f"the web app of {distribution.name} is served from {', '.join(missing)} and calls API "
                        f"{api.name}, whose CORS allows only {sorted(allowed) or 'no origin'}: "
                        "browsers block its calls",
                    )
                )
    return out
