//! IAM principals and the `userIdentity` objects CloudTrail records for them.
//!
//! Each account has human users and SSO sessions, automation (Terraform, CI,
//! external-dns) and workloads (EKS node and pod roles, ECS tasks, Lambda). The
//! identity variants follow the real records: `IAMUser` (with a
//! `sessionContext` when the call came from the console), `AssumedRole` with
//! `sessionContext.sessionIssuer` and the MFA flag as the *string*
//! `"true"`/`"false"`, `Root`, `WebIdentityUser`, and `AWSService` with
//! `invokedBy` (written without `type` on some service events).

use crate::json::Obj;
use crate::rng::{self, Rng};
use crate::world::World;

/// A browser user agent, for console sessions.
pub const UA_CONSOLE: &str = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36";
/// The agent AWS records for calls the console makes on a user's behalf.
pub const UA_AWS_INTERNAL: &str = "AWS Internal";
pub const UA_CLI: &str = "aws-cli/2.18.10 md/awscrt#0.22.0 ua/2.0 os/macos#23.6.0 md/arch#arm64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#route53.list-hosted-zones";
pub const UA_CLI_LINUX: &str = "aws-cli/2.17.42 md/awscrt#0.21.2 ua/2.0 os/linux#6.8.0-1015-aws md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#ec2.describe-instances";
pub const UA_BOTO3: &str = "Boto3/1.35.36 md/Botocore#1.35.36 ua/2.0 os/linux#6.1.109-118.189.amzn2023.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.35.36";
pub const UA_BOTO3_LAMBDA: &str = "Boto3/1.34.145 md/Botocore#1.34.145 ua/2.0 os/linux#5.10.226-235.879.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.7 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.145";
pub const UA_TERRAFORM: &str = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.72.1 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.32.2 ua/2.1 os/linux lang/go#1.23.2 md/GOOS#linux md/GOARCH#amd64";
pub const UA_GO_SDK: &str =
    "aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/sts#1.30.3";
pub const UA_JAVA_SDK: &str = "aws-sdk-java/2.28.16 Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/21.0.5+11-LTS Java/21.0.5 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/standard";
pub const UA_SSM_AGENT: &str =
    "aws-sdk-go/1.55.5 (go1.22.7; linux; amd64) amazon-ssm-agent/3.3.1142.0";
pub const UA_EXTERNAL_DNS: &str = "ExternalDNS/v0.15.0 aws-sdk-go-v2/1.30.3 os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64 api/route53#1.42.3";

/// What a principal is for; background calls choose principals by class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    Human,
    Automation,
    Workload,
    /// Only for `AssumeRoleWithWebIdentity`.
    WebIdentity,
    /// The account root user, used rarely.
    Root,
}

/// Where a principal's calls come from.
pub enum Origin {
    /// A public address (office, NAT gateway, CI runner).
    Ip(String),
    /// A private address reaching AWS through an interface VPC endpoint.
    Endpoint { ip: String, vpce: String },
}

/// The identity variants.
pub enum Identity {
    IamUser {
        name: String,
        principal_id: String,
        access_key: String,
        console: bool,
    },
    Role {
        /// IAM path of the role, e.g. `aws-reserved/sso.amazonaws.com/`.
        path: &'static str,
        role: String,
        role_id: String,
        session: String,
        mfa: bool,
        /// An EC2 instance profile session (adds `ec2RoleDelivery`).
        instance: bool,
    },
    Root,
    OidcUser {
        provider: String,
        subject: String,
    },
}

/// One principal of one account.
pub struct Principal {
    pub account: usize,
    pub class: Class,
    pub identity: Identity,
    pub agents: &'static [&'static str],
    pub origin: Origin,
    /// Stable per-principal entropy for session keys and start times.
    salt: u64,
}

impl Principal {
    /// The `userIdentity.arn` of the principal.
    pub fn arn(&self, account_id: &str) -> String {
        match &self.identity {
            Identity::IamUser { name, .. } => format!("arn:aws:iam::{account_id}:user/{name}"),
            Identity::Role { role, session, .. } => {
                format!("arn:aws:sts::{account_id}:assumed-role/{role}/{session}")
            }
            Identity::Root => format!("arn:aws:iam::{account_id}:root"),
            Identity::OidcUser { subject, .. } => subject.clone(),
        }
    }

    /// The IAM role ARN behind an assumed-role principal.
    pub fn role_arn(&self, account_id: &str) -> Option<String> {
        match &self.identity {
            Identity::Role { path, role, .. } => {
                Some(format!("arn:aws:iam::{account_id}:role/{path}{role}"))
            }
            _ => None,
        }
    }

    /// The source address recorded for the principal's calls.
    pub fn source_ip(&self) -> &str {
        match &self.origin {
            Origin::Ip(ip) | Origin::Endpoint { ip, .. } => ip,
        }
    }

    /// The VPC endpoint the calls go through, if any.
    pub fn vpc_endpoint(&self) -> Option<&str> {
        match &self.origin {
            Origin::Ip(_) => None,
            Origin::Endpoint { vpce, .. } => Some(vpce),
        }
    }

    /// Start of the session that is current at `ts` (sessions last an hour).
    fn session_start(&self, ts: i64) -> i64 {
        let offset = (self.salt % 3600) as i64;
        (ts - offset).div_euclid(3600) * 3600 + offset
    }

    /// The temporary access key of the session current at `ts`.
    fn session_key(&self, ts: i64) -> String {
        let mut h = rng::mix(self.salt ^ self.session_start(ts) as u64);
        let mut key = String::with_capacity(20);
        key.push_str("ASIA");
        for _ in 0..16 {
            key.push(char::from(
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"[(h & 31) as usize],
            ));
            h = h.rotate_right(5) ^ 0x9e37_79b9;
        }
        key
    }

    /// Writes the `userIdentity` object for a call at `ts`. `invoked_by` adds
    /// `invokedBy` (for example `AWS Internal`).
    pub fn write_identity(
        &self,
        out: &mut Vec<u8>,
        account_id: &str,
        ts: i64,
        invoked_by: Option<&str>,
    ) {
        let mut o = Obj::new(out);
        match &self.identity {
            Identity::IamUser {
                name,
                principal_id,
                access_key,
                console,
            } => {
                o.str("type", "IAMUser")
                    .str("principalId", principal_id)
                    .str("arn", &self.arn(account_id))
                    .str("accountId", account_id);
                if *console {
                    o.str("accessKeyId", &self.session_key(ts))
                        .str("userName", name);
                    let mut ctx = o.obj("sessionContext");
                    ctx.obj("sessionIssuer");
                    ctx.obj("webIdFederationData");
                    ctx.obj("attributes")
                        .time("creationDate", self.session_start(ts))
                        .str("mfaAuthenticated", "true");
                } else {
                    o.str("accessKeyId", access_key).str("userName", name);
                }
            }
            Identity::Role {
                role,
                role_id,
                session,
                mfa,
                instance,
                ..
            } => {
                o.str("type", "AssumedRole")
                    .str("principalId", &format!("{role_id}:{session}"))
                    .str("arn", &self.arn(account_id))
                    .str("accountId", account_id)
                    .str("accessKeyId", &self.session_key(ts));
                let mut ctx = o.obj("sessionContext");
                ctx.obj("sessionIssuer")
                    .str("type", "Role")
                    .str("principalId", role_id)
                    .str("arn", &self.role_arn(account_id).unwrap_or_default())
                    .str("accountId", account_id)
                    .str("userName", role);
                ctx.obj("webIdFederationData");
                ctx.obj("attributes")
                    .time("creationDate", self.session_start(ts))
                    .str("mfaAuthenticated", if *mfa { "true" } else { "false" });
                if *instance {
                    ctx.str("ec2RoleDelivery", "2.0");
                }
            }
            Identity::Root => {
                o.str("type", "Root")
                    .str("principalId", account_id)
                    .str("arn", &self.arn(account_id))
                    .str("accountId", account_id)
                    .str("accessKeyId", &self.session_key(ts));
                let mut ctx = o.obj("sessionContext");
                ctx.obj("sessionIssuer");
                ctx.obj("webIdFederationData");
                ctx.obj("attributes")
                    .time("creationDate", self.session_start(ts))
                    .str("mfaAuthenticated", "true");
            }
            Identity::OidcUser { provider, subject } => {
                o.str("type", "WebIdentityUser")
                    .str(
                        "principalId",
                        &format!("{provider}:sts.amazonaws.com:{subject}"),
                    )
                    .str("userName", subject)
                    .str("identityProvider", provider);
            }
        }
        if let Some(by) = invoked_by {
            o.str("invokedBy", by);
        }
    }
}

impl Principal {
    /// Whether the principal signs in to the console.
    pub fn uses_console(&self) -> bool {
        self.agents.contains(&UA_CONSOLE)
    }

    /// Writes the `userIdentity` of a `ConsoleLogin` event: no access key and,
    /// for users, no session context yet.
    pub fn write_login_identity(&self, out: &mut Vec<u8>, account_id: &str, ts: i64) {
        match &self.identity {
            Identity::IamUser {
                name, principal_id, ..
            } => {
                Obj::new(out)
                    .str("type", "IAMUser")
                    .str("principalId", principal_id)
                    .str("arn", &self.arn(account_id))
                    .str("accountId", account_id)
                    .str("userName", name);
            }
            Identity::Root => {
                Obj::new(out)
                    .str("type", "Root")
                    .str("principalId", account_id)
                    .str("arn", &self.arn(account_id))
                    .str("accountId", account_id);
            }
            _ => self.write_identity(out, account_id, ts, None),
        }
    }
}

/// Writes the identity of an AWS service acting on its own (`type` can be
/// left out, as on some `AwsServiceEvent` records).
pub fn write_service_identity(
    out: &mut Vec<u8>,
    service: &str,
    account_id: Option<&str>,
    with_type: bool,
) {
    let mut o = Obj::new(out);
    if with_type {
        o.str("type", "AWSService");
    }
    if let Some(acct) = account_id {
        o.str("accountId", acct);
    }
    o.str("invokedBy", service);
}

/// Every principal of every account, grouped by class.
pub struct Principals {
    pub all: Vec<Principal>,
    /// Indices into `all`, per account and class (in [`class_index`] order).
    by_class: Vec<[Vec<usize>; 5]>,
}

fn class_index(class: Class) -> usize {
    match class {
        Class::Human => 0,
        Class::Automation => 1,
        Class::Workload => 2,
        Class::WebIdentity => 3,
        Class::Root => 4,
    }
}

impl Principals {
    /// Builds the principals of every account of `world`.
    pub fn new(world: &World, seed: u64) -> Principals {
        let mut all = Vec::new();
        for account in 0..world.accounts.len() {
            let mut rng = Rng::derive(seed, "principals", account as u64);
            add_account(&mut all, &mut rng, world, account);
        }
        let mut by_class: Vec<[Vec<usize>; 5]> = (0..world.accounts.len())
            .map(|_| Default::default())
            .collect();
        for (i, p) in all.iter().enumerate() {
            by_class[p.account][class_index(p.class)].push(i);
        }
        Principals { all, by_class }
    }

    /// A random principal of `class` in `account`, if the account has one.
    pub fn pick(&self, rng: &mut Rng, account: usize, class: Class) -> Option<&Principal> {
        let list = &self.by_class[account][class_index(class)];
        (!list.is_empty()).then(|| &self.all[*rng.pick(list)])
    }

    /// A random principal of `class` in `account` that uses the console.
    pub fn pick_console(&self, rng: &mut Rng, account: usize, class: Class) -> Option<&Principal> {
        let list: Vec<usize> = self.by_class[account][class_index(class)]
            .iter()
            .copied()
            .filter(|&i| self.all[i].uses_console())
            .collect();
        (!list.is_empty()).then(|| &self.all[*rng.pick(&list)])
    }
}

/// A principal made for one scenario: an identity that does not otherwise
/// appear in the background.
pub fn scenario_principal(
    rng: &mut Rng,
    account: usize,
    identity: Identity,
    agents: &'static [&'static str],
    ip: &str,
) -> Principal {
    Principal {
        account,
        class: Class::Human,
        identity,
        agents,
        origin: Origin::Ip(ip.to_string()),
        salt: rng.u64(),
    }
}

/// A `AIDA…`/`AROA…`-style unique id.
pub fn unique_id(rng: &mut Rng, prefix: &str) -> String {
    let mut s = prefix.to_string();
    rng.push_upper_alnum(&mut s, 17);
    s
}

/// A new IAM user identity.
pub fn iam_user(rng: &mut Rng, name: &str, console: bool) -> Identity {
    let mut access_key = "AKIA".to_string();
    rng.push_upper_alnum(&mut access_key, 16);
    Identity::IamUser {
        name: name.to_string(),
        principal_id: unique_id(rng, "AIDA"),
        access_key,
        console,
    }
}

/// A new assumed-role identity.
pub fn role(rng: &mut Rng, path: &'static str, role: &str, session: &str, mfa: bool) -> Identity {
    Identity::Role {
        path,
        role: role.to_string(),
        role_id: unique_id(rng, "AROA"),
        session: session.to_string(),
        mfa,
        instance: false,
    }
}

const SSO_PATH: &str = "aws-reserved/sso.amazonaws.com/";

fn add_account(all: &mut Vec<Principal>, rng: &mut Rng, world: &World, account: usize) {
    let acct_id = &world.accounts[account].id;
    let office = format!("198.51.100.{}", 10 + rng.below(40));
    let nat = format!(
        "3.{}.{}.{}",
        208 + rng.below(24),
        rng.below(256),
        rng.range(1, 255)
    );
    let runner = format!(
        "20.{}.{}.{}",
        40 + rng.below(20),
        rng.below(256),
        rng.range(1, 255)
    );
    let vpc = world
        .vpcs
        .iter()
        .position(|v| v.account == account)
        .unwrap_or(0);
    let net = world.vpcs[vpc].net;
    let mut vpce = "vpce-0".to_string();
    rng.push_hex(&mut vpce, 16);
    let private = format!(
        "{}.{}.{}.{}",
        net[0],
        net[1],
        rng.below(64),
        rng.range(4, 251)
    );
    let sso_suffix = rng.hex(16);
    let mut push = |rng: &mut Rng,
                    class: Class,
                    identity: Identity,
                    agents: &'static [&'static str],
                    origin: Origin| {
        all.push(Principal {
            account,
            class,
            identity,
            agents,
            origin,
            salt: rng.u64(),
        });
    };
    const HUMAN: &[&str] = &[UA_CONSOLE, UA_CLI, UA_AWS_INTERNAL];
    let u = iam_user(rng, "alice.nguyen", true);
    push(rng, Class::Human, u, HUMAN, Origin::Ip(office.clone()));
    let u = iam_user(rng, "backup-operator", false);
    push(
        rng,
        Class::Human,
        u,
        &[UA_BOTO3, UA_CLI_LINUX],
        Origin::Ip(nat.clone()),
    );
    let r = role(
        rng,
        SSO_PATH,
        &format!("AWSReservedSSO_AdministratorAccess_{sso_suffix}"),
        "jane.doe@northwindlabs.com",
        false,
    );
    push(rng, Class::Human, r, HUMAN, Origin::Ip(office.clone()));
    let r = role(
        rng,
        SSO_PATH,
        &format!("AWSReservedSSO_ReadOnlyAccess_{sso_suffix}"),
        "sam.patel@northwindlabs.com",
        false,
    );
    push(rng, Class::Human, r, HUMAN, Origin::Ip(office));
    if account == 0 {
        push(
            rng,
            Class::Root,
            Identity::Root,
            &[UA_CONSOLE],
            Origin::Ip("198.51.100.7".into()),
        );
    }
    let u = iam_user(rng, "terraform-ci", false);
    push(
        rng,
        Class::Automation,
        u,
        &[UA_TERRAFORM],
        Origin::Ip(nat.clone()),
    );
    let r = role(rng, "", "GitHubActionsDeployRole", "GitHubActions", false);
    push(
        rng,
        Class::Automation,
        r,
        &[UA_TERRAFORM, UA_CLI_LINUX],
        Origin::Ip(runner),
    );
    let mut session = String::new();
    rng.push_hex(&mut session, 8);
    let r = role(
        rng,
        "",
        "external-dns",
        &format!("external-dns-{session}"),
        false,
    );
    push(
        rng,
        Class::Automation,
        r,
        &[UA_EXTERNAL_DNS],
        Origin::Ip(nat.clone()),
    );
    let mut instance = "i-0".to_string();
    rng.push_hex(&mut instance, 16);
    let mut node = role(rng, "", "eks-node-group-NodeInstanceRole", &instance, false);
    if let Identity::Role { instance, .. } = &mut node {
        *instance = true;
    }
    push(
        rng,
        Class::Workload,
        node,
        &[UA_GO_SDK, UA_SSM_AGENT],
        Origin::Endpoint { ip: private, vpce },
    );
    let task = rng.hex(32);
    let r = role(rng, "", "orders-api-task-role", &task, false);
    push(
        rng,
        Class::Workload,
        r,
        &[UA_JAVA_SDK],
        Origin::Ip(nat.clone()),
    );
    let r = role(
        rng,
        "service-role/",
        "image-resizer-role",
        "image-resizer",
        false,
    );
    push(
        rng,
        Class::Workload,
        r,
        &[UA_BOTO3_LAMBDA],
        Origin::Ip(nat.clone()),
    );
    let oidc = rng.hex(32).to_ascii_uppercase();
    let provider = format!(
        "arn:aws:iam::{acct_id}:oidc-provider/oidc.eks.{}.amazonaws.com/id/{oidc}",
        world.regions[world.vpcs[vpc].region]
    );
    let irsa = Identity::OidcUser {
        provider,
        subject: "system:serviceaccount:shop:orders-api".into(),
    };
    push(rng, Class::WebIdentity, irsa, &[UA_GO_SDK], Origin::Ip(nat));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identities_are_valid_json_with_string_mfa() {
        let world = World::new(5, 1);
        let ps = Principals::new(&world, 5);
        assert!(ps.all.len() >= 11 * 3);
        for p in &ps.all {
            let acct = &world.accounts[p.account].id;
            let mut out = Vec::new();
            p.write_identity(&mut out, acct, crate::clock::DEFAULT_START, None);
            let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
            if let Some(mfa) = v.pointer("/sessionContext/attributes/mfaAuthenticated") {
                assert!(mfa.is_string());
            }
            if v["type"] == "AssumedRole" {
                assert_eq!(v["arn"], p.arn(acct));
                assert_eq!(v["sessionContext"]["sessionIssuer"]["type"], "Role");
            }
        }
    }

    #[test]
    fn session_keys_are_stable_within_a_session() {
        let world = World::new(5, 1);
        let ps = Principals::new(&world, 5);
        let p = &ps.all[2];
        let t = crate::clock::DEFAULT_START;
        let start = p.session_start(t);
        assert!(start <= t && t - start < 3600);
        assert_eq!(p.session_key(start), p.session_key(start + 3599));
        assert_ne!(p.session_key(start), p.session_key(start + 3600));
    }
}
