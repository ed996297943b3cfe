//! The bearer token as received (RFC 6750 §2.1), kept secret.
//!
//! Extraction from the `Authorization` header lives in [`crate::credentials`].

use std::fmt;
use std::sync::Arc;

/// An access token taken from an `Authorization: Bearer` header.
///
/// Its `Debug` output is `BearerToken([redacted])`; it has no `Display`. Cloning is cheap (the
/// text is shared).
#[derive(Clone)]
pub struct BearerToken(Arc<str>);

impl BearerToken {
    /// Wraps a token string.
    #[must_use]
    pub fn new(token: impl Into<Arc<str>>) -> Self {
        Self(token.into())
    }

    /// The token text.
    ///
    /// # Security Warning
    ///
    /// The token is a credential: never log it, never put it in an error message, and never
    /// forward it to another service (MCP forbids token passthrough).
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let token = BearerToken::new("eyJhbGciOiJSUzI1NiJ9.secret.sig");
        assert_eq!(format!("{token:?}"), "BearerToken([redacted])");
        assert_eq!(token.secret(), "eyJhbGciOiJSUzI1NiJ9.secret.sig");
    }
}
