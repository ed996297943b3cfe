//! # mcp-auth-dev
//!
//! An embedded **development** OAuth 2.1 / OpenID Connect authorization server: start it
//! in-process, get its issuer URL back, and test an MCP server (or anything that accepts
//! access tokens) against real metadata, real keys and real signed tokens, with no external
//! account.
//!
//! ```
//! use mcp_auth_dev::{DevServer, TokenRequest};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = DevServer::builder().start().await?;
//! assert!(server.issuer().starts_with("http://127.0.0.1:"));
//!
//! // A JWT access token (RFC 9068) for the test user alice, audience-bound to a resource.
//! let token = server.issue_access_token(
//!     &TokenRequest::for_user("alice", "dev-client")
//!         .with_resource("http://127.0.0.1:3001/mcp")
//!         .with_scopes(["openid", "profile"]),
//! )?;
//! assert_eq!(token.split('.').count(), 3);
//!
//! // Verifiable like any issuer's token: discovery, then the keys at `jwks_uri`.
//! use mcp_auth::{AuthServer, BearerToken, JwtVerifier, TokenVerifier};
//! let verifier = JwtVerifier::new("http://127.0.0.1:3001/mcp")?
//!     .with_issuer(AuthServer::lazy(server.issuer(), None)?)?;
//! let info = verifier.verify(&BearerToken::new(token)).await?;
//! assert_eq!(info.subject, "u-alice");
//! assert_eq!(info.scopes, ["openid", "profile"]);
//!
//! server.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! ## What it serves
//!
//! | path | what |
//! |---|---|
//! | `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server` | the same metadata document (OpenID Connect Discovery 1.0, RFC 8414); passes [`mcp_auth::metadata::validate_for_mcp`] |
//! | `/jwks` | public signing keys (RFC 7517), each with `kid`, `alg`, `use: sig` |
//! | `/token` | `client_credentials` (RFC 6749 §4.4); with RFC 8707 `resource` a JWT access token (RFC 9068, `typ: at+jwt`, `aud` = the resource), without it an opaque token |
//! | `/userinfo` | the claims of the user a token was issued for (OpenID Connect Core §5.3) |
//! | `/introspect` | RFC 7662, for authenticated confidential clients |
//! | `/revoke` | RFC 7009 |
//! | `/authorize` | listed in the metadata; answers `501` until the login and consent pages exist |
//!
//! Clients authenticate with `client_secret_basic` or `client_secret_post`; public clients
//! send only `client_id`. Errors are RFC 6749 §5.2 JSON bodies (`invalid_request`,
//! `invalid_client` with 401, `invalid_grant`, `unauthorized_client`,
//! `unsupported_grant_type`, `invalid_scope`, `invalid_target`).
//!
//! ## Defaults
//!
//! * bound to `127.0.0.1:0`; a non-loopback address logs a loud warning;
//! * users `alice` (sub `u-alice`) and `bob` (sub `u-bob`) — [`User::defaults`];
//! * clients `dev-client` (secret `dev-secret`) and the public `mcp-inspector` —
//!   [`Client::defaults`];
//! * scopes `openid profile email`; ES256 keys generated at start; one-hour tokens.
//!
//! ## Keys file
//!
//! [`DevServerBuilder::keys_file`] keeps the keys across restarts:
//! `{"keys": [{"kid": "…", "alg": "ES256", "pkcs8": "<base64 PKCS#8 DER>"}]}`, written with mode
//! `0600`. A missing key for the chosen algorithm is generated and appended; a file that cannot
//! be read as keys is an error and is never overwritten.
//!
//! ## Limits
//!
//! Tokens and other state live in memory, bounded ([`DevServerBuilder::max_tokens`]); request
//! bodies are capped at 16 KiB and parsed strictly (a repeated parameter is `invalid_request`).
//! This server is for development and tests only: plain HTTP, built-in secrets, no real login.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod authorization_server;
mod clients;
mod endpoints;
mod error;
mod keys;
mod metadata;
mod scope;
mod server;
mod store;
mod tokens;
mod users;

pub use clients::{Client, ClientSecret, GrantType};
pub use error::DevError;
pub use keys::SigningAlgorithm;
pub use server::{DEFAULT_MAX_TOKENS, DEFAULT_TOKEN_TTL, DevServer, DevServerBuilder};
pub use tokens::{TokenFormat, TokenRequest};
pub use users::User;
