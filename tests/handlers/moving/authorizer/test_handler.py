"""The moving company's Lambda authorizer, driven like API Gateway drives it.

Tokens are real RS256 JWTs signed by a key made here (and, in one case, by moto's Cognito); the JWKS is served over
HTTP from 127.0.0.1, so the handler fetches and caches keys exactly as it does in the cloud. The group rules are the
declaration's, which the authorizer ships with.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from moto import mock_aws
from moto.utilities.utils import load_resource

from architectures.moving import CUSTOMERS, EMPLOYEES
from handlers.moving.authorizer import app
from handlers.shared import tokens
from tests.events import load
from tests.handlers.moving.authorizer.conftest import (
    CLIENT_ID,
    CUSTOMER_ROUTE,
    EMPLOYEE_ONLY,
    EMPLOYEE_ROUTE,
    ISSUER,
    KID,
    RULES,
    assert_401,
    b64url,
    call,
    claims_for,
    cold_start,
    configure,
    event_for,
    mint,
)
from tests.jwks import JwksServer, free_port

# --- the event -----------------------------------------------------------------------------------------------------


def test_the_canonical_event_is_a_payload_2_request_authorizer_event() -> None:
    event = load("apigw_http_authorizer_request.json")
    assert event["version"] == "2.0" and event["type"] == "REQUEST"
    assert event["routeKey"] == event["requestContext"]["routeKey"] == "POST /moves"
    assert event["routeArn"].endswith("/$default/POST/moves")
    assert event["identitySource"] == [event["headers"]["authorization"]]
    assert event["requestContext"]["http"]["method"] == "POST"


def test_the_rules_come_from_the_declaration() -> None:
    assert app.RULES == RULES, "the authorizer applies the declaration's group rules"
    assert RULES[CUSTOMER_ROUTE] == (CUSTOMERS,)
    assert RULES[EMPLOYEE_ROUTE] == (EMPLOYEES,)
    assert EMPLOYEE_ONLY  # there is something to keep customers out of


# --- allowed -------------------------------------------------------------------------------------------------------


def test_customer_on_a_customer_route(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([CUSTOMERS])
    assert call(CUSTOMER_ROUTE, mint(signing_key, claims)) == {
        "isAuthorized": True,
        "context": {"user_id": claims["sub"], "email": "ana@example.com", "groups": CUSTOMERS},
    }


def test_employee_on_an_employee_route(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([EMPLOYEES, "drivers"])
    response = call(EMPLOYEE_ROUTE, mint(signing_key, claims))
    assert response["isAuthorized"] is True
    assert response["context"] == {"user_id": claims["sub"], "email": "ana@example.com", "groups": "employees,drivers"}
    assert all(isinstance(v, str) for v in response["context"].values())


def test_a_route_for_anyone_admits_both_groups(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    for group in (CUSTOMERS, EMPLOYEES):
        assert call("GET /moves/{id}", mint(signing_key, claims_for([group])))["isAuthorized"] is True


def test_access_token_accepted_through_its_client_id(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([CUSTOMERS], token_use="access")
    assert "aud" not in claims and "email" not in claims
    response = call(CUSTOMER_ROUTE, mint(signing_key, claims))
    assert response == {"isAuthorized": True, "context": {"user_id": claims["sub"], "email": "", "groups": CUSTOMERS}}


def test_a_raw_token_without_bearer_is_accepted(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert call(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])), bearer=False)["isAuthorized"] is True


def test_bearer_scheme_is_case_insensitive(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    token = mint(signing_key, claims_for([CUSTOMERS]))
    event = event_for(CUSTOMER_ROUTE, f"bearer {token}")
    assert app.handler(event, None)["isAuthorized"] is True


def test_expiry_has_a_small_leeway(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    just_expired = claims_for([CUSTOMERS], exp=int(time.time()) - 5)
    assert call(CUSTOMER_ROUTE, mint(signing_key, just_expired))["isAuthorized"] is True


# --- 403: signed in, but not allowed -------------------------------------------------------------------------------


def test_customer_on_an_employee_route_is_forbidden(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert call(EMPLOYEE_ROUTE, mint(signing_key, claims_for([CUSTOMERS]))) == {"isAuthorized": False}


@pytest.mark.parametrize("route_key", EMPLOYEE_ONLY)
def test_customers_never_reach_employee_only_routes(
    route_key: str, env: JwksServer, signing_key: rsa.RSAPrivateKey
) -> None:
    for token_use in ("id", "access"):
        token = mint(signing_key, claims_for([CUSTOMERS], token_use=token_use))
        assert call(route_key, token) == {"isAuthorized": False}
    assert call(route_key, mint(signing_key, claims_for([EMPLOYEES])))["isAuthorized"] is True


def test_employee_on_a_customer_only_route_is_forbidden(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert call(CUSTOMER_ROUTE, mint(signing_key, claims_for([EMPLOYEES]))) == {"isAuthorized": False}


def test_no_groups_is_forbidden_on_grouped_routes(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([], **{"cognito:groups": None})
    assert call("GET /moves", mint(signing_key, claims)) == {"isAuthorized": False}


def test_unknown_route_is_forbidden(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    """Fail closed. A valid token on a route the rules do not list is a 403: the caller is known, the route is not
    theirs to call. Without a valid token it is still a 401, like every other route."""
    token = mint(signing_key, claims_for([CUSTOMERS, EMPLOYEES]))
    assert call("DELETE /moves/{id}", token) == {"isAuthorized": False}
    assert call("$default", token) == {"isAuthorized": False}
    assert_401("DELETE /moves/{id}", None)


# --- 401: no valid token -------------------------------------------------------------------------------------------


def test_missing_header(env: JwksServer) -> None:
    assert_401(CUSTOMER_ROUTE, None)
    assert env.requests == 0


@pytest.mark.parametrize(
    "authorization", ["", "Bearer", "Bearer ", "Basic YW5hOnNlY3JldA==", "Bearer a b", "Bearer not-a-jwt", "a.b.c"]
)
def test_malformed_header_or_token(authorization: str, env: JwksServer) -> None:
    with pytest.raises(Exception, match="^Unauthorized$"):
        app.handler(event_for(CUSTOMER_ROUTE, authorization), None)
    assert env.requests == 0  # refused before any key lookup


def test_expired(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], iat=now - 7200, exp=now - 3600)))


def test_wrong_issuer(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    other_pool = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Other"
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], iss=other_pool)))
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], iss=None)))


def test_wrong_audience_on_an_id_token(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], aud="another-client")))
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], aud=None)))


def test_wrong_client_on_an_access_token(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], "access", client_id="another-client")))
    # an access token does not pass by carrying an id token's aud instead of client_id
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], "access", client_id=None, aud=CLIENT_ID)))


@pytest.mark.parametrize("token_use", ["refresh", "", "ID", None])
def test_wrong_token_use(token_use: str | None, env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    claims = claims_for([CUSTOMERS], aud=CLIENT_ID, token_use=token_use)
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims))


def test_tampered_payload(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    header, _, signature = mint(signing_key, claims_for([CUSTOMERS])).split(".")
    forged = b64url(json.dumps(claims_for([EMPLOYEES])).encode())
    assert_401(EMPLOYEE_ROUTE, f"{header}.{forged}.{signature}")


def test_signed_by_another_key_with_our_kid(
    env: JwksServer, signing_key: rsa.RSAPrivateKey, other_key: rsa.RSAPrivateKey
) -> None:
    assert_401(CUSTOMER_ROUTE, mint(other_key, claims_for([CUSTOMERS])))


def test_signed_by_another_key_with_an_unknown_kid(env: JwksServer, other_key: rsa.RSAPrivateKey) -> None:
    assert_401(CUSTOMER_ROUTE, mint(other_key, claims_for([CUSTOMERS]), kid="someone-elses-key"))


def test_token_without_kid(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS]), kid=None))


def test_alg_none(env: JwksServer) -> None:
    header = b64url(json.dumps({"alg": "none", "typ": "JWT", "kid": KID}).encode())
    payload = b64url(json.dumps(claims_for([EMPLOYEES])).encode())
    assert_401(EMPLOYEE_ROUTE, f"{header}.{payload}.")
    assert env.requests == 0


def test_hs256_signed_with_a_secret(env: JwksServer) -> None:
    token = jwt.encode(claims_for([EMPLOYEES]), "s" * 32, algorithm="HS256", headers={"kid": KID})
    assert_401(EMPLOYEE_ROUTE, token)


def test_hs256_signed_with_the_public_key(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    """Algorithm confusion: the public key (which anyone can read from the JWKS) used as an HMAC secret."""
    pem = signing_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode())
    payload = b64url(json.dumps(claims_for([EMPLOYEES])).encode())
    signature = b64url(hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert_401(EMPLOYEE_ROUTE, f"{header}.{payload}.{signature}")


def test_issued_in_the_future(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    now = int(time.time())
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], iat=now + 3600, exp=now + 7200)))


def test_missing_required_claims(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    for claim in ("exp", "iat", "sub"):
        assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS], **{claim: None})))


# --- failures that are not the caller's: still 401, never a 500 ----------------------------------------------------


class Logs:
    """What the handler's structured logger writes, as text and as JSON records."""

    def __init__(self) -> None:
        self.stream = io.StringIO()

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text.splitlines() if line.strip()]


@pytest.fixture
def logs() -> Iterator[Logs]:
    captured = Logs()
    handler = app.logger.registered_handler
    previous = handler.setStream(captured.stream)
    yield captured
    handler.setStream(previous)


def assert_token_not_in(text: str, token: str) -> None:
    header, payload, signature = token.split(".")
    assert token not in text and payload not in text and signature not in text


def test_jwks_unreachable_is_a_logged_401(
    monkeypatch: pytest.MonkeyPatch, signing_key: rsa.RSAPrivateKey, logs: Logs
) -> None:
    configure(monkeypatch, f"http://127.0.0.1:{free_port()}/.well-known/jwks.json")
    token = mint(signing_key, claims_for([CUSTOMERS]))
    assert_401(CUSTOMER_ROUTE, token)
    [record] = logs.records
    assert record["level"] == "ERROR" and record["error"] == "KeysUnavailable"
    assert record["route_key"] == CUSTOMER_ROUTE
    assert_token_not_in(logs.text, token)


def test_jwks_server_stopping_later_keeps_cached_keys(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    assert call(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))["isAuthorized"] is True
    env.stop()
    assert call(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))["isAuthorized"] is True


def test_jwks_answering_garbage_is_a_401(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    env.jwks = ["not", "a", "key", "set"]  # type: ignore[assignment]
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))


@pytest.mark.parametrize(
    ("variable", "value"),
    [("JWKS_URL", None), ("TOKEN_ISSUER", None), ("USER_POOL_CLIENT_ID", "")],
)
def test_bad_settings_are_a_logged_401(
    variable: str,
    value: str | None,
    env: JwksServer,
    monkeypatch: pytest.MonkeyPatch,
    signing_key: rsa.RSAPrivateKey,
    logs: Logs,
) -> None:
    if value is None:
        monkeypatch.delenv(variable)
    else:
        monkeypatch.setenv(variable, value)
    cold_start()
    assert_401(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))
    [record] = logs.records
    assert record["level"] == "ERROR" and record["error"] == "SettingsError"
    assert variable in record["exception"]


def test_refusals_are_logged_without_the_token(env: JwksServer, signing_key: rsa.RSAPrivateKey, logs: Logs) -> None:
    expired = mint(signing_key, claims_for([CUSTOMERS], exp=int(time.time()) - 3600))
    assert_401(CUSTOMER_ROUTE, expired)
    customer = mint(signing_key, claims_for([CUSTOMERS]))
    assert call(EMPLOYEE_ROUTE, customer) == {"isAuthorized": False}
    refused, denied = logs.records
    assert refused["level"] == "INFO" and "ExpiredSignatureError" in refused["reason"]
    assert denied["level"] == "INFO" and denied["route_key"] == EMPLOYEE_ROUTE and denied["groups"] == [CUSTOMERS]
    for token in (expired, customer):
        assert_token_not_in(logs.text, token)


# --- key caching ---------------------------------------------------------------------------------------------------


def test_keys_are_fetched_once_and_reused(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    for route, group in [(CUSTOMER_ROUTE, CUSTOMERS), (EMPLOYEE_ROUTE, EMPLOYEES), ("GET /moves", CUSTOMERS)] * 3:
        assert call(route, mint(signing_key, claims_for([group])))["isAuthorized"] is True
    assert call(EMPLOYEE_ROUTE, mint(signing_key, claims_for([CUSTOMERS]))) == {"isAuthorized": False}
    assert env.requests == 1
    assert app.verifier() is app.verifier()


def test_settings_and_client_are_created_once(env: JwksServer, signing_key: rsa.RSAPrivateKey) -> None:
    call(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))
    client = tokens.jwks_client(env.url)
    call(CUSTOMER_ROUTE, mint(signing_key, claims_for([CUSTOMERS])))
    assert tokens.jwks_client(env.url) is client
    assert app.settings() is app.settings()


# --- a token issued by moto's Cognito: the local runtime's path -----------------------------------------------------


@pytest.fixture
def moto_jwks() -> Iterator[JwksServer]:
    server = JwksServer(load_resource("cognitoidp/resources/jwks-public.json"))
    yield server
    server.stop()


def test_token_issued_by_moto_cognito(monkeypatch: pytest.MonkeyPatch, moto_jwks: JwksServer) -> None:
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name="us-east-1")
        pool_id = idp.create_user_pool(PoolName="moving")["UserPool"]["Id"]
        client_id = idp.create_user_pool_client(
            UserPoolId=pool_id,
            ClientName="web",
            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"],
            ReadAttributes=["email"],
        )["UserPoolClient"]["ClientId"]
        idp.create_group(UserPoolId=pool_id, GroupName=CUSTOMERS)
        idp.admin_create_user(
            UserPoolId=pool_id,
            Username="ana",
            UserAttributes=[{"Name": "email", "Value": "ana@example.com"}],
            MessageAction="SUPPRESS",
        )
        idp.admin_set_user_password(UserPoolId=pool_id, Username="ana", Password="Correct-horse-1", Permanent=True)
        idp.admin_add_user_to_group(UserPoolId=pool_id, Username="ana", GroupName=CUSTOMERS)
        result = idp.initiate_auth(
            ClientId=client_id,
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": "ana", "PASSWORD": "Correct-horse-1"},
        )["AuthenticationResult"]
        sub = next(
            a["Value"]
            for a in idp.admin_get_user(UserPoolId=pool_id, Username="ana")["UserAttributes"]
            if a["Name"] == "sub"
        )

    id_token, access_token = result["IdToken"], result["AccessToken"]
    issuer = jwt.decode(id_token, options={"verify_signature": False})["iss"]
    assert issuer == f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"  # the AWS URL, not the JWKS host
    configure(monkeypatch, moto_jwks.url, issuer=issuer, client_id=client_id)

    response = call(CUSTOMER_ROUTE, id_token)
    assert response["isAuthorized"] is True
    assert response["context"]["user_id"] == sub
    assert response["context"]["groups"] == CUSTOMERS
    assert response["context"]["email"] == "ana@example.com"
    assert call(CUSTOMER_ROUTE, access_token)["context"]["user_id"] == sub
    assert call(EMPLOYEE_ROUTE, id_token) == {"isAuthorized": False}
    assert moto_jwks.requests == 1

    configure(monkeypatch, moto_jwks.url, issuer=ISSUER, client_id=client_id)  # a JWKS host is not an issuer
    assert_401(CUSTOMER_ROUTE, id_token)
    configure(monkeypatch, moto_jwks.url, issuer=issuer, client_id="another-client")
    assert_401(CUSTOMER_ROUTE, id_token)
