//! The running server: [`DevServer`], a handle that serves until shut down or dropped.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use mcp_auth::listener::NoDelayListener;
use mcp_auth::metadata::AuthorizationServerMetadata;
use serde_json::Value;

use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::authorization_server::AuthorizationServer;
use crate::clients::ClientRegistry;
use crate::error::DevError;
use crate::keys::{KeySet, SigningAlgorithm};
use crate::tokens::{RefreshTokenStore, TokenRequest, TokenStore};
use crate::users::User;

mod builder;

pub use builder::{
    DEFAULT_MAX_REGISTERED_CLIENTS, DEFAULT_MAX_TOKENS, DEFAULT_REFRESH_TOKEN_TTL,
    DEFAULT_TOKEN_TTL, DevServerBuilder,
};

/// How long [`DevServer::shutdown`] waits for open connections before it stops the server.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// A running development authorization server.
///
/// Created with [`DevServer::builder`]; it serves on a background task of the current tokio
/// runtime until [`shutdown`](Self::shutdown) is awaited or the handle is dropped.
pub struct DevServer {
    server: Arc<AuthorizationServer>,
    local_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for DevServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DevServer")
            .field("issuer", &self.server.issuer)
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}

impl DevServer {
    /// A builder with the defaults: `127.0.0.1:0`, users `alice` and `bob`, clients
    /// `dev-client` and `mcp-inspector`, ES256, keys in memory, one-hour tokens.
    pub fn builder() -> DevServerBuilder {
        DevServerBuilder::default()
    }

    pub(crate) async fn start(config: DevServerBuilder) -> Result<Self, DevError> {
        config.validate()?;
        let clients = ClientRegistry::new(
            config.clients,
            config.max_registered_clients,
            config.http_client.unwrap_or_default(),
            config.scopes_supported.clone(),
        )
        .map_err(DevError::Config)?;
        let algorithm = config.algorithm;
        let keys_file = config.keys_file;
        let users_file = config.users_file;
        let users = config.users;
        // Key generation (RSA especially) and file I/O block: keep them off the runtime.
        let (keys, users) = tokio::task::spawn_blocking(move || {
            let users = match users_file {
                Some(path) => crate::users::read_file(&path)?,
                None => users,
            };
            let keys = KeySet::load_or_generate(algorithm, keys_file.as_deref())?;
            Ok::<_, DevError>((keys, users))
        })
        .await
        .map_err(|_| DevError::Crypto("the key loading task failed"))??;

        // TCP_NODELAY on every connection: see `mcp_auth::listener` for the 40 ms it saves.
        let listener =
            NoDelayListener::bind(config.bind)
                .await
                .map_err(|source| DevError::Bind {
                    addr: config.bind,
                    source,
                })?;
        let local_addr = listener.local_addr().map_err(|source| DevError::Bind {
            addr: config.bind,
            source,
        })?;
        if !local_addr.ip().is_loopback() {
            warn_not_loopback(local_addr);
        }
        let issuer = issuer_for(local_addr);
        let metadata = crate::metadata::build(&issuer, &config.scopes_supported, algorithm);
        let metadata_json = serde_json::to_vec(&metadata)
            .map_err(|e| DevError::Config(format!("cannot serialize the metadata: {e}")))?;
        let server = Arc::new(AuthorizationServer {
            issuer,
            metadata,
            metadata_json,
            keys,
            users,
            clients,
            scopes_supported: config.scopes_supported,
            token_ttl: config.token_ttl,
            tokens: TokenStore::new(config.max_tokens),
            refresh_tokens: RefreshTokenStore::new(config.max_tokens),
            refresh_token_ttl: config.refresh_token_ttl,
            codes: crate::authorization_code::CodeStore::default(),
            interactions: crate::interaction::Interactions::default(),
            clock: config.clock,
        });

        let router = crate::endpoints::router(Arc::clone(&server));
        let (shutdown, stop) = oneshot::channel::<()>();
        let serve = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = stop.await;
        });
        let task = tokio::spawn(async move {
            if let Err(error) = serve.await {
                tracing::error!(%error, "mcp-auth-dev server failed");
            }
        });
        tracing::info!(issuer = %server.issuer, "mcp-auth-dev authorization server listening");
        Ok(Self {
            server,
            local_addr,
            shutdown: Some(shutdown),
            task: Some(task),
        })
    }

    /// The issuer identifier, `http://127.0.0.1:PORT` (no trailing slash): the base of every
    /// endpoint and the `iss` of every token.
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.server.issuer
    }

    /// The address the server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The metadata document served at both well-known URLs.
    #[must_use]
    pub fn metadata(&self) -> &AuthorizationServerMetadata {
        &self.server.metadata
    }

    /// The public JWK Set served at `jwks_uri`.
    #[must_use]
    pub fn jwks(&self) -> &Value {
        self.server.keys.jwks()
    }

    /// The `kid` of the key that signs new tokens.
    #[must_use]
    pub fn signing_key_id(&self) -> &str {
        self.server.keys.active().map_or("", |key| key.kid())
    }

    /// The algorithm new tokens are signed with.
    #[must_use]
    pub fn signing_algorithm(&self) -> SigningAlgorithm {
        self.server
            .keys
            .active()
            .map_or_else(SigningAlgorithm::default, |key| key.algorithm())
    }

    /// The configured test users.
    #[must_use]
    pub fn users(&self) -> &[User] {
        &self.server.users
    }

    /// Mints an access token in-process, with the checks of the token endpoint (see
    /// [`TokenRequest`]). The token is remembered like one issued over HTTP: `/userinfo`,
    /// `/introspect` and `/revoke` know it.
    ///
    /// # Errors
    ///
    /// [`DevError::UnknownClient`], [`DevError::UnknownUser`],
    /// [`DevError::UnauthorizedClient`], [`DevError::InvalidScope`],
    /// [`DevError::InvalidTarget`], [`DevError::InvalidRequest`] (a JWT without resource),
    /// [`DevError::StoreFull`], [`DevError::Crypto`].
    pub fn issue_access_token(&self, request: &TokenRequest) -> Result<String, DevError> {
        self.server.issue_for_request(request)
    }

    /// Stops accepting connections and waits (up to 5 s) for open ones to finish.
    pub async fn shutdown(mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for DevServer {
    /// Signals the server to stop; it finishes in the background.
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// `http://IP:PORT`; a wildcard bind is announced on the loopback address of its family.
fn issuer_for(addr: SocketAddr) -> String {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    format!("http://{}", SocketAddr::new(ip, addr.port()))
}

fn warn_not_loopback(addr: SocketAddr) {
    let message = format!(
        "mcp-auth-dev is listening on {addr}, which is not a loopback address: this is a \
         DEVELOPMENT authorization server with built-in test users and secrets, plain HTTP and \
         no real login. Do not expose it to a network."
    );
    tracing::warn!("{message}");
    eprintln!("WARNING: {message}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issuer_uses_loopback_for_wildcard_binds() {
        let v4: SocketAddr = "0.0.0.0:8080".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(issuer_for(v4), "http://127.0.0.1:8080");
        let v6: SocketAddr = "[::]:8080".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(issuer_for(v6), "http://[::1]:8080");
        let lo: SocketAddr = "127.0.0.1:9".parse().unwrap_or_else(|_| unreachable!());
        assert_eq!(issuer_for(lo), "http://127.0.0.1:9");
    }
}
