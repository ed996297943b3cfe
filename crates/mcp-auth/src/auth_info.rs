//! The verified identity handed to handlers and tools.

use std::sync::Arc;

use serde_json::{Map, Value};

use crate::bearer::BearerToken;

/// The identity behind a verified access token.
///
/// The Bearer layer inserts it into the request extensions; axum handlers take it as an
/// extractor, rmcp tools through `mcp-auth-rmcp`. Its `Debug` output redacts the token.
///
/// ```
/// use mcp_auth::{AuthInfo, BearerToken};
/// let info = AuthInfo::new(BearerToken::new("t"), "https://as.example.com", "user-1")
///     .with_scopes(["todo:read"]);
/// assert!(info.has_scope("todo:read"));
/// assert!(format!("{info:?}").contains("[redacted]"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct AuthInfo {
    /// The access token (redacted in `Debug`).
    pub token: BearerToken,
    /// The issuer (`iss`) that vouched for the token.
    pub issuer: String,
    /// The subject (`sub`): a user, or for client-credentials tokens usually the client.
    pub subject: String,
    /// The OAuth client (`client_id` claim, else `azp`).
    pub client_id: Option<String>,
    /// Granted scopes, in the order the token lists them, without empty entries.
    pub scopes: Vec<String>,
    /// The audiences (`aud`) of the token.
    pub audience: Vec<String>,
    /// Expiry (`exp`) in seconds since the Unix epoch, when known.
    pub expires_at: Option<i64>,
    /// The protected resource (its identifier URL) the token was accepted for.
    pub resource: Option<String>,
    /// All claims of the token, or the fields returned by userinfo / introspection.
    ///
    /// Shared, so that handing the identity to every handler and tool is cheap: read it
    /// through `Deref` (`info.claims.get("email")`), take an owned map with
    /// `Arc::unwrap_or_clone(info.claims)` or change it with `Arc::make_mut`.
    pub claims: Arc<Map<String, Value>>,
}

impl AuthInfo {
    /// A new identity with the required parts; the rest is set with the `with_*` methods.
    #[must_use]
    pub fn new(token: BearerToken, issuer: impl Into<String>, subject: impl Into<String>) -> Self {
        Self {
            token,
            issuer: issuer.into(),
            subject: subject.into(),
            client_id: None,
            scopes: Vec::new(),
            audience: Vec::new(),
            expires_at: None,
            resource: None,
            claims: Arc::default(),
        }
    }

    /// Sets the client id.
    #[must_use]
    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = Some(client_id.into());
        self
    }

    /// Sets the granted scopes (empty entries are dropped).
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = scopes
            .into_iter()
            .map(Into::into)
            .filter(|s| !s.is_empty())
            .collect();
        self
    }

    /// Sets the audiences.
    #[must_use]
    pub fn with_audience<I, S>(mut self, audience: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.audience = audience.into_iter().map(Into::into).collect();
        self
    }

    /// Sets the expiry (seconds since the Unix epoch).
    #[must_use]
    pub fn with_expires_at(mut self, expires_at: i64) -> Self {
        self.expires_at = Some(expires_at);
        self
    }

    /// Sets the protected resource the token was accepted for.
    #[must_use]
    pub fn with_resource(mut self, resource: impl Into<String>) -> Self {
        self.resource = Some(resource.into());
        self
    }

    /// Sets the claims.
    #[must_use]
    pub fn with_claims(mut self, claims: Map<String, Value>) -> Self {
        self.claims = Arc::new(claims);
        self
    }

    /// `true` when `scope` is granted, compared exactly.
    ///
    /// Use a [`ScopeMatcher`](crate::scope::ScopeMatcher) to account for scope hierarchies.
    #[must_use]
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}
