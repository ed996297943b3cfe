//! `Auth` / `MaybeAuth` / `auth_info` inside a real rmcp server, with rmcp's own client.

use axum::Router;
use mcp_auth_rmcp::auth::MISSING_AUTH_MESSAGE;
use rmcp::ServiceExt;
use rmcp::model::{CallToolRequestParams, CallToolResult, ReadResourceRequestParams};
use rmcp::transport::StreamableHttpClientTransport;
use rmcp::transport::streamable_http_client::StreamableHttpClientTransportConfig;
use serde_json::json;
use tower::ServiceBuilder;

use crate::support::{Calls, ISSUER, Rpc, bearer, read_message, serve, streamable, tool_text};

async fn protected_server(calls: &Calls) -> String {
    let service = ServiceBuilder::new()
        .layer(bearer())
        .service(streamable(calls));
    let base = serve(Router::new().nest_service("/mcp", service)).await;
    format!("{base}/mcp")
}

fn first_text(result: &CallToolResult) -> String {
    let value = serde_json::to_value(result).unwrap();
    value["content"][0]["text"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn auth_extractor_with_rmcp_client_over_streamable_http() {
    let calls = Calls::default();
    let url = protected_server(&calls).await;
    let transport = StreamableHttpClientTransport::from_config(
        StreamableHttpClientTransportConfig::with_uri(url).auth_header("alice-full"),
    );
    let client = ().serve(transport).await.unwrap();

    let result = client
        .call_tool(CallToolRequestParams::new("whoami"))
        .await
        .unwrap();
    assert_eq!(first_text(&result), format!("alice@{ISSUER}"));

    let result = client
        .call_tool(CallToolRequestParams::new("hello"))
        .await
        .unwrap();
    assert_eq!(first_text(&result), "hello alice");

    let resource = client
        .read_resource(ReadResourceRequestParams::new("todo://1"))
        .await
        .unwrap();
    let resource = serde_json::to_value(resource).unwrap();
    assert_eq!(resource["contents"][0]["text"], "todo://1 for alice");
    assert_eq!(calls.count(), 3);
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn auth_extractor_with_raw_json_rpc() {
    let calls = Calls::default();
    let url = protected_server(&calls).await;
    let mut rpc = Rpc::new(&url, Some("bob-full"));
    rpc.initialize().await;
    let response = rpc.call_tool("whoami").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        tool_text(&read_message(response).await),
        format!("bob@{ISSUER}")
    );

    let id = rpc.next_id();
    let response = rpc
        .post(
            &json!({"jsonrpc": "2.0", "id": id, "method": "prompts/get", "params": {"name": "summarize"}}),
            &[],
        )
        .await;
    let message = read_message(response).await;
    assert_eq!(
        message["result"]["messages"][0]["content"]["text"],
        "summarize for bob"
    );
}

/// Without the Bearer layer, `Auth` fails the call with a message naming the missing layer,
/// and `MaybeAuth` sees no identity.
#[tokio::test]
async fn auth_extractor_without_bearer_layer_fails_clearly() {
    let calls = Calls::default();
    let base = serve(Router::new().nest_service("/mcp", streamable(&calls))).await;
    let mut rpc = Rpc::new(&format!("{base}/mcp"), None);
    rpc.initialize().await;

    let message = read_message(rpc.call_tool("whoami").await).await;
    assert_eq!(message["error"]["code"], -32603);
    assert_eq!(message["error"]["message"], MISSING_AUTH_MESSAGE);
    assert_eq!(calls.count(), 0, "the tool body never ran");

    let message = read_message(rpc.call_tool("hello").await).await;
    assert_eq!(tool_text(&message), "hello stranger");
}
