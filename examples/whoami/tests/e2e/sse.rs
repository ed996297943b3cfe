//! The tutorial's own transport, legacy HTTP+SSE, with raw HTTP: `GET /sse` announces the
//! message endpoint; `initialize` and `tools/call` are POSTed there and answered on the stream.

use mcp_auth_examples::testing::{SseSession, http, param, parse_challenge, send, tool_call};
use serde_json::Value;

use crate::support::{issuer, sse_user_token, user_claims, user_token, whoami};

#[tokio::test]
async fn whoami_over_legacy_sse() {
    let issuer = issuer().await;
    let server = whoami(&issuer, "userinfo", &[]).await;

    // Without a token the event stream is not opened. The challenge names the SSE endpoint's
    // own metadata, whose `resource` is the endpoint (RFC 9728 §3.3).
    let response = send(http().get(server.sse_url())).await;
    assert_eq!(response.status(), 401);
    let params = parse_challenge(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(
        param(&params, "resource_metadata"),
        Some(server.sse_metadata_url())
    );
    assert_ne!(server.sse_metadata_url(), server.metadata_url());
    let prm: Value = send(http().get(server.sse_metadata_url()))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(prm["resource"], server.sse_url());
    assert_eq!(prm["resource"], server.sse_resource());

    // A token for the Streamable HTTP endpoint's resource is refused here (RFC 8707 audience).
    let mcp_token = user_token(&issuer, &server, "alice");
    let response = send(http().get(server.sse_url()).bearer_auth(&mcp_token)).await;
    assert_eq!(response.status(), 401);

    let token = sse_user_token(&issuer, &server, "alice");
    let mut sse = SseSession::open(&server.base_url(), &token).await;
    assert!(
        sse.endpoint
            .starts_with(&format!("{}/messages?sessionId=", server.base_url())),
        "{}",
        sse.endpoint
    );
    let initialized = sse.initialize(&token).await;
    assert_eq!(initialized["result"]["serverInfo"]["name"], "WhoAmI");

    assert_eq!(sse.post(&token, &tool_call(2, "whoami")).await, 202);
    let message = sse.next_response().await;
    assert_eq!(message["id"], 2);
    let text = message["result"]["content"][0]["text"].as_str().unwrap();
    let claims: Value = serde_json::from_str(text).unwrap();
    assert_eq!(claims, Value::Object(user_claims(&issuer, "alice")));

    // A POST without a token is refused by the Bearer layer before the session is looked up.
    let response = send(
        http()
            .post(&sse.endpoint)
            .header("content-type", "application/json")
            .body(tool_call(3, "whoami").to_string()),
    )
    .await;
    assert_eq!(response.status(), 401);
}
