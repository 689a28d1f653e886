"""Strict, recording Pulumi mocks shared by every infrastructure test.

Every resource registered is recorded with its type, name, inputs (camelCase, as the engine sees them) and parent
URN. The data sources the library uses are answered here; any other call raises, so a new data source cannot slip
through a test unnoticed.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.runtime.mocks import MockCallArgs, MockMonitor, MockResourceArgs

ACCOUNT = "123456789012"
REGION = "us-east-1"

KUBECONFIG = {
    "apiVersion": "v1",
    "kind": "Config",
    "clusters": [{"name": "mock", "cluster": {"server": "https://mock.eks.local", "certificate-authority-data": ""}}],
    "contexts": [{"name": "mock", "context": {"cluster": "mock", "user": "mock"}}],
    "current-context": "mock",
    "users": [{"name": "mock", "user": {"token": "mock"}}],
}


@dataclass
class Recorded:
    """One resource as the engine received it."""

    type: str
    name: str
    inputs: dict[str, Any]
    parent: str
    outputs: dict[str, Any]
    id: str = ""
    urn: str = ""
    dependencies: tuple[str, ...] = ()
    """URNs of the resources it depends on (explicitly, or through the outputs it takes)."""

    @property
    def parent_name(self) -> str:
        """The logical name of the parent resource (the last segment of its URN)."""
        return self.parent.rsplit("::", 1)[-1] if self.parent else ""


def _arn(service: str, resource: str) -> str:
    return f"arn:aws:{service}:{REGION}:{ACCOUNT}:{resource}"


def _policy_document(args: dict[str, Any]) -> dict[str, Any]:
    """Render aws.iam.get_policy_document arguments the way the provider does (enough for assertions)."""
    statements = []
    for st in args.get("statements", []):
        out: dict[str, Any] = {"Effect": st.get("effect", "Allow")}
        if st.get("actions"):
            out["Action"] = st["actions"]
        if st.get("resources"):
            out["Resource"] = st["resources"]
        for p in st.get("principals", []):
            out.setdefault("Principal", {})[p["type"]] = p["identifiers"]
        for c in st.get("conditions", []):
            out.setdefault("Condition", {}).setdefault(c["test"], {})[c["variable"]] = c["values"]
        statements.append(out)
    return {"json": json.dumps({"Version": "2012-10-17", "Statement": statements})}


# Answers for the data sources the library is allowed to call.
CALLS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "aws:index/getCallerIdentity:getCallerIdentity": lambda a: {
        "accountId": ACCOUNT,
        "arn": f"arn:aws:iam::{ACCOUNT}:user/mock",
        "userId": "mock",
    },
    "aws:index/getRegion:getRegion": lambda a: {"name": REGION, "region": REGION, "id": REGION},
    "aws:index/getPartition:getPartition": lambda a: {"partition": "aws", "dnsSuffix": "amazonaws.com"},
    "aws:index/getAvailabilityZones:getAvailabilityZones": lambda a: {
        "names": [f"{REGION}a", f"{REGION}b", f"{REGION}c"],
        "zoneIds": ["use1-az1", "use1-az2", "use1-az4"],
    },
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:ecr/getAuthorizationToken:getAuthorizationToken": lambda a: {
        "userName": "AWS",
        "password": "mock-token",
        "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com",
    },
}


def _outputs(typ: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Plausible provider outputs: the inputs plus the computed attributes the library reads."""
    service = typ.split(":")[1].split("/")[0] if ":" in typ else "mock"
    out: dict[str, Any] = {"arn": _arn(service, name), "name": inputs.get("name", name), **inputs}
    extra: dict[str, dict[str, Any]] = {
        "aws:cognito/userPool:UserPool": {"endpoint": f"cognito-idp.{REGION}.amazonaws.com/{REGION}_{name}"},
        "aws:apigatewayv2/api:Api": {
            "apiEndpoint": f"https://{name}.execute-api.{REGION}.amazonaws.com",
            "executionArn": _arn("execute-api", name),
        },
        "aws:apigatewayv2/stage:Stage": {"invokeUrl": f"https://{name}.execute-api.{REGION}.amazonaws.com/"},
        "aws:lambda/function:Function": {
            "invokeArn": f"arn:aws:apigateway:{REGION}:lambda:path/functions/{_arn('lambda', name)}/invocations",
            "qualifiedArn": _arn("lambda", name) + ":$LATEST",
        },
        "aws:sqs/queue:Queue": {"url": f"https://sqs.{REGION}.amazonaws.com/{ACCOUNT}/{name}"},
        "aws:cloudfront/distribution:Distribution": {
            "domainName": f"{name}.cloudfront.net",
            "hostedZoneId": "Z2FD",
        },
        "aws:rds/instance:Instance": {
            "address": f"{name}.rds.local",
            "endpoint": f"{name}.rds.local:3306",
            "port": 3306,
            "masterUserSecrets": [{"secretArn": _arn("secretsmanager", f"secret:{name}-master")}],
        },
        "aws:rds/proxy:Proxy": {"endpoint": f"{name}.proxy.rds.local"},
        "aws:ec2/vpcEndpoint:VpcEndpoint": {"prefixListId": f"pl-{name}"},
        "aws:s3/bucket:Bucket": {
            "bucket": inputs.get("bucket", name),
            "bucketDomainName": f"{name}.s3.amazonaws.com",
            "bucketRegionalDomainName": f"{name}.s3.local",
        },
        "aws:acm/certificate:Certificate": {
            "domainValidationOptions": [
                {
                    "domainName": inputs.get("domainName", name),
                    "resourceRecordName": f"_acm.{inputs.get('domainName', name)}.",
                    "resourceRecordType": "CNAME",
                    "resourceRecordValue": f"_acm.{name}.acm-validations.aws.",
                }
            ]
        },
        "aws:ecr/repository:Repository": {"repositoryUrl": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}"},
        "eks:index:Cluster": {
            "kubeconfig": KUBECONFIG,
            "kubeconfigJson": json.dumps(KUBECONFIG),
            "oidcProviderArn": f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.{REGION}.amazonaws.com/id/{name}",
            "oidcProviderUrl": f"https://oidc.eks.{REGION}.amazonaws.com/id/{name}",
            "oidcIssuer": f"oidc.eks.{REGION}.amazonaws.com/id/{name}",
            "nodeSecurityGroupId": f"sg-{name}-nodes",
            "clusterSecurityGroupId": f"sg-{name}-cluster",
            "defaultNodeGroupAsgName": f"{name}-asg",
        },
        "docker-build:index:Image": {
            "digest": "sha256:" + "0" * 64,
            "ref": f"{(inputs.get('tags') or [name])[0] if typ == 'docker-build:index:Image' else name}"
            f"@sha256:{'0' * 64}",
        },
    }
    out.update(extra.get(typ, {}))
    return out


class RecordingMocks(pulumi.runtime.Mocks):
    """Mocks that record every resource and refuse calls they do not know."""

    def __init__(self) -> None:
        self.resources: list[Recorded] = []
        self.calls: list[str] = []
        self._registrations: dict[tuple[str, str], tuple[str, str, tuple[str, ...]]] = {}

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        outputs = _outputs(args.typ, args.name, args.inputs)
        parent, urn, dependencies = self._registrations.pop((args.typ, args.name), ("", "", ()))
        resource_id = f"{args.name}-id"
        recorded = Recorded(args.typ, args.name, dict(args.inputs), parent, outputs, resource_id, urn, dependencies)
        self.resources.append(recorded)
        return resource_id, outputs

    def call(self, args: MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        self.calls.append(args.token)
        answer = CALLS.get(args.token)
        if answer is None:
            raise NotImplementedError(f"unexpected data source in a test: {args.token}")
        return answer(args.args), []

    # --- queries used by the tests ---------------------------------------------------------------------------
    def of_type(self, typ: str) -> list[Recorded]:
        return [r for r in self.resources if r.type == typ]

    def one(self, typ: str, name: str | None = None) -> Recorded:
        found = [r for r in self.of_type(typ) if name is None or r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one {typ} {name or ''}, found {[r.name for r in found]}")
        return found[0]

    def named(self, name: str) -> Recorded:
        found = [r for r in self.resources if r.name == name]
        if len(found) != 1:
            raise AssertionError(f"expected one resource named {name}, found {len(found)}")
        return found[0]


class RecordingMonitor(MockMonitor):
    """A mock monitor that tells the mocks each resource's parent, URN and dependencies (MockResourceArgs carries
    none of them)."""

    mocks: RecordingMocks

    def RegisterResource(self, request):  # noqa: N802 (gRPC method name)
        if request.type != "pulumi:pulumi:Stack":
            urn = self.make_urn(request.parent, request.type, request.name)
            self.mocks._registrations[(request.type, request.name)] = (
                request.parent,
                urn,
                tuple(request.dependencies),
            )
        return super().RegisterResource(request)


def install(project: str = "aws-systems", stack: str = "dev", preview: bool = False) -> RecordingMocks:
    """Install fresh recording mocks for one test and return them."""
    # The SDK runs on the thread's current event loop; a test that used asyncio.run() leaves the thread without one.
    try:
        asyncio.get_event_loop()
    except RuntimeError:
        asyncio.set_event_loop(asyncio.new_event_loop())
    mocks = RecordingMocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=preview, monitor=RecordingMonitor(mocks))
    return mocks


def run(fn: Callable[[], Any]) -> None:
    """Run ``fn`` under the mocks and wait until every resource it registered has resolved."""
    pulumi.runtime.test(fn)()


# --- helpers shared by the component tests ---------------------------------------------------------------------
def resolved(output: pulumi.Output[Any]) -> Any:
    """The value of an output created inside a previous run (already resolved, so this is immediate)."""
    box: list[Any] = []
    run(lambda: output.apply(box.append))
    return box[0]


def snake_keys(value: Any) -> list[str]:
    """Nested keys the SDK did not translate to camelCase: a sign of a misspelt argument name."""
    if isinstance(value, dict):
        bad = [k for k in value if re.search(r"_[a-z]", k)]
        return bad + [k for v in value.values() for k in snake_keys(v)]
    if isinstance(value, list):
        return [k for v in value for k in snake_keys(v)]
    return []


def child_names(mocks: RecordingMocks, component_type: str, name: str, ignore: tuple[str, ...] = ()) -> list[str]:
    """The sorted names of every other resource recorded, after checking each is parented to the component
    ``name`` (resources of the types in ``ignore``, such as providers a test made, are left out)."""
    component = mocks.one(component_type, name)
    children = [r for r in mocks.resources if r is not component and r.type not in ignore]
    strays = [r.name for r in children if r.parent_name != name]
    assert not strays, f"not parented to {name}: {strays}"
    return sorted(r.name for r in children)


def statements(policy: str) -> list[dict[str, Any]]:
    """The statements of a JSON policy document as recorded."""
    return json.loads(policy)["Statement"]
