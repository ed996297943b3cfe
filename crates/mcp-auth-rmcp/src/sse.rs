//! The legacy HTTP+SSE server transport (MCP 2024-11-05), on rmcp's server runtime.
//!
//! rmcp ships no HTTP+SSE transport any more, but clients configured for it remain common (the
//! MCP Auth "Who am I?" tutorial connects MCP Inspector to `http://localhost:3001/sse`).
//! [`SseServer`] serves it with any rmcp [`ServerHandler`]:
//!
//! * `GET /sse` opens a session: a new server instance (from the factory closure, one per
//!   connection, as with rmcp's `StreamableHttpService`) and an event stream whose first event is
//!   `event: endpoint` with `data: /messages?sessionId=<id>` (a relative URL; prefix it with
//!   [`with_endpoint_base`](SseServerConfig::with_endpoint_base) when the server is mounted
//!   under a path). Every response and notification of the server is then sent as
//!   `event: message` with the JSON-RPC message as `data`. A comment line is sent every 15 s
//!   to keep proxies from closing an idle stream.
//! * `POST /messages?sessionId=<id>` takes one JSON-RPC message (or a batch), hands it to that
//!   session's server and answers `202 Accepted`; the answer comes on the event stream.
//!
//! # Security
//!
//! * Put [`BearerAuthLayer`](mcp_auth::layer::BearerAuthLayer) in front of both endpoints
//!   (for example around [`router`](SseServer::router)). A session is bound to the
//!   `(issuer, subject)` of the token that opened it; a `POST` to that session with another
//!   principal's token (or none) is refused with `403 Forbidden` (MCP security best practices,
//!   "Session Hijacking": bind session ids to the user). Without any `AuthInfo` on the `GET`
//!   (unprotected use) the session is bound to nothing.
//! * The session id is a random UUID (122 random bits); knowing it is not authentication: every
//!   `POST` is authenticated by the Bearer layer on its own.
//! * The handler sees the `POST`'s [`http::request::Parts`] in the message extensions, as with
//!   `StreamableHttpService`, so [`Auth`](crate::Auth) reads the identity of the request that
//!   carried the message.
//! * `POST` needs `Content-Type: application/json` (`415` otherwise), which also keeps browsers
//!   from sending cross-site "simple" requests.
//!
//! # Limits
//!
//! | what | default | on excess |
//! |---|---|---|
//! | message body | 4 MiB | `413` |
//! | messages queued per session, not yet taken by the server | 64 | `503` + `Retry-After` |
//! | open sessions | 10 000 | `503` + `Retry-After` on `GET` |
//! | messages in a batch | 1024 | `400` |
//!
//! A session ends, and its server instance stops, when its event stream is closed by the client
//! (or the server instance stops, which closes the stream); later `POST`s get `404 Not Found`.
//! An unknown `sessionId` gets `404`, a missing one `400`.
//!
//! # Example
//!
//! ```no_run
//! # use rmcp::{ServerHandler, model::{ServerCapabilities, ServerConfig}};
//! # #[derive(Clone)] struct WhoAmI;
//! # impl ServerHandler for WhoAmI {
//! #     fn get_info(&self) -> ServerConfig { ServerConfig::new(ServerCapabilities::builder().build()) }
//! # }
//! use mcp_auth::layer::BearerAuthLayer;
//! use mcp_auth_rmcp::sse::SseServer;
//!
//! # async fn run(bearer: BearerAuthLayer) -> std::io::Result<()> {
//! let app = SseServer::new(|| Ok(WhoAmI)).router().layer(bearer);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:3001").await?;
//! axum::serve(listener, app).await
//! # }
//! ```

use std::sync::Arc;
use std::time::Duration;

use mcp_auth::ConfigError;
use rmcp::ServerHandler;

use crate::body::DEFAULT_MAX_BODY_BYTES;

mod service;
mod session;
mod stream;
#[cfg(test)]
mod tests;
mod transport;

use session::Sessions;

/// The default number of messages queued per session: 64.
pub const DEFAULT_CHANNEL_CAPACITY: usize = 64;
/// The default cap on open sessions: 10 000.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;
/// The default interval of keep-alive comments: 15 s.
pub const DEFAULT_KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Paths and limits of an [`SseServer`]. Validated when set.
#[derive(Debug, Clone)]
#[must_use]
#[non_exhaustive]
pub struct SseServerConfig {
    sse_path: String,
    message_path: String,
    endpoint_base: String,
    max_body_bytes: usize,
    channel_capacity: usize,
    max_sessions: usize,
    keep_alive: Option<Duration>,
}

impl Default for SseServerConfig {
    fn default() -> Self {
        Self::new()
    }
}

impl SseServerConfig {
    /// `GET /sse`, `POST /messages`, endpoint URL `/messages?sessionId=…`, and the default
    /// limits.
    pub fn new() -> Self {
        Self {
            sse_path: "/sse".to_owned(),
            message_path: "/messages".to_owned(),
            endpoint_base: String::new(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            channel_capacity: DEFAULT_CHANNEL_CAPACITY,
            max_sessions: DEFAULT_MAX_SESSIONS,
            keep_alive: Some(DEFAULT_KEEP_ALIVE),
        }
    }

    /// Sets the path of the event-stream endpoint (default `/sse`), as the service sees it.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] unless the path starts with `/` and is visible ASCII
    /// without `?` or `#`.
    pub fn with_sse_path(mut self, path: &str) -> Result<Self, ConfigError> {
        self.sse_path = validate_path(path, "sse_path")?;
        Ok(self)
    }

    /// Sets the path of the message endpoint (default `/messages`), as the service sees it.
    ///
    /// # Errors
    ///
    /// As [`with_sse_path`](Self::with_sse_path).
    pub fn with_message_path(mut self, path: &str) -> Result<Self, ConfigError> {
        self.message_path = validate_path(path, "message_path")?;
        Ok(self)
    }

    /// Sets a prefix for the endpoint URL sent to clients (default none): with `/legacy`, the
    /// endpoint event reads `/legacy/messages?sessionId=…`. Use it when the service is mounted
    /// under a path (axum's `nest_service` strips the prefix before the service sees it), or
    /// give an absolute base such as `https://mcp.example.com/legacy`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `base` contains a space, a control character,
    /// `?`, `#`, or non-ASCII, or ends with `/`.
    pub fn with_endpoint_base(mut self, base: &str) -> Result<Self, ConfigError> {
        if !base
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
            || base.ends_with('/')
        {
            return Err(ConfigError::InvalidSetting {
                name: "endpoint_base",
                reason: "must be visible ASCII without `?` or `#`, and not end with `/`",
            });
        }
        self.endpoint_base = base.to_owned();
        Ok(self)
    }

    /// Sets the cap on message bodies (default 4 MiB).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `max` is 0 or above 64 MiB.
    pub fn with_max_body_bytes(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 || max > crate::policy::MAX_BODY_BYTES_LIMIT {
            return Err(ConfigError::InvalidSetting {
                name: "max_body_bytes",
                reason: "must be between 1 byte and 64 MiB",
            });
        }
        self.max_body_bytes = max;
        Ok(self)
    }

    /// Sets how many messages may wait for a session's server (default 64), and how many
    /// outgoing messages may wait for the client to read them.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `capacity` is 0 or above 65 536.
    pub fn with_channel_capacity(mut self, capacity: usize) -> Result<Self, ConfigError> {
        if capacity == 0 || capacity > 65_536 {
            return Err(ConfigError::InvalidSetting {
                name: "channel_capacity",
                reason: "must be between 1 and 65536",
            });
        }
        self.channel_capacity = capacity;
        Ok(self)
    }

    /// Sets the cap on open sessions (default 10 000).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `max` is 0.
    pub fn with_max_sessions(mut self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 {
            return Err(ConfigError::InvalidSetting {
                name: "max_sessions",
                reason: "must be at least 1",
            });
        }
        self.max_sessions = max;
        Ok(self)
    }

    /// Sets the interval of keep-alive comments on event streams (default 15 s; `None`: never).
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when the interval is below one second.
    pub fn with_keep_alive(mut self, interval: Option<Duration>) -> Result<Self, ConfigError> {
        if interval.is_some_and(|i| i < Duration::from_secs(1)) {
            return Err(ConfigError::InvalidSetting {
                name: "keep_alive",
                reason: "must be at least one second",
            });
        }
        self.keep_alive = interval;
        Ok(self)
    }

    /// The event-stream path.
    #[must_use]
    pub fn sse_path(&self) -> &str {
        &self.sse_path
    }

    /// The message path.
    #[must_use]
    pub fn message_path(&self) -> &str {
        &self.message_path
    }

    /// The endpoint URL announced to clients, without the `sessionId` query.
    #[must_use]
    pub fn endpoint(&self) -> String {
        format!("{}{}", self.endpoint_base, self.message_path)
    }
}

fn validate_path(path: &str, name: &'static str) -> Result<String, ConfigError> {
    if !path.starts_with('/')
        || !path
            .bytes()
            .all(|b| b.is_ascii_graphic() && b != b'?' && b != b'#')
    {
        return Err(ConfigError::InvalidSetting {
            name,
            reason: "must start with `/` and be visible ASCII without `?` or `#`",
        });
    }
    Ok(path.to_owned())
}

/// The factory making one server instance per session.
type Factory<S> = Arc<dyn Fn() -> Result<S, std::io::Error> + Send + Sync>;

/// The legacy HTTP+SSE transport as a tower service (and, with the `axum` feature, an axum
/// [`Router`](axum::Router)). See the [module docs](self).
///
/// Cloning is cheap: clones share the sessions.
#[must_use]
pub struct SseServer<S> {
    factory: Factory<S>,
    config: Arc<SseServerConfig>,
    sessions: Arc<Sessions>,
}

impl<S> Clone for SseServer<S> {
    fn clone(&self) -> Self {
        Self {
            factory: Arc::clone(&self.factory),
            config: Arc::clone(&self.config),
            sessions: Arc::clone(&self.sessions),
        }
    }
}

impl<S> std::fmt::Debug for SseServer<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseServer")
            .field("config", &self.config)
            .field("sessions", &self.sessions.len())
            .finish_non_exhaustive()
    }
}

impl<S: ServerHandler> SseServer<S> {
    /// A server making a new handler with `factory` for each session, with the default
    /// [`SseServerConfig`].
    pub fn new(factory: impl Fn() -> Result<S, std::io::Error> + Send + Sync + 'static) -> Self {
        Self {
            factory: Arc::new(factory),
            config: Arc::new(SseServerConfig::new()),
            sessions: Arc::new(Sessions::default()),
        }
    }

    /// Replaces the configuration (paths and limits).
    pub fn with_config(mut self, config: SseServerConfig) -> Self {
        self.config = Arc::new(config);
        self
    }

    /// The configuration.
    pub fn config(&self) -> &SseServerConfig {
        &self.config
    }

    /// The number of open sessions.
    #[must_use]
    pub fn session_count(&self) -> usize {
        self.sessions.len()
    }

    /// Both endpoints as an axum router: `GET` on the event-stream path and `POST` on the
    /// message path (the service answers `405` for other methods).
    #[cfg(feature = "axum")]
    pub fn router<St>(self) -> axum::Router<St>
    where
        St: Clone + Send + Sync + 'static,
    {
        let sse_path = self.config.sse_path.clone();
        let message_path = self.config.message_path.clone();
        let router = axum::Router::new().route_service(&sse_path, self.clone());
        if message_path == sse_path {
            router
        } else {
            router.route_service(&message_path, self)
        }
    }
}
