//! The Bearer authentication layer: a tower [`Layer`] that lets through only requests with a
//! valid access token (RFC 6750), and answers every other request with the exact challenge MCP
//! clients need to obtain one (RFC 9728 §5.1).
//!
//! For each request, [`BearerAuth`]:
//!
//! 1. extracts the token from the `Authorization` header ([`crate::credentials`]; never from the
//!    body, cookies or query string),
//! 2. verifies it with the configured [`TokenVerifier`],
//! 3. checks the required scopes with the configured [`ScopeMatcher`] (authentication comes
//!    first: an invalid token lacking scopes is `invalid_token`, not `insufficient_scope`),
//! 4. inserts the [`AuthInfo`](crate::AuthInfo) into the request extensions and calls the inner service once.
//!
//! # Rejections
//!
//! A rejected request is answered by the layer (`Ok(response)`: the inner service is not
//! called, and the request body is never read):
//!
//! | situation | status | `WWW-Authenticate` |
//! |---|---|---|
//! | no credentials, or another scheme | 401 | `Bearer scope="…", resource_metadata="…"` (no `error`) |
//! | empty credential, several `Authorization` fields, token sent two ways, bad bytes | 400 | `Bearer error="invalid_request", error_description="…", resource_metadata="…"` |
//! | the token fails verification, is malformed or too long | 401 | `Bearer error="invalid_token", error_description="…", scope="…", resource_metadata="…"` |
//! | valid token, scopes missing | 403 | `Bearer error="insufficient_scope", error_description="…", scope="<all required>", resource_metadata="…"` |
//! | the verifier reports [`VerifyErrorKind::Unavailable`](crate::VerifyErrorKind::Unavailable) | 503 | none; `Retry-After` |
//!
//! `scope` appears only when the layer requires scopes; `resource_metadata` only when it is
//! configured (always, when the layer comes from the [`McpAuth`](crate::mcp_auth) facade).
//! Descriptions come from a fixed vocabulary and never echo token or claim data.
//!
//! Every rejection has a JSON body `{"error": "…", "error_description": "…"}` (RFC 6750 §3.1
//! names; `"unauthorized"` when no credentials were sent, `"temporarily_unavailable"` for 503),
//! `Content-Type: application/json` and `Cache-Control: no-store`. With
//! [`show_error_details(true)`](BearerAuthLayer::show_error_details) the body also has an
//! `"error_detail"` member with the verifier's [`detail`](crate::VerifyError::detail): useful in
//! development, but it may name internal URLs, so leave it off in production. An
//! [`AuthRejection`] is put into the response extensions so that outer layers can log or count
//! rejections.
//!
//! # Response bodies
//!
//! The layer keeps the inner service's response type. The rejection body is built through
//! [`RejectionBody`], implemented for `axum::body::Body` (feature `axum`), `http_body_util`'s
//! `Full<Bytes>`, `BoxBody<Bytes, E>` and `UnsyncBoxBody<Bytes, E>` (rmcp's
//! `StreamableHttpService` answers with `Response<BoxBody<Bytes, Infallible>>`), `String`,
//! `Vec<u8>` and `Bytes`.
//!
//! # Example
//!
//! ```
//! use std::convert::Infallible;
//! use http::{Request, Response, StatusCode, header::AUTHORIZATION};
//! use http_body_util::Full;
//! use bytes::Bytes;
//! use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
//! use mcp_auth::layer::BearerAuthLayer;
//! use tower::{ServiceBuilder, ServiceExt, service_fn};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let verifier = |token: BearerToken| async move {
//!     match token.secret() {
//!         "good" => Ok(AuthInfo::new(token, "https://as.example.com", "alice")
//!             .with_scopes(["todo:read"])),
//!         _ => Err(VerifyError::new(VerifyErrorKind::InvalidSignature)),
//!     }
//! };
//! let layer = BearerAuthLayer::new(verifier)
//!     .with_resource_metadata("https://api.example.com/.well-known/oauth-protected-resource/mcp")?
//!     .require_scopes(["todo:read"])?;
//!
//! let service = ServiceBuilder::new().layer(layer).service(service_fn(
//!     |request: Request<Full<Bytes>>| async move {
//!         let info = request.extensions().get::<AuthInfo>().expect("set by the layer");
//!         Ok::<_, Infallible>(Response::new(Full::from(format!("hello {}", info.subject))))
//!     },
//! ));
//!
//! let response = service.clone().oneshot(Request::new(Full::default())).await?;
//! assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
//! assert_eq!(
//!     response.headers()["www-authenticate"],
//!     "Bearer scope=\"todo:read\", \
//!      resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/mcp\""
//! );
//!
//! let request = Request::builder()
//!     .header(AUTHORIZATION, "Bearer good")
//!     .body(Full::default())?;
//! let response = service.oneshot(request).await?;
//! assert_eq!(response.status(), StatusCode::OK);
//! # Ok(())
//! # }
//! ```
//!
//! # Deployment caveats
//!
//! * `resource_metadata` is the configured URL, never derived from `Host` or `X-Forwarded-*`:
//!   configure the public URL clients use.
//! * Put CORS handling outside this layer so that browser preflight requests (which carry no
//!   credentials) are answered before authentication.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderValue;
use tower_layer::Layer;
use url::{Host, Url};

use crate::challenge::{ErrorCode, WwwAuthenticate};
use crate::error::ConfigError;
use crate::scope::{ExactScopeMatcher, RequiredScopes, ScopeMatcher};
use crate::verify::TokenVerifier;

mod response;
mod service;
#[cfg(test)]
mod tests;

pub use response::{AuthRejection, AuthRejectionKind, RejectionBody};
pub use service::BearerAuth;

pub use crate::credentials::DEFAULT_MAX_CREDENTIAL_LEN;

/// The default `Retry-After` of 503 answers: 5 seconds.
pub const DEFAULT_RETRY_AFTER: Duration = Duration::from_secs(5);

/// The largest credential cap [`BearerAuthLayer::with_max_credential_len`] accepts: 1 MiB.
pub const MAX_CREDENTIAL_LEN_LIMIT: usize = 1024 * 1024;

/// `error_description` of 403 answers.
const INSUFFICIENT_SCOPE_DESCRIPTION: &str =
    "The access token lacks a scope this resource requires";

/// A tower [`Layer`] that wraps services in [`BearerAuth`].
///
/// Configuration is validated when it is set, and the fixed challenges are rendered then, never
/// per request. Cloning is cheap (the configuration is shared).
#[derive(Clone)]
#[must_use]
pub struct BearerAuthLayer {
    config: Arc<Config>,
}

/// Shared configuration of a layer and its services.
#[derive(Clone)]
struct Config {
    verifier: Arc<dyn TokenVerifier>,
    required: RequiredScopes,
    matcher: Arc<dyn ScopeMatcher>,
    resource_metadata: Option<String>,
    resource: Option<String>,
    show_error_details: bool,
    retry_after: HeaderValue,
    max_credential_len: usize,
    /// Precomputed: the 401 challenge without `error`.
    no_credentials_challenge: HeaderValue,
    /// Precomputed: the 403 challenge.
    insufficient_scope_challenge: HeaderValue,
}

impl Config {
    /// Renders a challenge with this configuration's `resource_metadata` and, when asked and
    /// scopes are required, its `scope`.
    fn challenge(&self, error: Option<(ErrorCode, &'static str)>, with_scope: bool) -> HeaderValue {
        let mut challenge = WwwAuthenticate::bearer();
        if let Some((code, description)) = error {
            challenge = challenge
                .with_error(code)
                .with_error_description(description);
        }
        if with_scope && !self.required.is_empty() {
            challenge = challenge.with_scope(self.required.to_scope_string());
        }
        if let Some(url) = &self.resource_metadata {
            challenge = challenge.with_resource_metadata(url.as_str());
        }
        challenge.to_header_value()
    }

    /// Re-renders the precomputed challenges after a configuration change.
    fn refresh(&mut self) {
        self.no_credentials_challenge = self.challenge(None, true);
        self.insufficient_scope_challenge = self.challenge(
            Some((ErrorCode::InsufficientScope, INSUFFICIENT_SCOPE_DESCRIPTION)),
            true,
        );
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("verifier", &format_args!("<TokenVerifier>"))
            .field("required", &self.required)
            .field("matcher", &self.matcher)
            .field("resource_metadata", &self.resource_metadata)
            .field("resource", &self.resource)
            .field("show_error_details", &self.show_error_details)
            .field("retry_after", &self.retry_after)
            .field("max_credential_len", &self.max_credential_len)
            .finish_non_exhaustive()
    }
}

impl fmt::Debug for BearerAuthLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BearerAuthLayer")
            .field("config", &self.config)
            .finish()
    }
}

impl BearerAuthLayer {
    /// A layer that accepts the tokens `verifier` accepts, requires no scope, and sends no
    /// `resource_metadata` until [`with_resource_metadata`](Self::with_resource_metadata) is
    /// called.
    pub fn new(verifier: impl TokenVerifier) -> Self {
        let mut config = Config {
            verifier: Arc::new(verifier),
            required: RequiredScopes::default(),
            matcher: Arc::new(ExactScopeMatcher),
            resource_metadata: None,
            resource: None,
            show_error_details: false,
            retry_after: retry_after_value(DEFAULT_RETRY_AFTER),
            max_credential_len: DEFAULT_MAX_CREDENTIAL_LEN,
            no_credentials_challenge: HeaderValue::from_static("Bearer"),
            insufficient_scope_challenge: HeaderValue::from_static("Bearer"),
        };
        config.refresh();
        Self {
            config: Arc::new(config),
        }
    }

    fn update(mut self, change: impl FnOnce(&mut Config)) -> Self {
        let config = Arc::make_mut(&mut self.config);
        change(config);
        config.refresh();
        self
    }

    /// Sets the absolute URL of the protected resource metadata document, sent as
    /// `resource_metadata` in every challenge (RFC 9728 §5.1).
    ///
    /// The URL is sent exactly as given. It must be absolute, use `https` (plain `http` only for
    /// loopback hosts), and have no userinfo, no fragment and no character that would need
    /// escaping in a header.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when the URL does not meet these rules.
    pub fn with_resource_metadata(self, url: &str) -> Result<Self, ConfigError> {
        validate_resource_metadata_url(url)?;
        let url = url.to_owned();
        Ok(self.update(|c| c.resource_metadata = Some(url)))
    }

    /// Sets the resource identifier put into [`AuthInfo::resource`](crate::AuthInfo::resource) when the verifier left it
    /// empty.
    pub fn with_resource(self, resource: impl Into<String>) -> Self {
        let resource = resource.into();
        self.update(|c| c.resource = Some(resource))
    }

    /// Sets the scopes every request must be granted (replacing earlier ones). They are listed
    /// in the `scope` parameter of challenges.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] when a name is not a valid scope
    /// ([`validate_scope`](crate::scope::validate_scope)).
    pub fn require_scopes<I, S>(self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let required = RequiredScopes::new(scopes)?;
        Ok(self.with_required_scopes(required))
    }

    /// Sets already validated required scopes (replacing earlier ones).
    pub fn with_required_scopes(self, required: RequiredScopes) -> Self {
        self.update(|c| c.required = required)
    }

    /// Sets the rule deciding whether granted scopes satisfy the required ones (default:
    /// [`ExactScopeMatcher`]).
    pub fn with_scope_matcher(self, matcher: impl ScopeMatcher) -> Self {
        self.update(|c| c.matcher = Arc::new(matcher))
    }

    /// Adds the verifier's [`detail`](crate::VerifyError::detail) to JSON error bodies as
    /// `"error_detail"` (default: off). Never affects headers.
    ///
    /// # Security Warning
    ///
    /// Details may name internal URLs, key ids or claim names; enable this only in development.
    pub fn show_error_details(self, show: bool) -> Self {
        self.update(|c| c.show_error_details = show)
    }

    /// Sets the `Retry-After` of 503 answers (default 5 s; rounded up to whole seconds).
    pub fn with_retry_after(self, retry_after: Duration) -> Self {
        self.update(|c| c.retry_after = retry_after_value(retry_after))
    }

    /// Sets the cap on the `Authorization` field value, checked before any parsing (default
    /// [`DEFAULT_MAX_CREDENTIAL_LEN`], 16 KiB). Longer credentials get `401 invalid_token`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `max_len` is 0 or above
    /// [`MAX_CREDENTIAL_LEN_LIMIT`].
    pub fn with_max_credential_len(self, max_len: usize) -> Result<Self, ConfigError> {
        if max_len == 0 || max_len > MAX_CREDENTIAL_LEN_LIMIT {
            return Err(ConfigError::InvalidSetting {
                name: "max_credential_len",
                reason: "must be between 1 byte and 1 MiB",
            });
        }
        Ok(self.update(|c| c.max_credential_len = max_len))
    }

    /// The configured `resource_metadata` URL.
    #[must_use]
    pub fn resource_metadata(&self) -> Option<&str> {
        self.config.resource_metadata.as_deref()
    }

    /// The configured resource identifier.
    #[must_use]
    pub fn resource(&self) -> Option<&str> {
        self.config.resource.as_deref()
    }

    /// The required scopes.
    #[must_use]
    pub fn required_scopes(&self) -> &RequiredScopes {
        &self.config.required
    }

    /// The scope matcher (exact unless [`with_scope_matcher`](Self::with_scope_matcher) set
    /// another), so layers further in can decide scopes the same way.
    #[must_use]
    pub fn scope_matcher(&self) -> Arc<dyn ScopeMatcher> {
        Arc::clone(&self.config.matcher)
    }
}

impl<S> Layer<S> for BearerAuthLayer {
    type Service = BearerAuth<S>;

    fn layer(&self, inner: S) -> Self::Service {
        BearerAuth::from_parts(inner, Arc::clone(&self.config))
    }
}

fn retry_after_value(retry_after: Duration) -> HeaderValue {
    let secs = retry_after
        .as_secs()
        .saturating_add(u64::from(retry_after.subsec_nanos() > 0));
    HeaderValue::from(secs)
}

/// Checks a `resource_metadata` URL (RFC 9728 §3, §5.1) with the rules of
/// [`BearerAuthLayer::with_resource_metadata`].
///
/// # Errors
///
/// [`ConfigError::InvalidUrl`] when the URL is not acceptable.
pub fn validate_resource_metadata_url(url: &str) -> Result<(), ConfigError> {
    let refuse = |reason: &'static str| ConfigError::InvalidUrl {
        url: url.to_owned(),
        reason,
    };
    if url.is_empty()
        || !url
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
    {
        return Err(refuse(
            "must be printable ASCII without spaces, quotes or backslashes",
        ));
    }
    let parsed = Url::parse(url).map_err(|_| refuse("not an absolute URL"))?;
    if parsed.fragment().is_some() {
        return Err(refuse("must not have a fragment"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("must not contain userinfo"));
    }
    let loopback = match parsed.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(refuse("must have a host")),
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(refuse("must use https (http only for loopback hosts)")),
    }
}
