//! Errors of the development authorization server.

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

/// Why the development server could not start, or could not mint a token.
///
/// Configuration problems are reported when [`DevServerBuilder::start`](crate::DevServerBuilder::start)
/// runs; token-minting problems by [`DevServer::issue_access_token`](crate::DevServer::issue_access_token),
/// with the OAuth error code the token endpoint would have answered
/// ([`oauth_error_code`](Self::oauth_error_code)).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DevError {
    /// A builder setting is invalid (duplicate users or clients, a malformed scope or URL, ...).
    #[error("invalid development server configuration: {0}")]
    Config(String),
    /// The keys file could not be read or written.
    #[error("keys file {}: {source}", path.display())]
    Io {
        /// The keys file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// The keys file exists but does not hold usable keys; it is left untouched.
    #[error("keys file {}: {reason}", path.display())]
    KeysFile {
        /// The keys file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The users file could not be read, or does not hold a valid list of users.
    #[error("users file {}: {reason}", path.display())]
    UsersFile {
        /// The users file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// Key generation or signing failed in the crypto library.
    #[error("cryptographic failure: {0}")]
    Crypto(&'static str),
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// No configured user has this username.
    #[error("unknown user `{0}`")]
    UnknownUser(String),
    /// No configured client has this `client_id`.
    #[error("unknown client `{0}`")]
    UnknownClient(String),
    /// The client may not use the grant this token request stands for (RFC 6749 §5.2
    /// `unauthorized_client`).
    #[error("client `{client_id}` may not use the {grant_type} grant")]
    UnauthorizedClient {
        /// The client.
        client_id: String,
        /// The grant type it would need.
        grant_type: &'static str,
    },
    /// A requested scope is malformed, unsupported or not allowed for the client (RFC 6749 §5.2
    /// `invalid_scope`).
    #[error("invalid scope: {0}")]
    InvalidScope(String),
    /// The resource indicator is not acceptable (RFC 8707 §2 `invalid_target`).
    #[error("invalid resource: {0}")]
    InvalidTarget(String),
    /// The authorization code or refresh token is invalid, expired, revoked, already used, or
    /// was issued to another client or for another redirect URI, or the PKCE verifier does not
    /// match (RFC 6749 §5.2 `invalid_grant`).
    #[error("invalid grant: {0}")]
    InvalidGrant(String),
    /// The token request cannot be served (a JWT without a resource, say; RFC 6749 §5.2
    /// `invalid_request`).
    #[error("invalid token request: {0}")]
    InvalidRequest(String),
    /// The token store is full of unexpired tokens.
    #[error("the token store is full; revoke tokens or raise the limit")]
    StoreFull,
    /// [`authorize_headless`](crate::authorize_headless) could not drive the login and consent
    /// pages to a redirect.
    #[error("headless authorization failed: {0}")]
    Headless(String),
}

impl DevError {
    /// The OAuth 2.0 error code (RFC 6749 §5.2, RFC 8707 §2) the token endpoint answers for the
    /// same problem, for token-minting errors.
    #[must_use]
    pub fn oauth_error_code(&self) -> Option<&'static str> {
        Some(match self {
            Self::UnknownClient(_) => "invalid_client",
            Self::UnauthorizedClient { .. } => "unauthorized_client",
            Self::InvalidGrant(_) => "invalid_grant",
            Self::InvalidScope(_) => "invalid_scope",
            Self::InvalidTarget(_) => "invalid_target",
            Self::InvalidRequest(_) | Self::UnknownUser(_) => "invalid_request",
            Self::StoreFull => "temporarily_unavailable",
            _ => return None,
        })
    }
}
