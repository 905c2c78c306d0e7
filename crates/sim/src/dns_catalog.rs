//! The names the benign Resolver background queries: public SaaS and CDN
//! sites with their answer patterns, AWS endpoint templates (`{r}` region,
//! `{acct}` account, `{bucket}` bucket), and the vocabulary of private zones,
//! Kubernetes services, the on-premises zone, TXT records and failing names.
//! None is under an abused TLD, a paste site or a mining pool.

/// A public name with its answer pattern.
pub struct Site {
    pub name: &'static str,
    /// CNAME targets, in chain order, before the address records.
    pub chain: &'static [&'static str],
    /// First two octets of the A records.
    pub v4: [u8; 2],
    /// Number of A records.
    pub count: u8,
    /// IPv6 prefix for AAAA answers, when the name is dual-stack.
    pub v6: Option<&'static str>,
}

const fn site(name: &'static str, v4: [u8; 2], count: u8) -> Site {
    Site {
        name,
        chain: &[],
        v4,
        count,
        v6: None,
    }
}

/// Public SaaS, package and CDN names.
pub const SAAS: &[Site] = &[
    site("github.com", [140, 82], 1),
    site("api.github.com", [140, 82], 1),
    Site {
        v6: Some("2606:50c0:8000::"),
        ..site("objects.githubusercontent.com", [185, 199], 4)
    },
    Site {
        v6: Some("2606:4700::6810:"),
        ..site("registry.npmjs.org", [104, 16], 4)
    },
    Site {
        v6: Some("2a04:4e42::"),
        ..site("pypi.org", [151, 101], 4)
    },
    Site {
        chain: &["dualstack.python.map.fastly.net."],
        v6: Some("2a04:4e42:200::"),
        ..site("files.pythonhosted.org", [151, 101], 1)
    },
    Site {
        v6: Some("2607:f8b0:4004:c1b::"),
        ..site("proxy.golang.org", [142, 250], 1)
    },
    Site {
        v6: Some("2607:f8b0:4004:c07::"),
        ..site("www.google.com", [142, 251], 1)
    },
    site("oauth2.googleapis.com", [142, 250], 1),
    site("api.datadoghq.com", [3, 233], 2),
    Site {
        chain: &["alb-http-intake-shard0.us-east-1.elb.amazonaws.com."],
        ..site("http-intake.logs.datadoghq.com", [3, 233], 3)
    },
    site("o450123.ingest.sentry.io", [34, 120], 1),
    site("hooks.slack.com", [54, 211], 2),
    site("slack.com", [54, 211], 1),
    site("api.stripe.com", [54, 187], 3),
    Site {
        chain: &[
            "login.mso.msidentity.com.",
            "ak.privatelink.msidentity.com.",
            "www.tm.ak.prd.aadg.trafficmanager.net.",
        ],
        ..site("login.microsoftonline.com", [20, 190], 2)
    },
    Site {
        chain: &["debian.map.fastly.net."],
        ..site("deb.debian.org", [151, 101], 1)
    },
    site("security.ubuntu.com", [91, 189], 2),
    site("archive.ubuntu.com", [91, 189], 2),
    site("registry-1.docker.io", [54, 236], 3),
    site("auth.docker.io", [54, 236], 3),
    Site {
        v6: Some("2606:4700::6812:"),
        ..site("production.cloudflare.docker.com", [104, 16], 2)
    },
    site("quay.io", [44, 219], 3),
    site("api.twilio.com", [54, 172], 2),
    site("northwind.us.auth0.com", [104, 18], 2),
    site("api.pagerduty.com", [44, 238], 2),
    site("grafana.com", [34, 120], 1),
];

/// AWS service endpoints, as templates.
pub const AWS: &[(&str, &[&str], [u8; 2])] = &[
    ("sts.{r}.amazonaws.com", &[], [52, 94]),
    ("sts.amazonaws.com", &[], [209, 54]),
    ("s3.{r}.amazonaws.com", &[], [52, 217]),
    (
        "{bucket}.s3.amazonaws.com",
        &["s3-1-w.amazonaws.com.", "s3-w.us-east-1.amazonaws.com."],
        [52, 216],
    ),
    ("{bucket}.s3.{r}.amazonaws.com", &[], [3, 5]),
    ("dynamodb.{r}.amazonaws.com", &[], [3, 218]),
    ("api.ecr.{r}.amazonaws.com", &[], [44, 213]),
    ("{acct}.dkr.ecr.{r}.amazonaws.com", &[], [54, 83]),
    (
        "prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com",
        &["s3-r-w.{r}.amazonaws.com."],
        [52, 217],
    ),
    ("logs.{r}.amazonaws.com", &[], [3, 236]),
    ("monitoring.{r}.amazonaws.com", &[], [52, 46]),
    ("ssm.{r}.amazonaws.com", &[], [52, 46]),
    ("ssmmessages.{r}.amazonaws.com", &[], [3, 236]),
    ("ec2messages.{r}.amazonaws.com", &[], [3, 236]),
    ("kms.{r}.amazonaws.com", &[], [52, 46]),
    ("secretsmanager.{r}.amazonaws.com", &[], [52, 94]),
    ("sqs.{r}.amazonaws.com", &[], [3, 236]),
    ("sns.{r}.amazonaws.com", &[], [52, 94]),
    ("ec2.{r}.amazonaws.com", &[], [54, 239]),
    ("elasticloadbalancing.{r}.amazonaws.com", &[], [52, 46]),
    ("lambda.{r}.amazonaws.com", &[], [3, 208]),
    ("xray.{r}.amazonaws.com", &[], [52, 94]),
    ("eks.{r}.amazonaws.com", &[], [44, 192]),
    ("events.{r}.amazonaws.com", &[], [3, 208]),
    ("firehose.{r}.amazonaws.com", &[], [52, 46]),
    (
        "amazonlinux-2-repos-{r}.s3.dualstack.{r}.amazonaws.com",
        &["s3-r-w.dualstack.{r}.amazonaws.com."],
        [52, 217],
    ),
];

/// Service names in the private hosted zone.
pub const SERVICES: [&str; 12] = [
    "orders-api",
    "payments",
    "auth",
    "inventory",
    "search",
    "redis",
    "kafka-0",
    "kafka-1",
    "grafana",
    "vault",
    "ledger",
    "notifications",
];
/// Environments in the private hosted zone.
pub const ENVS: [&str; 3] = ["prod", "staging", "shared"];
/// Kubernetes service names.
pub const K8S_SERVICES: [&str; 10] = [
    "orders-api",
    "payments",
    "redis-master",
    "postgres",
    "prometheus-server",
    "grafana",
    "cart",
    "checkout",
    "frontend",
    "metrics-server",
];
/// Kubernetes namespaces.
pub const K8S_NAMESPACES: [&str; 6] = [
    "default",
    "kube-system",
    "monitoring",
    "shop",
    "payments",
    "ingress-nginx",
];
/// Hosts of the forwarded on-premises zone.
pub const CORP_HOSTS: [&str; 8] = [
    "dc01",
    "dc02",
    "fileserver",
    "erp",
    "jira",
    "ldap",
    "mail",
    "print01",
];
/// TXT names and their answers (SPF, DMARC, SES, DKIM).
pub const TXT_RECORDS: [(&str, &str); 4] = [
    (
        "northwindlabs.com.",
        "\"v=spf1 include:amazonses.com include:_spf.google.com ~all\"",
    ),
    (
        "_dmarc.northwindlabs.com.",
        "\"v=DMARC1; p=quarantine; rua=mailto:dmarc-reports@northwindlabs.com\"",
    ),
    (
        "_amazonses.northwindlabs.com.",
        "\"pmBGN/7MjnfhTKUZ06Enqq1PeGUaOkw8lGhcfwefcHU=\"",
    ),
    (
        "google._domainkey.northwindlabs.com.",
        "\"v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\"",
    ),
];
/// Names whose authoritative servers fail.
pub const SERVFAIL_NAMES: [&str; 3] = [
    "status.legacy-vendor.net.",
    "api.partner-gateway.com.",
    "sftp.old-supplier.org.",
];
