//! Request parameters, response elements, additional event data and resources
//! of the benign CloudTrail calls, written into reused [`Scratch`] buffers.

use crate::clock;
use crate::ct_catalog::{Api, Shape, Who};
use crate::json::{Arr, Obj};
use crate::names;
use crate::principals::{self, Principal};
use crate::rng::Rng;
use crate::world::World;

/// Reused buffers for one event's nested parts.
#[derive(Default)]
pub struct Scratch {
    pub identity: Vec<u8>,
    pub request: Vec<u8>,
    pub response: Vec<u8>,
    pub additional: Vec<u8>,
    pub resources: Vec<u8>,
    pub event_id: String,
    pub request_id: String,
    pub shared_id: String,
    pub error_message: String,
    pub host: String,
    /// General-purpose text buffer.
    pub text: String,
}

/// What a call's parameters depend on.
pub struct Ctx<'a> {
    pub world: &'a World,
    pub account: usize,
    pub acct: &'a str,
    pub region: &'a str,
    pub ts: i64,
    pub principal: Option<&'a Principal>,
}

/// Fills `s.request`, `s.response`, `s.additional`, `s.resources` and, for S3,
/// `s.host`. Returns whether request and response are objects (else `null`).
pub fn params(rng: &mut Rng, a: &Api, c: &Ctx<'_>, s: &mut Scratch) -> (bool, bool) {
    let w = c.world;
    let net = w
        .vpcs
        .iter()
        .find(|v| v.account == c.account)
        .map_or([10, 0], |v| v.net);
    match a.params {
        Shape::Null => (false, false),
        Shape::Instances => {
            let mut o = Obj::new(&mut s.request);
            {
                let mut set = o.obj("instancesSet");
                if rng.chance(1, 2) {
                    let mut items = set.arr("items");
                    s.text.clear();
                    s.text.push_str("i-0");
                    rng.push_hex(&mut s.text, 16);
                    items.obj().str("instanceId", &s.text);
                }
            }
            o.obj("filterSet");
            (true, false)
        }
        Shape::DescribeSet(set) => {
            let mut o = Obj::new(&mut s.request);
            o.obj(set);
            o.obj("filterSet");
            (true, false)
        }
        Shape::NetworkInterfaces => {
            s.text.clear();
            s.text.push_str("i-0");
            rng.push_hex(&mut s.text, 16);
            let mut o = Obj::new(&mut s.request);
            o.obj("networkInterfaceIdSet");
            let mut f = o.obj("filterSet");
            let mut items = f.arr("items");
            let mut item = items.obj();
            item.str("name", "attachment.instance-id");
            item.obj("valueSet")
                .arr("items")
                .obj()
                .str("value", &s.text);
            (true, false)
        }
        Shape::CreateTags => {
            s.text.clear();
            s.text.push_str("i-0");
            rng.push_hex(&mut s.text, 16);
            {
                let mut o = Obj::new(&mut s.request);
                o.obj("resourcesSet")
                    .arr("items")
                    .obj()
                    .str("resourceId", &s.text);
                let mut tags = o.obj("tagSet");
                let mut items = tags.arr("items");
                items.obj().str("key", "Owner").str("value", "platform");
                items
                    .obj()
                    .str("key", "CostCenter")
                    .str("value", rng.pick_str(&["cc-1042", "cc-2210", "cc-3001"]));
            }
            s.text.clear();
            rng.push_uuid(&mut s.text);
            Obj::new(&mut s.response)
                .str("requestId", &s.text)
                .bool("_return", true);
            (true, true)
        }
        Shape::AssumeRole => {
            let role = *rng.pick(&[
                "OrganizationAccountAccessRole",
                "orders-api-task-role",
                "image-resizer-role",
                "ReadOnlyAuditRole",
                "DataPipelineRole",
            ]);
            let role_arn = format!("arn:aws:iam::{}:role/{role}", c.acct);
            s.text.clear();
            s.text.push_str(match a.who {
                Who::Service(_) => "aws-go-sdk-",
                _ => "session-",
            });
            names::push_num(&mut s.text, rng.range(1_000_000_000_000, 9_999_999_999_999));
            Obj::new(&mut s.request)
                .str("roleArn", &role_arn)
                .str("roleSessionName", &s.text)
                .u64("durationSeconds", 3600);
            assume_role_response(rng, c, role, &s.text, &mut s.response, None);
            {
                let mut arr = Arr::new(&mut s.resources);
                arr.obj()
                    .str("accountId", c.acct)
                    .str("type", "AWS::IAM::Role")
                    .str("ARN", &role_arn);
            }
            rng.push_uuid(&mut s.shared_id);
            (true, true)
        }
        Shape::WebIdentity => {
            let role = "orders-api-irsa-role";
            let role_arn = format!("arn:aws:iam::{}:role/{role}", c.acct);
            s.text.clear();
            names::push_num(&mut s.text, rng.range(1_700_000_000_000, 1_800_000_000_000));
            Obj::new(&mut s.request)
                .str("roleArn", &role_arn)
                .str("roleSessionName", &s.text)
                .u64("durationSeconds", 86_400);
            let (provider, subject) = match c.principal.map(|p| &p.identity) {
                Some(principals::Identity::OidcUser { provider, subject }) => {
                    (provider.as_str(), subject.as_str())
                }
                _ => ("", ""),
            };
            assume_role_response(
                rng,
                c,
                role,
                &s.text,
                &mut s.response,
                Some((provider, subject)),
            );
            (true, true)
        }
        Shape::S3Object | Shape::S3Bucket => {
            let bucket = rng.pick(&w.buckets).as_str();
            s.host.push_str(bucket);
            s.host.push_str(".s3.");
            s.host.push_str(c.region);
            s.host.push_str(".amazonaws.com");
            s.text.clear();
            if a.params == Shape::S3Object {
                s.text.push_str(rng.pick_str(&[
                    "exports/orders/",
                    "images/original/",
                    "raw/events/",
                    "builds/orders-api/",
                ]));
                rng.push_hex(&mut s.text, 12);
                s.text
                    .push_str(rng.pick_str(&[".json.gz", ".jpg", ".parquet", ".tar.gz"]));
            }
            {
                let mut o = Obj::new(&mut s.request);
                o.str("bucketName", bucket).str("Host", &s.host);
                if a.params == Shape::S3Object {
                    o.str("key", &s.text);
                } else {
                    o.str(
                        if a.name == "GetBucketAcl" {
                            "acl"
                        } else {
                            "location"
                        },
                        "",
                    );
                }
            }
            s3_additional(rng, a, &mut s.additional);
            let mut arr = Arr::new(&mut s.resources);
            if a.params == Shape::S3Object {
                arr.obj()
                    .str("type", "AWS::S3::Object")
                    .str("ARN", &format!("arn:aws:s3:::{bucket}/{}", s.text));
            }
            arr.obj()
                .str("accountId", c.acct)
                .str("type", "AWS::S3::Bucket")
                .str("ARN", &format!("arn:aws:s3:::{bucket}"));
            (true, false)
        }
        Shape::ListBuckets => {
            Obj::new(&mut s.request).str("Host", "s3.amazonaws.com");
            s3_additional(rng, a, &mut s.additional);
            (true, false)
        }
        Shape::KmsDecrypt | Shape::KmsDataKey => {
            let key_arn = kms_key(rng, c);
            {
                let mut o = Obj::new(&mut s.request);
                if a.params == Shape::KmsDataKey {
                    o.str("keyId", &key_arn);
                    if a.name == "GenerateDataKey" {
                        o.str("keySpec", "AES_256");
                    }
                }
                o.str("encryptionAlgorithm", "SYMMETRIC_DEFAULT");
                let mut ctx = o.obj("encryptionContext");
                if rng.chance(1, 2) {
                    ctx.str(
                        "aws:s3:arn",
                        &format!("arn:aws:s3:::{}", rng.pick(&w.buckets)),
                    );
                } else {
                    ctx.str(
                        "aws:lambda:FunctionArn",
                        &format!(
                            "arn:aws:lambda:{}:{}:function:image-resizer",
                            c.region, c.acct
                        ),
                    );
                }
            }
            kms_resources(c, &key_arn, &mut s.resources);
            (true, false)
        }
        Shape::KmsRotate => {
            let key_arn = kms_key(rng, c);
            Obj::new(&mut s.additional).str("keyId", key_arn.rsplit('/').next().unwrap_or(""));
            kms_resources(c, &key_arn, &mut s.resources);
            (false, false)
        }
        Shape::IamRole => {
            Obj::new(&mut s.request).str(
                "roleName",
                rng.pick_str(&[
                    "eks-node-group-NodeInstanceRole",
                    "orders-api-task-role",
                    "GitHubActionsDeployRole",
                    "image-resizer-role",
                ]),
            );
            (true, false)
        }
        Shape::ListPolicies => {
            Obj::new(&mut s.request)
                .str("scope", "Local")
                .bool("onlyAttached", false)
                .u64("maxItems", 100);
            (true, false)
        }
        Shape::LambdaGet => {
            Obj::new(&mut s.request).str(
                "functionName",
                &format!(
                    "arn:aws:lambda:{}:{}:function:{}",
                    c.region,
                    c.acct,
                    rng.pick(&["image-resizer", "orders-events-consumer", "slack-notifier"])
                ),
            );
            (true, false)
        }
        Shape::LogStream => {
            let function =
                *rng.pick(&["image-resizer", "orders-events-consumer", "slack-notifier"]);
            let date = clock::civil(c.ts);
            s.text.clear();
            s.text.push_str(&format!(
                "{:04}/{:02}/{:02}/[$LATEST]",
                date.year, date.month, date.day
            ));
            rng.push_hex(&mut s.text, 32);
            Obj::new(&mut s.request)
                .str("logGroupName", &format!("/aws/lambda/{function}"))
                .str("logStreamName", &s.text);
            (true, false)
        }
        Shape::LogGroups => {
            Obj::new(&mut s.request).str(
                "logGroupNamePrefix",
                rng.pick_str(&["/aws/eks/", "/aws/lambda/", "/ecs/orders-api"]),
            );
            (true, false)
        }
        Shape::LookupEvents => {
            let mut o = Obj::new(&mut s.request);
            o.u64("maxResults", 50);
            let mut attrs = o.arr("lookupAttributes");
            attrs.obj().str("attributeKey", "EventName").str(
                "attributeValue",
                rng.pick_str(&["ConsoleLogin", "RunInstances", "CreateUser"]),
            );
            (true, false)
        }
        Shape::DescribeTrails => {
            let mut o = Obj::new(&mut s.request);
            o.arr("trailNameList");
            o.bool("includeShadowTrails", true);
            (true, false)
        }
        Shape::TrailStatus => {
            Obj::new(&mut s.request).str(
                "name",
                &format!(
                    "arn:aws:cloudtrail:us-east-1:{}:trail/{}",
                    w.accounts[0].id, w.trail_name
                ),
            );
            (true, false)
        }
        Shape::HostedZone => {
            Obj::new(&mut s.request).str("id", rng.pick(&w.hosted_zones).as_str());
            (true, false)
        }
        Shape::RecordSets => {
            Obj::new(&mut s.request)
                .str("hostedZoneId", rng.pick(&w.hosted_zones).as_str())
                .str("maxItems", "300");
            (true, false)
        }
        Shape::ChangeRecordSets => {
            s.text.clear();
            s.text
                .push_str(rng.pick_str(&["orders-api", "payments", "search", "grafana"]));
            s.text.push_str(".prod.northwind.internal");
            {
                let mut o = Obj::new(&mut s.request);
                o.str("hostedZoneId", rng.pick(&w.hosted_zones).as_str());
                let mut batch = o.obj("changeBatch");
                let mut changes = batch.arr("changes");
                let mut change = changes.obj();
                change.str("action", "UPSERT");
                let mut set = change.obj("resourceRecordSet");
                set.str("name", &s.text).str("type", "A").u64("tTL", 300);
                let mut ip = String::new();
                names::push_ipv4_in(&mut ip, rng, net);
                set.arr("resourceRecords").obj().str("value", &ip);
            }
            change_info(rng, c.ts, &mut s.response);
            (true, true)
        }
        Shape::GetChange => {
            s.text.clear();
            s.text.push_str("C0");
            rng.push_upper_alnum(&mut s.text, 19);
            Obj::new(&mut s.request).str("id", &s.text);
            (true, false)
        }
        Shape::ResolverList => {
            Obj::new(&mut s.request).u64("maxResults", 100);
            (true, false)
        }
        Shape::DomainDetail => {
            Obj::new(&mut s.request).str("domainName", rng.pick_str(&w.registered_domains));
            (true, false)
        }
        Shape::ConsoleLogin => {
            Obj::new(&mut s.response).str("ConsoleLogin", "Success");
            let mut o = Obj::new(&mut s.additional);
            o.str(
                "LoginTo",
                "https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true",
            )
            .str("MobileVersion", "No")
            .str("MFAUsed", "Yes");
            (false, true)
        }
        Shape::SsmInstanceInfo => {
            s.text.clear();
            match c.principal.map(|p| &p.identity) {
                Some(principals::Identity::Role { session, .. }) => s.text.push_str(session),
                _ => {
                    s.text.push_str("i-0");
                    rng.push_hex(&mut s.text, 16);
                }
            }
            let ip = c.principal.map_or("10.0.0.10", |p| p.source_ip());
            Obj::new(&mut s.request)
                .str("instanceId", &s.text)
                .str("agentVersion", "3.3.1142.0")
                .str("agentStatus", "Active")
                .str("platformType", "Linux")
                .str("platformName", "Amazon Linux")
                .str("platformVersion", "2023")
                .str("iPAddress", ip)
                .str(
                    "computerName",
                    &format!("ip-{}.ec2.internal", ip.replace('.', "-")),
                )
                .str("agentName", "amazon-ssm-agent")
                .str("availabilityZone", &format!("{}a", c.region));
            (true, false)
        }
        Shape::SsmParameter => {
            Obj::new(&mut s.request)
                .str(
                    "name",
                    rng.pick_str(&[
                        "/prod/orders/db-url",
                        "/prod/payments/stripe-webhook",
                        "/shared/datadog/api-key",
                    ]),
                )
                .bool("withDecryption", true);
            (true, false)
        }
        Shape::SecretValue => {
            Obj::new(&mut s.request).str(
                "secretId",
                rng.pick_str(&[
                    "prod/payments/stripe-key",
                    "prod/orders/db",
                    "shared/pagerduty",
                ]),
            );
            (true, false)
        }
        Shape::SecretRotation => {
            let mut suffix = String::new();
            rng.push_mixed_alnum(&mut suffix, 6);
            Obj::new(&mut s.additional).str(
                "SecretId",
                &format!(
                    "arn:aws:secretsmanager:{}:{}:secret:prod/orders/db-{suffix}",
                    c.region, c.acct
                ),
            );
            (false, false)
        }
        Shape::EcrImage => {
            let mut o = Obj::new(&mut s.request);
            o.str("registryId", c.acct).str(
                "repositoryName",
                rng.pick_str(&["orders-api", "payments", "frontend"]),
            );
            o.arr("imageIds")
                .obj()
                .str("imageTag", rng.pick_str(&["v1.42.0", "v1.42.1", "latest"]));
            o.arr("acceptedMediaTypes")
                .str("application/vnd.docker.distribution.manifest.v2+json")
                .str("application/vnd.oci.image.manifest.v1+json");
            (true, false)
        }
        Shape::EksCluster => {
            Obj::new(&mut s.request).str("name", "northwind-prod");
            (true, false)
        }
        Shape::MetricData => {
            let mut o = Obj::new(&mut s.request);
            o.time("startTime", c.ts - 3600).time("endTime", c.ts);
            let mut queries = o.arr("metricDataQueries");
            let mut q = queries.obj();
            q.str("id", "m1");
            let mut stat = q.obj("metricStat");
            stat.obj("metric")
                .str("namespace", "AWS/EC2")
                .str("metricName", "CPUUtilization");
            stat.u64("period", 300).str("stat", "Average");
            (true, false)
        }
        Shape::TargetHealth => {
            s.text.clear();
            rng.push_hex(&mut s.text, 16);
            Obj::new(&mut s.request).str(
                "targetGroupArn",
                &format!(
                    "arn:aws:elasticloadbalancing:{}:{}:targetgroup/orders-api/{}",
                    c.region, c.acct, s.text
                ),
            );
            (true, false)
        }
    }
}

fn assume_role_response(
    rng: &mut Rng,
    c: &Ctx<'_>,
    role: &str,
    session: &str,
    out: &mut Vec<u8>,
    web: Option<(&str, &str)>,
) {
    let mut key = "ASIA".to_string();
    rng.push_upper_alnum(&mut key, 16);
    let mut token = "IQoJb3JpZ2luX2VjE".to_string();
    rng.push_mixed_alnum(&mut token, 180);
    let mut role_id = "AROA".to_string();
    rng.push_upper_alnum(&mut role_id, 17);
    let mut o = Obj::new(out);
    o.obj("credentials")
        .str("accessKeyId", &key)
        .str("sessionToken", &token)
        .str("expiration", &clock::us_style(c.ts + 3600, true));
    if let Some((_, subject)) = web {
        o.str("subjectFromWebIdentityToken", subject);
    }
    o.obj("assumedRoleUser")
        .str("assumedRoleId", &format!("{role_id}:{session}"))
        .str(
            "arn",
            &format!("arn:aws:sts::{}:assumed-role/{role}/{session}", c.acct),
        );
    if let Some((provider, _)) = web {
        o.str("provider", provider)
            .str("audience", "sts.amazonaws.com");
    }
}

fn s3_additional(rng: &mut Rng, a: &Api, out: &mut Vec<u8>) {
    let mut id2 = String::new();
    rng.push_mixed_alnum(&mut id2, 76);
    let (in_bytes, out_bytes) = match a.name {
        "PutObject" => (rng.range(1_000, 5_000_000), 0),
        "GetObject" => (0, rng.range(500, 20_000_000)),
        _ => (0, rng.range(0, 4_000)),
    };
    Obj::new(out)
        .str("SignatureVersion", "SigV4")
        .str("CipherSuite", "TLS_AES_128_GCM_SHA256")
        .u64("bytesTransferredIn", in_bytes)
        .str("AuthenticationMethod", "AuthHeader")
        .str("x-amz-id-2", &id2)
        .u64("bytesTransferredOut", out_bytes);
}

fn kms_key(rng: &mut Rng, c: &Ctx<'_>) -> String {
    let key_id = [
        "0e5d0ab6-097e-49d8-99ef-747ce3e5f8f4",
        "7c1f0d52-4a9b-4e3e-8f4d-2b6a9c1e0d33",
    ];
    format!(
        "arn:aws:kms:{}:{}:key/{}",
        c.region,
        c.acct,
        rng.pick(&key_id)
    )
}

fn kms_resources(c: &Ctx<'_>, key_arn: &str, out: &mut Vec<u8>) {
    Arr::new(out)
        .obj()
        .str("accountId", c.acct)
        .str("type", "AWS::KMS::Key")
        .str("ARN", key_arn);
}

/// Writes a Route 53 `changeInfo` response for a change submitted at `ts`.
pub fn change_info(rng: &mut Rng, ts: i64, out: &mut Vec<u8>) {
    let mut id = "/change/C0".to_string();
    rng.push_upper_alnum(&mut id, 19);
    let mut o = Obj::new(out);
    o.obj("changeInfo")
        .str("id", &id)
        .str("status", "PENDING")
        .str("submittedAt", &clock::us_style(ts, false));
}
