"""The bearer token EKS accepts from an IAM principal, built here without calling STS.

It is what ``aws eks get-token`` prints: a presigned STS ``GetCallerIdentity`` URL, signed with SigV4 in the query
string with the ``x-k8s-aws-id`` header (the cluster name) among the signed headers, base64url-encoded without
padding and prefixed ``k8s-aws-v1.``. The API server calls STS with it to learn who is asking; this function only
signs, so it needs no route to STS.
"""

from __future__ import annotations

import base64

from botocore.auth import SigV4QueryAuth
from botocore.awsrequest import AWSRequest

PREFIX = "k8s-aws-v1."
CLUSTER_HEADER = "x-k8s-aws-id"
PRESIGN_SECONDS = 60  # as aws-cli; EKS accepts the token for 15 minutes after it was signed


def token(cluster_name: str, region: str, credentials: object) -> str:
    """A token for ``cluster_name`` signed with ``credentials`` (botocore credentials, frozen or not)."""
    request = AWSRequest(
        method="GET",
        url=f"https://sts.{region}.amazonaws.com/?Action=GetCallerIdentity&Version=2011-06-15",
        headers={CLUSTER_HEADER: cluster_name},
    )
    SigV4QueryAuth(credentials, "sts", region, expires=PRESIGN_SECONDS).add_auth(request)
    return PREFIX + base64.urlsafe_b64encode(request.url.encode()).decode().rstrip("=")
