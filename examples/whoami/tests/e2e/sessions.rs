//! Battery M02: a session opened by one user cannot be used with another user's token, over
//! Streamable HTTP and over legacy SSE.

use mcp_auth_examples::testing::tool_call;
use mcp_auth_examples::testing::{Rpc, SseSession, read_message, tool_text};
use serde_json::{Value, json};

use crate::support::{issuer, sse_user_token, user_claims, user_token, whoami};

#[tokio::test]
async fn m02_streamable_http_session_of_alice_refuses_bobs_token() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "jwt", &[]).await;
    let alice_token = user_token(&issuer, &server, "alice");
    let bob_token = user_token(&issuer, &server, "bob");

    let mut alice = Rpc::new(&server.mcp_url(), Some(&alice_token));
    alice.initialize().await;

    // Bob, with a valid token of his own, presents Alice's session id: answered as an unknown
    // session, and nothing runs inside Alice's session.
    let mut bob = Rpc::new(&server.mcp_url(), Some(&bob_token));
    bob.session = alice.session.clone();
    let response = bob.call("whoami", json!({})).await;
    assert_eq!(response.status(), 404);

    // Alice's session still works, as Alice.
    let response = alice.call("whoami", json!({})).await;
    assert_eq!(response.status(), 200);
    let claims: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(claims["sub"], "u-alice");

    // Bob can open a session of his own.
    let mut bob = Rpc::new(&server.mcp_url(), Some(&bob_token));
    bob.initialize().await;
    let response = bob.call("whoami", json!({})).await;
    let claims: Value = serde_json::from_str(tool_text(&read_message(response).await)).unwrap();
    assert_eq!(claims["sub"], "u-bob");
}

#[tokio::test]
async fn m02_sse_session_of_alice_refuses_bobs_token() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "userinfo", &[]).await;
    let alice_token = sse_user_token(&issuer, &server, "alice");
    let bob_token = sse_user_token(&issuer, &server, "bob");

    let mut alice = SseSession::open(&server.base_url(), &alice_token).await;
    alice.initialize(&alice_token).await;

    // Bob posts to Alice's session endpoint with his own valid token: refused.
    assert_eq!(alice.post(&bob_token, &tool_call(2, "whoami")).await, 403);

    // Bob's message was never handed to Alice's server: the next answer on her stream is the
    // one to her own call, with her claims.
    assert_eq!(alice.post(&alice_token, &tool_call(3, "whoami")).await, 202);
    let message = alice.next_response().await;
    assert_eq!(message["id"], 3);
    let claims: Value = serde_json::from_str(tool_text(&message)).unwrap();
    assert_eq!(claims, Value::Object(user_claims(&issuer, "alice")));
}
