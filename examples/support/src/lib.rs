//! # mcp-auth-examples
//!
//! What the example servers (`whoami`, `todo-manager`) share, so each example is only its MCP
//! tools: the settings ([`Config`], read from `MCP_AUTH_*` / `MCP_*` environment variables),
//! the authorization server (an external issuer, or the embedded
//! [`mcp_auth_dev::DevServer`]), the [`McpAuth`](mcp_auth::McpAuth) and its verifier, the
//! Bearer layer, the per-tool scope policy, the transports (Streamable HTTP at `/mcp` with
//! sessions bound to their user, legacy SSE at `/sse` + `/messages`), and the start-up banner.
//!
//! Library first: [`start`] builds, binds and runs a server and returns a [`RunningServer`]
//! handle (its address, its banner, `shutdown`), so tests start the examples on
//! `127.0.0.1:0`; [`run`] is the whole `main` of an example binary.
//!
//! ```no_run
//! # use rmcp::{ServerHandler, model::{ServerCapabilities, ServerConfig}};
//! # #[derive(Clone)] struct Hello;
//! # impl ServerHandler for Hello {
//! #     fn get_info(&self) -> ServerConfig { ServerConfig::new(ServerCapabilities::builder().build()) }
//! # }
//! use mcp_auth_examples::{Config, Example, start};
//!
//! # #[tokio::main] async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let config = Config::from_pairs([("MCP_BIND", "127.0.0.1:0"), ("MCP_AUTH_DEV_BIND", "127.0.0.1:0")])?;
//! let server = start(&config, &Example::new("Hello", "hello"), || Hello).await?;
//! println!("{}", server.banner());
//! server.shutdown().await;
//! # Ok(()) }
//! ```

use std::process::ExitCode;

use rmcp::ServerHandler;

mod banner;
pub mod config;
mod example;
mod server;
#[cfg(feature = "testing")]
pub mod testing;
mod verifier;

pub use banner::CURL_PROTOCOL_VERSION;
pub use config::{
    AuthMode, ClientCredentials, Config, IssuerSetting, ResponseFraming, SettingError, VerifierKind,
};
pub use example::{DemoToken, Example};
pub use server::{MCP_PATH, RunningServer, SSE_PATH, StartError, start};

/// The `main` of an example binary: reads the settings from the environment, starts the server,
/// prints the banner, serves until Ctrl-C, then shuts down.
///
/// A bad setting prints one line `error: <VARIABLE> ...` to stderr and exits with code 2; other
/// start-up failures exit with code 1.
pub async fn run<S, F>(example: Example, factory: F) -> ExitCode
where
    S: ServerHandler + Send + 'static,
    F: Fn() -> S + Clone + Send + Sync + 'static,
{
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(2);
        }
    };
    let server = match start(&config, &example, factory).await {
        Ok(server) => server,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(error.exit_code());
        }
    };
    println!("{}", server.banner());
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {error}");
    }
    server.shutdown().await;
    ExitCode::SUCCESS
}
