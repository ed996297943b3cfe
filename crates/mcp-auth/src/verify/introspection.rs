//! Tokens verified by the issuer's token introspection endpoint (RFC 7662).
//!
//! For each token not in the cache, [`IntrospectionVerifier`] sends
//! `POST <introspection_endpoint>` with `token=<token>&token_type_hint=access_token`
//! (`application/x-www-form-urlencoded`, RFC 7662 §2.1), authenticated as this resource server
//! with [`ClientAuth`] (RFC 7662 §2.1 requires the endpoint to authenticate its callers), and
//! judges the answer like a JWT's claims:
//!
//! 1. `200` with a JSON object of at most 64 KiB, else `503` ([`Unavailable`]): a `401` here
//!    means *this server's* credentials were refused, not the token (battery K05);
//! 2. `active` is the JSON boolean `true` (RFC 7662 §2.2), else [`Inactive`] (K01);
//! 3. `token_type`, if present, is `Bearer` or `access_token` (case-insensitive), else
//!    [`InvalidClaims`] (K04);
//! 4. `iss`, if present, equals the trusted issuer exactly ([`InvalidIssuer`]);
//! 5. `exp`, `nbf`, `iat`, if present, with the leeway (default 60 s) ([`Expired`],
//!    [`NotYetValid`], [`InvalidIssuedAt`]);
//! 6. `aud` contains the resource (RFC 8707 §2; default required) ([`InvalidAudience`], K03);
//! 7. `sub` a non-empty string (unless [`IntrospectionVerifier::allow_missing_subject`]),
//!    `client_id`, and scopes from `scope` ([`InvalidClaims`]).
//!
//! Results are cached (key: SHA-256 digest of the token; default 60 s, 10 000 tokens, never past
//! `exp`); failures are never cached (RFC 7662 §4).
//!
//! [`Unavailable`]: crate::VerifyErrorKind::Unavailable
//! [`Inactive`]: crate::VerifyErrorKind::Inactive
//! [`InvalidClaims`]: crate::VerifyErrorKind::InvalidClaims
//! [`InvalidIssuer`]: crate::VerifyErrorKind::InvalidIssuer
//! [`Expired`]: crate::VerifyErrorKind::Expired
//! [`NotYetValid`]: crate::VerifyErrorKind::NotYetValid
//! [`InvalidIssuedAt`]: crate::VerifyErrorKind::InvalidIssuedAt
//! [`InvalidAudience`]: crate::VerifyErrorKind::InvalidAudience

use std::sync::Arc;
use std::time::Duration;

use crate::auth_info::AuthInfo;
use crate::auth_server::AuthServer;
use crate::bearer::BearerToken;
use crate::clock::{self, Clock};
use crate::error::{ConfigError, VerifyError};
use crate::http_client::HttpClient;
use crate::verify::endpoint::{Kind, ServerEndpoint};
use crate::verify::jwt::audience::Audience;
use crate::verify::jwt::resource;
use crate::verify::token_cache::{self, TokenCache};
use crate::verify::{BoxFuture, ScopeClaim, TokenVerifier};

mod client_auth;
mod response;
#[cfg(test)]
mod tests;

pub use client_auth::ClientAuth;

use client_auth::Prepared;

/// Largest accepted introspection response body.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Default clock leeway (as [`JwtVerifier`](crate::JwtVerifier)).
const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Verifies access tokens with RFC 7662 token introspection, for one protected resource (see
/// the [module documentation](self) for the request and the checks).
///
/// ```
/// use mcp_auth::{AuthServer, AuthServerConfig};
/// use mcp_auth::metadata::AuthorizationServerMetadata;
/// use mcp_auth::verify::{ClientAuth, IntrospectionVerifier};
///
/// let metadata: AuthorizationServerMetadata = serde_json::from_value(serde_json::json!({
///     "issuer": "https://auth.example.com",
///     "authorization_endpoint": "https://auth.example.com/authorize",
///     "token_endpoint": "https://auth.example.com/token",
///     "introspection_endpoint": "https://auth.example.com/introspect",
///     "response_types_supported": ["code"],
///     "code_challenge_methods_supported": ["S256"]
/// })).unwrap();
/// let server = AuthServer::from_config(AuthServerConfig::new(metadata))?;
/// let verifier = IntrospectionVerifier::new(
///     server,
///     "https://mcp.example.com/mcp",
///     ClientAuth::basic("mcp-server", "s3cret"),
/// )?;
/// assert_eq!(verifier.resource(), "https://mcp.example.com/mcp");
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
///
/// # Security
///
/// The token is sent only to the introspection endpoint of the trusted issuer (from its
/// validated metadata and on the issuer's origin, or configured explicitly), never to a URL
/// taken from a token. An `active` answer alone is not enough: the answer must also say the
/// token is for this resource (`aud`), unless
/// [`insecure_skip_audience_check`](Self::insecure_skip_audience_check) is called. A cached
/// result stays valid up to the cache TTL after the token is revoked (RFC 7662 §4).
#[derive(Debug, Clone)]
pub struct IntrospectionVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    endpoint: ServerEndpoint,
    client: Prepared,
    http: HttpClient,
    resource: Arc<str>,
    /// The resource first, then the extra audiences.
    audiences: Vec<Audience>,
    check_audience: bool,
    allow_missing_subject: bool,
    scope_claim: ScopeClaim,
    leeway: f64,
    clock: Arc<dyn Clock>,
    cache: Option<TokenCache>,
}

impl IntrospectionVerifier {
    /// A verifier for `resource` calling the `introspection_endpoint` of `server`'s metadata,
    /// authenticated with `client`. When the metadata is known now it is checked now; for a
    /// lazy server, on first use (until then, and if it is refused, requests get `503`).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] for a `resource` that is not an absolute `https` URL (or
    /// `http` on a loopback host) without fragment or userinfo, and, with known metadata, for
    /// an endpoint that violates the outbound policy or is not on the issuer's origin (use
    /// [`for_endpoint`](Self::for_endpoint)); [`ConfigError::InvalidSetting`] for empty client
    /// credentials, or known metadata without `introspection_endpoint`.
    pub fn new(
        server: AuthServer,
        resource: &str,
        client: ClientAuth,
    ) -> Result<Self, ConfigError> {
        if let Some(metadata) = server.metadata_now() {
            let methods = metadata
                .introspection_endpoint_auth_methods_supported
                .as_deref();
            if methods.is_some_and(|m| !m.iter().any(|m| m == client.method())) {
                tracing::warn!(
                    issuer = %server.issuer(),
                    method = client.method(),
                    "introspection_endpoint_auth_methods_supported does not list this method"
                );
            }
        }
        let endpoint = ServerEndpoint::from_metadata(server, Kind::Introspection)?;
        Self::build(endpoint, resource, &client)
    }

    /// A verifier calling `endpoint`, configured explicitly (for authorization servers that do
    /// not publish it, or publish it on another host). The metadata is not consulted.
    ///
    /// # Errors
    ///
    /// As [`new`](Self::new); [`ConfigError::InvalidUrl`] when `endpoint` violates the outbound
    /// policy of `server`'s HTTP client.
    pub fn for_endpoint(
        server: AuthServer,
        endpoint: &str,
        resource: &str,
        client: ClientAuth,
    ) -> Result<Self, ConfigError> {
        let endpoint = ServerEndpoint::configured(server, Kind::Introspection, endpoint)?;
        Self::build(endpoint, resource, &client)
    }

    fn build(
        endpoint: ServerEndpoint,
        resource: &str,
        client: &ClientAuth,
    ) -> Result<Self, ConfigError> {
        resource::validate(resource)?;
        Ok(Self {
            inner: Arc::new(Inner {
                client: client.prepare()?,
                http: endpoint.server().http_client().clone(),
                endpoint,
                resource: resource.into(),
                audiences: vec![Audience::new(resource)],
                check_audience: true,
                allow_missing_subject: false,
                scope_claim: ScopeClaim::Scope,
                leeway: DEFAULT_LEEWAY.as_secs_f64(),
                clock: clock::system(),
                cache: Some(TokenCache::with_defaults()),
            }),
        })
    }

    /// Applies a configuration change; cached results are forgotten.
    fn edit(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        f(inner);
        token_cache::restart(&mut inner.cache, &inner.clock);
        self
    }

    /// Also accepts tokens whose `aud` contains `audience` (an API identifier, say). URLs
    /// compare like the resource identifier; other strings compare exactly.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for an empty value or one with whitespace or controls.
    pub fn with_additional_audience(self, audience: &str) -> Result<Self, ConfigError> {
        let audience = Audience::additional(audience)?;
        Ok(self.edit(|inner| inner.audiences.push(audience)))
    }

    /// **Insecure**: accepts active tokens issued for *any* audience, including answers without
    /// `aud`.
    ///
    /// # Security Warning
    ///
    /// Without the audience check, a token the authorization server issued for another service
    /// is accepted here, and any service that receives your users' tokens can replay them
    /// against this server (RFC 9700 §2.3; RFC 8707 §2; battery K03). Use it only when the
    /// authorization server binds every token it introspects for you to this resource, and
    /// prefer [`with_additional_audience`](Self::with_additional_audience).
    #[must_use]
    pub fn insecure_skip_audience_check(self) -> Self {
        tracing::warn!(
            "IntrospectionVerifier audience check DISABLED: tokens issued for other services are \
             accepted"
        );
        self.edit(|inner| inner.check_audience = false)
    }

    /// Accepts answers without `sub` (client-credentials tokens, RFC 7662 §2.2 makes `sub`
    /// optional); the subject is then the answer's `client_id`, which must be present.
    ///
    /// # Security Warning
    ///
    /// A client's id then shares the subject namespace with users: a client registered with an
    /// id equal to a user's `sub` acts as that user wherever the application keys on
    /// [`AuthInfo::subject`] alone (RFC 9700 §4.15). Tell them apart with
    /// [`AuthInfo::claims`] (`sub` is absent for clients).
    #[must_use]
    pub fn allow_missing_subject(self) -> Self {
        self.edit(|inner| inner.allow_missing_subject = true)
    }

    /// Which member carries granted scopes (default [`ScopeClaim::Scope`], RFC 7662 §2.2).
    #[must_use]
    pub fn with_scope_claim(self, claim: ScopeClaim) -> Self {
        self.edit(|inner| inner.scope_claim = claim)
    }

    /// Clock skew tolerated for `exp`, `nbf` and `iat` (default 60 s).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] above 300 s.
    pub fn with_leeway(self, leeway: Duration) -> Result<Self, ConfigError> {
        let leeway = crate::verify::leeway_seconds(leeway)?;
        Ok(self.edit(|inner| inner.leeway = leeway))
    }

    /// The clock for time checks and cache expiry (tests use
    /// [`ManualClock`](crate::clock::ManualClock)).
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.edit(|inner| inner.clock = clock)
    }

    /// The HTTP client for introspection calls (default: the [`AuthServer`]'s client).
    #[must_use]
    pub fn with_http_client(self, http: HttpClient) -> Self {
        self.edit(|inner| inner.http = http)
    }

    /// Caches results for at most `ttl` (1 s ..= 1 h; default 60 s) and `capacity` tokens
    /// (default 10 000). A result is never cached past the answer's `exp`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for values outside those bounds.
    pub fn with_cache(self, ttl: Duration, capacity: u64) -> Result<Self, ConfigError> {
        let cache = TokenCache::new(ttl, capacity)?;
        Ok(self.edit(|inner| inner.cache = Some(cache)))
    }

    /// Introspects every request (no cache).
    #[must_use]
    pub fn without_cache(self) -> Self {
        self.edit(|inner| inner.cache = None)
    }

    /// The trusted issuer.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.inner.endpoint.server().issuer()
    }

    /// The protected resource identifier.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.inner.resource
    }
}

impl TokenVerifier for IntrospectionVerifier {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        let inner = &*self.inner;
        Box::pin(async move {
            match &inner.cache {
                Some(cache) => cache.get_or_verify(token, || inner.check(token)).await,
                None => inner.check(token).await,
            }
        })
    }
}

impl Inner {
    /// One uncached verification.
    async fn check(&self, token: &BearerToken) -> Result<AuthInfo, VerifyError> {
        let url = self.endpoint.url().await?;
        let request = response::request(url, token, &self.client)?;
        let answer = self
            .http
            .execute(request, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| VerifyError::unavailable(format!("introspection request failed: {e}")))?;
        let fields = response::read(&answer)?;
        self.identity(token, fields)
    }
}
