"""What CloudFront does for a static site at the edge: its security headers, its functions, and the app's API served
on the app's own origin.

**The app's API on the app's own origin.** With an API, the distribution also serves it under a path (``/api/*`` by
default), so the browser calls it on the origin the app came from: no CORS, a CSP ``connect-src`` of ``'self'``, and
the WAF in front of both. It cannot be done the other way round on a ``*.cloudfront.net`` name: the API's CORS would
need the distribution's domain, which exists only after the distribution, whose CSP needs the API's URL. The path is
stripped by a CloudFront Function before the request reaches API Gateway; the ``Authorization`` header is part of that
behavior's cache key (CloudFront forwards it no other way) with a TTL of 0, so nothing is cached unless the API says
so. Because CloudFront's custom error responses would also replace the API's own 403 and 404 with the app, the SPA
fallback is a viewer-request function on the app's paths instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component

API_ORIGIN_ID = "api"
# AWS managed origin request policy "AllViewerExceptHostHeader": API Gateway needs its own Host.
CLOUDFRONT_ALL_VIEWER_EXCEPT_HOST_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac"
CLOUDFRONT_FUNCTION_RUNTIME = "cloudfront-js-2.0"
_API_PATH = re.compile(r"^/[a-z0-9][a-z0-9-]{0,30}$")
# Paths without a file extension are the app's own routes: serve the entry point (the SPA fallback).
SPA_FALLBACK_FUNCTION = """function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) { request.uri = '/index.html'; }
  return request;
}
"""


@dataclass(frozen=True)
class SiteApiArgs:
    """An API Gateway API served on the site's own origin, under ``path``."""

    url: pulumi.Input[str]
    """The API's invoke URL, ``https://<id>.execute-api.<region>.amazonaws.com`` (a ``$default`` stage). Required."""
    path: str = "/api"
    """Where the API appears on the site: ``/api/products`` reaches the API's ``/products``. Default ``/api``."""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str) or not _API_PATH.match(self.path):
            raise ValueError(f"api.path: must be one lowercase segment such as /api (got {self.path!r})")


def strip_prefix_function(path: str) -> str:
    """The CloudFront Function that removes ``path`` from the URI before the request reaches the API."""
    return f"""function handler(event) {{
  var request = event.request;
  request.uri = request.uri.substring({len(path)}) || '/';
  return request;
}}
"""


def cloudfront_function(component: Component, role: str, comment: str, code: str) -> aws.cloudfront.Function:
    """A published viewer-request function, child ``role`` of ``component``."""
    return component._child(
        aws.cloudfront.Function,
        role,
        runtime=CLOUDFRONT_FUNCTION_RUNTIME,
        comment=comment[:128],
        code=code,
        publish=True,
    )


def security_headers_policy(component: Component, csp: pulumi.Input[str]) -> aws.cloudfront.ResponseHeadersPolicy:
    """HSTS, the CSP ``csp``, nosniff, DENY framing, a strict referrer policy (CKV2_AWS_32, CKV_AWS_259) and a
    ``Permissions-Policy`` that turns off every browser feature the app does not use: child ``headers``. The deprecated
    ``X-XSS-Protection`` is not sent (browsers removed the filter; where one remains it can be abused to blank parts of
    a page), so its block is left out and CloudFront adds nothing."""
    return component._child(
        aws.cloudfront.ResponseHeadersPolicy,
        "headers",
        comment=f"{component._name}: security headers"[:128],
        security_headers_config={
            "strict_transport_security": {
                "access_control_max_age_sec": defaults.HSTS_MAX_AGE_SECONDS,
                "include_subdomains": True,
                "preload": True,
                "override": True,
            },
            "content_type_options": {"override": True},
            "frame_options": {"frame_option": defaults.SITE_FRAME_OPTION, "override": True},
            "referrer_policy": {"referrer_policy": defaults.SITE_REFERRER_POLICY, "override": True},
            "content_security_policy": {"content_security_policy": csp, "override": True},
        },
        custom_headers_config={
            "items": [
                {"header": "Permissions-Policy", "value": defaults.SITE_PERMISSIONS_POLICY, "override": True},
            ]
        },
    )


@dataclass(frozen=True)
class SiteApi:
    """The children that serve the API on the site's origin: its cache policy and its path function."""

    cache_policy: aws.cloudfront.CachePolicy
    function: aws.cloudfront.Function


def serve_api(component: Component, api: SiteApiArgs) -> SiteApi:
    """The API behavior's cache policy (Authorization in the key, TTL 0: child ``api-cache``) and the function that
    strips its path (``api-path``)."""
    cache_policy = component._child(
        aws.cloudfront.CachePolicy,
        "api-cache",
        comment=f"{component._name}: API, cached only when it says so, per caller"[:128],
        default_ttl=0,
        min_ttl=0,
        max_ttl=1,
        parameters_in_cache_key_and_forwarded_to_origin={
            "headers_config": {"header_behavior": "whitelist", "headers": {"items": ["Authorization"]}},
            "cookies_config": {"cookie_behavior": "none"},
            "query_strings_config": {"query_string_behavior": "all"},
            "enable_accept_encoding_gzip": True,
            "enable_accept_encoding_brotli": True,
        },
    )
    comment = f"{component._name}: strip {api.path}"
    function = cloudfront_function(component, "api-path", comment, strip_prefix_function(api.path))
    return SiteApi(cache_policy, function)


def api_routing(
    api: SiteApiArgs, served: SiteApi, headers_policy: aws.cloudfront.ResponseHeadersPolicy
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The distribution's origin for the API and the ordered cache behavior that sends ``<path>/*`` to it."""
    origin = {
        "origin_id": API_ORIGIN_ID,
        "domain_name": pulumi.Output.from_input(api.url).apply(lambda url: urlsplit(url).hostname or url),
        "custom_origin_config": {
            "http_port": 80,
            "https_port": 443,
            "origin_protocol_policy": "https-only",
            "origin_ssl_protocols": ["TLSv1.2"],
        },
    }
    behavior = {
        "path_pattern": f"{api.path}/*",
        "target_origin_id": API_ORIGIN_ID,
        "viewer_protocol_policy": "https-only",
        "allowed_methods": ["GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"],
        "cached_methods": ["GET", "HEAD"],
        "compress": True,
        "cache_policy_id": served.cache_policy.id,
        "origin_request_policy_id": CLOUDFRONT_ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
        "response_headers_policy_id": headers_policy.id,
        "function_associations": [{"event_type": "viewer-request", "function_arn": served.function.arn}],
    }
    return origin, behavior
