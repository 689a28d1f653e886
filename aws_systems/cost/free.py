"""Types the estimate deliberately counts as $0, each with the reason: AWS bills nothing for them, or their cost is
priced on another resource. A type that is neither priced nor listed here is reported as not priced, never as $0."""

from __future__ import annotations

ON_API = "its requests are priced on the API"
ON_BUCKET = "its bytes are priced in the bucket's stored GB"
ON_BUS = "events are priced on the bus"
ON_DISTRIBUTION = "priced on the distribution"
ON_LOG_GROUP = "what it delivers is priced at its log group"
ON_PROXY = "priced on the proxy"
ON_QUEUE = "its SQS requests are priced on the queue"
ON_LB = "priced on the load balancer"
ON_PLAN = "the recovery points are priced on the backup plan"
NO_CHARGE = "AWS bills nothing for it"
IAM = "IAM is free"
NETWORK = "no charge for the VPC's own parts"

FREE: dict[str, str] = {
    "aws:apigatewayv2/authorizer:Authorizer": ON_API,
    "aws:apigatewayv2/integration:Integration": ON_API,
    "aws:apigatewayv2/route:Route": ON_API,
    "aws:apigatewayv2/stage:Stage": ON_API + "; its access log at its log group",
    "aws:apigatewayv2/vpcLink:VpcLink": "VPC links of HTTP APIs are free",
    "aws:apigatewayv2/domainName:DomainName": NO_CHARGE,
    "aws:apigatewayv2/apiMapping:ApiMapping": NO_CHARGE,
    "aws:acm/certificate:Certificate": "public ACM certificates are free",
    "aws:acm/certificateValidation:CertificateValidation": NO_CHARGE,
    "aws:autoscaling/attachment:Attachment": ON_LB,
    "aws:backup/selection:Selection": ON_PLAN,
    "aws:backup/vault:Vault": ON_PLAN,
    "aws:backup/vaultNotifications:VaultNotifications": "notifications are priced on the topic",
    "aws:backup/vaultLockConfiguration:VaultLockConfiguration": NO_CHARGE,
    "aws:cloudfront/cachePolicy:CachePolicy": NO_CHARGE,
    "aws:cloudfront/function:Function": "its runs are " + ON_DISTRIBUTION,
    "aws:cloudfront/originAccessControl:OriginAccessControl": NO_CHARGE,
    "aws:cloudfront/originRequestPolicy:OriginRequestPolicy": NO_CHARGE,
    "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy": NO_CHARGE,
    "aws:cloudwatch/eventRule:EventRule": ON_BUS,
    "aws:cloudwatch/eventTarget:EventTarget": ON_BUS + " (delivery to SQS is priced on the queue)",
    "aws:cognito/identityPool:IdentityPool": "identity pools are free",
    "aws:cognito/identityPoolRoleAttachment:IdentityPoolRoleAttachment": NO_CHARGE,
    "aws:cognito/userGroup:UserGroup": "users are priced on the user pool",
    "aws:cognito/userPoolClient:UserPoolClient": "users are priced on the user pool",
    "aws:cognito/userPoolDomain:UserPoolDomain": NO_CHARGE,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": NETWORK,
    "aws:ec2/flowLog:FlowLog": ON_LOG_GROUP,
    "aws:ec2/internetGateway:InternetGateway": NETWORK,
    "aws:ec2/route:Route": NETWORK,
    "aws:ec2/routeTable:RouteTable": NETWORK,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": NETWORK,
    "aws:ec2/securityGroup:SecurityGroup": NETWORK,
    "aws:ec2/securityGroupRule:SecurityGroupRule": NETWORK,
    "aws:ec2/subnet:Subnet": NETWORK,
    "aws:ec2/vpc:Vpc": NETWORK,
    "aws:ec2/launchTemplate:LaunchTemplate": "the instances it launches are priced",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": NO_CHARGE,
    "aws:eks/accessEntry:AccessEntry": NO_CHARGE,
    "aws:eks/accessPolicyAssociation:AccessPolicyAssociation": NO_CHARGE,
    "aws:iam/role:Role": IAM,
    "aws:iam/rolePolicy:RolePolicy": IAM,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": IAM,
    "aws:iam/policy:Policy": IAM,
    "aws:iam/instanceProfile:InstanceProfile": IAM,
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": IAM,
    "aws:kms/alias:Alias": NO_CHARGE,
    "aws:kms/keyPolicy:KeyPolicy": "priced on the key",
    "aws:lambda/eventSourceMapping:EventSourceMapping": ON_QUEUE,
    "aws:lambda/invocation:Invocation": "one request per deploy",
    "aws:lambda/layerVersion:LayerVersion": "layers count towards Lambda's free code storage",
    "aws:lambda/permission:Permission": NO_CHARGE,
    "aws:lb/listener:Listener": ON_LB,
    "aws:lb/targetGroup:TargetGroup": ON_LB,
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": ON_LB,
    "aws:rds/parameterGroup:ParameterGroup": NO_CHARGE,
    "aws:rds/subnetGroup:SubnetGroup": NO_CHARGE,
    "aws:rds/proxyDefaultTargetGroup:ProxyDefaultTargetGroup": ON_PROXY,
    "aws:rds/proxyTarget:ProxyTarget": ON_PROXY,
    "aws:route53/record:Record": "alias records to AWS resources answer for free",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": NO_CHARGE,
    "aws:s3/bucketLogging:BucketLogging": "the access logs are " + ON_BUCKET,
    "aws:s3/bucketObjectv2:BucketObjectv2": ON_BUCKET,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": NO_CHARGE,
    "aws:s3/bucketPolicy:BucketPolicy": NO_CHARGE,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": NO_CHARGE,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": NO_CHARGE,
    "aws:s3/bucketVersioning:BucketVersioning": "old versions are " + ON_BUCKET,
    "aws:secretsmanager/secretVersion:SecretVersion": "priced on the secret",
    "aws:sns/topicPolicy:TopicPolicy": NO_CHARGE,
    "aws:sqs/queuePolicy:QueuePolicy": NO_CHARGE,
    "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": NO_CHARGE,
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": NETWORK,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": NETWORK,
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": ON_LOG_GROUP,
    "docker-build:index:Image": "built on the deploying machine; its layers are priced on the ECR repository",
    "pulumi:pulumi:Stack": "Pulumi's own",
}

FREE_PREFIXES: dict[str, str] = {
    "pulumi:providers:": "a provider configures access; it is not an AWS resource",
}

PRICED_WITH_CHILDREN: frozenset[str] = frozenset({"eks:index:Cluster"})
"""Components priced as a whole: their descendants (the EKS cluster, the node group's instances, security groups)
are already in the component's price."""


def free_reason(type_: str) -> str | None:
    """Why ``type_`` costs nothing, or None when it is not a listed free type."""
    if type_ in FREE:
        return FREE[type_]
    return next((why for prefix, why in FREE_PREFIXES.items() if type_.startswith(prefix)), None)
