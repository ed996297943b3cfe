//! Access tokens: what a token request asks for ([`TokenRequest`]), the two formats
//! ([`TokenFormat`]), and what the server remembers about each token it issued; refresh tokens
//! (RFC 6749 §6) and ID tokens (OpenID Connect Core §2).

use std::time::Duration;

use aws_lc_rs::{constant_time, digest};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::DevError;

mod claims;
mod refresh;
mod store;

pub(crate) use claims::{AccessTokenClaims, IdTokenClaims};
pub(crate) use refresh::{RefreshRecord, RefreshTokenStore, Rotation};
pub(crate) use store::TokenStore;

/// The format of an access token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TokenFormat {
    /// A signed JWT access token (RFC 9068): header `typ: at+jwt`, claims `iss`, `sub`, `aud`
    /// (the resource), `client_id`, `scope`, `iat`, `exp`, `jti`. Needs a resource.
    Jwt,
    /// A random reference token, meaningful only to this server: usable at `/userinfo` and
    /// `/introspect` (RFC 7662).
    Opaque,
}

/// What to mint with [`DevServer::issue_access_token`](crate::DevServer::issue_access_token):
/// the same checks as the token endpoint apply (the client must exist and may use the grant,
/// scopes must be supported and allowed, the resource must be an `http(s)` URL).
///
/// A token for a user stands for the authorization-code grant (the client must allow it); a
/// token without a user stands for the client-credentials grant (a confidential client).
/// The format defaults to [`TokenFormat::Jwt`] with a resource and [`TokenFormat::Opaque`]
/// without.
///
/// ```
/// use std::time::Duration;
/// use mcp_auth_dev::{TokenFormat, TokenRequest};
///
/// let alice = TokenRequest::for_user("alice", "dev-client")
///     .with_resource("http://127.0.0.1:3001/mcp")
///     .with_scopes(["openid", "profile"]);
/// let service = TokenRequest::for_client("dev-client")
///     .with_format(TokenFormat::Opaque)
///     .with_ttl(Duration::from_secs(60));
/// # let _ = (alice, service);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct TokenRequest {
    pub(crate) username: Option<String>,
    pub(crate) client_id: String,
    pub(crate) resource: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) format: Option<TokenFormat>,
    pub(crate) ttl: Option<Duration>,
}

impl TokenRequest {
    /// A token for the client itself (client-credentials grant, RFC 6749 §4.4): `sub` is the
    /// `client_id`.
    #[must_use]
    pub fn for_client(client_id: impl Into<String>) -> Self {
        Self {
            username: None,
            client_id: client_id.into(),
            resource: None,
            scopes: Vec::new(),
            format: None,
            ttl: None,
        }
    }

    /// A token for the user with login name `username`, issued to `client_id` (as after the
    /// authorization-code grant): `sub` is the user's subject.
    #[must_use]
    pub fn for_user(username: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            username: Some(username.into()),
            ..Self::for_client(client_id)
        }
    }

    /// The protected resource (RFC 8707): the JWT's `aud`.
    #[must_use]
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// The granted scopes.
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// The token format (see the type docs for the default).
    #[must_use]
    pub fn with_format(mut self, format: TokenFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The lifetime (default: the server's token TTL). Zero gives a token that is already
    /// expired, for tests.
    #[must_use]
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }
}

/// What the server remembers about an access token it issued.
#[derive(Debug, Clone)]
pub(crate) struct AccessTokenRecord {
    pub(crate) client_id: String,
    /// The user's `sub`, for tokens issued for a user.
    pub(crate) user_sub: Option<String>,
    pub(crate) scopes: Vec<String>,
    pub(crate) audience: Option<String>,
    pub(crate) issued_at: i64,
    pub(crate) expires_at: i64,
    pub(crate) jti: String,
    /// The authorization grant (code and refresh-token family) the token was issued from; a
    /// reused code or refresh token revokes every token of its grant.
    pub(crate) grant_id: Option<String>,
}

impl AccessTokenRecord {
    /// `sub`: the user, or the client for client-credentials tokens.
    pub(crate) fn subject(&self) -> &str {
        self.user_sub.as_deref().unwrap_or(&self.client_id)
    }
}

/// `bytes` random bytes, base64url without padding.
pub(crate) fn random_string(bytes: usize) -> Result<String, DevError> {
    let mut buffer = vec![0u8; bytes];
    aws_lc_rs::rand::fill(&mut buffer).map_err(|_| DevError::Crypto("random generator failed"))?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

/// The SHA-256 of a secret string: what the stores key tokens and codes by.
pub(crate) fn secret_hash(secret: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    out.copy_from_slice(digest::digest(&digest::SHA256, secret.as_bytes()).as_ref());
    out
}

/// Compares two secret strings without leaking where they differ (their SHA-256 digests are
/// compared in constant time).
pub(crate) fn secrets_equal(expected: &str, presented: &str) -> bool {
    constant_time::verify_slices_are_equal(&secret_hash(expected), &secret_hash(presented)).is_ok()
}
