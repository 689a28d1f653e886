"""StaticSiteComponent under strict recording mocks, plus its pure helpers."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_systems import defaults
from aws_systems.static_site import (
    CACHE_IMMUTABLE,
    CACHE_NO_CACHE,
    CACHE_SHORT,
    SPA_FALLBACK_FUNCTION,
    DomainArgs,
    SiteApiArgs,
    StaticSiteArgs,
    StaticSiteComponent,
    cache_control,
    content_security_policy,
    content_type,
    has_content_hash,
    strip_prefix_function,
)
from tests import harness

OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
DISTRIBUTION = "aws:cloudfront/distribution:Distribution"
WEB_ACL = "aws:wafv2/webAcl:WebAcl"
RECORD = "aws:route53/record:Record"
DEFAULT_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'; object-src 'none'"
)
ZONE = "Z0123456789"
# The children every private bucket of the site has, after its own role.
BUCKET_PARTS = ("", "-public-access", "-ownership", "-encryption", "-lifecycle")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A built app: an entry point, a content-hashed bundle, a stylesheet, a nested asset and a dotfile."""
    (tmp_path / "index.html").write_text("<!doctype html><title>t</title>")
    (tmp_path / "app.1a2b3c4d5e.js").write_text("console.log(1)")
    (tmp_path / "style.css").write_text("body{}")
    (tmp_path / ".hidden").write_text("secret")
    (tmp_path / "assets").mkdir()
    (tmp_path / "assets" / "logo.svg").write_text("<svg/>")
    return tmp_path


def _build(site: Path, *, east: bool = False, **overrides: Any) -> dict[str, Any]:
    """Build the component (with a us-east-1 provider when ``east``) and return it with its resolved outputs."""
    result: dict[str, Any] = {}

    def program() -> pulumi.Output[Any]:
        if east:
            result["provider"] = aws.Provider("use1", region="us-east-1")
            overrides.setdefault("us_east_1", result["provider"])
        component = StaticSiteComponent("site", StaticSiteArgs(site_dir=site, **overrides))
        result["component"] = component
        names = ("bucket_name", "distribution_id", "distribution_arn", "domain_name", "url")
        return pulumi.Output.all(*(getattr(component, n) for n in names)).apply(
            lambda values: result.update(zip(names, values, strict=True))
        )

    harness.run(program)
    return result


def _policy(mocks: harness.RecordingMocks, name: str) -> list[dict[str, Any]]:
    return harness.statements(mocks.named(name).inputs["policy"])


def _security_headers(mocks: harness.RecordingMocks) -> dict[str, Any]:
    return mocks.named("site-headers").inputs["securityHeadersConfig"]


# --- secure defaults ----------------------------------------------------------------------------------------------


def test_standard_defaults_are_cheap_but_private(mocks, site):
    out = _build(site)

    assert mocks.of_type(WEB_ACL) == [] and out["component"].web_acl is None
    assert out["component"].certificate is None
    dist = mocks.one(DISTRIBUTION).inputs
    assert "webAclId" not in dist and "aliases" not in dist
    assert dist["viewerCertificate"] == {"cloudfrontDefaultCertificate": True}
    assert dist["priceClass"] == "PriceClass_100"
    assert mocks.named("site-bucket").inputs["forceDestroy"] is True
    assert mocks.named("site-logs-lifecycle").inputs["rules"][0]["expiration"] == {"days": 14}
    assert out["url"] == "https://site-distribution.cloudfront.net"
    assert out["domain_name"] == "site-distribution.cloudfront.net"
    assert out["distribution_id"] == "site-distribution-id"
    assert out["distribution_arn"].endswith(":site-distribution")
    assert out["bucket_name"] == "site-bucket"


def test_hardened_turns_on_waf_long_retention_and_keeps_buckets(mocks, site):
    out = _build(site, east=True, protection="hardened")

    acl = mocks.one(WEB_ACL)
    assert acl.inputs["scope"] == "CLOUDFRONT"
    assert acl.inputs["defaultAction"] == {"allow": {}}
    assert mocks.one(DISTRIBUTION).inputs["webAclId"] == acl.outputs["arn"]
    assert out["component"].web_acl is not None
    assert out["component"].web_acl.get_provider(WEB_ACL) is out["provider"]
    assert out["component"].bucket.get_provider("aws:s3/bucket:Bucket") is None  # the caller's region
    for role in ("bucket", "logs"):
        assert mocks.named(f"site-{role}").inputs["forceDestroy"] is False
    assert mocks.named("site-logs-lifecycle").inputs["rules"][0]["expiration"] == {"days": 365}
    assert mocks.named("site-waf-logs").inputs["retentionInDays"] == 365


def test_waf_rules_rate_limit_and_logging(mocks, site):
    _build(site, east=True, waf=True, waf_rate_limit=500)

    rules = mocks.one(WEB_ACL).inputs["rules"]
    rate, managed = rules[0], rules[1:]
    assert rate["action"] == {"block": {}}
    assert rate["statement"] == {"rateBasedStatement": {"limit": 500, "aggregateKeyType": "IP"}}
    assert [r["statement"]["managedRuleGroupStatement"] for r in managed] == [
        {"vendorName": "AWS", "name": group} for group in defaults.WAF_MANAGED_RULE_GROUPS
    ]
    assert all(r["overrideAction"] == {"none": {}} for r in managed)
    assert sorted(r["priority"] for r in rules) == list(range(len(rules)))
    assert all(r["visibilityConfig"]["cloudwatchMetricsEnabled"] for r in rules)
    assert len({r["visibilityConfig"]["metricName"] for r in rules}) == len(rules)
    assert mocks.one(WEB_ACL).inputs["visibilityConfig"]["metricName"] == "site"

    log_group = mocks.named("site-waf-logs")
    assert log_group.inputs["namePrefix"].startswith("aws-waf-logs-")
    logging = mocks.named("site-waf-logging").inputs
    assert logging["resourceArn"] == mocks.one(WEB_ACL).outputs["arn"]
    assert logging["logDestinationConfigs"] == [log_group.outputs["arn"]]
    assert logging["redactedFields"] == [{"singleHeader": {"name": "authorization"}}]


def test_buckets_block_public_access_encrypt_and_expire(mocks, site):
    _build(site)

    for role in ("bucket", "logs"):
        block = mocks.named(f"site-{role}-public-access").inputs
        assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"))
        assert block["restrictPublicBuckets"] is True
        sse = mocks.named(f"site-{role}-encryption").inputs["rules"][0]
        assert sse["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert mocks.named("site-bucket-versioning").inputs["versioningConfiguration"] == {"status": "Enabled"}
    assert mocks.named("site-bucket-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    assert mocks.named("site-logs-ownership").inputs["rule"] == {"objectOwnership": "BucketOwnerPreferred"}
    rule = mocks.named("site-bucket-lifecycle").inputs["rules"][0]
    assert rule["noncurrentVersionExpiration"] == {"noncurrentDays": defaults.S3_NONCURRENT_VERSION_EXPIRY_DAYS}
    assert rule["status"] == "Enabled"
    logging = mocks.named("site-bucket-logging").inputs
    assert logging["targetBucket"] == "site-logs-id" and logging["targetPrefix"] == "s3-access/"


def test_bucket_policies_deny_plain_http_and_allow_only_this_distribution(mocks, site):
    _build(site)

    deny, allow = _policy(mocks, "site-bucket-policy")
    assert deny["Effect"] == "Deny" and deny["Action"] == "s3:*" and deny["Principal"] == "*"
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    bucket_arn = mocks.named("site-bucket").outputs["arn"]
    assert deny["Resource"] == [bucket_arn, f"{bucket_arn}/*"]
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert allow["Action"] == "s3:GetObject" and allow["Resource"] == f"{bucket_arn}/*"
    assert allow["Condition"] == {"StringEquals": {"AWS:SourceArn": mocks.one(DISTRIBUTION).outputs["arn"]}}

    logs_deny, logs_allow = _policy(mocks, "site-logs-policy")
    assert logs_deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert logs_allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert logs_allow["Condition"] == {"ArnLike": {"aws:SourceArn": bucket_arn}}


def test_origin_uses_origin_access_control_never_an_identity(mocks, site):
    _build(site)

    oac = mocks.named("site-oac").inputs
    assert oac["originAccessControlOriginType"] == "s3"
    assert oac["signingBehavior"] == "always" and oac["signingProtocol"] == "sigv4"
    (origin,) = mocks.one(DISTRIBUTION).inputs["origins"]
    assert origin["originAccessControlId"] == "site-oac-id"
    assert origin["domainName"] == "site-bucket.s3.local"
    assert "s3OriginConfig" not in origin
    assert mocks.of_type("aws:cloudfront/originAccessIdentity:OriginAccessIdentity") == []


def test_headers_policy_sends_a_permissions_policy_that_turns_off_unused_features(mocks, site):
    _build(site)
    policy = mocks.one("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "site-headers")
    [header] = policy.inputs["customHeadersConfig"]["items"]
    assert header["header"] == "Permissions-Policy" and header["override"] is True
    features = dict(item.split("=") for item in header["value"].split(", "))
    assert {"camera", "microphone", "geolocation", "payment", "usb"} <= set(features)
    assert set(features.values()) == {"()"}


def test_headers_policy_sets_hsts_csp_and_friends(mocks, site):
    _build(site)

    headers = _security_headers(mocks)
    assert headers["strictTransportSecurity"] == {
        "accessControlMaxAgeSec": defaults.HSTS_MAX_AGE_SECONDS,
        "includeSubdomains": True,
        "preload": True,
        "override": True,
    }
    assert headers["contentTypeOptions"] == {"override": True}
    assert headers["frameOptions"] == {"frameOption": "DENY", "override": True}
    assert headers["referrerPolicy"] == {"referrerPolicy": "strict-origin-when-cross-origin", "override": True}
    assert "xssProtection" not in headers  # deprecated: browsers dropped the filter, the CSP does its job
    assert headers["contentSecurityPolicy"] == {"contentSecurityPolicy": DEFAULT_CSP, "override": True}
    assert "unsafe-inline" not in DEFAULT_CSP
    behavior = mocks.one(DISTRIBUTION).inputs["defaultCacheBehavior"]
    assert behavior["responseHeadersPolicyId"] == "site-headers-id"


def test_connect_origins_join_connect_src_as_origins(mocks, site):
    api = pulumi.Output.from_input("https://abc.execute-api.eu-west-1.amazonaws.com/prod/")
    _build(site, connect_origins=[api, "https://cognito-idp.eu-west-1.amazonaws.com", "wss://Live.Example.com"])

    csp = _security_headers(mocks)["contentSecurityPolicy"]["contentSecurityPolicy"]
    assert (
        "connect-src 'self' https://abc.execute-api.eu-west-1.amazonaws.com "
        "https://cognito-idp.eu-west-1.amazonaws.com wss://live.example.com;" in csp
    )


def test_distribution_is_https_only_compressed_logged_with_spa_fallback(mocks, site):
    _build(site)

    dist = mocks.one(DISTRIBUTION).inputs
    assert dist["defaultRootObject"] == "index.html"
    assert "customErrorResponses" not in dist  # they would also replace an API's own 403 and 404
    behavior = dist["defaultCacheBehavior"]
    fallback = mocks.named("site-spa-fallback")
    assert fallback.inputs["runtime"] == "cloudfront-js-2.0" and fallback.inputs["publish"] is True
    assert behavior["functionAssociations"] == [{"eventType": "viewer-request", "functionArn": fallback.outputs["arn"]}]
    assert "orderedCacheBehaviors" not in dist
    assert behavior["viewerProtocolPolicy"] == "redirect-to-https"
    assert behavior["compress"] is True
    assert behavior["cachePolicyId"] == "658327ea-f89d-4fab-a63d-7e88639e58f6"
    assert behavior["targetOriginId"] == dist["origins"][0]["originId"]
    assert dist["httpVersion"] == "http2and3" and dist["isIpv6Enabled"] is True
    assert dist["loggingConfig"] == {
        "bucket": "site-logs.s3.amazonaws.com",
        "prefix": "cloudfront/",
        "includeCookies": False,
    }


def run_function(code: str, uri: str) -> str:
    """Run a CloudFront Function's handler with Node.js (the functions are JavaScript) and return the new URI."""
    script = code + f"\nconsole.log(handler({{request: {{uri: {json.dumps(uri)}}}}}).uri);"
    node = shutil.which("node") or "node"
    return subprocess.run([node, "-e", script], capture_output=True, text=True, check=True).stdout.strip()  # noqa: S603


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize(
    ("uri", "served"),
    [
        ("/", "/index.html"),
        ("/sales/42", "/index.html"),
        ("/app.js", "/app.js"),
        ("/assets/logo.svg", "/assets/logo.svg"),
    ],
)
def test_spa_fallback_serves_the_entry_point_for_app_routes_only(uri, served):
    assert run_function(SPA_FALLBACK_FUNCTION, uri) == served


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
@pytest.mark.parametrize(("uri", "forwarded"), [("/api/products", "/products"), ("/api/", "/"), ("/api/a/b", "/a/b")])
def test_api_path_function_strips_the_prefix(uri, forwarded):
    assert run_function(strip_prefix_function("/api"), uri) == forwarded


def test_an_api_is_served_on_the_site_origin_with_the_callers_token_in_the_cache_key(mocks, site):
    out = _build(site, api=SiteApiArgs(url="https://abc123.execute-api.us-east-1.amazonaws.com"))
    dist = mocks.one(DISTRIBUTION).inputs
    api_origin = dist["origins"][1]
    assert api_origin["originId"] == "api" and api_origin["domainName"] == "abc123.execute-api.us-east-1.amazonaws.com"
    assert api_origin["customOriginConfig"]["originProtocolPolicy"] == "https-only"
    [behavior] = dist["orderedCacheBehaviors"]
    assert behavior["pathPattern"] == "/api/*" and behavior["targetOriginId"] == "api"
    assert {"POST", "PUT", "DELETE", "PATCH", "OPTIONS"} <= set(behavior["allowedMethods"])
    assert behavior["originRequestPolicyId"] == "b689b0a8-53d0-40ab-baf2-68738e2966ac"
    cache = mocks.named("site-api-cache").inputs
    assert cache["defaultTtl"] == 0 and cache["minTtl"] == 0
    keyed = cache["parametersInCacheKeyAndForwardedToOrigin"]["headersConfig"]
    assert keyed == {"headerBehavior": "whitelist", "headers": {"items": ["Authorization"]}}
    assert behavior["cachePolicyId"] == mocks.named("site-api-cache").id
    path_function = mocks.named("site-api-path")
    assert behavior["functionAssociations"] == [
        {"eventType": "viewer-request", "functionArn": path_function.outputs["arn"]}
    ]
    assert harness.resolved(out["component"].api_url) == out["url"] + "/api"


@pytest.mark.parametrize("path", ["api", "/API", "/a/b", "/api/", ""])
def test_api_path_must_be_one_lowercase_segment(path):
    with pytest.raises(ValueError, match="^api.path:"):
        SiteApiArgs(url="https://x.execute-api.us-east-1.amazonaws.com", path=path)


# --- custom domain ------------------------------------------------------------------------------------------------


def test_domain_gets_validated_certificate_tls_floor_aliases_and_records(mocks, site):
    out = _build(site, east=True, domain=DomainArgs(name="shop.example.com", zone_id=ZONE))

    cert = mocks.named("site-certificate")
    assert cert.inputs == {"domainName": "shop.example.com", "validationMethod": "DNS"}
    assert out["component"].certificate.get_provider("aws:acm/certificate:Certificate") is out["provider"]
    record = mocks.named("site-cert-validation-record").inputs
    assert record["zoneId"] == ZONE and record["type"] == "CNAME"
    assert record["name"] == "_acm.shop.example.com."
    assert record["records"] == ["_acm.site-certificate.acm-validations.aws."]
    validation = mocks.named("site-cert-validation").inputs
    assert validation["certificateArn"] == cert.outputs["arn"]

    dist = mocks.one(DISTRIBUTION)
    assert dist.inputs["aliases"] == ["shop.example.com"]
    assert dist.inputs["viewerCertificate"] == {
        "acmCertificateArn": cert.outputs["arn"],
        "sslSupportMethod": "sni-only",
        "minimumProtocolVersion": defaults.CLOUDFRONT_MIN_TLS,
    }
    for record_type in ("A", "AAAA"):
        alias = mocks.named(f"site-alias-{record_type.lower()}").inputs
        assert alias["type"] == record_type and alias["name"] == "shop.example.com" and alias["zoneId"] == ZONE
        assert alias["aliases"] == [
            {"name": "site-distribution.cloudfront.net", "zoneId": "Z2FD", "evaluateTargetHealth": False}
        ]
    assert out["url"] == "https://shop.example.com"
    assert mocks.of_type(WEB_ACL) == []


# --- uploaded content ---------------------------------------------------------------------------------------------


def test_every_file_is_uploaded_with_its_type_and_cache_policy_but_dotfiles(mocks, site):
    out = _build(site)

    uploaded = {r.inputs["key"]: r for r in mocks.of_type(OBJECT)}
    assert sorted(uploaded) == ["app.1a2b3c4d5e.js", "assets/logo.svg", "index.html", "style.css"]
    assert sorted(out["component"].objects) == sorted(uploaded)
    expected = {
        "index.html": ("text/html; charset=utf-8", CACHE_NO_CACHE),
        "app.1a2b3c4d5e.js": ("text/javascript; charset=utf-8", CACHE_IMMUTABLE),
        "style.css": ("text/css; charset=utf-8", CACHE_SHORT),
        "assets/logo.svg": ("image/svg+xml", CACHE_SHORT),
    }
    for key, (mime, cache) in expected.items():
        obj = uploaded[key]
        assert obj.name == f"site-file-{key}"
        assert (obj.inputs["contentType"], obj.inputs["cacheControl"]) == (mime, cache)
        assert obj.inputs["bucket"] == "site-bucket-id"
        assert isinstance(obj.inputs["source"], pulumi.FileAsset)
        assert Path(obj.inputs["source"].path) == site / key


def test_runtime_config_is_json_no_cache_and_replaces_a_local_config(mocks, site):
    (site / "config.json").write_text('{"apiUrl": "http://localhost:8000"}')
    api = pulumi.Output.from_input("https://api.example.com")
    out = _build(site, runtime_config={"apiUrl": api, "userPoolId": "eu-west-1_abc"})

    config = mocks.named("site-runtime-config").inputs
    assert json.loads(config["content"]) == {"apiUrl": "https://api.example.com", "userPoolId": "eu-west-1_abc"}
    assert config["key"] == "config.json"
    assert config["contentType"] == "application/json" and config["cacheControl"] == CACHE_NO_CACHE
    assert [r.inputs["key"] for r in mocks.of_type(OBJECT)].count("config.json") == 1
    assert out["component"].objects["config.json"] is not None


def test_runtime_config_path_is_configurable_and_a_site_config_is_never_cached(mocks, site):
    (site / "config.json").write_text("{}")
    _build(site, runtime_config={"a": 1}, runtime_config_path="env/runtime.json")

    assert mocks.named("site-runtime-config").inputs["key"] == "env/runtime.json"
    local = mocks.named("site-file-config.json").inputs
    assert local["cacheControl"] == CACHE_SHORT  # not the runtime config path, so an ordinary file


@pytest.mark.parametrize(
    ("key", "mime"),
    [
        ("a.js", "text/javascript; charset=utf-8"),
        ("a.mjs", "text/javascript; charset=utf-8"),
        ("a.json", "application/json"),
        ("site.webmanifest", "application/manifest+json"),
        ("f.woff2", "font/woff2"),
        ("i.png", "image/png"),
        ("README", "application/octet-stream"),
    ],
)
def test_content_type(key, mime):
    assert content_type(key) == mime


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("index.html", CACHE_NO_CACHE),
        ("docs/page.HTML", CACHE_NO_CACHE),
        ("assets/app.3f2a9c1b.js", CACHE_IMMUTABLE),
        ("chunk-0a1b2c3d4e5f.mjs", CACHE_IMMUTABLE),
        ("app.js", CACHE_SHORT),
        ("deadbeef.js", CACHE_SHORT),  # a word, not a hash
        ("report-20240101.pdf", CACHE_SHORT),  # a date, not a hash
        ("app.3f2a9c1.js", CACHE_SHORT),  # too short
        ("3f2a9c1b4d/app.js", CACHE_SHORT),  # the folder is hashed, not the file
    ],
)
def test_cache_control(key, expected):
    assert cache_control(key) == expected
    assert has_content_hash(key) is (expected == CACHE_IMMUTABLE)


def test_well_known_is_published_but_other_dot_folders_are_not(mocks, site):
    (site / ".well-known").mkdir()
    (site / ".well-known" / "security.txt").write_text("Contact: x")
    (site / ".git").mkdir()
    (site / ".git" / "config").write_text("x")
    _build(site)

    keys = {r.inputs["key"] for r in mocks.of_type(OBJECT)}
    assert ".well-known/security.txt" in keys
    assert not any(k.startswith(".git") or k.endswith(".hidden") for k in keys)


# --- naming, parents and transforms -------------------------------------------------------------------------------


def test_children_are_named_by_role_and_parented_to_the_component(mocks, site):
    _build(site, east=True, protection="hardened", domain=DomainArgs("shop.example.com", ZONE))

    names = harness.child_names(mocks, "awssystems:site:StaticSiteComponent", "site", ignore=("pulumi:providers:aws",))
    assert all(name.startswith("site-") for name in names)
    expected = {
        *(f"site-bucket{part}" for part in BUCKET_PARTS),
        "site-bucket-versioning",
        "site-bucket-policy",
        "site-bucket-logging",
        *(f"site-logs{part}" for part in BUCKET_PARTS),
        "site-logs-policy",
        "site-oac",
        "site-headers",
        "site-spa-fallback",
        "site-distribution",
        "site-certificate",
        "site-cert-validation-record",
        "site-cert-validation",
        "site-alias-a",
        "site-alias-aaaa",
        "site-waf",
        "site-waf-logs",
        "site-waf-logging",
        "site-file-index.html",
        "site-file-assets/logo.svg",
    }
    assert expected <= set(names)
    assert "site-logs-versioning" not in names  # log objects are never rewritten: nothing to version


def test_adding_a_file_never_renames_the_others(mocks, site):
    _build(site)
    before = {r.name for r in mocks.of_type(OBJECT)}
    (site / "0-first.txt").write_text("sorts first")
    again = harness.install()
    _build(site)
    after = {r.name for r in again.of_type(OBJECT)}
    assert after == before | {"site-file-0-first.txt"}


def test_transform_overrides_a_child_property(mocks, site):
    def transform(props: dict[str, Any]) -> dict[str, Any]:
        return {**props, "price_class": "PriceClass_All", "comment": "edited"}

    _build(site, transforms={"distribution": transform})

    dist = mocks.one(DISTRIBUTION).inputs
    assert dist["priceClass"] == "PriceClass_All" and dist["comment"] == "edited"
    assert dist["defaultRootObject"] == "index.html"


def test_transform_for_an_unknown_role_is_rejected(mocks, site):
    with pytest.raises(ValueError, match="^transforms: unknown child role"):
        _build(site, transforms={"waf": lambda p: p})  # no WAF in standard


# --- warnings when a secure default is weakened -------------------------------------------------------------------


def test_turning_waf_off_when_hardened_warns(mocks, site, warnings):
    _build(site, protection="hardened", waf=False)

    assert mocks.of_type(WEB_ACL) == []
    assert len(warnings) == 1 and "waf overridden to False" in warnings[0] and "site" in warnings[0]


def test_stronger_choices_do_not_warn(mocks, site, warnings):
    _build(site, east=True, waf=True, log_retention_days=30)

    assert len(mocks.of_type(WEB_ACL)) == 1
    assert mocks.named("site-waf-logs").inputs["retentionInDays"] == 30
    assert warnings == []


def test_shorter_log_retention_when_hardened_warns(mocks, site, warnings):
    _build(site, east=True, protection="hardened", log_retention_days=30)

    assert mocks.named("site-logs-lifecycle").inputs["rules"][0]["expiration"] == {"days": 30}
    assert any("log_retention_days overridden to 30" in w for w in warnings)


def test_custom_csp_is_used_and_warns(mocks, site, warnings):
    policy = "default-src 'self'; style-src 'self' 'unsafe-inline'"
    _build(site, content_security_policy=policy)

    assert _security_headers(mocks)["contentSecurityPolicy"]["contentSecurityPolicy"] == policy
    assert any("content_security_policy overridden" in w for w in warnings)


# --- validation ---------------------------------------------------------------------------------------------------


def _east() -> pulumi.ProviderResource:
    """A stand-in provider: validation must not depend on the provider's region."""
    return object.__new__(aws.Provider)


INVALID: list[tuple[str, Callable[[Path], dict[str, Any]]]] = [
    ("site_dir", lambda s: {"site_dir": s / "missing"}),
    ("protection", lambda s: {"protection": "prod"}),
    ("runtime_config", lambda s: {"runtime_config": ["not", "a", "mapping"]}),
    ("runtime_config_path", lambda s: {"runtime_config_path": "../config.json"}),
    ("runtime_config_path", lambda s: {"runtime_config_path": "/config.json"}),
    ("runtime_config_path", lambda s: {"runtime_config_path": ""}),
    ("content_security_policy", lambda s: {"content_security_policy": "a", "connect_origins": ["https://x.io"]}),
    ("content_security_policy", lambda s: {"content_security_policy": "default-src 'self';\nscript-src x"}),
    ("content_security_policy", lambda s: {"content_security_policy": " "}),
    ("connect_origins", lambda s: {"connect_origins": ["http://api.example.com"]}),
    ("connect_origins", lambda s: {"connect_origins": ["https://api.example.com; script-src *"]}),
    ("connect_origins", lambda s: {"connect_origins": ["api.example.com"]}),
    ("waf_rate_limit", lambda s: {"waf_rate_limit": 99}),
    ("waf_rate_limit", lambda s: {"waf_rate_limit": 2_000_000_001}),
    ("waf_rate_limit", lambda s: {"waf_rate_limit": True}),
    ("price_class", lambda s: {"price_class": "PriceClass_300"}),
    ("log_retention_days", lambda s: {"log_retention_days": 10}),
    ("us_east_1", lambda s: {"domain": DomainArgs("shop.example.com", ZONE)}),
    ("us_east_1", lambda s: {"protection": "hardened"}),
    ("us_east_1", lambda s: {"waf": True}),
]


@pytest.mark.parametrize(("argument", "kwargs"), INVALID, ids=[f"{a}-{i}" for i, (a, _) in enumerate(INVALID)])
def test_invalid_arguments_raise_naming_the_argument(site, argument, kwargs):
    with pytest.raises(ValueError, match=f"^{argument}: "):
        StaticSiteArgs(**{"site_dir": site, **kwargs(site)})


def test_site_dir_must_hold_index_html(tmp_path):
    (tmp_path / "app.js").write_text("")
    with pytest.raises(ValueError, match="^site_dir: must contain index.html"):
        StaticSiteArgs(site_dir=tmp_path)


def test_provider_satisfies_the_us_east_1_requirement(site):
    args = StaticSiteArgs(site_dir=site, protection="hardened", us_east_1=_east())
    assert args.waf_enabled is True
    assert StaticSiteArgs(site_dir=site, protection="hardened", waf=False).waf_enabled is False


@pytest.mark.parametrize("name", ["Shop.example.com", "shop.example.com.", "localhost", "-a.example.com", ""])
def test_invalid_domain_name(name):
    with pytest.raises(ValueError, match="^domain.name: "):
        DomainArgs(name=name, zone_id=ZONE)


def test_default_csp_helper_matches_the_documented_policy():
    assert content_security_policy() == DEFAULT_CSP
    assert content_security_policy(["https://a.io/x", "https://a.io"]).count("https://a.io") == 1
