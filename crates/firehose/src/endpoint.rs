//! The axum handler: check the access key, read and decode the body within the limits, then
//! process the delivery once per request id, answering by the deadline.

use crate::access_key::any_matches;
use crate::body;
use crate::config::FirehoseConfig;
use crate::delivery::{Deliveries, Delivery};
use crate::headers;
use crate::in_flight::InFlight;
use crate::reply::{Refusal, reply};
use crate::request_body::{RequestBody, decode};
use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::post;
use std::sync::Arc;
use tokio::time::{Instant, timeout_at};

struct Endpoint<D> {
    config: FirehoseConfig,
    deliveries: Arc<D>,
    in_flight: InFlight,
}

/// The Firehose endpoint: a router serving `POST config.path`, handing each new delivery to
/// `deliveries`. Merge it into the service's router, or serve it on its own.
///
/// # Panics
///
/// If `config.path` does not start with `/` (axum refuses such a route).
pub fn router<D: Deliveries>(config: FirehoseConfig, deliveries: Arc<D>) -> Router {
    let path = config.path.clone();
    let endpoint = Arc::new(Endpoint {
        config,
        deliveries,
        in_flight: InFlight::default(),
    });
    Router::new()
        .route(&path, post(receive::<D>))
        .with_state(endpoint)
}

async fn receive<D: Deliveries>(
    State(endpoint): State<Arc<Endpoint<D>>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let deadline = Instant::now() + endpoint.config.deadline;
    let header_id = headers::request_id(&headers);
    let delivery = match timeout_at(deadline, endpoint.delivery(&headers, body)).await {
        Ok(Ok(delivery)) => delivery,
        Ok(Err(refusal)) => return reply(header_id.as_deref().unwrap_or_default(), Err(refusal)),
        Err(_) => {
            let refusal = endpoint.late("the request was not received and decoded");
            return reply(header_id.as_deref().unwrap_or_default(), Err(refusal));
        }
    };
    let request_id = delivery.request_id.clone();
    let outcome = timeout_at(
        deadline,
        endpoint.in_flight.process(&endpoint.deliveries, delivery),
    )
    .await
    .unwrap_or_else(|_| {
        Err(endpoint.late(
            "the records were not processed; processing goes on, and a retry of this request is acknowledged once it is durable",
        ))
    });
    reply(&request_id, outcome)
}

impl<D: Deliveries> Endpoint<D> {
    /// The request's delivery, or why it is refused. A request refused before its body is
    /// read has its body drained first, so that the client reads the answer.
    async fn delivery(&self, headers: &HeaderMap, body: Body) -> Result<Delivery, Refusal> {
        let encoding = match self.check_before_body(headers) {
            Ok(encoding) => encoding,
            Err(refusal) => {
                body::drain(body).await;
                return Err(refusal);
            }
        };
        let bytes = body::read(body, self.config.max_body_bytes).await?;
        let limit = self.config.max_body_bytes;
        let decoded = tokio::task::spawn_blocking(move || decode(&bytes, encoding, limit))
            .await
            .map_err(|e| {
                Refusal::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    format!("decoding the body failed: {e}"),
                )
            })??;
        let RequestBody {
            request_id,
            timestamp_ms,
            records,
        } = decoded;
        check_request_id(headers::request_id(headers).as_deref(), &request_id)?;
        Ok(Delivery {
            request_id,
            timestamp_ms,
            records,
            common_attributes: headers::common_attributes(headers)?,
            source_arn: headers::source_arn(headers),
        })
    }

    /// The checks that need only the headers: access key (401), encoding (415), declared
    /// length (413).
    fn check_before_body(&self, headers: &HeaderMap) -> Result<headers::Encoding, Refusal> {
        let Some(key) = headers.get(headers::ACCESS_KEY) else {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "X-Amz-Firehose-Access-Key is missing; set the stream's access key",
            ));
        };
        if !any_matches(&self.config.access_keys, key.as_bytes()) {
            return Err(Refusal::new(
                StatusCode::UNAUTHORIZED,
                "X-Amz-Firehose-Access-Key is not an access key this endpoint accepts",
            ));
        }
        let encoding = headers::encoding(headers)?;
        let limit = self.config.max_body_bytes;
        if headers::content_length(headers).is_some_and(|length| length > limit as u64) {
            return Err(body::too_large(limit));
        }
        Ok(encoding)
    }

    /// The 503 answered at the deadline: Firehose retries it.
    fn late(&self, what: &str) -> Refusal {
        Refusal::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{what} within {:?}", self.config.deadline),
        )
    }
}

/// The body's `requestId` must be the header's (when the header is sent) and not empty.
fn check_request_id(header: Option<&str>, body: &str) -> Result<(), Refusal> {
    let refuse = |message: String| Err(Refusal::new(StatusCode::BAD_REQUEST, message));
    if body.is_empty() {
        return refuse("requestId is empty".to_owned());
    }
    match header {
        Some(header) if header != body => refuse(format!(
            "requestId {body:?} in the body differs from X-Amz-Firehose-Request-Id {header:?}"
        )),
        _ => Ok(()),
    }
}
