//! Outbound HTTP with the crate's network policy: every fetch of metadata, keys, introspection or
//! userinfo goes through [`HttpClient`].
//!
//! What the client guarantees (battery pinned decisions 6 and 7; MCP Security Best Practices
//! "Server-Side Request Forgery"; RFC 8725 §3.10; RFC 9728 §7.7):
//!
//! * [`OutboundPolicy`]: `https` only (plain `http` to loopback hosts only), no credentials in
//!   URLs, link-local and cloud-metadata addresses always refused, private addresses refused
//!   unless allow-listed. Checked on IP literals before connecting and on every address DNS
//!   returns, so the address connected to is the address checked.
//! * No redirects are followed: a `3xx` answer is [`FetchError::Redirect`].
//! * One deadline covers the whole operation (connect, headers and body):
//!   [`FetchError::Timeout`].
//! * The body is read chunk by chunk up to a byte cap given per call (a larger
//!   `Content-Length` is refused before reading): [`FetchError::TooLarge`]. Responses are never
//!   decompressed (no `Accept-Encoding` is sent), so there are no decompression bombs.
//! * No cookie store, no proxy, no `Referer`; requests carry only the headers this crate sets,
//!   never the credentials of the inbound request being served.
//!
//! ```
//! use mcp_auth::http_client::{FetchError, HttpClient};
//!
//! let client = HttpClient::new();
//! assert!(client.check_url("https://as.example.com/.well-known/openid-configuration").is_ok());
//! let err = client.check_url("http://169.254.169.254/latest/meta-data").unwrap_err();
//! assert!(matches!(err, FetchError::Refused { .. }));
//! ```

use std::error::Error as _;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use url::Url;

mod policy;
mod resolver;
#[cfg(test)]
mod tests;

pub use policy::{DEFAULT_DEADLINE, OutboundPolicy};

use resolver::{PolicyResolver, ResolutionRefused};

/// The `User-Agent` of every outbound request.
pub const USER_AGENT: &str = concat!("mcp-auth-rust/", env!("CARGO_PKG_VERSION"));

/// A response whose body was read in full, within the size cap.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct HttpResponse {
    /// The status code.
    pub status: StatusCode,
    /// The response header fields.
    pub headers: HeaderMap,
    /// The body (at most the cap given to the call).
    pub body: Bytes,
}

impl HttpResponse {
    /// A response; for tests and custom transports.
    #[must_use]
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes) -> Self {
        Self {
            status,
            headers,
            body,
        }
    }
}

/// Why an outbound fetch failed. Every variant names the URL (without credentials).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// The [`OutboundPolicy`] refused the URL or every address its host resolves to; no
    /// connection was made.
    #[error("refused to fetch `{url}`: {reason}")]
    Refused {
        /// The URL.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// Connecting, TLS, or the HTTP exchange failed.
    #[error("fetching `{url}` failed: {source}")]
    Network {
        /// The URL.
        url: String,
        /// The underlying error.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The whole operation did not finish within the deadline.
    #[error("fetching `{url}` did not finish within {deadline:?}")]
    Timeout {
        /// The URL.
        url: String,
        /// The deadline that was exceeded.
        deadline: Duration,
    },
    /// The body is larger than the cap.
    #[error("the response from `{url}` is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The cap, in bytes.
        limit: usize,
    },
    /// The server answered with a redirect, which is never followed.
    #[error("`{url}` answered with a redirect ({status}); redirects are not followed")]
    Redirect {
        /// The URL.
        url: String,
        /// The `3xx` status.
        status: StatusCode,
    },
    /// The server answered with a status other than `2xx` (only from [`HttpClient::get`]).
    #[error("`{url}` answered with status {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: StatusCode,
    },
}

impl FetchError {
    /// The URL whose fetch failed.
    #[must_use]
    pub fn url(&self) -> &str {
        match self {
            Self::Refused { url, .. }
            | Self::Network { url, .. }
            | Self::Timeout { url, .. }
            | Self::TooLarge { url, .. }
            | Self::Redirect { url, .. }
            | Self::Status { url, .. } => url,
        }
    }

    fn network(url: &str, source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Network {
            url: url.to_owned(),
            source: source.into(),
        }
    }
}

/// HTTP client enforcing an [`OutboundPolicy`]. Cheap to create and to clone: clones share one
/// connection pool.
///
/// [`get`](Self::get) fetches a document and fails on any status but `2xx`;
/// [`execute`](Self::execute) sends a prepared request (a `POST` to an introspection endpoint,
/// for example) and returns any non-redirect answer for the caller to judge.
#[derive(Debug, Clone)]
pub struct HttpClient {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    policy: Arc<OutboundPolicy>,
    /// The reqwest client, built on first use, or why it could not be built (reported by every
    /// fetch).
    client: OnceLock<Result<reqwest::Client, String>>,
}

impl Default for HttpClient {
    fn default() -> Self {
        Self::new()
    }
}

impl HttpClient {
    /// A client with the strict default policy.
    ///
    /// Construction is cheap: the connection pool and TLS configuration are built on the first
    /// fetch and shared by clones. Each client's pool belongs to the Tokio runtime that first
    /// uses it; share a client between tasks, not between runtimes.
    #[must_use]
    pub fn new() -> Self {
        Self::with_policy(OutboundPolicy::default())
    }

    /// A client with its own policy.
    #[must_use]
    pub fn with_policy(policy: OutboundPolicy) -> Self {
        Self {
            inner: Arc::new(Inner {
                policy: Arc::new(policy),
                client: OnceLock::new(),
            }),
        }
    }

    fn build(policy: &Arc<OutboundPolicy>) -> Result<reqwest::Client, String> {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .no_proxy()
            .dns_resolver(PolicyResolver {
                policy: Arc::clone(policy),
            })
            .user_agent(USER_AGENT)
            .pool_idle_timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| format!("the HTTP client could not be built: {e}"))
    }

    /// The policy this client enforces.
    #[must_use]
    pub fn policy(&self) -> &OutboundPolicy {
        &self.inner.policy
    }

    /// Checks `url` against the policy without any network access (the addresses a host name
    /// resolves to are checked when connecting).
    ///
    /// # Errors
    ///
    /// [`FetchError::Refused`] with the reason.
    pub fn check_url(&self, url: &str) -> Result<Url, FetchError> {
        self.inner
            .policy
            .check_url(url)
            .map_err(|reason| FetchError::Refused {
                url: redact(url),
                reason: reason.to_owned(),
            })
    }

    /// Fetches `url` with `GET` (`Accept: application/json`), reading at most `max_bytes` of
    /// body.
    ///
    /// # Errors
    ///
    /// Any [`FetchError`]; a status other than `2xx` is [`FetchError::Status`] (the body is not
    /// read).
    pub async fn get(&self, url: &str, max_bytes: usize) -> Result<HttpResponse, FetchError> {
        let checked = self.check_url(url)?;
        let client = self.reqwest(url)?;
        let request = client
            .get(checked)
            .header(header::ACCEPT, HeaderValue::from_static("application/json"));
        let request = request.build().map_err(|e| FetchError::network(url, e))?;
        self.send(url, request, max_bytes, true).await
    }

    /// Sends a prepared request, reading at most `max_bytes` of body. `Accept:
    /// application/json` is added when the request has no `Accept`; any `Cookie` field is
    /// removed. The caller is responsible for any `Authorization` it sets: it must be a
    /// credential of this server (client authentication), never one received from a client.
    ///
    /// # Errors
    ///
    /// Any [`FetchError`] except [`FetchError::Status`]: every non-redirect status is returned
    /// as a response for the caller to judge.
    pub async fn execute(
        &self,
        request: http::Request<Vec<u8>>,
        max_bytes: usize,
    ) -> Result<HttpResponse, FetchError> {
        let url = request.uri().to_string();
        self.check_url(&url)?;
        let (mut parts, body) = request.into_parts();
        parts.headers.remove(header::COOKIE);
        if !parts.headers.contains_key(header::ACCEPT) {
            parts
                .headers
                .insert(header::ACCEPT, HeaderValue::from_static("application/json"));
        }
        let request = reqwest::Request::try_from(http::Request::from_parts(parts, body))
            .map_err(|e| FetchError::network(&url, e))?;
        // The URL reqwest will use is re-parsed from the URI: check that one too.
        self.check_url(request.url().as_str())?;
        self.send(&url, request, max_bytes, false).await
    }

    fn reqwest(&self, url: &str) -> Result<&reqwest::Client, FetchError> {
        self.inner
            .client
            .get_or_init(|| Self::build(&self.inner.policy))
            .as_ref()
            .map_err(|reason| FetchError::network(&redact(url), reason.clone()))
    }

    async fn send(
        &self,
        url: &str,
        request: reqwest::Request,
        max_bytes: usize,
        require_success: bool,
    ) -> Result<HttpResponse, FetchError> {
        let client = self.reqwest(url)?;
        let deadline = self.inner.policy.deadline;
        let exchange = async {
            let mut response = client
                .execute(request)
                .await
                .map_err(|e| classify_error(url, e))?;
            let status = response.status();
            if status.is_redirection() {
                return Err(FetchError::Redirect {
                    url: redact(url),
                    status,
                });
            }
            if require_success && !status.is_success() {
                return Err(FetchError::Status {
                    url: redact(url),
                    status,
                });
            }
            let too_large = || FetchError::TooLarge {
                url: redact(url),
                limit: max_bytes,
            };
            let announced = response.content_length();
            if announced.is_some_and(|len| len > max_bytes as u64) {
                return Err(too_large());
            }
            let capacity = announced
                .and_then(|len| usize::try_from(len).ok())
                .unwrap_or(0)
                .min(max_bytes);
            let mut body = Vec::with_capacity(capacity);
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| FetchError::network(&redact(url), e))?
            {
                if chunk.len() > max_bytes.saturating_sub(body.len()) {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            Ok(HttpResponse {
                status,
                headers: response.headers().clone(),
                body: Bytes::from(body),
            })
        };
        match tokio::time::timeout(deadline, exchange).await {
            Ok(result) => result,
            Err(_) => Err(FetchError::Timeout {
                url: redact(url),
                deadline,
            }),
        }
    }
}

/// Maps a reqwest error, recognizing the resolver's refusal anywhere in the source chain.
fn classify_error(url: &str, error: reqwest::Error) -> FetchError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = error.source();
    while let Some(current) = cause {
        if let Some(refused) = current.downcast_ref::<ResolutionRefused>() {
            return FetchError::Refused {
                url: redact(url),
                reason: refused.to_string(),
            };
        }
        cause = current.source();
    }
    FetchError::network(&redact(url), error.without_url())
}

/// The URL without any userinfo, for error messages.
fn redact(url: &str) -> String {
    match Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            // Both setters only fail for URLs that cannot have credentials at all.
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.into()
        }
        _ => url.to_owned(),
    }
}
