//! [`DiscoveryError`]: why authorization-server metadata could not be obtained, with every URL
//! that was tried and why each failed.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::http_client::FetchError;
use crate::metadata::ValidationReport;

/// The kind of a [`DiscoveryError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DiscoveryErrorKind {
    /// The issuer identifier (or well-known URL) is not acceptable (RFC 8414 §2).
    InvalidIssuer,
    /// The outbound policy refused the metadata URL or its addresses; nothing was fetched.
    Refused,
    /// The metadata could not be fetched: connection failure, timeout, server error.
    Unavailable,
    /// No metadata URL answered with a document (`404` or another non-`200` status).
    NoDocument,
    /// A document was fetched but is not valid metadata: not JSON, not an object, duplicate
    /// members, wrong member types, too large.
    InvalidMetadata,
    /// The document's `issuer` is not the issuer it was fetched for (RFC 8414 §3.3).
    IssuerMismatch,
    /// The metadata does not allow MCP clients to authorize; see [`DiscoveryError::report`].
    NotCompliant,
    /// An endpoint this crate would fetch (`jwks_uri`, `introspection_endpoint`,
    /// `userinfo_endpoint`) violates the outbound policy (for example plain `http`).
    InsecureEndpoint,
}

impl DiscoveryErrorKind {
    /// A fixed description.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Self::InvalidIssuer => "the issuer identifier is not acceptable",
            Self::Refused => "the outbound policy refused the metadata URL",
            Self::Unavailable => "the metadata could not be fetched",
            Self::NoDocument => "no metadata URL answered with a document",
            Self::InvalidMetadata => "the metadata document is invalid",
            Self::IssuerMismatch => "the metadata names a different issuer",
            Self::NotCompliant => "the authorization server cannot serve MCP clients",
            Self::InsecureEndpoint => "an endpoint in the metadata violates the outbound policy",
        }
    }
}

/// One metadata URL that was tried, and why it gave no usable document.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct DiscoveryAttempt {
    url: String,
    kind: DiscoveryErrorKind,
    reason: String,
    fetch: Option<Arc<FetchError>>,
}

impl DiscoveryAttempt {
    pub(crate) fn new(url: &str, kind: DiscoveryErrorKind, reason: impl Into<String>) -> Self {
        Self {
            url: url.to_owned(),
            kind,
            reason: truncate(reason.into()),
            fetch: None,
        }
    }

    pub(crate) fn from_fetch(url: &str, error: FetchError) -> Self {
        let kind = match &error {
            FetchError::Refused { .. } => DiscoveryErrorKind::Refused,
            FetchError::TooLarge { .. } => DiscoveryErrorKind::InvalidMetadata,
            FetchError::Redirect { .. } => DiscoveryErrorKind::NoDocument,
            FetchError::Status { status, .. } if status.is_client_error() => {
                DiscoveryErrorKind::NoDocument
            }
            _ => DiscoveryErrorKind::Unavailable,
        };
        Self {
            url: url.to_owned(),
            kind,
            reason: truncate(error.to_string()),
            fetch: Some(Arc::new(error)),
        }
    }

    /// The URL tried.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// What went wrong, as a kind.
    #[must_use]
    pub fn kind(&self) -> DiscoveryErrorKind {
        self.kind
    }

    /// What went wrong, in words.
    #[must_use]
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The fetch error, when the failure was in fetching.
    #[must_use]
    pub fn fetch_error(&self) -> Option<&FetchError> {
        self.fetch.as_deref()
    }
}

/// Authorization-server metadata could not be obtained or is not acceptable.
///
/// Cheap to clone. [`kind`](Self::kind) classifies the failure; [`attempts`](Self::attempts)
/// lists every URL tried, in order, with its own failure. `Display` names each URL and why it
/// failed.
#[derive(Clone)]
pub struct DiscoveryError {
    inner: Arc<Inner>,
}

#[derive(Debug, Clone)]
struct Inner {
    kind: DiscoveryErrorKind,
    issuer: Option<String>,
    detail: Option<String>,
    attempts: Vec<DiscoveryAttempt>,
    report: Option<ValidationReport>,
    retry_after: Option<Duration>,
}

impl DiscoveryError {
    pub(crate) fn new(kind: DiscoveryErrorKind, issuer: Option<&str>) -> Self {
        Self {
            inner: Arc::new(Inner {
                kind,
                issuer: issuer.map(str::to_owned),
                detail: None,
                attempts: Vec::new(),
                report: None,
                retry_after: None,
            }),
        }
    }

    /// The error for a list of failed attempts: an issuer mismatch wins over an invalid
    /// document, which wins over the last attempt's kind.
    pub(crate) fn from_attempts(issuer: Option<&str>, attempts: Vec<DiscoveryAttempt>) -> Self {
        let has = |kind| attempts.iter().any(|a: &DiscoveryAttempt| a.kind == kind);
        let kind = if has(DiscoveryErrorKind::IssuerMismatch) {
            DiscoveryErrorKind::IssuerMismatch
        } else if has(DiscoveryErrorKind::InvalidMetadata) {
            DiscoveryErrorKind::InvalidMetadata
        } else {
            attempts
                .last()
                .map_or(DiscoveryErrorKind::NoDocument, |a| a.kind)
        };
        let mut error = Self::new(kind, issuer);
        error.inner_mut().attempts = attempts;
        error
    }

    fn inner_mut(&mut self) -> &mut Inner {
        Arc::make_mut(&mut self.inner)
    }

    pub(crate) fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.inner_mut().detail = Some(truncate(detail.into()));
        self
    }

    pub(crate) fn with_report(mut self, report: ValidationReport) -> Self {
        self.inner_mut().report = Some(report);
        self
    }

    pub(crate) fn with_retry_after(mut self, retry_after: Duration) -> Self {
        self.inner_mut().retry_after = Some(retry_after);
        self
    }

    /// The kind of failure.
    #[must_use]
    pub fn kind(&self) -> DiscoveryErrorKind {
        self.inner.kind
    }

    /// The issuer whose metadata was wanted, when known.
    #[must_use]
    pub fn issuer(&self) -> Option<&str> {
        self.inner.issuer.as_deref()
    }

    /// Every URL tried, in order, with why it failed.
    #[must_use]
    pub fn attempts(&self) -> &[DiscoveryAttempt] {
        &self.inner.attempts
    }

    /// The validation report, for [`DiscoveryErrorKind::NotCompliant`].
    #[must_use]
    pub fn report(&self) -> Option<&ValidationReport> {
        self.inner.report.as_ref()
    }

    /// When the failure is being remembered (lazy [`AuthServer`](crate::AuthServer) backoff):
    /// how long until the next attempt; suitable for `Retry-After`.
    #[must_use]
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }
}

impl fmt::Debug for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

impl fmt::Display for DiscoveryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner.issuer {
            Some(issuer) => write!(f, "discovery of `{issuer}` failed: ")?,
            None => f.write_str("discovery failed: ")?,
        }
        f.write_str(self.inner.kind.description())?;
        if let Some(detail) = &self.inner.detail {
            write!(f, ": {detail}")?;
        }
        for attempt in &self.inner.attempts {
            write!(f, "; `{}`: {}", attempt.url, attempt.reason)?;
        }
        if let Some(report) = &self.inner.report {
            write!(f, "\n{report}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DiscoveryError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .attempts
            .iter()
            .rev()
            .find_map(|a| a.fetch.as_deref())
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Keeps messages that may quote a hostile document short.
fn truncate(mut text: String) -> String {
    const MAX: usize = 300;
    if text.len() > MAX {
        let mut end = MAX;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
        text.push('…');
    }
    text
}
