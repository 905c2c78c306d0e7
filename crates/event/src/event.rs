//! The event view: a record's kind, encoding, event time and raw text, with field lookups
//! answered from the projector's captures. Also tells envelopes and non-records apart.

use crate::aliases::Transform;
use crate::kind::{Encoding, Kind};
use crate::schema::{FieldId, Getter, Phys, Schema};
use crate::time::{TimeParser, format_rfc3339};
use crate::value::{FieldValue, unescape};
use crate::walk::{Captures, SlotId, Spans};
use std::borrow::Cow;
use std::net::IpAddr;

/// Why a record could not be read as an event.
#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    /// The text is not valid JSON.
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// Valid JSON, but neither a CloudTrail event, a Resolver query-log entry, an OCSF event
    /// nor a known envelope.
    #[error("not a CloudTrail, Resolver or OCSF record: {0}")]
    Shape(String),
    /// The record has no usable event time.
    #[error("{0}")]
    Time(String),
}

/// What a record turned out to be.
#[derive(Debug)]
pub enum Classified<'a, 'r> {
    /// An event to evaluate.
    Event(Event<'a>),
    /// An EventBridge envelope; `detail` holds the CloudTrail event.
    EventBridge {
        /// The raw text of the `detail` object.
        detail: &'r str,
    },
    /// A CloudWatch Logs subscription `DATA_MESSAGE`; each message is one record's JSON text.
    CloudWatchLogs {
        /// The `logEvents[].message` strings, unescaped.
        messages: Vec<Cow<'r, str>>,
    },
    /// A CloudWatch Logs `CONTROL_MESSAGE` (a reachability probe): nothing to evaluate.
    Control,
    /// A CloudTrail digest (integrity) document: nothing to evaluate.
    Digest,
}

/// Reads records with one [`Schema`]; keeps its capture buffers between records.
#[derive(Debug, Clone)]
pub struct Projector<'s> {
    schema: &'s Schema,
    caps: Captures,
    time: TimeParser,
}

impl<'s> Projector<'s> {
    /// A projector for `schema`.
    pub fn new(schema: &'s Schema) -> Self {
        Projector {
            schema,
            caps: Captures::default(),
            time: TimeParser::default(),
        }
    }

    /// The schema this projector reads.
    pub fn schema(&self) -> &'s Schema {
        self.schema
    }

    /// Parses one record's JSON text, extracts the schema's fields and classifies it.
    pub fn project<'a, 'r: 'a>(
        &'a mut self,
        raw: &'r str,
    ) -> Result<Classified<'a, 'r>, RecordError> {
        let schema = self.schema;
        self.caps.reset_memo(schema.memo_count());
        schema.trie.walk(raw, &mut self.caps)?;
        let caps = &self.caps;
        let d = &schema.disc;
        let first = |slot: SlotId| caps.spans(slot, raw).next();

        if caps.has(d.detail_type)
            && let Some(range) = caps.ranges(d.detail).next()
        {
            let detail = &raw[range];
            if detail.starts_with('{') {
                return Ok(Classified::EventBridge { detail });
            }
            return Err(RecordError::Shape(
                "EventBridge event whose detail is not an object".into(),
            ));
        }
        if let Some(mt) = first(d.message_type) {
            return match &*unescape(mt) {
                "DATA_MESSAGE" => Ok(Classified::CloudWatchLogs {
                    messages: caps
                        .ranges(d.log_messages)
                        .map(|r| &raw[r])
                        .filter(|m| m.starts_with('"'))
                        .map(unescape)
                        .collect(),
                }),
                "CONTROL_MESSAGE" => Ok(Classified::Control),
                other => Err(RecordError::Shape(format!(
                    "CloudWatch Logs payload with messageType {other:?}"
                ))),
            };
        }
        let (kind, encoding) = if let Some(class) = first(d.class_uid) {
            match class {
                "4003" => (Kind::Resolver, Encoding::Ocsf),
                "6003" => (Kind::CloudTrail, Encoding::Ocsf),
                other => {
                    return Err(RecordError::Shape(format!(
                        "OCSF class_uid {other} (only 4003 DNS Activity and 6003 API Activity are read)"
                    )));
                }
            }
        } else if caps.has(d.event_source) || caps.has(d.event_name) || caps.has(d.event_version) {
            (Kind::CloudTrail, Encoding::Native)
        } else if caps.has(d.query_name) || caps.has(d.query_timestamp) {
            (Kind::Resolver, Encoding::Native)
        } else if caps.has(d.digest_start) {
            return Ok(Classified::Digest);
        } else {
            return Err(RecordError::Shape(describe_shape(raw)));
        };
        let time_ms = event_time(&mut self.time, caps, raw, schema, kind, encoding)?;
        Ok(Classified::Event(Event {
            raw,
            kind,
            encoding,
            time_ms,
            schema,
            caps,
        }))
    }
}

fn event_time(
    time: &mut TimeParser,
    caps: &Captures,
    raw: &str,
    schema: &Schema,
    kind: Kind,
    encoding: Encoding,
) -> Result<i64, RecordError> {
    let d = &schema.disc;
    let (slot, name) = match (kind, encoding) {
        (Kind::CloudTrail, Encoding::Native) => (d.event_time, "eventTime"),
        (Kind::Resolver, Encoding::Native) => (d.query_timestamp, "query_timestamp"),
        (_, Encoding::Ocsf) => {
            if let Some(ms) = caps.spans(d.ocsf_time, raw).next() {
                return ms.parse::<i64>().map_err(|_| {
                    RecordError::Time(format!("OCSF time {ms} is not epoch milliseconds"))
                });
            }
            (d.ocsf_time_dt, "time")
        }
    };
    let text = caps
        .spans(slot, raw)
        .next()
        .ok_or_else(|| RecordError::Time(format!("{kind} record without {name}")))?;
    let value = unescape(text);
    time.parse(&value)
        .ok_or_else(|| RecordError::Time(format!("{name} {value:?} is not an RFC 3339 time")))
}

fn describe_shape(raw: &str) -> String {
    match raw.trim_start().as_bytes().first() {
        Some(b'{') => "an object with none of eventSource, eventName, eventVersion, query_name, \
                       query_timestamp or class_uid"
            .into(),
        Some(b'[') => "an array where a record object was expected".into(),
        _ => "a JSON scalar where a record object was expected".into(),
    }
}

/// One record, ready for field lookups.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// The record's JSON text, verbatim.
    pub raw: &'a str,
    /// CloudTrail or Resolver.
    pub kind: Kind,
    /// Native or OCSF.
    pub encoding: Encoding,
    /// Event time (CloudTrail `eventTime`, Resolver `query_timestamp`, OCSF `time`), epoch ms.
    pub time_ms: i64,
    schema: &'a Schema,
    pub(crate) caps: &'a Captures,
}

impl<'a> Event<'a> {
    /// Every value of a field (arrays yield one value per element; none when absent).
    pub fn values(&self, id: FieldId) -> Values<'a> {
        match self.schema.getter(id, self.kind, self.encoding) {
            Getter::Const(c) => Values::Once(Some(FieldValue::Str(Cow::Borrowed(c)))),
            Getter::First(alts, outer) => {
                let memo_slot = self.schema.memo_slot(id);
                if let Some(text) = memo_slot.and_then(|slot| self.caps.memo.get(slot)?.get()) {
                    return Values::Once(
                        text.as_deref().map(|t| FieldValue::Str(Cow::Borrowed(t))),
                    );
                }
                for p in alts {
                    if self.caps.has(p.slot) {
                        if let Some(slot) = memo_slot
                            && let Some(v) = self.remembered(slot, p, *outer)
                        {
                            return Values::Once(v);
                        }
                        return Values::Spans {
                            spans: self.caps.spans(p.slot, self.raw),
                            inner: p.transform,
                            outer: *outer,
                        };
                    }
                }
                Values::Once(None)
            }
            Getter::Outcome {
                code,
                message,
                console,
            } => Values::Once(Some(FieldValue::Str(Cow::Borrowed(
                self.outcome(code, message, console),
            )))),
        }
    }

    /// A DNS analytic of a single captured value, computed once per distinct value and
    /// remembered across records (`None` when the path holds several values: those are
    /// computed on each read).
    fn remembered(
        &self,
        slot: usize,
        p: &Phys,
        outer: Transform,
    ) -> Option<Option<FieldValue<'a>>> {
        let mut spans = self.caps.spans(p.slot, self.raw);
        let (raw, plain) = spans.next_plain()?;
        if spans.next_plain().is_some() {
            return None;
        }
        let cell = self.caps.memo.get(slot)?;
        let text = cell.get_or_init(|| {
            let slots = self.caps.memo.len();
            self.caps
                .names
                .borrow_mut()
                .get_or_compute(raw, p.slot, slot, slots, || {
                    apply(p.transform, FieldValue::from_raw_plain(raw, plain))
                        .and_then(|v| apply(outer, v))
                        .and_then(|v| match v {
                            FieldValue::Str(Cow::Owned(s)) => Some(s.into_boxed_str()),
                            other => other.as_str().map(Box::from),
                        })
                })
        });
        Some(text.as_deref().map(|t| FieldValue::Str(Cow::Borrowed(t))))
    }

    /// The first value of a field.
    pub fn first(&self, id: FieldId) -> Option<FieldValue<'a>> {
        self.values(id).next()
    }

    /// Whether a field has at least one value.
    pub fn has(&self, id: FieldId) -> bool {
        self.values(id).next().is_some()
    }

    /// The schema the event was read with.
    pub fn schema(&self) -> &'a Schema {
        self.schema
    }

    /// The event time as RFC 3339 text.
    pub fn timestamp(&self) -> String {
        format_rfc3339(self.time_ms)
    }

    fn first_phys(&self, alts: &[Phys]) -> Option<FieldValue<'a>> {
        alts.iter()
            .find(|p| self.caps.has(p.slot))
            .and_then(|p| self.caps.spans(p.slot, self.raw).next())
            .map(FieldValue::from_raw)
    }

    fn outcome(&self, code: &[Phys], message: &[Phys], console: &[Phys]) -> &'static str {
        let present = |v: Option<FieldValue>| {
            v.is_some_and(|v| !v.is_null() && v.as_text().is_none_or(|t| !t.is_empty()))
        };
        if let Some(result) = self
            .first_phys(console)
            .and_then(|v| v.as_str().map(str::to_owned))
        {
            return if result.eq_ignore_ascii_case("success") {
                "success"
            } else {
                "failure"
            };
        }
        let code = self.first_phys(code);
        let is_success_code = code
            .as_ref()
            .and_then(FieldValue::as_str)
            .is_some_and(|c| c.eq_ignore_ascii_case("success"));
        if (present(code) && !is_success_code) || present(self.first_phys(message)) {
            "failure"
        } else {
            "success"
        }
    }
}

/// Iterator over a field's values.
#[derive(Clone)]
pub enum Values<'a> {
    /// Zero or one value.
    Once(Option<FieldValue<'a>>),
    /// Captured spans, transformed.
    Spans {
        /// The raw spans.
        spans: Spans<'a>,
        /// The physical transform (OCSF back to native).
        inner: Transform,
        /// The alias transform.
        outer: Transform,
    },
}

impl<'a> Iterator for Values<'a> {
    type Item = FieldValue<'a>;
    fn next(&mut self) -> Option<FieldValue<'a>> {
        match self {
            Values::Once(v) => v.take(),
            Values::Spans {
                spans,
                inner,
                outer,
            } => loop {
                let (raw, plain) = spans.next_plain()?;
                if let Some(v) = apply(*inner, FieldValue::from_raw_plain(raw, plain))
                    .and_then(|v| apply(*outer, v))
                {
                    return Some(v);
                }
            },
        }
    }
}

/// Values of lower-cased fields common enough to be lent instead of lower-cased into a new
/// string for every record (Resolver `transport`).
const KNOWN_LOWER: &[&str] = &["udp", "tcp", "doh", "dot"];

/// Applies a transform; `None` drops the value.
fn apply(t: Transform, v: FieldValue<'_>) -> Option<FieldValue<'_>> {
    Some(match t {
        Transform::None | Transform::Outcome => v,
        Transform::Const(c) => FieldValue::Str(Cow::Borrowed(c)),
        Transform::StripDot => map_str(v, |s| match s {
            Cow::Borrowed(b) => Cow::Borrowed(b.strip_suffix('.').unwrap_or(b)),
            Cow::Owned(mut o) => {
                if o.ends_with('.') {
                    o.pop();
                }
                Cow::Owned(o)
            }
        }),
        Transform::Lower => map_str(v, |s| {
            let upper = if s.is_ascii() {
                s.bytes().any(|b| b.is_ascii_uppercase())
            } else {
                s.chars().any(char::is_uppercase)
            };
            if !upper {
                s
            } else if let Some(known) = KNOWN_LOWER.iter().find(|k| k.eq_ignore_ascii_case(&s)) {
                Cow::Borrowed(known)
            } else {
                Cow::Owned(s.to_lowercase())
            }
        }),
        Transform::IpOnly => return v.as_str().is_some_and(is_ip).then_some(v),
        Transform::NotIp => return v.as_str().is_some_and(|s| !is_ip(s)).then_some(v),
        Transform::EpochMillis => match v {
            FieldValue::Num(n) => match n.parse::<i64>() {
                Ok(ms) => FieldValue::Str(Cow::Owned(format_rfc3339(ms))),
                Err(_) => v,
            },
            other => other,
        },
        Transform::OcsfRcode => map_str(v, |s| match ocsf_rcode(&s) {
            "" => Cow::Owned(s.to_uppercase()),
            known => Cow::Borrowed(known),
        }),
        Transform::OcsfDisposition => map_str(v, |s| match &*s {
            "Alert" => Cow::Borrowed("ALERT"),
            "Blocked" | "Block" => Cow::Borrowed("BLOCK"),
            "Allowed" | "Allow" => Cow::Borrowed("ALLOW"),
            _ => Cow::Owned(s.to_uppercase()),
        }),
        Transform::DnsName
        | Transform::RegisteredDomain
        | Transform::PublicSuffix
        | Transform::LastLabel
        | Transform::Subdomain
        | Transform::Base64Label
        | Transform::DgaScore
        | Transform::TunnelLabel => return dns_field(t, v),
        Transform::Text => match v {
            FieldValue::Bool(b) => FieldValue::Str(Cow::Borrowed(if b { "true" } else { "false" })),
            FieldValue::Num(n) => FieldValue::Str(Cow::Borrowed(n)),
            other => other,
        },
    })
}

fn ocsf_rcode(name: &str) -> &'static str {
    match name {
        "NoError" => "NOERROR",
        "FormError" => "FORMERR",
        "ServError" => "SERVFAIL",
        "NXDomain" => "NXDOMAIN",
        "NotImp" => "NOTIMP",
        "Refused" => "REFUSED",
        "YXDomain" => "YXDOMAIN",
        "YXRRSet" => "YXRRSET",
        "NXRRSet" => "NXRRSET",
        "NotAuth" => "NOTAUTH",
        "NotZone" => "NOTZONE",
        _ => "",
    }
}

/// The derived DNS fields: computed from the query name (owned results, absent when the
/// function has nothing to say, e.g. no base64 label).
fn dns_field(t: Transform, v: FieldValue<'_>) -> Option<FieldValue<'_>> {
    let logged = v.as_str()?;
    let logged = logged.strip_suffix('.').unwrap_or(logged);
    let name: Cow<'_, str> = if logged.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(logged.to_ascii_lowercase())
    } else {
        Cow::Borrowed(logged)
    };
    let owned = |s: &str| Some(FieldValue::Str(Cow::Owned(s.to_owned())));
    match t {
        Transform::DnsName => owned(&name),
        Transform::RegisteredDomain => r53guard_dns::registrable_domain(&name).and_then(owned),
        Transform::PublicSuffix => owned(r53guard_dns::public_suffix(&name)),
        Transform::LastLabel => owned(r53guard_dns::tld(&name)),
        Transform::Subdomain => Some(r53guard_dns::subdomain(&name))
            .filter(|s| !s.is_empty())
            .and_then(owned),
        Transform::Base64Label => r53guard_dns::base64_label(logged).and_then(owned),
        Transform::DgaScore => owned(&format!("{:.3}", r53guard_dns::dga_score(&name))),
        Transform::TunnelLabel => r53guard_dns::tunnel_label(&name).and_then(owned),
        _ => Some(v),
    }
}

fn map_str<'a>(v: FieldValue<'a>, f: impl FnOnce(Cow<'a, str>) -> Cow<'a, str>) -> FieldValue<'a> {
    match v {
        FieldValue::Str(s) => FieldValue::Str(f(s)),
        other => other,
    }
}

fn is_ip(s: &str) -> bool {
    s.parse::<IpAddr>().is_ok()
}
