//! The verifier's result cache: a verified token is remembered (a key withdrawn from the JWKS
//! does not refuse it while remembered), never past the token's `exp`, failures are not
//! remembered, and `without_cache` verifies every time.

use std::time::Duration;

use serde_json::json;

use super::{VerifyErrorKind::*, check, env};
use crate::support::{NOW, TestKey, with};

/// Replaces the issuer's published keys by an unrelated key: `k1` disappears.
fn withdraw_k1(env: &super::Env) {
    let other = TestKey::rsa("k2", 1);
    let jwks = json!({ "keys": [other.jwk()] }).to_string();
    env.issuer.set_jwks_body(Some(jwks.into_bytes()));
}

#[tokio::test]
async fn a_verified_token_is_remembered_until_its_exp() {
    let env = env().await;
    let verifier = env
        .verifier
        .clone()
        .with_cache(Duration::from_secs(3600), 100)
        .unwrap();
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 900)));
    assert!(check(&verifier, &t).await.is_ok());

    // The key is withdrawn and the JWKS goes stale (10 min): a fresh verification fails...
    withdraw_k1(&env);
    env.clock.advance(601);
    let uncached = verifier.clone().without_cache();
    assert_eq!(check(&uncached, &t).await.unwrap_err(), KeyNotFound);
    // ...while the remembered result still stands.
    assert!(check(&verifier, &t).await.is_ok());

    // At `exp` the entry is gone, whatever the TTL: verified again, and refused.
    env.clock.set(NOW + 900);
    assert_eq!(check(&verifier, &t).await.unwrap_err(), KeyNotFound);
}

#[tokio::test]
async fn the_default_remembers_for_at_most_a_minute() {
    let env = env().await;
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 7200)));
    assert!(check(&env.verifier, &t).await.is_ok());
    withdraw_k1(&env);
    // Within the default 60 s nothing is fetched: the result is remembered.
    env.clock.advance(59);
    let hits = env.issuer.jwks_hits();
    assert!(check(&env.verifier, &t).await.is_ok());
    assert_eq!(
        env.issuer.jwks_hits(),
        hits,
        "answered from the result cache"
    );
    // After 10 min the keys are refreshed and the entry is long gone: refused.
    env.clock.advance(600);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
}

#[tokio::test]
async fn failures_are_not_remembered() {
    let env = env().await;
    let t = env.token(&with(env.claims(), "exp", json!(NOW + 7200)));
    env.issuer.set_jwks_status(Some(500));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Unavailable);
    env.issuer.set_jwks_status(None);
    env.clock.advance(11);
    assert!(check(&env.verifier, &t).await.is_ok());
}

#[tokio::test]
async fn each_token_is_remembered_with_its_own_identity() {
    let env = env().await;
    let alice = env.token(&with(env.claims(), "sub", json!("alice")));
    let bob = env.token(&with(env.claims(), "sub", json!("bob")));
    for _ in 0..3 {
        assert_eq!(check(&env.verifier, &alice).await.unwrap().subject, "alice");
        let info = check(&env.verifier, &bob).await.unwrap();
        assert_eq!(info.subject, "bob");
        assert_eq!(
            info.token.secret(),
            bob,
            "the presented token, not a cached one"
        );
    }
}
