//! OAuth clients (RFC 6749 §2): static clients from configuration, clients registered with
//! RFC 7591 Dynamic Client Registration, and clients identified by a Client ID Metadata
//! Document URL.

use std::fmt;
use std::sync::Arc;

use aws_lc_rs::{constant_time, digest};
use url::Url;

use crate::scope;

mod metadata_document;
pub(crate) mod redirect_uri;
pub(crate) mod registration;
mod registry;

pub(crate) use registry::{ClientRegistry, LookupError};

/// A grant type a client may use at the token endpoint (RFC 6749 §4, RFC 7591 §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GrantType {
    /// `authorization_code` (RFC 6749 §4.1), with PKCE.
    AuthorizationCode,
    /// `refresh_token` (RFC 6749 §6).
    RefreshToken,
    /// `client_credentials` (RFC 6749 §4.4): confidential clients only.
    ClientCredentials,
}

impl GrantType {
    /// The `grant_type` value.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::AuthorizationCode => "authorization_code",
            Self::RefreshToken => "refresh_token",
            Self::ClientCredentials => "client_credentials",
        }
    }

    /// The grant type named `value`, if it is one of these.
    #[must_use]
    pub fn from_name(value: &str) -> Option<Self> {
        [
            Self::AuthorizationCode,
            Self::RefreshToken,
            Self::ClientCredentials,
        ]
        .into_iter()
        .find(|g| g.as_str() == value)
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a client comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientKind {
    /// Configured with [`DevServerBuilder::clients`](crate::DevServerBuilder::clients).
    Static,
    /// Registered at the registration endpoint (RFC 7591).
    Registered,
    /// Identified by the URL of its Client ID Metadata Document, fetched by the server.
    MetadataDocument,
}

/// A client secret (RFC 6749 §2.3.1); `Debug` prints `[redacted]`.
#[derive(Clone)]
pub struct ClientSecret(Arc<str>);

impl ClientSecret {
    /// Wraps a secret.
    #[must_use]
    pub fn new(secret: impl Into<Arc<str>>) -> Self {
        Self(secret.into())
    }

    /// The secret text.
    ///
    /// # Security Warning
    ///
    /// A credential: never log it.
    #[must_use]
    pub fn secret(&self) -> &str {
        &self.0
    }

    /// Compares with a presented secret without leaking where they differ (the SHA-256
    /// digests are compared in constant time).
    pub(crate) fn matches(&self, presented: &str) -> bool {
        let expected = digest::digest(&digest::SHA256, self.0.as_bytes());
        let presented = digest::digest(&digest::SHA256, presented.as_bytes());
        constant_time::verify_slices_are_equal(expected.as_ref(), presented.as_ref()).is_ok()
    }
}

impl fmt::Debug for ClientSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecret([redacted])")
    }
}

/// A registered client: confidential (with a secret) or public (RFC 6749 §2.1).
///
/// ```
/// use mcp_auth_dev::{Client, GrantType};
///
/// let service = Client::confidential("reporting", "s3cret")
///     .with_scopes(["todo:read"])
///     .with_grant_types([GrantType::ClientCredentials]);
/// assert!(service.is_confidential());
/// assert!(service.allows_grant(GrantType::ClientCredentials));
/// assert!(!service.allows_grant(GrantType::AuthorizationCode));
/// assert!(!format!("{service:?}").contains("s3cret"));
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Client {
    client_id: String,
    secret: Option<ClientSecret>,
    name: Option<String>,
    redirect_uris: Vec<String>,
    scopes: Option<Vec<String>>,
    grant_types: Vec<GrantType>,
    kind: ClientKind,
}

impl Client {
    /// A confidential client authenticating with `client_secret_basic` or
    /// `client_secret_post`; allowed grants: authorization code, refresh token, client
    /// credentials.
    #[must_use]
    pub fn confidential(client_id: impl Into<String>, secret: impl Into<Arc<str>>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: Some(ClientSecret::new(secret)),
            name: None,
            redirect_uris: Vec::new(),
            scopes: None,
            grant_types: vec![
                GrantType::AuthorizationCode,
                GrantType::RefreshToken,
                GrantType::ClientCredentials,
            ],
            kind: ClientKind::Static,
        }
    }

    /// A public client (token endpoint auth method `none`); allowed grants: authorization code
    /// and refresh token.
    #[must_use]
    pub fn public(client_id: impl Into<String>) -> Self {
        Self {
            client_id: client_id.into(),
            secret: None,
            name: None,
            redirect_uris: Vec::new(),
            scopes: None,
            grant_types: vec![GrantType::AuthorizationCode, GrantType::RefreshToken],
            kind: ClientKind::Static,
        }
    }

    /// Sets the human-readable name shown on the consent page (`client_name`, RFC 7591 §2).
    #[must_use]
    pub fn with_name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Sets the redirect URIs, matched exactly (RFC 6749 §3.1.2, RFC 9700 §4.1.3) — except
    /// the port of an `http` loopback redirect URI (`127.0.0.1`, `[::1]`, `localhost`), which
    /// may differ (RFC 8252 §7.3).
    #[must_use]
    pub fn with_redirect_uris<I, S>(mut self, uris: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.redirect_uris = uris.into_iter().map(Into::into).collect();
        self
    }

    /// Restricts the scopes the client may request (default: any scope the server supports).
    #[must_use]
    pub fn with_scopes<I, S>(mut self, scopes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.scopes = Some(scopes.into_iter().map(Into::into).collect());
        self
    }

    /// Sets the grant types the client may use.
    #[must_use]
    pub fn with_grant_types(mut self, grants: impl IntoIterator<Item = GrantType>) -> Self {
        self.grant_types = grants.into_iter().collect();
        self
    }

    /// The `client_id`.
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The secret of a confidential client.
    #[must_use]
    pub fn secret(&self) -> Option<&ClientSecret> {
        self.secret.as_ref()
    }

    /// The display name, if set.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The registered redirect URIs.
    #[must_use]
    pub fn redirect_uris(&self) -> &[String] {
        &self.redirect_uris
    }

    /// The scopes the client may request; `None` means any supported scope.
    #[must_use]
    pub fn scopes(&self) -> Option<&[String]> {
        self.scopes.as_deref()
    }

    /// The grant types the client may use.
    #[must_use]
    pub fn grant_types(&self) -> &[GrantType] {
        &self.grant_types
    }

    /// Where the client comes from.
    #[must_use]
    pub fn kind(&self) -> ClientKind {
        self.kind
    }

    pub(crate) fn with_kind(mut self, kind: ClientKind) -> Self {
        self.kind = kind;
        self
    }

    /// Whether `presented` is one of the registered redirect URIs (see
    /// [`with_redirect_uris`](Self::with_redirect_uris)).
    #[must_use]
    pub fn allows_redirect_uri(&self, presented: &str) -> bool {
        self.redirect_uris
            .iter()
            .any(|registered| redirect_uri::matches(registered, presented))
    }

    /// Whether the client has a secret (RFC 6749 §2.1).
    #[must_use]
    pub fn is_confidential(&self) -> bool {
        self.secret.is_some()
    }

    /// Whether the client may use `grant`.
    #[must_use]
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// Whether the client may request `scope`.
    pub(crate) fn allows_scope(&self, scope: &str) -> bool {
        self.scopes
            .as_ref()
            .is_none_or(|allowed| allowed.iter().any(|s| s == scope))
    }

    /// The built-in clients: `dev-client` (confidential, secret `dev-secret`, all grants,
    /// redirect `http://localhost:6274/oauth/callback` and
    /// `http://127.0.0.1:6274/oauth/callback`) and `mcp-inspector` (public, MCP Inspector's
    /// callbacks `/oauth/callback` and `/oauth/callback/debug` on `localhost` and `127.0.0.1`).
    /// These are loopback redirect URIs, so any port matches (RFC 8252 §7.3): the Inspector CLI's
    /// `http://127.0.0.1:6276/oauth/callback` does too.
    #[must_use]
    pub fn defaults() -> Vec<Self> {
        let callbacks = [
            "http://localhost:6274/oauth/callback",
            "http://127.0.0.1:6274/oauth/callback",
        ];
        let debug = [
            "http://localhost:6274/oauth/callback/debug",
            "http://127.0.0.1:6274/oauth/callback/debug",
        ];
        vec![
            Self::confidential("dev-client", "dev-secret")
                .with_name("Development client")
                .with_redirect_uris(callbacks),
            Self::public("mcp-inspector")
                .with_name("MCP Inspector")
                .with_redirect_uris(callbacks.into_iter().chain(debug)),
        ]
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        let id = &self.client_id;
        if id.is_empty() || id.chars().any(char::is_control) {
            return Err("a client_id must be non-empty, without control characters".into());
        }
        if self.secret.as_ref().is_some_and(|s| s.secret().is_empty()) {
            return Err(format!("client `{id}`: empty secret"));
        }
        if !self.is_confidential() && self.allows_grant(GrantType::ClientCredentials) {
            return Err(format!(
                "client `{id}`: client_credentials needs a confidential client (RFC 6749 §4.4)"
            ));
        }
        for uri in &self.redirect_uris {
            let valid = Url::parse(uri).is_ok_and(|u| u.fragment().is_none());
            if !valid {
                return Err(format!(
                    "client `{id}`: redirect URI `{uri}` must be absolute, without fragment"
                ));
            }
        }
        if let Some(bad) = self
            .scopes
            .iter()
            .flatten()
            .find(|s| !scope::is_scope_token(s))
        {
            return Err(format!("client `{id}`: malformed scope `{bad}`"));
        }
        Ok(())
    }
}
