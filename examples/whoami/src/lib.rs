//! # whoami — the MCP Auth "Who am I?" tutorial in Rust
//!
//! An rmcp MCP server named `WhoAmI` with one tool, `whoami`, that returns the caller's claims
//! as JSON — as the tutorial's Python server returns `mcp_auth.auth_info.claims` — and
//! `{"error": "Not authenticated"}` when no identity is present (the tutorial's first
//! checkpoint). It is protected by mcp-auth: a 401 challenge pointing at its protected-resource
//! metadata (RFC 9728), and every token checked with the issuer's userinfo endpoint by default,
//! as in the tutorial.
//!
//! ## Run it
//!
//! ```sh
//! # with the embedded development authorization server (no account needed):
//! cargo run -p whoami
//!
//! # with your own OpenID Connect provider:
//! MCP_AUTH_ISSUER=https://your-tenant.logto.app/oidc cargo run -p whoami
//! ```
//!
//! The banner prints the URLs, the test users, a ready-made access token for `alice`, a `curl`
//! walk-through, and how to connect MCP Inspector (Streamable HTTP `http://127.0.0.1:3001/mcp`,
//! or SSE `http://127.0.0.1:3001/sse` as in the tutorial). Settings: `MCP_AUTH_ISSUER`,
//! `MCP_AUTH_ISSUER_TYPE` (`oidc`/`oauth`), `MCP_AUTH_VERIFIER` (`userinfo`/`jwt`/
//! `introspection`), `MCP_RESOURCE`, `MCP_BIND`, `MCP_AUTH_MODE` (`resource`/
//! `authorization-server`), `MCP_AUTH_CLIENT_ID`/`MCP_AUTH_CLIENT_SECRET`, `MCP_AUTH_DEV_BIND`,
//! and for conformance runs only `MCP_AUTH_INSECURE_NO_AUTH` (no authentication at all; loopback
//! only) (see [`mcp_auth_examples::config`]). The README walks through the checkpoints.
//!
//! ## Use it from a test
//!
//! [`start`] runs the whole server on any address (port 0 included) and returns a handle:
//!
//! ```no_run
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = mcp_auth_examples::Config::from_pairs([("MCP_BIND", "127.0.0.1:0")])?;
//! let server = whoami::start(&config).await?;
//! println!("{}", server.mcp_url());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use mcp_auth_examples::{Config, DemoToken, Example, RunningServer, StartError};
use mcp_auth_rmcp::MaybeAuth;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{Implementation, ServerCapabilities, ServerConfig};
use rmcp::{ServerHandler, tool, tool_handler, tool_router};
use serde_json::json;

/// The scopes the whoami server publishes: what an OpenID Connect provider needs to answer the
/// userinfo request (OpenID Connect Core §5.4).
pub const SCOPES: [&str; 3] = ["openid", "profile", "email"];

/// The `WhoAmI` MCP server.
#[derive(Debug, Clone)]
pub struct WhoAmI {
    tool_router: ToolRouter<Self>,
}

impl Default for WhoAmI {
    fn default() -> Self {
        Self::new()
    }
}

#[tool_router]
impl WhoAmI {
    /// A new server instance (one per MCP session).
    #[must_use]
    pub fn new() -> Self {
        Self {
            tool_router: Self::tool_router(),
        }
    }

    /// The caller's claims: the userinfo response, or the token's claims with the `jwt`
    /// verifier, or the introspection response.
    #[tool(description = "A tool that returns the current user's information.")]
    fn whoami(&self, MaybeAuth(info): MaybeAuth) -> String {
        match info {
            // Serialized in place: the claims are shared with the verified-token cache.
            Some(info) => serde_json::to_string(&*info.claims)
                .unwrap_or_else(|_| json!({"error": "claims are not serializable"}).to_string()),
            None => json!({"error": "Not authenticated"}).to_string(),
        }
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for WhoAmI {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(Implementation::new("WhoAmI", env!("CARGO_PKG_VERSION")))
    }
}

/// The whoami example: name, published scopes, and the demo token for `alice`.
pub fn example() -> Example {
    Example::new("WhoAmI", "whoami")
        .with_scopes_supported(SCOPES)
        .with_demo_token(DemoToken::new("TOKEN", "alice", SCOPES))
}

/// Starts the whoami server with `config` (see [`mcp_auth_examples::start`]).
///
/// # Errors
///
/// [`StartError`] when the settings cannot work or an address cannot be bound.
pub async fn start(config: &Config) -> Result<RunningServer, StartError> {
    mcp_auth_examples::start(config, &example(), WhoAmI::new).await
}
