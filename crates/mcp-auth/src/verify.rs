//! Token verification: the [`TokenVerifier`] trait and the built-in verifiers.
//!
//! A verifier turns a bearer token into an [`AuthInfo`] or a [`VerifyError`]. The Bearer layer
//! calls it for every request; scopes are checked by the layer afterwards.
//!
//! * [`JwtVerifier`]: JWT access tokens (RFC 9068) checked against the issuers' JWKS.
//! * [`IntrospectionVerifier`]: any token, checked by the issuer's RFC 7662 introspection
//!   endpoint.
//! * [`UserinfoVerifier`]: any token, checked by the issuer's OpenID Connect userinfo endpoint
//!   (proves the token is live, not that it was issued for this resource: see its docs).
//! * [`CachedVerifier`]: a bounded cache of verified tokens in front of any verifier.
//! * any `Fn(BearerToken) -> impl Future<Output = Result<AuthInfo, VerifyError>>` closure.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::auth_info::AuthInfo;
use crate::bearer::BearerToken;
use crate::error::VerifyError;

pub mod jwk;
pub mod jwks;
pub mod jwt;

pub use jwk::JwkSet;
pub use jwks::{JwksCache, JwksCacheConfig, JwksRegistry};
pub use jwt::{JwsAlgorithm, JwtVerifier, ScopeClaim, TypPolicy};

mod endpoint;
pub mod introspection;
pub mod token_cache;
pub mod userinfo;

pub use introspection::{ClientAuth, IntrospectionVerifier};
pub use token_cache::CachedVerifier;
pub use userinfo::UserinfoVerifier;

/// The largest clock leeway a verifier accepts (RFC 9068 §4: "no more than a few minutes").
pub(crate) const MAX_LEEWAY: std::time::Duration = std::time::Duration::from_secs(300);

/// Checks a configured leeway and returns it in seconds.
pub(crate) fn leeway_seconds(
    leeway: std::time::Duration,
) -> Result<f64, crate::error::ConfigError> {
    if leeway > MAX_LEEWAY {
        return Err(crate::error::ConfigError::InvalidSetting {
            name: "leeway",
            reason: "must be at most 300 s",
        });
    }
    Ok(leeway.as_secs_f64())
}

/// A boxed, sendable future, as returned by [`TokenVerifier::verify`].
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Checks an access token and returns the identity behind it.
///
/// Implementations must return [`VerifyErrorKind::Unavailable`](crate::VerifyErrorKind) when the
/// token cannot be checked (network failure, timeout, ...), never accept a token they could not
/// check, and never put the token into an error.
///
/// The trait is object safe; closures implement it:
///
/// ```
/// use mcp_auth::{AuthInfo, BearerToken, TokenVerifier, VerifyError, VerifyErrorKind};
///
/// let verifier = |token: BearerToken| async move {
///     if token.secret() == "let-me-in" {
///         Ok(AuthInfo::new(token, "https://as.example.com", "alice"))
///     } else {
///         Err(VerifyError::new(VerifyErrorKind::Inactive))
///     }
/// };
/// # let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
/// let info = rt.block_on(verifier.verify(&BearerToken::new("let-me-in"))).unwrap();
/// assert_eq!(info.subject, "alice");
/// ```
pub trait TokenVerifier: Send + Sync + 'static {
    /// Verifies `token`.
    fn verify<'a>(&'a self, token: &'a BearerToken)
    -> BoxFuture<'a, Result<AuthInfo, VerifyError>>;
}

impl<F, Fut> TokenVerifier for F
where
    F: Fn(BearerToken) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<AuthInfo, VerifyError>> + Send + 'static,
{
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        Box::pin(self(token.clone()))
    }
}

impl<V: TokenVerifier + ?Sized> TokenVerifier for Arc<V> {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        (**self).verify(token)
    }
}

impl TokenVerifier for Box<dyn TokenVerifier> {
    fn verify<'a>(
        &'a self,
        token: &'a BearerToken,
    ) -> BoxFuture<'a, Result<AuthInfo, VerifyError>> {
        (**self).verify(token)
    }
}
