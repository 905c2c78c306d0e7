//! Every SigmaHQ CloudTrail rule over real CloudTrail records (invictus-ir, MIT; Stratus Red
//! Team, Apache-2.0; see `tests/fixtures/cloudtrail/README.md`), read through r53guard-formats
//! as the product reads them. Each expected count was checked by reading the events; the
//! reasoning is next to each file. Every rule not listed for a file must not fire on it.

use crate::common::{count_hits, here, mapping};
use r53guard_event::Schema;
use r53guard_sigma::{CompiledSigma, SigmaSet};

/// (file, events in it, [(rule title, hits)]).
type Expectation = (&'static str, usize, &'static [(&'static str, usize)]);

const ASSUME_ROLE: &str = "AWS STS AssumeRole Misuse";

const EXPECTED: &[Expectation] = &[
    // 51 events of an S3-console session by IAM user benjamin. One is `s3 ListBuckets` by an
    // IAMUser: "Potential Bucket Enumeration" fires (its filter only spares AssumedRole).
    (
        "tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1145Z_s7dpHbl38neqZbm2.json",
        51,
        &[("Potential Bucket Enumeration on AWS", 1)],
    ),
    // `cloudtrail StopLogging` that failed with TrailNotFoundException: "CloudTrail Important
    // Change" does not look at errorCode, so it fires. `ec2 DeleteFlowLogs` without an
    // errorCode: "VPC Flow Logs Deleted" fires through `errorCode: null` (absent counts as null).
    (
        "tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1205Z_SjF3IkuNXJkoHyar.json",
        26,
        &[
            ("AWS CloudTrail Important Change", 1),
            ("AWS VPC Flow Logs Deleted", 1),
        ],
    ),
    // One `signin ConsoleLogin` with additionalEventData.MFAUsed = "No" and
    // responseElements.ConsoleLogin = "Success". The rule says 'NO': it only matches because
    // Sigma compares case-insensitively (DuckDB's `=` misses it).
    (
        "tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1225Z_4iD2boYSOwmb6sWd.json",
        12,
        &[("AWS Successful Console Login Without MFA", 1)],
    ),
    // Two `iam CreateAccessKey` by user bert-jan for other users (stratus-red-team-backdoor-u-
    // user, malicious-iam-user). The rule's filter `userIdentity.arn|contains:
    // responseElements.accessKey.userName` is a literal string (no `fieldref`), never found in
    // an ARN, so `not filter` holds: both fire. The CreateLoginProfile here has no "S3 Browser"
    // user agent, so the S3 Browser rule stays quiet.
    (
        "tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1230Z_ZtUNbBkwAu98FPZb.json",
        68,
        &[("AWS IAM Backdoor Users Keys", 2)],
    ),
    // `DeleteTrail` on cloudtrail.amazonaws.com.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-delete.json",
        1,
        &[("AWS CloudTrail Important Change", 1)],
    ),
    // `PutEventSelectors` is not in the rule's list (StopLogging, UpdateTrail, DeleteTrail).
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-event-selectors.json",
        1,
        &[],
    ),
    // `StopLogging` on cloudtrail.amazonaws.com.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.cloudtrail-stop.json",
        1,
        &[("AWS CloudTrail Important Change", 1)],
    ),
    // Two `sts AssumeRole` calls by an IAMUser (not matched: the rule wants calls *made with*
    // an assumed-role session) and a denied `LeaveOrganization` made by an AssumedRole session
    // issued by a Role: that one fires.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.organizations-leave.json",
        3,
        &[(ASSUME_ROLE, 1)],
    ),
    // `DeleteFlowLogs` without errorCode.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.vpc-remove-flow-logs.json",
        1,
        &[("AWS VPC Flow Logs Deleted", 1)],
    ),
    // As organizations-leave: two AssumeRole calls by an IAMUser, then `RunInstances` by the
    // assumed role (denied): one hit.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.execution.ec2-launch-unusual-instances.json",
        3,
        &[(ASSUME_ROLE, 1)],
    ),
    // 51 DescribeInstanceInformation, 4 GetCommandInvocation and one `ssm SendCommand` without
    // errorCode: "Potential Malicious Usage of CloudTrail System Manager" fires once.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.execution.ssm-send-command.json",
        56,
        &[("Potential Malicious Usage of CloudTrail System Manager", 1)],
    ),
    // `ec2 AuthorizeSecurityGroupIngress`.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.ec2-security-group-open-port-22-ingress.json",
        1,
        &[("Ingress/Egress Security Group Modification", 1)],
    ),
    // `ModifyImageAttribute`: no SigmaHQ CloudTrail rule covers AMI sharing.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.ec2-share-ami.json",
        1,
        &[],
    ),
    // `ec2 ModifySnapshotAttribute`.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.ec2-share-ebs-snapshot.json",
        1,
        &[("AWS Snapshot Backup Exfiltration", 1)],
    ),
    // `rds ModifyDBSnapshotAttribute`: the snapshot rule is for ec2 only.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.exfiltration.rds-share-snapshot.json",
        1,
        &[],
    ),
    // Four calls (EnableSerialConsoleAccess, 3× SendSerialConsoleSSHPublicKey) by an SSO
    // AssumedRole session whose issuer is a Role.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.lateral-movement.ec2-serial-console-send-ssh-public-key.json",
        4,
        &[(ASSUME_ROLE, 4)],
    ),
    // `iam CreateAccessKey` for another user.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.persistence.iam-backdoor-user.json",
        1,
        &[("AWS IAM Backdoor Users Keys", 1)],
    ),
    // CreateUser, AttachUserPolicy, then `CreateAccessKey` for the new user.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.persistence.iam-create-admin-user.json",
        3,
        &[("AWS IAM Backdoor Users Keys", 1)],
    ),
    // CreateLoginProfile with the Stratus user agent, not "S3 Browser": nothing.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.persistence.iam-create-user-login-profile.json",
        3,
        &[],
    ),
    // `lambda UpdateFunctionConfiguration20150331v2` (startswith UpdateFunctionConfiguration)
    // with a non-empty requestParameters.layers array (`contains: '*'` holds on any value).
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.persistence.lambda-layer-extension.json",
        1,
        &[("AWS New Lambda Layer Attached", 1)],
    ),
    // GetFederationToken and GetCallerIdentity: the GetSessionToken rule does not apply.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.persistence.sts-federation-token.json",
        2,
        &[],
    ),
    // `iam UpdateLoginProfile`; its filter `userIdentity.arn|fieldref: requestParameters.userName`
    // compares a full ARN with a bare user name, which never are equal: the rule fires.
    (
        "tests/fixtures/cloudtrail/stratus-red-team/aws.privilege-escalation.iam-update-user-login-profile.json",
        1,
        &[("AWS User Login Profile Was Modified", 1)],
    ),
    // Fixtures of the repository root (same sources and licences).
    // 29 events of an IAM user's console session: none of the 57 rules applies.
    (
        "../../tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1145Z_7xgocspSowgK0Gto.json",
        29,
        &[],
    ),
    // One `ec2 DescribeVpcs` by the AWSServiceRoleForRDS assumed role (issuer type Role).
    (
        "../../tests/fixtures/cloudtrail/invictus-ir/218007301253_CloudTrail_us-east-1_20230710T1220Z_r7NFD65BgeDMqD23.json",
        71,
        &[(ASSUME_ROLE, 1)],
    ),
    // `route53resolver DeleteResolverQueryLogConfig`: SigmaHQ has no rule for it.
    (
        "../../tests/fixtures/cloudtrail/stratus-red-team/aws.defense-evasion.dns-delete-logs.json",
        1,
        &[],
    ),
    // ConsoleLogin with MFAUsed "No" and ConsoleLogin "Success".
    (
        "../../tests/fixtures/cloudtrail/stratus-red-team/aws.initial-access.console-login-without-mfa.json",
        1,
        &[("AWS Successful Console Login Without MFA", 1)],
    ),
    // Synthetic Route 53 Domains events (this project's): DisableDomainTransferLock and
    // TransferDomainToAnotherAwsAccount by an AssumedRole session (the AssumeRole rule fires on
    // both), then two transfers by an IAM user (one lower-cased, one denied). The two SigmaHQ
    // Route 53 domain rules fire on none: they expect eventSource route53.amazonaws.com (see
    // `provider.rs`).
    (
        "../../tests/fixtures/cloudtrail/synthetic/route53domains.json",
        4,
        &[(ASSUME_ROLE, 2)],
    ),
];

#[test]
fn every_rule_fires_exactly_where_expected_on_real_records() {
    let set = SigmaSet::load_dir(&here("tests/fixtures/sigmahq/aws_cloudtrail")).expect("rules");
    assert_eq!(set.rules.len(), 57);
    let m = mapping();
    let mut schema = Schema::new();
    let compiled: Vec<CompiledSigma> = set
        .rules
        .iter()
        .map(|r| CompiledSigma::compile(r, &m, &mut schema).expect("compiles"))
        .collect();
    let mut totals = vec![0usize; compiled.len()];
    let mut events = 0;
    for (file, want_events, want_hits) in EXPECTED {
        let (n, hits) = count_hits(&here(file), &compiled, &schema);
        assert_eq!(n, *want_events, "{file}: events read");
        events += n;
        for (i, rule) in set.rules.iter().enumerate() {
            let want = want_hits
                .iter()
                .find(|(t, _)| *t == rule.title)
                .map_or(0, |(_, n)| *n);
            assert_eq!(hits[i], want, "{file}: hits of {:?}", rule.title);
            totals[i] += hits[i];
        }
    }
    assert_eq!(events, 348);
    // Per-rule totals over the 348 records.
    let mut fired: Vec<(&str, usize)> = set
        .rules
        .iter()
        .zip(&totals)
        .filter(|(_, n)| **n > 0)
        .map(|(r, n)| (r.title.as_str(), *n))
        .collect();
    fired.sort_unstable();
    assert_eq!(
        fired,
        [
            ("AWS CloudTrail Important Change", 3),
            ("AWS IAM Backdoor Users Keys", 4),
            ("AWS New Lambda Layer Attached", 1),
            ("AWS STS AssumeRole Misuse", 9),
            ("AWS Snapshot Backup Exfiltration", 1),
            ("AWS Successful Console Login Without MFA", 2),
            ("AWS User Login Profile Was Modified", 1),
            ("AWS VPC Flow Logs Deleted", 2),
            ("Ingress/Egress Security Group Modification", 1),
            ("Potential Bucket Enumeration on AWS", 1),
            ("Potential Malicious Usage of CloudTrail System Manager", 1),
        ]
    );
}
