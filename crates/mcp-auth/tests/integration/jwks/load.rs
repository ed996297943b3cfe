//! Concurrency and resource exhaustion (L): herds against cold and failing caches, rotation
//! under load, bounded state.

use std::time::Duration;

use mcp_auth::clock::ManualClock;
use mcp_auth::{JwtVerifier, VerifyErrorKind, VerifyErrorKind::*};
use serde_json::json;

use crate::jwt::{check, env};
use crate::support::{Issuer, NOW, TestKey, token, with};

async fn herd(verifier: &JwtVerifier, token: &str, n: usize) -> Vec<Result<(), VerifyErrorKind>> {
    let tasks: Vec<_> = (0..n)
        .map(|_| {
            let verifier = verifier.clone();
            let token = token.to_owned();
            tokio::spawn(async move { check(&verifier, &token).await.map(|_| ()) })
        })
        .collect();
    let mut results = Vec::with_capacity(n);
    for task in tasks {
        results.push(task.await.unwrap());
    }
    results
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l01_cold_cache_thundering_herd() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    issuer.set_jwks_delay(Some(Duration::from_millis(200)));
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let t = token(&key, &issuer.claims(NOW));
    let results = herd(&verifier, &t, 1000).await;
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    assert_eq!(issuer.metadata_hits(), 1);
    assert_eq!(issuer.jwks_hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l02_herd_against_a_failing_jwks() {
    let env = env().await;
    env.issuer.set_jwks_status(Some(500));
    env.issuer.set_jwks_delay(Some(Duration::from_millis(100)));
    let t = env.token(&env.claims());
    let results = herd(&env.verifier, &t, 1000).await;
    assert!(results.iter().all(|r| *r == Err(Unavailable)));
    assert_eq!(env.issuer.jwks_hits(), 1);
    let results = herd(&env.verifier, &t, 200).await;
    assert!(results.iter().all(|r| *r == Err(Unavailable)));
    assert_eq!(
        env.issuer.jwks_hits(),
        1,
        "one failed fetch per backoff window"
    );
    env.clock.advance(10);
    herd(&env.verifier, &t, 200).await;
    assert_eq!(env.issuer.jwks_hits(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn l04_rotation_under_load() {
    let env = env().await;
    let k2 = TestKey::rsa("k2", 1);
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 7200)));
    check(&env.verifier, &t).await.unwrap();
    env.issuer.set_jwks_delay(Some(Duration::from_millis(50)));
    let load = {
        let verifier = env.verifier.clone();
        let t = t.clone();
        tokio::spawn(async move { herd(&verifier, &t, 500).await })
    };
    // Rotate while the requests are in flight, and make the cached set stale so they refresh.
    env.issuer.publish(&[&env.key, &k2]);
    env.clock.advance(601);
    let results = load.await.unwrap();
    assert!(
        results.iter().all(Result::is_ok),
        "{:?}",
        results.iter().find(|r| r.is_err())
    );
    let k2_token = token(&k2, &with(env.issuer.claims(NOW), "exp", json!(NOW + 7200)));
    assert!(check(&env.verifier, &k2_token).await.is_ok());
}

#[tokio::test]
async fn l05_bounded_state_after_many_distinct_invalid_tokens() {
    let env = env().await;
    check(&env.verifier, &env.token(&env.claims()))
        .await
        .unwrap();
    let payload_for = |i: usize| {
        let claims = match i % 3 {
            0 => with(env.claims(), "iss", json!(format!("https://as-{i}.test"))),
            1 => with(
                env.claims(),
                "aud",
                json!(format!("https://rs-{i}.test/mcp")),
            ),
            _ => env.claims(),
        };
        claims.to_string()
    };
    for i in 0..10_000 {
        let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": format!("kid-{i}")}).to_string();
        let t = env.forge(h.as_bytes(), payload_for(i).as_bytes());
        assert!(check(&env.verifier, &t).await.is_err());
        if i % 1000 == 999 {
            env.clock.advance(1);
        }
    }
    // One metadata fetch, the initial JWKS fetch, and no refetch during the 30 s cooldown;
    // one cache, holding the same key set.
    assert_eq!(env.fetches(), (1, 1));
    assert_eq!(env.verifier.jwks_registry().len(), 1);
    let cache = env
        .verifier
        .jwks_registry()
        .get(&env.issuer.jwks_uri())
        .unwrap();
    assert_eq!(cache.cached_key_set().unwrap().len(), 1);
    assert_eq!(cache.fetch_count(), 1);
}
