//! The benign CloudTrail event generator.
//!
//! Draws calls from the weighted [catalogue](crate::ct_catalog) over many
//! services (EC2 `Describe*`, STS, S3 data events, KMS, IAM, Lambda, CloudWatch
//! Logs, CloudTrail, Route 53, Route 53 Resolver `List*`, Route 53 Domains
//! reads, console sign-ins, SSM, Secrets Manager, ECR, EKS, CloudWatch, ELB
//! and two service events), chooses a principal of the right kind, and writes
//! the event. Global services appear only in us-east-1. About 7% of calls fail
//! (`AccessDenied`, throttling, EC2's `Client.*` codes); failures carry
//! `errorCode`, nearly always `errorMessage`, and null `responseElements`.

use crate::cloudtrail::{self, Event, TLS_SUITES, Tls};
use crate::ct_catalog::{Api, CATALOG, EC2, Host, R53, S3, Shape, Who};

use crate::ct_params::{self, Ctx, Scratch};
use crate::principals::{self, Class, Principal, Principals, UA_AWS_INTERNAL, UA_CONSOLE};
use crate::rng::{Rng, cumulative};
use crate::world::{HOME_REGION, World};

/// The benign CloudTrail generator of one run.
pub struct Background<'w> {
    world: &'w World,
    principals: &'w Principals,
    /// Cumulative catalogue weights for the home region and the other region.
    tables: [Vec<u32>; 2],
}

impl<'w> Background<'w> {
    /// Prepares the weight tables.
    pub fn new(world: &'w World, principals: &'w Principals) -> Self {
        let home = cumulative(CATALOG.iter().map(|a| a.weight));
        let other = cumulative(CATALOG.iter().map(|a| if a.global { 0 } else { a.weight }));
        Background {
            world,
            principals,
            tables: [home, other],
        }
    }

    /// Appends one benign event of `account` in region index `region` at `ts`.
    pub fn write_event(
        &self,
        rng: &mut Rng,
        account: usize,
        region: usize,
        ts: i64,
        s: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        let w = self.world;
        let region_name = w.regions[region];
        let acct = w.accounts[account].id.as_str();
        let a = &CATALOG[rng.weighted(&self.tables[usize::from(region_name != HOME_REGION)])];

        s.identity.clear();
        let mut principal: Option<&Principal> = None;
        let mut agent = "";
        let mut source_ip = "";
        let mut console_session = false;
        let mut tls = true;
        match a.who {
            Who::Service(svc) => {
                principals::write_service_identity(&mut s.identity, svc, None, true);
                agent = svc;
                source_ip = svc;
                tls = false;
            }
            Who::ServiceEvent(svc) => {
                let typed = rng.chance(1, 2);
                principals::write_service_identity(&mut s.identity, svc, Some(acct), typed);
                agent = svc;
                source_ip = svc;
                tls = false;
            }
            _ => {
                let class = match a.who {
                    Who::Human if a.params == Shape::ConsoleLogin && rng.chance(1, 12) => {
                        Class::Root
                    }
                    Who::Human => Class::Human,
                    Who::Automation => Class::Automation,
                    Who::Workload => Class::Workload,
                    Who::WebIdentity => Class::WebIdentity,
                    _ => match rng.below(10) {
                        0..3 => Class::Human,
                        3..6 => Class::Automation,
                        _ => Class::Workload,
                    },
                };
                let login = a.params == Shape::ConsoleLogin;
                let p = if login {
                    self.principals.pick_console(rng, account, class)
                } else {
                    self.principals.pick(rng, account, class)
                }
                .or_else(|| self.principals.pick(rng, account, Class::Human));
                if let Some(p) = p {
                    agent = if a.params == Shape::ConsoleLogin {
                        UA_CONSOLE
                    } else {
                        rng.pick_str(p.agents)
                    };
                    source_ip = p.source_ip();
                    console_session = agent == UA_AWS_INTERNAL;
                    let internal = a.params == Shape::KmsDecrypt && rng.chance(1, 2);
                    if internal {
                        agent = UA_AWS_INTERNAL;
                        source_ip = UA_AWS_INTERNAL;
                        console_session = false;
                        tls = false;
                    }
                    if login {
                        p.write_login_identity(&mut s.identity, acct, ts);
                    } else {
                        p.write_identity(
                            &mut s.identity,
                            acct,
                            ts,
                            internal.then_some(UA_AWS_INTERNAL),
                        );
                    }
                    principal = Some(p);
                }
            }
        }

        s.request.clear();
        s.response.clear();
        s.additional.clear();
        s.resources.clear();
        s.host.clear();
        s.shared_id.clear();
        match a.host {
            Host::Regional => {
                s.host.push_str(a.source.trim_end_matches(".amazonaws.com"));
                s.host.push('.');
                s.host.push_str(region_name);
                s.host.push_str(".amazonaws.com");
            }
            Host::Fixed(h) => s.host.push_str(h),
            Host::Bucket => {}
        }
        let ctx = Ctx {
            world: w,
            account,
            acct,
            region: region_name,
            ts,
            principal,
        };
        let (has_request, has_response) = ct_params::params(rng, a, &ctx, s);

        let failable = !matches!(a.who, Who::Service(_) | Who::ServiceEvent(_))
            && a.params != Shape::ConsoleLogin;
        let error = if failable && rng.chance(7, 100) {
            Some(error_for(rng, a, principal.map(|p| p.arn(acct)), s))
        } else {
            None
        };
        let error_pair = error
            .map(|(code, with_message)| (code, with_message.then_some(s.error_message.as_str())));

        s.event_id.clear();
        rng.push_uuid(&mut s.event_id);
        s.request_id.clear();
        let request_id = match a.who {
            Who::ServiceEvent(_) => None,
            _ if rng.chance(1, 100) => None,
            _ if a.source == S3 => {
                rng.push_upper_alnum(&mut s.request_id, 16);
                Some(s.request_id.as_str())
            }
            _ => {
                rng.push_uuid(&mut s.request_id);
                Some(s.request_id.as_str())
            }
        };
        let (version_tls, cipher) = *rng.pick(&TLS_SUITES);
        let data = a.params == Shape::S3Object;
        let event = Event {
            version: rng.pick_str(&["1.08", "1.09", "1.09", "1.10", "1.10"]),
            identity: &s.identity,
            time: ts,
            source: a.source,
            name: a.name,
            region: region_name,
            source_ip,
            user_agent: agent,
            error: error_pair,
            request: has_request.then_some(s.request.as_slice()),
            response: (has_response && error.is_none()).then_some(s.response.as_slice()),
            additional: (!s.additional.is_empty()).then_some(s.additional.as_slice()),
            request_id,
            event_id: &s.event_id,
            read_only: a.read_only,
            resources: (!s.resources.is_empty()).then_some(s.resources.as_slice()),
            event_type: match (a.who, a.params) {
                (Who::ServiceEvent(_), _) => "AwsServiceEvent",
                (_, Shape::ConsoleLogin) => "AwsConsoleSignIn",
                _ => "AwsApiCall",
            },
            api_version: (a.source == R53).then_some("2013-04-01"),
            management: !data,
            recipient: acct,
            shared_event_id: (!s.shared_id.is_empty()).then_some(s.shared_id.as_str()),
            vpc_endpoint: principal.and_then(|p| p.vpc_endpoint()),
            category: if data { "Data" } else { "Management" },
            tls: tls.then_some(Tls {
                version: version_tls,
                cipher,
                host: &s.host,
            }),
            console_session,
        };
        cloudtrail::write(out, &event);
    }
}

/// Chooses a failure for `a`; writes the message into `s.error_message` and
/// returns the code and whether the message is present.
fn error_for(rng: &mut Rng, a: &Api, arn: Option<String>, s: &mut Scratch) -> (&'static str, bool) {
    s.error_message.clear();
    let arn = arn.unwrap_or_default();
    let service = a.source.trim_end_matches(".amazonaws.com");
    let with_message = !rng.chance(1, 100);
    let throttle = rng.chance(1, 3);
    let code = match (a.source, throttle) {
        (EC2, true) => {
            s.error_message.push_str("Request limit exceeded.");
            "Client.RequestLimitExceeded"
        }
        (EC2, false) => {
            s.error_message
                .push_str("You are not authorized to perform this operation. User: ");
            s.error_message.push_str(&arn);
            s.error_message
                .push_str(" is not authorized to perform: ec2:");
            s.error_message.push_str(a.name);
            s.error_message
                .push_str(" because no identity-based policy allows the ec2:");
            s.error_message.push_str(a.name);
            s.error_message.push_str(" action");
            "Client.UnauthorizedOperation"
        }
        (S3, _) => {
            s.error_message.push_str("Access Denied");
            "AccessDenied"
        }
        (_, true) => {
            s.error_message.push_str("Rate exceeded");
            "ThrottlingException"
        }
        (_, false) => {
            s.error_message.push_str("User: ");
            s.error_message.push_str(&arn);
            s.error_message.push_str(" is not authorized to perform: ");
            s.error_message.push_str(service);
            s.error_message.push(':');
            s.error_message.push_str(a.name);
            s.error_message
                .push_str(" because no identity-based policy allows the ");
            s.error_message.push_str(service);
            s.error_message.push(':');
            s.error_message.push_str(a.name);
            s.error_message.push_str(" action");
            "AccessDenied"
        }
    };
    (code, with_message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock;
    use crate::ct_catalog::IAM;

    #[test]
    fn every_api_renders_valid_json() {
        let world = World::new(9, 1);
        let principals = Principals::new(&world, 9);
        let bg = Background::new(&world, &principals);
        let mut rng = Rng::derive(9, "t", 0);
        let mut s = Scratch::default();
        let mut seen = std::collections::HashSet::new();
        for i in 0..20_000 {
            let mut out = Vec::new();
            bg.write_event(
                &mut rng,
                i % 3,
                i % 2,
                clock::DEFAULT_START + i as i64,
                &mut s,
                &mut out,
            );
            let v: serde_json::Value = serde_json::from_slice(&out)
                .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out)));
            seen.insert(v["eventName"].as_str().unwrap().to_string());
            if v["awsRegion"] != HOME_REGION {
                assert_ne!(v["eventSource"], R53);
                assert_ne!(v["eventSource"], IAM);
            }
            if v.get("errorCode").is_some() {
                assert!(v["responseElements"].is_null());
            }
        }
        assert!(seen.len() > 40, "{seen:?}");
    }
}
