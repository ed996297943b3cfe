//! Shared fixtures: fixed opaque tokens, a Todo MCP server, HTTP helpers.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use mcp_auth::layer::BearerAuthLayer;
use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
use mcp_auth_rmcp::{Auth, MaybeAuth, auth_info};
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    GetPromptRequestParams, GetPromptResponse, GetPromptResult, PromptMessage,
    ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents, Role,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::transport::streamable_http_server::session::local::LocalSessionManager;
use rmcp::transport::streamable_http_server::{StreamableHttpServerConfig, StreamableHttpService};
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use serde_json::{Value, json};

pub const ISSUER: &str = "https://as.example.com";
pub const PRM: &str = "https://mcp.example.com/.well-known/oauth-protected-resource/mcp";
/// The protocol version the raw clients speak (session-based Streamable HTTP).
pub const PROTOCOL: &str = "2025-11-25";
/// A generous upper bound for any single network step.
pub const DEADLINE: Duration = Duration::from_secs(10);

/// Fixed opaque tokens: `<user>-<level>`.
pub async fn verify(token: BearerToken) -> Result<AuthInfo, VerifyError> {
    let (subject, scopes): (&str, &[&str]) = match token.secret() {
        "alice-basic" => ("alice", &["mcp:basic"]),
        "alice-read" => ("alice", &["mcp:basic", "todo:read"]),
        "alice-full" => ("alice", &["mcp:basic", "todo:read", "todo:write"]),
        "bob-full" => ("bob", &["mcp:basic", "todo:read", "todo:write"]),
        _ => return Err(VerifyError::new(VerifyErrorKind::InvalidSignature)),
    };
    Ok(AuthInfo::new(token, ISSUER, subject).with_scopes(scopes.iter().copied()))
}

/// The Bearer layer of every protected test server: requires `mcp:basic`.
pub fn bearer() -> BearerAuthLayer {
    BearerAuthLayer::new(verify)
        .with_resource_metadata(PRM)
        .unwrap()
        .require_scopes(["mcp:basic"])
        .unwrap()
}

/// Counts handler invocations (battery invariant I1: refused requests never reach a handler).
#[derive(Clone, Default)]
pub struct Calls(Arc<AtomicUsize>);

impl Calls {
    pub fn count(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn hit(&self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// The test MCP server: tools, a templated resource and a prompt, all reading the identity.
#[derive(Clone)]
pub struct Todo {
    tool_router: ToolRouter<Self>,
    calls: Calls,
}

impl Todo {
    pub fn new(calls: Calls) -> Self {
        Self {
            tool_router: Self::tool_router(),
            calls,
        }
    }
}

#[tool_router]
impl Todo {
    #[tool(description = "Returns the caller's subject and issuer")]
    fn whoami(&self, Auth(info): Auth) -> String {
        self.calls.hit();
        format!("{}@{}", info.subject, info.issuer)
    }

    #[tool(description = "Greets the caller, if known")]
    fn hello(&self, MaybeAuth(info): MaybeAuth) -> String {
        self.calls.hit();
        match info {
            Some(info) => format!("hello {}", info.subject),
            None => "hello stranger".to_owned(),
        }
    }

    #[tool(description = "Reads the todos")]
    fn read_todo(&self, Auth(info): Auth) -> String {
        self.calls.hit();
        format!("todos of {}", info.subject)
    }

    #[tool(description = "Deletes a todo")]
    fn delete_todo(&self, Auth(info): Auth) -> String {
        self.calls.hit();
        format!("deleted by {}", info.subject)
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for Todo {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, ErrorData> {
        self.calls.hit();
        let subject = auth_info(&ctx).map_or("nobody", |info| info.subject.as_str());
        let text = format!("{} for {subject}", request.uri);
        Ok(ReadResourceResult::new(vec![ResourceContents::text(text, request.uri)]).into())
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        self.calls.hit();
        let subject = auth_info(&ctx).map_or("nobody", |info| info.subject.as_str());
        let text = format!("{} for {subject}", request.name);
        Ok(GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)]).into())
    }
}

/// rmcp's Streamable HTTP service (session mode) making `Todo` servers.
pub fn streamable(calls: &Calls) -> StreamableHttpService<Todo, LocalSessionManager> {
    let calls = calls.clone();
    StreamableHttpService::new(
        move || Ok(Todo::new(calls.clone())),
        Arc::new(LocalSessionManager::default()),
        StreamableHttpServerConfig::default(),
    )
}

/// Serves `app` on 127.0.0.1 (ephemeral port); returns `http://127.0.0.1:<port>`.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A raw Streamable HTTP JSON-RPC client (session mode).
pub struct Rpc {
    pub client: reqwest::Client,
    pub url: String,
    pub token: Option<String>,
    pub session: Option<String>,
    next_id: u64,
}

impl Rpc {
    pub fn new(url: &str, token: Option<&str>) -> Self {
        Self {
            client: http(),
            url: url.to_owned(),
            token: token.map(str::to_owned),
            session: None,
            next_id: 1,
        }
    }

    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A POST with the standard headers plus `extra`.
    pub async fn post(&self, body: &Value, extra: &[(&str, &str)]) -> reqwest::Response {
        self.post_raw(body.to_string(), extra).await
    }

    pub async fn post_raw(&self, body: String, extra: &[(&str, &str)]) -> reqwest::Response {
        let mut request = self
            .client
            .post(&self.url)
            .header("accept", "application/json, text/event-stream")
            .header("content-type", "application/json")
            .body(body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        if let Some(session) = &self.session {
            request = request
                .header("mcp-session-id", session)
                .header("mcp-protocol-version", PROTOCOL);
        }
        for (name, value) in extra {
            request = request.header(*name, *value);
        }
        tokio::time::timeout(DEADLINE, request.send())
            .await
            .expect("deadline")
            .unwrap()
    }

    /// `initialize` + `notifications/initialized`; keeps the session id.
    pub async fn initialize(&mut self) {
        let response = self.post(&initialize_request(1), &[]).await;
        assert_eq!(response.status(), 200);
        let session = response.headers()["mcp-session-id"]
            .to_str()
            .unwrap()
            .to_owned();
        let message = read_message(response).await;
        assert_eq!(message["result"]["protocolVersion"], PROTOCOL);
        self.session = Some(session);
        let response = self
            .post(
                &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}),
                &[],
            )
            .await;
        assert_eq!(response.status(), 202);
    }

    /// `tools/call` of `name`; returns the HTTP response.
    pub async fn call_tool(&mut self, name: &str) -> reqwest::Response {
        let id = self.next_id();
        self.post(&tool_call(id, name), &[]).await
    }
}

pub fn initialize_request(id: u64) -> Value {
    json!({
        "jsonrpc": "2.0", "id": id, "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL,
            "capabilities": {},
            "clientInfo": {"name": "mcp-auth-rmcp-tests", "version": "0"}
        }
    })
}

pub fn tool_call(id: u64, name: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": {}}})
}

/// The first JSON-RPC response (a message with an `id` and a `result` or `error`) in a JSON or
/// SSE response body.
pub async fn read_message(mut response: reqwest::Response) -> Value {
    let is_json = response
        .headers()
        .get("content-type")
        .is_some_and(|v| v.to_str().unwrap().starts_with("application/json"));
    if is_json {
        let text = tokio::time::timeout(DEADLINE, response.text())
            .await
            .unwrap()
            .unwrap();
        return serde_json::from_str(&text).unwrap();
    }
    let mut buffer = String::new();
    loop {
        for line in buffer.lines() {
            if let Some(data) = line.strip_prefix("data:")
                && let Ok(message) = serde_json::from_str::<Value>(data.trim())
                && message.get("id").is_some()
                && (message.get("result").is_some() || message.get("error").is_some())
            {
                return message;
            }
        }
        let chunk = tokio::time::timeout(DEADLINE, response.chunk())
            .await
            .expect("deadline")
            .unwrap()
            .expect("the stream ended without a response");
        buffer.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// The text of the first content block of a `tools/call` result.
pub fn tool_text(message: &Value) -> &str {
    message["result"]["content"][0]["text"].as_str().unwrap()
}

/// Strict check of a `WWW-Authenticate` value (battery I5/G11): one `Bearer` challenge,
/// `name="value"` parameters separated by `, `, each at most once, quoted values with only
/// visible ASCII and spaces, `error` from RFC 6750, `resource_metadata` the configured URL.
/// Returns the parameters.
pub fn parse_challenge(value: &str) -> Vec<(String, String)> {
    let rest = value.strip_prefix("Bearer ").expect("one Bearer challenge");
    let mut params: Vec<(String, String)> = Vec::new();
    let mut rest = rest;
    loop {
        let (name, after) = rest.split_once("=\"").expect("name=\"value\"");
        assert!(
            name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{name}"
        );
        let end = after.find('"').expect("closing quote");
        let value = &after[..end];
        assert!(value.bytes().all(|b| b == b' ' || b.is_ascii_graphic()));
        assert!(!value.contains('\\'));
        assert!(params.iter().all(|(n, _)| n != name), "{name} repeated");
        params.push((name.to_owned(), value.to_owned()));
        rest = &after[end + 1..];
        if rest.is_empty() {
            break;
        }
        rest = rest.strip_prefix(", ").expect("`, ` between parameters");
    }
    for (name, value) in &params {
        match name.as_str() {
            "error" => assert!(
                ["invalid_request", "invalid_token", "insufficient_scope"]
                    .contains(&value.as_str())
            ),
            "resource_metadata" => assert_eq!(value, PRM),
            "scope" => assert!(!value.is_empty() && !value.contains("  ")),
            "error_description" => {}
            other => panic!("unexpected parameter {other}"),
        }
    }
    params
}

/// The value of parameter `name` in `params`.
pub fn param<'p>(params: &'p [(String, String)], name: &str) -> Option<&'p str> {
    params
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}
