//! Reading request bodies with a size cap (the policy layer and the SSE transport buffer
//! JSON-RPC messages; neither may allocate more than the cap on attacker input).

use bytes::{Buf, Bytes, BytesMut};
use http::HeaderMap;
use http::header::CONTENT_LENGTH;
use http_body::Body;
use http_body_util::BodyExt;

/// The default cap on a JSON-RPC request body: 4 MiB (rmcp's own default).
pub const DEFAULT_MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

/// Why a body could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BodyError {
    /// Longer than the cap (announced by `Content-Length` or found while reading).
    TooLarge,
    /// The body stream failed (connection reset, ...).
    Read,
}

/// `true` when `Content-Length` announces more than `max` bytes: the body need not be read.
pub(crate) fn announced_too_large(headers: &HeaderMap, max: usize) -> bool {
    headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.trim().parse::<u64>().ok())
        .is_some_and(|len| len > u64::try_from(max).unwrap_or(u64::MAX))
}

/// Reads `body` to the end, failing as soon as it exceeds `max` bytes.
pub(crate) async fn read_capped<B>(body: B, max: usize) -> Result<Bytes, BodyError>
where
    B: Body,
{
    let mut body = std::pin::pin!(body);
    let mut collected = BytesMut::new();
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Read)?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers
        };
        if data.remaining() > max.saturating_sub(collected.len()) {
            return Err(BodyError::TooLarge);
        }
        while data.has_remaining() {
            let chunk = data.chunk();
            let len = chunk.len();
            collected.extend_from_slice(chunk);
            data.advance(len);
        }
    }
    Ok(collected.freeze())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use http_body_util::Full;

    #[tokio::test]
    async fn reads_up_to_the_cap() {
        let body = Full::new(Bytes::from_static(b"12345678"));
        assert_eq!(read_capped(body, 8).await.unwrap(), "12345678");
        let body = Full::new(Bytes::from_static(b"123456789"));
        assert_eq!(read_capped(body, 8).await, Err(BodyError::TooLarge));
    }

    #[test]
    fn content_length_precheck() {
        let mut headers = HeaderMap::new();
        assert!(!announced_too_large(&headers, 10));
        headers.insert(CONTENT_LENGTH, "11".parse().unwrap());
        assert!(announced_too_large(&headers, 10));
        headers.insert(CONTENT_LENGTH, "10".parse().unwrap());
        assert!(!announced_too_large(&headers, 10));
    }
}
