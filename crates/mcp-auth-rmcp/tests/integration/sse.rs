//! The legacy HTTP+SSE transport over real sockets.

use std::time::Duration;

use axum::Router;
use mcp_auth_rmcp::auth::MISSING_AUTH_MESSAGE;
use mcp_auth_rmcp::sse::{SseServer, SseServerConfig};
use serde_json::{Value, json};
use tower::ServiceBuilder;

use crate::support::{
    Calls, DEADLINE, ISSUER, Todo, bearer, http, initialize_request, param, parse_challenge, serve,
    tool_call,
};

/// Reads `text/event-stream` events.
struct Events {
    response: reqwest::Response,
    buffer: String,
}

impl Events {
    async fn open(base: &str, path: &str, token: Option<&str>) -> reqwest::Response {
        let mut request = http()
            .get(format!("{base}{path}"))
            .header("accept", "text/event-stream");
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        request.send().await.unwrap()
    }

    fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        Self {
            response,
            buffer: String::new(),
        }
    }

    /// The next event as (name, data), skipping comments.
    async fn next(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut name = String::from("message");
                let mut data = String::new();
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("event: ") {
                        name = v.to_owned();
                    } else if let Some(v) = line.strip_prefix("data: ") {
                        data.push_str(v);
                    }
                }
                if block.starts_with(':') {
                    continue;
                }
                return (name, data);
            }
            let chunk = tokio::time::timeout(DEADLINE, self.response.chunk())
                .await
                .expect("deadline")
                .unwrap()
                .expect("stream ended");
            self.buffer.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }

    async fn next_message(&mut self) -> Value {
        let (name, data) = self.next().await;
        assert_eq!(name, "message");
        serde_json::from_str(&data).unwrap()
    }
}

/// A protected SSE server; returns its base URL and the server (for session counts).
async fn protected(calls: &Calls, config: SseServerConfig) -> (String, SseServer<Todo>) {
    let calls = calls.clone();
    let server = SseServer::new(move || Ok(Todo::new(calls.clone()))).with_config(config);
    let app = server.clone().router().layer(bearer());
    (serve(app).await, server)
}

async fn post(base: &str, endpoint: &str, token: Option<&str>, body: &Value) -> reqwest::Response {
    let mut request = http()
        .post(format!("{base}{endpoint}"))
        .header("content-type", "application/json")
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.unwrap()
}

/// Opens a session and completes the handshake; returns the events and the endpoint.
async fn handshake(base: &str, token: Option<&str>) -> (Events, String) {
    let mut events = Events::new(Events::open(base, "/sse", token).await);
    let (name, endpoint) = events.next().await;
    assert_eq!(name, "endpoint");
    assert!(endpoint.starts_with("/messages?sessionId="), "{endpoint}");

    let response = post(base, &endpoint, token, &initialize_request(1)).await;
    assert_eq!(response.status(), 202);
    let message = events.next_message().await;
    assert_eq!(message["id"], 1);
    assert!(message["result"]["protocolVersion"].is_string());
    let initialized = json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    assert_eq!(
        post(base, &endpoint, token, &initialized).await.status(),
        202
    );
    (events, endpoint)
}

#[tokio::test]
async fn legacy_sse_endpoint_event_and_tool_call() {
    let calls = Calls::default();
    let (base, _server) = protected(&calls, SseServerConfig::new()).await;
    let (mut events, endpoint) = handshake(&base, Some("alice-full")).await;

    let response = post(
        &base,
        &endpoint,
        Some("alice-full"),
        &tool_call(2, "whoami"),
    )
    .await;
    assert_eq!(response.status(), 202);
    let message = events.next_message().await;
    assert_eq!(message["id"], 2);
    assert_eq!(
        message["result"]["content"][0]["text"],
        format!("alice@{ISSUER}")
    );
    assert_eq!(calls.count(), 1);
}

#[tokio::test]
async fn legacy_sse_requires_the_bearer_token_on_both_endpoints() {
    let calls = Calls::default();
    let (base, server) = protected(&calls, SseServerConfig::new()).await;
    let response = Events::open(&base, "/sse", None).await;
    assert_eq!(response.status(), 401);
    let params = parse_challenge(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(param(&params, "error"), None);
    assert_eq!(server.session_count(), 0);

    let (_events, endpoint) = handshake(&base, Some("alice-full")).await;
    let response = post(&base, &endpoint, None, &tool_call(2, "whoami")).await;
    assert_eq!(response.status(), 401);
    let response = post(&base, &endpoint, Some("forged"), &tool_call(2, "whoami")).await;
    assert_eq!(response.status(), 401);
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn m02_sse_session_bound_to_its_user() {
    let calls = Calls::default();
    let (base, _server) = protected(&calls, SseServerConfig::new()).await;
    let (mut events, endpoint) = handshake(&base, Some("alice-full")).await;

    let response = post(&base, &endpoint, Some("bob-full"), &tool_call(99, "whoami")).await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "forbidden");

    // Nothing of Bob's request reached the session: the next event answers Alice's request.
    let response = post(
        &base,
        &endpoint,
        Some("alice-read"),
        &tool_call(3, "whoami"),
    )
    .await;
    assert_eq!(response.status(), 202);
    let message = events.next_message().await;
    assert_eq!(message["id"], 3);
    assert_eq!(
        message["result"]["content"][0]["text"],
        format!("alice@{ISSUER}")
    );
    assert_eq!(calls.count(), 1);
}

#[tokio::test]
async fn message_endpoint_errors() {
    let calls = Calls::default();
    let config = SseServerConfig::new().with_max_body_bytes(1024).unwrap();
    let (base, _server) = protected(&calls, config).await;
    let (_events, endpoint) = handshake(&base, Some("alice-full")).await;
    let token = Some("alice-full");

    let response = post(
        &base,
        "/messages?sessionId=0123",
        token,
        &tool_call(2, "whoami"),
    )
    .await;
    assert_eq!(response.status(), 404);
    let response = post(&base, "/messages", token, &tool_call(2, "whoami")).await;
    assert_eq!(response.status(), 400);

    let mut big = tool_call(2, "whoami");
    big["params"]["arguments"]["padding"] = Value::String("x".repeat(2048));
    let response = post(&base, &endpoint, token, &big).await;
    assert_eq!(response.status(), 413);

    let response = http()
        .post(format!("{base}{endpoint}"))
        .bearer_auth("alice-full")
        .header("content-type", "text/plain")
        .body(tool_call(2, "whoami").to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 415);

    let response = http()
        .post(format!("{base}{endpoint}"))
        .bearer_auth("alice-full")
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], -32700);
    assert_eq!(calls.count(), 0);
}

#[tokio::test]
async fn session_is_removed_when_the_stream_closes() {
    let calls = Calls::default();
    let (base, server) = protected(&calls, SseServerConfig::new()).await;
    let (events, endpoint) = handshake(&base, Some("alice-full")).await;
    assert_eq!(server.session_count(), 1);
    drop(events);

    // The server notices the closed connection; wait for it within a generous bound.
    let deadline = tokio::time::Instant::now() + DEADLINE;
    while server.session_count() != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "session not removed"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let response = post(
        &base,
        &endpoint,
        Some("alice-full"),
        &tool_call(2, "whoami"),
    )
    .await;
    assert_eq!(response.status(), 404);
}

#[tokio::test]
async fn session_cap_is_503() {
    let calls = Calls::default();
    let config = SseServerConfig::new().with_max_sessions(1).unwrap();
    let (base, _server) = protected(&calls, config).await;
    let _first = Events::new(Events::open(&base, "/sse", Some("alice-full")).await);
    let second = Events::open(&base, "/sse", Some("bob-full")).await;
    assert_eq!(second.status(), 503);
    assert!(second.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn endpoint_base_for_a_nested_server() {
    let calls = Calls::default();
    let server = SseServer::new({
        let calls = calls.clone();
        move || Ok(Todo::new(calls.clone()))
    })
    .with_config(
        SseServerConfig::new()
            .with_endpoint_base("/legacy")
            .unwrap(),
    );
    let app = Router::new()
        .nest_service("/legacy", server.router::<()>())
        .layer(bearer());
    let base = serve(app).await;
    let mut events = Events::new(Events::open(&base, "/legacy/sse", Some("alice-full")).await);
    let (name, endpoint) = events.next().await;
    assert_eq!(name, "endpoint");
    assert!(
        endpoint.starts_with("/legacy/messages?sessionId="),
        "{endpoint}"
    );
    let response = post(&base, &endpoint, Some("alice-full"), &initialize_request(1)).await;
    assert_eq!(response.status(), 202);
    assert_eq!(events.next_message().await["id"], 1);
}

/// Without a Bearer layer, sessions are bound to nothing; `Auth` fails with a clear error.
#[tokio::test]
async fn unprotected_sse_server() {
    let calls = Calls::default();
    let server = SseServer::new({
        let calls = calls.clone();
        move || Ok(Todo::new(calls.clone()))
    });
    let base = serve(server.router()).await;
    let (mut events, endpoint) = handshake(&base, None).await;
    assert_eq!(
        post(&base, &endpoint, None, &tool_call(2, "whoami"))
            .await
            .status(),
        202
    );
    let message = events.next_message().await;
    assert_eq!(message["error"]["message"], MISSING_AUTH_MESSAGE);
    assert_eq!(
        post(&base, &endpoint, None, &tool_call(3, "hello"))
            .await
            .status(),
        202
    );
    let message = events.next_message().await;
    assert_eq!(message["result"]["content"][0]["text"], "hello stranger");
}

/// The scope policy in front of the SSE message endpoint; batches (which the legacy transport
/// carries) need the union of their scopes.
#[tokio::test]
async fn scope_policy_over_legacy_sse_with_batches() {
    let calls = Calls::default();
    let server = SseServer::new({
        let calls = calls.clone();
        move || Ok(Todo::new(calls.clone()))
    });
    let service = ServiceBuilder::new()
        .layer(bearer())
        .layer(crate::policy::policy().into_layer())
        .service(server.router::<()>());
    let base = serve(Router::new().fallback_service(service)).await;
    let (mut events, endpoint) = handshake(&base, Some("alice-read")).await;

    let batch = json!([
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "read_todo"}},
        {"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "delete_todo"}},
    ]);
    let response = post(&base, &endpoint, Some("alice-read"), &batch).await;
    assert_eq!(response.status(), 403);
    let params = parse_challenge(response.headers()["www-authenticate"].to_str().unwrap());
    assert_eq!(
        param(&params, "scope"),
        Some("mcp:basic todo:read todo:write")
    );
    assert_eq!(calls.count(), 0);

    let response = post(&base, &endpoint, Some("alice-full"), &batch).await;
    assert_eq!(response.status(), 202);
    let mut ids = vec![
        events.next_message().await["id"].as_u64().unwrap(),
        events.next_message().await["id"].as_u64().unwrap(),
    ];
    ids.sort_unstable();
    assert_eq!(ids, [2, 3]);
    assert_eq!(calls.count(), 2);
}
