"""AWS's own machine-readable rules, looked up for the Pulumi resource types this library creates.

Two sources, both shipped as data in packages, so no limit is typed by hand where AWS publishes one:

- **CloudFormation resource schemas** (bundled with ``cfn-lint``): each property's length, pattern, enum and
  minimum/maximum. pulumi-aws is bridged from the Terraform provider, whose arguments mostly match CloudFormation's
  properties by name (``memorySize`` is ``MemorySize``); :data:`CFN_TYPES` maps each Pulumi type to its
  CloudFormation type, and :data:`CFN_RENAMES` the few properties whose names differ.
- **botocore's service models**: the API's own constraints on a request member (a role name's 64 characters).

Where neither source states a name's limit, :class:`NameSpec` carries it with the page that documents it.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# Pulumi type -> CloudFormation type, for every AWS type the components create that has one.
CFN_TYPES: dict[str, str] = {
    "aws:apigatewayv2/api:Api": "AWS::ApiGatewayV2::Api",
    "aws:apigatewayv2/authorizer:Authorizer": "AWS::ApiGatewayV2::Authorizer",
    "aws:apigatewayv2/integration:Integration": "AWS::ApiGatewayV2::Integration",
    "aws:apigatewayv2/route:Route": "AWS::ApiGatewayV2::Route",
    "aws:apigatewayv2/stage:Stage": "AWS::ApiGatewayV2::Stage",
    "aws:apigatewayv2/vpcLink:VpcLink": "AWS::ApiGatewayV2::VpcLink",
    "aws:backup/plan:Plan": "AWS::Backup::BackupPlan",
    "aws:backup/selection:Selection": "AWS::Backup::BackupSelection",
    "aws:backup/vault:Vault": "AWS::Backup::BackupVault",
    "aws:cloudfront/originAccessControl:OriginAccessControl": "AWS::CloudFront::OriginAccessControl",
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": "AWS::CloudFront::ResponseHeadersPolicy",
    "aws:cloudwatch/dashboard:Dashboard": "AWS::CloudWatch::Dashboard",
    "aws:cloudwatch/eventArchive:EventArchive": "AWS::Events::Archive",
    "aws:cloudwatch/eventBus:EventBus": "AWS::Events::EventBus",
    "aws:cloudwatch/eventRule:EventRule": "AWS::Events::Rule",
    "aws:cloudwatch/logGroup:LogGroup": "AWS::Logs::LogGroup",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "AWS::CloudWatch::Alarm",
    "aws:cognito/identityPool:IdentityPool": "AWS::Cognito::IdentityPool",
    "aws:cognito/userGroup:UserGroup": "AWS::Cognito::UserPoolGroup",
    "aws:cognito/userPool:UserPool": "AWS::Cognito::UserPool",
    "aws:cognito/userPoolClient:UserPoolClient": "AWS::Cognito::UserPoolClient",
    "aws:dynamodb/table:Table": "AWS::DynamoDB::Table",
    "aws:ec2/securityGroup:SecurityGroup": "AWS::EC2::SecurityGroup",
    "aws:ec2/subnet:Subnet": "AWS::EC2::Subnet",
    "aws:ec2/vpc:Vpc": "AWS::EC2::VPC",
    "aws:ec2/vpcEndpoint:VpcEndpoint": "AWS::EC2::VPCEndpoint",
    "aws:ecr/repository:Repository": "AWS::ECR::Repository",
    "aws:eks/accessEntry:AccessEntry": "AWS::EKS::AccessEntry",
    "aws:iam/role:Role": "AWS::IAM::Role",
    "aws:iam/rolePolicy:RolePolicy": "AWS::IAM::RolePolicy",
    "aws:kms/key:Key": "AWS::KMS::Key",
    "aws:lambda/eventSourceMapping:EventSourceMapping": "AWS::Lambda::EventSourceMapping",
    "aws:lambda/function:Function": "AWS::Lambda::Function",
    "aws:lambda/layerVersion:LayerVersion": "AWS::Lambda::LayerVersion",
    "aws:lambda/permission:Permission": "AWS::Lambda::Permission",
    "aws:lb/listener:Listener": "AWS::ElasticLoadBalancingV2::Listener",
    "aws:lb/loadBalancer:LoadBalancer": "AWS::ElasticLoadBalancingV2::LoadBalancer",
    "aws:lb/targetGroup:TargetGroup": "AWS::ElasticLoadBalancingV2::TargetGroup",
    "aws:rds/instance:Instance": "AWS::RDS::DBInstance",
    "aws:rds/parameterGroup:ParameterGroup": "AWS::RDS::DBParameterGroup",
    "aws:rds/proxy:Proxy": "AWS::RDS::DBProxy",
    "aws:rds/subnetGroup:SubnetGroup": "AWS::RDS::DBSubnetGroup",
    "aws:s3/bucket:Bucket": "AWS::S3::Bucket",
    "aws:scheduler/schedule:Schedule": "AWS::Scheduler::Schedule",
    "aws:secretsmanager/secret:Secret": "AWS::SecretsManager::Secret",
    "aws:sns/topic:Topic": "AWS::SNS::Topic",
    "aws:sqs/queue:Queue": "AWS::SQS::Queue",
    "aws:wafv2/webAcl:WebAcl": "AWS::WAFv2::WebACL",
}

# Pulumi property -> CloudFormation property, where the bridged name is not the CloudFormation name in camelCase.
# Only properties with the same meaning on both sides are listed; the rest are not compared.
CFN_RENAMES: dict[str, dict[str, str]] = {
    "aws:lambda/function:Function": {"name": "FunctionName"},
    "aws:iam/role:Role": {"name": "RoleName", "maxSessionDuration": "MaxSessionDuration"},
    "aws:iam/rolePolicy:RolePolicy": {"name": "PolicyName"},
    "aws:sqs/queue:Queue": {
        "name": "QueueName",
        "visibilityTimeoutSeconds": "VisibilityTimeout",
        "messageRetentionSeconds": "MessageRetentionPeriod",
        "delaySeconds": "DelaySeconds",
        "receiveWaitTimeSeconds": "ReceiveMessageWaitTimeSeconds",
        "maxMessageSize": "MaximumMessageSize",
    },
    "aws:sns/topic:Topic": {"name": "TopicName"},
    "aws:cloudwatch/logGroup:LogGroup": {"name": "LogGroupName"},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {"name": "AlarmName"},
    "aws:cloudwatch/dashboard:Dashboard": {"dashboardName": "DashboardName"},
    "aws:cloudwatch/eventArchive:EventArchive": {"name": "ArchiveName", "retentionDays": "RetentionDays"},
    "aws:rds/instance:Instance": {
        "identifier": "DBInstanceIdentifier",
        "instanceClass": "DBInstanceClass",
        "backupRetentionPeriod": "BackupRetentionPeriod",
        "allocatedStorage": "AllocatedStorage",
    },
    "aws:rds/proxy:Proxy": {"name": "DBProxyName", "idleClientTimeout": "IdleClientTimeout"},
    "aws:rds/subnetGroup:SubnetGroup": {"name": "DBSubnetGroupName"},
    "aws:rds/parameterGroup:ParameterGroup": {"name": "DBParameterGroupName"},
    "aws:s3/bucket:Bucket": {"bucket": "BucketName"},
    "aws:ec2/securityGroup:SecurityGroup": {"name": "GroupName"},
    "aws:backup/vault:Vault": {"name": "BackupVaultName"},
    "aws:cognito/userPool:UserPool": {"name": "UserPoolName"},
    "aws:cognito/userPoolClient:UserPoolClient": {"name": "ClientName"},
    "aws:cognito/userGroup:UserGroup": {"name": "GroupName"},
    "aws:cognito/identityPool:IdentityPool": {"identityPoolName": "IdentityPoolName"},
    "aws:ecr/repository:Repository": {"name": "RepositoryName"},
    "aws:dynamodb/table:Table": {"name": "TableName"},
    "aws:lambda/layerVersion:LayerVersion": {"layerName": "LayerName"},
    "aws:scheduler/schedule:Schedule": {"scheduleExpressionTimezone": "ScheduleExpressionTimezone"},
    "aws:kms/key:Key": {"deletionWindowInDays": "PendingWindowInDays"},
}


@dataclass(frozen=True)
class NameSpec:
    """Where a type keeps its physical name, and the API request member that carries it."""

    prop: str
    """The Pulumi property holding the name."""
    api: tuple[str, str, str] | None = None
    """(botocore service, operation, member) of the request that sets the name."""
    max_length: int | None = None
    """A limit that neither model states, with ``source`` naming the page that does."""
    pattern: str | None = None
    source: str = ""
    auto: bool = True
    """Pulumi names it ``<logical name>-<7 random characters>`` when the property is not set."""


_ELB_NAMES = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateTargetGroup.html"
_ELB_LB_NAMES = "https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateLoadBalancer.html"
_SQS_NAMES = "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html"
_SNS_NAMES = "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html"
_SG_NAMES = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateSecurityGroup.html"
_RDS_NAMES = "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/CHAP_Limits.html#RDS_Limits.Constraints"
_APIGW_NAMES = "https://docs.aws.amazon.com/apigatewayv2/latest/api-reference/apis.html"

NAMES: dict[str, NameSpec] = {
    "aws:lb/targetGroup:TargetGroup": NameSpec(
        "name", ("elbv2", "CreateTargetGroup", "Name"), 32, r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$", _ELB_NAMES
    ),
    "aws:lb/loadBalancer:LoadBalancer": NameSpec(
        "name",
        ("elbv2", "CreateLoadBalancer", "Name"),
        32,
        r"^(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$",
        _ELB_LB_NAMES,
    ),
    "aws:sqs/queue:Queue": NameSpec("name", ("sqs", "CreateQueue", "QueueName"), 80, r"^[A-Za-z0-9_-]+$", _SQS_NAMES),
    "aws:sns/topic:Topic": NameSpec("name", ("sns", "CreateTopic", "Name"), 256, r"^[A-Za-z0-9_-]+$", _SNS_NAMES),
    "aws:ec2/securityGroup:SecurityGroup": NameSpec(
        "name", ("ec2", "CreateSecurityGroup", "GroupName"), 255, r"^(?!sg-)[\x20-\x7e]+$", _SG_NAMES
    ),
    "aws:rds/subnetGroup:SubnetGroup": NameSpec(
        "name", ("rds", "CreateDBSubnetGroup", "DBSubnetGroupName"), 255, r"^[a-z][a-z0-9._ -]*$", _RDS_NAMES
    ),
    "aws:rds/parameterGroup:ParameterGroup": NameSpec(
        "name", ("rds", "CreateDBParameterGroup", "DBParameterGroupName"), 255, None, _RDS_NAMES
    ),
    "aws:rds/instance:Instance": NameSpec("identifier", ("rds", "CreateDBInstance", "DBInstanceIdentifier")),
    "aws:rds/proxy:Proxy": NameSpec("name", ("rds", "CreateDBProxy", "DBProxyName")),
    "aws:apigatewayv2/api:Api": NameSpec("name", ("apigatewayv2", "CreateApi", "Name"), 128, None, _APIGW_NAMES),
    "aws:apigatewayv2/vpcLink:VpcLink": NameSpec(
        "name", ("apigatewayv2", "CreateVpcLink", "Name"), 128, None, _APIGW_NAMES
    ),
    "aws:lambda/function:Function": NameSpec("name", ("lambda", "CreateFunction", "FunctionName"), 64),
    "aws:lambda/layerVersion:LayerVersion": NameSpec("layerName", ("lambda", "PublishLayerVersion", "LayerName")),
    "aws:iam/role:Role": NameSpec("name", ("iam", "CreateRole", "RoleName")),
    "aws:iam/rolePolicy:RolePolicy": NameSpec("name", ("iam", "PutRolePolicy", "PolicyName")),
    "aws:cloudwatch/logGroup:LogGroup": NameSpec("name", ("logs", "CreateLogGroup", "logGroupName")),
    "aws:cloudwatch/metricAlarm:MetricAlarm": NameSpec("name", ("cloudwatch", "PutMetricAlarm", "AlarmName")),
    "aws:cloudwatch/dashboard:Dashboard": NameSpec(
        "dashboardName", ("cloudwatch", "PutDashboard", "DashboardName"), auto=False
    ),
    "aws:cloudwatch/eventBus:EventBus": NameSpec("name", ("events", "CreateEventBus", "Name")),
    "aws:cloudwatch/eventRule:EventRule": NameSpec("name", ("events", "PutRule", "Name")),
    "aws:cloudwatch/eventArchive:EventArchive": NameSpec("name", ("events", "CreateArchive", "ArchiveName")),
    "aws:scheduler/schedule:Schedule": NameSpec("name", ("scheduler", "CreateSchedule", "Name")),
    "aws:secretsmanager/secret:Secret": NameSpec("name", ("secretsmanager", "CreateSecret", "Name")),
    "aws:s3/bucket:Bucket": NameSpec("bucket", ("s3", "CreateBucket", "Bucket")),
    "aws:dynamodb/table:Table": NameSpec("name", ("dynamodb", "CreateTable", "TableName")),
    "aws:cognito/userPool:UserPool": NameSpec("name", ("cognito-idp", "CreateUserPool", "PoolName")),
    "aws:cognito/userPoolClient:UserPoolClient": NameSpec(
        "name", ("cognito-idp", "CreateUserPoolClient", "ClientName"), auto=False
    ),
    "aws:cognito/userGroup:UserGroup": NameSpec("name", ("cognito-idp", "CreateGroup", "GroupName"), auto=False),
    "aws:cognito/identityPool:IdentityPool": NameSpec(
        "identityPoolName", ("cognito-identity", "CreateIdentityPool", "IdentityPoolName"), auto=False
    ),
    "aws:backup/vault:Vault": NameSpec("name", ("backup", "CreateBackupVault", "BackupVaultName")),
    "aws:backup/plan:Plan": NameSpec("name", ("backup", "CreateBackupPlan", "BackupPlan"), 50, r"^[A-Za-z0-9_.-]+$"),
    "aws:backup/selection:Selection": NameSpec(
        "name",
        None,
        50,
        r"^[A-Za-z0-9_.-]+$",
        "https://docs.aws.amazon.com/aws-backup/latest/devguide/API_BackupSelection.html",
    ),
    "aws:ecr/repository:Repository": NameSpec("name", ("ecr", "CreateRepository", "repositoryName")),
    "aws:wafv2/webAcl:WebAcl": NameSpec("name", ("wafv2", "CreateWebACL", "Name")),
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": NameSpec(
        "name",
        None,
        128,
        r"^[A-Za-z0-9_-]+$",
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_ResponseHeadersPolicyConfig.html",
    ),
    "aws:cloudfront/originAccessControl:OriginAccessControl": NameSpec(
        "name",
        None,
        64,
        None,
        "https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_OriginAccessControlConfig.html",
    ),
}

# Properties whose allowed values botocore's model lists where CloudFormation's schema does not.
API_VALUES: dict[str, dict[str, tuple[str, str, str]]] = {
    "aws:lambda/function:Function": {"runtime": ("lambda", "CreateFunction", "Runtime")},
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        "comparisonOperator": ("cloudwatch", "PutMetricAlarm", "ComparisonOperator"),
        "statistic": ("cloudwatch", "PutMetricAlarm", "Statistic"),
    },
    "aws:apigatewayv2/api:Api": {"protocolType": ("apigatewayv2", "CreateApi", "ProtocolType")},
    "aws:apigatewayv2/route:Route": {"authorizationType": ("apigatewayv2", "CreateRoute", "AuthorizationType")},
    "aws:apigatewayv2/integration:Integration": {
        "integrationType": ("apigatewayv2", "CreateIntegration", "IntegrationType"),
        "connectionType": ("apigatewayv2", "CreateIntegration", "ConnectionType"),
    },
    "aws:apigatewayv2/authorizer:Authorizer": {
        "authorizerType": ("apigatewayv2", "CreateAuthorizer", "AuthorizerType"),
    },
    "aws:ec2/vpcEndpoint:VpcEndpoint": {"vpcEndpointType": ("ec2", "CreateVpcEndpoint", "VpcEndpointType")},
    "aws:wafv2/webAcl:WebAcl": {"scope": ("wafv2", "CreateWebACL", "Scope")},
    "aws:lb/targetGroup:TargetGroup": {
        "protocol": ("elbv2", "CreateTargetGroup", "Protocol"),
        "targetType": ("elbv2", "CreateTargetGroup", "TargetType"),
    },
    "aws:lb/loadBalancer:LoadBalancer": {"loadBalancerType": ("elbv2", "CreateLoadBalancer", "Type")},
}

# Pulumi's auto-name: the logical name, "-", then 7 random lowercase hex characters.
AUTO_NAME_SUFFIX = "-0a1b2c3"


@dataclass(frozen=True)
class Constraint:
    """What one source says a string or number must be."""

    source: str
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    enum: tuple[Any, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    full_match: bool = False
    """botocore's patterns describe the whole value; JSON Schema's may match anywhere in it."""

    def problems(self, value: Any) -> list[str]:
        """Why ``value`` breaks this constraint (empty when it does not)."""
        out: list[str] = []
        if self.enum is not None and value not in self.enum:
            shown = ", ".join(map(str, self.enum[:12])) + (", …" if len(self.enum) > 12 else "")
            out.append(f"{value!r} is not one of {shown}")
        if isinstance(value, str):
            if self.max_length is not None and len(value) > self.max_length:
                out.append(f"{value!r} is {len(value)} characters, more than {self.max_length}")
            if self.min_length is not None and len(value) < self.min_length:
                out.append(f"{value!r} is shorter than {self.min_length} characters")
            if self.pattern and not _matches(self.pattern, value, self.full_match):
                out.append(f"{value!r} does not match {self.pattern}")
        elif isinstance(value, int | float) and not isinstance(value, bool):
            if self.minimum is not None and value < self.minimum:
                out.append(f"{value} is below the minimum {self.minimum:g}")
            if self.maximum is not None and value > self.maximum:
                out.append(f"{value} is above the maximum {self.maximum:g}")
        return out


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str] | None:
    try:
        return re.compile(pattern)
    except re.error:  # a pattern in a dialect Python does not read (ECMA classes); not judged
        return None


def _matches(pattern: str, value: str, full: bool) -> bool:
    compiled = _compiled(pattern)
    if compiled is None:
        return True
    return bool(compiled.fullmatch(value) if full else compiled.search(value))


def from_json_schema(node: Mapping[str, Any], source: str) -> Constraint:
    enum = node.get("enum")
    return Constraint(
        source=source,
        min_length=node.get("minLength"),
        max_length=node.get("maxLength"),
        pattern=node.get("pattern"),
        enum=tuple(enum) if isinstance(enum, list) else None,
        minimum=node.get("minimum"),
        maximum=node.get("maximum"),
    )


# --- CloudFormation schemas ---------------------------------------------------------------------------------------
@functools.cache
def cfn_schema(cfn_type: str) -> dict[str, Any] | None:
    """The CloudFormation resource schema of ``cfn_type`` as cfn-lint ships it (us-east-1's, which lists all)."""
    from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

    try:
        return PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-east-1", cfn_type).schema
    except Exception:  # noqa: BLE001 - a type cfn-lint does not know has no rules to give
        return None


def resolve(schema: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    """Follow a local ``$ref`` (``#/definitions/X``) inside a resource schema."""
    seen = 0
    while "$ref" in node and seen < 10:
        ref = str(node["$ref"])
        if not ref.startswith("#/"):
            return {}
        target: Any = schema
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, Mapping) else {}
        node, seen = target, seen + 1
    return node


def cfn_property(pulumi_type: str, pulumi_prop: str) -> tuple[str, Mapping[str, Any], Mapping[str, Any]] | None:
    """(CloudFormation property name, its schema node, the whole schema) for a top-level Pulumi property."""
    cfn_type = CFN_TYPES.get(pulumi_type)
    schema = cfn_schema(cfn_type) if cfn_type else None
    if schema is None:
        return None
    name = CFN_RENAMES.get(pulumi_type, {}).get(pulumi_prop) or pulumi_prop[:1].upper() + pulumi_prop[1:]
    node = schema.get("properties", {}).get(name)
    if node is None:
        return None
    return name, resolve(schema, node), schema


# --- botocore models ----------------------------------------------------------------------------------------------
@functools.cache
def _service_model(service: str) -> Any:
    import botocore.session

    return botocore.session.get_session().get_service_model(service)


def api_constraint(service: str, operation: str, member: str) -> Constraint | None:
    """The constraints botocore's model puts on one request member."""
    try:
        shape = _service_model(service).operation_model(operation).input_shape.members[member]
    except Exception:  # noqa: BLE001 - an unknown service, operation or member has nothing to add
        return None
    meta = shape.metadata
    enum = getattr(shape, "enum", None) or None
    return Constraint(
        source=f"botocore {service} {operation}.{member}",
        min_length=meta.get("min"),
        max_length=meta.get("max"),
        pattern=meta.get("pattern"),
        enum=tuple(enum) if enum else None,
        full_match=True,
    )


def name_constraints(pulumi_type: str) -> list[Constraint]:
    """Everything AWS says of a type's physical name: CloudFormation, botocore, then the documented limit."""
    spec = NAMES.get(pulumi_type)
    if spec is None:
        return []
    out: list[Constraint] = []
    found = cfn_property(pulumi_type, spec.prop)
    if found:
        name, node, _ = found
        out.append(from_json_schema(node, f"CloudFormation {CFN_TYPES[pulumi_type]}.{name}"))
    if spec.api:
        api = api_constraint(*spec.api)
        if api:
            out.append(api)
    if spec.max_length or spec.pattern:
        out.append(Constraint(spec.source or "AWS documentation", max_length=spec.max_length, pattern=spec.pattern))
    return out
