//! Battery cases that span several parts: cached results and `exp` (E11), no token passthrough
//! on outbound fetches (M03), and a slow issuer not starving other routes (L08).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::{get, post};
use mcp_auth::clock::{Clock, ManualClock, SystemClock};
use mcp_auth::verify::CachedVerifier;
use mcp_auth::{
    AuthServer, AuthServerType, BearerToken, JwtVerifier, TokenVerifier, VerifyErrorKind,
};
use serde_json::json;

use crate::support::{Issuer, NOW, RESOURCE, TestKey, token, valid_claims, with};

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn e11_cached_result_never_outlives_exp() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    let clock = ManualClock::new(NOW);
    let verifier = CachedVerifier::new(issuer.verifier(&clock), Duration::from_secs(3600), 100)
        .expect("cache")
        .with_clock(Arc::new(clock.clone()));
    // exp = NOW + 300; with the default 60 s leeway the token is good until NOW + 360.
    let t = BearerToken::new(token(&key, &issuer.claims(NOW)));
    assert!(verifier.verify(&t).await.is_ok());
    // Replayed while cached (TTL 1 h) but past exp + leeway: refused, never served from cache.
    clock.set(NOW + 300 + 60 + 1);
    let err = verifier.verify(&t).await.expect_err("expired");
    assert_eq!(err.kind(), VerifyErrorKind::Expired);
}

#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<HeaderMap>>>);

#[tokio::test]
async fn m03_inbound_token_never_forwarded_on_outbound_fetches() {
    let key = TestKey::p256("k1");
    let recorder = Recorder::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let jwk = key.jwk();
    let doc = json!({
        "issuer": base,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
    });
    let app = Router::new()
        .route(
            "/.well-known/oauth-authorization-server",
            get(move |State(r): State<Recorder>, headers: HeaderMap| {
                let doc = doc.clone();
                async move {
                    r.0.lock().expect("lock").push(headers);
                    axum::Json(doc)
                }
            }),
        )
        .route(
            "/jwks",
            get(move |State(r): State<Recorder>, headers: HeaderMap| {
                let jwk = jwk.clone();
                async move {
                    r.0.lock().expect("lock").push(headers);
                    axum::Json(json!({ "keys": [jwk] }))
                }
            }),
        )
        .with_state(recorder.clone());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });

    let server = AuthServer::lazy(&base, Some(AuthServerType::OAuth)).expect("issuer");
    let verifier = JwtVerifier::new(RESOURCE)
        .expect("verifier")
        .with_issuer(server)
        .expect("issuer");
    let now = SystemClock::default().now();
    let inbound = token(&key, &valid_claims(&base, now));
    let info = verifier
        .verify(&BearerToken::new(inbound.clone()))
        .await
        .expect("valid");
    assert_eq!(info.issuer, base);

    let seen = recorder.0.lock().expect("lock").clone();
    assert_eq!(seen.len(), 2, "one metadata and one JWKS fetch");
    for headers in seen {
        assert!(headers.get("authorization").is_none());
        assert!(headers.get("cookie").is_none());
        for value in headers.values() {
            let value = value.to_str().unwrap_or_default();
            assert!(
                !value.contains(&inbound),
                "the inbound token left the process"
            );
        }
    }
}

#[tokio::test]
async fn l08_slow_issuer_does_not_starve_other_routes() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    issuer.set_jwks_delay(Some(Duration::from_millis(1500)));
    let verifier = JwtVerifier::new(RESOURCE)
        .expect("verifier")
        .with_issuer(issuer.auth_server())
        .expect("issuer");
    let layer = mcp_auth::BearerAuthLayer::new(verifier);
    let app = Router::new()
        .route("/mcp", post(|| async { "ok" }).layer(layer))
        .route("/health", get(|| async { "up" }));
    let base = serve(app).await;
    let http = reqwest::Client::new();
    let good = token(
        &key,
        &with(
            issuer.claims(SystemClock::default().now()),
            "scope",
            json!("todo:read"),
        ),
    );

    let order = Arc::new(Mutex::new(Vec::<&'static str>::new()));
    let mut tasks = Vec::new();
    for _ in 0..200 {
        let (http, base, good, order) = (http.clone(), base.clone(), good.clone(), order.clone());
        tasks.push(tokio::spawn(async move {
            let r = http
                .post(format!("{base}/mcp"))
                .bearer_auth(good)
                .send()
                .await
                .expect("send");
            order.lock().expect("lock").push("protected");
            r.status().as_u16()
        }));
    }
    // While 200 cold-cache requests wait on the slow JWKS, an unrelated route still answers.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let health = http
        .get(format!("{base}/health"))
        .send()
        .await
        .expect("send");
    assert_eq!(health.status(), 200);
    order.lock().expect("lock").push("health");

    for task in tasks {
        assert_eq!(task.await.expect("join"), 200);
    }
    let order = order.lock().expect("lock").clone();
    assert_eq!(
        order.first(),
        Some(&"health"),
        "health waited for the slow issuer"
    );
    assert_eq!(issuer.jwks_hits(), 1, "one JWKS fetch for the whole herd");
}
