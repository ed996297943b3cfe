//! Errors, separated by the phase in which they occur.
//!
//! * [`ConfigError`]: refused configuration, reported when something is built (never per request).
//! * [`VerifyError`]: a presented access token could not be accepted, or could not be checked.
//! * [`DiscoveryError`](crate::DiscoveryError) (in [`crate::discovery`]) and [`FetchError`](crate::http_client::FetchError):
//!   outbound fetches of metadata and keys.

use std::fmt;

/// A configuration the crate refuses, reported when it is built.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// A URL (resource, issuer, endpoint) is not acceptable; the message says why.
    #[error("invalid URL `{url}`: {reason}")]
    InvalidUrl {
        /// The URL as configured.
        url: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// A scope name contains characters that cannot appear in a `scope` challenge (RFC 6750 §3).
    #[error("invalid scope `{scope}`: {reason}")]
    InvalidScope {
        /// The scope as configured (escaped with `{:?}` when displayed by callers).
        scope: String,
        /// Why it was refused.
        reason: &'static str,
    },
    /// The same authorization server (issuer) is trusted twice by one resource.
    #[error("authorization server `{0}` is configured twice for the same resource")]
    DuplicateIssuer(String),
    /// The same protected resource is configured twice.
    #[error("protected resource `{0}` is configured twice")]
    DuplicateResource(String),
    /// A resource-server mode operation was asked of a legacy authorization-server
    /// configuration, or the reverse, or both modes were configured at once.
    #[error("{0}")]
    Mode(&'static str),
    /// A resource named in a call is not configured.
    #[error("protected resource `{0}` is not configured")]
    UnknownResource(String),
    /// Authorization-server metadata does not allow MCP clients to authorize; the report lists
    /// every failed check.
    #[error("authorization server `{issuer}` cannot serve MCP clients: {report}")]
    AuthorizationServerNotCompliant {
        /// The issuer whose metadata failed validation.
        issuer: String,
        /// The validation report (errors and warnings).
        report: crate::metadata::ValidationReport,
    },
    /// A numeric or duration setting is outside its allowed range.
    #[error("invalid setting `{name}`: {reason}")]
    InvalidSetting {
        /// The setting's name.
        name: &'static str,
        /// Why it was refused.
        reason: &'static str,
    },
    /// Fetching configuration at build time failed.
    #[error(transparent)]
    Discovery(#[from] crate::discovery::DiscoveryError),
}

/// Why an access token was not accepted.
///
/// Every kind except [`VerifyErrorKind::Unavailable`] is answered with
/// `401 invalid_token`; `Unavailable` is answered with `503` and `Retry-After`, because the token
/// could not be checked at all (RFC 6750 reserves `invalid_token` for tokens that *are* bad).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerifyErrorKind {
    /// Not a well-formed token of the expected kind (encoding, JSON, shape, size).
    Malformed,
    /// The `alg` is missing, not allowed, or does not fit the key.
    UnsupportedAlgorithm,
    /// The JOSE header is not acceptable (`typ`, `crit`, embedded keys, ...).
    InvalidHeader,
    /// No usable key of the token's issuer matches the token.
    KeyNotFound,
    /// The signature does not verify.
    InvalidSignature,
    /// `iss` is missing or not a trusted issuer.
    InvalidIssuer,
    /// `aud` is missing or does not name this resource.
    InvalidAudience,
    /// `exp` is in the past (after leeway).
    Expired,
    /// `nbf` is in the future (after leeway).
    NotYetValid,
    /// `iat` is in the future (after leeway), or the time claims contradict each other.
    InvalidIssuedAt,
    /// A required claim is missing, or a claim has the wrong type or value.
    InvalidClaims,
    /// The authorization server reports the token inactive (introspection) or rejects it
    /// (userinfo).
    Inactive,
    /// The token could not be checked: metadata, keys, introspection or userinfo unreachable,
    /// slow, oversized or invalid. Answered with 503, never 401.
    Unavailable,
}

impl VerifyErrorKind {
    /// A fixed, ASCII, token-free description suitable for `error_description`.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Self::Malformed => "The access token is malformed",
            Self::UnsupportedAlgorithm => "The access token uses an unsupported algorithm",
            Self::InvalidHeader => "The access token header is not acceptable",
            Self::KeyNotFound => "No trusted key matches the access token",
            Self::InvalidSignature => "The access token signature is invalid",
            Self::InvalidIssuer => "The access token issuer is not trusted",
            Self::InvalidAudience => "The access token was not issued for this resource",
            Self::Expired => "The access token has expired",
            Self::NotYetValid => "The access token is not yet valid",
            Self::InvalidIssuedAt => "The access token issue time is not acceptable",
            Self::InvalidClaims => "The access token claims are not acceptable",
            Self::Inactive => "The access token is not active",
            Self::Unavailable => "The access token cannot be verified right now",
        }
    }
}

/// An access token was refused, or could not be verified.
///
/// The kind is public; the detail (for logs and, when enabled, the JSON error body) is free text
/// that never contains the token itself.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifyError {
    kind: VerifyErrorKind,
    detail: Option<Box<str>>,
}

impl VerifyError {
    /// A new error of the given kind.
    #[must_use]
    pub fn new(kind: VerifyErrorKind) -> Self {
        Self { kind, detail: None }
    }

    /// Adds a human-readable detail. It must not contain the token or secrets.
    #[must_use]
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into().into_boxed_str());
        self
    }

    /// Shorthand for a [`VerifyErrorKind::Unavailable`] error with a detail.
    #[must_use]
    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(VerifyErrorKind::Unavailable).with_detail(detail)
    }

    /// The kind of failure.
    #[must_use]
    pub fn kind(&self) -> VerifyErrorKind {
        self.kind
    }

    /// The detail, if any.
    #[must_use]
    pub fn detail(&self) -> Option<&str> {
        self.detail.as_deref()
    }

    /// `true` when the token could not be checked (answered with 503), rather than refused.
    #[must_use]
    pub fn is_unavailable(&self) -> bool {
        self.kind == VerifyErrorKind::Unavailable
    }
}

impl From<VerifyErrorKind> for VerifyError {
    fn from(kind: VerifyErrorKind) -> Self {
        Self::new(kind)
    }
}

impl fmt::Debug for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("VerifyError")
            .field("kind", &self.kind)
            .field("detail", &self.detail)
            .finish()
    }
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.description())?;
        if let Some(detail) = &self.detail {
            write!(f, ": {detail}")?;
        }
        Ok(())
    }
}

impl std::error::Error for VerifyError {}
