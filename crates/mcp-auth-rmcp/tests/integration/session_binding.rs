//! Streamable HTTP sessions bound to the principal that created them (battery M02).

use axum::Router;
use mcp_auth_rmcp::SessionBindingLayer;
use tower::ServiceBuilder;

use crate::support::{Calls, ISSUER, Rpc, bearer, read_message, serve, streamable, tool_text};

async fn server(calls: &Calls, binding: &SessionBindingLayer) -> String {
    let service = ServiceBuilder::new()
        .layer(bearer())
        .layer(binding.clone())
        .service(streamable(calls));
    let base = serve(Router::new().nest_service("/mcp", service)).await;
    format!("{base}/mcp")
}

#[tokio::test]
async fn m02_streamable_http_session_bound_to_its_user() {
    let calls = Calls::default();
    let binding = SessionBindingLayer::new();
    let url = server(&calls, &binding).await;
    let mut alice = Rpc::new(&url, Some("alice-full"));
    alice.initialize().await;
    assert_eq!(binding.len(), 1);

    // Bob, with a valid token of his own, presents Alice's session id.
    let mut bob = Rpc::new(&url, Some("bob-full"));
    bob.session = alice.session.clone();
    let response = bob.call_tool("whoami").await;
    assert_eq!(response.status(), 404, "looks like an unknown session");
    assert_eq!(calls.count(), 0, "Bob never acts inside Alice's session");

    // Alice's session is unaffected; another token of hers (other scopes) is the same principal.
    alice.token = Some("alice-read".to_owned());
    let response = alice.call_tool("whoami").await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        tool_text(&read_message(response).await),
        format!("alice@{ISSUER}")
    );
    assert_eq!(calls.count(), 1);

    // Bob can still start a session of his own.
    let mut bob = Rpc::new(&url, Some("bob-full"));
    bob.initialize().await;
    let response = bob.call_tool("whoami").await;
    assert_eq!(
        tool_text(&read_message(response).await),
        format!("bob@{ISSUER}")
    );
    assert_eq!(binding.len(), 2);
}

#[tokio::test]
async fn m02_unknown_session_ids_are_refused_for_authenticated_callers() {
    let calls = Calls::default();
    let binding = SessionBindingLayer::new();
    let url = server(&calls, &binding).await;
    let mut rpc = Rpc::new(&url, Some("alice-full"));
    rpc.session = Some("not-a-session".to_owned());
    let response = rpc.call_tool("whoami").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn delete_removes_the_binding() {
    let calls = Calls::default();
    let binding = SessionBindingLayer::new();
    let url = server(&calls, &binding).await;
    let mut alice = Rpc::new(&url, Some("alice-full"));
    alice.initialize().await;
    let session = alice.session.clone().unwrap();

    // Bob cannot end Alice's session.
    let bob_delete = alice
        .client
        .delete(&url)
        .bearer_auth("bob-full")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", crate::support::PROTOCOL)
        .send()
        .await
        .unwrap();
    assert_eq!(bob_delete.status(), 404);
    assert_eq!(binding.len(), 1);

    let delete = alice
        .client
        .delete(&url)
        .bearer_auth("alice-full")
        .header("mcp-session-id", &session)
        .header("mcp-protocol-version", crate::support::PROTOCOL)
        .send()
        .await
        .unwrap();
    assert!(delete.status().is_success(), "{}", delete.status());
    assert!(binding.is_empty());
    let response = alice.call_tool("whoami").await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn several_session_id_fields_are_400() {
    let calls = Calls::default();
    let binding = SessionBindingLayer::new();
    let url = server(&calls, &binding).await;
    let mut alice = Rpc::new(&url, Some("alice-full"));
    alice.initialize().await;
    let session = alice.session.clone().unwrap();
    let response = alice
        .post(
            &crate::support::tool_call(9, "whoami"),
            &[("mcp-session-id", session.as_str())],
        )
        .await;
    assert_eq!(response.status(), 400);
    assert_eq!(calls.count(), 0);
}
