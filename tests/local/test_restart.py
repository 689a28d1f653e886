"""State survives a restart of the local runtime: the data, and sign-in with the same users (same ``sub``)."""

from __future__ import annotations

from dataclasses import replace

import httpx

from local.cognito import DEMO_PASSWORD, add_user, sign_in
from local.runtime import LocalRuntime, Options, free_base_port

EMAIL = "new.admin@retail.local"  # a user added after start, as a sign-up would be


def start(options: Options) -> LocalRuntime:
    runtime = LocalRuntime(options, say=lambda line: None)
    runtime.start()
    return runtime


def idp(runtime: LocalRuntime):
    return runtime._session().client("cognito-idp")


def add_admin(runtime: LocalRuntime) -> str:
    """Add ``EMAIL`` to the admins; return its ``sub``."""
    return add_user(idp(runtime), runtime.systems["retail"].auth.user_pool_id, EMAIL, DEMO_PASSWORD, "admins")


def emails(runtime: LocalRuntime) -> list[str]:
    users = idp(runtime).list_users(UserPoolId=runtime.systems["retail"].auth.user_pool_id)["Users"]
    return sorted(next(a["Value"] for a in u["Attributes"] if a["Name"] == "email") for u in users)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_users_data_and_tokens_survive_a_restart(tmp_path):
    options = Options(systems=("retail",), state_dir=tmp_path, base_port=free_base_port(("retail",)))
    first = start(options)
    try:
        retail = first.systems["retail"]
        sub = add_admin(first)
        token = sign_in(first._session(), retail.auth, EMAIL, DEMO_PASSWORD)["IdToken"]
        created = httpx.post(f"{retail.api_url}/clients", json={"document_id": "77665544", "name": "Ana"},
                             headers=bearer(token))  # fmt: skip
        assert created.status_code == 201, created.text
        pool_id = retail.auth.user_pool_id
    finally:
        first.stop()

    second = start(options)
    try:
        retail = second.systems["retail"]
        assert retail.auth.user_pool_id == pool_id, "the pool id is derived from its definition"
        again = sign_in(second._session(), retail.auth, EMAIL, DEMO_PASSWORD)["IdToken"]
        listed = httpx.get(f"{retail.api_url}/clients", headers=bearer(again))
        assert listed.status_code == 200 and "77665544" in listed.text, "the data and the user's groups are back"
        user = idp(second).admin_get_user(UserPoolId=pool_id, Username=EMAIL)
        assert {a["Name"]: a["Value"] for a in user["UserAttributes"]}["sub"] == sub
        assert httpx.get(f"{retail.api_url}/clients", headers=bearer(token)).status_code == 200, (
            "a token issued before the restart still verifies"
        )
        assert emails(second) == sorted([EMAIL, *(u.email for u in retail.users)]), "no user lost or duplicated"
    finally:
        second.stop()


def test_reset_starts_from_the_demo_users_only(tmp_path):
    options = Options(systems=("retail",), state_dir=tmp_path, base_port=free_base_port(("retail",)))
    first = start(options)
    try:
        add_admin(first)
    finally:
        first.stop()
    second = start(replace(options, reset=True))
    try:
        assert emails(second) == sorted(u.email for u in second.systems["retail"].users)
    finally:
        second.stop()
