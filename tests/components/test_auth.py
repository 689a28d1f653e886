"""AuthComponent under the recording mocks: defaults, clients, groups, roles, authorizers, validation."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from aws_systems import defaults
from aws_systems.auth import AppClientArgs, AuthArgs, AuthComponent, AuthGroupArgs
from tests import harness

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
GROUP = "aws:cognito/userGroup:UserGroup"
IDENTITY_POOL = "aws:cognito/identityPool:IdentityPool"
ATTACHMENT = "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment"
ROLE = "aws:iam/role:Role"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer"
PERMISSION = "aws:lambda/permission:Permission"

PROVIDER = f"cognito-idp.{harness.REGION}.amazonaws.com/auth-user-pool-id"
EXECUTION_ARN = f"arn:aws:execute-api:{harness.REGION}:{harness.ACCOUNT}:api123"


def build(**kwargs: Any) -> dict[str, AuthComponent]:
    """Build one component named ``auth`` under the mocks; the returned dict holds it after the run."""
    built: dict[str, AuthComponent] = {}
    harness.run(lambda: built.update(auth=AuthComponent("auth", AuthArgs(**kwargs))))
    return built


# --- user pool defaults -------------------------------------------------------------------------------------
def test_standard_defaults(mocks, warnings):
    build()
    pool = mocks.one(POOL, "auth-user-pool").inputs
    assert pool["passwordPolicy"] == {
        "minimumLength": defaults.PASSWORD_MIN_LENGTH,
        "requireUppercase": True,
        "requireLowercase": True,
        "requireNumbers": True,
        "requireSymbols": True,
        "temporaryPasswordValidityDays": 7,
    }
    assert pool["usernameAttributes"] == ["email"]
    assert pool["autoVerifiedAttributes"] == ["email"]
    assert pool["userAttributeUpdateSettings"] == {"attributesRequireVerificationBeforeUpdates": ["email"]}
    assert pool["accountRecoverySetting"] == {"recoveryMechanisms": [{"name": "verified_email", "priority": 1}]}
    assert pool["mfaConfiguration"] == "OPTIONAL"
    assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": False}
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "OFF"}
    assert pool["userPoolTier"] == "ESSENTIALS"
    assert pool["deletionProtection"] == "INACTIVE"
    assert warnings == []
    assert not mocks.of_type(IDENTITY_POOL) and not mocks.of_type(ROLE) and not mocks.of_type(GROUP)


def test_hardened_enforces_threat_and_deletion_protection(mocks, warnings):
    build(protection="hardened")
    pool = mocks.one(POOL, "auth-user-pool").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert pool["userPoolTier"] == "PLUS"  # threat protection needs the Plus feature plan
    assert pool["deletionProtection"] == "ACTIVE"
    assert warnings == []


def test_hardened_weakened_warns(mocks, warnings):
    build(protection="hardened", threat_protection="AUDIT", deletion_protection=False)
    pool = mocks.one(POOL, "auth-user-pool").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "AUDIT"}
    assert pool["userPoolTier"] == "PLUS"
    assert pool["deletionProtection"] == "INACTIVE"
    assert len(warnings) == 2
    assert any("threat_protection" in w and "AUDIT" in w for w in warnings)
    assert any("deletion_protection" in w for w in warnings)


def test_standard_may_opt_into_protection_without_warning(mocks, warnings):
    build(threat_protection="ENFORCED", deletion_protection=True)
    pool = mocks.one(POOL, "auth-user-pool").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"}
    assert pool["deletionProtection"] == "ACTIVE"
    assert warnings == []


def test_no_argument_name_is_misspelt(mocks):
    build(
        clients=[AppClientArgs(name="web", callback_urls=["https://app.example.com/cb"])],
        groups=[AuthGroupArgs(name="staff", precedence=1, iam_role=True)],
    )
    for r in mocks.resources:
        assert harness.snake_keys(r.inputs) == [], r.name


def test_weaker_password_length_warns(mocks, warnings):
    build(password_min_length=10)
    assert mocks.one(POOL).inputs["passwordPolicy"]["minimumLength"] == 10
    assert len(warnings) == 1
    assert "password_min_length" in warnings[0] and "10" in warnings[0] and "auth" in warnings[0]


def test_longer_password_is_silent(mocks, warnings):
    build(password_min_length=16)
    assert mocks.one(POOL).inputs["passwordPolicy"]["minimumLength"] == 16
    assert warnings == []


def test_mfa_off_warns_and_drops_software_token(mocks, warnings):
    build(mfa="OFF")
    pool = mocks.one(POOL).inputs
    assert pool["mfaConfiguration"] == "OFF"
    assert "softwareTokenMfaConfiguration" not in pool
    assert len(warnings) == 1 and "mfa" in warnings[0]


def test_mfa_on_and_admin_only_sign_up(mocks, warnings):
    build(mfa="ON", self_sign_up=False)
    pool = mocks.one(POOL).inputs
    assert pool["mfaConfiguration"] == "ON"
    assert pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    assert warnings == []


def test_children_are_named_and_parented(mocks):
    build(groups=[AuthGroupArgs(name="staff", precedence=1, iam_role=True, role_policy_statements=[])])
    component = mocks.one("awssystems:auth:AuthComponent", "auth")
    assert component.parent_name == "aws-systems-dev"
    assert harness.child_names(mocks, "awssystems:auth:AuthComponent", "auth") == [
        "auth-authenticated-role",
        "auth-client-web",
        "auth-group-staff",
        "auth-group-staff-role",
        "auth-identity-pool",
        "auth-role-attachment",
        "auth-user-pool",
    ]


def test_outputs(mocks):
    auth = build(clients=[AppClientArgs(name="web"), AppClientArgs(name="api", kind="server")])["auth"]
    assert harness.resolved(auth.issuer) == f"https://{PROVIDER}"
    assert harness.resolved(auth.jwks_url) == f"https://{PROVIDER}/.well-known/jwks.json"
    assert harness.resolved(auth.client_ids) == {"web": "auth-client-web-id", "api": "auth-client-api-id"}
    assert harness.resolved(auth.user_pool_id) == "auth-user-pool-id"
    assert harness.resolved(auth.user_pool_arn) == f"arn:aws:cognito:{harness.REGION}:{harness.ACCOUNT}:auth-user-pool"
    assert set(auth.clients) == {"web", "api"} and auth.identity_pool is None and auth.group_roles == {}


# --- transforms ---------------------------------------------------------------------------------------------
def test_transform_overrides_user_pool(mocks):
    build(transforms={"user-pool": lambda p: {**p, "mfa_configuration": "ON", "name": "custom"}})
    pool = mocks.one(POOL, "auth-user-pool").inputs
    assert pool["mfaConfiguration"] == "ON" and pool["name"] == "custom"
    assert pool["passwordPolicy"]["minimumLength"] == defaults.PASSWORD_MIN_LENGTH  # the rest is untouched


def test_transform_for_unknown_role_is_refused(mocks):
    with pytest.raises(ValueError, match=r"^transforms: unknown child role\(s\) identity-pool"):
        build(transforms={"identity-pool": lambda p: p})


# --- app clients --------------------------------------------------------------------------------------------
def test_spa_and_server_clients(mocks):
    build(clients=[AppClientArgs(name="web"), AppClientArgs(name="api", kind="server", access_token_minutes=15)])
    spa = mocks.one(CLIENT, "auth-client-web").inputs
    server = mocks.one(CLIENT, "auth-client-api").inputs
    flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert spa["generateSecret"] is False and spa["explicitAuthFlows"] == flows
    assert server["generateSecret"] is True
    assert server["explicitAuthFlows"] == [*flows, "ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    for client in (spa, server):
        assert client["userPoolId"] == "auth-user-pool-id"
        assert client["enableTokenRevocation"] is True
        assert client["preventUserExistenceErrors"] == "ENABLED"
        assert client["tokenValidityUnits"] == {
            "accessToken": "minutes",
            "idToken": "minutes",
            "refreshToken": "days",
        }
        assert client["idTokenValidity"] == defaults.ID_TOKEN_VALIDITY_MINUTES
        assert client["refreshTokenValidity"] == defaults.REFRESH_TOKEN_VALIDITY_DAYS
        assert "allowedOauthFlows" not in client and "callbackUrls" not in client
    assert spa["accessTokenValidity"] == defaults.ACCESS_TOKEN_VALIDITY_MINUTES
    assert server["accessTokenValidity"] == 15


def test_oauth_only_with_callback_urls(mocks):
    client = AppClientArgs(
        name="web", callback_urls=["https://app.example.com/cb"], logout_urls=["http://localhost:3000/"]
    )
    build(clients=[client])
    inputs = mocks.one(CLIENT).inputs
    assert inputs["allowedOauthFlowsUserPoolClient"] is True
    assert inputs["allowedOauthFlows"] == ["code"]
    assert inputs["allowedOauthScopes"] == ["openid", "email", "profile"]
    assert inputs["supportedIdentityProviders"] == ["COGNITO"]
    assert inputs["callbackUrls"] == ["https://app.example.com/cb"]
    assert inputs["logoutUrls"] == ["http://localhost:3000/"]


def test_longer_token_lifetimes_warn(mocks, warnings):
    build(clients=[AppClientArgs(name="web", access_token_minutes=120, refresh_token_days=90, id_token_minutes=5)])
    assert len(warnings) == 2
    assert any("clients[web].access_token_minutes" in w for w in warnings)
    assert any("clients[web].refresh_token_days" in w for w in warnings)


# --- groups, identity pool and roles ------------------------------------------------------------------------
def test_groups_without_roles_make_no_identity_pool(mocks):
    auth = build(groups=[AuthGroupArgs(name="customers", precedence=10, description="People moving house")])["auth"]
    group = mocks.one(GROUP, "auth-group-customers").inputs
    assert group == {
        "userPoolId": "auth-user-pool-id",
        "name": "customers",
        "precedence": 10,
        "description": "People moving house",
    }
    assert auth.identity_pool is None and not mocks.of_type(ROLE) and not mocks.of_type(ATTACHMENT)


def test_group_roles_and_token_role_mapping(mocks):
    bucket_arn = "arn:aws:s3:::reports"
    statements = [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": pulumi.Output.from_input(bucket_arn)}]
    auth = build(
        clients=[AppClientArgs(name="web"), AppClientArgs(name="api", kind="server")],
        groups=[
            AuthGroupArgs(name="employees", precedence=1, iam_role=True, role_policy_statements=statements),
            AuthGroupArgs(name="drivers", precedence=2, iam_role=True),
            AuthGroupArgs(name="customers", precedence=3),
        ],
    )["auth"]
    assert set(auth.group_roles) == {"employees", "drivers"} and auth.identity_pool is not None

    pool = mocks.one(IDENTITY_POOL, "auth-identity-pool").inputs
    assert pool["allowUnauthenticatedIdentities"] is False
    assert pool["allowClassicFlow"] is False
    assert pool["cognitoIdentityProviders"] == [  # the SPA client only
        {"providerName": PROVIDER, "clientId": "auth-client-web-id", "serverSideTokenCheck": True}
    ]

    for role_name in ("auth-group-employees-role", "auth-group-drivers-role", "auth-authenticated-role"):
        trust = json.loads(mocks.one(ROLE, role_name).inputs["assumeRolePolicy"])
        assert trust["Statement"] == [
            {
                "Effect": "Allow",
                "Principal": {"Federated": "cognito-identity.amazonaws.com"},
                "Action": "sts:AssumeRoleWithWebIdentity",
                "Condition": {
                    "StringEquals": {"cognito-identity.amazonaws.com:aud": "auth-identity-pool-id"},
                    "ForAnyValue:StringLike": {"cognito-identity.amazonaws.com:amr": "authenticated"},
                },
            }
        ]

    policy = mocks.one(ROLE_POLICY).inputs  # only the group with statements gets one; the default role has none
    assert policy["role"] == "auth-group-employees-role-id"
    assert json.loads(policy["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": bucket_arn}],
    }

    groups = {g.name: g.inputs for g in mocks.of_type(GROUP)}
    assert groups["auth-group-employees"]["roleArn"].endswith(":auth-group-employees-role")
    assert groups["auth-group-drivers"]["roleArn"].endswith(":auth-group-drivers-role")
    assert "roleArn" not in groups["auth-group-customers"]

    attachment = mocks.one(ATTACHMENT, "auth-role-attachment").inputs
    assert attachment["identityPoolId"] == "auth-identity-pool-id"
    assert attachment["roles"] == {
        "authenticated": f"arn:aws:iam:{harness.REGION}:{harness.ACCOUNT}:auth-authenticated-role"
    }
    assert attachment["roleMappings"] == [
        {
            "identityProvider": f"{PROVIDER}:auth-client-web-id",
            "type": "Token",
            "ambiguousRoleResolution": "Deny",
        }
    ]


# --- validation ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("make", "match"),
    [
        (lambda: AuthArgs(password_min_length=7), r"^password_min_length: must be an integer between 8 and 99"),
        (lambda: AuthArgs(password_min_length=100), r"^password_min_length: must be an integer between 8 and 99"),
        (lambda: AuthArgs(protection="prod"), r"^protection: must be one of standard, hardened"),
        (lambda: AuthArgs(mfa="SOMETIMES"), r"^mfa: must be one of OFF, OPTIONAL, ON"),
        (
            lambda: AuthArgs(threat_protection="MAX"),
            r"^threat_protection: must be one of OFF, AUDIT, ENFORCED",
        ),
        (lambda: AuthArgs(clients=[]), r"^clients: must contain at least one"),
        (
            lambda: AuthArgs(clients=[AppClientArgs(name="a"), AppClientArgs(name="a")]),
            r"^clients: must be unique",
        ),
        (
            lambda: AuthArgs(groups=[AuthGroupArgs(name="g", precedence=1), AuthGroupArgs(name="g", precedence=2)]),
            r"^groups: must be unique \(duplicated: g\)",
        ),
        (
            lambda: AuthArgs(groups=[AuthGroupArgs(name="a", precedence=1), AuthGroupArgs(name="b", precedence=1)]),
            r"^groups.precedence: must be unique \(duplicated: 1\)",
        ),
        (
            lambda: AuthArgs(
                clients=[AppClientArgs(name="api", kind="server")],
                groups=[AuthGroupArgs(name="g", precedence=1, iam_role=True)],
            ),
            r"^groups.iam_role: needs at least one spa client",
        ),
        (lambda: AppClientArgs(name="bad name"), r"^clients.name: must be 1-64 letters"),
        (lambda: AppClientArgs(name="web", kind="mobile"), r"^clients.kind: must be one of spa, server"),
        (
            lambda: AppClientArgs(name="web", access_token_minutes=4),
            r"^clients.access_token_minutes: must be an integer between",
        ),
        (
            lambda: AppClientArgs(name="web", id_token_minutes=1441),
            r"^clients.id_token_minutes: must be an integer between",
        ),
        (
            lambda: AppClientArgs(name="web", refresh_token_days=0),
            r"^clients.refresh_token_days: must be an integer between",
        ),
        (
            lambda: AppClientArgs(name="web", logout_urls=["https://a/"]),
            r"^clients.logout_urls: need callback_urls",
        ),
        (
            lambda: AppClientArgs(name="web", callback_urls=["http://app.example.com/"]),
            r"^clients.callback_urls: must be https:// or http://localhost",
        ),
        (
            lambda: AppClientArgs(name="web", callback_urls=["https://a/"], oauth_scopes=[]),
            r"^clients.oauth_scopes: must name at least one",
        ),
        (lambda: AuthGroupArgs(name="", precedence=1), r"^groups.name: must be 1-64 letters"),
        (lambda: AuthGroupArgs(name="g", precedence=-1), r"^groups.precedence: must be >= 0"),
        (
            lambda: AuthGroupArgs(
                name="g", precedence=1, role_policy_statements=[{"Effect": "Allow", "Action": "s3:GetObject"}]
            ),
            r"^groups.role_policy_statements: need iam_role=True",
        ),
        (
            lambda: AuthGroupArgs(
                name="g",
                precedence=1,
                iam_role=True,
                role_policy_statements=[{"Effect": "Allow", "Action": "*", "Resource": "*"}],
            ),
            r"^groups.role_policy_statements: wildcard actions",
        ),
        (
            lambda: AuthGroupArgs(
                name="g",
                precedence=1,
                iam_role=True,
                role_policy_statements=[{"Effect": "Allow", "Action": ["s3:*"], "Resource": "arn:aws:s3:::b/*"}],
            ),
            r"^groups.role_policy_statements: wildcard actions",
        ),
        (
            lambda: AuthGroupArgs(
                name="g", precedence=1, iam_role=True, role_policy_statements=[{"Action": "s3:GetObject"}]
            ),
            r"^groups.role_policy_statements: each statement must be a dict with Effect",
        ),
        (
            lambda: AuthGroupArgs(
                name="g",
                precedence=1,
                iam_role=True,
                role_policy_statements=[{"Effect": "Allow", "Action": "s3:GetObject"}],
            ),
            r"^groups.role_policy_statements: each statement must be a dict with Effect, Action and Resource",
        ),
    ],
)
def test_validation_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


# --- authorizers --------------------------------------------------------------------------------------------
def _function() -> aws.lambda_.Function:
    return aws.lambda_.Function(
        "authz-fn",
        role=f"arn:aws:iam::{harness.ACCOUNT}:role/authz",
        runtime=defaults.LAMBDA_RUNTIME,
        handler="app.handler",
        code=pulumi.AssetArchive({}),
    )


def test_jwt_authorizer(mocks):
    def program() -> None:
        auth = AuthComponent("auth", AuthArgs(clients=[AppClientArgs(name="web"), AppClientArgs(name="admin")]))
        auth.jwt_authorizer("jwt-all", "api123")
        auth.jwt_authorizer("jwt-web", "api123", clients=["web"])

    harness.run(program)
    every = mocks.one(AUTHORIZER, "auth-jwt-all")
    assert every.parent_name == "auth"
    assert every.inputs["apiId"] == "api123"
    assert every.inputs["name"] == "jwt-all"
    assert every.inputs["authorizerType"] == "JWT"
    assert every.inputs["identitySources"] == ["$request.header.Authorization"]
    assert every.inputs["jwtConfiguration"] == {
        "issuer": f"https://{PROVIDER}",
        "audiences": ["auth-client-web-id", "auth-client-admin-id"],
    }
    assert mocks.one(AUTHORIZER, "auth-jwt-web").inputs["jwtConfiguration"]["audiences"] == ["auth-client-web-id"]


@pytest.mark.parametrize(
    ("clients", "match"),
    [
        (["web", "mobile"], r"^clients: unknown client\(s\) mobile; known: web"),
        ([], r"^clients: must name at least"),
    ],
)
def test_jwt_authorizer_rejects_bad_clients(mocks, clients, match):
    def program() -> None:
        AuthComponent("auth", AuthArgs()).jwt_authorizer("jwt", "api123", clients=clients)

    with pytest.raises(ValueError, match=match):
        harness.run(program)


def test_lambda_authorizer_and_exact_permission(mocks):
    def program() -> None:
        auth = AuthComponent("auth", AuthArgs())
        auth.lambda_authorizer("authz", "api123", EXECUTION_ARN, _function(), cache_ttl_seconds=300)

    harness.run(program)
    authorizer = mocks.one(AUTHORIZER, "auth-authz")
    assert authorizer.parent_name == "auth"
    assert authorizer.inputs == {
        "apiId": "api123",
        "name": "authz",
        "authorizerType": "REQUEST",
        "authorizerUri": mocks.one("aws:lambda/function:Function").outputs["invokeArn"],
        "authorizerPayloadFormatVersion": "2.0",
        "enableSimpleResponses": True,
        "identitySources": ["$request.header.Authorization", "$context.routeKey"],  # cached per token and route
        "authorizerResultTtlInSeconds": 300,
    }
    permission = mocks.one(PERMISSION, "auth-authz-invoke")
    assert permission.parent_name == "auth"
    assert permission.inputs == {
        "action": "lambda:InvokeFunction",
        "function": "authz-fn",
        "principal": "apigateway.amazonaws.com",
        "sourceArn": f"{EXECUTION_ARN}/authorizers/auth-authz-id",
    }


def test_lambda_authorizer_default_ttl_and_caller_opts(mocks):
    def program() -> None:
        auth = AuthComponent("auth", AuthArgs())
        owner = pulumi.ComponentResource("test:index:Api", "api")
        auth.lambda_authorizer("authz", "api123", EXECUTION_ARN, _function(), opts=pulumi.ResourceOptions(parent=owner))

    harness.run(program)
    authorizer = mocks.one(AUTHORIZER, "auth-authz")
    assert authorizer.inputs["authorizerResultTtlInSeconds"] == defaults.LAMBDA_AUTHORIZER_CACHE_TTL_SECONDS
    assert authorizer.parent_name == "api"
    assert mocks.one(PERMISSION).parent_name == "api"


@pytest.mark.parametrize(
    "sources, match",
    [
        ((), "must name at least one"),
        ("$request.header.Authorization", "must name at least one"),  # a string, not a list of them
        (("request.header.Authorization",), r"is not \$request.header"),
        (("$request.body.token",), r"is not \$request.header"),
        (("$request.header.A", "$request.header.A"), "must be unique"),
    ],
)
def test_lambda_authorizer_rejects_identity_sources(mocks, sources, match):
    def program() -> None:
        auth = AuthComponent("auth", AuthArgs())
        auth.lambda_authorizer("authz", "api", EXECUTION_ARN, _function(), identity_sources=sources)

    with pytest.raises(ValueError, match=rf"^identity_sources: .*{match}"):
        harness.run(program)


def test_lambda_authorizer_accepts_every_kind_of_identity_source(mocks):
    sources = ["$request.header.X-Api-Key", "$request.querystring.tenant", "$context.routeKey", "$stageVariables.v"]

    def program() -> None:
        auth = AuthComponent("auth", AuthArgs())
        auth.lambda_authorizer("authz", "api", EXECUTION_ARN, _function(), identity_sources=sources)

    harness.run(program)
    assert mocks.one(AUTHORIZER, "auth-authz").inputs["identitySources"] == sources


@pytest.mark.parametrize("ttl", [-1, 3601])
def test_lambda_authorizer_rejects_ttl(mocks, ttl):
    def program() -> None:
        AuthComponent("auth", AuthArgs()).lambda_authorizer("authz", "api", EXECUTION_ARN, _function(), ttl)

    with pytest.raises(ValueError, match=r"^cache_ttl_seconds: must be an integer between 0 and 3600"):
        harness.run(program)


def test_authorizer_names_are_checked(mocks):
    def duplicate() -> None:
        auth = AuthComponent("auth", AuthArgs())
        auth.jwt_authorizer("jwt", "api123")
        auth.jwt_authorizer("jwt", "api456")

    with pytest.raises(ValueError, match=r"^name: an authorizer named 'jwt' already exists"):
        harness.run(duplicate)
    with pytest.raises(ValueError, match=r"^name: must be 1-64 letters"):
        harness.run(lambda: AuthComponent("auth2", AuthArgs()).jwt_authorizer("no spaces", "api123"))
