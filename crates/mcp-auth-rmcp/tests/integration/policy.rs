//! The scope policy layer in front of rmcp's Streamable HTTP service.

use axum::Router;
use base64::Engine as _;
use mcp_auth_rmcp::SessionBindingLayer;
use mcp_auth_rmcp::policy::ScopePolicy;
use serde_json::{Value, json};
use tower::ServiceBuilder;

use crate::support::{
    Calls, PRM, Rpc, bearer, param, parse_challenge, read_message, serve, streamable, tool_text,
};

pub fn policy() -> ScopePolicy {
    ScopePolicy::for_layer(&bearer())
        .with_tool("delete_todo", ["todo:read", "todo:write"])
        .unwrap()
        .with_tool("read_todo", ["todo:read"])
        .unwrap()
        .with_resource("todo://admin", ["todo:write"])
        .unwrap()
        .with_resource_template("todo://{id}", ["todo:read"])
        .unwrap()
        .with_prompt("summarize", ["todo:read"])
        .unwrap()
        .with_max_body_bytes(64 * 1024)
        .unwrap()
}

async fn server(calls: &Calls) -> String {
    let service = ServiceBuilder::new()
        .layer(bearer())
        .layer(SessionBindingLayer::new())
        .layer(policy().into_layer())
        .service(streamable(calls));
    let base = serve(Router::new().nest_service("/mcp", service)).await;
    format!("{base}/mcp")
}

async fn session(calls: &Calls, token: &str) -> Rpc {
    let url = server(calls).await;
    let mut rpc = Rpc::new(&url, Some(token));
    rpc.initialize().await;
    rpc
}

/// Asserts a 403 `insufficient_scope` answer listing exactly `scope`; returns the body.
async fn assert_insufficient_scope(response: reqwest::Response, scope: &str) -> Value {
    assert_eq!(response.status(), 403);
    let challenge = response.headers()["www-authenticate"].to_str().unwrap();
    let params = parse_challenge(challenge);
    assert_eq!(param(&params, "error"), Some("insufficient_scope"));
    assert_eq!(param(&params, "scope"), Some(scope));
    assert_eq!(param(&params, "resource_metadata"), Some(PRM));
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");
    body
}

#[tokio::test]
async fn g01_tools_call_without_scope_gets_every_needed_scope() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-read").await;
    let response = rpc.call_tool("delete_todo").await;
    // One challenge with every scope the operation needs, the Bearer layer's first (M04).
    assert_insufficient_scope(response, "mcp:basic todo:read todo:write").await;
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn g11_policy_challenge_grammar() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-basic").await;
    let response = rpc.call_tool("read_todo").await;
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        challenge,
        format!(
            "Bearer error=\"insufficient_scope\", \
             error_description=\"The access token lacks a scope this operation requires\", \
             scope=\"mcp:basic todo:read\", resource_metadata=\"{PRM}\""
        )
    );
    parse_challenge(&challenge);
}

#[tokio::test]
async fn m04_step_up_round_trip() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-basic").await;
    let response = rpc.call_tool("delete_todo").await;
    assert_insufficient_scope(response, "mcp:basic todo:read todo:write").await;
    assert_eq!(calls.count(), 0);

    // The client obtains a token with the challenged scopes and retries in the same session
    // (same principal, so the session binding lets it continue).
    rpc.token = Some("alice-full".to_owned());
    let response = rpc.call_tool("delete_todo").await;
    assert_eq!(response.status(), 200);
    assert_eq!(tool_text(&read_message(response).await), "deleted by alice");
    assert_eq!(calls.count(), 1);
}

#[tokio::test]
async fn tools_without_a_rule_need_only_the_default() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-basic").await;
    let response = rpc.call_tool("whoami").await;
    assert_eq!(response.status(), 200);
    assert!(tool_text(&read_message(response).await).starts_with("alice@"));
}

#[tokio::test]
async fn resources_read_exact_and_template_rules() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-basic").await;
    let read = |id: u64, uri: &str| json!({"jsonrpc": "2.0", "id": id, "method": "resources/read", "params": {"uri": uri}});

    let response = rpc.post(&read(10, "todo://42"), &[]).await;
    assert_insufficient_scope(response, "mcp:basic todo:read").await;
    // The exact rule wins over the template.
    let response = rpc.post(&read(11, "todo://admin"), &[]).await;
    assert_insufficient_scope(response, "mcp:basic todo:write").await;
    // `{id}` does not span a `/`: this URI matches no rule and needs only the default.
    let response = rpc.post(&read(12, "todo://42/sub"), &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(calls.count(), 1);

    rpc.token = Some("alice-read".to_owned());
    let response = rpc.post(&read(13, "todo://42"), &[]).await;
    assert_eq!(response.status(), 200);
    let message = read_message(response).await;
    assert_eq!(
        message["result"]["contents"][0]["text"],
        "todo://42 for alice"
    );
}

#[tokio::test]
async fn prompts_get_rule() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-basic").await;
    let get = json!({"jsonrpc": "2.0", "id": 20, "method": "prompts/get", "params": {"name": "summarize"}});
    assert_insufficient_scope(rpc.post(&get, &[]).await, "mcp:basic todo:read").await;
    assert_eq!(calls.count(), 0);

    rpc.token = Some("alice-read".to_owned());
    let message = read_message(rpc.post(&get, &[]).await).await;
    assert_eq!(
        message["result"]["messages"][0]["content"]["text"],
        "summarize for alice"
    );
}

/// A batch needs the union of its messages' scopes; the challenge lists them all.
#[tokio::test]
async fn batch_needs_the_union_of_scopes() {
    let calls = Calls::default();
    let rpc = session(&calls, "alice-read").await;
    let batch = json!([
        {"jsonrpc": "2.0", "id": 30, "method": "tools/call", "params": {"name": "read_todo"}},
        {"jsonrpc": "2.0", "id": 31, "method": "tools/call", "params": {"name": "delete_todo"}},
    ]);
    assert_insufficient_scope(
        rpc.post(&batch, &[]).await,
        "mcp:basic todo:read todo:write",
    )
    .await;
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn header_body_mismatch_is_400_header_mismatch() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-full").await;
    let id = rpc.next_id();
    let body = crate::support::tool_call(id, "delete_todo");

    // The header names a harmless tool, the body the protected one.
    let response = rpc.post(&body, &[("mcp-name", "whoami")]).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32020);
    assert_eq!(error["id"], id);

    let response = rpc.post(&body, &[("mcp-method", "tools/list")]).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32020);

    // Repeated header.
    let response = rpc
        .post(
            &body,
            &[("mcp-name", "delete_todo"), ("mcp-name", "delete_todo")],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(calls.count(), 0);

    // Matching headers (one Base64-encoded) pass.
    let encoded = format!(
        "=?base64?{}?=",
        base64::engine::general_purpose::STANDARD.encode("delete_todo")
    );
    let response = rpc
        .post(
            &body,
            &[("mcp-method", "tools/call"), ("mcp-name", &encoded)],
        )
        .await;
    assert_eq!(response.status(), 200);
    assert_eq!(tool_text(&read_message(response).await), "deleted by alice");
}

#[tokio::test]
async fn oversized_body_is_413() {
    let calls = Calls::default();
    let mut rpc = session(&calls, "alice-full").await;
    let id = rpc.next_id();
    let mut body = crate::support::tool_call(id, "whoami");
    body["params"]["arguments"]["padding"] = Value::String("x".repeat(65 * 1024));
    let response = rpc.post(&body, &[]).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32600);
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn unreadable_bodies_are_400_and_never_reach_rmcp() {
    let calls = Calls::default();
    let rpc = session(&calls, "alice-full").await;

    let response = rpc.post_raw("{not json".to_owned(), &[]).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32700);

    // A duplicated `name` could be read differently by two parsers: refused.
    let duplicate = r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"whoami","name":"delete_todo"}}"#;
    let response = rpc.post_raw(duplicate.to_owned(), &[]).await;
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32600);
    assert_eq!(calls.count(), 0);
}
