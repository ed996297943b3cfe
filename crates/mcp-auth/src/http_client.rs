//! Outbound HTTP with the crate's network policy (STUB: to be implemented).
#![allow(missing_docs, unused)]

use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, StatusCode};

/// Policy for every outbound fetch (metadata, JWKS, introspection, userinfo).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct OutboundPolicy {
    pub deadline: Duration,
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        Self {
            deadline: Duration::from_secs(5),
        }
    }
}

/// A fetched response whose body was read in full, within the size cap.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// Why an outbound fetch failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    #[error("refused to fetch `{url}`: {reason}")]
    Refused { url: String, reason: String },
}

/// HTTP client enforcing [`OutboundPolicy`].
#[derive(Debug, Clone, Default)]
pub struct HttpClient {
    policy: OutboundPolicy,
}

impl HttpClient {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn with_policy(policy: OutboundPolicy) -> Self {
        Self { policy }
    }
    pub fn policy(&self) -> &OutboundPolicy {
        &self.policy
    }
    pub fn check_url(&self, url: &str) -> Result<url::Url, FetchError> {
        todo!()
    }
    pub async fn get(&self, url: &str, max_bytes: usize) -> Result<HttpResponse, FetchError> {
        todo!()
    }
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
        max_bytes: usize,
    ) -> Result<HttpResponse, FetchError> {
        todo!()
    }
}
