//! JWT access tokens (RFC 9068) verified against the trusted issuers' keys.
//!
//! # Why a hand-written verification path
//!
//! `jsonwebtoken` (with the `aws_lc_rs` backend) is the crate's JOSE dependency, but the hot
//! path here is written directly on aws-lc-rs, for two reasons:
//!
//! * **speed**: `jsonwebtoken::decode` parses the header twice and the claims twice, clones the
//!   key per call and re-parses the public key on every verification (about 6.5–7.5 µs per
//!   token here). This path parses each part once and verifies with a `ParsedPublicKey` built
//!   when the JWKS was fetched.
//! * **checks it lacks**: duplicate JSON member names, `crit` and `b64`, `typ` policy, ES512,
//!   exact key/algorithm binding (`kty`/`crv`/`alg`/`use`/`key_ops`), RSA key-size and
//!   exponent limits, Ed25519 small-order keys, NumericDate type checks (GHSA-h395-gr6q-cpjc),
//!   scope-claim shapes.
//!
//! # Warm path
//!
//! When the issuer's keys are pinned, or cached and fresh, a token is verified synchronously
//! inside [`TokenVerifier::verify`] (the returned future is already complete): a read lock and
//! an `Arc` clone to reach the key set, no lock held across an `.await`, no key parsing, one
//! pass over each part. Only a cold or stale cache, or an unknown `kid`, takes the
//! asynchronous path that fetches.
//!
//! # Result cache
//!
//! A verified token is remembered by default (key: SHA-256 digest of the token; at most 60 s and
//! 10 000 tokens; never past the token's `exp`; failures never cached), so a client that sends
//! the same token on every request pays for its signature once. Measured on the crate's
//! `tools_call` benchmark, this is what brings a protected ES256 `tools/call` from about 0.23×
//! to about 0.6× the throughput of the unprotected server. The price: a key removed from the
//! issuer's JWKS still validates the tokens it already signed until their entries expire
//! (the JWKS cache's own max-age is longer). Change it with
//! [`with_cache`](JwtVerifier::with_cache), or verify every time with
//! [`without_cache`](JwtVerifier::without_cache).
//!
//! # Order of checks (each failure is a [`VerifyError`] of the kind shown)
//!
//! 1. length ≤ 16 KiB, exactly three non-empty parts, strict base64url ([`Malformed`]);
//! 2. header: a JSON object with unique names; `alg` in the allow-list ([`UnsupportedAlgorithm`]);
//!    no `crit`, no `b64`, no nested JWT, `typ` per [`TypPolicy`] ([`InvalidHeader`]);
//! 3. payload: a JSON object with unique names, UTF-8 without BOM ([`Malformed`]);
//! 4. `iss` a string exactly equal to a trusted issuer ([`InvalidIssuer`]), **before any
//!    network access** (battery I07: a foreign issuer costs zero requests);
//! 5. that issuer's own keys (F06): key by `kid` (an unknown `kid` triggers one rate-limited
//!    refetch), or the single fitting key when there is no `kid` ([`KeyNotFound`]); the key
//!    must fit `alg` ([`UnsupportedAlgorithm`]); keys unavailable ([`Unavailable`]);
//! 6. signature ([`InvalidSignature`]);
//! 7. only now the claims (G13): `exp` required, `nbf`, `iat` ([`Expired`], [`NotYetValid`],
//!    [`InvalidIssuedAt`]); `aud` ([`InvalidAudience`]); `sub`, `client_id`/`azp`, `jti`,
//!    scopes ([`InvalidClaims`]).
//!
//! [`Malformed`]: crate::VerifyErrorKind::Malformed
//! [`UnsupportedAlgorithm`]: crate::VerifyErrorKind::UnsupportedAlgorithm
//! [`InvalidHeader`]: crate::VerifyErrorKind::InvalidHeader
//! [`InvalidIssuer`]: crate::VerifyErrorKind::InvalidIssuer
//! [`KeyNotFound`]: crate::VerifyErrorKind::KeyNotFound
//! [`Unavailable`]: crate::VerifyErrorKind::Unavailable
//! [`InvalidSignature`]: crate::VerifyErrorKind::InvalidSignature
//! [`Expired`]: crate::VerifyErrorKind::Expired
//! [`NotYetValid`]: crate::VerifyErrorKind::NotYetValid
//! [`InvalidIssuedAt`]: crate::VerifyErrorKind::InvalidIssuedAt
//! [`InvalidAudience`]: crate::VerifyErrorKind::InvalidAudience
//! [`InvalidClaims`]: crate::VerifyErrorKind::InvalidClaims

use std::sync::Arc;
use std::time::Duration;

use crate::auth_info::AuthInfo;
use crate::auth_server::AuthServer;
use crate::bearer::BearerToken;
use crate::clock::{self, Clock};
use crate::error::{ConfigError, VerifyError};
use crate::http_client::HttpClient;
use crate::verify::jwk::JwkSet;
use crate::verify::jwks::{JwksCacheConfig, JwksRegistry};
use crate::verify::token_cache::{self, TokenCache};
use crate::verify::{BoxFuture, TokenVerifier};

pub(crate) mod algorithm;
pub(crate) mod audience;
pub(crate) mod claims;
pub(crate) mod compact;
mod header;
mod issuer;
pub(crate) mod resource;
mod scopes;
#[cfg(test)]
mod tests;
mod verification;

pub use algorithm::JwsAlgorithm;
pub use header::TypPolicy;
pub use scopes::ScopeClaim;

use algorithm::AlgorithmSet;
use audience::Audience;
use issuer::TrustedIssuer;

/// Default clock leeway (pinned decision 7).
const DEFAULT_LEEWAY: Duration = Duration::from_secs(60);

/// Verifies JWT access tokens (RFC 9068) for one protected resource.
///
/// Secure by default: asymmetric algorithms only, `iss` must be a configured issuer, `aud` must
/// name the resource, `exp` is required, 60 s leeway. Cloning is cheap (the configuration is
/// shared). See the [module documentation](self) for the exact order of checks.
///
/// ```
/// use mcp_auth::JwtVerifier;
/// use mcp_auth::verify::ScopeClaim;
///
/// // Keys pinned in the configuration (no discovery); most deployments use `with_issuer`.
/// let jwks = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"k1",
///                "x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
/// let verifier = JwtVerifier::new("https://api.example.com/mcp")?
///     .with_static_jwks("https://auth.example.com", jwks.as_bytes())?
///     .with_scope_claim(ScopeClaim::Scope);
/// assert_eq!(verifier.resource(), "https://api.example.com/mcp");
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct JwtVerifier {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    resource: Arc<str>,
    /// The resource first, then the extra audiences.
    audiences: Vec<Audience>,
    check_audience: bool,
    issuers: Vec<Arc<TrustedIssuer>>,
    http: HttpClient,
    clock: Arc<dyn Clock>,
    leeway: f64,
    typ: TypPolicy,
    scope_claim: ScopeClaim,
    algorithms: AlgorithmSet,
    rfc9068: bool,
    jwks_config: JwksCacheConfig,
    registry: JwksRegistry,
    /// Verified results (see "Result cache" in the module documentation).
    cache: Option<TokenCache>,
}

impl JwtVerifier {
    /// A verifier for the protected resource `resource` (its identifier: an absolute `https`
    /// URL, or `http` on a loopback host, without fragment or userinfo; RFC 9728 §1.2,
    /// RFC 8707 §2). Add trusted issuers with [`with_issuer`](Self::with_issuer) or
    /// [`with_static_jwks`](Self::with_static_jwks); without any, every token is refused.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when `resource` is not such a URL.
    pub fn new(resource: &str) -> Result<Self, ConfigError> {
        resource::validate(resource)?;
        Ok(Self {
            inner: Arc::new(Inner {
                resource: resource.into(),
                audiences: vec![Audience::new(resource)],
                check_audience: true,
                issuers: Vec::new(),
                http: HttpClient::new(),
                clock: clock::system(),
                leeway: DEFAULT_LEEWAY.as_secs_f64(),
                typ: TypPolicy::default(),
                scope_claim: ScopeClaim::default(),
                algorithms: AlgorithmSet::ALL,
                rfc9068: false,
                jwks_config: JwksCacheConfig::default(),
                registry: JwksRegistry::new(),
                cache: Some(TokenCache::with_defaults()),
            }),
        })
    }

    /// Applies a configuration change; remembered results are forgotten.
    fn edit(mut self, f: impl FnOnce(&mut Inner)) -> Self {
        let inner = Arc::make_mut(&mut self.inner);
        f(inner);
        token_cache::restart(&mut inner.cache, &inner.clock);
        self
    }

    /// Changing what caches are built from forgets caches resolved so far.
    fn edit_caches(self, f: impl FnOnce(&mut Inner)) -> Self {
        self.edit(|inner| {
            f(inner);
            inner.issuers = inner
                .issuers
                .iter()
                .map(|issuer| Arc::new(issuer.reset()))
                .collect();
        })
    }

    fn add_issuer(self, issuer: TrustedIssuer) -> Result<Self, ConfigError> {
        if self.inner.issuers.iter().any(|i| i.issuer == issuer.issuer) {
            return Err(ConfigError::DuplicateIssuer(issuer.issuer.to_string()));
        }
        Ok(self.edit(|inner| inner.issuers.push(Arc::new(issuer))))
    }

    /// Trusts tokens whose `iss` is exactly `server.issuer()`, verified with the keys at the
    /// `jwks_uri` of its metadata. A lazy server is discovered on first use, so the verifier
    /// works while the authorization server is down (requests get `503` until it answers).
    ///
    /// # Errors
    ///
    /// [`ConfigError::DuplicateIssuer`] when this issuer is already trusted.
    pub fn with_issuer(self, server: AuthServer) -> Result<Self, ConfigError> {
        self.add_issuer(TrustedIssuer::discovered(server))
    }

    /// Trusts tokens whose `iss` is exactly `issuer`, verified with the keys of the JWK Set
    /// `jwks_json`, pinned in the configuration: no discovery and no network. Tokens with an
    /// unknown `kid` are refused until the configuration changes.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] for an issuer that is not an absolute URL without query or
    /// fragment (RFC 8414 §2), [`ConfigError::InvalidSetting`] when the JWKS is invalid or has
    /// no usable key, [`ConfigError::DuplicateIssuer`] when `issuer` is already trusted.
    pub fn with_static_jwks(self, issuer: &str, jwks_json: &[u8]) -> Result<Self, ConfigError> {
        resource::validate_issuer(issuer)?;
        let keys = JwkSet::parse(jwks_json, self.inner.jwks_config.max_keys()).map_err(|e| {
            ConfigError::InvalidSetting {
                name: "static jwks",
                reason: e.reason(),
            }
        })?;
        if keys.is_empty() {
            return Err(ConfigError::InvalidSetting {
                name: "static jwks",
                reason: "no usable signature-verification key",
            });
        }
        self.add_issuer(TrustedIssuer::pinned(issuer, keys))
    }

    /// The HTTP client used for JWKS fetches (its policy: HTTPS or loopback HTTP, no
    /// redirects, deadline). Metadata is fetched with the [`AuthServer`]'s own client.
    #[must_use]
    pub fn with_http_client(self, http: HttpClient) -> Self {
        self.edit_caches(|inner| inner.http = http)
    }

    /// The clock for time claims and JWKS cache timing (tests use
    /// [`ManualClock`](crate::clock::ManualClock)).
    #[must_use]
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        self.edit_caches(|inner| inner.clock = clock)
    }

    /// Clock skew tolerated for `exp`, `nbf` and `iat` (default 60 s).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] above 300 s (RFC 9068 §4).
    pub fn with_leeway(self, leeway: Duration) -> Result<Self, ConfigError> {
        let leeway = crate::verify::leeway_seconds(leeway)?;
        Ok(self.edit(|inner| inner.leeway = leeway))
    }

    /// How the `typ` header is checked (pinned decision 3).
    #[must_use]
    pub fn with_typ_policy(self, policy: TypPolicy) -> Self {
        self.edit(|inner| inner.typ = policy)
    }

    /// Which claim carries the granted scopes (pinned decision 5).
    #[must_use]
    pub fn with_scope_claim(self, claim: ScopeClaim) -> Self {
        self.edit(|inner| inner.scope_claim = claim)
    }

    /// Also accepts tokens whose `aud` contains `audience`, for authorization servers that
    /// cannot put the resource identifier in `aud` (an API identifier, say). URLs compare like
    /// the resource identifier; other strings compare exactly.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for an empty value or one with whitespace or controls.
    pub fn with_additional_audience(self, audience: &str) -> Result<Self, ConfigError> {
        let audience = Audience::additional(audience)?;
        Ok(self.edit(|inner| inner.audiences.push(audience)))
    }

    /// **Insecure**: accepts tokens issued for *any* audience.
    ///
    /// # Security Warning
    ///
    /// Without the audience check, a token the authorization server issued for another
    /// service is accepted here: any service that receives your users' tokens can replay them
    /// against this server (RFC 9700 §2.3, §4.10.2; RFC 8707 §2; the MCP authorization spec
    /// requires the check). Use it only when the authorization server cannot issue
    /// audience-restricted tokens, and prefer
    /// [`with_additional_audience`](Self::with_additional_audience). `aud`, when present, must
    /// still be a string or an array of strings.
    #[must_use]
    pub fn insecure_skip_audience_check(self) -> Self {
        tracing::warn!(
            "JwtVerifier audience check DISABLED: tokens issued for other services are accepted"
        );
        self.edit(|inner| inner.check_audience = false)
    }

    /// Restricts the accepted algorithms to `algorithms` (default: all of [`JwsAlgorithm`]).
    /// `none` and HMAC cannot be named, so they can never be allowed.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for an empty list.
    pub fn with_algorithms(
        self,
        algorithms: impl IntoIterator<Item = JwsAlgorithm>,
    ) -> Result<Self, ConfigError> {
        let set = AlgorithmSet::from_iter(algorithms);
        if set.is_empty() {
            return Err(ConfigError::InvalidSetting {
                name: "algorithms",
                reason: "at least one algorithm is required",
            });
        }
        Ok(self.edit(|inner| inner.algorithms = set))
    }

    /// The strict RFC 9068 §2.2 profile: `client_id` (no `azp` fallback), `jti` and `iat` are
    /// required. Combine with [`TypPolicy::Strict`] for explicit typing too.
    #[must_use]
    pub fn require_rfc9068_claims(self) -> Self {
        self.edit(|inner| inner.rfc9068 = true)
    }

    /// Remembers verified tokens for at most `ttl` (1 s ..= 1 h; default 60 s) and `capacity`
    /// tokens (default 10 000). A result is never remembered past the token's `exp`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for values outside those bounds.
    pub fn with_cache(self, ttl: Duration, capacity: u64) -> Result<Self, ConfigError> {
        let cache = TokenCache::new(ttl, capacity)?;
        Ok(self.edit(|inner| inner.cache = Some(cache)))
    }

    /// Verifies the signature and claims on every request (no result cache).
    #[must_use]
    pub fn without_cache(self) -> Self {
        self.edit(|inner| inner.cache = None)
    }

    /// Settings of the JWKS caches this verifier creates.
    #[must_use]
    pub fn with_jwks_config(self, config: JwksCacheConfig) -> Self {
        self.edit_caches(|inner| inner.jwks_config = config)
    }

    /// Shares JWKS caches with other verifiers (one cache per `jwks_uri`).
    #[must_use]
    pub fn with_jwks_registry(self, registry: JwksRegistry) -> Self {
        self.edit_caches(|inner| inner.registry = registry)
    }

    /// The protected resource identifier.
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.inner.resource
    }

    /// The trusted issuers, in configuration order.
    pub fn issuers(&self) -> impl Iterator<Item = &str> {
        self.inner.issuers.iter().map(|i| &*i.issuer)
    }

    /// The JWKS registry holding this verifier's caches.
    #[must_use]
    pub fn jwks_registry(&self) -> &JwksRegistry {
        &self.inner.registry
    }
}

impl TokenVerifier for JwtVerifier {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        let inner = &*self.inner;
        if let Some(cache) = &inner.cache {
            return Box::pin(cache.get_or_verify(token, move || inner.check(token)));
        }
        // Warm keys: verified synchronously, no large future. Otherwise the async path.
        match inner.verify_now(token) {
            Some(result) => Box::pin(std::future::ready(result)),
            None => Box::pin(inner.verify(token)),
        }
    }
}
