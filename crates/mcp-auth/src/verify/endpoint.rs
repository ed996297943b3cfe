//! The authorization-server endpoints that the introspection and userinfo verifiers send tokens
//! to, and the rules that decide where a token may go (battery K06, K09; RFC 9700 §4.9).
//!
//! An endpoint is either configured explicitly (checked against the outbound policy when it is
//! configured) or read from the issuer's validated metadata, never from a token. An endpoint
//! from metadata must also be on the **issuer's origin** (same scheme, host and port): the
//! metadata may name any URL, and sending every bearer token to a host the operator never
//! named is how a compromised or mistyped document exfiltrates them. Providers whose endpoint
//! lives on another host (Google, Entra ID) are configured explicitly instead.

use std::sync::{Arc, OnceLock};

use url::Url;

use crate::auth_server::AuthServer;
use crate::error::{ConfigError, VerifyError};
use crate::metadata::AuthorizationServerMetadata;

/// Which metadata member names the endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `userinfo_endpoint` (OpenID Connect Core 1.0 §5.3).
    Userinfo,
    /// `introspection_endpoint` (RFC 7662 §2, RFC 8414 §2).
    Introspection,
}

impl Kind {
    fn member(self) -> &'static str {
        match self {
            Self::Userinfo => "userinfo_endpoint",
            Self::Introspection => "introspection_endpoint",
        }
    }

    fn read(self, metadata: &AuthorizationServerMetadata) -> Option<&str> {
        match self {
            Self::Userinfo => metadata.userinfo_endpoint.as_deref(),
            Self::Introspection => metadata.introspection_endpoint.as_deref(),
        }
    }
}

/// Why an endpoint from metadata is refused.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Missing,
    Invalid(&'static str),
    CrossOrigin,
}

/// An endpoint of one authorization server.
#[derive(Debug, Clone)]
pub(crate) struct ServerEndpoint {
    server: AuthServer,
    kind: Kind,
    configured: Option<Url>,
    /// The endpoint read from metadata, judged once (metadata never changes once known).
    resolved: Arc<OnceLock<Result<Url, String>>>,
}

impl ServerEndpoint {
    /// The endpoint named by `server`'s metadata; judged now when the metadata is known, else
    /// on first use.
    pub(crate) fn from_metadata(server: AuthServer, kind: Kind) -> Result<Self, ConfigError> {
        if let Some(metadata) = server.metadata_now() {
            judge(&server, kind, &metadata).map_err(|refusal| match refusal {
                Refusal::Missing => ConfigError::InvalidSetting {
                    name: kind.member(),
                    reason: "absent from the authorization server metadata; configure the \
                             endpoint explicitly",
                },
                Refusal::Invalid(reason) => ConfigError::InvalidUrl {
                    url: kind.read(&metadata).unwrap_or_default().to_owned(),
                    reason,
                },
                Refusal::CrossOrigin => ConfigError::InvalidUrl {
                    url: kind.read(&metadata).unwrap_or_default().to_owned(),
                    reason: "not on the issuer's origin; configure the endpoint explicitly to \
                             trust it",
                },
            })?;
        }
        Ok(Self {
            server,
            kind,
            configured: None,
            resolved: Arc::new(OnceLock::new()),
        })
    }

    /// The endpoint `url`, configured by the operator (any origin), checked against the
    /// outbound policy of `server`'s HTTP client.
    pub(crate) fn configured(
        server: AuthServer,
        kind: Kind,
        url: &str,
    ) -> Result<Self, ConfigError> {
        let invalid = |reason| ConfigError::InvalidUrl {
            url: url.to_owned(),
            reason,
        };
        let parsed = server
            .http_client()
            .policy()
            .check_url(url)
            .map_err(invalid)?;
        if parsed.fragment().is_some() {
            return Err(invalid("an endpoint must not contain a fragment"));
        }
        Ok(Self {
            server,
            kind,
            configured: Some(parsed),
            resolved: Arc::new(OnceLock::new()),
        })
    }

    /// The authorization server.
    pub(crate) fn server(&self) -> &AuthServer {
        &self.server
    }

    /// The URL to call: the configured one, or the one in the (possibly discovered) metadata.
    ///
    /// # Errors
    ///
    /// `Unavailable` when the metadata cannot be fetched, or names no acceptable endpoint.
    pub(crate) async fn url(&self) -> Result<&Url, VerifyError> {
        if let Some(url) = &self.configured {
            return Ok(url);
        }
        if let Some(resolved) = self.resolved.get() {
            return resolved.as_ref().map_err(VerifyError::unavailable);
        }
        let metadata = self.server.metadata().await.map_err(|e| {
            VerifyError::unavailable(format!("authorization server metadata unavailable: {e}"))
        })?;
        let judged = judge(&self.server, self.kind, &metadata).map_err(|refusal| {
            let member = self.kind.member();
            let detail = match refusal {
                Refusal::Missing => {
                    format!("the authorization server metadata has no {member}")
                }
                Refusal::Invalid(reason) => format!("{member} refused: {reason}"),
                Refusal::CrossOrigin => format!(
                    "{member} is not on the issuer's origin; configure it explicitly to trust it"
                ),
            };
            tracing::error!(issuer = %self.server.issuer(), "{detail}");
            detail
        });
        self.resolved
            .get_or_init(|| judged)
            .as_ref()
            .map_err(VerifyError::unavailable)
    }
}

/// Reads and judges the endpoint in `metadata`: present, acceptable to the outbound policy, and
/// on the issuer's origin.
fn judge(
    server: &AuthServer,
    kind: Kind,
    metadata: &AuthorizationServerMetadata,
) -> Result<Url, Refusal> {
    let text = kind.read(metadata).ok_or(Refusal::Missing)?;
    let url = server
        .http_client()
        .policy()
        .check_url(text)
        .map_err(Refusal::Invalid)?;
    if url.fragment().is_some() {
        return Err(Refusal::Invalid("an endpoint must not contain a fragment"));
    }
    let issuer =
        Url::parse(server.issuer()).map_err(|_| Refusal::Invalid("issuer is not a URL"))?;
    if issuer.origin() != url.origin() {
        return Err(Refusal::CrossOrigin);
    }
    Ok(url)
}
