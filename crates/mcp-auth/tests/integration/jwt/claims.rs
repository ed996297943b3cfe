//! Claims cases over real HTTP: time (E), issuer / audience / subject / token kind (F), scopes
//! and the signature-before-claims rule (G), and the reference SDKs' JWT test categories.

use std::time::Duration;

use mcp_auth::VerifyErrorKind::*;
use mcp_auth::clock::ManualClock;
use mcp_auth::verify::TypPolicy;
use serde_json::json;

use super::{check, env};
use crate::support::{Canary, Issuer, NOW, RESOURCE, TestKey, header, token, with, without};

#[tokio::test]
async fn e01_exp_missing() {
    let env = env().await;
    let t = env.token(&without(env.claims(), "exp"));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidClaims);
}

#[tokio::test]
async fn e02_exp_equal_to_now_without_leeway() {
    let env = env().await;
    let verifier = env.verifier.clone().with_leeway(Duration::ZERO).unwrap();
    let at_now = with(
        with(env.claims(), "exp", json!(NOW)),
        "iat",
        json!(NOW - 60),
    );
    assert_eq!(
        check(&verifier, &env.token(&at_now)).await.unwrap_err(),
        Expired
    );
    let next_second = with(at_now, "exp", json!(NOW + 1));
    assert!(check(&verifier, &env.token(&next_second)).await.is_ok());
}

#[tokio::test]
async fn e03_leeway_boundaries() {
    let env = env().await;
    let l = 60;
    let base = with(env.claims(), "iat", json!(NOW - 3600));
    let exp = |e: i64| env.token(&with(base.clone(), "exp", json!(e)));
    let nbf = |n: i64| env.token(&with(base.clone(), "nbf", json!(n)));
    assert!(check(&env.verifier, &exp(NOW - l + 1)).await.is_ok());
    assert_eq!(
        check(&env.verifier, &exp(NOW - l)).await.unwrap_err(),
        Expired
    );
    assert_eq!(
        check(&env.verifier, &exp(NOW - l - 1)).await.unwrap_err(),
        Expired
    );
    assert!(check(&env.verifier, &nbf(NOW + l - 1)).await.is_ok());
    assert!(check(&env.verifier, &nbf(NOW + l)).await.is_ok());
    assert_eq!(
        check(&env.verifier, &nbf(NOW + l + 1)).await.unwrap_err(),
        NotYetValid
    );
    // The same token moves from valid to expired as the clock moves (no sleeping).
    let t = exp(NOW + 10);
    env.clock.advance(69);
    assert!(check(&env.verifier, &t).await.is_ok());
    env.clock.advance(1);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), Expired);
    assert!(
        env.verifier
            .clone()
            .with_leeway(Duration::from_secs(301))
            .is_err()
    );
}

#[tokio::test]
async fn e05_type_confused_time_claims() {
    let env = env().await;
    let future = (NOW + 3600).to_string();
    for (name, value) in [
        ("nbf", json!(future)),
        ("nbf", json!(true)),
        ("nbf", json!(null)),
        ("iat", json!(future)),
        ("iat", json!([NOW])),
        ("exp", json!((NOW + 300).to_string())),
        ("exp", json!({"value": NOW + 300})),
    ] {
        let t = env.token(&with(env.claims(), name, value.clone()));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidClaims,
            "{name}: {value}"
        );
    }
}

#[tokio::test]
async fn e06_future_nbf() {
    let env = env().await;
    let t = env.token(&with(env.claims(), "nbf", json!(NOW + 60 + 60)));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), NotYetValid);
}

#[tokio::test]
async fn e07_iat() {
    let env = env().await;
    let future = with(
        with(env.claims(), "iat", json!(NOW + 120)),
        "exp",
        json!(NOW + 600),
    );
    assert_eq!(
        check(&env.verifier, &env.token(&future)).await.unwrap_err(),
        InvalidIssuedAt
    );
    let missing = env.token(&without(env.claims(), "iat"));
    assert!(check(&env.verifier, &missing).await.is_ok());
    let strict = env.verifier.clone().require_rfc9068_claims();
    assert_eq!(check(&strict, &missing).await.unwrap_err(), InvalidClaims);
}

#[tokio::test]
async fn e08_inconsistent_times() {
    let env = env().await;
    let exp_before_iat = with(
        with(env.claims(), "iat", json!(NOW + 30)),
        "exp",
        json!(NOW + 29),
    );
    assert_eq!(
        check(&env.verifier, &env.token(&exp_before_iat))
            .await
            .unwrap_err(),
        InvalidIssuedAt
    );
    let exp_before_nbf = with(env.claims(), "nbf", json!(NOW + 301));
    assert_eq!(
        check(&env.verifier, &env.token(&exp_before_nbf))
            .await
            .unwrap_err(),
        InvalidIssuedAt
    );
}

#[tokio::test]
async fn f01_foreign_iss_and_i07_no_outbound_request() {
    let env = env().await;
    let canary = Canary::start().await;
    for iss in [
        "https://other.test".to_owned(),
        canary.url.clone(),
        "http://169.254.169.254".to_owned(),
        format!("{}/", env.issuer.url),
        env.issuer.url.replace("127.0.0.1", "localhost"),
    ] {
        let t = env.token(&with(env.claims(), "iss", json!(iss)));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidIssuer,
            "{iss}"
        );
    }
    assert_eq!(canary.hits(), 0);
    assert_eq!(
        env.fetches(),
        (0, 0),
        "untrusted issuers never cause a fetch"
    );
}

#[tokio::test]
async fn f05_iss_type() {
    let env = env().await;
    let url = env.issuer.url.clone();
    for iss in [json!([url]), json!(1), json!(null), json!({"iss": url})] {
        let t = env.token(&with(env.claims(), "iss", iss.clone()));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidIssuer,
            "{iss}"
        );
    }
    let t = env.token(&without(env.claims(), "iss"));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidIssuer);
    assert_eq!(env.fetches(), (0, 0));
}

#[tokio::test]
async fn f06_cross_issuer_key_use() {
    let key_a = TestKey::rsa("a1", 0);
    let key_b = TestKey::rsa("b1", 1);
    let a = Issuer::start(&[&key_a]).await;
    let b = Issuer::start(&[&key_b]).await;
    let verifier = a
        .verifier(&ManualClock::new(NOW))
        .with_issuer(b.auth_server())
        .unwrap();
    // iss = B, signed with A's key and kid.
    let t = token(&key_a, &b.claims(NOW));
    assert_eq!(check(&verifier, &t).await.unwrap_err(), KeyNotFound);
    assert_eq!(
        a.jwks_hits(),
        0,
        "A's keys are never consulted for B's tokens"
    );
    // Both issuers' own tokens are fine.
    assert!(
        check(&verifier, &token(&key_b, &b.claims(NOW)))
            .await
            .is_ok()
    );
    assert!(
        check(&verifier, &token(&key_a, &a.claims(NOW)))
            .await
            .is_ok()
    );
    // A duplicate issuer is a configuration error.
    assert!(verifier.with_issuer(a.auth_server()).is_err());
}

#[tokio::test]
async fn f07_aud_missing() {
    let env = env().await;
    let t = env.token(&without(env.claims(), "aud"));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidAudience);
}

#[tokio::test]
async fn f08_token_for_another_resource() {
    let env = env().await;
    for aud in [
        "https://other-rs.test/mcp",
        "https://mcp.example.test/mcp/",
        "https://mcp.example.test/",
        "https://mcp.example.test/mcp?x=1",
        "http://mcp.example.test/mcp",
        "https://mcp.example.test:8443/mcp",
    ] {
        let t = env.token(&with(env.claims(), "aud", json!(aud)));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidAudience,
            "{aud}"
        );
    }
}

#[tokio::test]
async fn f09_audience_arrays_and_normalization() {
    let env = env().await;
    let ok = |aud: serde_json::Value| env.token(&with(env.claims(), "aud", aud));
    for aud in [
        json!(["https://other.test", RESOURCE]),
        json!("HTTPS://MCP.Example.Test:443/mcp"),
        json!([RESOURCE]),
    ] {
        assert!(
            check(&env.verifier, &ok(aud.clone())).await.is_ok(),
            "{aud}"
        );
    }
    for aud in [json!(["https://a.test", "https://b.test"]), json!([])] {
        assert_eq!(
            check(&env.verifier, &ok(aud.clone())).await.unwrap_err(),
            InvalidAudience,
            "{aud}"
        );
    }
    for aud in [json!([RESOURCE, 1]), json!(5), json!({"aud": RESOURCE})] {
        assert_eq!(
            check(&env.verifier, &ok(aud.clone())).await.unwrap_err(),
            InvalidClaims,
            "{aud}"
        );
    }
}

#[tokio::test]
async fn f12_id_token_replay() {
    let env = env().await;
    let id_token_claims = with(
        with(
            with(env.claims(), "aud", json!("client-abc")),
            "nonce",
            json!("n-0S6_WzA2Mj"),
        ),
        "at_hash",
        json!("77QmUPtjPfzWtF2AnpK9RQ"),
    );
    let h = with(header(&env.key), "typ", json!("JWT")).to_string();
    let t = env.forge(h.as_bytes(), id_token_claims.to_string().as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidAudience);
    let strict = env.verifier.clone().with_typ_policy(TypPolicy::Strict);
    assert_eq!(check(&strict, &t).await.unwrap_err(), InvalidHeader);
}

#[tokio::test]
async fn f13_sub() {
    let env = env().await;
    for sub in [json!(123), json!(""), json!(null), json!(["user"])] {
        let t = env.token(&with(env.claims(), "sub", sub.clone()));
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            InvalidClaims,
            "{sub}"
        );
    }
    let t = env.token(&without(env.claims(), "sub"));
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), InvalidClaims);
}

#[tokio::test]
async fn f14_client_credentials_sub_collision() {
    let env = env().await;
    let claims = with(env.claims(), "sub", json!("client-abc"));
    let info = check(&env.verifier, &env.token(&claims)).await.unwrap();
    // Both are exposed separately; the SDK never decides this is a "user".
    assert_eq!(info.subject, "client-abc");
    assert_eq!(info.client_id.as_deref(), Some("client-abc"));
}

#[tokio::test]
async fn f15_other_rfc9068_claims() {
    let env = env().await;
    let strict = env.verifier.clone().require_rfc9068_claims();
    let azp_only = with(without(env.claims(), "client_id"), "azp", json!("web-app"));
    let info = check(&env.verifier, &env.token(&azp_only)).await.unwrap();
    assert_eq!(info.client_id.as_deref(), Some("web-app"));
    assert_eq!(
        check(&strict, &env.token(&azp_only)).await.unwrap_err(),
        InvalidClaims
    );
    let no_jti = without(env.claims(), "jti");
    assert!(check(&env.verifier, &env.token(&no_jti)).await.is_ok());
    assert_eq!(
        check(&strict, &env.token(&no_jti)).await.unwrap_err(),
        InvalidClaims
    );
    assert!(check(&strict, &env.token(&env.claims())).await.is_ok());
}
