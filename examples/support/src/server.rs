//! Building, binding and running an example server: the issuer (embedded or external), the
//! [`McpAuth`], the verifier, the Bearer layer, the scope policy, and the transports.
//!
//! ```text
//!  /.well-known/...            metadata (public): one document per endpoint
//!  ── BearerAuthLayer (resource …/mcp) ──────────────────────────────────
//!  /mcp       SessionBindingLayer → ScopePolicyLayer → rmcp StreamableHttpService
//!  ── BearerAuthLayer (resource …/sse) ──────────────────────────────────
//!  /sse       ScopePolicyLayer → mcp_auth_rmcp::sse::SseServer (GET: event stream)
//!  /messages  ScopePolicyLayer → mcp_auth_rmcp::sse::SseServer (POST: messages)
//! ```
//!
//! In resource-server mode each transport endpoint is its own protected resource (RFC 8707):
//! `MCP_RESOURCE` for `/mcp`, and its sibling `sse` for `/sse` + `/messages`, each with its
//! own protected-resource metadata. A client that connects to `/sse` is sent to metadata whose
//! `resource` is the URL it requested (RFC 9728 §3.3), and gets tokens for it.
//!
//! With `MCP_AUTH_INSECURE_NO_AUTH=1` only the transports are served: no Bearer layer, no
//! metadata, no authorization server (rmcp's `Host` check stays).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use mcp_auth::listener::NoDelayListener;
use mcp_auth::{AuthServer, BearerAuthLayer, McpAuth, ProtectedResource};
use mcp_auth_dev::DevServer;
use mcp_auth_rmcp::{ScopePolicy, SessionBindingLayer, SseServer};
use rmcp::ServerHandler;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::banner::{self, BannerFacts};
use crate::config::{AuthMode, Config, IssuerSetting, ResponseFraming, SettingError};
use crate::example::Example;
use crate::verifier;

/// The path of the Streamable HTTP endpoint.
pub const MCP_PATH: &str = "/mcp";
/// The path of the legacy SSE event stream.
pub const SSE_PATH: &str = "/sse";
/// How long [`RunningServer::shutdown`] waits for open connections (event streams stay open
/// until their client leaves).
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// The scopes the embedded development server always offers (OpenID Connect Core §5.4).
const OIDC_SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// Why a server did not start.
#[derive(Debug)]
#[non_exhaustive]
pub enum StartError {
    /// A setting is missing or bad (exit code 2).
    Setting(SettingError),
    /// Something else failed: an address in use, an internal error (exit code 1). The message
    /// names the variable involved when there is one.
    Failed(String),
}

impl StartError {
    /// The process exit code for this error: 2 for settings, 1 otherwise.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Setting(_) => 2,
            Self::Failed(_) => 1,
        }
    }
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Setting(error) => error.fmt(f),
            Self::Failed(message) => f.write_str(message),
        }
    }
}

impl std::error::Error for StartError {}

impl From<SettingError> for StartError {
    fn from(error: SettingError) -> Self {
        Self::Setting(error)
    }
}

/// A running example server (and the embedded development server, if any). Serves on a task
/// of the current tokio runtime until [`shutdown`](Self::shutdown) or drop.
pub struct RunningServer {
    local_addr: SocketAddr,
    resource: String,
    sse_resource: String,
    issuer: String,
    metadata_url: String,
    sse_metadata_url: String,
    banner: String,
    dev: Option<DevServer>,
    cancel: Box<dyn Fn() + Send + Sync>,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl fmt::Debug for RunningServer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RunningServer")
            .field("local_addr", &self.local_addr)
            .field("resource", &self.resource)
            .field("issuer", &self.issuer)
            .field("dev", &self.dev)
            .finish_non_exhaustive()
    }
}

impl RunningServer {
    /// The address the MCP server listens on.
    #[must_use]
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// `http://<local address>`: where this process serves (the resource identifier may be a
    /// public URL in front of it).
    #[must_use]
    pub fn base_url(&self) -> String {
        format!("http://{}", loopback_for(self.local_addr))
    }

    /// The Streamable HTTP endpoint on the local address.
    #[must_use]
    pub fn mcp_url(&self) -> String {
        format!("{}{MCP_PATH}", self.base_url())
    }

    /// The legacy SSE endpoint on the local address.
    #[must_use]
    pub fn sse_url(&self) -> String {
        format!("{}{SSE_PATH}", self.base_url())
    }

    /// The resource identifier (`MCP_RESOURCE`, or `http://<local address>/mcp`).
    #[must_use]
    pub fn resource(&self) -> &str {
        &self.resource
    }

    /// The resource identifier of the legacy SSE endpoint: the sibling `sse` of
    /// [`resource`](Self::resource) in resource-server mode; the same as `resource` in legacy
    /// authorization-server mode.
    #[must_use]
    pub fn sse_resource(&self) -> &str {
        &self.sse_resource
    }

    /// The trusted issuer (empty with `MCP_AUTH_INSECURE_NO_AUTH`).
    #[must_use]
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// The metadata URL clients start from: the protected-resource metadata (RFC 9728), or in
    /// legacy mode the re-published authorization-server metadata (RFC 8414). Empty with
    /// `MCP_AUTH_INSECURE_NO_AUTH`.
    #[must_use]
    pub fn metadata_url(&self) -> &str {
        &self.metadata_url
    }

    /// The metadata URL a client of the SSE endpoint starts from: its own protected-resource
    /// metadata, or in legacy mode the same as [`metadata_url`](Self::metadata_url).
    #[must_use]
    pub fn sse_metadata_url(&self) -> &str {
        &self.sse_metadata_url
    }

    /// The embedded development server, when `MCP_AUTH_ISSUER` was not set.
    #[must_use]
    pub fn dev_server(&self) -> Option<&DevServer> {
        self.dev.as_ref()
    }

    /// The start-up banner: URLs, and with the embedded server the test users, demo tokens, a
    /// `curl` walk-through and how to connect MCP Inspector.
    #[must_use]
    pub fn banner(&self) -> &str {
        &self.banner
    }

    /// Ends the MCP sessions, stops accepting connections, waits briefly for open ones, then
    /// stops the embedded development server.
    pub async fn shutdown(mut self) {
        (self.cancel)();
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
        if let Some(dev) = self.dev.take() {
            dev.shutdown().await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        (self.cancel)();
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
    }
}

/// Starts `example` with `config`: the embedded development server when no issuer is
/// configured, then the MCP server on `config.bind` (port 0: any free port), making a handler
/// with `factory` for each MCP session. With [`Config::insecure_no_auth`] the MCP server alone,
/// without any authentication.
///
/// # Errors
///
/// [`StartError::Setting`] when the settings cannot work together (for example a verifier the
/// issuer does not support), [`StartError::Failed`] when an address cannot be bound.
pub async fn start<S, F>(
    config: &Config,
    example: &Example,
    factory: F,
) -> Result<RunningServer, StartError>
where
    S: ServerHandler + Send + 'static,
    F: Fn() -> S + Clone + Send + Sync + 'static,
{
    if config.insecure_no_auth {
        return start_without_auth(config, example, factory).await;
    }
    let (issuer, dev) = match &config.issuer {
        IssuerSetting::Embedded { bind } => {
            let dev = start_dev_server(*bind, example).await?;
            (dev.issuer().to_owned(), Some(dev))
        }
        IssuerSetting::External(issuer) => (issuer.clone(), None),
    };
    let (listener, local_addr, resource) = bind(config).await?;

    let server = AuthServer::lazy(&issuer, Some(config.issuer_type))
        .map_err(|error| SettingError::new("MCP_AUTH_ISSUER", format!("is not usable: {error}")))?;
    // Discover now, so a verifier the issuer cannot support is reported at start-up. A failure
    // is not fatal: the server starts and answers 503 until the issuer can be reached.
    let discovery_warning = server.metadata().await.err().map(|error| {
        format!(
            "warning: the issuer's metadata could not be fetched yet ({error}); requests get \
             503 until it can"
        )
    });

    let sse_resource = match config.mode {
        AuthMode::Resource => sibling_resource(&resource, "sse")?,
        AuthMode::AuthorizationServer => resource.clone(),
    };
    let auth = match config.mode {
        AuthMode::Resource => {
            let published = |identifier: &str| -> Result<ProtectedResource, StartError> {
                Ok(ProtectedResource::new(identifier)
                    .map_err(|e| SettingError::new("MCP_RESOURCE", format!("is not usable: {e}")))?
                    .with_authorization_server(server.clone())
                    .with_scopes_supported(example.scopes_supported().iter().cloned())
                    .map_err(failed)?
                    .with_resource_name(example.name()))
            };
            McpAuth::builder()
                .protected_resource(published(&resource)?)
                .protected_resource(published(&sse_resource)?)
                .build()
                .map_err(failed)?
        }
        AuthMode::AuthorizationServer => McpAuth::authorization_server(server.clone()),
    };
    let verifier_kind = config.verifier_for(example);
    let bearer_for = |endpoint: &str| -> Result<BearerAuthLayer, StartError> {
        let verifier = verifier::build(config, verifier_kind, &auth, &server, endpoint)?;
        Ok(match config.mode {
            AuthMode::Resource => auth.bearer_auth_for(endpoint, verifier),
            AuthMode::AuthorizationServer => auth.legacy_bearer_auth(verifier),
        }
        .map_err(failed)?
        .with_resource(endpoint.to_owned()))
    };
    let bearer = bearer_for(&resource)?;
    let sse_bearer = match config.mode {
        AuthMode::Resource => bearer_for(&sse_resource)?,
        AuthMode::AuthorizationServer => bearer.clone(),
    };

    let streamable_config = streamable_config(config, &resource, local_addr);
    let sessions = streamable_config.cancellation_token.clone();
    let app = router(
        &auth,
        [bearer, sse_bearer],
        example,
        streamable_config,
        factory,
    )?;

    let (shutdown, task) = serve(listener, app);

    let metadata_url_of = |endpoint: &str| match config.mode {
        AuthMode::Resource => auth
            .resource(endpoint)
            .map(|r| r.metadata_url().to_string())
            .unwrap_or_default(),
        AuthMode::AuthorizationServer => format!(
            "http://{}/.well-known/oauth-authorization-server",
            loopback_for(local_addr)
        ),
    };
    let metadata_url = metadata_url_of(&resource);
    let sse_metadata_url = metadata_url_of(&sse_resource);
    let mut running = RunningServer {
        local_addr,
        resource,
        sse_resource,
        issuer,
        metadata_url,
        sse_metadata_url,
        banner: String::new(),
        dev,
        cancel: Box::new(move || sessions.cancel()),
        shutdown: Some(shutdown),
        task: Some(task),
    };
    running.banner = banner::render(&BannerFacts {
        example,
        config,
        server: &running,
        verifier: verifier_kind,
        warning: discovery_warning.as_deref(),
    });
    Ok(running)
}

/// `MCP_AUTH_INSECURE_NO_AUTH`: the transports of [`router`] without the Bearer layers, the
/// scope policy, the session binding and the metadata; no authorization server is started or
/// contacted. The `Host` check (DNS-rebinding protection) is the same.
async fn start_without_auth<S, F>(
    config: &Config,
    example: &Example,
    factory: F,
) -> Result<RunningServer, StartError>
where
    S: ServerHandler + Send + 'static,
    F: Fn() -> S + Clone + Send + Sync + 'static,
{
    let (listener, local_addr, resource) = bind(config).await?;
    let sse_resource = sibling_resource(&resource, "sse")?;
    let streamable_config = streamable_config(config, &resource, local_addr);
    let sessions = streamable_config.cancellation_token.clone();
    let streamable_factory = factory.clone();
    let app = Router::new()
        .nest_service(
            MCP_PATH,
            StreamableHttpService::new(
                move || Ok(streamable_factory()),
                Arc::new(LocalSessionManager::default()),
                streamable_config,
            ),
        )
        .merge(SseServer::new(move || Ok(factory())).router());
    let (shutdown, task) = serve(listener, app);
    let mut running = RunningServer {
        local_addr,
        resource,
        sse_resource,
        issuer: String::new(),
        metadata_url: String::new(),
        sse_metadata_url: String::new(),
        banner: String::new(),
        dev: None,
        cancel: Box::new(move || sessions.cancel()),
        shutdown: Some(shutdown),
        task: Some(task),
    };
    running.banner = banner::render_without_auth(example, &running);
    Ok(running)
}

/// rmcp's Streamable HTTP settings: the `Host` values to accept, and the framing of stateless
/// answers (`MCP_RESPONSE_FRAMING`; JSON by default: one body, one write, no stream to set up).
fn streamable_config(
    config: &Config,
    resource: &str,
    local_addr: SocketAddr,
) -> StreamableHttpServerConfig {
    StreamableHttpServerConfig::default()
        .with_allowed_hosts(allowed_hosts(resource, local_addr))
        .with_json_response(config.framing == ResponseFraming::Json)
}

/// Binds `MCP_BIND`; returns the listener, its address and the resource identifier
/// (`MCP_RESOURCE`, or `http://<local address>/mcp`).
///
/// The listener sets `TCP_NODELAY` on every connection ([`NoDelayListener`]): without it an
/// answer written in pieces (rmcp's event streams) waits ~40 ms for the client's delayed ACK on
/// every keep-alive request.
async fn bind(config: &Config) -> Result<(NoDelayListener, SocketAddr, String), StartError> {
    let listener = NoDelayListener::bind(config.bind).await.map_err(|error| {
        StartError::Failed(format!(
            "MCP_BIND: cannot listen on {}: {error}",
            config.bind
        ))
    })?;
    let local_addr = listener
        .local_addr()
        .map_err(|error| StartError::Failed(format!("MCP_BIND: {error}")))?;
    let resource = config
        .resource
        .clone()
        .unwrap_or_else(|| format!("http://{}{MCP_PATH}", loopback_for(local_addr)));
    Ok((listener, local_addr, resource))
}

/// Serves `app` on a task until the returned sender fires (or is dropped).
fn serve(listener: NoDelayListener, app: Router) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (shutdown, stop) = oneshot::channel::<()>();
    let serve = axum::serve(listener, app).with_graceful_shutdown(async move {
        let _ = stop.await;
    });
    let task = tokio::spawn(async move {
        if let Err(error) = serve.await {
            eprintln!("error: the MCP server failed: {error}");
        }
    });
    (shutdown, task)
}

fn failed(error: impl fmt::Display) -> StartError {
    StartError::Failed(error.to_string())
}

async fn start_dev_server(bind: SocketAddr, example: &Example) -> Result<DevServer, StartError> {
    let mut scopes: Vec<String> = OIDC_SCOPES.iter().map(|s| (*s).to_owned()).collect();
    for scope in example.scopes_supported() {
        if !scopes.contains(scope) {
            scopes.push(scope.clone());
        }
    }
    DevServer::builder()
        .bind(bind)
        .scopes_supported(scopes)
        .start()
        .await
        .map_err(|error| {
            StartError::Failed(format!(
                "MCP_AUTH_DEV_BIND: cannot start the development authorization server: {error}"
            ))
        })
}

fn router<S, F>(
    auth: &McpAuth,
    [bearer, sse_bearer]: [BearerAuthLayer; 2],
    example: &Example,
    streamable_config: StreamableHttpServerConfig,
    factory: F,
) -> Result<Router, StartError>
where
    S: ServerHandler + Send + 'static,
    F: Fn() -> S + Clone + Send + Sync + 'static,
{
    let policy_for = |bearer: &BearerAuthLayer| -> Result<_, StartError> {
        let mut policy = ScopePolicy::for_layer(bearer);
        for (tool, scopes) in example.tool_scopes() {
            policy = policy
                .with_tool(tool.clone(), scopes.iter().cloned())
                .map_err(failed)?;
        }
        Ok(policy.into_layer())
    };
    let policy = policy_for(&bearer)?;
    let sse_policy = policy_for(&sse_bearer)?;

    let streamable_factory = factory.clone();
    let streamable = tower::ServiceBuilder::new()
        .layer(bearer)
        .layer(SessionBindingLayer::new())
        .layer(policy)
        .service(StreamableHttpService::new(
            move || Ok(streamable_factory()),
            Arc::new(LocalSessionManager::default()),
            streamable_config,
        ));
    let legacy = SseServer::new(move || Ok(factory()))
        .router()
        .layer(sse_policy)
        .layer(sse_bearer);
    Ok(Router::new()
        .nest_service(MCP_PATH, streamable)
        .merge(legacy)
        .merge(auth.metadata_router()))
}

/// The resource identifier of a sibling endpoint: `name` resolved against `resource`
/// (`http://host/mcp` → `http://host/sse`).
fn sibling_resource(resource: &str, name: &str) -> Result<String, StartError> {
    url::Url::parse(resource)
        .and_then(|url| url.join(name))
        .map(String::from)
        .map_err(|e| SettingError::new("MCP_RESOURCE", format!("is not usable: {e}")).into())
}

/// The `Host` values rmcp accepts (DNS-rebinding protection): loopback names, the resource's
/// host, and the bound address when it is a specific one.
fn allowed_hosts(resource: &str, local_addr: SocketAddr) -> Vec<String> {
    let mut hosts: Vec<String> = ["localhost", "127.0.0.1", "::1"].map(String::from).to_vec();
    if let Some(host) = url::Url::parse(resource)
        .ok()
        .and_then(|url| url.host_str().map(str::to_owned))
    {
        hosts.push(host);
    }
    if !local_addr.ip().is_unspecified() {
        hosts.push(local_addr.ip().to_string());
    }
    hosts.dedup();
    hosts
}

/// A wildcard bind is reached on the loopback address of its family.
pub(crate) fn loopback_for(addr: SocketAddr) -> SocketAddr {
    let ip = match addr.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, addr.port())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::{Read as _, Write as _};

    use rmcp::model::{ServerCapabilities, ServerConfig};

    use super::*;

    #[derive(Clone)]
    struct Hello;

    impl ServerHandler for Hello {
        fn get_info(&self) -> ServerConfig {
            ServerConfig::new(ServerCapabilities::builder().build())
        }
    }

    /// One HTTP/1.1 exchange on a fresh connection; returns the status code and the response.
    async fn exchange(addr: SocketAddr, request: String) -> (u16, String) {
        tokio::task::spawn_blocking(move || {
            let mut stream = std::net::TcpStream::connect(addr).unwrap();
            stream
                .set_read_timeout(Some(Duration::from_secs(10)))
                .unwrap();
            stream.write_all(request.as_bytes()).unwrap();
            let mut response = String::new();
            let _ = stream.read_to_string(&mut response);
            let status = response
                .split(' ')
                .nth(1)
                .and_then(|code| code.parse().ok())
                .unwrap_or(0);
            (status, response)
        })
        .await
        .unwrap()
    }

    fn initialize(host: &str) -> String {
        let body = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#;
        format!(
            "POST /mcp HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n\
             Accept: application/json, text/event-stream\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{body}",
            body.len()
        )
    }

    #[tokio::test]
    async fn insecure_no_auth_serves_mcp_without_token_metadata_or_issuer() {
        let config = Config::from_pairs([
            ("MCP_BIND", "127.0.0.1:0"),
            ("MCP_AUTH_INSECURE_NO_AUTH", "1"),
            // Never contacted: no authorization server is involved.
            ("MCP_AUTH_ISSUER", "https://auth.invalid"),
        ])
        .unwrap();
        let server = start(&config, &Example::new("Hello", "hello"), || Hello)
            .await
            .unwrap();
        let addr = server.local_addr();
        assert!(server.dev_server().is_none());
        assert_eq!(server.issuer(), "");
        assert_eq!(server.metadata_url(), "");
        assert!(server.banner().contains("WITHOUT AUTHENTICATION"));
        assert!(
            server
                .banner()
                .contains("!!! INSECURE: MCP_AUTH_INSECURE_NO_AUTH is set")
        );

        let (status, response) = exchange(addr, initialize(&addr.to_string())).await;
        assert_eq!(status, 200, "{response}");
        assert!(response.contains(r#""protocolVersion""#), "{response}");
        assert!(!response.to_ascii_lowercase().contains("www-authenticate"));

        let metadata = format!(
            "GET /.well-known/oauth-protected-resource/mcp HTTP/1.1\r\nHost: {addr}\r\n\
             Connection: close\r\n\r\n"
        );
        assert_eq!(exchange(addr, metadata).await.0, 404);

        // rmcp's Host check (DNS-rebinding protection) still applies.
        let (status, response) = exchange(addr, initialize("attacker.example")).await;
        assert!((400..500).contains(&status), "{response}");
        server.shutdown().await;
    }
}
