//! An axum server whose `/mcp` route is protected by mcp-auth: protected-resource metadata,
//! Bearer challenges, JWT verification against the issuer's JWKS, and a required scope.
//!
//! Run with:
//!
//! ```sh
//! MCP_AUTH_ISSUER=https://your-tenant.logto.app/oidc \
//!   cargo run -p mcp-auth --example protected_axum
//! ```
//!
//! Settings (environment): `MCP_AUTH_ISSUER` (required: the issuer URL of your authorization
//! server), `MCP_AUTH_ISSUER_TYPE` (`oidc` or `oauth`; default: try both in the MCP order),
//! `MCP_RESOURCE` (default `http://127.0.0.1:3001/mcp`), `MCP_BIND` (default `127.0.0.1:3001`),
//! `MCP_AUTH_SCOPE` (a scope to require; default none).
//!
//! Then:
//!
//! ```sh
//! curl -i http://127.0.0.1:3001/mcp -d '{}'        # 401 with a Bearer challenge
//! curl -s http://127.0.0.1:3001/.well-known/oauth-protected-resource/mcp
//! curl -i http://127.0.0.1:3001/mcp -d '{}' -H "Authorization: Bearer $TOKEN"
//! ```
//!
//! The issuer is discovered lazily: the server starts even when the issuer is down and answers
//! 503 until discovery succeeds.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Json;
use axum::routing::post;
use mcp_auth::{AuthInfo, AuthServer, AuthServerType, McpAuth, ProtectedResource};

fn setting(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn fail(message: String) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}

#[tokio::main]
async fn main() -> ExitCode {
    let Some(issuer) = setting("MCP_AUTH_ISSUER") else {
        return fail(
            "MCP_AUTH_ISSUER is not set: give the issuer URL of your authorization server".into(),
        );
    };
    let issuer_type = match setting("MCP_AUTH_ISSUER_TYPE").as_deref() {
        None => None,
        Some("oidc") => Some(AuthServerType::Oidc),
        Some("oauth") => Some(AuthServerType::OAuth),
        Some(other) => {
            return fail(format!(
                "MCP_AUTH_ISSUER_TYPE must be `oidc` or `oauth`, not `{other}`"
            ));
        }
    };
    let resource = setting("MCP_RESOURCE").unwrap_or_else(|| "http://127.0.0.1:3001/mcp".into());
    let bind = setting("MCP_BIND").unwrap_or_else(|| "127.0.0.1:3001".into());
    let Ok(bind) = bind.parse::<SocketAddr>() else {
        return fail(format!("MCP_BIND is not a socket address: `{bind}`"));
    };

    let auth = match build(&issuer, issuer_type, &resource) {
        Ok(auth) => auth,
        Err(e) => return fail(e.to_string()),
    };
    let mut bearer = match auth.jwt_verifier().and_then(|v| auth.bearer_auth(v)) {
        Ok(layer) => layer,
        Err(e) => return fail(e.to_string()),
    };
    if let Some(scope) = setting("MCP_AUTH_SCOPE") {
        bearer = match bearer.require_scopes([scope]) {
            Ok(layer) => layer,
            Err(e) => return fail(format!("MCP_AUTH_SCOPE: {e}")),
        };
    }

    let app = axum::Router::new()
        .route("/mcp", post(whoami))
        .layer(bearer)
        .merge(auth.metadata_router());

    // TCP_NODELAY on every connection, or each keep-alive answer may wait ~40 ms for the
    // client's delayed ACK (see `mcp_auth::listener`).
    let listener = match mcp_auth::listener::NoDelayListener::bind(bind).await {
        Ok(l) => l,
        Err(e) => return fail(format!("cannot bind {bind}: {e}")),
    };
    println!("protected resource {resource} on http://{bind}/mcp, trusting {issuer}");
    if let Err(e) = axum::serve(listener, app).await {
        return fail(format!("server error: {e}"));
    }
    ExitCode::SUCCESS
}

fn build(
    issuer: &str,
    issuer_type: Option<AuthServerType>,
    resource: &str,
) -> Result<McpAuth, mcp_auth::ConfigError> {
    McpAuth::new(
        ProtectedResource::new(resource)?
            .with_authorization_server(AuthServer::lazy(issuer, issuer_type)?),
    )
}

async fn whoami(info: AuthInfo) -> Json<serde_json::Value> {
    Json(serde_json::json!({
        "sub": info.subject,
        "iss": info.issuer,
        "client_id": info.client_id,
        "scopes": info.scopes,
    }))
}
