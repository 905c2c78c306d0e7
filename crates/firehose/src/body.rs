//! Reading the request body within the size limit, without buffering more than the limit, and
//! gunzipping it within the same limit.

use crate::reply::Refusal;
use axum::body::{Body, Bytes, HttpBody};
use axum::http::StatusCode;
use flate2::read::MultiGzDecoder;
use std::future::poll_fn;
use std::io::Read;
use std::pin::Pin;

/// The most a refused request's body is read (and thrown away) before answering, so that the
/// client, still sending, reads the answer instead of a reset connection: twice the largest
/// body Firehose sends.
const DRAIN_BYTES: usize = 128 << 20;

/// Reads the body, refusing it with 413 as soon as it grows past `limit` bytes (what is left
/// of it is then drained, not kept).
pub(crate) async fn read(mut body: Body, limit: usize) -> Result<Vec<u8>, Refusal> {
    let mut bytes = Vec::new();
    while let Some(chunk) = next_chunk(&mut body).await {
        let chunk = chunk?;
        if chunk.len() > limit - bytes.len() {
            drain(body).await;
            return Err(too_large(limit));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Reads and throws away what is left of a refused request's body, up to [`DRAIN_BYTES`].
pub(crate) async fn drain(mut body: Body) {
    let mut drained = 0;
    while drained < DRAIN_BYTES {
        match next_chunk(&mut body).await {
            Some(Ok(chunk)) => drained += chunk.len(),
            _ => return,
        }
    }
}

/// Decompresses a gzip body (one or more members), refusing it with 413 when it inflates past
/// `limit` bytes and with 400 when it is not gzip or is cut short.
pub(crate) fn gunzip(compressed: &[u8], limit: usize) -> Result<Vec<u8>, Refusal> {
    let mut inflated = Vec::new();
    let cap = u64::try_from(limit).unwrap_or(u64::MAX).saturating_add(1);
    MultiGzDecoder::new(compressed)
        .take(cap)
        .read_to_end(&mut inflated)
        .map_err(|e| {
            Refusal::new(
                StatusCode::BAD_REQUEST,
                format!("the body is sent with Content-Encoding gzip but is not valid gzip: {e}"),
            )
        })?;
    if inflated.len() > limit {
        return Err(too_large(limit));
    }
    Ok(inflated)
}

/// The 413 answer: Firehose drops the batch for good, and its docs advise a smaller buffer.
pub(crate) fn too_large(limit: usize) -> Refusal {
    Refusal::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!(
            "the body is larger than this endpoint's limit of {limit} bytes (after gzip decompression too); lower the stream's buffering size"
        ),
    )
}

/// The next data chunk of the body (trailers are skipped), or `None` at its end.
async fn next_chunk(body: &mut Body) -> Option<Result<Bytes, Refusal>> {
    loop {
        let frame = poll_fn(|cx| Pin::new(&mut *body).poll_frame(cx)).await?;
        match frame {
            Ok(frame) => {
                if let Ok(data) = frame.into_data() {
                    return Some(Ok(data));
                }
            }
            Err(e) => {
                return Some(Err(Refusal::new(
                    StatusCode::BAD_REQUEST,
                    format!("the body could not be read: {e}"),
                )));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use flate2::write::GzEncoder;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn gunzip_within_and_past_the_limit() {
        let data = vec![b'a'; 1000];
        assert_eq!(gunzip(&gzip(&data), 1000).unwrap(), data);
        let refused = gunzip(&gzip(&data), 999).unwrap_err();
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    }

    #[test]
    fn gunzip_reads_every_member() {
        let mut two = gzip(b"one ");
        two.extend(gzip(b"two"));
        assert_eq!(gunzip(&two, 100).unwrap(), b"one two");
    }

    #[test]
    fn gunzip_refuses_garbage_and_truncation() {
        assert_eq!(
            gunzip(b"not gzip", 100).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
        let whole = gzip(&[b'x'; 500]);
        let cut = &whole[..whole.len() - 4];
        assert_eq!(
            gunzip(cut, 1000).unwrap_err().status,
            StatusCode::BAD_REQUEST
        );
    }

    #[tokio::test]
    async fn read_stops_past_the_limit() {
        assert_eq!(read(Body::from("12345"), 5).await.unwrap(), b"12345");
        let refused = read(Body::from("123456"), 5).await.unwrap_err();
        assert_eq!(refused.status, StatusCode::PAYLOAD_TOO_LARGE);
    }
}
