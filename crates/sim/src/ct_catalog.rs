//! The catalogue of benign CloudTrail API calls: event source and name, weight,
//! whether the service is global (recorded only in us-east-1), read-only flag,
//! which kind of principal makes the call, the request/response shape, and the
//! TLS host header.
//!
//! It never contains the calls the audit detections look for (domain transfers,
//! transfer-lock changes, VPC associations, query-log deletion or
//! disassociation, domain contact, name-server or DNSSEC changes), and Route 53
//! Domains names are written with a lower-case first letter, as CloudTrail logs
//! them.

/// Who makes a call.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Who {
    Any,
    Human,
    Automation,
    Workload,
    WebIdentity,
    /// An AWS service calling on its own behalf (`type: AWSService`).
    Service(&'static str),
    /// An `AwsServiceEvent` emitted by the service.
    ServiceEvent(&'static str),
}

/// The `tlsDetails.clientProvidedHostHeader` of a call.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// `<service>.<region>.amazonaws.com`.
    Regional,
    /// A fixed endpoint.
    Fixed(&'static str),
    /// The bucket's virtual-hosted endpoint.
    Bucket,
}

/// The request/response shape of a call (`Null`: both are `null`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    Null,
    Instances,
    DescribeSet(&'static str),
    NetworkInterfaces,
    CreateTags,
    AssumeRole,
    WebIdentity,
    S3Object,
    S3Bucket,
    ListBuckets,
    KmsDecrypt,
    KmsDataKey,
    IamRole,
    ListPolicies,
    LambdaGet,
    LogStream,
    LogGroups,
    LookupEvents,
    DescribeTrails,
    TrailStatus,
    HostedZone,
    RecordSets,
    ChangeRecordSets,
    GetChange,
    ResolverList,
    DomainDetail,
    ConsoleLogin,
    SsmInstanceInfo,
    SsmParameter,
    SecretValue,
    EcrImage,
    EksCluster,
    MetricData,
    TargetHealth,
    KmsRotate,
    SecretRotation,
}

/// One catalogue entry.
pub struct Api {
    pub source: &'static str,
    pub name: &'static str,
    pub weight: u32,
    pub global: bool,
    pub read_only: bool,
    pub who: Who,
    pub params: Shape,
    pub host: Host,
}

pub const fn api(
    source: &'static str,
    name: &'static str,
    weight: u32,
    read_only: bool,
    who: Who,
    params: Shape,
) -> Api {
    Api {
        source,
        name,
        weight,
        global: false,
        read_only,
        who,
        params,
        host: Host::Regional,
    }
}

pub const fn global(mut a: Api, host: &'static str) -> Api {
    a.global = true;
    a.host = Host::Fixed(host);
    a
}

pub const EC2: &str = "ec2.amazonaws.com";
pub const STS: &str = "sts.amazonaws.com";
pub const S3: &str = "s3.amazonaws.com";
pub const KMS: &str = "kms.amazonaws.com";
pub const IAM: &str = "iam.amazonaws.com";
pub const R53: &str = "route53.amazonaws.com";
pub const R53D: &str = "route53domains.amazonaws.com";
pub const R53R: &str = "route53resolver.amazonaws.com";

pub const CATALOG: &[Api] = &[
    api(
        EC2,
        "DescribeInstances",
        55,
        true,
        Who::Any,
        Shape::Instances,
    ),
    api(
        EC2,
        "DescribeVpcs",
        12,
        true,
        Who::Any,
        Shape::DescribeSet("vpcSet"),
    ),
    api(
        EC2,
        "DescribeSubnets",
        12,
        true,
        Who::Any,
        Shape::DescribeSet("subnetSet"),
    ),
    api(
        EC2,
        "DescribeSecurityGroups",
        18,
        true,
        Who::Any,
        Shape::DescribeSet("securityGroupIdSet"),
    ),
    api(
        EC2,
        "DescribeNetworkInterfaces",
        20,
        true,
        Who::Workload,
        Shape::NetworkInterfaces,
    ),
    api(
        EC2,
        "DescribeRouteTables",
        8,
        true,
        Who::Automation,
        Shape::DescribeSet("routeTableIdSet"),
    ),
    api(
        EC2,
        "DescribeAvailabilityZones",
        8,
        true,
        Who::Any,
        Shape::DescribeSet("availabilityZoneSet"),
    ),
    api(
        EC2,
        "DescribeVolumes",
        8,
        true,
        Who::Any,
        Shape::DescribeSet("volumeSet"),
    ),
    api(
        EC2,
        "DescribeTags",
        10,
        true,
        Who::Workload,
        Shape::DescribeSet("resourceIdSet"),
    ),
    api(
        EC2,
        "CreateTags",
        4,
        false,
        Who::Automation,
        Shape::CreateTags,
    ),
    api(STS, "AssumeRole", 40, true, Who::Any, Shape::AssumeRole),
    api(
        STS,
        "AssumeRole",
        15,
        true,
        Who::Service("lambda.amazonaws.com"),
        Shape::AssumeRole,
    ),
    api(
        STS,
        "AssumeRole",
        10,
        true,
        Who::Service("ecs-tasks.amazonaws.com"),
        Shape::AssumeRole,
    ),
    api(
        STS,
        "AssumeRole",
        10,
        true,
        Who::Service("ec2.amazonaws.com"),
        Shape::AssumeRole,
    ),
    api(
        STS,
        "AssumeRoleWithWebIdentity",
        12,
        true,
        Who::WebIdentity,
        Shape::WebIdentity,
    ),
    api(STS, "GetCallerIdentity", 25, true, Who::Any, Shape::Null),
    Api {
        host: Host::Bucket,
        ..api(S3, "GetObject", 110, true, Who::Workload, Shape::S3Object)
    },
    Api {
        host: Host::Bucket,
        ..api(S3, "PutObject", 35, false, Who::Workload, Shape::S3Object)
    },
    Api {
        host: Host::Bucket,
        ..api(S3, "HeadObject", 20, true, Who::Any, Shape::S3Object)
    },
    Api {
        host: Host::Bucket,
        ..api(
            S3,
            "GetBucketAcl",
            5,
            true,
            Who::Automation,
            Shape::S3Bucket,
        )
    },
    Api {
        host: Host::Bucket,
        ..api(S3, "GetBucketLocation", 5, true, Who::Any, Shape::S3Bucket)
    },
    global(
        api(S3, "ListBuckets", 5, true, Who::Human, Shape::ListBuckets),
        "s3.amazonaws.com",
    ),
    api(KMS, "Decrypt", 70, true, Who::Any, Shape::KmsDecrypt),
    api(
        KMS,
        "GenerateDataKey",
        35,
        true,
        Who::Workload,
        Shape::KmsDataKey,
    ),
    api(KMS, "Encrypt", 8, true, Who::Workload, Shape::KmsDataKey),
    api(
        KMS,
        "RotateKey",
        1,
        false,
        Who::ServiceEvent(KMS),
        Shape::KmsRotate,
    ),
    global(
        api(IAM, "ListRoles", 8, true, Who::Any, Shape::Null),
        "iam.amazonaws.com",
    ),
    global(
        api(IAM, "ListUsers", 4, true, Who::Human, Shape::Null),
        "iam.amazonaws.com",
    ),
    global(
        api(IAM, "GetRole", 8, true, Who::Automation, Shape::IamRole),
        "iam.amazonaws.com",
    ),
    global(
        api(
            IAM,
            "ListAttachedRolePolicies",
            6,
            true,
            Who::Automation,
            Shape::IamRole,
        ),
        "iam.amazonaws.com",
    ),
    global(
        api(
            IAM,
            "ListPolicies",
            4,
            true,
            Who::Human,
            Shape::ListPolicies,
        ),
        "iam.amazonaws.com",
    ),
    api(
        "lambda.amazonaws.com",
        "ListFunctions20150331",
        6,
        true,
        Who::Human,
        Shape::Null,
    ),
    api(
        "lambda.amazonaws.com",
        "GetFunction20150331v2",
        5,
        true,
        Who::Automation,
        Shape::LambdaGet,
    ),
    api(
        "logs.amazonaws.com",
        "CreateLogStream",
        22,
        false,
        Who::Workload,
        Shape::LogStream,
    ),
    api(
        "logs.amazonaws.com",
        "DescribeLogGroups",
        8,
        true,
        Who::Any,
        Shape::LogGroups,
    ),
    api(
        "cloudtrail.amazonaws.com",
        "LookupEvents",
        8,
        true,
        Who::Human,
        Shape::LookupEvents,
    ),
    api(
        "cloudtrail.amazonaws.com",
        "DescribeTrails",
        3,
        true,
        Who::Automation,
        Shape::DescribeTrails,
    ),
    api(
        "cloudtrail.amazonaws.com",
        "GetTrailStatus",
        2,
        true,
        Who::Human,
        Shape::TrailStatus,
    ),
    global(
        api(R53, "ListHostedZones", 10, true, Who::Any, Shape::Null),
        "route53.amazonaws.com",
    ),
    global(
        api(
            R53,
            "GetHostedZone",
            5,
            true,
            Who::Automation,
            Shape::HostedZone,
        ),
        "route53.amazonaws.com",
    ),
    global(
        api(
            R53,
            "ListResourceRecordSets",
            12,
            true,
            Who::Automation,
            Shape::RecordSets,
        ),
        "route53.amazonaws.com",
    ),
    global(
        api(
            R53,
            "ChangeResourceRecordSets",
            4,
            false,
            Who::Automation,
            Shape::ChangeRecordSets,
        ),
        "route53.amazonaws.com",
    ),
    global(
        api(R53, "GetChange", 8, true, Who::Automation, Shape::GetChange),
        "route53.amazonaws.com",
    ),
    api(
        R53R,
        "ListResolverQueryLogConfigs",
        2,
        true,
        Who::Automation,
        Shape::ResolverList,
    ),
    api(
        R53R,
        "ListResolverEndpoints",
        2,
        true,
        Who::Human,
        Shape::ResolverList,
    ),
    global(
        api(R53D, "listDomains", 2, true, Who::Human, Shape::Null),
        "route53domains.us-east-1.amazonaws.com",
    ),
    global(
        api(
            R53D,
            "getDomainDetail",
            2,
            true,
            Who::Human,
            Shape::DomainDetail,
        ),
        "route53domains.us-east-1.amazonaws.com",
    ),
    global(
        api(
            "signin.amazonaws.com",
            "ConsoleLogin",
            3,
            false,
            Who::Human,
            Shape::ConsoleLogin,
        ),
        "us-east-1.signin.aws.amazon.com",
    ),
    api(
        "ssm.amazonaws.com",
        "UpdateInstanceInformation",
        22,
        false,
        Who::Workload,
        Shape::SsmInstanceInfo,
    ),
    api(
        "ssm.amazonaws.com",
        "GetParameter",
        15,
        true,
        Who::Workload,
        Shape::SsmParameter,
    ),
    api(
        "secretsmanager.amazonaws.com",
        "GetSecretValue",
        14,
        true,
        Who::Workload,
        Shape::SecretValue,
    ),
    api(
        "secretsmanager.amazonaws.com",
        "RotationSucceeded",
        1,
        false,
        Who::ServiceEvent("secretsmanager.amazonaws.com"),
        Shape::SecretRotation,
    ),
    api(
        "ecr.amazonaws.com",
        "GetAuthorizationToken",
        14,
        true,
        Who::Workload,
        Shape::Null,
    ),
    api(
        "ecr.amazonaws.com",
        "BatchGetImage",
        10,
        true,
        Who::Workload,
        Shape::EcrImage,
    ),
    api(
        "eks.amazonaws.com",
        "DescribeCluster",
        5,
        true,
        Who::Any,
        Shape::EksCluster,
    ),
    api(
        "monitoring.amazonaws.com",
        "GetMetricData",
        10,
        true,
        Who::Any,
        Shape::MetricData,
    ),
    api(
        "elasticloadbalancing.amazonaws.com",
        "DescribeTargetHealth",
        9,
        true,
        Who::Workload,
        Shape::TargetHealth,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_avoids_detected_calls() {
        const FORBIDDEN: [&str; 9] = [
            "transferdomaintoanotherawsaccount",
            "disabledomaintransferlock",
            "associatevpcwithhostedzone",
            "deleteresolverquerylogconfig",
            "disassociateresolverquerylogconfig",
            "updatedomaincontact",
            "updatedomainnameservers",
            "associatedelegationsignertodomain",
            "disassociatedelegationsignerfromdomain",
        ];
        for a in CATALOG {
            assert!(!FORBIDDEN.contains(&a.name.to_ascii_lowercase().as_str()));
            if a.source == R53D {
                assert!(a.name.starts_with(|c: char| c.is_ascii_lowercase()));
            }
        }
    }
}
