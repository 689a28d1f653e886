"""Adding staff to a pool that takes no self sign-up, with ``python -m tools.staff`` (Cognito in moto)."""

from __future__ import annotations

import json

import boto3
import pytest
from moto import mock_aws

from tools import staff

REGION = "us-east-1"


@pytest.fixture
def outputs(tmp_path, monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": REGION}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # moto in this process, not a local runtime
    with mock_aws():
        idp = boto3.client("cognito-idp", region_name=REGION)
        staff_only = {"AllowAdminCreateUserOnly": True}
        pool = idp.create_user_pool(PoolName="retail", UsernameAttributes=["email"],
                                    AdminCreateUserConfig=staff_only)["UserPool"]["Id"]  # fmt: skip
        flows = ["ALLOW_USER_PASSWORD_AUTH"]
        client = idp.create_user_pool_client(UserPoolId=pool, ClientName="web", ExplicitAuthFlows=flows)
        client_id = client["UserPoolClient"]["ClientId"]
        for group in ("admins", "sellers", "warehouse"):
            idp.create_group(UserPoolId=pool, GroupName=group)
        path = tmp_path / "outputs.json"
        retail = {"api_url": "https://api", "user_pool_id": pool, "web_client_id": client_id, "issuer": "i",
                  "jwks_url": "j"}  # fmt: skip
        path.write_text(json.dumps({"retail": retail}))
        yield idp, pool, client_id, path


def test_an_admin_adds_a_seller_who_can_then_sign_in(outputs, capsys):
    idp, pool, client_id, path = outputs
    assert staff.main(["--outputs", str(path), "retail", "ana@store.pe", "sellers"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("added ana@store.pe to retail's sellers; password (shown once): ")
    password = printed.rsplit(": ", 1)[1].strip()
    groups = idp.admin_list_groups_for_user(UserPoolId=pool, Username="ana@store.pe")["Groups"]
    assert [g["GroupName"] for g in groups] == ["sellers"]
    signed = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "ana@store.pe", "PASSWORD": password})  # fmt: skip
    assert "IdToken" in signed["AuthenticationResult"]


@pytest.mark.parametrize(("argv", "says"), [
    (["retail", "ana@store.pe", "cashiers"], "group 'cashiers' is not one of retail's groups: admins, sellers"),
    (["shop", "ana@store.pe", "agents"], "system 'shop' is not in this target; it has: retail"),
])  # fmt: skip
def test_what_the_system_does_not_have_is_refused_in_one_line(outputs, capsys, argv, says):
    assert staff.main(["--outputs", str(outputs[3]), *argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("refused: ") and says in err and err.count("\n") == 1


def test_cognitos_own_refusal_is_one_line(outputs, capsys):
    path = str(outputs[3])
    assert staff.main(["--outputs", path, "retail", "ana@store.pe", "sellers"]) == 0
    assert staff.main(["--outputs", path, "retail", "ana@store.pe", "sellers"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("failed: ") and "UsernameExists" in err and err.count("\n") == 1
