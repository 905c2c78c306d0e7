//! The HTTP transport: one client with timeouts, no redirects, HTTPS only and no private
//! targets unless allowed, and errors that never show a URL.

use crate::outcome::{Failure, FailureKind};
use crate::retry_after::parse_retry_after;
use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{CONTENT_TYPE, RETRY_AFTER};
use reqwest::{Client, Url, redirect};
use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// How the HTTP receivers connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpSettings {
    /// The longest a request may take, answer included.
    pub timeout: Duration,
    /// The longest connecting may take.
    pub connect_timeout: Duration,
    /// Allow `http://` targets (tests, or a receiver on the same host); otherwise HTTPS only.
    pub allow_plain_http: bool,
    /// Allow targets that are, or resolve to, loopback, private, link-local (the cloud
    /// metadata service `169.254.169.254` included) or other non-public addresses.
    pub allow_private_targets: bool,
}

impl Default for HttpSettings {
    /// A 20 s request timeout (Slack and most receivers answer in well under a second), 10 s to
    /// connect, HTTPS to public addresses only.
    fn default() -> HttpSettings {
        HttpSettings {
            timeout: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(10),
            allow_plain_http: false,
            allow_private_targets: false,
        }
    }
}

/// What came back from a POST.
#[derive(Debug)]
pub(crate) struct Answer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    /// The start of the body, for error messages.
    pub(crate) body: String,
}

/// The most of an answer's body kept.
const BODY_KEPT: usize = 1024;

pub(crate) struct Transport {
    client: Client,
    settings: HttpSettings,
}

impl Transport {
    pub(crate) fn new(settings: HttpSettings) -> Result<Transport, reqwest::Error> {
        let mut builder = Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.connect_timeout)
            .redirect(redirect::Policy::none())
            .user_agent(concat!("r53guard/", env!("CARGO_PKG_VERSION")));
        if !settings.allow_private_targets {
            builder = builder.dns_resolver(Arc::new(PublicOnly));
        }
        Ok(Transport {
            client: builder.build()?,
            settings,
        })
    }

    /// Checks a target URL against the settings. The message never repeats the URL.
    pub(crate) fn check_url(&self, url: &str) -> Result<Url, Failure> {
        let url = Url::parse(url)
            .map_err(|e| Failure::new(FailureKind::Blocked, format!("not a URL ({e})")))?;
        match url.scheme() {
            "https" => {}
            "http" if self.settings.allow_plain_http => {}
            _ => {
                return Err(Failure::new(
                    FailureKind::Blocked,
                    "only https:// targets are allowed",
                ));
            }
        }
        let Some(host) = url.host_str() else {
            return Err(Failure::new(FailureKind::Blocked, "the URL has no host"));
        };
        let literal = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .ok();
        if let Some(ip) = literal
            && !self.settings.allow_private_targets
            && !is_public(ip)
        {
            return Err(Failure::new(
                FailureKind::Blocked,
                BlockedAddress.to_string(),
            ));
        }
        Ok(url)
    }

    /// POSTs a JSON body. Transport failures come back as [`Failure`]s without the URL.
    pub(crate) async fn post_json(
        &self,
        url: &str,
        headers: &[(&'static str, String)],
        body: Vec<u8>,
        now: SystemTime,
    ) -> Result<Answer, Failure> {
        let url = self.check_url(url)?;
        let mut request = self
            .client
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = request.send().await.map_err(transport_failure)?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| parse_retry_after(v, now));
        let mut kept = Vec::new();
        while kept.len() < BODY_KEPT {
            match response.chunk().await {
                Ok(Some(chunk)) => kept.extend_from_slice(&chunk),
                Ok(None) => break,
                // The status is what counts; a body cut short only shortens the message.
                Err(_) => break,
            }
        }
        kept.truncate(BODY_KEPT);
        Ok(Answer {
            status,
            retry_after,
            body: String::from_utf8_lossy(&kept).into_owned(),
        })
    }
}

/// A transport error as a [`Failure`]: its kind, and its message with the URL left out.
fn transport_failure(error: reqwest::Error) -> Failure {
    let kind = if error.is_timeout() {
        FailureKind::Timeout
    } else if chain(&error).any(|e| e.is::<BlockedAddress>()) {
        FailureKind::Blocked
    } else {
        FailureKind::Connection
    };
    let error = error.without_url();
    let detail: Vec<String> = chain(&error).map(ToString::to_string).collect();
    Failure::new(kind, detail.join(": "))
}

fn chain<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |&e| e.source())
}

/// A name resolved only to addresses that are not allowed.
#[derive(Debug)]
struct BlockedAddress;

impl fmt::Display for BlockedAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the target is a private, loopback or link-local address")
    }
}

impl StdError for BlockedAddress {}

/// A resolver that drops non-public addresses, and fails when none is left.
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        Box::pin(async move {
            let found = tokio::net::lookup_host((name.as_str(), 0)).await?;
            let public: Vec<SocketAddr> = found.filter(|a| is_public(a.ip())).collect();
            if public.is_empty() {
                return Err(Box::new(BlockedAddress) as Box<dyn StdError + Send + Sync>);
            }
            Ok(Box::new(public.into_iter()) as Addrs)
        })
    }
}

/// Whether an address is on the public internet: not loopback, private, shared (CGNAT),
/// link-local, unique-local, documentation, multicast, broadcast or unspecified.
pub(crate) fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_and_private_addresses() {
        for ip in ["8.8.8.8", "52.94.76.1", "2600:1f18::1", "::ffff:8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_without_repeating_them() {
        let strict = Transport::new(HttpSettings::default()).unwrap();
        let secret_url = "http://hooks.example.invalid/services/T0/B0/SECRET";
        let err = strict.check_url(secret_url).unwrap_err();
        assert_eq!(err.kind, FailureKind::Blocked);
        assert!(!err.to_string().contains("SECRET"));
        for blocked in [
            "https://169.254.169.254/latest/meta-data/",
            "https://127.0.0.1:8443/hook",
            "https://[::1]/hook",
            "https://10.0.0.8/hook",
            "ftp://example.invalid/x",
        ] {
            assert_eq!(
                strict.check_url(blocked).unwrap_err().kind,
                FailureKind::Blocked
            );
        }
        assert!(strict.check_url("https://hooks.example.invalid/x").is_ok());
        assert!(strict.check_url("not a url").is_err());

        let local = Transport::new(HttpSettings {
            allow_plain_http: true,
            allow_private_targets: true,
            ..HttpSettings::default()
        })
        .unwrap();
        assert!(local.check_url("http://127.0.0.1:9/hook").is_ok());
    }

    #[tokio::test]
    async fn names_that_resolve_to_private_addresses_are_blocked() {
        let strict = Transport::new(HttpSettings {
            allow_plain_http: true,
            ..HttpSettings::default()
        })
        .unwrap();
        // `localhost` resolves to loopback without leaving the machine; nothing is sent.
        let err = strict
            .post_json(
                "http://localhost:9/hook",
                &[],
                b"{}".to_vec(),
                SystemTime::now(),
            )
            .await
            .unwrap_err();
        assert_eq!(err.kind, FailureKind::Blocked, "{err}");
    }
}
