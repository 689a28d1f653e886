"""The EKS token: a presigned STS GetCallerIdentity URL that binds the cluster name, base64url without padding."""

from __future__ import annotations

import base64
import datetime
import urllib.parse

import botocore.auth
import pytest
from botocore.credentials import Credentials

from aws_systems.kube_apply import eks_token


def decode(token: str) -> urllib.parse.SplitResult:
    assert token.startswith("k8s-aws-v1.")
    body = token.removeprefix("k8s-aws-v1.")
    assert "=" not in body and "+" not in body and "/" not in body  # base64url, padding stripped
    return urllib.parse.urlsplit(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode())


def test_token_is_a_presigned_get_caller_identity_url_signed_with_the_cluster_header() -> None:
    url = decode(eks_token.token("shop-dev", "eu-west-1", Credentials("AKIDEXAMPLE", "secret", "session-token")))
    query = dict(urllib.parse.parse_qsl(url.query))
    assert (url.scheme, url.netloc, url.path) == ("https", "sts.eu-west-1.amazonaws.com", "/")
    assert query["Action"] == "GetCallerIdentity" and query["Version"] == "2011-06-15"
    assert query["X-Amz-Algorithm"] == "AWS4-HMAC-SHA256"
    assert query["X-Amz-SignedHeaders"].split(";") == ["host", "x-k8s-aws-id"]
    assert (
        query["X-Amz-Credential"].startswith("AKIDEXAMPLE/")
        and "/eu-west-1/sts/aws4_request" in query["X-Amz-Credential"]
    )
    assert query["X-Amz-Expires"] == "60"
    assert query["X-Amz-Security-Token"] == "session-token"
    assert len(query["X-Amz-Signature"]) == 64


def test_the_signature_binds_the_cluster_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """A token for one cluster is no good on another: the name is inside the signature."""
    moment = datetime.datetime(2026, 1, 2, 3, 4, 5)
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda: moment)
    credentials = Credentials("AKIDEXAMPLE", "secret")

    def signature(cluster: str) -> str:
        query = dict(urllib.parse.parse_qsl(decode(eks_token.token(cluster, "us-east-1", credentials)).query))
        assert query["X-Amz-Date"] == "20260102T030405Z"
        return query["X-Amz-Signature"]

    assert signature("shop-dev") == signature("shop-dev")
    assert signature("shop-dev") != signature("shop-prod")
