//! The tutorial's first checkpoint, `{"error": "Not authenticated"}`.
//!
//! Through the protected server it cannot be reached: the Bearer layer answers every request
//! without a valid token (401, or 400 for a malformed one) before rmcp sees it, so the tool
//! always has an identity. The answer exists for the unprotected server of the tutorial's
//! first step, built here without the Bearer layer.

use std::sync::Arc;

use mcp_auth_examples::testing::{Rpc, http, initialize_request, send};
use rmcp::ServiceExt;
use rmcp::model::CallToolRequestParams;
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use serde_json::json;
use whoami::WhoAmI;

use crate::support::{issuer, json_text, whoami};

#[tokio::test]
async fn checkpoint_1_not_authenticated_without_the_bearer_layer() {
    let service = StreamableHttpService::new(
        || Ok(WhoAmI::new()),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    );
    let app = axum::Router::new().nest_service("/mcp", service);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });

    let transport = StreamableHttpClientTransport::from_uri(format!("http://{addr}/mcp"));
    let client = ().serve(transport).await.unwrap();
    let result = client
        .call_tool(CallToolRequestParams::new("whoami"))
        .await
        .unwrap();
    assert_eq!(json_text(&result), json!({"error": "Not authenticated"}));
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn the_protected_server_never_runs_the_tool_without_a_token() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "userinfo", &[]).await;

    // No session can be opened without a token...
    let response = send(
        http()
            .post(server.mcp_url())
            .header("content-type", "application/json")
            .header("accept", "application/json, text/event-stream")
            .body(initialize_request(1).to_string()),
    )
    .await;
    assert_eq!(response.status(), 401);

    // ...and a tool call without a token is refused, session id or not.
    let mut anonymous = Rpc::new(&server.mcp_url(), None);
    anonymous.session = Some("any".to_owned());
    let response = anonymous.call("whoami", json!({})).await;
    assert_eq!(response.status(), 401);
    assert!(response.headers().contains_key("www-authenticate"));
}
