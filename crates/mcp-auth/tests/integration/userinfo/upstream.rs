//! A local authorization server for the userinfo and introspection tests: RFC 8414 metadata,
//! `GET /userinfo` and `POST /introspect` on 127.0.0.1:0, with knobs (a forced answer, a delay,
//! metadata members) and a record of every request it received.
#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use mcp_auth::metadata::AuthorizationServerMetadata;
use mcp_auth::{AuthServer, AuthServerConfig, AuthServerType};
use serde_json::{Value, json};
use tokio::task::JoinHandle;

/// An answer forced on `/userinfo` and `/introspect` while set.
#[derive(Clone)]
pub struct Forced {
    pub status: u16,
    pub content_type: Option<&'static str>,
    pub body: Vec<u8>,
}

impl Forced {
    pub fn status(status: u16) -> Self {
        Self {
            status,
            content_type: None,
            body: Vec::new(),
        }
    }

    pub fn body(content_type: &'static str, body: impl Into<Vec<u8>>) -> Self {
        Self {
            status: 200,
            content_type: Some(content_type),
            body: body.into(),
        }
    }
}

/// One request the server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(&self.body)
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect()
    }

    pub fn form_value(&self, name: &str) -> Option<String> {
        self.form()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

#[derive(Default)]
struct Knobs {
    forced: Option<Forced>,
    delay: Option<Duration>,
    /// Members merged into the metadata document (`null` removes one).
    metadata: serde_json::Map<String, Value>,
    /// What `/userinfo` answers per token; unknown tokens get 401.
    userinfo: HashMap<String, Value>,
    /// What `/introspect` answers per token; unknown tokens get `{"active":false}`.
    introspection: HashMap<String, Value>,
    /// The expected `Authorization` value, or `client_id`/`client_secret` form values.
    client: Option<Expected>,
}

#[derive(Clone)]
pub enum Expected {
    Basic(String),
    Post(String, String),
}

struct Shared {
    url: String,
    knobs: Mutex<Knobs>,
    seen: Mutex<Vec<Seen>>,
}

/// The local authorization server. Stops when dropped.
pub struct Upstream {
    pub url: String,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Upstream {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let shared = Arc::new(Shared {
            url: url.clone(),
            knobs: Mutex::new(Knobs::default()),
            seen: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/userinfo", any(userinfo))
            .route("/introspect", any(introspect))
            .with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, shared, task }
    }

    /// The metadata document as served.
    pub fn metadata_json(&self) -> Value {
        document(&self.shared)
    }

    /// The metadata as a configuration known now (`AuthServer::from_config`).
    pub fn auth_server(&self) -> AuthServer {
        let metadata: AuthorizationServerMetadata =
            serde_json::from_value(self.metadata_json()).unwrap();
        AuthServer::from_config(AuthServerConfig::new(metadata)).unwrap()
    }

    /// A lazily discovered server.
    pub fn lazy_server(&self) -> AuthServer {
        AuthServer::lazy(&self.url, Some(AuthServerType::OAuth)).unwrap()
    }

    pub fn set_metadata(&self, name: &str, value: Value) {
        self.shared
            .knobs
            .lock()
            .unwrap()
            .metadata
            .insert(name.to_owned(), value);
    }

    pub fn userinfo_for(&self, token: &str, answer: Value) {
        let mut knobs = self.shared.knobs.lock().unwrap();
        knobs.userinfo.insert(token.to_owned(), answer);
    }

    pub fn introspection_for(&self, token: &str, answer: Value) {
        let mut knobs = self.shared.knobs.lock().unwrap();
        knobs.introspection.insert(token.to_owned(), answer);
    }

    pub fn expect_client(&self, expected: Expected) {
        self.shared.knobs.lock().unwrap().client = Some(expected);
    }

    pub fn force(&self, forced: Option<Forced>) {
        self.shared.knobs.lock().unwrap().forced = forced;
    }

    pub fn delay(&self, delay: Option<Duration>) {
        self.shared.knobs.lock().unwrap().delay = delay;
    }

    /// Requests received on `path`.
    pub fn seen(&self, path: &str) -> Vec<Seen> {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter().filter(|s| s.path == path).cloned().collect()
    }

    pub fn hits(&self, path: &str) -> usize {
        self.seen(path).len()
    }
}

fn document(shared: &Shared) -> Value {
    let iss = &shared.url;
    let mut doc = json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "userinfo_endpoint": format!("{iss}/userinfo"),
        "introspection_endpoint": format!("{iss}/introspect"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    });
    let knobs = shared.knobs.lock().unwrap();
    for (name, value) in &knobs.metadata {
        match value {
            Value::Null => {
                doc.as_object_mut().unwrap().remove(name);
            }
            other => doc[name] = other.clone(),
        }
    }
    doc
}

async fn metadata(State(shared): State<Arc<Shared>>) -> Response {
    axum::Json(document(&shared)).into_response()
}

/// Records the request, applies the delay, and returns the forced answer if any.
async fn record(
    shared: &Shared,
    method: Method,
    path: &str,
    headers: HeaderMap,
    body: Bytes,
) -> Result<(Knobs2, Seen), Response> {
    let seen = Seen {
        method,
        path: path.to_owned(),
        headers,
        body: body.to_vec(),
    };
    shared.seen.lock().unwrap().push(seen.clone());
    let (forced, delay, knobs) = {
        let knobs = shared.knobs.lock().unwrap();
        (
            knobs.forced.clone(),
            knobs.delay,
            Knobs2 {
                userinfo: knobs.userinfo.clone(),
                introspection: knobs.introspection.clone(),
                client: knobs.client.clone(),
            },
        )
    };
    if let Some(delay) = delay {
        tokio::time::sleep(delay).await;
    }
    if let Some(forced) = forced {
        let mut response =
            (StatusCode::from_u16(forced.status).unwrap(), forced.body).into_response();
        if let Some(ct) = forced.content_type {
            response
                .headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
        }
        return Err(response);
    }
    Ok((knobs, seen))
}

/// A snapshot of the answer tables.
struct Knobs2 {
    userinfo: HashMap<String, Value>,
    introspection: HashMap<String, Value>,
    client: Option<Expected>,
}

async fn userinfo(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (knobs, seen) = match record(&shared, method, "/userinfo", headers, body).await {
        Ok(ok) => ok,
        Err(forced) => return forced,
    };
    let token = seen
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match knobs.userinfo.get(token) {
        Some(answer) if seen.method == Method::GET => axum::Json(answer.clone()).into_response(),
        _ => (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response(),
    }
}

async fn introspect(
    State(shared): State<Arc<Shared>>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (knobs, seen) = match record(&shared, method, "/introspect", headers, body).await {
        Ok(ok) => ok,
        Err(forced) => return forced,
    };
    let authenticated = match &knobs.client {
        None => true,
        Some(Expected::Basic(value)) => seen.header("authorization") == Some(value.as_str()),
        Some(Expected::Post(id, secret)) => {
            seen.form_value("client_id").as_ref() == Some(id)
                && seen.form_value("client_secret").as_ref() == Some(secret)
        }
    };
    if seen.method != Method::POST || !authenticated {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let token = seen.form_value("token").unwrap_or_default();
    let answer = knobs
        .introspection
        .get(&token)
        .cloned()
        .unwrap_or_else(|| json!({"active": false}));
    axum::Json(answer).into_response()
}
