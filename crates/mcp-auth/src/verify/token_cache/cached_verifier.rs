//! [`CachedVerifier`]: the verified-token cache in front of any verifier.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use super::TokenCache;
use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::clock::Clock;
use crate::error::{ConfigError, VerifyError};
use crate::verify::{BoxFuture, TokenVerifier};

/// Any [`TokenVerifier`] behind a bounded cache of its successful results (see the
/// [module documentation](super) for the rules).
///
/// A cached result is never returned at or after the earliest of: the time it was cached plus
/// `ttl`, the [`AuthInfo::expires_at`] the inner verifier reported, and the token's own `exp`
/// when the token is a JWT. Errors are never cached.
///
/// ```
/// use std::time::Duration;
/// use mcp_auth::{AuthInfo, BearerToken, TokenVerifier, VerifyError, VerifyErrorKind};
/// use mcp_auth::verify::CachedVerifier;
///
/// let inner = |token: BearerToken| async move {
///     if token.secret() == "let-me-in" {
///         Ok(AuthInfo::new(token, "https://as.example.com", "alice").with_expires_at(i64::MAX))
///     } else {
///         Err(VerifyError::new(VerifyErrorKind::Inactive))
///     }
/// };
/// let verifier = CachedVerifier::new(inner, Duration::from_secs(30), 1_000)?;
/// # let rt = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
/// let info = rt.block_on(verifier.verify(&BearerToken::new("let-me-in"))).unwrap();
/// assert_eq!(info.subject, "alice");
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
///
/// # Security
///
/// Caching trades revocation latency for speed: a token revoked at the authorization server
/// stays accepted here until its entry expires (at most `ttl`, RFC 7662 §4). The inner verifier
/// should set [`AuthInfo::expires_at`] whenever it knows the expiry of an opaque token.
#[derive(Clone)]
pub struct CachedVerifier<V> {
    verifier: V,
    pub(super) cache: TokenCache,
}

impl<V> fmt::Debug for CachedVerifier<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedVerifier")
            .field("verifier", &format_args!("<TokenVerifier>"))
            .field("cache", &self.cache)
            .finish()
    }
}

impl<V: TokenVerifier> CachedVerifier<V> {
    /// Caches the successful results of `verifier` for at most `ttl` (1 s ..= 1 h, whole
    /// seconds) and at most `capacity` tokens (at least 1).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] for a `ttl` or `capacity` outside those bounds.
    pub fn new(verifier: V, ttl: Duration, capacity: u64) -> Result<Self, ConfigError> {
        Ok(Self {
            verifier,
            cache: TokenCache::new(ttl, capacity)?,
        })
    }

    /// The clock deciding when entries expire (tests use
    /// [`ManualClock`](crate::clock::ManualClock); give the inner verifier the same clock).
    /// Empties the cache.
    #[must_use]
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.cache = self.cache.with_clock(clock);
        self
    }

    /// The wrapped verifier.
    #[must_use]
    pub fn get_ref(&self) -> &V {
        &self.verifier
    }

    /// Approximate number of cached tokens.
    #[must_use]
    pub fn cached_tokens(&self) -> u64 {
        self.cache.entry_count()
    }
}

impl<V: TokenVerifier> TokenVerifier for CachedVerifier<V> {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(
            self.cache
                .get_or_verify(token, move || self.verifier.verify(token)),
        )
    }
}
