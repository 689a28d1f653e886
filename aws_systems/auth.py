"""Cognito sign-in for a system: a user pool, its app clients and groups, optional per-group IAM roles through
an identity pool, and the HTTP API authorizers that trust the pool.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

from aws_systems import defaults
from aws_systems._base import Component, Transforms
from aws_systems.defaults import Protection
from aws_systems.iam import check_statements, policy_document, trust_policy
from aws_systems.validation import IDENTITY_SOURCE, check_int, check_one_of

Mfa = Literal["OFF", "OPTIONAL", "ON"]
ClientKind = Literal["spa", "server"]
ThreatProtection = Literal["OFF", "AUDIT", "ENFORCED"]

MFA_MODES: tuple[Mfa, ...] = ("OFF", "OPTIONAL", "ON")
CLIENT_KINDS: tuple[ClientKind, ...] = ("spa", "server")
THREAT_PROTECTION_MODES: tuple[ThreatProtection, ...] = ("OFF", "AUDIT", "ENFORCED")

# Names become part of child resource names, so keep them to characters that are safe everywhere.
_KEY = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_KEY_RULE = "1-64 letters, digits, '-' or '_'"

# Cognito's own limits (not security choices): password length and token lifetimes.
PASSWORD_MIN_LENGTH_FLOOR = 8
PASSWORD_MAX_LENGTH = 99
TOKEN_MINUTES_RANGE = (5, 1440)
REFRESH_TOKEN_DAYS_RANGE = (1, 3650)
LAMBDA_AUTHORIZER_MAX_TTL_SECONDS = 3600

_AUTHORIZATION_HEADER = "$request.header.Authorization"
_IDENTITY_PRINCIPAL = "cognito-identity.amazonaws.com"
_SPA_FLOWS = ("ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")
_SERVER_FLOWS = (*_SPA_FLOWS, "ALLOW_ADMIN_USER_PASSWORD_AUTH")


def _check_key(arg: str, value: str) -> None:
    if not isinstance(value, str) or not _KEY.match(value):
        raise ValueError(f"{arg}: must be {_KEY_RULE} (got {value!r})")


def _check_unique(arg: str, values: Sequence[Any]) -> None:
    dupes = sorted(str(v) for v, n in Counter(values).items() if n > 1)
    if dupes:
        raise ValueError(f"{arg}: must be unique (duplicated: {', '.join(dupes)})")


def check_identity_sources(sources: Sequence[str]) -> None:
    """A Lambda authorizer's identity sources: at least one, each a selection expression API Gateway accepts."""
    if isinstance(sources, str) or not sources:
        raise ValueError("identity_sources: must name at least one, e.g. $request.header.Authorization")
    for source in sources:
        if not isinstance(source, str) or not IDENTITY_SOURCE.match(source):
            raise ValueError(
                f"identity_sources: {source!r} is not $request.header.<name>, $request.querystring.<name>, "
                "$context.<variable> or $stageVariables.<name>"
            )
    _check_unique("identity_sources", list(sources))


@dataclass(kw_only=True)
class AppClientArgs:
    """One app client of the user pool.

    ``spa`` clients run in a browser: no secret; SRP, password and refresh-token sign-in. ``server`` clients
    keep a generated secret and may also use the admin password flow. Every client revokes tokens on sign-out,
    hides whether a user exists, and sets its token lifetimes and their units explicitly.
    """

    name: str
    """Client name and key in ``AuthComponent.clients`` (required; letters, digits, '-' or '_')."""
    kind: ClientKind = "spa"
    """``"spa"`` (default) or ``"server"``."""
    callback_urls: list[str] = field(default_factory=list)
    """OAuth redirect URLs (default none). OAuth (authorization code flow) is configured only when given.
    HTTPS only, except ``http://localhost``."""
    logout_urls: list[str] = field(default_factory=list)
    """OAuth sign-out URLs (default none); needs ``callback_urls``."""
    oauth_scopes: list[str] = field(default_factory=lambda: ["openid", "email", "profile"])
    """Scopes the client may request when OAuth is on (default openid, email, profile)."""
    access_token_minutes: int = defaults.ACCESS_TOKEN_VALIDITY_MINUTES
    """Access token lifetime, 5-1440 (default ``defaults.ACCESS_TOKEN_VALIDITY_MINUTES``); longer warns."""
    id_token_minutes: int = defaults.ID_TOKEN_VALIDITY_MINUTES
    """ID token lifetime, 5-1440 (default ``defaults.ID_TOKEN_VALIDITY_MINUTES``); longer warns."""
    refresh_token_days: int = defaults.REFRESH_TOKEN_VALIDITY_DAYS
    """Refresh token lifetime, 1-3650 (default ``defaults.REFRESH_TOKEN_VALIDITY_DAYS``); longer warns."""

    def __post_init__(self) -> None:
        _check_key("clients.name", self.name)
        check_one_of("clients.kind", self.kind, CLIENT_KINDS)
        check_int("clients.access_token_minutes", self.access_token_minutes, *TOKEN_MINUTES_RANGE)
        check_int("clients.id_token_minutes", self.id_token_minutes, *TOKEN_MINUTES_RANGE)
        check_int("clients.refresh_token_days", self.refresh_token_days, *REFRESH_TOKEN_DAYS_RANGE)
        if self.logout_urls and not self.callback_urls:
            raise ValueError(f"clients.logout_urls: need callback_urls too (client {self.name!r})")
        for url in [*self.callback_urls, *self.logout_urls]:
            if not (url.startswith("https://") or url.startswith("http://localhost")):
                raise ValueError(f"clients.callback_urls: must be https:// or http://localhost (got {url!r})")
        if self.callback_urls and not self.oauth_scopes:
            raise ValueError(f"clients.oauth_scopes: must name at least one scope (client {self.name!r})")


@dataclass(kw_only=True)
class AuthGroupArgs:
    """One user group. With ``iam_role`` the group's members get AWS credentials for that role alone."""

    name: str
    """Group name and key in ``AuthComponent.groups`` (required; letters, digits, '-' or '_')."""
    precedence: int
    """Which group's role wins when a user is in several: lower wins (required, >= 0, unique in the pool)."""
    description: str = ""
    """Shown in the Cognito console (default empty)."""
    iam_role: bool = False
    """Give the group its own IAM role, assumable through the identity pool (default ``False``)."""
    role_policy_statements: list[dict[str, Any]] = field(default_factory=list)
    """IAM policy statements for the group's role (default none); needs ``iam_role``. Values may be Outputs;
    wildcard actions (``*``, ``s3:*``) are refused."""

    def __post_init__(self) -> None:
        _check_key("groups.name", self.name)
        if self.precedence < 0:
            raise ValueError(f"groups.precedence: must be >= 0 (got {self.precedence} for {self.name!r})")
        if self.role_policy_statements and not self.iam_role:
            raise ValueError(f"groups.role_policy_statements: need iam_role=True (group {self.name!r})")
        check_statements("groups.role_policy_statements", self.role_policy_statements)


@dataclass(kw_only=True)
class AuthArgs:
    """Arguments of :class:`AuthComponent`. Every default is the secure one; weakening it logs a warning."""

    protection: Protection = "standard"
    """``"standard"`` (default; dev/qa) or ``"hardened"`` (stage/prod: threat and deletion protection)."""
    password_min_length: int = defaults.PASSWORD_MIN_LENGTH
    """Minimum password length, 8-99 (default ``defaults.PASSWORD_MIN_LENGTH``); shorter than the default
    warns. Upper case, lower case, digits and symbols are always required."""
    mfa: Mfa = "OPTIONAL"
    """``"OFF"`` (warns), ``"OPTIONAL"`` (default) or ``"ON"``; MFA uses authenticator apps (TOTP)."""
    self_sign_up: bool = True
    """Let users sign themselves up (default ``True``); ``False`` leaves user creation to administrators."""
    threat_protection: ThreatProtection | None = None
    """Cognito threat protection (advanced security): default ``"OFF"`` when standard, ``"ENFORCED"`` when
    hardened; anything but ``"OFF"`` needs the Plus feature plan, which the pool then uses."""
    deletion_protection: bool | None = None
    """Refuse to delete the pool: default off when standard, on when hardened."""
    clients: list[AppClientArgs] = field(default_factory=lambda: [AppClientArgs(name="web", kind="spa")])
    """App clients, at least one, unique names (default one SPA client named ``web``)."""
    groups: list[AuthGroupArgs] = field(default_factory=list)
    """User groups, unique names and precedences (default none). If any has ``iam_role``, an identity pool is
    made for the SPA clients."""
    transforms: Transforms | None = None
    """Per-child overrides by role: ``user-pool``, ``client-<name>``, ``group-<name>``, ``group-<name>-role``,
    ``group-<name>-policy``, ``identity-pool``, ``authenticated-role``, ``role-attachment`` (default none)."""

    def __post_init__(self) -> None:
        defaults.check_protection(self.protection)
        check_int("password_min_length", self.password_min_length, PASSWORD_MIN_LENGTH_FLOOR, PASSWORD_MAX_LENGTH)
        check_one_of("mfa", self.mfa, MFA_MODES)
        if self.threat_protection is not None:
            check_one_of("threat_protection", self.threat_protection, THREAT_PROTECTION_MODES)
        if not self.clients:
            raise ValueError("clients: must contain at least one app client")
        _check_unique("clients", [c.name for c in self.clients])
        _check_unique("groups", [g.name for g in self.groups])
        _check_unique("groups.precedence", [g.precedence for g in self.groups])
        if any(g.iam_role for g in self.groups) and not any(c.kind == "spa" for c in self.clients):
            raise ValueError("groups.iam_role: needs at least one spa client to sign in through the identity pool")


class AuthComponent(Component):
    """A Cognito user pool with app clients and groups, and the authorizers HTTP APIs use to trust it.

    Attributes: ``user_pool``, ``clients`` and ``groups`` (by name), ``identity_pool`` and
    ``authenticated_role`` (or ``None``), ``group_roles`` (by group name), ``authorizer_permissions`` (by
    authorizer name), and the outputs ``user_pool_id``, ``user_pool_arn``, ``issuer``, ``jwks_url`` and
    ``client_ids``.
    """

    user_pool: aws.cognito.UserPool
    clients: dict[str, aws.cognito.UserPoolClient]
    groups: dict[str, aws.cognito.UserGroup]
    identity_pool: aws.cognito.IdentityPool | None
    authenticated_role: aws.iam.Role | None
    group_roles: dict[str, aws.iam.Role]
    authorizer_permissions: dict[str, aws.lambda_.Permission]
    user_pool_id: pulumi.Output[str]
    user_pool_arn: pulumi.Output[str]
    issuer: pulumi.Output[str]
    jwks_url: pulumi.Output[str]
    client_ids: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: AuthArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("awssystems:auth:AuthComponent", name, args.transforms, opts)
        self._args = args
        self.clients, self.groups, self.group_roles, self.authorizer_permissions = {}, {}, {}, {}
        self.identity_pool, self.authenticated_role = None, None
        self._authorizer_names: set[str] = set()

        self._create_user_pool()
        self._create_clients()
        if any(g.iam_role for g in args.groups):
            self.identity_pool = self._create_identity_pool()
        self._create_groups(self.identity_pool)
        if self.identity_pool is not None:
            self._attach_group_roles(self.identity_pool)

        self._check_transforms_used()
        self.register_outputs(
            {
                "user_pool_id": self.user_pool_id,
                "user_pool_arn": self.user_pool_arn,
                "issuer": self.issuer,
                "jwks_url": self.jwks_url,
                "client_ids": self.client_ids,
            }
        )

    # --- secure defaults ------------------------------------------------------------------------------------
    def _threat_protection(self) -> str:
        default = defaults.by_protection(self._args.protection, standard="OFF", hardened="ENFORCED")
        value = self._args.threat_protection or default
        strength = THREAT_PROTECTION_MODES.index
        return self._secure("threat_protection", default, value, strength(value) < strength(default))

    def _deletion_protection(self) -> bool:
        default = defaults.by_protection(self._args.protection, standard=False, hardened=True)
        value = default if self._args.deletion_protection is None else self._args.deletion_protection
        return self._secure("deletion_protection", default, value, default and not value)

    # --- user pool ------------------------------------------------------------------------------------------
    def _create_user_pool(self) -> None:
        args = self._args
        min_length = self._secure(
            "password_min_length",
            defaults.PASSWORD_MIN_LENGTH,
            args.password_min_length,
            args.password_min_length < defaults.PASSWORD_MIN_LENGTH,
        )
        mfa = self._secure("mfa", "OPTIONAL", args.mfa, args.mfa == "OFF")
        threat = self._threat_protection()
        self.user_pool = self._child(
            aws.cognito.UserPool,
            "user-pool",
            username_attributes=["email"],
            auto_verified_attributes=["email"],
            user_attribute_update_settings={"attributes_require_verification_before_updates": ["email"]},
            account_recovery_setting={"recovery_mechanisms": [{"name": "verified_email", "priority": 1}]},
            admin_create_user_config={"allow_admin_create_user_only": not args.self_sign_up},
            password_policy={
                "minimum_length": min_length,
                "require_uppercase": True,
                "require_lowercase": True,
                "require_numbers": True,
                "require_symbols": True,
                "temporary_password_validity_days": 7,
            },
            mfa_configuration=mfa,
            software_token_mfa_configuration={"enabled": True} if mfa != "OFF" else None,
            user_pool_tier="ESSENTIALS" if threat == "OFF" else "PLUS",
            user_pool_add_ons={"advanced_security_mode": threat},
            deletion_protection="ACTIVE" if self._deletion_protection() else "INACTIVE",
        )
        self.user_pool_id = self.user_pool.id
        self.user_pool_arn = self.user_pool.arn
        # The issuer is the pool's identity-provider name over HTTPS; the region is read from the pool's ARN.
        self._provider_name = pulumi.Output.all(self.user_pool.arn, self.user_pool.id).apply(
            lambda a: f"cognito-idp.{a[0].split(':')[3]}.amazonaws.com/{a[1]}"
        )
        self.issuer = self._provider_name.apply(lambda p: f"https://{p}")
        self.jwks_url = self.issuer.apply(lambda i: f"{i}/.well-known/jwks.json")

    # --- app clients ----------------------------------------------------------------------------------------
    def _create_clients(self) -> None:
        for client in self._args.clients:
            self.clients[client.name] = self._child(
                aws.cognito.UserPoolClient, f"client-{client.name}", **self._client_props(client)
            )
        self.client_ids = pulumi.Output.all(**{n: c.id for n, c in self.clients.items()}).apply(dict)

    def _client_props(self, client: AppClientArgs) -> dict[str, Any]:
        """The settings of one app client, after warning about token lifetimes longer than the defaults."""
        lifetimes = {
            "access_token_minutes": defaults.ACCESS_TOKEN_VALIDITY_MINUTES,
            "id_token_minutes": defaults.ID_TOKEN_VALIDITY_MINUTES,
            "refresh_token_days": defaults.REFRESH_TOKEN_VALIDITY_DAYS,
        }
        for setting, default in lifetimes.items():
            value = getattr(client, setting)
            self._secure(f"clients[{client.name}].{setting}", default, value, value > default)
        props: dict[str, Any] = {
            "name": client.name,
            "user_pool_id": self.user_pool.id,
            "generate_secret": client.kind == "server",
            "explicit_auth_flows": list(_SERVER_FLOWS if client.kind == "server" else _SPA_FLOWS),
            "access_token_validity": client.access_token_minutes,
            "id_token_validity": client.id_token_minutes,
            "refresh_token_validity": client.refresh_token_days,
            "token_validity_units": {
                "access_token": "minutes",
                "id_token": "minutes",
                "refresh_token": "days",
            },
            "enable_token_revocation": True,
            "prevent_user_existence_errors": "ENABLED",
        }
        if client.callback_urls:
            props |= {
                "allowed_oauth_flows_user_pool_client": True,
                "allowed_oauth_flows": ["code"],
                "allowed_oauth_scopes": list(client.oauth_scopes),
                "supported_identity_providers": ["COGNITO"],
                "callback_urls": list(client.callback_urls),
                "logout_urls": list(client.logout_urls),
            }
        return props

    # --- identity pool and group roles ----------------------------------------------------------------------
    def _spa_client_ids(self) -> list[pulumi.Output[str]]:
        return [self.clients[c.name].id for c in self._args.clients if c.kind == "spa"]

    def _create_identity_pool(self) -> aws.cognito.IdentityPool:
        """Identity pool for signed-in users only (CKV_AWS_366); it trusts the pool's SPA clients."""
        return self._child(
            aws.cognito.IdentityPool,
            "identity-pool",
            identity_pool_name=self._child_name("identity-pool"),
            allow_unauthenticated_identities=False,
            allow_classic_flow=False,
            cognito_identity_providers=[
                {"provider_name": self._provider_name, "client_id": client_id, "server_side_token_check": True}
                for client_id in self._spa_client_ids()
            ],
        )

    def _identity_role(self, role: str, identity_pool: aws.cognito.IdentityPool) -> aws.iam.Role:
        """A role only this identity pool's signed-in identities can assume (CKV_AWS_60/61)."""
        signed_in = {
            "StringEquals": {f"{_IDENTITY_PRINCIPAL}:aud": identity_pool.id},
            "ForAnyValue:StringLike": {f"{_IDENTITY_PRINCIPAL}:amr": "authenticated"},
        }
        trust = trust_policy({"Federated": _IDENTITY_PRINCIPAL}, "sts:AssumeRoleWithWebIdentity", signed_in)
        return self._child(aws.iam.Role, role, assume_role_policy=trust)

    def _create_groups(self, identity_pool: aws.cognito.IdentityPool | None) -> None:
        for group in self._args.groups:
            role_arn = self._create_group_role(group, identity_pool) if identity_pool and group.iam_role else None
            self.groups[group.name] = self._child(
                aws.cognito.UserGroup,
                f"group-{group.name}",
                user_pool_id=self.user_pool.id,
                name=group.name,
                precedence=group.precedence,
                description=group.description or None,
                role_arn=role_arn,
            )

    def _create_group_role(self, group: AuthGroupArgs, identity_pool: aws.cognito.IdentityPool) -> pulumi.Output[str]:
        role = self._identity_role(f"group-{group.name}-role", identity_pool)
        self.group_roles[group.name] = role
        if group.role_policy_statements:
            policy = policy_document(group.role_policy_statements)
            self._child(aws.iam.RolePolicy, f"group-{group.name}-policy", role=role.id, policy=policy)
        return role.arn

    def _attach_group_roles(self, identity_pool: aws.cognito.IdentityPool) -> None:
        """Signed-in users get their group's role from the token; no match or a tie is denied, never guessed.

        The attachment requires a default authenticated role: it has no permissions.
        """
        self.authenticated_role = self._identity_role("authenticated-role", identity_pool)
        mappings = [
            {
                "identity_provider": pulumi.Output.concat(self._provider_name, ":", client_id),
                "type": "Token",
                "ambiguous_role_resolution": "Deny",
            }
            for client_id in self._spa_client_ids()
        ]
        self._child(
            aws.cognito.IdentityPoolRoleAttachment,
            "role-attachment",
            identity_pool_id=identity_pool.id,
            roles={"authenticated": self.authenticated_role.arn},
            role_mappings=mappings,
        )

    # --- authorizers for HTTP APIs --------------------------------------------------------------------------
    def _authorizer_opts(self, name: str, opts: pulumi.ResourceOptions | None) -> pulumi.ResourceOptions:
        _check_key("name", name)
        if name in self._authorizer_names:
            raise ValueError(f"name: an authorizer named {name!r} already exists on this component")
        self._authorizer_names.add(name)
        return opts if opts is not None else self._opts()

    def jwt_authorizer(
        self,
        name: str,
        api_id: pulumi.Input[str],
        clients: Sequence[str] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> aws.apigatewayv2.Authorizer:
        """A JWT authorizer that accepts this pool's tokens issued to ``clients`` (default: every client).

        API Gateway checks the signature, expiry, issuer and audience itself, so no code runs per request.
        """
        names = list(self.clients) if clients is None else list(clients)
        if not names:
            raise ValueError("clients: must name at least one client (or None for all)")
        unknown = sorted(set(names) - set(self.clients))
        if unknown:
            raise ValueError(f"clients: unknown client(s) {', '.join(unknown)}; known: {', '.join(self.clients)}")
        return aws.apigatewayv2.Authorizer(
            self._child_name(name),
            api_id=api_id,
            name=name,
            authorizer_type="JWT",
            identity_sources=[_AUTHORIZATION_HEADER],
            jwt_configuration={"issuer": self.issuer, "audiences": [self.clients[n].id for n in names]},
            opts=self._authorizer_opts(name, opts),
        )

    def lambda_authorizer(
        self,
        name: str,
        api_id: pulumi.Input[str],
        api_execution_arn: pulumi.Input[str],
        function: aws.lambda_.Function,
        cache_ttl_seconds: int = defaults.LAMBDA_AUTHORIZER_CACHE_TTL_SECONDS,
        identity_sources: Sequence[str] = defaults.LAMBDA_AUTHORIZER_IDENTITY_SOURCES,
        opts: pulumi.ResourceOptions | None = None,
    ) -> aws.apigatewayv2.Authorizer:
        """A Lambda authorizer (REQUEST, payload 2.0, simple responses) and the permission to invoke it.

        ``identity_sources`` must all be present in a request, or API Gateway answers 401 without calling the
        function; they are also the cache key for ``cache_ttl_seconds`` (0: no cache). The default, the
        ``Authorization`` header and ``$context.routeKey``, keeps an authorizer whose answer depends on the route
        from having one route's answer reused for another.

        The permission names this authorizer's exact ARN, so no other API or authorizer can call the function.
        """
        check_int("cache_ttl_seconds", cache_ttl_seconds, 0, LAMBDA_AUTHORIZER_MAX_TTL_SECONDS)
        check_identity_sources(identity_sources)
        resource_opts = self._authorizer_opts(name, opts)
        authorizer = aws.apigatewayv2.Authorizer(
            self._child_name(name),
            api_id=api_id,
            name=name,
            authorizer_type="REQUEST",
            authorizer_uri=function.invoke_arn,
            authorizer_payload_format_version="2.0",
            enable_simple_responses=True,
            identity_sources=list(identity_sources),
            authorizer_result_ttl_in_seconds=cache_ttl_seconds,
            opts=resource_opts,
        )
        self.authorizer_permissions[name] = aws.lambda_.Permission(
            self._child_name(f"{name}-invoke"),
            action="lambda:InvokeFunction",
            function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(api_execution_arn, "/authorizers/", authorizer.id),
            opts=resource_opts,
        )
        return authorizer
