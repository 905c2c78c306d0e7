//! Route 53 Resolver query logs with every real-world quirk, and OCSF DNS/API records mapped
//! onto the same event view.

use crate::common::*;

const QUIRKS: &str = "resolver/query-log-quirks.log";

#[test]
fn resolver_quirks_plain_and_gzip() {
    let bytes = fixture(QUIRKS);
    let fields = [
        "query_name",
        "dns.question.name",
        "srcport",
        "source.port",
        "version",
        "answers.Rdata",
        "dns.answers.type",
        "srcids.instance",
        "srcids.resolver_endpoint",
        "firewall_rule_action",
        "network.transport",
        "event.dataset",
        "source.ip",
        "cloud.account.id",
        "network.vpc.id",
    ];
    for input in [bytes.clone(), gzip(&bytes)] {
        let (c, stats) = read(&input, &fields);
        assert!(c.bad.is_empty(), "{:?}", c.bad);
        assert_eq!(stats.records, [0, 4]);
        let f = |i: usize, j: usize| c.seen[i].fields[j].clone();
        assert_eq!(f(0, 0), ["no-such-host.example.com."]);
        assert_eq!(f(0, 1), ["no-such-host.example.com"]);
        assert_eq!(f(0, 2), ["48701"]);
        assert_eq!(f(0, 3), ["48701"]);
        assert_eq!(f(0, 4), ["1.100000"]);
        assert!(f(0, 5).is_empty(), "empty answers array");
        assert!(f(0, 7).is_empty(), "empty srcids");
        assert_eq!(f(1, 5), ["edge.example.net.", "192.0.2.10"]);
        assert_eq!(f(1, 6), ["CNAME", "A"]);
        assert_eq!(f(1, 7), ["i-0123456789abcdef0"]);
        assert_eq!(f(2, 8), ["rslvr-in-0000000000000000"]);
        assert_eq!(f(2, 9), ["ALERT"]);
        assert!(f(0, 9).is_empty(), "firewall fields only on matches");
        // An ip6.arpa name logged without the trailing dot stays as it is.
        assert!(f(3, 1)[0].ends_with("ip6.arpa"));
        // The older hyphenated spelling of resolver_endpoint.
        assert_eq!(f(3, 8), ["rslvr-out-1111222233334444"]);
        assert_eq!(f(3, 10), ["tcp"]);
        assert_eq!(f(3, 12), ["2001:db8::5"]);
        assert_eq!(f(1, 11), ["aws.route53_resolver_logs"]);
        assert_eq!(f(2, 13), ["123456789012"]);
        assert_eq!(f(2, 14), ["vpc-00000000000000000"]);
        // Millisecond timestamps are accepted.
        assert_eq!(c.seen[1].time_ms % 1000, 177);
    }
}

#[test]
fn ocsf_dns_activity_reads_as_resolver_fields() {
    let bytes = fixture("ocsf/dns-activity.json");
    let (c, _) = read(
        &bytes,
        &[
            "query_name",
            "dns.question.name",
            "rcode",
            "srcaddr",
            "srcport",
            "vpc_id",
            "account_id",
            "transport",
            "answers.Rdata",
            "firewall_rule_action",
            "firewall_domain_list_id",
            "srcids.instance",
            "query.hostname",
            "@timestamp",
        ],
    );
    assert!(c.bad.is_empty(), "{:?}", c.bad);
    assert!(c.seen.iter().all(|s| s.kind == "resolver" && s.ocsf));
    let f = |i: usize, j: usize| c.seen[i].fields[j].clone();
    assert_eq!(f(0, 0), ["pool.supportxmr.com."]);
    assert_eq!(f(0, 1), ["pool.supportxmr.com"]);
    assert_eq!(f(0, 2), ["NXDOMAIN"]);
    assert_eq!(f(0, 3), ["10.0.1.5"]);
    assert_eq!(f(0, 4), ["48701"]);
    assert_eq!(f(0, 5), ["vpc-0a1b2c3d"]);
    assert_eq!(f(0, 6), ["111122223333"]);
    assert_eq!(f(0, 7), ["UDP"]);
    assert_eq!(f(0, 11), ["i-0123456789abcdef0"]);
    assert_eq!(f(0, 12), ["pool.supportxmr.com."], "OCSF paths work too");
    assert_eq!(f(0, 13), ["2024-05-01T10:15:02.000Z"]);
    assert_eq!(f(1, 2), ["NOERROR"]);
    assert_eq!(f(1, 8), ["127.0.0.62"]);
    assert_eq!(f(1, 9), ["ALERT"]);
    assert_eq!(f(1, 10), ["rslvr-fdl-0000000000000"]);
    assert_eq!(c.seen[0].time_ms, 1_714_558_502_000);
}

#[test]
fn ocsf_api_activity_reads_as_cloudtrail_fields() {
    let bytes = fixture("ocsf/api-activity.json");
    let (c, stats) = read(
        &bytes,
        &[
            "eventSource",
            "eventName",
            "requestParameters.domainName",
            "requestParameters.accountId",
            "userIdentity.arn",
            "userIdentity.sessionContext.attributes.mfaAuthenticated",
            "event.outcome",
            "sourceIPAddress",
            "source.ip",
            "recipientAccountId",
            "cloud.region",
            "errorCode",
        ],
    );
    assert_eq!(c.seen.len(), 2);
    assert!(c.seen.iter().all(|s| s.kind == "cloudtrail" && s.ocsf));
    let f = |i: usize, j: usize| c.seen[i].fields[j].clone();
    assert_eq!(f(0, 0), ["route53domains.amazonaws.com"]);
    assert_eq!(f(0, 1), ["TransferDomainToAnotherAwsAccount"]);
    assert_eq!(f(0, 2), ["example-corp.com"]);
    assert_eq!(f(0, 3), ["444455556666"]);
    assert_eq!(
        f(0, 4),
        ["arn:aws:sts::111122223333:assumed-role/DomainAdmin/mallory"]
    );
    assert_eq!(f(0, 5), ["false"]);
    assert_eq!(f(0, 6), ["success"]);
    assert_eq!(f(0, 8), ["198.51.100.23"]);
    assert_eq!(f(0, 9), ["111122223333"]);
    assert_eq!(f(1, 6), ["failure"]);
    assert_eq!(f(1, 7), ["AWS Internal"]);
    assert!(f(1, 8).is_empty());
    assert_eq!(f(1, 9), ["111122223333"], "falls back to cloud.account.uid");
    assert_eq!(f(1, 10), ["eu-west-1"]);
    assert_eq!(f(1, 11), ["AccessDenied"]);
    assert_eq!(c.seen[1].time_ms, 1_714_558_860_000);
    // The third record is an OCSF class r53guard does not read: reported, not dropped silently.
    assert_eq!(c.bad.len(), 1);
    assert_eq!(c.bad[0].2, r53guard_formats::BadClass::Shape);
    assert!(c.bad[0].3.contains("3002"), "{}", c.bad[0].3);
    assert_eq!(stats.ocsf_records, 2);
}

#[test]
fn derived_dns_fields() {
    let line = |name: &str| {
        format!(
            r#"{{"version":"1.100000","account_id":"111122223333","region":"us-east-1","vpc_id":"vpc-1","query_timestamp":"2024-05-01T10:00:00Z","query_name":"{name}","query_type":"A","query_class":"IN","rcode":"NOERROR","answers":[],"srcaddr":"10.0.0.1","srcport":"5353","transport":"UDP","srcids":{{}}}}"#
        ) + "\n"
    };
    // base64 of "user=admin;password=hunter2;host=db01" (case matters).
    let payload = "dXNlcj1hZG1pbjtwYXNzd29yZD1odW50ZXIyO2hvc3Q9ZGIwMQ";
    let body = [
        line("WWW.Example.CO.UK."),
        line(&format!("{payload}.exfil.example.net.")),
        line("d1a2b3c4d5e6f7.cloudfront.net."),
    ]
    .concat();
    let (c, _) = read(
        body.as_bytes(),
        &[
            "r53guard.dns.name",
            "dns.question.registered_domain",
            "dns.question.top_level_domain",
            "r53guard.dns.tld",
            "dns.question.subdomain",
            "r53guard.dns.base64_label",
            "r53guard.dns.dga_score",
        ],
    );
    let f = |i: usize, j: usize| c.seen[i].fields[j].clone();
    assert_eq!(f(0, 0), ["www.example.co.uk"]);
    assert_eq!(f(0, 1), ["example.co.uk"]);
    assert_eq!(f(0, 2), ["co.uk"]);
    assert_eq!(f(0, 3), ["uk"]);
    assert_eq!(f(0, 4), ["www"]);
    assert!(f(0, 5).is_empty());
    assert_eq!(f(1, 5), [payload]);
    assert!(f(2, 5).is_empty(), "hex CDN ids are not base64 payloads");
    let score: f32 = f(0, 6)[0].parse().unwrap();
    assert!((0.0..=1.0).contains(&score));
}
