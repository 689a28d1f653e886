"""Local Cognito keeps the cloud's sign-up rule: a staff pool (retail) takes no self sign-up, a customers' pool does."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from architectures import SYSTEMS
from local.cognito import provision_auth

REGION = "us-east-1"


@pytest.fixture
def session(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                       "AWS_DEFAULT_REGION": REGION}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)  # moto in this process, not a local runtime
    with mock_aws():
        yield boto3.Session(region_name=REGION)


def sign_up(session, client_id: str) -> None:
    session.client("cognito-idp").sign_up(ClientId=client_id, Username="outsider@example.com",
                                          Password="Outsider-Passw0rd!", UserAttributes=[])  # fmt: skip


def test_an_outsider_cannot_sign_up_to_the_stores_staff_pool(session):
    auth, _ = provision_auth(SYSTEMS["retail"], session, "http://127.0.0.1:1", REGION)
    with pytest.raises(ClientError, match="SignUp is not permitted for this user pool") as refused:
        sign_up(session, auth.client_id)
    assert refused.value.response["Error"]["Code"] == "NotAuthorizedException"


@pytest.mark.parametrize("name", ["shop", "moving"])
def test_customers_sign_up_to_their_own_pools(session, name):
    auth, _ = provision_auth(SYSTEMS[name], session, "http://127.0.0.1:1", REGION)
    sign_up(session, auth.client_id)
    users = session.client("cognito-idp").list_users(UserPoolId=auth.user_pool_id)["Users"]
    assert "outsider@example.com" in {a["Value"] for u in users for a in u["Attributes"] if a["Name"] == "email"}
