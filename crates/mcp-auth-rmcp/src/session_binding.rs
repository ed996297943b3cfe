//! Binding Streamable HTTP sessions to the principal that created them.
//!
//! rmcp's `StreamableHttpService` (in session mode) hands out an `Mcp-Session-Id` on
//! `initialize` and routes later requests by it, whoever sends them. MCP asks servers to bind
//! session ids to the authenticated user (2025-11-25 security best practices, "Session
//! Hijacking"; 2026-07-28 "State Handle Hijacking"). [`SessionBindingLayer`] does that in
//! front of the MCP service, **inside** [`BearerAuthLayer`](mcp_auth::layer::BearerAuthLayer):
//!
//! * when a response carries `Mcp-Session-Id` for a request that had none (the session was
//!   just created), the layer records the `(issuer, subject)` of the request's
//!   [`AuthInfo`](mcp_auth::AuthInfo) for that id (nothing, if the request was not
//!   authenticated);
//! * a later request with that `Mcp-Session-Id` and another principal is answered
//!   **`404 Not Found`**, exactly as if the session did not exist (rmcp answers `404` for
//!   unknown sessions, and clients react to it by starting a new session of their own). The
//!   caller learns nothing about the session, and never acts inside it. An authenticated
//!   request with an id the layer has no record of is refused the same way, so a session
//!   created before the layer was installed, or forgotten by it, cannot be taken over;
//! * a successful `DELETE` with the session id removes the binding, and so does a `404` from
//!   the inner service (the session is gone);
//! * a request with several `Mcp-Session-Id` fields is answered `400 Bad Request`.
//!
//! # Bounds
//!
//! At most [`with_max_sessions`](SessionBindingLayer::with_max_sessions) bindings are kept
//! (default 10 000). When a new session would exceed it, bindings unused for longer than the
//! [idle timeout](SessionBindingLayer::with_idle_timeout) (default 1 hour, longer than rmcp's
//! default 5-minute session keep-alive) are dropped first, then the least recently used one.
//! A session whose binding was dropped is refused with `404` from then on: its client starts a
//! new one.
//!
//! Bindings live in the process. Behind a load balancer without session affinity (or with
//! rmcp's external session store restoring sessions on another replica), a session created on
//! another replica is unknown here and refused with `404`; its client starts a new session.
//!
//! # Example
//!
//! ```
//! use std::sync::Arc;
//! use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
//! use mcp_auth::layer::BearerAuthLayer;
//! use mcp_auth_rmcp::SessionBindingLayer;
//! use rmcp::transport::streamable_http_server::{
//!     StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
//! };
//! # use rmcp::{ServerHandler, model::{ServerCapabilities, ServerConfig}};
//! # #[derive(Clone)] struct WhoAmI;
//! # impl ServerHandler for WhoAmI {
//! #     fn get_info(&self) -> ServerConfig { ServerConfig::new(ServerCapabilities::builder().build()) }
//! # }
//!
//! # fn main() -> Result<(), mcp_auth::ConfigError> {
//! # let verifier = |_: BearerToken| async { Err::<AuthInfo, _>(VerifyError::new(VerifyErrorKind::Inactive)) };
//! let bearer = BearerAuthLayer::new(verifier)
//!     .with_resource_metadata("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")?;
//! let mcp = StreamableHttpService::new(
//!     || Ok(WhoAmI),
//!     Arc::new(LocalSessionManager::default()),
//!     StreamableHttpServerConfig::default(),
//! );
//! let service = tower::ServiceBuilder::new()
//!     .layer(bearer)
//!     .layer(SessionBindingLayer::new())
//!     .service(mcp);
//! let app: axum::Router = axum::Router::new().nest_service("/mcp", service);
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use mcp_auth::ConfigError;
use tower_layer::Layer;

use crate::principal::Principal;

mod service;
#[cfg(test)]
mod tests;

pub use service::SessionBinding;

/// The default cap on bindings: 10 000.
pub const DEFAULT_MAX_SESSIONS: usize = 10_000;
/// The default idle time after which a binding may be dropped to make room: 1 hour.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(3600);

/// A tower [`Layer`] binding Streamable HTTP sessions to their creator; wraps services in
/// [`SessionBinding`]. See the [module docs](self).
///
/// Clones share the bindings: build the layer once and apply it to one MCP service.
#[derive(Debug, Clone)]
#[must_use]
pub struct SessionBindingLayer {
    bindings: Arc<Bindings>,
}

impl Default for SessionBindingLayer {
    fn default() -> Self {
        Self::new()
    }
}

impl SessionBindingLayer {
    /// A layer with the default bounds.
    pub fn new() -> Self {
        Self {
            bindings: Arc::new(Bindings::new(DEFAULT_MAX_SESSIONS, DEFAULT_IDLE_TIMEOUT)),
        }
    }

    /// Sets the cap on bindings (default 10 000). Starts from an empty map.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `max` is 0.
    pub fn with_max_sessions(self, max: usize) -> Result<Self, ConfigError> {
        if max == 0 {
            return Err(ConfigError::InvalidSetting {
                name: "max_sessions",
                reason: "must be at least 1",
            });
        }
        Ok(Self {
            bindings: Arc::new(Bindings::new(max, self.bindings.idle_timeout)),
        })
    }

    /// Sets how long a binding must have been unused before it is dropped to make room
    /// (default 1 hour). Starts from an empty map.
    ///
    /// # Errors
    ///
    /// [`ConfigError::InvalidSetting`] when `timeout` is below one second.
    pub fn with_idle_timeout(self, timeout: Duration) -> Result<Self, ConfigError> {
        if timeout < Duration::from_secs(1) {
            return Err(ConfigError::InvalidSetting {
                name: "idle_timeout",
                reason: "must be at least one second",
            });
        }
        Ok(Self {
            bindings: Arc::new(Bindings::new(self.bindings.max, timeout)),
        })
    }

    /// The number of sessions currently bound.
    #[must_use]
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    /// `true` when no session is bound.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<S> Layer<S> for SessionBindingLayer {
    type Service = SessionBinding<S>;

    fn layer(&self, inner: S) -> Self::Service {
        SessionBinding::new(inner, Arc::clone(&self.bindings))
    }
}

/// One session's binding.
#[derive(Debug)]
struct Binding {
    principal: Option<Principal>,
    /// When the binding was last used (for the idle timeout).
    last_used: Instant,
    /// The value of the use counter at the last use (for least-recently-used eviction).
    last_use: u64,
}

/// What the layer decides about a request carrying a session id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    /// Let it through.
    Allow,
    /// Answer as for an unknown session.
    Refuse,
}

/// The bindings and a use counter.
#[derive(Debug, Default)]
struct State {
    map: HashMap<String, Binding>,
    uses: u64,
}

impl State {
    fn next_use(&mut self) -> u64 {
        self.uses = self.uses.wrapping_add(1);
        self.uses
    }
}

/// The bounded map of bindings.
#[derive(Debug)]
struct Bindings {
    state: Mutex<State>,
    max: usize,
    idle_timeout: Duration,
}

impl Bindings {
    fn new(max: usize, idle_timeout: Duration) -> Self {
        Self {
            state: Mutex::new(State::default()),
            max,
            idle_timeout,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every update is one call, so the map is consistent even after a panic elsewhere.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Checks `principal` against the binding of `session`, refreshing it when allowed.
    fn check(&self, session: &str, principal: Option<&Principal>) -> Verdict {
        let mut state = self.lock();
        let now = state.next_use();
        match state.map.get_mut(session) {
            Some(binding) if binding.principal.as_ref() == principal => {
                binding.last_used = Instant::now();
                binding.last_use = now;
                Verdict::Allow
            }
            Some(_) => Verdict::Refuse,
            // Unknown to the layer: only unauthenticated requests may go on (rmcp decides).
            None if principal.is_none() => Verdict::Allow,
            None => Verdict::Refuse,
        }
    }

    /// Records a new session's principal; never replaces an existing binding.
    fn bind(&self, session: &str, principal: Option<Principal>) {
        let mut state = self.lock();
        if state.map.contains_key(session) {
            return;
        }
        if state.map.len() >= self.max {
            let now = Instant::now();
            state
                .map
                .retain(|_, b| now.duration_since(b.last_used) < self.idle_timeout);
        }
        if state.map.len() >= self.max
            && let Some(oldest) = state
                .map
                .iter()
                .min_by_key(|(_, b)| b.last_use)
                .map(|(id, _)| id.clone())
        {
            state.map.remove(&oldest);
            tracing::debug!("session binding evicted to stay within its cap");
        }
        let last_use = state.next_use();
        state.map.insert(
            session.to_owned(),
            Binding {
                principal,
                last_used: Instant::now(),
                last_use,
            },
        );
    }

    fn unbind(&self, session: &str) {
        self.lock().map.remove(session);
    }
}
