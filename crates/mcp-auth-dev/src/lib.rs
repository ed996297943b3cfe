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
//! | `/.well-known/openid-configuration`, `/.well-known/oauth-authorization-server` | the same metadata document (OpenID Connect Discovery 1.0, RFC 8414); passes [`mcp_auth::metadata::validate_for_mcp`] with no error and no warning |
//! | `/jwks` | public signing keys (RFC 7517), each with `kid`, `alg`, `use: sig` |
//! | `/authorize` | the authorization-code flow (RFC 6749 §4.1) with PKCE `S256` required: a login page listing the test users, then a consent page |
//! | `/authorize/login`, `/authorize/consent` | where the two pages' forms are posted |
//! | `/token` | `authorization_code`, `refresh_token` (rotated, reuse detected) and `client_credentials`; with RFC 8707 `resource` a JWT access token (RFC 9068, `typ: at+jwt`, `aud` = the resource), without it an opaque token; an ID token when `openid` was granted |
//! | `/register` | Dynamic Client Registration (RFC 7591), open, for public and confidential clients |
//! | `/userinfo` | the claims of the user a token was issued for (OpenID Connect Core §5.3) |
//! | `/introspect` | RFC 7662, for authenticated confidential clients |
//! | `/revoke` | RFC 7009; revoking a refresh token revokes its whole grant |
//!
//! Clients authenticate with `client_secret_basic` or `client_secret_post`; public clients
//! send only `client_id`. Errors are RFC 6749 §5.2 JSON bodies (`invalid_request`,
//! `invalid_client` with 401, `invalid_grant`, `unauthorized_client`,
//! `unsupported_grant_type`, `invalid_scope`, `invalid_target`); the registration endpoint
//! answers `invalid_redirect_uri` and `invalid_client_metadata` (RFC 7591 §3.2.2).
//!
//! The metadata, JWKS, `/token`, `/register`, `/revoke` and `/userinfo` answer CORS requests
//! from any origin (`Access-Control-Allow-Origin: *`, preflights included), so browser-based
//! clients such as MCP Inspector can call them; the authorization pages and introspection
//! never do.
//!
//! ## Clients
//!
//! * **Static** clients from [`DevServerBuilder::clients`]; the defaults are `dev-client`
//!   (confidential) and `mcp-inspector` (public) — [`Client::defaults`].
//! * **Registered** clients (RFC 7591): `POST /register` with JSON metadata. Redirect URIs must
//!   be `https`, `http` on a loopback host, or a native app's private-use scheme
//!   (`com.example.app:/callback`, RFC 8252 §7.1); `token_endpoint_auth_method` `none` makes
//!   a public client, `client_secret_basic` (the default) or `client_secret_post` a
//!   confidential one with a generated secret. `application_type` `web` and `native` are both
//!   accepted with any of those redirect URIs. At most
//!   [`DevServerBuilder::max_registered_clients`], in memory.
//! * **Client ID Metadata Documents**: a `client_id` that is an `https` URL — or, for local
//!   development, an `http` URL on a loopback host — is fetched with the core crate's
//!   [`HttpClient`](mcp_auth::http_client::HttpClient) (no redirects, private and link-local
//!   addresses refused, 16 KiB, 5 s). The document's `client_id` must equal the URL exactly;
//!   its `redirect_uris` are enforced; it is a public client. Documents are cached for their
//!   `Cache-Control: max-age`, at most five minutes (one minute by default).
//!
//! Redirect URIs match exactly, except that the port of an `http` loopback redirect URI
//! (`127.0.0.1`, `[::1]`, `localhost`) may differ (RFC 8252 §7.3): a native app or CLI listens
//! on whatever port is free.
//!
//! ## The authorization-code flow
//!
//! `GET /authorize` needs `response_type=code`, `client_id`, a registered `redirect_uri` (it may
//! be omitted when the client has exactly one), `code_challenge` with
//! `code_challenge_method=S256` (`plain` is refused), and optionally `state`, `scope`,
//! `resource` (one), `nonce`. Problems with the client or the redirect URI are shown on an
//! error page; every other problem is redirected with `error`, `state` and `iss`.
//!
//! The user picks a test user on the login page (no passwords: this is a development server),
//! then allows or denies on the consent page, which names the client, the host its redirect URI
//! points to, the scopes and the resource. Both pages forbid framing
//! (`Content-Security-Policy: frame-ancestors 'none'`, `X-Frame-Options: DENY`) and need no
//! script; their forms carry a per-page CSRF token and only work from the browser that
//! started the request (an `HttpOnly` cookie scoped to `/authorize`). Pending sign-ins expire
//! after ten minutes.
//!
//! Approving redirects to the redirect URI with `code`, `state` and `iss` (RFC 9207). Codes are
//! valid for one minute and single-use: a code presented twice revokes every token issued from
//! it (RFC 6749 §4.1.2). At `/token`, the `code_verifier` must match, `redirect_uri` must be
//! the same as in the authorization request, and a `resource` must equal the authorization
//! request's (when the token request names none, the authorization request's applies).
//!
//! A **refresh token** comes with every code-grant token response when the client may use the
//! `refresh_token` grant (the default clients may; registered clients when their `grant_types`
//! include it, as MCP clients' do); `offline_access` is not needed. Each use returns a new one;
//! presenting a used one revokes the whole grant.
//!
//! Without a browser, a test or tool drives the pages with [`authorize_headless`]; its docs
//! list the three requests for clients that do it themselves:
//!
//! ```
//! use mcp_auth_dev::{DevServer, authorize_headless};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let server = DevServer::builder().start().await?;
//! // S256 of the RFC 7636 appendix B verifier.
//! let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
//! let url = format!(
//!     "{}/authorize?response_type=code&client_id=mcp-inspector\
//!      &redirect_uri=http://127.0.0.1:6274/oauth/callback&scope=openid\
//!      &code_challenge={challenge}&code_challenge_method=S256&state=xyz",
//!     server.issuer()
//! );
//! let redirect = authorize_headless(&url, "alice").await?;
//! assert!(redirect.code.is_some());
//! assert_eq!(redirect.state.as_deref(), Some("xyz"));
//! assert_eq!(redirect.iss.as_deref(), Some(server.issuer()));
//! // Then POST /token: grant_type=authorization_code, code, redirect_uri, client_id,
//! // code_verifier=dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk.
//! # Ok(()) }
//! ```
//!
//! ## Defaults
//!
//! * bound to `127.0.0.1:0`; a non-loopback address logs a loud warning;
//! * users `alice` (sub `u-alice`) and `bob` (sub `u-bob`) — [`User::defaults`] — or a users
//!   file ([`DevServerBuilder::users_file`]);
//! * clients `dev-client` (secret `dev-secret`) and the public `mcp-inspector` —
//!   [`Client::defaults`];
//! * scopes `openid profile email`; ES256 keys generated at start; one-hour access tokens,
//!   one-day refresh tokens.
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
//! Tokens, codes, pending sign-ins, registered clients and cached documents live in memory,
//! each store bounded ([`DevServerBuilder::max_tokens`],
//! [`DevServerBuilder::max_registered_clients`]); request bodies are capped at 16 KiB and
//! parsed strictly (a repeated parameter is `invalid_request`). This server is for development
//! and tests only: plain HTTP, built-in secrets, open registration, no real login.
#![cfg_attr(docsrs, feature(doc_cfg))]

mod authorization_code;
mod authorization_server;
mod clients;
mod endpoints;
mod error;
mod headless;
mod interaction;
mod keys;
mod metadata;
mod scope;
mod server;
mod store;
mod tokens;
mod users;

pub use clients::{Client, ClientKind, ClientSecret, GrantType};
pub use error::DevError;
pub use headless::{AuthorizationRedirect, authorize_headless};
pub use keys::SigningAlgorithm;
pub use server::{
    DEFAULT_MAX_REGISTERED_CLIENTS, DEFAULT_MAX_TOKENS, DEFAULT_REFRESH_TOKEN_TTL,
    DEFAULT_TOKEN_TTL, DevServer, DevServerBuilder,
};
pub use tokens::{TokenFormat, TokenRequest};
pub use users::User;
