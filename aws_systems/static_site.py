"""A single-page web app on a private S3 bucket behind CloudFront.

The bucket is reachable only through CloudFront's origin access control; every response carries HSTS, a CSP
and the other security headers; unknown paths fall back to ``index.html``; access is logged; a custom domain
(ACM certificate and Route 53 aliases) and a WAF are optional. The app's runtime settings (API URL, Cognito
ids) are written next to it as ``config.json``, so one build serves every stack.

With ``api``, the app's API is served on the app's own origin (:mod:`aws_systems.site_edge` says why and how). The
parts have their own modules: the content and its headers (:mod:`aws_systems.site_content`, shared with the local
runtime), CloudFront's headers, functions and API routing (:mod:`aws_systems.site_edge`), the custom domain
(:mod:`aws_systems.site_domain`) and the WAF (:mod:`aws_systems.site_waf`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.bucket import (
    S3_LOGGING_PRINCIPAL,
    ObjectOwnership,
    attach_policy,
    block_public_access,
    encrypt,
    lifecycle_rule,
    log_access,
    new_bucket,
    set_lifecycle,
    set_ownership,
    set_versioning,
)
from aws_systems.defaults import Protection
from aws_systems.site_content import (  # noqa: F401 (re-exported: the component's public helpers)
    CACHE_IMMUTABLE,
    CACHE_NO_CACHE,
    CACHE_SHORT,
    CONNECT_SCHEMES,
    CSP_MAX_LENGTH,
    cache_control,
    check_csp,
    connect_origin,
    content_security_policy,
    content_type,
    csp_with_connect_sources,
    has_content_hash,
    site_files,
)
from aws_systems.site_domain import DomainArgs, alias_records, validated_certificate
from aws_systems.site_edge import (  # noqa: F401 (SiteApiArgs and strip_prefix_function are re-exported)
    SPA_FALLBACK_FUNCTION,
    SiteApiArgs,
    api_routing,
    cloudfront_function,
    security_headers_policy,
    serve_api,
    strip_prefix_function,
)
from aws_systems.site_waf import site_web_acl
from aws_systems.validation import CLOUDWATCH_RETENTION_DAYS, check_int, check_one_of

RESOURCE_TYPE = "awssystems:site:StaticSiteComponent"
PRICE_CLASSES = ("PriceClass_100", "PriceClass_200", "PriceClass_All")
WAF_RATE_LIMIT_RANGE = (100, 2_000_000_000)
CLOUDFRONT_PRINCIPAL = "cloudfront.amazonaws.com"
S3_ORIGIN_ID = "s3"
CLOUDFRONT_LOG_PREFIX = "cloudfront/"
S3_ACCESS_LOG_PREFIX = "s3-access/"


# --- arguments ----------------------------------------------------------------------------------------------


@dataclass(kw_only=True)
class StaticSiteArgs:
    """Arguments of :class:`StaticSiteComponent`.

    Roles for ``transforms``: ``bucket``, ``bucket-public-access``, ``bucket-ownership``,
    ``bucket-encryption``, ``bucket-versioning``, ``bucket-lifecycle``, ``bucket-policy``, ``bucket-logging``;
    ``logs``, ``logs-public-access``, ``logs-ownership``, ``logs-encryption``, ``logs-lifecycle``,
    ``logs-policy``; ``oac``, ``headers``, ``spa-fallback``, ``distribution``, ``file`` (every uploaded file),
    ``runtime-config``; with an API ``api-cache``, ``api-path``; with a domain ``certificate``,
    ``cert-validation-record``, ``cert-validation``, ``alias-a``, ``alias-aaaa``; with a WAF ``waf``, ``waf-logs``,
    ``waf-logging``.
    """

    site_dir: str | Path
    """The built web app (e.g. ``dist/``). Must exist and contain ``index.html``. Required."""
    protection: Protection = "standard"
    """``standard`` (dev, qa) or ``hardened`` (stage, prod: WAF on, a year of logs, buckets kept)."""
    runtime_config: pulumi.Input[Mapping[str, Any]] | None = None
    """Settings the app fetches at start (API URL, Cognito ids), written as JSON. Default: none written."""
    runtime_config_path: str = "config.json"
    """Key of the runtime config object; it replaces a file of the same path in ``site_dir``."""
    connect_origins: Sequence[pulumi.Input[str]] = ()
    """Origins the app calls (``https://`` or ``wss://``; a path is dropped), added to CSP ``connect-src``."""
    api: SiteApiArgs | None = None
    """An API served on the site's own origin (see the module docs). Default: none."""
    content_security_policy: str | None = None
    """A CSP replacing the default (``'self'`` only, no ``'unsafe-inline'``); logs a warning. Default: none."""
    domain: DomainArgs | None = None
    """A custom domain. Default: none, the site is served on its ``*.cloudfront.net`` name."""
    waf: bool | None = None
    """Attach a WAF web ACL. Default: on when ``hardened``; turning it off then logs a warning."""
    waf_rate_limit: int = defaults.WAF_RATE_LIMIT_PER_5_MIN
    """Requests per client IP per 5 minutes before the WAF blocks it (100 to 2,000,000,000)."""
    price_class: str = "PriceClass_100"
    """CloudFront price class: ``PriceClass_100`` (default), ``PriceClass_200`` or ``PriceClass_All``."""
    log_retention_days: int | None = None
    """Days access and WAF logs are kept. Default: ``defaults.log_retention_days(protection)`` (14 or 365)."""
    us_east_1: pulumi.ProviderResource | None = None
    """An AWS provider for us-east-1 (CloudFront's certificates and WAFs live there). Required with domain/WAF."""
    transforms: Transforms | None = None
    """Per-child overrides, by role (see above). Default: none."""

    def __post_init__(self) -> None:
        site_dir = Path(self.site_dir)
        if not site_dir.is_dir():
            raise ValueError(f"site_dir: must be an existing directory (got {str(site_dir)!r})")
        if not (site_dir / "index.html").is_file():
            raise ValueError(f"site_dir: must contain index.html (not found in {str(site_dir)!r})")
        defaults.check_protection(self.protection)
        self._check_runtime_config()
        if self.content_security_policy is not None:
            if self.connect_origins:
                raise ValueError(
                    "content_security_policy: pass either content_security_policy or connect_origins, not "
                    "both (put the origins in your policy's connect-src)"
                )
            if not isinstance(self.content_security_policy, str):
                raise ValueError("content_security_policy: must be a string")
            check_csp(self.content_security_policy, "content_security_policy")
        for origin in self.connect_origins:
            if isinstance(origin, str):  # Outputs are checked when they resolve
                connect_origin(origin)
        check_int("waf_rate_limit", self.waf_rate_limit, *WAF_RATE_LIMIT_RANGE)
        check_one_of("price_class", self.price_class, PRICE_CLASSES)
        if self.log_retention_days is not None:
            check_one_of("log_retention_days", self.log_retention_days, CLOUDWATCH_RETENTION_DAYS)
        needs = [what for what, on in (("domain", self.domain is not None), ("waf", self.waf_enabled)) if on]
        if needs and self.us_east_1 is None:
            raise ValueError(
                f"us_east_1: an AWS provider for us-east-1 is required when {' and '.join(needs)} is on "
                "(CloudFront reads certificates and web ACLs only from us-east-1)"
            )

    def _check_runtime_config(self) -> None:
        if self.runtime_config is not None and not isinstance(self.runtime_config, Mapping | pulumi.Output):
            raise ValueError(f"runtime_config: must be a mapping (got {type(self.runtime_config).__name__})")
        path = PurePosixPath(self.runtime_config_path) if isinstance(self.runtime_config_path, str) else None
        if path is None or not path.name or path.is_absolute() or ".." in path.parts or "\\" in str(path):
            raise ValueError(
                f"runtime_config_path: must be a relative path inside the site, such as config.json "
                f"(got {self.runtime_config_path!r})"
            )

    @property
    def waf_enabled(self) -> bool:
        """Whether a WAF is attached: the user's choice, else on when hardened."""
        return self.waf if self.waf is not None else defaults.site_waf_enabled(self.protection)


@dataclass(frozen=True)
class _PrivateBucket:
    """A bucket and the settings other children must wait for."""

    bucket: aws.s3.Bucket
    public_access: aws.s3.BucketPublicAccessBlock
    ownership: aws.s3.BucketOwnershipControls


# --- component ----------------------------------------------------------------------------------------------


class StaticSiteComponent(Component):
    """A static web app on S3 + CloudFront, secure by default.

    Attributes: ``bucket``, ``logs_bucket``, ``bucket_policy``, ``oac``, ``headers_policy``, ``spa_fallback``,
    ``distribution``, ``certificate`` (or None), ``web_acl`` (or None), ``api_cache_policy`` and ``api_function``
    (or None), ``objects`` (by key, with the runtime config); outputs ``bucket_name``, ``distribution_id``,
    ``distribution_arn``, ``domain_name`` (CloudFront's), ``url`` and ``api_url`` (None without ``api``).
    """

    def __init__(self, name: str, args: StaticSiteArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(RESOURCE_TYPE, name, args.transforms, opts)
        self._args = args
        self._normalize()
        self._create_logs_bucket()
        self._create_site_bucket()
        self._create_origin_access()
        self._create_headers_policy()
        self._create_functions()
        self._create_certificate()
        self._create_web_acl()
        self._create_distribution()
        self._create_site_bucket_policy()
        self._create_alias_records()
        self._upload_site()

        self.bucket_name: pulumi.Output[str] = self.bucket.bucket
        self.distribution_id: pulumi.Output[str] = self.distribution.id
        self.distribution_arn: pulumi.Output[str] = self.distribution.arn
        self.domain_name: pulumi.Output[str] = self.distribution.domain_name
        self.url: pulumi.Output[str] = (
            pulumi.Output.from_input(f"https://{args.domain.name}")
            if args.domain
            else pulumi.Output.concat("https://", self.distribution.domain_name)
        )
        self.api_url: pulumi.Output[str] | None = (
            pulumi.Output.concat(self.url, args.api.path) if args.api is not None else None
        )
        self._check_transforms_used()
        self.register_outputs(
            {
                "bucket_name": self.bucket_name,
                "distribution_id": self.distribution_id,
                "distribution_arn": self.distribution_arn,
                "domain_name": self.domain_name,
                "url": self.url,
                "api_url": self.api_url,
            }
        )

    # --- settings -------------------------------------------------------------------------------------------

    def _normalize(self) -> None:
        """Resolve the defaults for this protection level; weakening one logs a warning."""
        args = self._args
        self._site_dir = Path(args.site_dir)
        self._force_destroy = defaults.site_force_destroy(args.protection)
        waf_default = defaults.site_waf_enabled(args.protection)
        self._waf = self._secure("waf", waf_default, args.waf, waf_default and args.waf is False)
        retention = defaults.log_retention_days(args.protection)
        value = args.log_retention_days
        self._retention = self._secure("log_retention_days", retention, value, value is not None and value < retention)
        if args.content_security_policy is not None:
            self._csp: pulumi.Input[str] = self._secure(
                "content_security_policy", content_security_policy(), args.content_security_policy, True
            )
        else:
            self._csp = pulumi.Output.all(*args.connect_origins).apply(content_security_policy)

    # --- buckets --------------------------------------------------------------------------------------------

    def _private_bucket(
        self, role: str, *, ownership: ObjectOwnership, lifecycle: dict[str, Any], versioned: bool
    ) -> _PrivateBucket:
        """A bucket with all public access blocked, SSE-S3, the given ownership and one lifecycle rule."""
        bucket = new_bucket(self, role, force_destroy=self._force_destroy)
        public_access = block_public_access(self, f"{role}-public-access", bucket)
        ownership_controls = set_ownership(self, f"{role}-ownership", bucket, ownership)
        encrypt(self, f"{role}-encryption", bucket)
        versioning = set_versioning(self, f"{role}-versioning", bucket, True) if versioned else None
        set_lifecycle(self, f"{role}-lifecycle", bucket, [lifecycle], versioning)
        return _PrivateBucket(bucket, public_access, ownership_controls)

    def _bucket_policy(self, role: str, target: _PrivateBucket, statement: dict[str, Any]) -> aws.s3.BucketPolicy:
        """The bucket's policy: the TLS-only deny (CKV_AWS_379), then ``statement``."""
        return attach_policy(self, role, target.bucket, [statement], target.public_access)

    def _create_logs_bucket(self) -> None:
        """CloudFront standard logs need ACLs (BucketOwnerPreferred); logs expire after the retention."""
        self._logs = self._private_bucket(
            "logs",
            ownership="BucketOwnerPreferred",
            lifecycle=lifecycle_rule("expire-logs", expiration={"days": self._retention}),
            versioned=False,
        )
        self.logs_bucket = self._logs.bucket

    def _create_site_bucket(self) -> None:
        """The private, versioned site bucket; its server access logs go to the log bucket."""
        self._site = self._private_bucket(
            "bucket",
            ownership="BucketOwnerEnforced",
            lifecycle=lifecycle_rule(
                "expire-noncurrent-versions",
                noncurrent_version_expiration={"noncurrent_days": defaults.S3_NONCURRENT_VERSION_EXPIRY_DAYS},
            ),
            versioned=True,
        )
        self.bucket = self._site.bucket
        allow_access_logs = {
            "Sid": "AllowS3ServerAccessLogs",
            "Effect": "Allow",
            "Principal": {"Service": S3_LOGGING_PRINCIPAL},
            "Action": "s3:PutObject",
            "Resource": pulumi.Output.concat(self.logs_bucket.arn, f"/{S3_ACCESS_LOG_PREFIX}*"),
            "Condition": {"ArnLike": {"aws:SourceArn": self.bucket.arn}},
        }
        logs_policy = self._bucket_policy("logs-policy", self._logs, allow_access_logs)
        log_access(self, "bucket-logging", self.bucket, self.logs_bucket.id, S3_ACCESS_LOG_PREFIX, [logs_policy])

    def _create_site_bucket_policy(self) -> None:
        """Only this distribution may read the site (OAC: CloudFront signs, S3 checks the source ARN)."""
        allow_cloudfront = {
            "Sid": "AllowCloudFrontOriginAccessControl",
            "Effect": "Allow",
            "Principal": {"Service": CLOUDFRONT_PRINCIPAL},
            "Action": "s3:GetObject",
            "Resource": pulumi.Output.concat(self.bucket.arn, "/*"),
            "Condition": {"StringEquals": {"AWS:SourceArn": self.distribution.arn}},
        }
        self.bucket_policy = self._bucket_policy("bucket-policy", self._site, allow_cloudfront)

    # --- CloudFront -----------------------------------------------------------------------------------------

    def _create_origin_access(self) -> None:
        """Origin access control (never an OAI, never a public bucket: CKV2_AWS_46)."""
        self.oac = self._child(
            aws.cloudfront.OriginAccessControl,
            "oac",
            description=f"{self._name}: CloudFront reads the site bucket",
            origin_access_control_origin_type="s3",
            signing_behavior="always",
            signing_protocol="sigv4",
        )

    def _create_headers_policy(self) -> None:
        self.headers_policy = security_headers_policy(self, self._csp)

    def _create_functions(self) -> None:
        """The SPA fallback; with an API, its cache policy and path function (:func:`site_edge.serve_api`)."""
        comment = f"{self._name}: app routes serve index.html"
        self.spa_fallback = cloudfront_function(self, "spa-fallback", comment, SPA_FALLBACK_FUNCTION)
        self._api = serve_api(self, self._args.api) if self._args.api is not None else None
        self.api_cache_policy = self._api.cache_policy if self._api else None
        self.api_function = self._api.function if self._api else None

    def _api_routing(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """(extra origins, ordered cache behaviors) that serve the API under its path; none without an API."""
        if self._args.api is None or self._api is None:
            return [], []
        origin, behavior = api_routing(self._args.api, self._api, self.headers_policy)
        return [origin], [behavior]

    def _create_distribution(self) -> None:
        """S3 origin via OAC, HTTPS only, SPA fallback, access logs, the optional API, domain and WAF."""
        args, domain = self._args, self._args.domain
        viewer_certificate: dict[str, Any] = (
            {
                "acm_certificate_arn": self._certificate_arn,
                "ssl_support_method": "sni-only",
                "minimum_protocol_version": defaults.CLOUDFRONT_MIN_TLS,
            }
            if domain
            else {"cloudfront_default_certificate": True}
        )
        api_origins, api_behaviors = self._api_routing()
        # Standard logging needs the log bucket's ACLs enabled before the distribution is created.
        self.distribution = self._child(
            aws.cloudfront.Distribution,
            "distribution",
            enabled=True,
            comment=f"{self._name}: static site"[:128],
            default_root_object="index.html",
            origins=[
                {
                    "origin_id": S3_ORIGIN_ID,
                    "domain_name": self.bucket.bucket_regional_domain_name,
                    "origin_access_control_id": self.oac.id,
                },
                *api_origins,
            ],
            default_cache_behavior={
                "target_origin_id": S3_ORIGIN_ID,
                "viewer_protocol_policy": "redirect-to-https",
                "allowed_methods": ["GET", "HEAD"],
                "cached_methods": ["GET", "HEAD"],
                "compress": True,
                "cache_policy_id": defaults.CLOUDFRONT_CACHING_OPTIMIZED_POLICY_ID,
                "response_headers_policy_id": self.headers_policy.id,
                "function_associations": [
                    {"event_type": "viewer-request", "function_arn": self.spa_fallback.arn},
                ],
            },
            ordered_cache_behaviors=api_behaviors or None,
            logging_config={
                "bucket": self.logs_bucket.bucket_domain_name,
                "prefix": CLOUDFRONT_LOG_PREFIX,
                "include_cookies": False,
            },
            http_version="http2and3",
            is_ipv6_enabled=True,
            price_class=args.price_class,
            restrictions={"geo_restriction": {"restriction_type": "none"}},
            viewer_certificate=viewer_certificate,
            aliases=[domain.name] if domain else None,
            web_acl_id=self.web_acl.arn if self.web_acl else None,
            depends_on=[self._logs.ownership],
        )

    # --- custom domain --------------------------------------------------------------------------------------

    def _create_certificate(self) -> None:
        """A DNS-validated ACM certificate in us-east-1; the distribution waits until it is issued."""
        self.certificate: aws.acm.Certificate | None = None
        self._certificate_arn: pulumi.Output[str] | None = None
        if self._args.domain is not None:
            self.certificate, self._certificate_arn = validated_certificate(
                self, self._args.domain, self._args.us_east_1
            )

    def _create_alias_records(self) -> None:
        if self._args.domain is not None:
            alias_records(self, self._args.domain, self.distribution)

    # --- WAF ------------------------------------------------------------------------------------------------

    def _create_web_acl(self) -> None:
        self.web_acl: aws.wafv2.WebAcl | None = None
        if self._waf:
            self.web_acl = site_web_acl(self, self._args.waf_rate_limit, self._retention, self._args.us_east_1)

    # --- content --------------------------------------------------------------------------------------------

    def _upload_site(self) -> None:
        """One object per file (named by its key, so adding a file never renames another), then the config."""
        args = self._args
        config_key = args.runtime_config_path
        self.objects: dict[str, aws.s3.BucketObjectv2] = {}
        for key, path in site_files(self._site_dir):
            if args.runtime_config is not None and key == config_key:
                continue  # replaced by the generated runtime config below
            self.objects[key] = aws.s3.BucketObjectv2(
                self._child_name(f"file-{key}"),
                **self._props(
                    "file",
                    bucket=self.bucket.id,
                    key=key,
                    source=pulumi.FileAsset(str(path)),
                    content_type=content_type(key),
                    cache_control=CACHE_NO_CACHE if key == config_key else cache_control(key),
                ),
                opts=self._opts(),
            )
        if args.runtime_config is not None:
            self.objects[config_key] = self._child(
                aws.s3.BucketObjectv2,
                "runtime-config",
                bucket=self.bucket.id,
                key=config_key,
                content=pulumi.Output.json_dumps(args.runtime_config, sort_keys=True),
                content_type="application/json",
                cache_control=CACHE_NO_CACHE,
            )
