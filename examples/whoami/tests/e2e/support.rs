//! Fixtures: the issuer, the whoami server against it, tokens, rmcp's client.

use mcp_auth_dev::{DevServer, TokenFormat, TokenRequest, User};
use mcp_auth_examples::{Config, RunningServer};
use rmcp::model::CallToolResult;
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::{Map, Value};

/// The issuer: a development authorization server on 127.0.0.1:0.
pub async fn issuer() -> DevServer {
    DevServer::builder()
        .start()
        .await
        .expect("the issuer starts")
}

/// The whoami server on 127.0.0.1:0, trusting `issuer`, with `MCP_AUTH_VERIFIER=verifier` and
/// the extra settings.
pub async fn whoami(issuer: &DevServer, verifier: &str, extra: &[(&str, &str)]) -> RunningServer {
    let mut pairs = vec![
        ("MCP_AUTH_ISSUER", issuer.issuer()),
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_VERIFIER", verifier),
        ("MCP_AUTH_CLIENT_ID", "dev-client"),
        ("MCP_AUTH_CLIENT_SECRET", "dev-secret"),
    ];
    pairs.extend_from_slice(extra);
    let config = Config::from_pairs(pairs).expect("valid settings");
    whoami::start(&config).await.expect("whoami starts")
}

/// A JWT access token for the test user `username`, minted in-process (as after the
/// authorization-code flow), for the server's resource.
pub fn user_token(issuer: &DevServer, server: &RunningServer, username: &str) -> String {
    mint(issuer, username, server.resource(), TokenFormat::Jwt)
}

/// A JWT for `username`, for the legacy SSE endpoint's resource.
pub fn sse_user_token(issuer: &DevServer, server: &RunningServer, username: &str) -> String {
    mint(issuer, username, server.sse_resource(), TokenFormat::Jwt)
}

/// An opaque access token for `username`, for the server's resource.
pub fn opaque_user_token(issuer: &DevServer, server: &RunningServer, username: &str) -> String {
    mint(issuer, username, server.resource(), TokenFormat::Opaque)
}

/// A token for `username` and `resource`: a JWT with whoami's scopes, or an opaque one with
/// `openid` (enough for userinfo and introspection).
fn mint(issuer: &DevServer, username: &str, resource: &str, format: TokenFormat) -> String {
    let scopes: &[&str] = match format {
        TokenFormat::Opaque => &["openid"],
        _ => &whoami::SCOPES,
    };
    issuer
        .issue_access_token(
            &TokenRequest::for_user(username, "dev-client")
                .with_resource(resource)
                .with_scopes(scopes.iter().copied())
                .with_format(format),
        )
        .expect("a token")
}

/// The userinfo claims of the test user `username`.
pub fn user_claims(issuer: &DevServer, username: &str) -> Map<String, Value> {
    issuer
        .users()
        .iter()
        .find(|u| u.username == username)
        .map(User::claims)
        .expect("a known user")
}

/// rmcp's Streamable HTTP client, connected (initialized) with `token`.
pub async fn rmcp_client(server: &RunningServer, token: &str) -> RunningService<RoleClient, ()> {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(token),
    );
    ().serve(transport).await.expect("initialized")
}

/// The JSON object in the first text block of a tool result.
pub fn json_text(result: &CallToolResult) -> Value {
    let value = serde_json::to_value(result).unwrap();
    let text = value["content"][0]["text"].as_str().expect("a text block");
    serde_json::from_str(text).expect("JSON text")
}

/// The claims of a JWT, decoded without verification (to compare with the tool's answer).
pub fn jwt_claims(token: &str) -> Value {
    use base64::Engine;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
