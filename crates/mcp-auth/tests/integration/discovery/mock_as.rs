//! A programmable authorization server on 127.0.0.1:0 for discovery tests: per-path replies
//! (JSON, raw bytes, redirects, huge, endless, trickling or stalled bodies), a "down" switch,
//! and a record of every request (path and header fields), in order.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use bytes::Bytes;
use futures_util::stream;
use http::{HeaderMap, Request, Response, StatusCode, header};

/// What a path answers.
#[derive(Clone)]
pub(super) enum Reply {
    /// `200` with this JSON text.
    Json(String),
    /// This status with this body.
    Raw(StatusCode, Vec<u8>),
    /// `302` to this location.
    Redirect(String),
    /// `200` with a body of this many bytes and a `Content-Length`.
    Huge(usize),
    /// `200` with a chunked body of this many bytes (no `Content-Length`).
    HugeChunked(usize),
    /// `200` with a chunked body that never ends.
    Endless,
    /// `200`, then one byte per second.
    Trickle,
    /// Never answers.
    Stall,
    /// `200` with this JSON text after a delay.
    Delayed(Duration, String),
    /// `200` with this JSON text and a `Set-Cookie`.
    WithCookie(String),
}

/// One request the server received.
#[derive(Clone, Debug)]
pub(super) struct Hit {
    pub(super) path: String,
    pub(super) headers: HeaderMap,
}

#[derive(Clone, Default)]
struct Shared {
    routes: Arc<Mutex<HashMap<String, Reply>>>,
    hits: Arc<Mutex<Vec<Hit>>>,
    down: Arc<AtomicBool>,
}

pub(super) struct MockAs {
    pub(super) addr: SocketAddr,
    shared: Shared,
}

impl MockAs {
    pub(super) async fn start() -> Self {
        let shared = Shared::default();
        let app = Router::new().fallback(answer).with_state(shared.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self { addr, shared }
    }

    /// `http://127.0.0.1:<port><path>`.
    pub(super) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub(super) fn route(&self, path: &str, reply: Reply) {
        self.shared
            .routes
            .lock()
            .expect("lock")
            .insert(path.to_owned(), reply);
    }

    pub(super) fn set_down(&self, down: bool) {
        self.shared.down.store(down, Ordering::SeqCst);
    }

    pub(super) fn hits(&self) -> Vec<Hit> {
        self.shared.hits.lock().expect("lock").clone()
    }

    pub(super) fn paths(&self) -> Vec<String> {
        self.hits().into_iter().map(|h| h.path).collect()
    }

    pub(super) fn count(&self, path: &str) -> usize {
        self.hits().iter().filter(|h| h.path == path).count()
    }
}

async fn answer(State(shared): State<Shared>, request: Request<Body>) -> Response<Body> {
    let path = request.uri().path().to_owned();
    shared.hits.lock().expect("lock").push(Hit {
        path: path.clone(),
        headers: request.headers().clone(),
    });
    if shared.down.load(Ordering::SeqCst) {
        return status(StatusCode::SERVICE_UNAVAILABLE, Body::from("down"));
    }
    let reply = shared.routes.lock().expect("lock").get(&path).cloned();
    match reply {
        None => status(StatusCode::NOT_FOUND, Body::from("not found")),
        Some(Reply::Json(text)) => json(text),
        Some(Reply::Raw(code, bytes)) => status(code, Body::from(bytes)),
        Some(Reply::Redirect(location)) => Response::builder()
            .status(StatusCode::FOUND)
            .header(header::LOCATION, location)
            .body(Body::empty())
            .expect("response"),
        Some(Reply::Huge(len)) => json_body(Body::from(vec![b' '; len])),
        Some(Reply::HugeChunked(len)) => {
            let chunks = len / 65_536;
            let body = stream::iter(
                (0..chunks).map(|_| Ok::<_, Infallible>(Bytes::from(vec![b' '; 65_536]))),
            );
            json_body(Body::from_stream(body))
        }
        Some(Reply::Endless) => {
            let body =
                stream::repeat_with(|| Ok::<_, Infallible>(Bytes::from_static(&[b' '; 8_192])));
            json_body(Body::from_stream(body))
        }
        Some(Reply::Trickle) => {
            let body = stream::unfold(0u32, |n| async move {
                if n > 0 {
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Some((Ok::<_, Infallible>(Bytes::from_static(b" ")), n + 1))
            });
            json_body(Body::from_stream(body))
        }
        Some(Reply::Stall) => {
            std::future::pending::<()>().await;
            status(StatusCode::OK, Body::empty())
        }
        Some(Reply::Delayed(delay, text)) => {
            tokio::time::sleep(delay).await;
            json(text)
        }
        Some(Reply::WithCookie(text)) => Response::builder()
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::SET_COOKIE, "session=s3cr3t; Path=/")
            .body(Body::from(text))
            .expect("response"),
    }
}

fn status(code: StatusCode, body: Body) -> Response<Body> {
    Response::builder()
        .status(code)
        .body(body)
        .expect("response")
}

fn json(text: String) -> Response<Body> {
    json_body(Body::from(text))
}

fn json_body(body: Body) -> Response<Body> {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .body(body)
        .expect("response")
}

/// A raw TCP listener that only counts connection attempts (a canary: any count above zero
/// means the client connected somewhere it must not).
pub(super) struct Canary {
    pub(super) addr: SocketAddr,
    accepted: Arc<AtomicUsize>,
}

impl Canary {
    pub(super) async fn start(bind: &str) -> Self {
        let listener = tokio::net::TcpListener::bind(bind).await.expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&accepted);
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(socket);
            }
        });
        Self { addr, accepted }
    }

    pub(super) fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
