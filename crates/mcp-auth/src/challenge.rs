//! `WWW-Authenticate: Bearer` challenges (RFC 6750 §3, RFC 9728 §5.1).
//!
//! [`WwwAuthenticate`] renders one `Bearer` challenge with the parameters this crate sends, always
//! in this order: `error`, `error_description`, `scope`, `resource_metadata`. Every value is a
//! quoted string (RFC 9110 §5.6.4) in which `"` and `\` are escaped; bytes that cannot appear in
//! a field value (CR, LF, NUL, other controls, non-ASCII: RFC 9110 §5.5) are dropped, so a
//! rendered challenge is always one well-formed header line.
//!
//! `error_description` is a `&'static str`: it comes from a fixed vocabulary (such as
//! [`VerifyErrorKind::description`](crate::VerifyErrorKind::description)) and never echoes
//! request or token data. Characters outside the set RFC 6750 §3 allows for it
//! (`%x20-21 / %x23-5B / %x5D-7E`) are dropped.
//!
//! ```
//! use mcp_auth::challenge::{ErrorCode, WwwAuthenticate};
//!
//! let challenge = WwwAuthenticate::bearer()
//!     .with_error(ErrorCode::InsufficientScope)
//!     .with_scope("todo:read todo:write")
//!     .with_resource_metadata("https://api.example.com/.well-known/oauth-protected-resource/mcp");
//! assert_eq!(
//!     challenge.to_string(),
//!     "Bearer error=\"insufficient_scope\", scope=\"todo:read todo:write\", \
//!      resource_metadata=\"https://api.example.com/.well-known/oauth-protected-resource/mcp\""
//! );
//! let value: http::HeaderValue = challenge.to_header_value();
//! # assert_eq!(value.to_str().unwrap(), challenge.to_string());
//! ```

use std::fmt::{self, Write as _};

use http::{HeaderValue, StatusCode};

#[cfg(test)]
pub(crate) mod grammar;
#[cfg(test)]
mod tests;

/// The error codes of RFC 6750 §3.1.
///
/// Each code has one HTTP status: `invalid_request` → 400, `invalid_token` → 401,
/// `insufficient_scope` → 403.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The request is malformed: a missing or repeated parameter, more than one way of sending
    /// the token (400).
    InvalidRequest,
    /// The token is expired, revoked, malformed or otherwise not acceptable (401).
    InvalidToken,
    /// The token is valid but lacks the scopes the request needs (403).
    InsufficientScope,
}

impl ErrorCode {
    /// The code as sent in the `error` parameter and the JSON body.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidToken => "invalid_token",
            Self::InsufficientScope => "insufficient_scope",
        }
    }

    /// The HTTP status RFC 6750 §3.1 pairs with the code.
    #[must_use]
    pub fn status(self) -> StatusCode {
        match self {
            Self::InvalidRequest => StatusCode::BAD_REQUEST,
            Self::InvalidToken => StatusCode::UNAUTHORIZED,
            Self::InsufficientScope => StatusCode::FORBIDDEN,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A `Bearer` challenge for the `WWW-Authenticate` header.
///
/// Build it once (the Bearer layer renders its fixed challenges when it is configured) and
/// turn it into a header value with [`to_header_value`](Self::to_header_value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WwwAuthenticate {
    error: Option<ErrorCode>,
    error_description: Option<&'static str>,
    scope: Option<String>,
    resource_metadata: Option<String>,
}

impl WwwAuthenticate {
    /// An empty `Bearer` challenge (no parameters), as sent when a request has no credentials
    /// and the resource has no metadata URL (RFC 6750 §3).
    #[must_use]
    pub fn bearer() -> Self {
        Self::default()
    }

    /// Sets the `error` parameter (RFC 6750 §3.1).
    #[must_use]
    pub fn with_error(mut self, code: ErrorCode) -> Self {
        self.error = Some(code);
        self
    }

    /// Sets the `error_description` parameter from the fixed vocabulary.
    ///
    /// Characters outside `%x20-21 / %x23-5B / %x5D-7E` (RFC 6750 §3) are dropped when
    /// rendering.
    #[must_use]
    pub fn with_error_description(mut self, description: &'static str) -> Self {
        self.error_description = Some(description);
        self
    }

    /// Sets the `scope` parameter: space-separated scope names (RFC 6750 §3).
    ///
    /// Names are expected to be validated with [`validate_scope`](crate::scope::validate_scope);
    /// characters a scope cannot contain are dropped when rendering.
    #[must_use]
    pub fn with_scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets the `resource_metadata` parameter: the absolute URL of the protected resource
    /// metadata document (RFC 9728 §5.1).
    #[must_use]
    pub fn with_resource_metadata(mut self, url: impl Into<String>) -> Self {
        self.resource_metadata = Some(url.into());
        self
    }

    /// The `error` parameter, if set.
    #[must_use]
    pub fn error(&self) -> Option<ErrorCode> {
        self.error
    }

    /// Renders the challenge into a header value.
    ///
    /// Rendering drops every byte that cannot appear in a field value, so it cannot fail.
    #[must_use]
    pub fn to_header_value(&self) -> HeaderValue {
        HeaderValue::from_str(&self.to_string())
            .unwrap_or_else(|_| HeaderValue::from_static("Bearer"))
    }
}

impl fmt::Display for WwwAuthenticate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bearer")?;
        let mut first = true;
        let mut param = |f: &mut fmt::Formatter<'_>, name: &str| -> fmt::Result {
            f.write_str(if first { " " } else { ", " })?;
            first = false;
            f.write_str(name)?;
            f.write_str("=")
        };
        if let Some(code) = self.error {
            param(f, "error")?;
            write_quoted(f, code.as_str(), |_| true)?;
        }
        if let Some(description) = self.error_description {
            param(f, "error_description")?;
            write_quoted(f, description, is_description_char)?;
        }
        if let Some(scope) = &self.scope {
            param(f, "scope")?;
            write_quoted(f, scope, |c| c == ' ' || is_scope_char(c))?;
        }
        if let Some(url) = &self.resource_metadata {
            param(f, "resource_metadata")?;
            write_quoted(f, url, |c| c.is_ascii_graphic())?;
        }
        Ok(())
    }
}

/// `error_description` characters: `%x20-21 / %x23-5B / %x5D-7E` (RFC 6750 §3).
pub(crate) fn is_description_char(c: char) -> bool {
    matches!(c, '\x20'..='\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')
}

/// `scope-token` characters: `%x21 / %x23-5B / %x5D-7E` (RFC 6750 §3, RFC 6749 §3.3).
pub(crate) fn is_scope_char(c: char) -> bool {
    matches!(c, '\x21' | '\x23'..='\x5b' | '\x5d'..='\x7e')
}

/// Writes `value` as a quoted string (RFC 9110 §5.6.4), keeping only characters accepted by
/// `keep` that are printable ASCII or SP, and escaping `"` and `\`.
fn write_quoted(
    f: &mut fmt::Formatter<'_>,
    value: &str,
    keep: impl Fn(char) -> bool,
) -> fmt::Result {
    f.write_char('"')?;
    for c in value.chars() {
        if !(c == ' ' || c.is_ascii_graphic()) || !keep(c) {
            continue;
        }
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}
