//! `r53guard fields`: the alias table (ECS names and OCSF mappings) as a table or JSON lines.

use crate::Outcome;
use crate::output::{RowFormat, RowWriter};
use clap::Args;
use r53guard_event::aliases::{ALIASES, OCSF_FIELDS, Transform};

/// Arguments of `r53guard fields`.
#[derive(Args, Debug)]
pub struct FieldsArgs {
    /// Output format.
    #[arg(long, value_enum, default_value_t = RowFormat::Table)]
    format: RowFormat,
    /// List the OCSF mappings instead of the ECS aliases.
    #[arg(long)]
    ocsf: bool,
}

pub fn run(args: FieldsArgs) -> anyhow::Result<Outcome> {
    let out = std::io::stdout().lock();
    let s = |v: &str| vec![serde_json::Value::from(v)];
    if args.ocsf {
        let header = ["kind", "raw field", "OCSF field(s)", "transform"];
        let mut w = RowWriter::new(out, args.format, header.map(String::from).to_vec());
        for f in OCSF_FIELDS {
            w.row(&[
                s(f.kind.name()),
                s(f.raw),
                s(&f.ocsf.join(" | ")),
                s(&describe(f.transform)),
            ])?;
        }
        w.finish()?;
    } else {
        let header = ["kind", "ECS field", "source (first present)", "transform"];
        let mut w = RowWriter::new(out, args.format, header.map(String::from).to_vec());
        for a in ALIASES {
            w.row(&[
                s(a.kind.name()),
                s(a.name),
                s(&a.sources.join(" | ")),
                s(&describe(a.transform)),
            ])?;
        }
        w.finish()?;
    }
    Ok(Outcome::Clean)
}

fn describe(t: Transform) -> String {
    match t {
        Transform::None => String::new(),
        Transform::StripDot => "strip one trailing dot".into(),
        Transform::Lower => "lower-case".into(),
        Transform::IpOnly => "only when an IP address".into(),
        Transform::NotIp => "only when not an IP address".into(),
        Transform::Outcome => "success/failure from errorCode, errorMessage, ConsoleLogin".into(),
        Transform::EpochMillis => "epoch ms to RFC 3339".into(),
        Transform::OcsfRcode => "OCSF rcode name to Resolver mnemonic".into(),
        Transform::OcsfDisposition => "OCSF disposition to ALERT/BLOCK/ALLOW".into(),
        Transform::Text => "as text".into(),
        Transform::Const(c) => format!("constant {c:?}"),
        Transform::DnsName => "lower-cased, no trailing dot".into(),
        Transform::RegisteredDomain => "registrable domain (Public Suffix List)".into(),
        Transform::PublicSuffix => "public suffix (Public Suffix List)".into(),
        Transform::LastLabel => "last label".into(),
        Transform::Subdomain => "labels before the registrable domain".into(),
        Transform::Base64Label => "the label that is a base64 payload, if any".into(),
        Transform::DgaScore => "DGA score 0-1 of the registrable label".into(),
        Transform::TunnelLabel => "the subdomain, if long or high-entropy".into(),
    }
}
