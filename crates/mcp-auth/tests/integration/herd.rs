//! The cold herd: a fresh protected server (lazy authorization server, nothing fetched at
//! start) gets 500 concurrent first requests, each with its own valid token, and the issuer
//! sees exactly one metadata fetch and one JWKS fetch; a warm second wave fetches nothing.
//!
//! These tests count fetches at the issuer; they never time anything. The issuer holds its
//! metadata answer until every request of the first wave is inside the protected server, so
//! the whole herd provably waits on the same cold fetch, and it answers the JWKS slowly so that
//! the herd piles up behind that fetch too.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::routing::get;
use mcp_auth::clock::{Clock, ManualClock, SystemClock};
use mcp_auth::listener::NoDelayListener;
use mcp_auth::{AuthInfo, AuthServer, JwtVerifier, McpAuth, ProtectedResource};
use serde_json::json;
use tokio::sync::watch;

use crate::support::{Issuer, NOW, RESOURCE, TestKey, token, valid_claims, with};

/// Requests per wave.
const HERD: usize = 500;
/// A bound on each wave so that a broken single flight fails the test instead of hanging it.
const DEADLINE: Duration = Duration::from_secs(60);
/// Makes the JWKS answer slow so that the herd piles up behind the one cold fetch; the tests
/// never measure time.
const JWKS_DELAY: Duration = Duration::from_millis(300);

/// The first path a lazy server with no declared type tries for a root issuer (RFC 8414).
const OAUTH: &str = "/.well-known/oauth-authorization-server";
const JWKS: &str = "/jwks";

/// The protected server, listening on 127.0.0.1.
struct Protected {
    base: String,
    /// Requests that reached the server (counted outside the Bearer layer).
    arrived: Arc<AtomicUsize>,
}

async fn whoami(info: AuthInfo) -> String {
    info.subject
}

/// Serves `GET /mcp` behind `auth.bearer_auth(verifier)` with a `NoDelayListener`. Every
/// request is counted on arrival, before the Bearer layer; once `HERD` have arrived, `open` is
/// set (the issuer's metadata gate).
async fn serve(auth: &McpAuth, verifier: JwtVerifier, open: watch::Sender<bool>) -> Protected {
    let arrived = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&arrived);
    let open = Arc::new(open);
    let count = move |request: Request, next: Next| {
        let counter = Arc::clone(&counter);
        let open = Arc::clone(&open);
        async move {
            if counter.fetch_add(1, Ordering::SeqCst) + 1 >= HERD {
                open.send_replace(true);
            }
            next.run(request).await
        }
    };
    let app = Router::new()
        .route("/mcp", get(whoami))
        .layer(auth.bearer_auth(verifier).expect("layer"))
        .layer(middleware::from_fn(count));
    let listener = NoDelayListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Protected {
        base: format!("http://{addr}"),
        arrived,
    }
}

/// A protected resource trusting `issuer` lazily: nothing is fetched before the first request.
fn mcp_auth(issuer: &Issuer) -> McpAuth {
    let server = AuthServer::lazy(&issuer.url, None).expect("issuer");
    McpAuth::new(
        ProtectedResource::new(RESOURCE)
            .expect("resource")
            .with_authorization_server(server),
    )
    .expect("auth")
}

/// The issuer of these tests: `key` published, the JWKS answered slowly and the metadata held
/// until the returned gate opens.
async fn slow_issuer(key: &TestKey) -> (Issuer, watch::Sender<bool>) {
    let issuer = Issuer::start(&[key]).await;
    issuer.set_jwks_delay(Some(JWKS_DELAY));
    let (open, gate) = watch::channel(false);
    issuer.set_metadata_gate(Some(gate));
    (issuer, open)
}

/// One request of a wave: its token and what the server must answer.
struct Case {
    token: String,
    expect: Expect,
}

enum Expect {
    /// `200` with this subject as the body.
    Subject(String),
    /// `401 invalid_token`.
    InvalidToken,
}

/// A token of its own (distinct `sub` and `jti`) for request `i` of wave `wave`, signed by `key`
/// and valid at `now`.
fn distinct_token(key: &TestKey, issuer: &Issuer, now: i64, wave: usize, i: usize) -> String {
    let claims = valid_claims(&issuer.url, now);
    let claims = with(claims, "sub", json!(format!("user-{wave}-{i}")));
    let claims = with(claims, "jti", json!(format!("herd-{wave}-{i}")));
    token(key, &claims)
}

/// Sends every case at once over real sockets and checks every answer.
async fn wave(protected: &Protected, issuer: &Issuer, cases: Vec<Case>) {
    let http = reqwest::Client::new();
    let url = format!("{}/mcp", protected.base);
    let tasks: Vec<_> = cases
        .into_iter()
        .map(|case| {
            let request = http.get(&url).bearer_auth(&case.token).send();
            tokio::spawn(async move {
                let response = request.await.expect("send");
                let status = response.status().as_u16();
                let challenge = response
                    .headers()
                    .get("www-authenticate")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or_default()
                    .to_owned();
                let body = response.text().await.expect("body");
                (case.expect, status, challenge, body)
            })
        })
        .collect();
    let answers = tokio::time::timeout(DEADLINE, futures_util::future::join_all(tasks))
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the wave did not finish within {DEADLINE:?}: {} requests arrived at the server; \
                 issuer saw {:?}",
                protected.arrived.load(Ordering::SeqCst),
                issuer.paths()
            )
        });
    for answer in answers {
        let (expect, status, challenge, body) = answer.expect("request task");
        match expect {
            Expect::Subject(subject) => {
                assert_eq!(
                    (status, body.as_str()),
                    (200, subject.as_str()),
                    "{challenge}"
                );
            }
            Expect::InvalidToken => {
                assert_eq!(status, 401, "{body}");
                assert!(
                    challenge.starts_with(r#"Bearer error="invalid_token""#),
                    "{challenge}"
                );
            }
        }
    }
}

/// (metadata fetches, JWKS fetches) seen by the issuer, from its record of request paths.
fn fetches(issuer: &Issuer) -> (usize, usize) {
    let paths = issuer.paths();
    let metadata = paths
        .iter()
        .filter(|p| p.starts_with("/.well-known/"))
        .count();
    let jwks = paths.iter().filter(|p| *p == JWKS).count();
    (metadata, jwks)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_herd_of_500_shares_one_metadata_and_one_jwks_fetch() {
    let key = TestKey::p256("herd-k1");
    let (issuer, open) = slow_issuer(&key).await;
    let auth = mcp_auth(&issuer);
    let protected = serve(&auth, auth.jwt_verifier().expect("verifier"), open).await;
    assert!(issuer.paths().is_empty(), "lazy: {:?}", issuer.paths());

    let now = SystemClock::default().now();
    for n in 1..=2 {
        let cases = (0..HERD)
            .map(|i| Case {
                token: distinct_token(&key, &issuer, now, n, i),
                expect: Expect::Subject(format!("user-{n}-{i}")),
            })
            .collect();
        wave(&protected, &issuer, cases).await;
        assert_eq!(protected.arrived.load(Ordering::SeqCst), n * HERD);
        // Wave 1 is the cold herd; wave 2 is warm and fetches nothing more.
        assert_eq!(
            issuer.paths(),
            [OAUTH, JWKS],
            "after wave {n}: one metadata fetch, then one JWKS fetch"
        );
    }
    assert_eq!(
        (issuer.metadata_hits(), issuer.jwks_hits()),
        (1, 1),
        "{:?}",
        issuer.paths()
    );
}

/// Every tenth token of each wave names a `kid` the issuer does not publish. The JWKS cache
/// documents "unknown `kid`: one refetch, at most once per cooldown (30 s)" (`verify::jwks`);
/// the verifier's clock is pinned, so the whole test lies inside one cooldown window and the
/// issuer may see at most the cold JWKS fetch plus one refetch, whatever the herd does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cold_herd_with_unknown_kids_stays_within_one_refetch_per_cooldown() {
    let key = TestKey::p256("herd-k1");
    let rogue = TestKey::p256("herd-unpublished");
    let (issuer, open) = slow_issuer(&key).await;
    let auth = mcp_auth(&issuer);
    let clock = ManualClock::new(NOW);
    let verifier = auth
        .jwt_verifier()
        .expect("verifier")
        .with_clock(Arc::new(clock));
    let protected = serve(&auth, verifier, open).await;
    assert!(issuer.paths().is_empty(), "lazy: {:?}", issuer.paths());

    for n in 1..=2 {
        let cases = (0..HERD)
            .map(|i| {
                if i % 10 == 3 {
                    Case {
                        token: distinct_token(&rogue, &issuer, NOW, n, i),
                        expect: Expect::InvalidToken,
                    }
                } else {
                    Case {
                        token: distinct_token(&key, &issuer, NOW, n, i),
                        expect: Expect::Subject(format!("user-{n}-{i}")),
                    }
                }
            })
            .collect();
        wave(&protected, &issuer, cases).await;
        let (metadata, jwks) = fetches(&issuer);
        let paths = issuer.paths();
        assert_eq!(metadata, 1, "after wave {n}: {paths:?}");
        assert!(
            (1..=2).contains(&jwks),
            "after wave {n}: the cold fetch and at most one unknown-kid refetch: {paths:?}"
        );
        assert_eq!(paths.len(), metadata + jwks, "nothing else: {paths:?}");
        println!("after wave {n}: issuer saw {paths:?}");
    }
}
