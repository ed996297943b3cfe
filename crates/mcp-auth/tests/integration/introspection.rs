//! `IntrospectionVerifier` against a real local authorization server (battery K01, K03, K04,
//! K05, K06, K11, cache rules).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use mcp_auth::clock::ManualClock;
use mcp_auth::http_client::{HttpClient, OutboundPolicy};
use mcp_auth::verify::{ClientAuth, IntrospectionVerifier};
use mcp_auth::{AuthInfo, BearerToken, TokenVerifier, VerifyErrorKind};
use serde_json::{Value, json};

use super::support::{Canary, NOW, RESOURCE, TestKey, token};
use super::userinfo::upstream::{Expected, Forced, Upstream};

const TOKEN: &str = "2YotnFZFEjr1zCsicMWpAA";

fn active(upstream: &Upstream) -> Value {
    json!({
        "active": true, "iss": upstream.url, "sub": "alice", "aud": RESOURCE,
        "client_id": "inspector", "scope": "todo:read todo:write", "token_type": "Bearer",
        "exp": NOW + 600, "iat": NOW - 3600,
    })
}

async fn start() -> (Upstream, ManualClock) {
    let upstream = Upstream::start().await;
    upstream.introspection_for(TOKEN, active(&upstream));
    upstream.expect_client(Expected::Basic(format!(
        "Basic {}",
        STANDARD.encode("mcp-server:s3cret")
    )));
    (upstream, ManualClock::new(NOW))
}

fn verifier(upstream: &Upstream, clock: &ManualClock) -> IntrospectionVerifier {
    IntrospectionVerifier::new(
        upstream.auth_server(),
        RESOURCE,
        ClientAuth::basic("mcp-server", "s3cret"),
    )
    .unwrap()
    .with_clock(Arc::new(clock.clone()))
}

async fn check(v: &IntrospectionVerifier, token: &str) -> Result<AuthInfo, VerifyErrorKind> {
    v.verify(&BearerToken::new(token))
        .await
        .map_err(|e| e.kind())
}

fn with(mut value: Value, name: &str, member: Value) -> Value {
    value[name] = member;
    value
}

fn without(mut value: Value, name: &str) -> Value {
    value.as_object_mut().unwrap().remove(name);
    value
}

#[tokio::test]
async fn active_token_becomes_an_identity() {
    let (upstream, clock) = start().await;
    let info = check(&verifier(&upstream, &clock), TOKEN).await.unwrap();
    assert_eq!(info.issuer, upstream.url);
    assert_eq!(info.subject, "alice");
    assert_eq!(info.client_id.as_deref(), Some("inspector"));
    assert_eq!(info.scopes, ["todo:read", "todo:write"]);
    assert_eq!(info.audience, [RESOURCE]);
    assert_eq!(info.resource.as_deref(), Some(RESOURCE));
    assert_eq!(info.expires_at, Some(NOW + 600));
    assert_eq!(info.token.secret(), TOKEN);
}

#[tokio::test]
async fn k06_basic_authentication_and_form_observed_by_the_endpoint() {
    let (upstream, clock) = start().await;
    let canary = Canary::start().await;
    check(&verifier(&upstream, &clock), TOKEN).await.unwrap();

    let seen = upstream.seen("/introspect");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, axum::http::Method::POST);
    assert_eq!(
        seen[0].header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    let basic = format!("Basic {}", STANDARD.encode("mcp-server:s3cret"));
    assert_eq!(seen[0].header("authorization"), Some(basic.as_str()));
    assert_eq!(
        seen[0].form(),
        [
            ("token".to_owned(), TOKEN.to_owned()),
            ("token_type_hint".to_owned(), "access_token".to_owned())
        ]
    );

    // A JWT-shaped token naming other places (iss, jku) is still sent only to the
    // configured introspection endpoint.
    let key = TestKey::ed25519("k1");
    let lure = token(
        &key,
        &json!({"iss": canary.url, "jku": format!("{}/jwks", canary.url), "sub": "x",
                "aud": RESOURCE, "exp": NOW + 60}),
    );
    assert_eq!(
        check(&verifier(&upstream, &clock), &lure)
            .await
            .unwrap_err(),
        VerifyErrorKind::Inactive
    );
    assert_eq!(
        upstream.seen("/introspect")[1].form_value("token"),
        Some(lure)
    );
    assert_eq!(canary.hits(), 0);
    assert_eq!(upstream.hits("/userinfo"), 0);
}

#[tokio::test]
async fn k06_post_authentication_observed_by_the_endpoint() {
    let (upstream, clock) = start().await;
    upstream.expect_client(Expected::Post("mcp server".into(), "s3cret&x=1".into()));
    let v = IntrospectionVerifier::new(
        upstream.auth_server(),
        RESOURCE,
        ClientAuth::post("mcp server", "s3cret&x=1"),
    )
    .unwrap()
    .with_clock(Arc::new(clock.clone()));
    assert_eq!(check(&v, TOKEN).await.unwrap().subject, "alice");
    let seen = &upstream.seen("/introspect")[0];
    assert_eq!(seen.header("authorization"), None);
    assert_eq!(
        seen.form_value("token_type_hint").as_deref(),
        Some("access_token")
    );

    // Wrong credentials: the endpoint answers 401, which is an outage of *this* server's
    // configuration (503), never invalid_token for the user's token.
    let wrong = IntrospectionVerifier::new(
        upstream.auth_server(),
        RESOURCE,
        ClientAuth::post("mcp server", "wrong"),
    )
    .unwrap();
    assert_eq!(
        check(&wrong, TOKEN).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
}

#[tokio::test]
async fn k01_inactive_tokens_are_refused() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    assert_eq!(
        check(&v, "revoked").await.unwrap_err(),
        VerifyErrorKind::Inactive
    );
    for answer in [
        json!({"active": "true"}),
        json!({"active": 1}),
        with(active(&upstream), "active", json!(false)),
    ] {
        upstream.introspection_for("odd", answer);
        assert_eq!(
            check(&v, "odd").await.unwrap_err(),
            VerifyErrorKind::Inactive
        );
    }
    upstream.introspection_for("odd", without(active(&upstream), "active"));
    assert_eq!(
        check(&v, "odd").await.unwrap_err(),
        VerifyErrorKind::Inactive
    );
}

#[tokio::test]
async fn k03_active_but_not_for_this_resource() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    for answer in [
        with(active(&upstream), "aud", json!("https://other.test")),
        without(active(&upstream), "aud"),
    ] {
        upstream.introspection_for("other", answer);
        assert_eq!(
            check(&v, "other").await.unwrap_err(),
            VerifyErrorKind::InvalidAudience
        );
    }
    // Only an explicit, loudly named switch accepts them.
    assert!(
        check(&v.insecure_skip_audience_check(), "other")
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn k04_active_but_inconsistent() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock).without_cache();
    let cases = [
        (
            with(active(&upstream), "exp", json!(NOW - 120)),
            VerifyErrorKind::Expired,
        ),
        (
            with(active(&upstream), "iss", json!("https://evil.test")),
            VerifyErrorKind::InvalidIssuer,
        ),
        (
            with(active(&upstream), "token_type", json!("refresh_token")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(&upstream), "token_type", json!("DPoP")),
            VerifyErrorKind::InvalidClaims,
        ),
        (
            with(active(&upstream), "nbf", json!(NOW + 120)),
            VerifyErrorKind::NotYetValid,
        ),
        (
            without(active(&upstream), "sub"),
            VerifyErrorKind::InvalidClaims,
        ),
    ];
    for (answer, expected) in cases {
        upstream.introspection_for("odd", answer.clone());
        assert_eq!(check(&v, "odd").await.unwrap_err(), expected, "{answer}");
    }
    // Client-credentials tokens without `sub` are accepted only when asked for.
    let machines = v.allow_missing_subject();
    upstream.introspection_for("odd", without(active(&upstream), "sub"));
    assert_eq!(check(&machines, "odd").await.unwrap().subject, "inspector");
}

#[tokio::test]
async fn k05_faults_are_unavailable_and_never_cached() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    let faults = [
        Forced::status(500),
        Forced::body("text/html", "<html>maintenance</html>"),
        Forced::body("application/json", "[true]"),
        Forced::body("application/json", vec![b' '; 10 * 1024 * 1024]),
    ];
    for fault in faults {
        upstream.force(Some(fault));
        assert_eq!(
            check(&v, TOKEN).await.unwrap_err(),
            VerifyErrorKind::Unavailable
        );
    }
    upstream.force(None);
    assert_eq!(check(&v, TOKEN).await.unwrap().subject, "alice");
    assert_eq!(upstream.hits("/introspect"), 5, "no failure was cached");

    // Timeout.
    let client = HttpClient::with_policy(
        OutboundPolicy::default().with_deadline(Duration::from_millis(300)),
    );
    let slow = verifier(&upstream, &clock).with_http_client(client);
    upstream.delay(Some(Duration::from_secs(20)));
    let started = Instant::now();
    assert_eq!(
        check(&slow, TOKEN).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn k05_positive_cache_ttl_is_bounded_by_exp_and_the_configured_ttl() {
    let (upstream, clock) = start().await;
    upstream.introspection_for(TOKEN, with(active(&upstream), "exp", json!(NOW + 30)));
    let v = verifier(&upstream, &clock)
        .with_cache(Duration::from_secs(120), 1000)
        .unwrap();
    for _ in 0..3 {
        check(&v, TOKEN).await.unwrap();
    }
    assert_eq!(upstream.hits("/introspect"), 1);
    clock.advance(29);
    check(&v, TOKEN).await.unwrap();
    assert_eq!(upstream.hits("/introspect"), 1);
    clock.advance(1); // exp reached: never served from the cache
    check(&v, TOKEN).await.unwrap(); // the AS still says active; exp is inside the leeway
    assert_eq!(upstream.hits("/introspect"), 2);

    // Without exp, the configured TTL bounds the entry.
    clock.set(NOW);
    upstream.introspection_for("no-exp", without(active(&upstream), "exp"));
    check(&v, "no-exp").await.unwrap();
    clock.advance(119);
    check(&v, "no-exp").await.unwrap();
    assert_eq!(upstream.hits("/introspect"), 3);
    clock.advance(1);
    check(&v, "no-exp").await.unwrap();
    assert_eq!(upstream.hits("/introspect"), 4);
}

#[tokio::test]
async fn l01_concurrent_requests_for_one_token_share_one_introspection() {
    let (upstream, clock) = start().await;
    upstream.delay(Some(Duration::from_millis(100)));
    let v = Arc::new(verifier(&upstream, &clock));
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let v = Arc::clone(&v);
            tokio::spawn(async move { check(&v, TOKEN).await.map(|i| i.subject) })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap(), "alice");
    }
    assert_eq!(upstream.hits("/introspect"), 1);
}

#[tokio::test]
async fn k11_jwt_shaped_token_is_held_to_the_audience_check() {
    // Even when the AS reports a JWT-shaped token active, an answer for another audience is
    // refused: introspection is not a lenient fallback for tokens that fail JWT checks.
    let (upstream, clock) = start().await;
    let key = TestKey::ed25519("k1");
    let jwt = token(
        &key,
        &json!({"iss": upstream.url, "sub": "alice", "aud": "https://other.test", "exp": NOW + 60}),
    );
    upstream.introspection_for(
        &jwt,
        with(active(&upstream), "aud", json!("https://other.test")),
    );
    assert_eq!(
        check(&verifier(&upstream, &clock), &jwt).await.unwrap_err(),
        VerifyErrorKind::InvalidAudience
    );
}

#[tokio::test]
async fn k06_endpoint_comes_from_validated_metadata_only() {
    let (upstream, clock) = start().await;
    let canary = Canary::start().await;
    upstream.set_metadata(
        "introspection_endpoint",
        json!(format!("{}/introspect", canary.url)),
    );
    let v = IntrospectionVerifier::new(
        upstream.lazy_server(),
        RESOURCE,
        ClientAuth::basic("mcp-server", "s3cret"),
    )
    .unwrap()
    .with_clock(Arc::new(clock.clone()));
    let err = v.verify(&BearerToken::new(TOKEN)).await.unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Unavailable);
    assert!(err.detail().unwrap().contains("origin"), "{err}");
    assert_eq!(canary.hits(), 0);

    upstream.set_metadata("introspection_endpoint", Value::Null);
    let v = IntrospectionVerifier::new(
        upstream.lazy_server(),
        RESOURCE,
        ClientAuth::basic("mcp-server", "s3cret"),
    )
    .unwrap();
    let err = v.verify(&BearerToken::new(TOKEN)).await.unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Unavailable);
    assert!(
        err.detail().unwrap().contains("no introspection_endpoint"),
        "{err}"
    );

    // Configured explicitly, the metadata is not needed.
    let explicit = IntrospectionVerifier::for_endpoint(
        upstream.lazy_server(),
        &format!("{}/introspect", upstream.url),
        RESOURCE,
        ClientAuth::basic("mcp-server", "s3cret"),
    )
    .unwrap()
    .with_clock(Arc::new(clock.clone()));
    assert_eq!(check(&explicit, TOKEN).await.unwrap().subject, "alice");
    assert_eq!(upstream.hits("/introspect"), 1);
}
