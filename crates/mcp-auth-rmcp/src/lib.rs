//! rmcp integration for [`mcp_auth`]: use the verified identity in tools, require scopes per
//! tool, resource and prompt, bind sessions to their user, and serve the legacy HTTP+SSE
//! transport.
//!
//! The core crate's [`BearerAuthLayer`](mcp_auth::layer::BearerAuthLayer) makes an HTTP service
//! an OAuth 2.1 resource server: it verifies the access token and puts an
//! [`AuthInfo`](mcp_auth::AuthInfo) into the request extensions. This crate is the thin glue
//! between that layer and [rmcp](https://docs.rs/rmcp), the official Rust MCP SDK:
//!
//! | piece | what it does |
//! |---|---|
//! | [`Auth`], [`MaybeAuth`], [`auth_info`] | the caller's identity as a `#[tool]` / `#[prompt]` argument, or from a `RequestContext` |
//! | [`ScopePolicy`] + [`ScopePolicyLayer`] | scopes per `tools/call` (by tool), `resources/read` (by URI or URI template) and `prompts/get` (by prompt), checked on the JSON-RPC body before rmcp dispatches; one `403 insufficient_scope` challenge with every scope the operation needs |
//! | [`SessionBindingLayer`] | binds each Streamable HTTP session (`Mcp-Session-Id`) to the `(issuer, subject)` that created it; other principals get `404` |
//! | [`SseServer`] | the legacy HTTP+SSE transport (`GET /sse` + `POST /messages`) that rmcp no longer ships, on rmcp's server runtime, with sessions bound to their user |
//!
//! Only the layers are HTTP-specific; stdio servers need none of this (MCP: stdio servers take
//! credentials from the environment).
//!
//! # Wiring a server
//!
//! Layers apply outside-in: the Bearer layer first (it authenticates and rejects with the right
//! challenge), then session binding, then the scope policy, then rmcp.
//!
//! ```
//! use std::sync::Arc;
//!
//! use axum::Router;
//! use mcp_auth::layer::BearerAuthLayer;
//! use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
//! use mcp_auth_rmcp::policy::ScopePolicy;
//! use mcp_auth_rmcp::sse::SseServer;
//! use mcp_auth_rmcp::{Auth, SessionBindingLayer};
//! use rmcp::handler::server::router::tool::ToolRouter;
//! use rmcp::model::{ServerCapabilities, ServerConfig};
//! use rmcp::transport::streamable_http_server::{
//!     StreamableHttpServerConfig, StreamableHttpService, session::local::LocalSessionManager,
//! };
//! use rmcp::{ServerHandler, tool, tool_handler, tool_router};
//! use tower::{ServiceBuilder, ServiceExt};
//!
//! #[derive(Clone)]
//! struct Todos {
//!     tool_router: ToolRouter<Self>,
//! }
//!
//! #[tool_router]
//! impl Todos {
//!     fn new() -> Self {
//!         Self { tool_router: Self::tool_router() }
//!     }
//!
//!     #[tool(description = "Who am I?")]
//!     fn whoami(&self, Auth(info): Auth) -> String {
//!         info.subject
//!     }
//!
//!     #[tool(description = "Delete a todo")]
//!     fn delete_todo(&self, Auth(info): Auth) -> String {
//!         format!("deleted by {}", info.subject)
//!     }
//! }
//!
//! #[tool_handler(router = self.tool_router)]
//! impl ServerHandler for Todos {
//!     fn get_info(&self) -> ServerConfig {
//!         ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
//!     }
//! }
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // Any `TokenVerifier`: `McpAuth::jwt_verifier()` for JWTs, or a closure as here.
//! let verifier = |token: BearerToken| async move {
//!     match token.secret() {
//!         "alice" => Ok(AuthInfo::new(token, "https://as.example.com", "alice")
//!             .with_scopes(["todo:read"])),
//!         _ => Err(VerifyError::new(VerifyErrorKind::Inactive)),
//!     }
//! };
//! let bearer = BearerAuthLayer::new(verifier)
//!     .with_resource_metadata("https://mcp.example.com/.well-known/oauth-protected-resource/mcp")?
//!     .require_scopes(["todo:read"])?;
//! let policy = ScopePolicy::for_layer(&bearer)
//!     .with_tool("delete_todo", ["todo:write"])?
//!     .into_layer();
//!
//! // Streamable HTTP at /mcp, sessions bound to their user.
//! let streamable = ServiceBuilder::new()
//!     .layer(SessionBindingLayer::new())
//!     .layer(policy.clone())
//!     .service(StreamableHttpService::new(
//!         || Ok(Todos::new()),
//!         Arc::new(LocalSessionManager::default()),
//!         // One JSON body for a one-message answer (2026-07-28 clients); rmcp streams
//!         // text/event-stream when a tool sends notifications first.
//!         StreamableHttpServerConfig::default().with_json_response(true),
//!     ));
//! // The legacy HTTP+SSE transport at /sse and /messages.
//! let legacy = SseServer::new(|| Ok(Todos::new())).router().layer(policy);
//!
//! let app = Router::new()
//!     .nest_service("/mcp", streamable)
//!     .merge(legacy)
//!     .layer(bearer);
//! // Merge the protected-resource metadata routes (`McpAuth::metadata_router`) after
//! // `.layer(bearer)`: they must stay public.
//!
//! // A request without a token gets the challenge that starts the OAuth flow.
//! let request = http::Request::post("/mcp").body(axum::body::Body::empty())?;
//! let response = app.oneshot(request).await?;
//! assert_eq!(response.status(), 401);
//! assert_eq!(
//!     response.headers()["www-authenticate"],
//!     "Bearer scope=\"todo:read\", \
//!      resource_metadata=\"https://mcp.example.com/.well-known/oauth-protected-resource/mcp\""
//! );
//! # Ok(())
//! # }
//! ```
//!
//! # Serving
//!
//! Serve the router with [`mcp_auth::listener::NoDelayListener`] (or set `TCP_NODELAY` on each
//! accepted socket yourself): rmcp writes a streamed answer in several pieces, and with Nagle's
//! algorithm on, each keep-alive request then waits ~40 ms for the client's delayed ACK.
//!
//! ```no_run
//! # async fn run(app: axum::Router) -> std::io::Result<()> {
//! let listener = mcp_auth::listener::NoDelayListener::bind("127.0.0.1:3001").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! # Decisions
//!
//! * **Scopes are read from the body, never from headers alone.** The policy layer buffers the
//!   JSON-RPC body (4 MiB cap, `413` beyond), refuses bodies it cannot read unambiguously
//!   (`400`, JSON-RPC `-32700` / `-32600`), and refuses `Mcp-Method` / `Mcp-Name` headers that
//!   disagree with the body (`400`, JSON-RPC `-32020` `HeaderMismatch`, like rmcp for
//!   2026-07-28 clients, but for every protocol version). See [`policy`].
//! * **Hijacked Streamable HTTP sessions get `404`**, the answer for an unknown session, so
//!   the caller learns nothing and its client simply starts its own session. Hijacked legacy
//!   SSE sessions get `403` (the legacy transport has no session-recovery semantics to
//!   preserve). See [`session_binding`] and [`sse`].
//! * **Everything is bounded**: bodies, batches (1024 messages), SSE queues, open SSE
//!   sessions, session bindings.
//!
//! # Features
//!
//! * `axum` (default): [`SseServer::router`](sse::SseServer::router), and the core crate's axum
//!   support (so its Bearer layer can wrap axum routers).

pub mod auth;
mod body;
pub mod policy;
mod principal;
mod rpc_error;
pub mod session_binding;
pub mod sse;

pub use auth::{Auth, MaybeAuth, auth_info};
pub use body::DEFAULT_MAX_BODY_BYTES;
pub use policy::{ScopePolicy, ScopePolicyLayer};
pub use session_binding::SessionBindingLayer;
pub use sse::{SseServer, SseServerConfig};
