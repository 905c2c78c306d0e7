//! The S3 and SQS clients, built once from the standard AWS chain with optional overrides and
//! driven from blocking code on a small runtime owned by [`Aws`].

use crate::error::Error;
use crate::url::S3Url;
use aws_config::{BehaviorVersion, Region};
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_smithy_http_client::tls::{Provider, rustls_provider::CryptoMode};
use std::future::Future;
use std::time::Duration;

/// How to reach AWS (or an S3-compatible store): everything unset takes the standard chain —
/// `AWS_REGION`, `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_S3`/`AWS_ENDPOINT_URL_SQS`, the
/// environment's keys, the shared config and credentials files and their profile, SSO, the
/// container and instance credential endpoints.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The region, instead of the chain's.
    pub region: Option<String>,
    /// The endpoint of every service (`http://127.0.0.1:9000` for a local store); S3 is then
    /// addressed path-style (`endpoint/bucket/key`).
    pub endpoint_url: Option<String>,
    /// Fixed keys instead of the credential chain.
    pub credentials: Option<StaticCredentials>,
}

/// An access key pair.
#[derive(Clone)]
pub struct StaticCredentials {
    /// The access key id.
    pub access_key_id: String,
    /// The secret access key.
    pub secret_access_key: String,
}

impl std::fmt::Debug for StaticCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaticCredentials")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// One object of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    /// The key.
    pub key: String,
    /// The size in bytes.
    pub size: u64,
    /// The entity tag, as S3 gives it (quoted).
    pub etag: Option<String>,
}

/// S3 and SQS clients with the runtime that drives them. Every method blocks the calling
/// thread; any number of threads may call at once. Do not call from inside an async task.
pub struct Aws {
    runtime: tokio::runtime::Runtime,
    pub(crate) s3: aws_sdk_s3::Client,
    pub(crate) sqs: aws_sdk_sqs::Client,
}

impl Aws {
    /// Builds the clients. Credentials are resolved lazily, at the first call.
    pub fn connect(options: &Options) -> Result<Aws, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("r53guard-aws")
            .enable_all()
            .build()
            .map_err(Error::Runtime)?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        // No call may hang for ever: a connection is made within 10 s and a response starts
        // within a minute (beyond SQS's longest long poll, 20 s).
        let timeouts = aws_config::timeout::TimeoutConfig::builder()
            .connect_timeout(Duration::from_secs(10))
            .read_timeout(Duration::from_secs(60))
            .build();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .timeout_config(timeouts);
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        if let Some(url) = &options.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(c) = &options.credentials {
            loader = loader.credentials_provider(aws_sdk_s3::config::Credentials::new(
                &c.access_key_id,
                &c.secret_access_key,
                None,
                None,
                "r53guard-static",
            ));
        }
        let shared = runtime.block_on(loader.load());
        let path_style = options.endpoint_url.is_some()
            || ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"]
                .iter()
                .any(|v| std::env::var_os(v).is_some_and(|s| !s.is_empty()));
        let s3_config = aws_sdk_s3::config::Builder::from(&shared)
            .force_path_style(path_style)
            .build();
        Ok(Aws {
            s3: aws_sdk_s3::Client::from_conf(s3_config),
            sqs: aws_sdk_sqs::Client::new(&shared),
            runtime,
        })
    }

    /// Runs `future` to completion on the clients' runtime.
    pub(crate) fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Every object under `url`'s prefix, in key order, listed `page_size` keys per request
    /// (S3's maximum, 1000, when `None`).
    pub fn list(&self, url: &S3Url, page_size: Option<i32>) -> Result<Vec<ObjectInfo>, Error> {
        self.block_on(async {
            let mut out = Vec::new();
            let mut token: Option<String> = None;
            loop {
                let page = self
                    .s3
                    .list_objects_v2()
                    .bucket(&url.bucket)
                    .prefix(&url.prefix)
                    .set_max_keys(page_size)
                    .set_continuation_token(token.take())
                    .send()
                    .await
                    .map_err(|e| call_error(url.to_string(), &e))?;
                for o in page.contents() {
                    let Some(key) = o.key() else { continue };
                    out.push(ObjectInfo {
                        key: key.to_owned(),
                        size: o.size().and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                        etag: o.e_tag().map(str::to_owned),
                    });
                }
                match page.next_continuation_token() {
                    Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_owned()),
                    _ => break,
                }
            }
            out.sort_by(|a, b| a.key.cmp(&b.key));
            Ok(out)
        })
    }

    /// Reads one object whole; one larger than `max_bytes` is an [`Error::TooLarge`].
    pub fn get(&self, bucket: &str, key: &str, max_bytes: u64) -> Result<Vec<u8>, Error> {
        let url = S3Url::object(bucket, key);
        self.block_on(async {
            let mut object = self
                .s3
                .get_object()
                .bucket(bucket)
                .key(key)
                .send()
                .await
                .map_err(|e| call_error(url.clone(), &e))?;
            let size = object
                .content_length()
                .and_then(|s| u64::try_from(s).ok())
                .unwrap_or(0);
            if size > max_bytes {
                return Err(Error::TooLarge {
                    url,
                    size,
                    max: max_bytes,
                });
            }
            let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
            while let Some(chunk) = object.body.try_next().await.map_err(|e| Error::Call {
                target: url.clone(),
                message: format!("reading the body: {}", DisplayErrorContext(&e)),
                code: None,
            })? {
                bytes.extend_from_slice(&chunk);
                if bytes.len() as u64 > max_bytes {
                    return Err(Error::TooLarge {
                        url,
                        size: bytes.len() as u64,
                        max: max_bytes,
                    });
                }
            }
            Ok(bytes)
        })
    }
}

/// An [`Error::Call`] from an SDK error: the service's code and message when it answered,
/// the whole client-side cause chain otherwise.
pub(crate) fn call_error<E, R>(target: String, e: &SdkError<E, R>) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if let Some(service) = e.as_service_error()
        && let Some(code) = service.code()
    {
        let message = match service.message() {
            Some(m) => format!("{code}: {m}"),
            None => code.to_owned(),
        };
        return Error::Call {
            target,
            message,
            code: Some(code.to_owned()),
        };
    }
    Error::Call {
        target,
        message: DisplayErrorContext(e).to_string(),
        code: None,
    }
}
