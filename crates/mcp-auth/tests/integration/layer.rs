//! The Bearer layer over real sockets: axum on 127.0.0.1:0 and a raw TCP client, because
//! high-level clients normalize away what these cases send (duplicate fields, odd bytes,
//! oversized heads, bodies that never arrive).

use std::convert::Infallible;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use bytes::Bytes;
use http::{Request, Response};
use http_body::Body;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use mcp_auth::layer::BearerAuthLayer;
use mcp_auth::{AuthInfo, BearerToken, VerifyError, VerifyErrorKind};
use tower::Layer;

#[path = "../../src/challenge/grammar.rs"]
mod grammar;

const RM: &str = "https://api.example.com/.well-known/oauth-protected-resource/mcp";

fn verifier(token: BearerToken) -> Result<AuthInfo, VerifyError> {
    match token.secret() {
        "tok-alice" => {
            Ok(AuthInfo::new(token, "https://as.example.com", "alice").with_scopes(["todo:read"]))
        }
        "tok-bob" => Ok(AuthInfo::new(token, "https://as.example.com", "bob")),
        _ => Err(VerifyErrorKind::InvalidSignature.into()),
    }
}

/// A service shaped like rmcp's `StreamableHttpService` (any request body, response body
/// `BoxBody<Bytes, Infallible>`, `Error = Infallible`).
#[derive(Clone)]
struct StreamableShaped(Arc<AtomicUsize>);

impl<B> tower::Service<Request<B>> for StreamableShaped
where
    B: Body + Send + 'static,
    B::Data: Send,
    B::Error: std::fmt::Display,
{
    type Response = Response<BoxBody<Bytes, Infallible>>;
    type Error = Infallible;
    type Future = std::pin::Pin<
        Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send + 'static>,
    >;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        self.0.fetch_add(1, Ordering::SeqCst);
        Box::pin(async move {
            let subject = request
                .extensions()
                .get::<AuthInfo>()
                .map(|i| i.subject.clone())
                .unwrap_or_default();
            let len = match request.into_body().collect().await {
                Ok(body) => body.to_bytes().len(),
                Err(_) => 0,
            };
            Ok(Response::new(
                Full::from(format!("mcp {subject} {len}")).boxed(),
            ))
        })
    }
}

struct Server {
    addr: SocketAddr,
    handler_calls: Arc<AtomicUsize>,
}

impl Server {
    async fn start() -> Self {
        let handler_calls = Arc::new(AtomicUsize::new(0));
        let layer = BearerAuthLayer::new(|token: BearerToken| async move { verifier(token) })
            .with_resource_metadata(RM)
            .expect("valid URL")
            .require_scopes(["todo:read"])
            .expect("valid scopes");
        let calls = Arc::clone(&handler_calls);
        let whoami = move |info: AuthInfo| {
            let calls = Arc::clone(&calls);
            async move {
                calls.fetch_add(1, Ordering::SeqCst);
                format!("hello {}", info.subject)
            }
        };
        let app = Router::new()
            .route("/whoami", get(whoami.clone()).post(whoami))
            .route_layer(layer.clone())
            .nest_service(
                "/mcp",
                layer.layer(StreamableShaped(Arc::clone(&handler_calls))),
            )
            .route("/health", post(|| async { "ok" }));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Self {
            addr,
            handler_calls,
        }
    }

    fn handler_calls(&self) -> usize {
        self.handler_calls.load(Ordering::SeqCst)
    }

    /// Sends raw bytes and reads one response (the request asks the server to close).
    async fn raw(&self, request: Vec<u8>) -> Option<RawResponse> {
        let addr = self.addr;
        tokio::task::spawn_blocking(move || raw_exchange(addr, &request))
            .await
            .expect("join")
    }

    async fn get(&self, path: &str, authorization: &[&[u8]]) -> RawResponse {
        let mut request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n").into_bytes();
        for value in authorization {
            request.extend_from_slice(b"Authorization: ");
            request.extend_from_slice(value);
            request.extend_from_slice(b"\r\n");
        }
        request.extend_from_slice(b"Connection: close\r\n\r\n");
        self.raw(request).await.expect("a response")
    }
}

#[derive(Debug)]
struct RawResponse {
    status: u16,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
}

impl RawResponse {
    fn header_values(&self, name: &str) -> Vec<&[u8]> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_slice())
            .collect()
    }

    /// The single `WWW-Authenticate` value, checked against the strict grammar (I5).
    fn challenge(&self) -> grammar::Challenge {
        let values = self.header_values("www-authenticate");
        assert_eq!(values.len(), 1, "one challenge: {self:?}");
        grammar::check_bearer_challenge(values[0], Some(RM)).expect("I5")
    }

    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).expect("JSON body")
    }
}

fn parse_response(buf: &[u8]) -> Option<RawResponse> {
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&buf[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers: Vec<(String, Vec<u8>)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.to_owned(), v.trim().as_bytes().to_vec()))
        .collect();
    let body = buf[end + 4..].to_vec();
    let length = headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| std::str::from_utf8(v).ok()?.parse::<usize>().ok());
    if length.is_some_and(|l| body.len() < l) {
        return None;
    }
    Some(RawResponse {
        status,
        headers,
        body,
    })
}

/// Writes `request` (ignoring a reset: the server may answer before reading everything) and
/// reads until a complete response arrives or the server closes. `None`: no HTTP response.
fn raw_exchange(addr: SocketAddr, request: &[u8]) -> Option<RawResponse> {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .expect("timeout");
    let _ = stream.write_all(request);
    let mut buf = Vec::new();
    let mut chunk = [0u8; 16 * 1024];
    loop {
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                buf.extend_from_slice(&chunk[..n]);
                if let Some(response) = parse_response(&buf) {
                    return Some(response);
                }
            }
        }
    }
    parse_response(&buf)
}

#[tokio::test]
async fn control_valid_token_reaches_handler_once() {
    let server = Server::start().await;
    for scheme in ["Bearer", "bearer", "BEARER"] {
        let value = format!("{scheme} tok-alice");
        let response = server.get("/whoami", &[value.as_bytes()]).await;
        assert_eq!(response.status, 200, "{response:?}");
        assert_eq!(response.body, b"hello alice");
    }
    assert_eq!(server.handler_calls(), 3);
    // Surrounding whitespace is optional whitespace in HTTP/1.1.
    let response = server.get("/whoami", &[b"   Bearer   tok-alice   "]).await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn a01_no_credentials_over_http() {
    let server = Server::start().await;
    let response = server.get("/whoami", &[]).await;
    assert_eq!(response.status, 401);
    let challenge = response.challenge();
    assert_eq!(challenge.get("error"), None);
    assert_eq!(challenge.get("scope"), Some("todo:read"));
    assert_eq!(response.json()["error"], "unauthorized");
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn a07_duplicate_authorization_fields_in_both_orders() {
    let server = Server::start().await;
    let pairs: [(&[u8], &[u8]); 4] = [
        (b"Bearer tok-alice", b"Bearer tok-alice"),
        (b"Bearer tok-alice", b"Bearer garbage"),
        (b"Bearer tok-alice", b"Basic dXNlcjpwYXNz"),
        (b"Bearer tok-alice", b"Bearer tok-bob"),
    ];
    for (a, b) in pairs {
        for order in [[a, b], [b, a]] {
            for path in ["/whoami", "/mcp"] {
                let response = server.get(path, &order).await;
                assert_eq!(response.status, 400, "{path} {order:?}");
                assert_eq!(response.challenge().get("error"), Some("invalid_request"));
            }
        }
    }
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn a06_odd_bytes_in_the_authorization_field() {
    let server = Server::start().await;
    for value in [
        &b"Bearer tok-\xc3\xa9"[..],
        b"Bearer tok-alice\x80",
        b"Bearer\ttok-alice",
        b"Bearer tok\talice",
    ] {
        let response = server.get("/whoami", &[value]).await;
        assert_eq!(response.status, 400, "{value:?}");
        assert_eq!(response.challenge().get("error"), Some("invalid_request"));
    }
    for value in [
        &b"Bearer tok-alice\""[..],
        b"Bearer tok-alice extra",
        b"Bearer tok,alice",
    ] {
        let response = server.get("/whoami", &[value]).await;
        assert_eq!(response.status, 401, "{value:?}");
        assert_eq!(response.challenge().get("error"), Some("invalid_token"));
    }
    // NUL and bare CR are refused by the HTTP parser before the layer; never a 2xx.
    for value in [&b"Bearer tok-alice\x00"[..], b"Bearer tok-alice\rX"] {
        let response = server.raw(request_with(value)).await.expect("a response");
        assert_eq!(response.status, 400, "{value:?}");
    }
    assert_eq!(server.handler_calls(), 0);
}

fn request_with(authorization: &[u8]) -> Vec<u8> {
    let mut request = b"GET /whoami HTTP/1.1\r\nHost: localhost\r\nAuthorization: ".to_vec();
    request.extend_from_slice(authorization);
    request.extend_from_slice(b"\r\nConnection: close\r\n\r\n");
    request
}

#[tokio::test]
async fn a09_a10_query_tokens() {
    let server = Server::start().await;
    let response = server.get("/whoami?access_token=tok-alice", &[]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.challenge().get("error"), None);
    let response = server
        .get("/whoami?access_token=tok-alice", &[b"Bearer tok-alice"])
        .await;
    assert_eq!(response.status, 400);
    assert_eq!(response.challenge().get("error"), Some("invalid_request"));
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn a13_oversized_credentials() {
    let server = Server::start().await;
    // 64 KiB fits in the server's head buffer: the layer's 16 KiB cap answers.
    let value = format!("Bearer {}", "A".repeat(64 * 1024));
    let response = server.get("/whoami", &[value.as_bytes()]).await;
    assert_eq!(response.status, 401);
    assert_eq!(response.challenge().get("error"), Some("invalid_token"));
    // 1 MiB and 8 MiB exceed the HTTP server's head limit: hyper answers 431 itself.
    for len in [1024 * 1024, 8 * 1024 * 1024] {
        let value = format!("Bearer {}", "A".repeat(len));
        let response = server.raw(request_with(value.as_bytes())).await;
        let response = response.expect("hyper answers an oversized head");
        assert_eq!(response.status, 431, "{len}");
    }
    assert_eq!(server.handler_calls(), 0);
    // The server still answers afterwards (I3).
    let response = server.get("/whoami", &[b"Bearer tok-alice"]).await;
    assert_eq!(response.status, 200);
}

#[tokio::test]
async fn l07_large_unauthenticated_body_is_not_read() {
    let server = Server::start().await;
    for path in ["/whoami", "/mcp"] {
        // Announce 100 MiB, send 1 KiB, and wait: the answer must come without the rest.
        let mut request = format!(
            "POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            100 * 1024 * 1024
        )
        .into_bytes();
        request.extend(std::iter::repeat_n(b'x', 1024));
        let response = server.raw(request).await.expect("answered early");
        assert_eq!(response.status, 401, "{path}");
        assert_eq!(response.challenge().get("error"), None);
    }
    assert_eq!(server.handler_calls(), 0);
}

#[tokio::test]
async fn streamable_http_shaped_service_composes_in_axum() {
    let server = Server::start().await;
    let body = br#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#;
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer tok-alice\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    request.extend_from_slice(body);
    let response = server.raw(request).await.expect("a response");
    assert_eq!(response.status, 200, "{response:?}");
    assert_eq!(
        response.body,
        format!("mcp alice {}", body.len()).as_bytes()
    );
    // Scope enforcement and the JSON rejection body work through the boxed body type too.
    let response = server.get("/mcp", &[b"Bearer tok-bob"]).await;
    assert_eq!(response.status, 403);
    assert_eq!(response.challenge().get("scope"), Some("todo:read"));
    assert_eq!(response.json()["error"], "insufficient_scope");
    assert_eq!(
        response.header_values("content-type"),
        [b"application/json".as_slice()]
    );
    assert_eq!(server.handler_calls(), 1);
}
