//! `UserinfoVerifier` against a real local authorization server (battery K08, K09, K10, K11,
//! cache rules).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_auth::clock::ManualClock;
use mcp_auth::http_client::{HttpClient, OutboundPolicy};
use mcp_auth::metadata::AuthorizationServerMetadata;
use mcp_auth::verify::UserinfoVerifier;
use mcp_auth::{
    AuthInfo, AuthServer, AuthServerConfig, BearerToken, ConfigError, TokenVerifier,
    VerifyErrorKind,
};
use serde_json::{Value, json};

use super::support::{Canary, NOW, RESOURCE, TestKey, token};

pub(crate) mod upstream;

use upstream::{Forced, Upstream};

const OPAQUE: &str = "opaque-access-token-1";

fn alice() -> Value {
    json!({"sub": "alice", "name": "Alice", "email": "alice@example.test", "scope": "openid profile"})
}

async fn start() -> (Upstream, ManualClock) {
    let upstream = Upstream::start().await;
    upstream.userinfo_for(OPAQUE, alice());
    (upstream, ManualClock::new(NOW))
}

fn verifier(upstream: &Upstream, clock: &ManualClock) -> UserinfoVerifier {
    UserinfoVerifier::new(upstream.auth_server())
        .unwrap()
        .with_clock(Arc::new(clock.clone()))
}

async fn check(v: &UserinfoVerifier, token: &str) -> Result<AuthInfo, VerifyErrorKind> {
    v.verify(&BearerToken::new(token))
        .await
        .map_err(|e| e.kind())
}

/// A signed JWT access token for `claims` (the signature is never checked by userinfo mode).
fn jwt(claims: &Value) -> String {
    token(&TestKey::ed25519("k1"), claims)
}

fn jwt_claims(upstream: &Upstream, aud: &str, exp: i64) -> Value {
    json!({"iss": upstream.url, "sub": "alice", "aud": aud, "exp": exp, "iat": NOW})
}

#[tokio::test]
async fn whoami_identity_from_userinfo() {
    let (upstream, clock) = start().await;
    let info = check(&verifier(&upstream, &clock), OPAQUE).await.unwrap();
    assert_eq!(info.issuer, upstream.url);
    assert_eq!(info.subject, "alice");
    assert_eq!(info.claims["email"], "alice@example.test");
    assert_eq!(info.scopes, ["openid", "profile"]);
    assert_eq!(info.token.secret(), OPAQUE);

    let seen = upstream.seen("/userinfo");
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, axum::http::Method::GET);
    assert_eq!(
        seen[0].header("authorization"),
        Some(format!("Bearer {OPAQUE}").as_str())
    );
    assert!(seen[0].body.is_empty());
}

#[tokio::test]
async fn lazy_server_discovers_the_endpoint() {
    let (upstream, clock) = start().await;
    let v = UserinfoVerifier::new(upstream.lazy_server())
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    assert_eq!(check(&v, OPAQUE).await.unwrap().subject, "alice");
}

#[tokio::test]
async fn cache_hits_are_served_without_upstream_calls_until_the_ttl() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    for _ in 0..5 {
        assert_eq!(check(&v, OPAQUE).await.unwrap().subject, "alice");
    }
    assert_eq!(upstream.hits("/userinfo"), 1);
    clock.advance(59);
    check(&v, OPAQUE).await.unwrap();
    assert_eq!(upstream.hits("/userinfo"), 1);
    clock.advance(1); // default TTL: 60 s
    check(&v, OPAQUE).await.unwrap();
    assert_eq!(upstream.hits("/userinfo"), 2);

    let uncached = v.without_cache();
    check(&uncached, OPAQUE).await.unwrap();
    check(&uncached, OPAQUE).await.unwrap();
    assert_eq!(upstream.hits("/userinfo"), 4);
}

#[tokio::test]
async fn k05_cache_never_outlives_the_jwt_exp() {
    let (upstream, clock) = start().await;
    let token = jwt(&jwt_claims(&upstream, RESOURCE, NOW + 10));
    upstream.userinfo_for(&token, alice());
    let v = verifier(&upstream, &clock)
        .with_cache(Duration::from_secs(600), 100)
        .unwrap();
    assert_eq!(check(&v, &token).await.unwrap().expires_at, Some(NOW + 10));
    clock.advance(9);
    check(&v, &token).await.unwrap();
    assert_eq!(upstream.hits("/userinfo"), 1);
    clock.advance(1);
    check(&v, &token).await.unwrap(); // inside the leeway, but no longer from the cache
    assert_eq!(upstream.hits("/userinfo"), 2);
    clock.advance(60);
    assert_eq!(
        check(&v, &token).await.unwrap_err(),
        VerifyErrorKind::Expired
    );
    assert_eq!(
        upstream.hits("/userinfo"),
        2,
        "an expired JWT costs no request"
    );
}

#[tokio::test]
async fn k05_errors_are_never_cached() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    upstream.force(Some(Forced::status(503)));
    assert_eq!(
        check(&v, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    assert_eq!(
        check(&v, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    upstream.force(None);
    assert_eq!(check(&v, OPAQUE).await.unwrap().subject, "alice");
    assert_eq!(upstream.hits("/userinfo"), 3);

    // A refusal is not remembered either.
    assert_eq!(
        check(&v, "later-valid").await.unwrap_err(),
        VerifyErrorKind::Inactive
    );
    upstream.userinfo_for("later-valid", alice());
    assert!(check(&v, "later-valid").await.is_ok());
    assert_eq!(upstream.hits("/userinfo"), 5);
}

#[tokio::test]
async fn k10_refusals_are_invalid_token() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock).without_cache();
    assert_eq!(
        check(&v, "unknown-token").await.unwrap_err(),
        VerifyErrorKind::Inactive
    );
    upstream.force(Some(Forced::status(403)));
    assert_eq!(
        check(&v, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Inactive
    );
    for body in [
        Forced::body("text/html", "<html>hello</html>"),
        Forced::body("application/json", "[]"),
        Forced::body("application/json", r#"{"name":"no sub"}"#),
        Forced::body("application/json", r#"{"sub":""}"#),
        Forced::body("application/json", r#"{"sub":42}"#),
        Forced::body(
            "application/jwt",
            "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhbGljZSJ9.",
        ),
        Forced::body("application/jwt", r#"{"sub":"alice"}"#),
    ] {
        upstream.force(Some(body));
        let kind = check(&v, OPAQUE).await.unwrap_err();
        assert_eq!(kind, VerifyErrorKind::InvalidClaims);
    }
}

#[tokio::test]
async fn k10_outages_are_unavailable() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock);
    for status in [500, 502, 503, 429, 404] {
        upstream.force(Some(Forced::status(status)));
        assert_eq!(
            check(&v, OPAQUE).await.unwrap_err(),
            VerifyErrorKind::Unavailable
        );
    }
    let huge = format!(
        r#"{{"sub":"alice","pad":"{}"}}"#,
        "x".repeat(10 * 1024 * 1024)
    );
    upstream.force(Some(Forced::body("application/json", huge)));
    assert_eq!(
        check(&v, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    upstream.force(None);

    // Timeout: the deadline of the server's HTTP client applies.
    let client = HttpClient::with_policy(
        OutboundPolicy::default().with_deadline(Duration::from_millis(300)),
    );
    let slow = UserinfoVerifier::new(upstream.auth_server().with_http_client(client)).unwrap();
    upstream.delay(Some(Duration::from_secs(20)));
    let started = Instant::now();
    assert_eq!(
        check(&slow, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // Network failure: nothing listens any more.
    let url = upstream.url.clone();
    let v = verifier(&upstream, &clock);
    drop(upstream);
    let err = v.verify(&BearerToken::new(OPAQUE)).await.unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Unavailable);
    assert!(!err.to_string().contains(OPAQUE));
    assert!(err.detail().unwrap().contains(&url));
}

#[tokio::test]
async fn k08_userinfo_alone_accepts_tokens_for_other_resources() {
    // Documented weakness: without a resource, a JWT for another API is accepted.
    let (upstream, clock) = start().await;
    let foreign = jwt(&jwt_claims(
        &upstream,
        "https://other-rs.test/api",
        NOW + 300,
    ));
    upstream.userinfo_for(&foreign, alice());
    assert!(check(&verifier(&upstream, &clock), &foreign).await.is_ok());
}

#[tokio::test]
async fn k08_with_resource_refuses_jwts_for_other_resources_without_calling_userinfo() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock).with_resource(RESOURCE).unwrap();
    let foreign = jwt(&jwt_claims(
        &upstream,
        "https://other-rs.test/api",
        NOW + 300,
    ));
    let no_aud = {
        let mut claims = jwt_claims(&upstream, RESOURCE, NOW + 300);
        claims.as_object_mut().unwrap().remove("aud");
        jwt(&claims)
    };
    for token in [&foreign, &no_aud] {
        upstream.userinfo_for(token, alice());
        assert_eq!(
            check(&v, token).await.unwrap_err(),
            VerifyErrorKind::InvalidAudience
        );
    }
    assert_eq!(upstream.hits("/userinfo"), 0);

    let ours = jwt(&jwt_claims(&upstream, RESOURCE, NOW + 300));
    upstream.userinfo_for(&ours, alice());
    let info = check(&v, &ours).await.unwrap();
    assert_eq!(info.resource.as_deref(), Some(RESOURCE));
    assert_eq!(info.audience, [RESOURCE]);
    assert_eq!(info.expires_at, Some(NOW + 300));

    // Opaque tokens: accepted on userinfo's word, unless the audience is required.
    assert!(check(&v, OPAQUE).await.is_ok());
    let strict = v.require_audience().unwrap();
    let hits = upstream.hits("/userinfo");
    assert_eq!(
        check(&strict, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::InvalidAudience
    );
    assert_eq!(upstream.hits("/userinfo"), hits);
    assert!(check(&strict, &ours).await.is_ok());
}

#[tokio::test]
async fn k10_userinfo_sub_must_match_the_jwt_sub() {
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock).with_resource(RESOURCE).unwrap();
    let token = jwt(&jwt_claims(&upstream, RESOURCE, NOW + 300));
    upstream.userinfo_for(&token, json!({"sub": "mallory"}));
    assert_eq!(
        check(&v, &token).await.unwrap_err(),
        VerifyErrorKind::InvalidClaims
    );
    upstream.userinfo_for(&token, json!({"sub": "alice"}));
    assert_eq!(check(&v, &token).await.unwrap().subject, "alice");
}

#[tokio::test]
async fn k11_jwt_shaped_token_failing_the_audience_never_falls_back_to_userinfo() {
    // A JWT-shaped token whose claims fail (foreign aud, expired, wrong-typed times) is refused
    // before any request: userinfo is not a second chance.
    let (upstream, clock) = start().await;
    let v = verifier(&upstream, &clock).with_resource(RESOURCE).unwrap();
    let mut expired = jwt_claims(&upstream, RESOURCE, NOW - 3600);
    expired["iat"] = json!(NOW - 7200);
    let cases = [
        (
            jwt(&jwt_claims(
                &upstream,
                "https://mcp.example.test/mcp/",
                NOW + 300,
            )),
            VerifyErrorKind::InvalidAudience,
        ),
        (jwt(&expired), VerifyErrorKind::Expired),
        (
            jwt(&json!({"sub": "alice", "aud": RESOURCE, "exp": "soon"})),
            VerifyErrorKind::InvalidClaims,
        ),
    ];
    for (token, expected) in cases {
        upstream.userinfo_for(&token, alice());
        assert_eq!(check(&v, &token).await.unwrap_err(), expected);
    }
    assert_eq!(upstream.hits("/userinfo"), 0);
}

fn metadata_with_userinfo(upstream: &Upstream, endpoint: &str) -> AuthorizationServerMetadata {
    let mut doc = upstream.metadata_json();
    doc["userinfo_endpoint"] = json!(endpoint);
    serde_json::from_value(doc).unwrap()
}

#[tokio::test]
async fn k09_userinfo_endpoint_on_another_origin_is_refused() {
    let (upstream, clock) = start().await;
    let canary = Canary::start().await;
    let stolen = format!("{}/userinfo", canary.url);

    // http to a non-loopback host: refused by the server configuration itself.
    let plain = metadata_with_userinfo(&upstream, "http://attacker.test/userinfo");
    assert!(AuthServer::from_config(AuthServerConfig::new(plain)).is_err());

    // Another origin (here another port): refused when the verifier is built.
    let foreign = metadata_with_userinfo(&upstream, &stolen);
    let server = AuthServer::from_config(AuthServerConfig::new(foreign)).unwrap();
    let err = UserinfoVerifier::new(server.clone()).unwrap_err();
    assert!(matches!(err, ConfigError::InvalidUrl { .. }), "{err}");
    assert!(err.to_string().contains("origin"));

    // Discovered lazily: every request is refused with 503, and the token goes nowhere.
    upstream.set_metadata("userinfo_endpoint", json!(stolen));
    let lazy = UserinfoVerifier::new(upstream.lazy_server())
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    for _ in 0..2 {
        let err = lazy.verify(&BearerToken::new(OPAQUE)).await.unwrap_err();
        assert_eq!(err.kind(), VerifyErrorKind::Unavailable);
        assert!(err.detail().unwrap().contains("origin"));
    }
    upstream.set_metadata("userinfo_endpoint", json!("https://attacker.test/userinfo"));
    let lazy = UserinfoVerifier::new(upstream.lazy_server()).unwrap();
    assert_eq!(
        check(&lazy, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    upstream.set_metadata("userinfo_endpoint", json!("http://attacker.test/userinfo"));
    let lazy = UserinfoVerifier::new(upstream.lazy_server()).unwrap();
    assert_eq!(
        check(&lazy, OPAQUE).await.unwrap_err(),
        VerifyErrorKind::Unavailable
    );
    assert_eq!(canary.hits(), 0);
    assert_eq!(upstream.hits("/userinfo"), 0);

    // The operator may name an endpoint on another host explicitly.
    let explicit = UserinfoVerifier::for_endpoint(server, &format!("{}/userinfo", upstream.url))
        .unwrap()
        .with_clock(Arc::new(clock.clone()));
    assert!(check(&explicit, OPAQUE).await.is_ok());
    assert_eq!(canary.hits(), 0);
}

#[tokio::test]
async fn metadata_without_userinfo_endpoint() {
    let (upstream, _) = start().await;
    let mut doc = upstream.metadata_json();
    doc.as_object_mut().unwrap().remove("userinfo_endpoint");
    let metadata: AuthorizationServerMetadata = serde_json::from_value(doc).unwrap();
    let server = AuthServer::from_config(AuthServerConfig::new(metadata)).unwrap();
    assert!(matches!(
        UserinfoVerifier::new(server),
        Err(ConfigError::InvalidSetting { .. })
    ));

    upstream.set_metadata("userinfo_endpoint", Value::Null);
    let lazy = UserinfoVerifier::new(upstream.lazy_server()).unwrap();
    let err = lazy.verify(&BearerToken::new(OPAQUE)).await.unwrap_err();
    assert_eq!(err.kind(), VerifyErrorKind::Unavailable);
    assert!(
        err.detail().unwrap().contains("no userinfo_endpoint"),
        "{err}"
    );
}
