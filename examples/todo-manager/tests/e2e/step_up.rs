//! Battery M04, the step-up round trip: `create-todo` without `create:todos` is refused with
//! HTTP 403 `insufficient_scope` naming the scope, before rmcp runs the tool; a token with the
//! scope then succeeds. Over Streamable HTTP (raw and with rmcp's client) and legacy SSE.

use mcp_auth_examples::testing::{
    Rpc, SseSession, param, parse_challenge, read_message, tool_call_with, tool_text,
};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};

use crate::support::{
    call, client, issuer, json, sse_token, todo_manager, todo_manager_with, token,
};

/// Asserts the 403 step-up challenge for `create-todo`.
fn assert_create_todos_challenge(challenge: &str, metadata_url: &str) {
    let params = parse_challenge(challenge);
    assert_eq!(param(&params, "error"), Some("insufficient_scope"));
    assert_eq!(param(&params, "scope"), Some("create:todos"));
    assert_eq!(param(&params, "resource_metadata"), Some(metadata_url));
}

/// The round trip with raw HTTP, for each verifier that yields scopes (the token's `scope`
/// claim, or the introspection response's `scope`).
#[tokio::test]
async fn m04_create_todo_step_up_round_trip() {
    for verifier in ["jwt", "introspection"] {
        step_up_round_trip(verifier).await;
    }
}

async fn step_up_round_trip(verifier: &str) {
    let issuer = issuer().await;
    let server = todo_manager_with(&issuer, verifier).await;

    // Bob signs in without any scope: he can connect and list his (no) todos...
    let low = token(&issuer, &server, "bob", &[]);
    let mut rpc = Rpc::new(&server.mcp_url(), Some(&low));
    rpc.initialize().await;
    let response = rpc.call("get-todos", json!({})).await;
    assert_eq!(response.status(), 200);
    assert_eq!(tool_text(&read_message(response).await), "[]");

    // ...but creating a todo is refused at the HTTP layer, with the scope to ask for.
    let response = rpc
        .call("create-todo", json!({"content": "buy milk"}))
        .await;
    assert_eq!(response.status(), 403);
    let challenge = response.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_create_todos_challenge(&challenge, server.metadata_url());
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "insufficient_scope");

    // Step up: a token with exactly the challenged scopes. Same user, so the same session.
    let scope = param(&parse_challenge(&challenge), "scope")
        .unwrap()
        .to_owned();
    rpc.token = Some(token(&issuer, &server, "bob", &[scope.as_str()]));
    let response = rpc
        .call("create-todo", json!({"content": "buy milk"}))
        .await;
    assert_eq!(response.status(), 200);
    let todo: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(todo["content"], "buy milk");
    assert_eq!(todo["ownerId"], "u-bob");
}

#[tokio::test]
async fn m04_step_up_with_rmcp_client() {
    let issuer = issuer().await;
    let server = todo_manager(&issuer).await;

    let low = client(&server, &token(&issuer, &server, "alice", &[])).await;
    let error = low
        .call_tool(
            CallToolRequestParams::new("create-todo")
                .with_arguments(json!({"content": "x"}).as_object().cloned().unwrap()),
        )
        .await
        .expect_err("403");
    let message = format!("{error:?}");
    assert!(message.contains("insufficient_scope"), "{message}");
    assert!(message.contains("create:todos"), "{message}");
    let _ = low.cancel().await;

    let stepped_up = client(
        &server,
        &token(&issuer, &server, "alice", &["create:todos"]),
    )
    .await;
    let todo = json(
        &call(
            &stepped_up,
            "create-todo",
            json!({"content": "write tests"}),
        )
        .await,
    );
    assert_eq!(todo["ownerId"], "u-alice");
    stepped_up.cancel().await.unwrap();
}

#[tokio::test]
async fn m04_create_todo_step_up_over_legacy_sse() {
    let issuer = issuer().await;
    let server = todo_manager(&issuer).await;

    let low = sse_token(&issuer, &server, "bob", &[]);
    let mut sse = SseSession::open(&server.base_url(), &low).await;
    sse.initialize(&low).await;
    let create = tool_call_with(2, "create-todo", json!({"content": "from sse"}));
    assert_eq!(sse.post(&low, &create).await, 403);

    // A token for the Streamable HTTP resource is not one for the SSE endpoint (RFC 8707).
    let other = token(&issuer, &server, "bob", &["create:todos"]);
    assert_eq!(sse.post(&other, &create).await, 401);

    let high = sse_token(&issuer, &server, "bob", &["create:todos"]);
    assert_eq!(sse.post(&high, &create).await, 202);
    let message = sse.next_response().await;
    assert_eq!(message["id"], 2);
    let todo: Value = serde_json::from_str(tool_text(&message)).unwrap();
    assert_eq!(todo["ownerId"], "u-bob");
}
