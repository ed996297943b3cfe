//! Protected resources (RFC 9728): the MCP endpoints a server protects, and whom they trust.

use url::Url;

use crate::auth_server::AuthServer;
use crate::error::ConfigError;
use crate::metadata::{ProtectedResourceMetadata, protected_resource_metadata_url};
use crate::scope::validate_scope;

/// One protected resource: its identifier (the public URL of the MCP endpoint), the
/// authorization servers whose tokens it accepts, and what it publishes in its metadata.
///
/// The identifier is checked when it is set: an absolute `https` URL (plain `http` only for
/// loopback hosts, for development), without fragment or userinfo (RFC 9728 §1.2, RFC 8707 §2).
///
/// ```
/// use mcp_auth::{AuthServer, ProtectedResource};
/// let resource = ProtectedResource::new("https://mcp.example.com/mcp")?
///     .with_authorization_server(AuthServer::lazy("https://auth.example.com", None)?)
///     .with_scopes_supported(["todo:read", "todo:write"])?;
/// assert_eq!(
///     resource.metadata_url().as_str(),
///     "https://mcp.example.com/.well-known/oauth-protected-resource/mcp"
/// );
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct ProtectedResource {
    identifier: String,
    metadata_url: Url,
    auth_servers: Vec<AuthServer>,
    metadata: ProtectedResourceMetadata,
}

impl ProtectedResource {
    /// A protected resource identified by `resource`, the absolute URL clients connect to.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when the URL is relative, has a fragment or userinfo, or uses
    /// plain `http` for a host other than loopback.
    pub fn new(resource: &str) -> Result<Self, ConfigError> {
        let url = check_resource_url(resource)?;
        let metadata_url = protected_resource_metadata_url(&url);
        let mut metadata = ProtectedResourceMetadata::new(resource);
        // MCP clients send tokens in the Authorization header only (RFC 9728 §2, MCP
        // "Access Token Usage"); publishing it spares clients a guess.
        metadata.bearer_methods_supported = Some(vec!["header".to_owned()]);
        Ok(Self {
            identifier: resource.to_owned(),
            metadata_url,
            auth_servers: Vec::new(),
            metadata,
        })
    }

    /// Trusts tokens issued by `server` (static metadata or lazy discovery).
    ///
    /// Trusting the same issuer twice is refused when the [`McpAuth`](crate::McpAuth) is built.
    #[must_use]
    pub fn with_authorization_server(mut self, server: AuthServer) -> Self {
        self.auth_servers.push(server);
        self
    }

    /// Publishes `scopes_supported` (RFC 9728 §2): the minimal scopes for basic use.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidScope`] for a name with characters RFC 6750 §3 does not allow, and
    /// for `offline_access`, which the MCP specification says servers should not advertise.
    pub fn with_scopes_supported<I, S>(mut self, scopes: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let scopes: Vec<String> = scopes.into_iter().map(Into::into).collect();
        for scope in &scopes {
            validate_scope(scope)?;
            if scope == "offline_access" {
                return Err(ConfigError::InvalidScope {
                    scope: scope.clone(),
                    reason: "MCP servers should not advertise offline_access",
                });
            }
        }
        self.metadata.scopes_supported = Some(scopes);
        Ok(self)
    }

    /// Publishes a human-readable `resource_name`.
    #[must_use]
    pub fn with_resource_name(mut self, name: impl Into<String>) -> Self {
        self.metadata.resource_name = Some(name.into());
        self
    }

    /// Publishes `resource_documentation`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidUrl`] when it is not an absolute URL.
    pub fn with_resource_documentation(mut self, url: &str) -> Result<Self, ConfigError> {
        Url::parse(url).map_err(|_| ConfigError::InvalidUrl {
            url: url.to_owned(),
            reason: "not an absolute URL",
        })?;
        self.metadata.resource_documentation = Some(url.to_owned());
        Ok(self)
    }

    /// Changes any other published field of the metadata document.
    ///
    /// `resource` and `authorization_servers` are always set from the configuration and are
    /// overwritten after `f` runs.
    #[must_use]
    pub fn map_metadata(
        mut self,
        f: impl FnOnce(ProtectedResourceMetadata) -> ProtectedResourceMetadata,
    ) -> Self {
        self.metadata = f(self.metadata);
        self
    }

    /// The resource identifier, exactly as configured.
    #[must_use]
    pub fn identifier(&self) -> &str {
        &self.identifier
    }

    /// The absolute URL of this resource's metadata document (RFC 9728 §3.1), the value of
    /// `resource_metadata` in challenges.
    #[must_use]
    pub fn metadata_url(&self) -> &Url {
        &self.metadata_url
    }

    /// The trusted authorization servers.
    #[must_use]
    pub fn authorization_servers(&self) -> &[AuthServer] {
        &self.auth_servers
    }

    /// The metadata document served for this resource.
    #[must_use]
    pub fn metadata(&self) -> ProtectedResourceMetadata {
        let mut doc = self.metadata.clone();
        doc.resource.clone_from(&self.identifier);
        doc.authorization_servers = self
            .auth_servers
            .iter()
            .map(|s| s.issuer().to_owned())
            .collect();
        doc
    }

    /// Build-time checks that need the whole resource.
    pub(crate) fn check(&self) -> Result<(), ConfigError> {
        if self.auth_servers.is_empty() {
            return Err(ConfigError::Mode(
                "a protected resource needs at least one authorization server (MCP requires a non-empty authorization_servers)",
            ));
        }
        let mut seen: Vec<&str> = Vec::with_capacity(self.auth_servers.len());
        for server in &self.auth_servers {
            if seen.contains(&server.issuer()) {
                return Err(ConfigError::DuplicateIssuer(server.issuer().to_owned()));
            }
            seen.push(server.issuer());
        }
        Ok(())
    }
}

/// Checks a resource identifier (RFC 9728 §1.2, RFC 8707 §2, MCP "Canonical Server URI").
pub(crate) fn check_resource_url(resource: &str) -> Result<Url, ConfigError> {
    let invalid = |reason| ConfigError::InvalidUrl {
        url: resource.to_owned(),
        reason,
    };
    let url = Url::parse(resource).map_err(|_| invalid("not an absolute URL"))?;
    if url.fragment().is_some() || resource.contains('#') {
        return Err(invalid("a resource identifier must not have a fragment"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("a resource identifier must not carry userinfo"));
    }
    match url.scheme() {
        "https" => {}
        "http" if is_loopback(&url) => {}
        "http" => {
            return Err(invalid(
                "plain http is only allowed for loopback hosts (localhost, 127.0.0.0/8, ::1)",
            ));
        }
        _ => return Err(invalid("the scheme must be https")),
    }
    if url.host().is_none() {
        return Err(invalid("a resource identifier needs a host"));
    }
    Ok(url)
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn j05_resource_identifier_hygiene() {
        for bad in [
            "/mcp",
            "https://h.test/mcp#frag",
            "https://u:p@h.test/mcp",
            "http://h.test/mcp",
            "ftp://h.test/mcp",
        ] {
            assert!(
                matches!(
                    ProtectedResource::new(bad),
                    Err(ConfigError::InvalidUrl { .. })
                ),
                "{bad} accepted"
            );
        }
        for good in [
            "https://h.test/mcp",
            "http://127.0.0.1:3001/mcp",
            "http://localhost:8080/",
            "http://[::1]/mcp",
        ] {
            assert!(ProtectedResource::new(good).is_ok(), "{good} refused");
        }
    }

    #[test]
    fn offline_access_and_bad_scopes_refused() {
        let r = ProtectedResource::new("https://h.test/mcp").expect("valid");
        assert!(r.clone().with_scopes_supported(["offline_access"]).is_err());
        assert!(r.clone().with_scopes_supported(["a b"]).is_err());
        assert!(r.with_scopes_supported(["todo:read"]).is_ok());
    }

    #[test]
    fn j04_bearer_methods_header_only() {
        let r = ProtectedResource::new("https://h.test/mcp").expect("valid");
        assert_eq!(
            r.metadata().bearer_methods_supported,
            Some(vec!["header".to_owned()])
        );
    }
}
