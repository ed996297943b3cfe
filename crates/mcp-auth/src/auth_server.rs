//! Trusted authorization servers.
//!
//! An [`AuthServer`] is one issuer a protected resource trusts, with its metadata either known
//! at construction ([`AuthServer::from_config`], validated then) or discovered on first use
//! ([`AuthServer::lazy`]). Lazy servers let an MCP server start while its authorization server
//! is down: until discovery succeeds, [`AuthServer::metadata`] answers errors (the Bearer layer
//! turns them into `503` with `Retry-After`).
//!
//! Lazy discovery is single-flight (concurrent callers share one fetch) and backs off after a
//! failure: no new fetch for 1 s, then 2 s, 4 s, ... up to 60 s; during the window callers get
//! the remembered error at once. A success is cached for the life of the value (RFC 8414 §3.3
//! checks apply to it, as to every fetch).
//!
//! ```
//! use mcp_auth::{AuthServer, AuthServerConfig, AuthServerType};
//! use mcp_auth::metadata::AuthorizationServerMetadata;
//!
//! let metadata: AuthorizationServerMetadata = serde_json::from_value(serde_json::json!({
//!     "issuer": "https://as.example.com",
//!     "authorization_endpoint": "https://as.example.com/authorize",
//!     "token_endpoint": "https://as.example.com/token",
//!     "jwks_uri": "https://as.example.com/jwks",
//!     "response_types_supported": ["code"],
//!     "code_challenge_methods_supported": ["S256"]
//! })).unwrap();
//! let server = AuthServer::from_config(AuthServerConfig::new(metadata)).unwrap();
//! assert!(server.metadata_now().is_some());
//!
//! let lazy = AuthServer::lazy("https://tenant.example.com/oidc", Some(AuthServerType::Oidc)).unwrap();
//! assert!(lazy.metadata_now().is_none()); // nothing fetched yet
//! assert!(AuthServer::lazy("http://as.example.com", None).is_err()); // https required
//! ```

use std::fmt;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Mutex;
use url::Url;

use crate::clock::{self, Clock};
use crate::discovery::{
    AuthServerConfig, AuthServerType, Discovery, DiscoveryError, DiscoveryErrorKind, Transpile,
};
use crate::error::ConfigError;
use crate::http_client::{HttpClient, OutboundPolicy};
use crate::metadata::{AuthorizationServerMetadata, check_issuer, validate_for_mcp};

/// The first backoff after a failed discovery, in seconds.
const INITIAL_BACKOFF_SECS: i64 = 1;
/// The longest backoff, in seconds.
const MAX_BACKOFF_SECS: i64 = 60;

/// A trusted authorization server. Cheap to clone; clones share the metadata and the
/// discovery state.
#[derive(Clone)]
pub struct AuthServer {
    inner: Arc<Inner>,
}

struct Inner {
    issuer: Arc<str>,
    server_type: Option<AuthServerType>,
    http: HttpClient,
    transpile: Option<Transpile>,
    clock: Arc<dyn Clock>,
    metadata: OnceLock<Arc<AuthorizationServerMetadata>>,
    /// Held while discovering: the single flight.
    flight: Mutex<Flight>,
}

#[derive(Debug)]
struct Flight {
    failure: Option<Failure>,
    backoff_secs: i64,
}

#[derive(Debug)]
struct Failure {
    error: DiscoveryError,
    retry_at: i64,
}

impl Default for Flight {
    fn default() -> Self {
        Self {
            failure: None,
            backoff_secs: INITIAL_BACKOFF_SECS,
        }
    }
}

impl fmt::Debug for AuthServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuthServer")
            .field("issuer", &self.inner.issuer)
            .field("server_type", &self.inner.server_type)
            .field("resolved", &self.inner.metadata.get().is_some())
            .finish_non_exhaustive()
    }
}

impl AuthServer {
    /// An authorization server whose metadata is known now. The configuration is validated:
    /// the issuer (RFC 8414 §2: `https`, or `http` to a loopback host; no query, fragment or
    /// userinfo), the endpoints this crate fetches (`jwks_uri`, `introspection_endpoint`,
    /// `userinfo_endpoint`: `https`, or `http` to a loopback host; never link-local or metadata
    /// addresses), and [`validate_for_mcp`].
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] for the issuer or an endpoint;
    /// [`ConfigError::AuthorizationServerNotCompliant`] with the validation report.
    pub fn from_config(config: AuthServerConfig) -> Result<Self, ConfigError> {
        let metadata = config.metadata;
        check_issuer(&metadata.issuer).map_err(|reason| ConfigError::InvalidUrl {
            url: metadata.issuer.clone(),
            reason,
        })?;
        let policy = OutboundPolicy::default();
        for (_, endpoint) in metadata.fetched_endpoints() {
            check_endpoint(&policy, endpoint, false).map_err(|reason| ConfigError::InvalidUrl {
                url: endpoint.to_owned(),
                reason,
            })?;
        }
        let report = validate_for_mcp(&metadata);
        if !report.is_valid() {
            return Err(ConfigError::AuthorizationServerNotCompliant {
                issuer: metadata.issuer.clone(),
                report,
            });
        }
        for warning in report.warnings() {
            tracing::info!(issuer = %metadata.issuer, code = warning.code().as_str(), "{}", warning.description());
        }
        let issuer: Arc<str> = metadata.issuer.as_str().into();
        let server = Self::build(
            issuer,
            config.server_type,
            HttpClient::new(),
            None,
            clock::system(),
        );
        // A fresh OnceLock is empty, so this cannot fail.
        let _ = server.inner.metadata.set(Arc::new(metadata));
        Ok(server)
    }

    /// An authorization server whose metadata is discovered on first use. Only the issuer's
    /// syntax is checked here; nothing is fetched. With no `server_type`, discovery tries the
    /// MCP order of well-known URLs.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when the issuer is not acceptable (RFC 8414 §2).
    pub fn lazy(issuer: &str, server_type: Option<AuthServerType>) -> Result<Self, ConfigError> {
        check_issuer(issuer).map_err(|reason| ConfigError::InvalidUrl {
            url: issuer.to_owned(),
            reason,
        })?;
        Ok(Self::build(
            issuer.into(),
            server_type,
            HttpClient::new(),
            None,
            clock::system(),
        ))
    }

    fn build(
        issuer: Arc<str>,
        server_type: Option<AuthServerType>,
        http: HttpClient,
        transpile: Option<Transpile>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                issuer,
                server_type,
                http,
                transpile,
                clock,
                metadata: OnceLock::new(),
                flight: Mutex::new(Flight::default()),
            }),
        }
    }

    /// A copy with one setting changed (and fresh discovery state, keeping known metadata).
    fn rebuild(self, change: impl FnOnce(&mut Parts)) -> Self {
        let mut parts = Parts {
            http: self.inner.http.clone(),
            transpile: self.inner.transpile.clone(),
            clock: Arc::clone(&self.inner.clock),
        };
        change(&mut parts);
        let server = Self::build(
            Arc::clone(&self.inner.issuer),
            self.inner.server_type,
            parts.http,
            parts.transpile,
            parts.clock,
        );
        if let Some(metadata) = self.inner.metadata.get() {
            let _ = server.inner.metadata.set(Arc::clone(metadata));
        }
        server
    }

    /// Uses `client` for discovery; verifiers use it for the keys and endpoints of this server.
    #[must_use]
    pub fn with_http_client(self, client: HttpClient) -> Self {
        self.rebuild(|parts| parts.http = client)
    }

    /// Applies `transpile` to the fetched JSON before it is read (lazy discovery only; see
    /// [`Discovery::with_transpile`]).
    #[must_use]
    pub fn with_transpile<F>(self, transpile: F) -> Self
    where
        F: Fn(Value) -> Value + Send + Sync + 'static,
    {
        let transpile: Transpile = Arc::new(transpile);
        self.rebuild(|parts| parts.transpile = Some(transpile))
    }

    /// Uses `clock` to time the discovery backoff (tests pin time with
    /// [`ManualClock`](crate::clock::ManualClock)).
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.rebuild(|parts| parts.clock = clock)
    }

    /// The issuer identifier, exactly as configured.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// How the metadata is published, when known.
    #[must_use]
    pub fn server_type(&self) -> Option<AuthServerType> {
        self.inner.server_type
    }

    /// The client used for this server's fetches.
    #[must_use]
    pub fn http_client(&self) -> &HttpClient {
        &self.inner.http
    }

    /// The metadata if it is known, without any network access.
    #[must_use]
    pub fn metadata_now(&self) -> Option<Arc<AuthorizationServerMetadata>> {
        self.inner.metadata.get().cloned()
    }

    /// The metadata, discovering it first if needed (see the [module docs](self) for the
    /// single flight and the backoff).
    ///
    /// # Errors
    ///
    /// [`DiscoveryError`]: the fetch failed, the document is invalid or names another issuer,
    /// an endpoint violates the outbound policy ([`DiscoveryErrorKind::InsecureEndpoint`]), or
    /// the server cannot serve MCP clients ([`DiscoveryErrorKind::NotCompliant`]). During a
    /// backoff window the last error is returned with
    /// [`retry_after`](DiscoveryError::retry_after) set.
    pub async fn metadata(&self) -> Result<Arc<AuthorizationServerMetadata>, DiscoveryError> {
        if let Some(metadata) = self.inner.metadata.get() {
            return Ok(Arc::clone(metadata));
        }
        let mut flight = self.inner.flight.lock().await;
        if let Some(metadata) = self.inner.metadata.get() {
            return Ok(Arc::clone(metadata));
        }
        if let Some(failure) = &flight.failure {
            let now = self.inner.clock.now();
            if now < failure.retry_at {
                let wait = u64::try_from(failure.retry_at.saturating_sub(now)).unwrap_or(1);
                return Err(failure
                    .error
                    .clone()
                    .with_retry_after(Duration::from_secs(wait)));
            }
        }
        match self.discover().await {
            Ok(metadata) => {
                let metadata = Arc::new(metadata);
                let _ = self.inner.metadata.set(Arc::clone(&metadata));
                *flight = Flight::default();
                Ok(metadata)
            }
            Err(error) => {
                let backoff = flight.backoff_secs;
                let now = self.inner.clock.now();
                tracing::warn!(issuer = %self.inner.issuer, retry_in_secs = backoff, "{error}");
                flight.failure = Some(Failure {
                    error: error.clone(),
                    retry_at: now.saturating_add(backoff),
                });
                flight.backoff_secs = backoff.saturating_mul(2).min(MAX_BACKOFF_SECS);
                let wait = u64::try_from(backoff).unwrap_or(1);
                Err(error.with_retry_after(Duration::from_secs(wait)))
            }
        }
    }

    /// Fetches and validates the metadata once.
    async fn discover(&self) -> Result<AuthorizationServerMetadata, DiscoveryError> {
        let inner = &self.inner;
        let mut discovery = Discovery::new(&inner.issuer)?
            .with_http_client(inner.http.clone())
            .with_transpile_arc(inner.transpile.clone());
        if let Some(server_type) = inner.server_type {
            discovery = discovery.with_type(server_type);
        }
        let metadata = discovery.fetch().await?.metadata;
        let issuer = Some(&*inner.issuer);
        for (name, endpoint) in metadata.fetched_endpoints() {
            if let Err(reason) = check_endpoint(inner.http.policy(), endpoint, true) {
                return Err(
                    DiscoveryError::new(DiscoveryErrorKind::InsecureEndpoint, issuer)
                        .with_detail(format!("{name} `{endpoint}`: {reason}")),
                );
            }
        }
        let report = validate_for_mcp(&metadata);
        if !report.is_valid() {
            return Err(
                DiscoveryError::new(DiscoveryErrorKind::NotCompliant, issuer).with_report(report),
            );
        }
        Ok(metadata)
    }
}

/// The settings [`AuthServer::rebuild`] carries over.
struct Parts {
    http: HttpClient,
    transpile: Option<Transpile>,
    clock: Arc<dyn Clock>,
}

/// Checks an endpoint this crate will fetch against `policy`. With `judge_private` off,
/// private addresses are left to the client that fetches (its allow-list is not known yet).
fn check_endpoint(
    policy: &OutboundPolicy,
    endpoint: &str,
    judge_private: bool,
) -> Result<(), &'static str> {
    let url = Url::parse(endpoint).map_err(|_| "not an absolute URL")?;
    policy.check_parsed(&url, judge_private)
}

#[cfg(test)]
mod tests;
