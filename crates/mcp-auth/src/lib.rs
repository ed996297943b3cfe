//! mcp-auth: OAuth 2.1 resource-server support for MCP servers (crate docs: to be written).

pub mod auth_info;
pub mod auth_server;
#[cfg(feature = "axum")]
pub mod axum;
pub mod bearer;
pub mod challenge;
pub mod clock;
pub mod credentials;
pub mod discovery;
pub mod error;
pub mod http_client;
pub mod layer;
pub mod mcp_auth;
pub mod metadata;
pub mod metadata_service;
pub mod resource;
pub mod scope;
pub mod verify;

pub use auth_info::AuthInfo;
pub use auth_server::AuthServer;
pub use bearer::BearerToken;
pub use discovery::{AuthServerConfig, AuthServerType, DiscoveryError};
pub use error::{ConfigError, VerifyError, VerifyErrorKind};
pub use mcp_auth::{McpAuth, McpAuthBuilder};
pub use resource::ProtectedResource;
pub use verify::{JwtVerifier, TokenVerifier};
