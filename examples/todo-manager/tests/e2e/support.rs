//! Fixtures: the issuer (with the todo scopes), the server, tokens, rmcp's client.

use mcp_auth_dev::{DevServer, TokenRequest};
use mcp_auth_examples::{Config, RunningServer};
use rmcp::model::{CallToolRequestParams, CallToolResult};
use rmcp::service::RunningService;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use rmcp::{RoleClient, ServiceExt};
use serde_json::Value;

/// The issuer, offering the todo scopes.
pub async fn issuer() -> DevServer {
    let mut scopes = vec!["openid", "profile", "email"];
    scopes.extend(todo_manager::SCOPES);
    DevServer::builder()
        .scopes_supported(scopes)
        .start()
        .await
        .expect("the issuer starts")
}

/// The todo-manager server on 127.0.0.1:0 trusting `issuer`, with its default verifier (JWT).
pub async fn todo_manager(issuer: &DevServer) -> RunningServer {
    todo_manager_with(issuer, "jwt").await
}

/// The todo-manager server with `MCP_AUTH_VERIFIER=verifier`.
pub async fn todo_manager_with(issuer: &DevServer, verifier: &str) -> RunningServer {
    let config = Config::from_pairs([
        ("MCP_AUTH_ISSUER", issuer.issuer()),
        ("MCP_BIND", "127.0.0.1:0"),
        ("MCP_AUTH_VERIFIER", verifier),
        ("MCP_AUTH_CLIENT_ID", "dev-client"),
        ("MCP_AUTH_CLIENT_SECRET", "dev-secret"),
    ])
    .expect("valid settings");
    todo_manager::start(&config)
        .await
        .expect("todo-manager starts")
}

/// A JWT for the test user `username` with `scopes`, for the server's resource.
pub fn token(
    issuer: &DevServer,
    server: &RunningServer,
    username: &str,
    scopes: &[&str],
) -> String {
    mint(issuer, server.resource(), username, scopes)
}

/// A JWT for the test user `username` with `scopes`, for the legacy SSE endpoint's resource.
pub fn sse_token(
    issuer: &DevServer,
    server: &RunningServer,
    username: &str,
    scopes: &[&str],
) -> String {
    mint(issuer, server.sse_resource(), username, scopes)
}

fn mint(issuer: &DevServer, resource: &str, username: &str, scopes: &[&str]) -> String {
    issuer
        .issue_access_token(
            &TokenRequest::for_user(username, "dev-client")
                .with_resource(resource)
                .with_scopes(scopes.iter().copied()),
        )
        .expect("a token")
}

/// rmcp's Streamable HTTP client, initialized with `token`.
pub async fn client(server: &RunningServer, token: &str) -> RunningService<RoleClient, ()> {
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(server.mcp_url()).auth_header(token),
    );
    ().serve(transport).await.expect("initialized")
}

/// Calls `tool` with `arguments` (an object).
pub async fn call(
    client: &RunningService<RoleClient, ()>,
    tool: &'static str,
    arguments: Value,
) -> CallToolResult {
    let arguments = arguments.as_object().cloned().unwrap_or_default();
    client
        .call_tool(CallToolRequestParams::new(tool).with_arguments(arguments))
        .await
        .expect("a tool result")
}

/// The JSON in the first text block of a result.
pub fn json(result: &CallToolResult) -> Value {
    let value = serde_json::to_value(result).unwrap();
    serde_json::from_str(value["content"][0]["text"].as_str().unwrap()).unwrap()
}
