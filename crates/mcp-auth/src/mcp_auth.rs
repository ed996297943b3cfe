//! The [`McpAuth`] facade: protected resources, the authorization servers they trust, and the
//! pieces to mount (metadata endpoints, Bearer layers, verifiers).

use std::sync::Arc;

use crate::auth_server::AuthServer;
use crate::error::ConfigError;
use crate::layer::BearerAuthLayer;
use crate::metadata_service::MetadataService;
use crate::resource::ProtectedResource;
use crate::verify::jwks::JwksRegistry;
use crate::verify::{JwtVerifier, TokenVerifier};

/// MCP authorization for one server: what it publishes and how it checks tokens.
///
/// Two modes, exactly one per instance:
///
/// * **resource server** (RFC 9728, the current MCP specification): one or more
///   [`ProtectedResource`]s, each trusting one or more authorization servers. The server
///   publishes protected-resource metadata and verifies tokens.
/// * **legacy authorization server** (MCP 2025-03-26): the server re-publishes its one
///   authorization server's RFC 8414 metadata at `/.well-known/oauth-authorization-server`.
///   Kept for older clients; new servers should use resource-server mode.
///
/// Everything is checked when it is built; nothing is re-checked per request.
///
/// ```
/// use mcp_auth::{AuthServer, McpAuth, ProtectedResource};
///
/// let auth = McpAuth::new(
///     ProtectedResource::new("https://mcp.example.com/mcp")?
///         .with_authorization_server(AuthServer::lazy("https://auth.example.com", None)?),
/// )?;
/// let verifier = auth.jwt_verifier()?;
/// let layer = auth.bearer_auth(verifier)?.require_scopes(["todo:read"])?;
/// # let _ = layer;
/// # Ok::<(), mcp_auth::ConfigError>(())
/// ```
#[derive(Debug, Clone)]
pub struct McpAuth {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    mode: Mode,
    jwks: JwksRegistry,
}

#[derive(Debug)]
enum Mode {
    Resources(Vec<ProtectedResource>),
    AuthorizationServer(AuthServer),
}

impl McpAuth {
    /// Resource-server mode with one protected resource.
    ///
    /// # Errors
    ///
    /// See [`McpAuthBuilder::build`].
    pub fn new(resource: ProtectedResource) -> Result<Self, ConfigError> {
        Self::builder().protected_resource(resource).build()
    }

    /// Legacy authorization-server mode (MCP 2025-03-26): serves `server`'s metadata at
    /// `/.well-known/oauth-authorization-server`.
    #[must_use]
    pub fn authorization_server(server: AuthServer) -> Self {
        Self::from_mode(Mode::AuthorizationServer(server))
    }

    /// A builder, for several resources.
    pub fn builder() -> McpAuthBuilder {
        McpAuthBuilder::default()
    }

    fn from_mode(mode: Mode) -> Self {
        Self {
            inner: Arc::new(Inner {
                mode,
                jwks: JwksRegistry::default(),
            }),
        }
    }

    /// The configured protected resources (empty in legacy mode).
    #[must_use]
    pub fn resources(&self) -> &[ProtectedResource] {
        match &self.inner.mode {
            Mode::Resources(r) => r,
            Mode::AuthorizationServer(_) => &[],
        }
    }

    /// The authorization server of legacy mode.
    #[must_use]
    pub fn legacy_authorization_server(&self) -> Option<&AuthServer> {
        match &self.inner.mode {
            Mode::AuthorizationServer(s) => Some(s),
            Mode::Resources(_) => None,
        }
    }

    /// The resource whose identifier is exactly `resource`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownResource`] when it is not configured, [`ConfigError::Mode`] in legacy
    /// mode.
    pub fn resource(&self, resource: &str) -> Result<&ProtectedResource, ConfigError> {
        match &self.inner.mode {
            Mode::Resources(list) => list
                .iter()
                .find(|r| r.identifier() == resource)
                .ok_or_else(|| ConfigError::UnknownResource(resource.to_owned())),
            Mode::AuthorizationServer(_) => Err(ConfigError::Mode(
                "legacy authorization-server mode has no protected resources",
            )),
        }
    }

    fn only_resource(&self) -> Result<&ProtectedResource, ConfigError> {
        match &self.inner.mode {
            Mode::Resources(list) if list.len() == 1 => Ok(&list[0]),
            Mode::Resources(_) => Err(ConfigError::Mode(
                "several protected resources are configured: name one with the *_for method",
            )),
            Mode::AuthorizationServer(_) => Err(ConfigError::Mode(
                "legacy authorization-server mode has no protected resource: use legacy_jwt_verifier / legacy_bearer_auth",
            )),
        }
    }

    /// A [`JwtVerifier`] for the only protected resource: tokens must be issued by one of its
    /// authorization servers for it (`aud`). Verifiers made by one `McpAuth` share JWKS caches.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Mode`] when there is not exactly one protected resource.
    pub fn jwt_verifier(&self) -> Result<JwtVerifier, ConfigError> {
        let resource = self.only_resource()?;
        self.verifier_for(resource)
    }

    /// A [`JwtVerifier`] for the resource `resource`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownResource`] when it is not configured.
    pub fn jwt_verifier_for(&self, resource: &str) -> Result<JwtVerifier, ConfigError> {
        let resource = self.resource(resource)?;
        self.verifier_for(resource)
    }

    fn verifier_for(&self, resource: &ProtectedResource) -> Result<JwtVerifier, ConfigError> {
        let mut verifier =
            JwtVerifier::new(resource.identifier())?.with_jwks_registry(self.inner.jwks.clone());
        for server in resource.authorization_servers() {
            verifier = verifier.with_issuer(server.clone())?;
        }
        Ok(verifier)
    }

    /// Legacy mode: a [`JwtVerifier`] for the authorization server, requiring `audience` in `aud`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Mode`] in resource-server mode; URL errors for `audience`.
    pub fn legacy_jwt_verifier(&self, audience: &str) -> Result<JwtVerifier, ConfigError> {
        let server = self.legacy_authorization_server().ok_or(ConfigError::Mode(
            "legacy_jwt_verifier needs legacy authorization-server mode",
        ))?;
        JwtVerifier::new(audience)?
            .with_jwks_registry(self.inner.jwks.clone())
            .with_issuer(server.clone())
    }

    /// A Bearer layer for the only protected resource, with its `resource_metadata` challenge
    /// parameter.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Mode`] when there is not exactly one protected resource.
    pub fn bearer_auth(
        &self,
        verifier: impl TokenVerifier,
    ) -> Result<BearerAuthLayer, ConfigError> {
        let resource = self.only_resource()?;
        layer_for(resource, verifier)
    }

    /// A Bearer layer for the resource `resource`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownResource`] when it is not configured.
    pub fn bearer_auth_for(
        &self,
        resource: &str,
        verifier: impl TokenVerifier,
    ) -> Result<BearerAuthLayer, ConfigError> {
        layer_for(self.resource(resource)?, verifier)
    }

    /// Legacy mode: a Bearer layer without `resource_metadata` (there is no resource metadata).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Mode`] in resource-server mode.
    pub fn legacy_bearer_auth(
        &self,
        verifier: impl TokenVerifier,
    ) -> Result<BearerAuthLayer, ConfigError> {
        self.legacy_authorization_server().ok_or(ConfigError::Mode(
            "legacy_bearer_auth needs legacy authorization-server mode",
        ))?;
        Ok(BearerAuthLayer::new(verifier))
    }

    /// A tower service answering the well-known metadata requests (protected-resource metadata,
    /// or in legacy mode the authorization-server metadata); anything else gets 404.
    ///
    /// Mount it outside the Bearer layer: discovery must work without a token.
    pub fn metadata_service(&self) -> MetadataService {
        match &self.inner.mode {
            Mode::Resources(list) => MetadataService::for_resources(list),
            Mode::AuthorizationServer(server) => MetadataService::for_authorization_server(server),
        }
    }

    /// An axum router with the well-known metadata routes; merge it into your app outside the
    /// Bearer layer.
    #[cfg(feature = "axum")]
    pub fn metadata_router<S>(&self) -> axum::Router<S>
    where
        S: Clone + Send + Sync + 'static,
    {
        let service = self.metadata_service();
        service
            .paths()
            .into_iter()
            .fold(axum::Router::new(), |router, path| {
                router.route_service(&path, service.clone())
            })
    }
}

fn layer_for(
    resource: &ProtectedResource,
    verifier: impl TokenVerifier,
) -> Result<BearerAuthLayer, ConfigError> {
    Ok(BearerAuthLayer::new(verifier)
        .with_resource_metadata(resource.metadata_url().as_str())?
        .with_resource(resource.identifier()))
}

/// Builds an [`McpAuth`] with several resources (or, for parity with the reference SDKs, checks
/// that only one mode is configured).
#[derive(Debug, Default)]
#[must_use]
pub struct McpAuthBuilder {
    resources: Vec<ProtectedResource>,
    server: Option<AuthServer>,
}

impl McpAuthBuilder {
    /// Adds a protected resource (resource-server mode).
    pub fn protected_resource(mut self, resource: ProtectedResource) -> Self {
        self.resources.push(resource);
        self
    }

    /// Sets the legacy authorization server (legacy mode).
    pub fn authorization_server(mut self, server: AuthServer) -> Self {
        self.server = Some(server);
        self
    }

    /// Checks and builds.
    ///
    /// # Errors
    ///
    /// * [`ConfigError::Mode`] when both modes or neither are configured, or a resource trusts
    ///   no authorization server;
    /// * [`ConfigError::DuplicateResource`] when two resources share an identifier, or their
    ///   metadata would be served at the same path;
    /// * [`ConfigError::DuplicateIssuer`] when a resource trusts an issuer twice.
    pub fn build(self) -> Result<McpAuth, ConfigError> {
        match (self.resources.is_empty(), self.server) {
            (false, Some(_)) => Err(ConfigError::Mode(
                "configure either protected resources or a legacy authorization server, not both",
            )),
            (true, None) => Err(ConfigError::Mode(
                "configure at least one protected resource (or a legacy authorization server)",
            )),
            (true, Some(server)) => Ok(McpAuth::from_mode(Mode::AuthorizationServer(server))),
            (false, None) => {
                for (i, resource) in self.resources.iter().enumerate() {
                    resource.check()?;
                    let clash = self.resources[..i].iter().any(|earlier| {
                        earlier.identifier() == resource.identifier()
                            || earlier.metadata_url().path() == resource.metadata_url().path()
                    });
                    if clash {
                        return Err(ConfigError::DuplicateResource(
                            resource.identifier().to_owned(),
                        ));
                    }
                }
                Ok(McpAuth::from_mode(Mode::Resources(self.resources)))
            }
        }
    }
}
