//! The JWKS cache over real HTTP: rotation and unknown `kid`s (D05, D06), endpoint faults (H),
//! and concurrency and bounded state (L). Time moves with a `ManualClock`; nothing sleeps to
//! wait for cache timing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use mcp_auth::VerifyErrorKind::*;
use mcp_auth::clock::ManualClock;
use mcp_auth::http_client::{HttpClient, OutboundPolicy};
use mcp_auth::verify::{JwksCache, JwksCacheConfig};
use serde_json::{Value, json};

use crate::jwt::{check, env};
use crate::support::{Logs, NOW, TestKey, b64, token, with};

#[tokio::test]
async fn d05_unknown_kid_refetches_once_per_cooldown() {
    let env = env().await;
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    let unknown = |kid: &str| {
        let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": kid}).to_string();
        env.forge(h.as_bytes(), env.claims().to_string().as_bytes())
    };
    // Inside the cooldown of the first fetch: no refetch.
    assert_eq!(
        check(&env.verifier, &unknown("rotated-1"))
            .await
            .unwrap_err(),
        KeyNotFound
    );
    assert_eq!(env.issuer.jwks_hits(), 1);
    env.clock.advance(31);
    assert_eq!(
        check(&env.verifier, &unknown("rotated-2"))
            .await
            .unwrap_err(),
        KeyNotFound
    );
    assert_eq!(env.issuer.jwks_hits(), 2, "one refetch for an unknown kid");
    assert_eq!(
        check(&env.verifier, &unknown("rotated-3"))
            .await
            .unwrap_err(),
        KeyNotFound
    );
    assert_eq!(env.issuer.jwks_hits(), 2, "no refetch inside the cooldown");
    env.clock.advance(30);
    assert_eq!(
        check(&env.verifier, &unknown("rotated-4"))
            .await
            .unwrap_err(),
        KeyNotFound
    );
    assert_eq!(env.issuer.jwks_hits(), 3);
}

#[tokio::test]
async fn d06_key_rotation() {
    let env = env().await;
    let k2 = TestKey::rsa("k2", 1);
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    // The AS adds K2 and signs with it: one refetch, accepted.
    env.issuer.publish(&[&env.key, &k2]);
    env.clock.advance(31);
    let k2_token = token(&k2, &env.issuer.claims(NOW));
    assert!(check(&env.verifier, &k2_token).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);
    // The AS removes K1: K1 tokens work until the cached set goes stale, then are refused.
    env.issuer.publish(&[&k2]);
    let k1_token = env.token(&with(env.claims(), "exp", json!(NOW + 3600)));
    assert!(check(&env.verifier, &k1_token).await.is_ok());
    env.clock.advance(601);
    assert_eq!(
        check(&env.verifier, &k1_token).await.unwrap_err(),
        KeyNotFound
    );
    assert_eq!(env.issuer.jwks_hits(), 3);
    let k2_token = token(&k2, &with(env.issuer.claims(NOW), "exp", json!(NOW + 3600)));
    assert!(check(&env.verifier, &k2_token).await.is_ok());
}

#[tokio::test]
async fn h01_jwks_down_at_cold_start() {
    // An error status from a live server.
    let env = env().await;
    env.issuer.set_jwks_status(Some(503));
    let t = env.token(&env.claims());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    assert_eq!(
        env.issuer.jwks_hits(),
        1,
        "next attempt only after the backoff"
    );
    env.issuer.set_jwks_status(None);
    env.clock.advance(11);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);

    // Connection refused: a port nobody listens on.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let clock = ManualClock::new(NOW);
    let cache = JwksCache::new(
        &format!("http://127.0.0.1:{port}/jwks"),
        JwksCacheConfig::default(),
        HttpClient::new(),
    )
    .unwrap()
    .with_clock(Arc::new(clock.clone()));
    assert!(cache.key_set().await.unwrap_err().is_unavailable());
    assert!(cache.key_set().await.unwrap_err().is_unavailable());
    assert_eq!(cache.fetch_count(), 1);
    clock.advance(10);
    assert!(cache.key_set().await.is_err());
    assert_eq!(cache.fetch_count(), 2);
}

#[tokio::test]
async fn h02_slow_jwks_hits_the_deadline() {
    let env = env().await;
    env.issuer.set_jwks_delay(Some(Duration::from_secs(30)));
    let quick = HttpClient::with_policy(
        OutboundPolicy::default().with_deadline(Duration::from_millis(300)),
    );
    let verifier = env.verifier.clone().with_http_client(quick);
    let started = Instant::now();
    let result = check(&verifier, &env.token(&env.claims())).await;
    assert_eq!(result.unwrap_err(), Unavailable);
    // Generous upper bound: the deadline is 300 ms.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

const MALFORMED: [&str; 8] = [
    "null",
    "{}",
    r#"{"keys":null}"#,
    r#"{"keys":[null]}"#,
    r#"{"keys":{}}"#,
    "{",
    "<html><body>502 Bad Gateway</body></html>",
    r#"{"keys":[],"keys":[]}"#,
];

#[tokio::test]
async fn h04_malformed_jwks_cold_and_warm() {
    let env = uncached(env().await);
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 7200)));
    // Cold: unavailable, whatever the body.
    for body in MALFORMED {
        env.issuer.set_jwks_body(Some(body.as_bytes().to_vec()));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            Unavailable,
            "{body}"
        );
        env.clock.advance(11);
    }
    // Warm: the last good set is kept while the document is broken.
    env.issuer.set_jwks_body(None);
    assert!(check(&env.verifier, &t).await.is_ok());
    env.clock.advance(600);
    for body in MALFORMED {
        env.issuer.set_jwks_body(Some(body.as_bytes().to_vec()));
        env.clock.advance(11);
        let hits = env.issuer.jwks_hits();
        assert!(check(&env.verifier, &t).await.is_ok(), "{body}");
        assert_eq!(env.issuer.jwks_hits(), hits + 1, "{body} was fetched");
    }
}

#[tokio::test]
async fn h05_oversized_jwks() {
    let env = env().await;
    let t = env.token(&env.claims());
    // 300 KiB: over the 256 KiB cap.
    let padding = "x".repeat(300 * 1024);
    let big = json!({"keys": [env.key.jwk()], "padding": padding}).to_string();
    env.issuer.set_jwks_body(Some(big.into_bytes()));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    // 101 keys: over the key-count cap.
    let mut keys: Vec<Value> = (0..100)
        .map(|i| json!({"kty": "foo", "kid": format!("x{i}")}))
        .collect();
    keys.push(env.key.jwk());
    env.issuer.set_jwks_body(None);
    env.issuer.publish_raw(keys);
    env.clock.advance(11);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    // A smaller cap set by configuration.
    let config = JwksCacheConfig::default().with_max_bytes(1024).unwrap();
    let others = [
        TestKey::rsa("k2", 1),
        TestKey::rsa("k3", 2),
        TestKey::p521("k4"),
    ];
    env.issuer
        .publish(&[&env.key, &others[0], &others[1], &others[2]]);
    let capped = env.issuer.verifier(&env.clock).with_jwks_config(config);
    assert_eq!(check(&capped, &t).await.unwrap_err(), Unavailable);
}

#[tokio::test]
async fn h07_unknown_or_broken_keys_next_to_a_good_one() {
    let env = env().await;
    env.issuer.publish_raw(vec![
        json!({"kty": "foo", "kid": "a"}),
        json!({"kty": "RSA", "kid": "b", "n": b64(&env.key.rsa_n())}),
        json!({"kty": "EC", "crv": "P-192", "kid": "c", "x": "AAAA", "y": "AAAA"}),
        json!({"kty": "OKP", "crv": "X448", "kid": "d", "x": "AAAA"}),
        json!({"kty": "RSA", "kid": 7}),
        env.key.jwk(),
    ]);
    assert!(
        check(&env.verifier, &env.token(&env.claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn h09_private_key_material_published() {
    let (logs, _guard) = Logs::capture();
    let env = env().await;
    let secret = "UHJpdmF0ZUV4cG9uZW50U2hvdWxkTmV2ZXJCZVB1Ymxpc2hlZA";
    let mut jwk = env.key.jwk();
    for member in ["d", "p", "q", "dp", "dq", "qi"] {
        jwk[member] = json!(secret);
    }
    env.issuer.publish_raw(vec![jwk]);
    assert!(
        check(&env.verifier, &env.token(&env.claims()))
            .await
            .is_ok()
    );
    let lines = logs.lines();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("WARN") && l.contains("private key members")),
        "{lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains(secret)));
    let cache = env
        .verifier
        .jwks_registry()
        .get(&env.issuer.jwks_uri())
        .unwrap();
    let cached = format!("{:?} {:?}", cache, cache.cached_key_set().unwrap());
    assert!(!cached.contains(secret), "{cached}");
}

#[tokio::test]
async fn h12_outage_after_warm_cache() {
    let env = uncached(env().await);
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 3 * 3600)));
    assert!(check(&env.verifier, &t).await.is_ok());
    env.issuer.set_jwks_status(Some(500));
    // Stale after 10 min: the refresh fails, the last good set is used (stale-if-error).
    env.clock.advance(601);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2, "backoff after the failure");
    env.clock.advance(11);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 3);
    // Past the 1 h window after going stale: fail closed.
    env.clock.set(NOW + 600 + 3600);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    // Recovery.
    env.issuer.set_jwks_status(None);
    env.clock.advance(11);
    assert!(check(&env.verifier, &t).await.is_ok());
}

#[tokio::test]
async fn h13_cache_control_is_honoured_within_bounds() {
    // no-store / max-age=0: refetched after the 1 min floor, not per request.
    let env = uncached(env().await);
    env.issuer.set_cache_control(Some("max-age=0, no-store"));
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 90_000)));
    for _ in 0..5 {
        assert!(check(&env.verifier, &t).await.is_ok());
    }
    env.clock.advance(59);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 1);
    env.clock.advance(1);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);

    // max-age of a year: clamped to 24 h.
    let env = uncached(crate::jwt::env().await);
    env.issuer
        .set_cache_control(Some("public, max-age=31536000"));
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 200_000)));
    assert!(check(&env.verifier, &t).await.is_ok());
    env.clock.advance(86_399);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 1);
    env.clock.advance(1);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);

    // Plain max-age within bounds.
    let env = uncached(crate::jwt::env().await);
    env.issuer.set_cache_control(Some("max-age=120"));
    let t = env.token(&env.claims());
    assert!(check(&env.verifier, &t).await.is_ok());
    env.clock.advance(120);
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(env.issuer.jwks_hits(), 2);
}

mod load;

/// These tests watch the JWKS cache through the issuer's fetch count with one token: the
/// verifier's result cache would answer before the keys are looked at.
fn uncached(mut env: crate::jwt::Env) -> crate::jwt::Env {
    env.verifier = env.verifier.without_cache();
    env
}
