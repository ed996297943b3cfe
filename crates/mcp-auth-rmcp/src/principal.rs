//! The principal a session is bound to: the `(issuer, subject)` pair of a verified token.
//!
//! MCP's security best practices ask servers to bind session ids to the authenticated user
//! (2025-11-25 "Session Hijacking"; 2026-07-28 "State Handle Hijacking": key on
//! `<user_id>:<handle>` with the user taken from the verified token). A subject is only unique
//! within its issuer, so both are compared.

use mcp_auth::AuthInfo;

/// The `(issuer, subject)` of a verified access token.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct Principal {
    issuer: String,
    subject: String,
}

impl Principal {
    /// The principal of `info`.
    pub(crate) fn of(info: &AuthInfo) -> Self {
        Self {
            issuer: info.issuer.clone(),
            subject: info.subject.clone(),
        }
    }

    /// The principal of the request whose extensions are `extensions`, if it was authenticated.
    pub(crate) fn from_extensions(extensions: &http::Extensions) -> Option<Self> {
        extensions.get::<AuthInfo>().map(Self::of)
    }
}
