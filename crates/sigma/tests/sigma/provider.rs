//! The provider mistake (detection-semantics §5, the "v207 bug"): the SigmaHQ rules
//! `aws_route_53_domain_transferred_lock_disabled.yml` and
//! `aws_route_53_domain_transferred_to_another_account.yml` (kept unmodified as fixtures)
//! expect `eventSource: route53.amazonaws.com`, but CloudTrail records the Route 53 Domains
//! APIs under `route53domains.amazonaws.com`. They match nothing on a realistic event.

use crate::common::{here, mapping, matches, matches_rule};
use r53guard_sigma::SigmaSet;
use serde_json::json;

/// A Route 53 Domains call as CloudTrail records it (`eventSource` route53domains, region
/// us-east-1, where the Domains API lives). Values are invented; the shape follows AWS's
/// documented CloudTrail example for Route 53 Domains.
fn domains_event(event_name: &str) -> serde_json::Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLE0000000001",
            "arn": "arn:aws:iam::444455556666:user/ops-admin",
            "accountId": "444455556666",
            "accessKeyId": "AKIAEXAMPLE000000001",
            "userName": "ops-admin"
        },
        "eventTime": "2024-06-03T08:14:52Z",
        "eventSource": "route53domains.amazonaws.com",
        "eventName": event_name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "203.0.113.77",
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.5 exe/x86_64 command/route53domains",
        "requestParameters": {
            "domainName": "example-shop.com",
            "accountId": "777788889999"
        },
        "responseElements": {
            "operationId": "0b7e6c55-1111-4222-8333-944445555666",
            "password": "HIDDEN_DUE_TO_SECURITY_REASONS"
        },
        "requestID": "5d9f1c7a-2222-4333-8444-a55556666777",
        "eventID": "e1f2a3b4-3333-4444-8555-b66667777888",
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "444455556666",
        "eventCategory": "Management",
        "tlsDetails": {
            "tlsVersion": "TLSv1.3",
            "cipherSuite": "TLS_AES_128_GCM_SHA256",
            "clientProvidedHostHeader": "route53domains.us-east-1.amazonaws.com"
        }
    })
}

#[test]
fn the_sigmahq_route53_domain_rules_never_match_real_domains_events() {
    let set = SigmaSet::load_dir(&here("tests/fixtures/sigmahq/aws_cloudtrail")).expect("rules");
    let m = mapping();
    let lock = set
        .rules
        .iter()
        .find(|r| r.title == "AWS Route 53 Domain Transfer Lock Disabled")
        .expect("lock rule");
    let transfer = set
        .rules
        .iter()
        .find(|r| r.title == "AWS Route 53 Domain Transferred to Another Account")
        .expect("transfer rule");
    for name in [
        "DisableDomainTransferLock",
        "TransferDomainToAnotherAwsAccount",
        "transferDomainToAnotherAwsAccount",
        "disableDomainTransferLock",
    ] {
        let ev = domains_event(name);
        assert!(!matches_rule(lock, &m, &ev), "{name}");
        assert!(!matches_rule(transfer, &m, &ev), "{name}");
    }
    // They only fire on an event that claims the wrong provider, which CloudTrail never writes.
    let mut wrong = domains_event("TransferDomainToAnotherAwsAccount");
    wrong["eventSource"] = json!("route53.amazonaws.com");
    assert!(matches_rule(transfer, &m, &wrong));
    // The files are the upstream text, unmodified.
    for file in [
        "aws_route_53_domain_transferred_lock_disabled.yml",
        "aws_route_53_domain_transferred_to_another_account.yml",
    ] {
        let text = std::fs::read_to_string(here(&format!(
            "tests/fixtures/sigmahq/aws_cloudtrail/{file}"
        )))
        .expect("fixture");
        assert!(
            text.contains("eventSource: route53.amazonaws.com"),
            "{file}"
        );
    }
}

/// The corrected detection (a modified copy; DRL 1.1 allows modification with attribution:
/// derived from SigmaHQ `aws_route_53_domain_transferred_to_another_account.yml`, author
/// Elastic, Austin Songer @austinsonger) matches both casings CloudTrail uses.
#[test]
fn the_corrected_provider_matches() {
    let fixed = "title: AWS Route 53 Domain Transferred to Another Account (fixed provider)\n\
                 author: Elastic, Austin Songer @austinsonger\n\
                 logsource: {product: aws, service: cloudtrail}\n\
                 detection:\n    selection:\n        eventSource: route53domains.amazonaws.com\n\
                 \x20       eventName: TransferDomainToAnotherAwsAccount\n    condition: selection\n";
    assert!(matches(
        fixed,
        &domains_event("TransferDomainToAnotherAwsAccount")
    ));
    assert!(matches(
        fixed,
        &domains_event("transferDomainToAnotherAwsAccount")
    ));
    assert!(!matches(fixed, &domains_event("DisableDomainTransferLock")));
}
