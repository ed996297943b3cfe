//! Scope claims and the signature-before-claims rule (G), the reference SDKs' JWT test
//! categories, and cache sharing between verifiers.

use std::sync::Arc;

use mcp_auth::VerifyErrorKind::*;
use mcp_auth::clock::ManualClock;
use mcp_auth::verify::{JwksRegistry, ScopeClaim};
use serde_json::json;

use super::{check, env};
use crate::support::{Issuer, NOW, RESOURCE, TestKey, token, with, without};

#[tokio::test]
async fn g05_scope_claim_shapes() {
    let env = env().await;
    let base = without(env.claims(), "scope");
    let scopes = |claims: serde_json::Value| env.token(&claims);
    for (claims, expected) in [
        (with(base.clone(), "scp", json!(["a", "b"])), vec!["a", "b"]),
        (with(base.clone(), "scp", json!("a b")), vec!["a", "b"]),
        (with(base.clone(), "scopes", json!(["a"])), vec!["a"]),
        (
            with(base.clone(), "scope", json!("  a  b ")),
            vec!["a", "b"],
        ),
        (base.clone(), vec![]),
    ] {
        let info = check(&env.verifier, &scopes(claims)).await.unwrap();
        assert_eq!(info.scopes, expected);
    }
    for bad in [json!(["a"]), json!(1), json!({"a": true}), json!(null)] {
        let t = scopes(with(base.clone(), "scope", bad.clone()));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidClaims,
            "{bad}"
        );
    }
    // Only the configured claim counts.
    let only_scope = env.verifier.clone().with_scope_claim(ScopeClaim::Scope);
    let t = scopes(with(base.clone(), "scp", json!(["admin"])));
    assert!(check(&only_scope, &t).await.unwrap().scopes.is_empty());
}

#[tokio::test]
async fn g06_conflicting_scope_claims() {
    let env = env().await;
    let claims = with(
        with(env.claims(), "scope", json!("read")),
        "scp",
        json!(["admin"]),
    );
    assert_eq!(
        check(&env.verifier, &env.token(&claims)).await.unwrap_err(),
        InvalidClaims
    );
    let scp = env.verifier.clone().with_scope_claim(ScopeClaim::Scp);
    assert_eq!(
        check(&scp, &env.token(&claims)).await.unwrap().scopes,
        ["admin"]
    );
}

#[tokio::test]
async fn g13_signature_before_claims() {
    let env = env().await;
    let expired = with(
        with(env.claims(), "exp", json!(NOW - 3600)),
        "iat",
        json!(NOW - 7200),
    );
    let good = env.token(&expired);
    assert_eq!(check(&env.verifier, &good).await.unwrap_err(), Expired);
    let (rest, _) = good.rsplit_once('.').unwrap();
    let bad_sig = format!("{rest}.{}", crate::support::b64(&[7u8; 256]));
    assert_eq!(
        check(&env.verifier, &bad_sig).await.unwrap_err(),
        InvalidSignature
    );
    let stranger = TestKey::rsa("stranger", 3);
    assert_eq!(
        check(&env.verifier, &token(&stranger, &expired))
            .await
            .unwrap_err(),
        KeyNotFound
    );
    // Wrong audience and bad signature: the signature is what is reported.
    let wrong_aud = env.token(&with(env.claims(), "aud", json!("https://x.test")));
    let (rest, _) = wrong_aud.rsplit_once('.').unwrap();
    let t = format!("{rest}.{}", crate::support::b64(&[7u8; 256]));
    assert_eq!(
        check(&env.verifier, &t).await.unwrap_err(),
        InvalidSignature
    );
}

#[tokio::test]
async fn sdk_categories_bad_signature_missing_claims_and_client_id_types() {
    // The reference SDKs' create_verify_jwt tests: bad signature, missing iss, missing sub,
    // non-string client_id, azp fallback, scope string / array / `scopes` fallback / absent.
    let env = env().await;
    let other_key = TestKey::rsa("k1", 2);
    assert_eq!(
        check(&env.verifier, &token(&other_key, &env.claims()))
            .await
            .unwrap_err(),
        InvalidSignature
    );
    assert_eq!(
        check(&env.verifier, &env.token(&without(env.claims(), "iss")))
            .await
            .unwrap_err(),
        InvalidIssuer
    );
    assert_eq!(
        check(&env.verifier, &env.token(&without(env.claims(), "sub")))
            .await
            .unwrap_err(),
        InvalidClaims
    );
    let numeric_client = with(env.claims(), "client_id", json!(42));
    assert_eq!(
        check(&env.verifier, &env.token(&numeric_client))
            .await
            .unwrap_err(),
        InvalidClaims
    );
    let no_client = without(env.claims(), "client_id");
    assert_eq!(
        check(&env.verifier, &env.token(&no_client))
            .await
            .unwrap()
            .client_id,
        None
    );
    let both = with(env.claims(), "azp", json!("other"));
    assert_eq!(
        check(&env.verifier, &env.token(&both))
            .await
            .unwrap()
            .client_id
            .as_deref(),
        Some("client-abc")
    );
}

#[tokio::test]
async fn verifiers_share_caches_through_a_registry() {
    let key = TestKey::rsa("k1", 0);
    let issuer = Issuer::start(&[&key]).await;
    let registry = JwksRegistry::new();
    let clock = Arc::new(ManualClock::new(NOW));
    let server = issuer.auth_server();
    let make = |resource: &str| {
        mcp_auth::JwtVerifier::new(resource)
            .unwrap()
            .with_issuer(server.clone())
            .unwrap()
            .with_clock(clock.clone())
            .with_jwks_registry(registry.clone())
    };
    let one = make(RESOURCE);
    let two = make("https://other.example.test/mcp");
    assert!(check(&one, &token(&key, &issuer.claims(NOW))).await.is_ok());
    let for_two = with(
        issuer.claims(NOW),
        "aud",
        json!("https://other.example.test/mcp"),
    );
    assert!(check(&two, &token(&key, &for_two)).await.is_ok());
    assert_eq!(issuer.jwks_hits(), 1);
    assert_eq!(registry.len(), 1);
    assert!(registry.get(&issuer.jwks_uri()).is_some());
}
