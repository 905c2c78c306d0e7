//! The CloudTrail audit scenarios: domain transfer (with a failed attempt that
//! must not alert), transfer-lock removal, cross-account private hosted zone
//! association, Resolver query logging disassociation and deletion, the
//! lock-then-transfer hijack sequence, and name-server and contact changes.
//!
//! Route 53 and Route 53 Domains calls are recorded in us-east-1; Resolver
//! calls in the VPC's region. Domains event names use both casings (the
//! Route 53 guide says the first letter is logged lower-case).

use crate::attack::Attack;
use crate::clock;
use crate::cloudtrail::{self, Event, TLS_SUITES, Tls};
use crate::ct_params::change_info;
use crate::json::Obj;
use crate::manifest::Scenario;
use crate::principals::{
    self, Principal, UA_BOTO3, UA_CLI, UA_CONSOLE, UA_TERRAFORM, scenario_principal,
};
use crate::rng::Rng;
use crate::world::{HOME_REGION, World};

use super::{Planted, entry};

const DOMAINS: &str = "route53domains.amazonaws.com";
const DOMAINS_HOST: &str = "route53domains.us-east-1.amazonaws.com";

/// One planted call.
struct Call<'a> {
    principal: &'a Principal,
    region: &'a str,
    ts: i64,
    source: &'a str,
    name: &'a str,
    request: Vec<u8>,
    response: Option<Vec<u8>>,
    additional: Option<Vec<u8>>,
    error: Option<(&'a str, String)>,
    host: String,
    agent: &'a str,
    api_version: Option<&'a str>,
}

impl<'a> Call<'a> {
    fn new(principal: &'a Principal, ts: i64, source: &'a str, name: &'a str, host: &str) -> Self {
        Call {
            principal,
            region: HOME_REGION,
            ts,
            source,
            name,
            request: Vec::new(),
            response: None,
            additional: None,
            error: None,
            host: host.to_string(),
            agent: principal.agents[0],
            api_version: None,
        }
    }

    fn render(self, rng: &mut Rng, world: &World) -> Planted {
        let account = self.principal.account;
        let acct = &world.accounts[account].id;
        let mut identity = Vec::new();
        self.principal
            .write_identity(&mut identity, acct, self.ts, None);
        let event_id = rng.uuid();
        let request_id = rng.uuid();
        let (tls_version, cipher) = *rng.pick(&TLS_SUITES);
        let region_index = usize::from(self.region != HOME_REGION);
        let event = Event {
            version: "1.10",
            identity: &identity,
            time: self.ts,
            source: self.source,
            name: self.name,
            region: self.region,
            source_ip: self.principal.source_ip(),
            user_agent: self.agent,
            error: self
                .error
                .as_ref()
                .map(|(code, msg)| (*code, Some(msg.as_str()))),
            request: Some(&self.request),
            response: self.response.as_deref(),
            additional: self.additional.as_deref(),
            request_id: Some(&request_id),
            event_id: &event_id,
            read_only: false,
            resources: None,
            event_type: "AwsApiCall",
            api_version: self.api_version,
            management: true,
            recipient: acct,
            shared_event_id: None,
            vpc_endpoint: None,
            category: "Management",
            tls: Some(Tls {
                version: tls_version,
                cipher,
                host: &self.host,
            }),
            console_session: false,
        };
        let mut bytes = Vec::with_capacity(1024);
        cloudtrail::write(&mut bytes, &event);
        Planted {
            ts: self.ts,
            target: account * 2 + region_index,
            bytes,
        }
    }
}

fn operation_id(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    Obj::new(&mut out).str("operationId", &rng.uuid());
    out
}

fn public_ip(rng: &mut Rng, first: u8) -> String {
    format!(
        "{first}.{}.{}.{}",
        rng.below(256),
        rng.below(256),
        rng.range(1, 255)
    )
}

fn other_account(rng: &mut Rng, world: &World) -> String {
    loop {
        let id = rng.account_id();
        if world.accounts.iter().all(|a| a.id != id) {
            return id;
        }
    }
}

fn transfer_request(domain: &str, to: &str) -> Vec<u8> {
    let mut out = Vec::new();
    Obj::new(&mut out)
        .str("domainName", domain)
        .str("accountId", to);
    out
}

fn transfer_response(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    Obj::new(&mut out)
        .str("operationId", &rng.uuid())
        .str("password", "HIDDEN_DUE_TO_SECURITY_REASONS");
    out
}

fn domain_request(domain: &str) -> Vec<u8> {
    let mut out = Vec::new();
    Obj::new(&mut out).str("domainName", domain);
    out
}

/// A failed transfer attempt, then a successful one of the same domain.
pub fn domain_transferred(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::DomainTransferred;
    let home = &world.accounts[0].id;
    let domain = world.registered_domains[4];
    let to = other_account(rng, world);
    let intern = principals::iam_user(rng, "dev-intern", false);
    let intern = scenario_principal(rng, 0, intern, &[UA_CLI], "198.51.100.61");
    let sso_role = format!("AWSReservedSSO_AdministratorAccess_{}", rng.hex(16));
    let admin = principals::role(
        rng,
        "aws-reserved/sso.amazonaws.com/",
        &sso_role,
        "r.kowalski@northwindlabs.com",
        false,
    );
    let ip = public_ip(rng, 185);
    let admin = scenario_principal(rng, 0, admin, &[UA_CLI], &ip);
    let mut failed = Call::new(
        &intern,
        t0 + rng.range(0, 20) as i64,
        DOMAINS,
        "TransferDomainToAnotherAwsAccount",
        DOMAINS_HOST,
    );
    failed.request = transfer_request(domain, &to);
    failed.error = Some((
        "AccessDenied",
        format!(
            "User: {} is not authorized to perform: route53domains:TransferDomainToAnotherAwsAccount because no identity-based policy allows the route53domains:TransferDomainToAnotherAwsAccount action",
            intern.arn(home)
        ),
    ));
    let mut ok = Call::new(
        &admin,
        t0 + rng.range(90, 170) as i64,
        DOMAINS,
        "transferDomainToAnotherAwsAccount",
        DOMAINS_HOST,
    );
    ok.request = transfer_request(domain, &to);
    ok.response = Some(transfer_response(rng));
    let records = vec![failed.render(rng, world), ok.render(rng, world)];
    let mut s = entry(
        attack,
        home,
        HOME_REGION,
        "A failed TransferDomainToAnotherAwsAccount (AccessDenied, must not alert) followed by a successful transferDomainToAnotherAwsAccount of the same domain by another principal.",
    );
    s.principal_arn = Some(admin.arn(home));
    s.domain = Some(domain.to_string());
    s.target = Some(to);
    s.failed_records = 1;
    (s, records)
}

/// The transfer lock of a registered domain removed.
pub fn transfer_lock_disabled(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::TransferLockDisabled;
    let home = &world.accounts[0].id;
    let domain = world.registered_domains[3];
    let user = principals::iam_user(rng, "ops-legacy", false);
    let ip = public_ip(rng, 45);
    let user = scenario_principal(rng, 0, user, &[UA_BOTO3], &ip);
    let mut call = Call::new(
        &user,
        t0 + rng.range(0, 30) as i64,
        DOMAINS,
        "DisableDomainTransferLock",
        DOMAINS_HOST,
    );
    call.request = domain_request(domain);
    call.response = Some(operation_id(rng));
    let records = vec![call.render(rng, world)];
    let mut s = entry(
        attack,
        home,
        HOME_REGION,
        "DisableDomainTransferLock on a registered domain using a long-lived access key.",
    );
    s.principal_arn = Some(user.arn(home));
    s.domain = Some(domain.to_string());
    (s, records)
}

/// Account 1's VPC associated with account 0's private hosted zone.
pub fn private_zone_associated(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::PrivateZoneAssociated;
    // The VPC owner (account 1) associates its VPC with account 0's zone.
    let vpc_index = world.vpcs.iter().position(|v| v.account == 1).unwrap_or(0);
    let vpc = &world.vpcs[vpc_index];
    let owner = &world.accounts[vpc.account].id;
    let zone = &world.hosted_zones[0];
    let role = principals::role(
        rng,
        "",
        "OrganizationAccountAccessRole",
        "ext-contractor",
        false,
    );
    let ip = public_ip(rng, 203);
    let actor = scenario_principal(rng, vpc.account, role, &[UA_CLI], &ip);
    let ts = t0 + rng.range(0, 30) as i64;
    let mut call = Call::new(
        &actor,
        ts,
        "route53.amazonaws.com",
        "AssociateVPCWithHostedZone",
        "route53.amazonaws.com",
    );
    call.api_version = Some("2013-04-01");
    {
        let mut o = Obj::new(&mut call.request);
        o.str("hostedZoneId", zone);
        o.obj("vPC")
            .str("vPCRegion", world.vpc_region(vpc_index))
            .str("vPCId", &vpc.id);
        o.str("comment", "temporary access for migration");
    }
    let mut response = Vec::new();
    change_info(rng, ts, &mut response);
    call.response = Some(response);
    let records = vec![call.render(rng, world)];
    let mut s = entry(
        attack,
        owner,
        HOME_REGION,
        "AssociateVPCWithHostedZone: another account's private hosted zone associated with this account's VPC.",
    );
    s.principal_arn = Some(actor.arn(owner));
    s.vpc_id = Some(vpc.id.clone());
    s.target = Some(zone.clone());
    (s, records)
}

/// Query logging disassociated from a VPC, then the configuration deleted.
pub fn query_logging_disabled(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::QueryLoggingDisabled;
    let vpc_index = world.vpcs.iter().position(|v| v.account == 2).unwrap_or(0);
    let vpc = &world.vpcs[vpc_index];
    let owner = &world.accounts[vpc.account].id;
    let region = world.vpc_region(vpc_index);
    let config = &vpc.query_log_config;
    let host = format!("route53resolver.{region}.amazonaws.com");
    let user = principals::iam_user(rng, "svc-logging-admin", false);
    let ip = public_ip(rng, 91);
    let user = scenario_principal(rng, vpc.account, user, &[UA_TERRAFORM], &ip);
    let created = t0 - 86_400 * rng.range(30, 300) as i64;
    let t1 = t0 + rng.range(0, 30) as i64;
    let mut disassociate = Call::new(
        &user,
        t1,
        "route53resolver.amazonaws.com",
        "DisassociateResolverQueryLogConfig",
        &host,
    );
    disassociate.region = region;
    Obj::new(&mut disassociate.request)
        .str("resolverQueryLogConfigId", config)
        .str("resourceId", &vpc.id);
    let mut response = Vec::new();
    {
        let mut o = Obj::new(&mut response);
        let mut assoc = o.obj("resolverQueryLogConfigAssociation");
        assoc
            .str("id", &format!("rqlca-{}", rng.hex(15)))
            .str("resolverQueryLogConfigId", config)
            .str("resourceId", &vpc.id)
            .str("status", "DELETING")
            .str("error", "NONE")
            .str("errorMessage", "")
            .str("creationTime", &iso_nanos(created, rng));
    }
    disassociate.response = Some(response);
    let mut delete = Call::new(
        &user,
        t1 + rng.range(200, 260) as i64,
        "route53resolver.amazonaws.com",
        "DeleteResolverQueryLogConfig",
        &host,
    );
    delete.region = region;
    Obj::new(&mut delete.request)
        .u64("originSequenceNumber", 0)
        .str("resolverQueryLogConfigId", config);
    let mut response = Vec::new();
    {
        let mut o = Obj::new(&mut response);
        let mut cfg = o.obj("resolverQueryLogConfig");
        cfg.str(
            "arn",
            &format!("arn:aws:route53resolver:{region}:{owner}:resolver-query-log-config/{config}"),
        )
        .u64("associationCount", 0)
        .str("creationTime", &iso_nanos(created, rng))
        .str(
            "creatorRequestId",
            &format!(
                "tf-r53-resolver-query-log-config-{}",
                rng.range(10_000_000, 99_999_999)
            ),
        )
        .str(
            "destinationArn",
            &format!("arn:aws:s3:::northwind-dns-query-logs-{owner}"),
        )
        .str("id", config)
        .str("name", "vpc-dns-query-logging")
        .str("ownerId", owner)
        .str("shareStatus", "NOT_SHARED")
        .str("status", "DELETING");
    }
    delete.response = Some(response);
    let records = vec![disassociate.render(rng, world), delete.render(rng, world)];
    let mut s = entry(
        attack,
        owner,
        region,
        "DisassociateResolverQueryLogConfig for the VPC, then DeleteResolverQueryLogConfig of the same configuration.",
    );
    s.principal_arn = Some(user.arn(owner));
    s.vpc_id = Some(vpc.id.clone());
    s.target = Some(config.clone());
    (s, records)
}

/// Lock removal, then a transfer of the same domain ~20 minutes later.
pub fn hijack_sequence(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::DomainHijackSequence;
    let home = &world.accounts[0].id;
    let domain = world.registered_domains[2];
    let to = other_account(rng, world);
    let user = principals::iam_user(rng, "registrar-bot", false);
    let ip = public_ip(rng, 185);
    let user = scenario_principal(rng, 0, user, &[UA_BOTO3], &ip);
    let t1 = t0 + rng.range(0, 30) as i64;
    let mut unlock = Call::new(
        &user,
        t1,
        DOMAINS,
        "disableDomainTransferLock",
        DOMAINS_HOST,
    );
    unlock.request = domain_request(domain);
    unlock.response = Some(operation_id(rng));
    let mut transfer = Call::new(
        &user,
        t1 + rng.range(1140, 1260) as i64,
        DOMAINS,
        "TransferDomainToAnotherAwsAccount",
        DOMAINS_HOST,
    );
    transfer.request = transfer_request(domain, &to);
    transfer.response = Some(transfer_response(rng));
    let records = vec![unlock.render(rng, world), transfer.render(rng, world)];
    let mut s = entry(
        attack,
        home,
        HOME_REGION,
        "disableDomainTransferLock then, about 20 minutes later, TransferDomainToAnotherAwsAccount of the same domain by the same principal; each event also matches its single-event detection.",
    );
    s.principal_arn = Some(user.arn(home));
    s.domain = Some(domain.to_string());
    s.target = Some(to);
    (s, records)
}

/// Name servers and contact of a registered domain changed.
pub fn contact_changed(rng: &mut Rng, world: &World, t0: i64) -> (Scenario, Vec<Planted>) {
    let attack = Attack::DomainContactChanged;
    let home = &world.accounts[0].id;
    let domain = world.registered_domains[1];
    let session = format!(
        "botocore-session-{}",
        rng.range(1_700_000_000, 1_800_000_000)
    );
    let role = principals::role(rng, "", "DomainOpsRole", &session, false);
    let ip = public_ip(rng, 45);
    let actor = scenario_principal(rng, 0, role, &[UA_CLI, UA_CONSOLE], &ip);
    let t1 = t0 + rng.range(0, 30) as i64;
    let mut ns = Call::new(&actor, t1, DOMAINS, "updateDomainNameservers", DOMAINS_HOST);
    {
        let mut o = Obj::new(&mut ns.request);
        o.str("domainName", domain);
        let mut list = o.arr("nameservers");
        list.obj().str("name", "ns1.dnsowl-hosting.net");
        list.obj().str("name", "ns2.dnsowl-hosting.net");
    }
    ns.response = Some(operation_id(rng));
    let mut contact = Call::new(
        &actor,
        t1 + rng.range(120, 200) as i64,
        DOMAINS,
        "updateDomainContact",
        DOMAINS_HOST,
    );
    contact.agent = UA_CONSOLE;
    Obj::new(&mut contact.request)
        .obj("domainName")
        .str("name", domain);
    contact.response = Some(operation_id(rng));
    let mut note = Vec::new();
    crate::json::push_str(
        &mut note,
        "Personally-identifying contact information is not logged in the request",
    );
    contact.additional = Some(note);
    let records = vec![ns.render(rng, world), contact.render(rng, world)];
    let mut s = entry(
        attack,
        home,
        HOME_REGION,
        "updateDomainNameservers to outside name servers, then updateDomainContact (domainName logged as an object).",
    );
    s.principal_arn = Some(actor.arn(home));
    s.domain = Some(domain.to_string());
    (s, records)
}

/// `2026-03-04T05:06:07.123456789Z`, the nanosecond form Resolver APIs return.
fn iso_nanos(ts: i64, rng: &mut Rng) -> String {
    let base = clock::rfc3339(ts);
    format!(
        "{}.{:09}Z",
        base.trim_end_matches('Z'),
        rng.below(1_000_000_000)
    )
}
