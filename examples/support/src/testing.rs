//! Raw HTTP helpers for the examples' end-to-end tests (feature `testing`): a JSON-RPC client
//! for Streamable HTTP sessions, a client for the legacy SSE transport, `WWW-Authenticate`
//! parsing, and the token endpoint.
//!
//! Every helper **panics** on failure, with a message: they are meant for tests only. Every
//! network step has a generous deadline ([`DEADLINE`]) so a broken server fails a test instead
//! of hanging it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::missing_panics_doc)]

use std::time::Duration;

use serde_json::{Value, json};

use crate::banner::CURL_PROTOCOL_VERSION;

/// The upper bound for any single network step.
pub const DEADLINE: Duration = Duration::from_secs(15);

/// A client without proxies or redirects.
#[must_use]
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client")
}

/// Sends `request` within [`DEADLINE`].
pub async fn send(request: reqwest::RequestBuilder) -> reqwest::Response {
    tokio::time::timeout(DEADLINE, request.send())
        .await
        .expect("the request finished within the deadline")
        .expect("the request was sent")
}

/// A `tools/call` request without arguments.
#[must_use]
pub fn tool_call(id: u64, name: &str) -> Value {
    tool_call_with(id, name, json!({}))
}

/// A `tools/call` request with `arguments`.
#[must_use]
pub fn tool_call_with(id: u64, name: &str, arguments: Value) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}
    })
}

/// An `initialize` request for [`CURL_PROTOCOL_VERSION`].
#[must_use]
pub fn initialize_request(id: u64) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": CURL_PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "mcp-auth-examples-tests", "version": "0"}
        }
    })
}

/// The `notifications/initialized` notification.
#[must_use]
pub fn initialized_notification() -> Value {
    json!({"jsonrpc": "2.0", "method": "notifications/initialized"})
}

/// A raw Streamable HTTP JSON-RPC client holding one session.
#[derive(Debug)]
pub struct Rpc {
    client: reqwest::Client,
    url: String,
    /// The bearer token sent with every request.
    pub token: Option<String>,
    /// The session id, once initialized (or set by hand).
    pub session: Option<String>,
    next_id: u64,
}

impl Rpc {
    /// A client for the endpoint `url`.
    #[must_use]
    pub fn new(url: &str, token: Option<&str>) -> Self {
        Self {
            client: http(),
            url: url.to_owned(),
            token: token.map(str::to_owned),
            session: None,
            next_id: 1,
        }
    }

    /// POSTs `body` with the Streamable HTTP headers, the token and the session.
    pub async fn post(&self, body: &Value) -> reqwest::Response {
        let mut request = self
            .client
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body.to_string());
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", CURL_PROTOCOL_VERSION);
        }
        send(request).await
    }

    /// `initialize` then `notifications/initialized`; keeps the session id. Returns the
    /// `initialize` result message.
    pub async fn initialize(&mut self) -> Value {
        let response = self.post(&initialize_request(1)).await;
        assert_eq!(response.status(), 200, "initialize");
        let session = response
            .headers()
            .get("mcp-session-id")
            .expect("a session id")
            .to_str()
            .unwrap()
            .to_owned();
        let message = read_message(response).await;
        self.session = Some(session);
        let response = self.post(&initialized_notification()).await;
        assert_eq!(response.status(), 202, "notifications/initialized");
        message
    }

    /// `tools/call` of `name` with `arguments`; returns the HTTP response.
    pub async fn call(&mut self, name: &str, arguments: Value) -> reqwest::Response {
        self.next_id += 1;
        self.post(&tool_call_with(self.next_id, name, arguments))
            .await
    }
}

/// The first JSON-RPC response (a message with an `id` and a `result` or `error`) in a JSON or
/// SSE response body.
pub async fn read_message(mut response: reqwest::Response) -> Value {
    let is_json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap_or("").starts_with("application/json"));
    if is_json {
        let text = tokio::time::timeout(DEADLINE, response.text())
            .await
            .expect("deadline")
            .unwrap();
        return serde_json::from_str(&text).unwrap();
    }
    let mut buffer = String::new();
    loop {
        if let Some(message) = buffer
            .lines()
            .filter_map(|line| line.strip_prefix("data:"))
            .filter_map(|data| serde_json::from_str::<Value>(data.trim()).ok())
            .find(is_response)
        {
            return message;
        }
        let chunk = tokio::time::timeout(DEADLINE, response.chunk())
            .await
            .expect("deadline")
            .unwrap()
            .expect("the stream ended without a response");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

fn is_response(message: &Value) -> bool {
    message.get("id").is_some()
        && (message.get("result").is_some() || message.get("error").is_some())
}

/// The text of the first content block of a `tools/call` result message.
#[must_use]
pub fn tool_text(message: &Value) -> &str {
    message["result"]["content"][0]["text"]
        .as_str()
        .unwrap_or_else(|| panic!("a text result: {message}"))
}

/// The parameters of a single `Bearer` challenge, in order; asserts its syntax (`name="value"`
/// pairs separated by `, `, each name once).
#[must_use]
pub fn parse_challenge(value: &str) -> Vec<(String, String)> {
    let mut rest = value.strip_prefix("Bearer ").expect("a Bearer challenge");
    let mut params: Vec<(String, String)> = Vec::new();
    loop {
        let (name, after) = rest.split_once("=\"").expect("name=\"value\"");
        let end = after.find('"').expect("a closing quote");
        assert!(params.iter().all(|(n, _)| n != name), "{name} repeated");
        params.push((name.to_owned(), after[..end].to_owned()));
        rest = &after[end + 1..];
        if rest.is_empty() {
            return params;
        }
        rest = rest.strip_prefix(", ").expect("`, ` between parameters");
    }
}

/// The value of parameter `name` of a parsed challenge.
#[must_use]
pub fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// A client-credentials access token from `issuer`'s `/token` endpoint over HTTP (RFC 6749
/// §4.4), for `resource` (RFC 8707), authenticated with HTTP Basic.
pub async fn client_credentials_token(
    issuer: &str,
    client: (&str, &str),
    resource: &str,
    scope: &str,
) -> String {
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("resource", resource)
        .append_pair("scope", scope)
        .finish();
    let request = http()
        .post(format!("{issuer}/token"))
        .basic_auth(client.0, Some(client.1))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body);
    let response = send(request).await;
    assert_eq!(response.status(), 200, "token endpoint");
    let body: Value = response.json().await.unwrap();
    body["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

/// A session of the legacy HTTP+SSE transport: the open event stream and the message endpoint
/// it announced.
#[derive(Debug)]
pub struct SseSession {
    stream: reqwest::Response,
    buffer: String,
    /// The absolute message endpoint (`.../messages?sessionId=...`).
    pub endpoint: String,
    client: reqwest::Client,
}

impl SseSession {
    /// Opens `base + "/sse"` with `token`; reads the `endpoint` event.
    pub async fn open(base: &str, token: &str) -> Self {
        let client = http();
        let stream = send(
            client
                .get(format!("{base}/sse"))
                .bearer_auth(token)
                .header("accept", "text/event-stream"),
        )
        .await;
        assert_eq!(stream.status(), 200, "GET /sse");
        let mut session = Self {
            stream,
            buffer: String::new(),
            endpoint: String::new(),
            client,
        };
        let (event, data) = session.next_event().await;
        assert_eq!(event, "endpoint");
        session.endpoint = format!("{base}{data}");
        session
    }

    /// The next event: its `event` name (default `message`) and `data`.
    pub async fn next_event(&mut self) -> (String, String) {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = "message".to_owned();
                let mut data = Vec::new();
                for line in block.lines() {
                    if let Some(value) = line.strip_prefix("event:") {
                        value.trim().clone_into(&mut event);
                    } else if let Some(value) = line.strip_prefix("data:") {
                        data.push(value.strip_prefix(' ').unwrap_or(value).to_owned());
                    }
                }
                if data.is_empty() {
                    continue; // a keep-alive comment
                }
                return (event, data.join("\n"));
            }
            let chunk = tokio::time::timeout(DEADLINE, self.stream.chunk())
                .await
                .expect("deadline")
                .unwrap()
                .expect("the event stream ended");
            self.buffer
                .push_str(&std::str::from_utf8(&chunk).unwrap().replace("\r\n", "\n"));
        }
    }

    /// The next JSON-RPC response on the stream.
    pub async fn next_response(&mut self) -> Value {
        loop {
            let (event, data) = self.next_event().await;
            if event != "message" {
                continue;
            }
            let message: Value = serde_json::from_str(&data).unwrap();
            if is_response(&message) {
                return message;
            }
        }
    }

    /// POSTs `message` to the session's endpoint with `token`; returns the status.
    pub async fn post(&self, token: &str, message: &Value) -> u16 {
        let request = self
            .client
            .post(&self.endpoint)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(message.to_string());
        send(request).await.status().as_u16()
    }

    /// `initialize` (answer read from the stream) and `notifications/initialized`.
    pub async fn initialize(&mut self, token: &str) -> Value {
        assert_eq!(self.post(token, &initialize_request(1)).await, 202);
        let message = self.next_response().await;
        assert_eq!(self.post(token, &initialized_notification()).await, 202);
        message
    }
}
