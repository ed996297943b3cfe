//! Tokens verified by the issuer's OpenID Connect userinfo endpoint (OIDC Core 1.0 §5.3), the
//! approach of the MCP Auth "whoami" tutorial: the token is valid when the authorization server
//! that issued it answers the userinfo request with the user's claims.
//!
//! For each token not in the cache, [`UserinfoVerifier`] sends
//! `GET <userinfo_endpoint>` with `Authorization: Bearer <token>` and judges the answer:
//!
//! | answer | result |
//! | --- | --- |
//! | `2xx`, a JSON object with a non-empty string `sub` | accepted: an [`AuthInfo`] |
//! | `400`, `401`, `403` | `invalid_token` ([`Inactive`]) |
//! | `2xx` that is not a JSON object, or `application/jwt` (signed/encrypted userinfo is not supported), or no usable `sub` | `invalid_token` ([`InvalidClaims`]) |
//! | `5xx`, `429`, other statuses, timeout, network error, more than 64 KiB | `503` ([`Unavailable`]) |
//!
//! The endpoint comes from the issuer's validated metadata and must be on the issuer's origin,
//! or is configured explicitly with [`UserinfoVerifier::for_endpoint`]; it is never taken from a
//! token, and the outbound policy applies (HTTPS, or HTTP to a loopback host; no redirects).
//!
//! [`Inactive`]: crate::VerifyErrorKind::Inactive
//! [`InvalidClaims`]: crate::VerifyErrorKind::InvalidClaims
//! [`Unavailable`]: crate::VerifyErrorKind::Unavailable

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;

use crate::auth_info::AuthInfo;
use crate::auth_server::AuthServer;
use crate::bearer::BearerToken;
use crate::clock::{self, Clock};
use crate::error::{ConfigError, VerifyError, VerifyErrorKind};
use crate::http_client::HttpClient;
use crate::verify::endpoint::{Kind, ServerEndpoint};
use crate::verify::jwt::audience::Audience;
use crate::verify::jwt::{claims, resource};
use crate::verify::token_cache::unverified::Jwt;
use crate::verify::token_cache::{self, TokenCache};
use crate::verify::{BoxFuture, ScopeClaim, TokenVerifier};

mod response;
#[cfg(test)]
mod tests;

/// Largest accepted userinfo response body.
pub const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// Default clock leeway for the `exp` of JWT-shaped tokens.
const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Verifies access tokens by calling the issuer's userinfo endpoint (see the
/// [module documentation](self)).
///
/// Results are cached (key: SHA-256 digest of the token; default 60 s and 10 000 tokens, never past
/// the token's `exp` when the token is a JWT); failures are never cached. The identity has the
/// server's issuer, `sub` as subject, the userinfo fields as claims, and scopes from a `scope`
/// field if the response has one (see [`with_scope_claim`](Self::with_scope_claim)).
///
/// ```
/// use mcp_auth::{AuthServer, AuthServerConfig};
/// use mcp_auth::metadata::AuthorizationServerMetadata;
/// use mcp_auth::verify::UserinfoVerifier;
///
/// let metadata: AuthorizationServerMetadata = serde_json::from_value(serde_json::json!({
///     "issuer": "https://tenant.example.com/oidc",
///     "authorization_endpoint": "https://tenant.example.com/oidc/auth",
///     "token_endpoint": "https://tenant.example.com/oidc/token",
///     "userinfo_endpoint": "https://tenant.example.com/oidc/me",
///     "response_types_supported": ["code"],
///     "code_challenge_methods_supported": ["S256"]
/// })).unwrap();
/// let server = AuthServer::from_config(AuthServerConfig::new(metadata))?;
/// let verifier = UserinfoVerifier::new(server)?
///     .with_resource("https://mcp.example.com/mcp")?;
/// assert_eq!(verifier.issuer(), "https://tenant.example.com/oidc");
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
///
/// # Security
///
/// **A successful userinfo call proves that the token is live at the authorization server,
/// not that it was issued for this resource.** Any token the authorization server issued to
/// any client for any API (with the scopes userinfo needs) is accepted, so a service that
/// receives your users' tokens can replay them here (battery K08; RFC 8707 §2; RFC 9700 §2.3).
/// The MCP authorization specification requires servers to check that tokens were issued for
/// them. To narrow this:
///
/// * [`with_resource`](Self::with_resource): when the token is a JWT, its `aud` must name the
///   resource (read without verifying the signature, so it can only refuse tokens, never
///   accept one), and the userinfo `sub` must equal the JWT's `sub` (OIDC Core §5.3.2).
/// * [`require_audience`](Self::require_audience): also refuse opaque tokens, whose audience
///   cannot be read.
/// * Prefer [`JwtVerifier`](crate::JwtVerifier) or
///   [`IntrospectionVerifier`](crate::verify::IntrospectionVerifier), which check `aud`.
///
/// The token is sent to the authorization server that issued it, and nowhere else. A cached
/// result stays valid up to the cache TTL after the token is revoked (RFC 7662 §4).
#[derive(Debug, Clone)]
pub struct UserinfoVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    endpoint: ServerEndpoint,
    http: HttpClient,
    resource: Option<Arc<str>>,
    /// The resource first, then the extra audiences; empty: no audience check.
    audiences: Vec<Audience>,
    require_audience: bool,
    scope_claim: ScopeClaim,
    leeway: f64,
    clock: Arc<dyn Clock>,
    cache: Option<TokenCache>,
}

impl UserinfoVerifier {
    /// A verifier calling the `userinfo_endpoint` of `server`'s metadata. When the metadata is
    /// known now it is checked now; for a lazy server, on first use (until then, and if it is
    /// refused, requests get `503`).
    ///
    /// # Errors
    ///
    /// With known metadata: [`ConfigError::InvalidSetting`] when it has no `userinfo_endpoint`,
    /// [`ConfigError::InvalidUrl`] when the endpoint violates the outbound policy or is not on
    /// the issuer's origin (battery K09; use [`for_endpoint`](Self::for_endpoint) to trust an
    /// endpoint on another host).
    pub fn new(server: AuthServer) -> Result<Self, ConfigError> {
        Ok(Self::build(ServerEndpoint::from_metadata(
            server,
            Kind::Userinfo,
        )?))
    }

    /// A verifier calling `endpoint`, configured explicitly (for providers whose userinfo
    /// endpoint is on another host, or that do not publish it). The metadata is not consulted.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `endpoint` violates the outbound policy of `server`'s
    /// HTTP client (`https`, or `http` to a loopback host; no userinfo, no fragment).
    pub fn for_endpoint(server: AuthServer, endpoint: &str) -> Result<Self, ConfigError> {
        Ok(Self::build(ServerEndpoint::configured(
            server,
            Kind::Userinfo,
            endpoint,
        )?))
    }

    fn build(endpoint: ServerEndpoint) -> Self {
        Self {
            inner: Arc::new(Inner {
                http: endpoint.server().http_client().clone(),
                endpoint,
                resource: None,
                audiences: Vec::new(),
                require_audience: false,
                scope_claim: ScopeClaim::Scope,
                leeway: DEFAULT_LEEWAY.as_secs_f64(),
                clock: clock::system(),
                cache: Some(TokenCache::with_defaults()),
            }),
        }
    }

    /// Applies a configuration change; cached results are forgotten.
    fn edit(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        f(inner);
        token_cache::restart(&mut inner.cache, &inner.clock);
        self
    }

    /// The protected resource these tokens are for (RFC 8707 §2): JWT-shaped tokens must name
    /// it in `aud`, their `sub` must equal the userinfo `sub`, and the identity records it.
    /// Opaque tokens are accepted on the userinfo answer alone unless
    /// [`require_audience`](Self::require_audience) is set.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `resource` is not an absolute `https` URL (or `http` on
    /// a loopback host) without fragment or userinfo.
    pub fn with_resource(self, resource: &str) -> Result<Self, ConfigError> {
        resource::validate(resource)?;
        Ok(self.edit(|inner| {
            inner.resource = Some(resource.into());
            inner.audiences.insert(0, Audience::new(resource));
        }))
    }

    /// Also accepts JWTs whose `aud` contains `audience` (an API identifier, say).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for an empty value or one with whitespace or controls.
    pub fn with_additional_audience(self, audience: &str) -> Result<Self, ConfigError> {
        let audience = Audience::additional(audience)?;
        Ok(self.edit(|inner| inner.audiences.push(audience)))
    }

    /// Also refuses opaque tokens, whose audience cannot be read. (JWT-shaped tokens without a
    /// matching `aud` are refused whenever a resource is configured.)
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when no resource (or audience) is configured yet.
    pub fn require_audience(self) -> Result<Self, ConfigError> {
        if self.inner.audiences.is_empty() {
            return Err(ConfigError::InvalidSetting {
                name: "require_audience",
                reason: "configure the resource with with_resource first",
            });
        }
        Ok(self.edit(|inner| inner.require_audience = true))
    }

    /// Which userinfo field carries granted scopes (default [`ScopeClaim::Scope`]; most
    /// userinfo responses carry none, and the identity then has no scopes).
    #[must_use]
    pub fn with_scope_claim(self, claim: ScopeClaim) -> Self {
        self.edit(|inner| inner.scope_claim = claim)
    }

    /// Clock skew tolerated for the `exp` of JWT-shaped tokens (default 60 s).
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

    /// The HTTP client for userinfo calls (default: the [`AuthServer`]'s client).
    #[must_use]
    pub fn with_http_client(self, http: HttpClient) -> Self {
        self.edit(|inner| inner.http = http)
    }

    /// Caches results for at most `ttl` (1 s ..= 1 h; default 60 s) and `capacity` tokens
    /// (default 10 000). A result is never cached past the token's `exp` when it is known.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for values outside those bounds.
    pub fn with_cache(self, ttl: Duration, capacity: u64) -> Result<Self, ConfigError> {
        let cache = TokenCache::new(ttl, capacity)?;
        Ok(self.edit(|inner| inner.cache = Some(cache)))
    }

    /// Calls the userinfo endpoint for every request (no cache).
    #[must_use]
    pub fn without_cache(self) -> Self {
        self.edit(|inner| inner.cache = None)
    }

    /// The issuer whose userinfo endpoint is called.
    #[must_use]
    pub fn issuer(&self) -> &str {
        self.inner.endpoint.server().issuer()
    }

    /// The protected resource, when configured.
    #[must_use]
    pub fn resource(&self) -> Option<&str> {
        self.inner.resource.as_deref()
    }
}

impl TokenVerifier for UserinfoVerifier {
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
        // Checks on the token's own (unverified) claims come first: they can only refuse,
        // and a refused token costs no request (battery K08, K11).
        let jwt = Jwt::peek(token.secret());
        let (audience, expires_at) = self.precheck(jwt.as_ref())?;

        let url = self.endpoint.url().await?;
        let request = response::request(url, token)?;
        let answer = self
            .http
            .execute(request, MAX_RESPONSE_BYTES)
            .await
            .map_err(|e| VerifyError::unavailable(format!("userinfo request failed: {e}")))?;
        let fields = response::read(&answer)?;

        let subject = claims::subject(&fields)?;
        if let Some(jwt) = &jwt {
            match jwt.claims().get("sub") {
                None => {}
                Some(Value::String(sub)) if *sub == subject => {}
                Some(_) => {
                    return Err(VerifyError::new(VerifyErrorKind::InvalidClaims)
                        .with_detail("the userinfo sub differs from the token's sub"));
                }
            }
        }
        let scopes = self.scope_claim.extract(&fields)?;
        let client_id = claims::client_id(&fields, false)?;

        let mut info = AuthInfo::new(token.clone(), self.endpoint.server().issuer(), subject)
            .with_scopes(scopes)
            .with_audience(audience)
            .with_claims(fields);
        info.client_id = client_id;
        info.expires_at = expires_at;
        info.resource = self.resource.as_deref().map(str::to_owned);
        Ok(info)
    }

    /// Checks a JWT-shaped token's `exp` (and `nbf`/`iat`) and `aud` without verifying it;
    /// returns its audiences when they were checked, and its expiry when known.
    fn precheck(&self, jwt: Option<&Jwt>) -> Result<(Vec<String>, Option<i64>), VerifyError> {
        let Some(jwt) = jwt else {
            if self.require_audience {
                return Err(VerifyError::new(VerifyErrorKind::InvalidAudience)
                    .with_detail("the audience of an opaque token cannot be checked"));
            }
            return Ok((Vec::new(), None));
        };
        let claims = jwt.claims();
        let expires_at = if claims.contains_key("exp") {
            // i64 seconds to f64 is exact for any realistic time.
            let now = self.clock.now() as f64;
            Some(claims::check_times(claims, now, self.leeway, false)?)
        } else {
            None
        };
        if self.audiences.is_empty() {
            return Ok((Vec::new(), expires_at));
        }
        let audience = claims::check_audience(claims, Some(&self.audiences))?;
        Ok((audience, expires_at))
    }
}
