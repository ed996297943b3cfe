//! The local issuer (RFC 8414 / OIDC metadata and a JWKS with knobs, a record of every request
//! path), a canary listener that must never be contacted, and a `tracing` capture.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use mcp_auth::clock::ManualClock;
use mcp_auth::{AuthServer, AuthServerType, JwtVerifier};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use super::{RESOURCE, TestKey, valid_claims};

/// What `/jwks` answers (beyond the published keys).
#[derive(Clone, Default)]
struct JwksKnobs {
    status: Option<u16>,
    body: Option<Vec<u8>>,
    cache_control: Option<String>,
    delay: Option<Duration>,
}

struct IssuerState {
    issuer: String,
    keys: Mutex<Vec<Value>>,
    knobs: Mutex<JwksKnobs>,
    metadata_hits: AtomicUsize,
    jwks_hits: AtomicUsize,
    /// While set, metadata answers wait until the gate reads `true`.
    metadata_gate: Mutex<Option<watch::Receiver<bool>>>,
    /// The path of every request received, in order.
    paths: Mutex<Vec<String>>,
}

/// A local authorization server (metadata + JWKS) on `http://127.0.0.1:<port>`.
pub struct Issuer {
    pub url: String,
    state: Arc<IssuerState>,
    task: JoinHandle<()>,
}

impl Drop for Issuer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Issuer {
    /// Starts an issuer publishing the public keys of `keys`.
    pub async fn start(keys: &[&TestKey]) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr: SocketAddr = listener.local_addr().unwrap();
        let url = format!("http://{addr}");
        let state = Arc::new(IssuerState {
            issuer: url.clone(),
            keys: Mutex::new(keys.iter().map(|k| k.jwk()).collect()),
            knobs: Mutex::new(JwksKnobs::default()),
            metadata_hits: AtomicUsize::new(0),
            jwks_hits: AtomicUsize::new(0),
            metadata_gate: Mutex::new(None),
            paths: Mutex::new(Vec::new()),
        });
        let app = Router::new()
            .route("/.well-known/oauth-authorization-server", get(metadata))
            .route("/.well-known/openid-configuration", get(metadata))
            .route("/jwks", get(jwks))
            .fallback(|| async { StatusCode::NOT_FOUND })
            .layer(middleware::from_fn_with_state(Arc::clone(&state), record))
            .with_state(Arc::clone(&state));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, state, task }
    }

    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks", self.url)
    }

    /// A lazily discovered `AuthServer` for this issuer (RFC 8414 metadata).
    pub fn auth_server(&self) -> AuthServer {
        AuthServer::lazy(&self.url, Some(AuthServerType::OAuth)).unwrap()
    }

    /// A verifier for [`RESOURCE`] trusting this issuer, on `clock`.
    pub fn verifier(&self, clock: &ManualClock) -> JwtVerifier {
        JwtVerifier::new(RESOURCE)
            .unwrap()
            .with_issuer(self.auth_server())
            .unwrap()
            .with_clock(Arc::new(clock.clone()))
    }

    /// Claims valid at `now` for this issuer.
    pub fn claims(&self, now: i64) -> Value {
        valid_claims(&self.url, now)
    }

    /// Replaces the published keys (atomically, between two requests).
    pub fn publish(&self, keys: &[&TestKey]) {
        *self.state.keys.lock().unwrap() = keys.iter().map(|k| k.jwk()).collect();
    }

    /// Publishes these raw JWK values.
    pub fn publish_raw(&self, keys: Vec<Value>) {
        *self.state.keys.lock().unwrap() = keys;
    }

    /// Answers `/jwks` with this status (and no keys) while set.
    pub fn set_jwks_status(&self, status: Option<u16>) {
        self.state.knobs.lock().unwrap().status = status;
    }

    /// Answers `/jwks` with this raw body while set.
    pub fn set_jwks_body(&self, body: Option<Vec<u8>>) {
        self.state.knobs.lock().unwrap().body = body;
    }

    /// Adds this `Cache-Control` to `/jwks` answers.
    pub fn set_cache_control(&self, value: Option<&str>) {
        self.state.knobs.lock().unwrap().cache_control = value.map(str::to_owned);
    }

    /// Delays `/jwks` answers.
    pub fn set_jwks_delay(&self, delay: Option<Duration>) {
        self.state.knobs.lock().unwrap().delay = delay;
    }

    /// Holds metadata answers (both well-known paths) until `gate` reads `true`; `None` answers
    /// at once again.
    pub fn set_metadata_gate(&self, gate: Option<watch::Receiver<bool>>) {
        *self.state.metadata_gate.lock().unwrap() = gate;
    }

    /// The path of every request received so far (any method, any path), in order.
    pub fn paths(&self) -> Vec<String> {
        self.state.paths.lock().unwrap().clone()
    }

    pub fn metadata_hits(&self) -> usize {
        self.state.metadata_hits.load(Ordering::SeqCst)
    }

    pub fn jwks_hits(&self) -> usize {
        self.state.jwks_hits.load(Ordering::SeqCst)
    }
}

async fn record(State(state): State<Arc<IssuerState>>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    state.paths.lock().unwrap().push(path);
    next.run(request).await
}

async fn metadata(State(state): State<Arc<IssuerState>>) -> Response {
    state.metadata_hits.fetch_add(1, Ordering::SeqCst);
    let gate = state.metadata_gate.lock().unwrap().clone();
    if let Some(mut gate) = gate {
        // An error means the sender is gone: answer rather than hang.
        let _ = gate.wait_for(|open| *open).await;
    }
    let iss = &state.issuer;
    axum::Json(json!({
        "issuer": iss,
        "authorization_endpoint": format!("{iss}/authorize"),
        "token_endpoint": format!("{iss}/token"),
        "registration_endpoint": format!("{iss}/register"),
        "jwks_uri": format!("{iss}/jwks"),
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["none"],
        "scopes_supported": ["todo:read", "todo:write"],
    }))
    .into_response()
}

async fn jwks(State(state): State<Arc<IssuerState>>) -> Response {
    state.jwks_hits.fetch_add(1, Ordering::SeqCst);
    let knobs = state.knobs.lock().unwrap().clone();
    if let Some(delay) = knobs.delay {
        tokio::time::sleep(delay).await;
    }
    let mut response = match (knobs.status, knobs.body) {
        (Some(status), _) => StatusCode::from_u16(status).unwrap().into_response(),
        (None, Some(body)) => body.into_response(),
        (None, None) => {
            let keys = state.keys.lock().unwrap().clone();
            axum::Json(json!({ "keys": keys })).into_response()
        }
    };
    if let Some(cc) = knobs.cache_control {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_str(&cc).unwrap());
    }
    response
}

// ----------------------------------------------------------------------------------------
// Canary and log capture

/// A listener that must never be contacted (battery invariant I2): it counts every request.
pub struct Canary {
    pub url: String,
    hits: Arc<AtomicUsize>,
    task: JoinHandle<()>,
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Canary {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let app = Router::new().fallback(move || {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                StatusCode::NOT_FOUND
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { url, hits, task }
    }

    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

/// Captures `tracing` events of the current thread (use with a current-thread runtime).
#[derive(Clone, Default)]
pub struct Logs(Arc<Mutex<Vec<String>>>);

impl Logs {
    /// Starts capturing until the guard is dropped.
    pub fn capture() -> (Self, tracing::subscriber::DefaultGuard) {
        let logs = Self::default();
        let guard = tracing::subscriber::set_default(logs.clone());
        (logs, guard)
    }

    /// Every captured line, `LEVEL field=value ...`.
    pub fn lines(&self) -> Vec<String> {
        self.0.lock().unwrap().clone()
    }
}

struct Line(String);

impl tracing::field::Visit for Line {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }
}

impl tracing::Subscriber for Logs {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }

    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}

    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}

    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = Line(event.metadata().level().to_string());
        event.record(&mut line);
        self.0.lock().unwrap().push(line.0);
    }

    fn enter(&self, _: &tracing::span::Id) {}

    fn exit(&self, _: &tracing::span::Id) {}
}
