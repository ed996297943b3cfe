//! Authorization-server metadata discovery (RFC 8414 §3, OpenID Connect Discovery 1.0 §4, MCP
//! authorization "Authorization Server Metadata Discovery").
//!
//! The core is sans-IO: [`discovery_request`] builds the request, [`parse_discovery_response`]
//! checks the answer. [`Discovery`] and [`AuthServerConfig::discover`] are thin async wrappers
//! over [`HttpClient`], so every fetch obeys the outbound policy (https, no redirects, 64 KiB
//! cap, deadline).
//!
//! With no [`AuthServerType`], the URLs are tried in the MCP order (RFC 8414 path insertion,
//! OpenID path insertion, OpenID appending); with a type, that type's rule alone is used, as the
//! reference SDKs do. A URL that answers with an error status, an invalid document or a document
//! for another issuer is recorded and the next URL is tried; a connection failure, timeout or
//! policy refusal stops the search (the other URLs are on the same host). The returned `issuer`
//! must equal the requested issuer exactly (RFC 8414 §3.3), so a document for another tenant is
//! never used.
//!
//! ```no_run
//! # async fn run() -> Result<(), mcp_auth::DiscoveryError> {
//! use mcp_auth::{AuthServerConfig, AuthServerType};
//!
//! let config = AuthServerConfig::discover("https://tenant.logto.app/oidc", Some(AuthServerType::Oidc)).await?;
//! let report = config.validate_for_mcp();
//! println!("{report}");
//! # Ok(()) }
//! ```

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use url::Url;

use crate::http_client::{FetchError, HttpClient};
use crate::metadata::well_known::{discovery_urls, server_type_of_url};
use crate::metadata::{
    AuthorizationServerMetadata, ValidationReport, check_issuer, validate_for_mcp,
};

mod error;
mod response;
#[cfg(test)]
mod tests;

pub use error::{DiscoveryAttempt, DiscoveryError, DiscoveryErrorKind};
pub use response::{
    MAX_METADATA_BYTES, discovery_request, parse_discovery_response, parse_discovery_response_with,
};

/// A hook that patches a raw metadata document before it is read (see
/// [`Discovery::with_transpile`]).
pub type Transpile = Arc<dyn Fn(Value) -> Value + Send + Sync>;

/// How an authorization server publishes its metadata; decides the well-known URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[non_exhaustive]
pub enum AuthServerType {
    /// OAuth 2.0 Authorization Server Metadata (RFC 8414): path insertion of
    /// `/.well-known/oauth-authorization-server`.
    OAuth,
    /// OpenID Connect Discovery: `/.well-known/openid-configuration` appended to the issuer.
    Oidc,
}

impl fmt::Display for AuthServerType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::OAuth => "oauth",
            Self::Oidc => "oidc",
        })
    }
}

/// A trusted authorization server's metadata, fetched or written by hand (the reference SDKs'
/// `AuthServerConfig`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct AuthServerConfig {
    /// The metadata.
    pub metadata: AuthorizationServerMetadata,
    /// How the metadata is published, when known.
    pub server_type: Option<AuthServerType>,
}

impl AuthServerConfig {
    /// A configuration from metadata at hand.
    #[must_use]
    pub fn new(metadata: AuthorizationServerMetadata) -> Self {
        Self {
            metadata,
            server_type: None,
        }
    }

    /// Records how the metadata is published.
    #[must_use]
    pub fn with_type(mut self, server_type: AuthServerType) -> Self {
        self.server_type = Some(server_type);
        self
    }

    /// Checks the metadata against what MCP clients need (see
    /// [`validate_for_mcp`]).
    #[must_use]
    pub fn validate_for_mcp(&self) -> ValidationReport {
        validate_for_mcp(&self.metadata)
    }

    /// Discovers the metadata of `issuer` with the default [`HttpClient`].
    ///
    /// # Errors
    ///
    /// [`DiscoveryError`] listing every URL tried and why it failed.
    pub async fn discover(
        issuer: &str,
        server_type: Option<AuthServerType>,
    ) -> Result<Self, DiscoveryError> {
        let mut discovery = Discovery::new(issuer)?;
        if let Some(server_type) = server_type {
            discovery = discovery.with_type(server_type);
        }
        discovery.fetch().await
    }
}

/// Fetches metadata from an explicit, possibly non-standard URL with the default
/// [`HttpClient`]. When `expected_issuer` is given, the document's `issuer` must equal it.
///
/// # Errors
///
/// [`DiscoveryError`].
pub async fn fetch_by_well_known_url(
    url: &str,
    expected_issuer: Option<&str>,
) -> Result<AuthServerConfig, DiscoveryError> {
    Discovery::for_well_known_url(url, expected_issuer)?
        .fetch()
        .await
}

/// A discovery to run: which issuer (or URL), how, with which client.
///
/// ```no_run
/// # async fn run() -> Result<(), mcp_auth::DiscoveryError> {
/// use mcp_auth::discovery::Discovery;
///
/// let config = Discovery::new("https://login.example.com/tenant")?
///     .with_transpile(|mut doc| {
///         doc["code_challenge_methods_supported"] = serde_json::json!(["S256"]);
///         doc
///     })
///     .fetch()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Clone)]
#[must_use]
pub struct Discovery {
    issuer: Option<String>,
    urls: Vec<Url>,
    server_type: Option<AuthServerType>,
    fixed_url: bool,
    http: HttpClient,
    transpile: Option<Transpile>,
    max_bytes: usize,
}

impl fmt::Debug for Discovery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Discovery")
            .field("issuer", &self.issuer)
            .field(
                "urls",
                &self.urls.iter().map(Url::as_str).collect::<Vec<_>>(),
            )
            .field("server_type", &self.server_type)
            .field("transpile", &self.transpile.is_some())
            .field("max_bytes", &self.max_bytes)
            .finish_non_exhaustive()
    }
}

impl Discovery {
    /// Discovery of `issuer`, in the MCP order unless [`with_type`](Self::with_type) is used.
    ///
    /// # Errors
    ///
    /// [`DiscoveryErrorKind::InvalidIssuer`] when `issuer` is not an `https` URL (plain `http`
    /// only to loopback hosts) without query, fragment and userinfo (RFC 8414 §2).
    pub fn new(issuer: &str) -> Result<Self, DiscoveryError> {
        let url = check_issuer(issuer).map_err(|reason| {
            DiscoveryError::new(DiscoveryErrorKind::InvalidIssuer, Some(issuer)).with_detail(reason)
        })?;
        Ok(Self {
            issuer: Some(issuer.to_owned()),
            urls: discovery_urls(&url, None),
            server_type: None,
            fixed_url: false,
            http: HttpClient::new(),
            transpile: None,
            max_bytes: MAX_METADATA_BYTES,
        })
    }

    /// Fetches from an explicit metadata URL. When `expected_issuer` is given, the document's
    /// `issuer` must equal it; otherwise any acceptable issuer is taken (the caller vouches for
    /// the URL).
    ///
    /// # Errors
    ///
    /// [`DiscoveryErrorKind::InvalidIssuer`] when the URL is not absolute or the expected issuer
    /// is not acceptable.
    pub fn for_well_known_url(
        url: &str,
        expected_issuer: Option<&str>,
    ) -> Result<Self, DiscoveryError> {
        let invalid = |reason: &str| {
            DiscoveryError::new(DiscoveryErrorKind::InvalidIssuer, expected_issuer)
                .with_detail(reason)
        };
        let parsed =
            Url::parse(url).map_err(|_| invalid("the metadata URL is not an absolute URL"))?;
        if let Some(issuer) = expected_issuer {
            check_issuer(issuer).map_err(invalid)?;
        }
        Ok(Self {
            issuer: expected_issuer.map(str::to_owned),
            server_type: server_type_of_url(&parsed),
            urls: vec![parsed],
            fixed_url: true,
            http: HttpClient::new(),
            transpile: None,
            max_bytes: MAX_METADATA_BYTES,
        })
    }

    /// Uses only the rule of `server_type` (RFC 8414 insertion for `OAuth`, OpenID appending for
    /// `Oidc`) instead of the MCP order. Ignored for an explicit metadata URL.
    pub fn with_type(mut self, server_type: AuthServerType) -> Self {
        if !self.fixed_url
            && let Some(url) = self.issuer.as_deref().and_then(|i| Url::parse(i).ok())
        {
            self.urls = discovery_urls(&url, Some(server_type));
        }
        self.server_type = Some(server_type);
        self
    }

    /// Uses `client` (and its outbound policy) for the fetches.
    pub fn with_http_client(mut self, client: HttpClient) -> Self {
        self.http = client;
        self
    }

    /// Applies `transpile` to each fetched JSON object before it is read as metadata (the
    /// reference SDKs' `transpile_data`): for providers whose documents need patching.
    pub fn with_transpile<F>(mut self, transpile: F) -> Self
    where
        F: Fn(Value) -> Value + Send + Sync + 'static,
    {
        self.transpile = Some(Arc::new(transpile));
        self
    }

    pub(crate) fn with_transpile_arc(mut self, transpile: Option<Transpile>) -> Self {
        self.transpile = transpile;
        self
    }

    /// Sets the largest document accepted, in bytes (default [`MAX_METADATA_BYTES`]).
    pub fn with_max_document_size(mut self, max_bytes: usize) -> Self {
        self.max_bytes = max_bytes;
        self
    }

    /// The URLs that will be tried, in order.
    #[must_use]
    pub fn urls(&self) -> &[Url] {
        &self.urls
    }

    /// Runs the discovery.
    ///
    /// # Errors
    ///
    /// [`DiscoveryError`] listing every URL tried and why it failed.
    pub async fn fetch(&self) -> Result<AuthServerConfig, DiscoveryError> {
        let identity = |v: Value| v;
        let transpile: &(dyn Fn(Value) -> Value + Send + Sync) = match &self.transpile {
            Some(f) => f.as_ref(),
            None => &identity,
        };
        let expected = self.issuer.as_deref();
        let mut attempts = Vec::with_capacity(self.urls.len());
        for url in &self.urls {
            let outcome = match self.http.get(url.as_str(), self.max_bytes).await {
                Ok(response) => response::check_document(
                    url,
                    response.status,
                    &response.body,
                    expected,
                    transpile,
                )
                .map_err(|attempt| (attempt, false)),
                Err(error) => {
                    let stop = matches!(
                        error,
                        FetchError::Refused { .. }
                            | FetchError::Network { .. }
                            | FetchError::Timeout { .. }
                    );
                    Err((DiscoveryAttempt::from_fetch(url.as_str(), error), stop))
                }
            };
            match outcome {
                Ok(metadata) => {
                    tracing::debug!(
                        url = url.as_str(),
                        "authorization server metadata discovered"
                    );
                    return Ok(AuthServerConfig {
                        metadata,
                        server_type: self.server_type.or_else(|| server_type_of_url(url)),
                    });
                }
                Err((attempt, stop)) => {
                    tracing::debug!(
                        url = attempt.url(),
                        reason = attempt.reason(),
                        "metadata URL gave no usable document"
                    );
                    attempts.push(attempt);
                    if stop {
                        break;
                    }
                }
            }
        }
        Err(DiscoveryError::from_attempts(expected, attempts))
    }
}
