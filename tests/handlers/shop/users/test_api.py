"""The users routes with canonical API Gateway events, against moto's Cognito and the profile store on SQLite and
MariaDB. Sign-in, refresh and sign-out use the real tokens moto issues.

Where moto differs from Cognito (noted in the tests): ``confirm_sign_up`` accepts any code, so the wrong-code case
stubs Cognito's answer; ``admin_user_global_sign_out`` revokes nothing in moto, while ``global_sign_out`` (which the
service uses when the caller sent an access token) revokes the refresh and access tokens as Cognito does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.stub import Stubber

from handlers.shared.sessions import SIGNED_OUT
from handlers.shop.users import logic
from handlers.shop.users import store as profile_store
from handlers.shop.users.identity import CognitoIdentity
from handlers.shop.users.usecases import UserUseCases
from tests.events import said
from tests.handlers.shop.users.conftest import (
    PASSWORD,
    Pool,
    StoredProfiles,
    build_app,
    call,
    log_in,
    settings,
    sign_up,
)


def groups_of(pool: Pool, email: str) -> list[str]:
    return [
        g["GroupName"] for g in pool.idp.admin_list_groups_for_user(UserPoolId=pool.pool_id, Username=email)["Groups"]
    ]


# --- sign-up and confirmation ------------------------------------------------------------------------------------


def test_sign_up_with_auto_confirm_makes_a_customer_and_a_profile(app: Any, pool: Pool, store: StoredProfiles) -> None:
    body = sign_up(app, email="Ana@Example.com", name="Ana Pérez")
    assert body == {"id": body["id"], "email": "ana@example.com", "name": "Ana Pérez", "confirmed": True}
    user = pool.idp.admin_get_user(UserPoolId=pool.pool_id, Username="ana@example.com")
    assert user["UserStatus"] == "CONFIRMED"
    assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == body["id"]
    assert groups_of(pool, "ana@example.com") == ["customers"]
    profile = store.get(body["id"])
    assert profile is not None and (profile.email, profile.name) == ("ana@example.com", "Ana Pérez")


def test_sign_up_then_confirm_with_the_code(pool: Pool, store: StoredProfiles, identity: CognitoIdentity) -> None:
    app = build_app(settings(pool, auto_confirm=False), store, identity)
    assert sign_up(app)["confirmed"] is False
    assert groups_of(pool, "ana@example.com") == []
    status, body = call(app, "POST /users/login", {"email": "ana@example.com", "password": PASSWORD})
    assert (status, body["message"]) == (401, logic.SIGN_IN_FAILED)
    status, body = call(app, "POST /users/confirm", {"email": "ana@example.com", "code": "123456"})
    assert (status, body) == (200, {"email": "ana@example.com", "confirmed": True})
    assert groups_of(pool, "ana@example.com") == ["customers"]
    log_in(app)


def test_a_weak_password_is_a_400_naming_the_rule_and_creates_nothing(app: Any, pool: Pool) -> None:
    status, body = call(
        app, "POST /users/signup", {"email": "ana@example.com", "password": "alllowercase-1", "name": "A"}
    )
    assert status == 400
    assert body["message"] == "the password needs an uppercase letter"
    assert pool.idp.list_users(UserPoolId=pool.pool_id)["Users"] == []


def test_cognitos_own_password_refusal_is_a_400(
    pool: Pool, store: StoredProfiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pool stricter than the rules checked here (say, after a policy change): Cognito's refusal is still a 400.
    strict = pool.idp.create_user_pool(PoolName="strict", Policies={"PasswordPolicy": {"MinimumLength": 30}},
                                       UsernameAttributes=["email"])["UserPool"]["Id"]  # fmt: skip
    client = pool.idp.create_user_pool_client(UserPoolId=strict, ClientName="web")["UserPoolClient"]["ClientId"]
    app = build_app(settings(Pool(pool.idp, strict, client)), store, CognitoIdentity(strict, client))
    status, body = call(app, "POST /users/signup", {"email": "ana@example.com", "password": PASSWORD, "name": "A"})
    assert (status, body["message"]) == (400, "the password does not meet the pool's password policy")


def test_an_existing_email_is_a_409(app: Any) -> None:
    sign_up(app)
    status, body = call(app, "POST /users/signup", {"email": "ANA@example.com", "password": PASSWORD, "name": "Other"})
    assert (status, body["message"]) == (409, "an account with this email already exists")


def test_a_wrong_confirmation_code_is_a_400(pool: Pool, store: StoredProfiles) -> None:
    # moto confirms with any code; Cognito answers CodeMismatchException, stubbed here.
    import boto3

    idp = boto3.client("cognito-idp")
    app = build_app(settings(pool), store, CognitoIdentity(pool.pool_id, pool.client_id, idp))
    with Stubber(idp) as stub:
        stub.add_client_error("confirm_sign_up", service_error_code="CodeMismatchException", http_status_code=400)
        stub.add_client_error("confirm_sign_up", service_error_code="ExpiredCodeException", http_status_code=400)
        for _ in range(2):
            status, body = call(app, "POST /users/confirm", {"email": "ana@example.com", "code": "000000"})
            assert (status, body["message"]) == (400, logic.WRONG_CODE)


def test_a_throttled_cognito_is_a_503(pool: Pool, store: StoredProfiles) -> None:
    import boto3

    idp = boto3.client("cognito-idp")
    app = build_app(settings(pool), store, CognitoIdentity(pool.pool_id, pool.client_id, idp))
    with Stubber(idp) as stub:
        stub.add_client_error("initiate_auth", service_error_code="TooManyRequestsException", http_status_code=400)
        status, _ = call(app, "POST /users/login", {"email": "ana@example.com", "password": PASSWORD})
    assert status == 503


@pytest.mark.parametrize("code", ["InvalidParameterException", "UserLambdaValidationException"])
def test_a_value_cognito_refuses_is_a_400_with_its_words(pool: Pool, store: StoredProfiles, code: str) -> None:
    import boto3

    idp = boto3.client("cognito-idp")
    app = build_app(settings(pool), store, CognitoIdentity(pool.pool_id, pool.client_id, idp))
    with Stubber(idp) as stub:
        stub.add_client_error("sign_up", service_error_code=code, service_message="Invalid email\naddress format.",
                              http_status_code=400)  # fmt: skip
        status, body = call(app, "POST /users/signup", {"email": "o'neil@example.com", "password": PASSWORD,
                                                        "name": "O"})  # fmt: skip
    assert status == 400
    assert body["message"] == "the identity provider refused the request: Invalid email address format."


@pytest.mark.parametrize("body", [{"email": "not-an-email", "password": PASSWORD, "name": "A"},
                                  {"email": "a@example.com", "password": PASSWORD}])  # fmt: skip
def test_bad_sign_up_bodies_are_422(app: Any, body: dict[str, Any]) -> None:
    assert call(app, "POST /users/signup", body)[0] == 422


# --- sign-in, refresh, sign-out ----------------------------------------------------------------------------------


def test_login_returns_real_tokens(app: Any) -> None:
    user = sign_up(app)
    tokens = log_in(app, email="ANA@example.com")
    assert set(tokens) == {"id_token", "access_token", "refresh_token", "expires_in"}
    assert tokens["expires_in"] > 0
    status, me = call(app, "GET /users/me", token=tokens["access_token"])
    assert (status, me["id"], me["email"], me["name"]) == (200, user["id"], "ana@example.com", "Ana")


def test_wrong_password_unknown_user_and_unconfirmed_user_get_the_same_401(
    pool: Pool, store: StoredProfiles, identity: CognitoIdentity
) -> None:
    app = build_app(settings(pool), store, identity)
    sign_up(app)
    unconfirmed = build_app(settings(pool, auto_confirm=False), store, identity)
    sign_up(unconfirmed, email="bob@example.com")
    answers = [
        call(app, "POST /users/login", {"email": "ana@example.com", "password": PASSWORD + "x"}),
        call(app, "POST /users/login", {"email": "nobody@example.com", "password": PASSWORD}),
        call(app, "POST /users/login", {"email": "bob@example.com", "password": PASSWORD}),
    ]
    assert [said(answer) for answer in answers] == [(401, logic.SIGN_IN_FAILED)] * 3


def test_refresh_gives_new_tokens(app: Any) -> None:
    sign_up(app)
    tokens = log_in(app)
    status, body = call(app, "POST /users/refresh", {"refresh_token": tokens["refresh_token"]})
    assert status == 200
    assert set(body) == {"id_token", "access_token", "expires_in"}
    assert call(app, "GET /users/me", token=body["access_token"])[0] == 200


def test_an_invalid_refresh_token_is_a_401(app: Any) -> None:
    status, body = call(app, "POST /users/refresh", {"refresh_token": "not-a-token"})
    assert status == 401 and "sign in again" in body["message"]


def test_logout_revokes_refresh_and_access_tokens(app: Any, store: StoredProfiles) -> None:
    user = sign_up(app)
    tokens = log_in(app)
    assert call(app, "GET /users/me", token=tokens["access_token"])[0] == 200
    assert call(app, "POST /users/logout", token=tokens["access_token"]) == (204, None)
    assert call(app, "POST /users/refresh", {"refresh_token": tokens["refresh_token"]})[0] == 401
    assert said(call(app, "GET /users/me", token=tokens["access_token"])) == (401, SIGNED_OUT)
    assert call(app, "PUT /users/me", {"name": "Mallory"}, token=tokens["access_token"])[0] == 401
    assert call(app, "POST /users/logout", token=tokens["access_token"])[0] == 401
    # The id token of the revoked session is refused too (Cognito cannot be asked about it: iat vs the sign-out).
    assert call(app, "GET /users/me", token=tokens["id_token"])[0] == 401
    profile = store.get(user["id"])
    assert profile is not None and profile.name == "Ana", "the profile stays"


def test_logout_with_an_id_token_revokes_it(app: Any, pool: Pool) -> None:
    sign_up(app)
    tokens = log_in(app)
    assert call(app, "GET /users/me", token=tokens["id_token"])[0] == 200
    assert call(app, "POST /users/logout", token=tokens["id_token"]) == (204, None)
    assert call(app, "GET /users/me", token=tokens["id_token"])[0] == 401
    # In Cognito AdminUserGlobalSignOut also revokes the refresh and access tokens; moto's does not.


def test_authenticated_routes_need_a_caller(app: Any) -> None:
    assert call(app, "GET /users/me")[0] == 401
    assert call(app, "POST /users/logout")[0] == 401


def test_a_forged_access_token_is_refused_by_cognito(app: Any) -> None:
    import jwt

    sign_up(app)
    real = jwt.decode(log_in(app)["access_token"], options={"verify_signature": False})
    forged = jwt.encode(real, "not-the-signing-key-" * 3, algorithm="HS256")  # a gateway would refuse it already
    assert call(app, "GET /users/me", token=forged)[0] == 401


# --- profiles ----------------------------------------------------------------------------------------------------


def test_me_is_created_lazily_from_cognito(app: Any, pool: Pool, store: StoredProfiles) -> None:
    pool.idp.admin_create_user(UserPoolId=pool.pool_id, Username="eve@example.com", MessageAction="SUPPRESS",
                               UserAttributes=[{"Name": "email", "Value": "eve@example.com"},
                                               {"Name": "name", "Value": "Eve"}])  # fmt: skip
    pool.idp.admin_set_user_password(UserPoolId=pool.pool_id, Username="eve@example.com", Password=PASSWORD,
                                     Permanent=True)  # fmt: skip
    tokens = log_in(app, email="eve@example.com")
    status, me = call(app, "GET /users/me", token=tokens["access_token"])
    assert status == 200
    assert (me["email"], me["name"], me["phone"], me["address"]) == ("eve@example.com", "Eve", None, None)
    assert store.get(me["id"]) is not None


def test_put_me_changes_only_what_is_sent(app: Any) -> None:
    sign_up(app)
    token = log_in(app)["access_token"]
    status, me = call(app, "PUT /users/me", {"phone": "+51 999 111 222", "address": "Av. Arequipa 100"}, token=token)
    assert status == 200
    assert (me["name"], me["phone"], me["address"]) == ("Ana", "+51 999 111 222", "Av. Arequipa 100")
    status, me = call(app, "PUT /users/me", {"name": "Ana María", "address": None}, token=token)
    assert (status, me["name"], me["phone"], me["address"]) == (200, "Ana María", "+51 999 111 222", None)
    assert call(app, "GET /users/me", token=token)[1] == me


def test_put_me_validates(app: Any) -> None:
    sign_up(app)
    token = log_in(app)["access_token"]
    status, body = call(app, "PUT /users/me", {"phone": "call me maybe"}, token=token)
    assert status == 422 and body["errors"][0]["field"] == "phone"
    assert call(app, "PUT /users/me", "not json", token=token)[0] == 400


def test_a_profile_made_first_by_a_racing_request_is_the_one_answered(
    store: StoredProfiles, identity: CognitoIdentity, monkeypatch: pytest.MonkeyPatch
) -> None:
    who = logic.Identity(user_id="u-ana", username="u-ana", email="ana@example.com", name="Ana")
    winner = UserUseCases(store.db, identity, clock=lambda: datetime(2026, 3, 10, tzinfo=UTC)).profile(
        logic.Session(who, "id")
    )
    stale_reads = [None]  # the first read comes before the winner's insert is visible
    read = profile_store.get

    def racing_read(tx: Any, user_id: str, **options: Any) -> Any:
        return stale_reads.pop() if stale_reads else read(tx, user_id, **options)

    monkeypatch.setattr(profile_store, "get", racing_read)
    later = UserUseCases(store.db, identity, clock=lambda: datetime(2026, 3, 11, tzinfo=UTC))
    assert later.profile(logic.Session(who, "id")) == winner, "the second insert is refused and the winner is read"
