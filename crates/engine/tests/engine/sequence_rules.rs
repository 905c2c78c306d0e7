//! Sequence rules: a transfer lock disabled, then the same domain transferred within an hour.

use crate::common::*;

const UNLOCK_THEN_TRANSFER: &str = r#"
[rule]
rule_id = "test-unlock-transfer"
name = "Transfer lock disabled, then domain transferred"
description = "test"
type = "sequence"
data = ["cloudtrail"]
severity = "critical"
risk_score = 90
author = ["r53guard"]
case_insensitive_fields = ["eventName"]
summary = "{requestParameters.domainName} unlocked and transferred to {requestParameters.accountId}"
[rule.sequence]
query = """
sequence by requestParameters.domainName, recipientAccountId with maxspan=1h
  [eventSource:route53domains.amazonaws.com and eventName:DisableDomainTransferLock]
  [eventSource:route53domains.amazonaws.com and eventName:TransferDomainToAnotherAwsAccount]
until [eventSource:route53domains.amazonaws.com and eventName:EnableDomainTransferLock]
"""
"#;

const ADMIN: &str = "arn:aws:sts::111122223333:assumed-role/DomainAdmin/mallory";

fn ev(id: &str, t: i64, action: &str, domain: &str) -> String {
    domains_event(id, t, action, domain, ADMIN)
}

fn unlock(id: &str, t: i64) -> String {
    ev(id, t, "DisableDomainTransferLock", "example.com")
}

fn transfer(id: &str, t: i64) -> String {
    ev(id, t, "TransferDomainToAnotherAwsAccount", "example.com")
}

#[test]
fn unlock_then_transfer_within_maxspan_alerts_once() {
    let lines = [unlock("e1", ms(0, 0)), transfer("e2", ms(59, 59))];
    let result = run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines);
    assert_eq!(result.alerts.len(), 1);
    let a = &result.alerts[0];
    assert_eq!(a.rule.rule_type, "sequence");
    assert_eq!(a.count, 2);
    assert_eq!(a.detected_at, at(ms(59, 59)));
    assert_eq!(a.first_seen, at(0));
    assert_eq!(a.group["requestParameters.domainName"], "example.com");
    assert_eq!(a.group["recipientAccountId"], "111122223333");
    assert_eq!(
        a.summary,
        "example.com unlocked and transferred to 444455556666"
    );
    let ids: Vec<bool> = a
        .events
        .iter()
        .map(|e| e.event.get().contains("\"eventID\":\"e1\""))
        .collect();
    assert_eq!(ids, [true, false], "steps in order");
}

#[test]
fn the_second_step_after_maxspan_does_not_alert() {
    let lines = [unlock("e1", 0), transfer("e2", ms(60, 1))];
    assert!(
        run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines)
            .alerts
            .is_empty()
    );
}

#[test]
fn until_cancels_the_partial_sequence() {
    let relock = ev("e3", ms(10, 0), "EnableDomainTransferLock", "example.com");
    let lines = [unlock("e1", 0), relock.clone(), transfer("e2", ms(20, 0))];
    let result = run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines);
    assert!(result.alerts.is_empty());
    assert_eq!(result.rules[0].matched, 3);
    // Another domain's relock does not cancel it.
    let other = ev("e4", ms(10, 0), "EnableDomainTransferLock", "other.com");
    let lines = [unlock("e1", 0), other, transfer("e2", ms(20, 0))];
    assert_eq!(
        run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines)
            .alerts
            .len(),
        1
    );
    // A relock after the transfer changes nothing.
    let late_relock = ev("e3", ms(30, 0), "EnableDomainTransferLock", "example.com");
    let lines = [unlock("e1", 0), transfer("e2", ms(20, 0)), late_relock];
    assert_eq!(
        run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines)
            .alerts
            .len(),
        1
    );
}

#[test]
fn steps_in_reverse_file_order_still_alert_once_with_the_same_id() {
    let set = rules(&[UNLOCK_THEN_TRANSFER]);
    let forward = run_lines(&set, &[unlock("e1", 0), transfer("e2", ms(5, 0))]);
    let reverse = run_lines(&set, &[transfer("e2", ms(5, 0)), unlock("e1", 0)]);
    assert_eq!(forward.alerts.len(), 1);
    assert_eq!(reverse.alerts.len(), 1);
    assert_eq!(forward.alerts[0].id, reverse.alerts[0].id);
    // A transfer before any unlock is not a sequence.
    let backwards = run_lines(&set, &[transfer("e2", 0), unlock("e1", ms(5, 0))]);
    assert!(backwards.alerts.is_empty());
}

#[test]
fn the_latest_unlock_starts_the_sequence_and_each_completes_once() {
    let set = rules(&[UNLOCK_THEN_TRANSFER]);
    let lines = [
        unlock("e1", 0),
        unlock("e2", ms(30, 0)),
        transfer("e3", ms(80, 0)), // 80 min after e1, 50 after e2
        transfer("e4", ms(85, 0)), // nothing pending any more
    ];
    let result = run_lines(&set, &lines);
    assert_eq!(result.alerts.len(), 1);
    assert_eq!(result.alerts[0].first_seen, at(ms(30, 0)));
}

#[test]
fn different_domains_do_not_join_and_missing_join_fields_are_counted() {
    let lines = [
        unlock("e1", 0),
        ev(
            "e2",
            ms(5, 0),
            "TransferDomainToAnotherAwsAccount",
            "other.com",
        ),
    ];
    assert!(
        run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &lines)
            .alerts
            .is_empty()
    );
    let mut no_domain: serde_json::Value = serde_json::from_str(&unlock("e1", 0)).unwrap();
    no_domain["requestParameters"]
        .as_object_mut()
        .unwrap()
        .remove("domainName");
    let result = run_lines(&rules(&[UNLOCK_THEN_TRANSFER]), &[no_domain.to_string()]);
    assert_eq!(result.rules[0].unkeyed, 1);
}
