//! Unit tests of the verifier with pinned keys (no network). Battery cases over real HTTP live
//! in `tests/integration/jwt.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use futures_util::FutureExt as _;
use serde_json::{Value, json};

use super::*;
use crate::clock::ManualClock;
use crate::error::VerifyErrorKind;
use crate::verify::jwk::tests::TestKey;

const RESOURCE: &str = "https://api.example.com/mcp";
const ISSUER: &str = "https://as.example.com";
const NOW: i64 = 1_700_000_000;

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn claims() -> Value {
    json!({
        "iss": ISSUER, "sub": "user-1", "aud": RESOURCE, "exp": NOW + 300, "iat": NOW,
        "client_id": "client-1", "jti": "j1", "scope": "read write",
    })
}

fn sign(key: &TestKey, alg: JwsAlgorithm, header: &Value, claims: &Value) -> BearerToken {
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = key.sign(alg, input.as_bytes());
    BearerToken::new(format!("{input}.{}", b64(&sig)))
}

fn rs256(claims: &Value) -> BearerToken {
    let header = json!({"alg": "RS256", "typ": "at+jwt", "kid": "r1"});
    sign(TestKey::rsa(), JwsAlgorithm::RS256, &header, claims)
}

fn verifier() -> JwtVerifier {
    let jwks = json!({"keys": [TestKey::rsa().jwk("r1")]}).to_string();
    JwtVerifier::new(RESOURCE)
        .unwrap()
        .with_static_jwks(ISSUER, jwks.as_bytes())
        .unwrap()
        .with_clock(Arc::new(ManualClock::new(NOW)))
}

fn check(verifier: &JwtVerifier, token: &BearerToken) -> Result<AuthInfo, VerifyErrorKind> {
    verifier
        .verify(token)
        .now_or_never()
        .expect("pinned keys need no I/O")
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

#[test]
fn a_valid_token_maps_to_auth_info() {
    let token = rs256(&claims());
    let info = check(&verifier(), &token).unwrap();
    assert_eq!(info.issuer, ISSUER);
    assert_eq!(info.subject, "user-1");
    assert_eq!(info.client_id.as_deref(), Some("client-1"));
    assert_eq!(info.scopes, ["read", "write"]);
    assert_eq!(info.audience, [RESOURCE]);
    assert_eq!(info.expires_at, Some(NOW + 300));
    assert_eq!(info.resource.as_deref(), Some(RESOURCE));
    assert_eq!(info.claims["jti"], "j1");
    assert_eq!(info.token.secret(), token.secret());
}

#[test]
fn client_id_falls_back_to_azp_except_in_the_strict_profile() {
    let v = verifier();
    let azp_only = with(without(claims(), "client_id"), "azp", json!("web"));
    assert_eq!(
        check(&v, &rs256(&azp_only)).unwrap().client_id.as_deref(),
        Some("web")
    );
    let both = with(claims(), "azp", json!("web"));
    assert_eq!(
        check(&v, &rs256(&both)).unwrap().client_id.as_deref(),
        Some("client-1")
    );
    let none = without(claims(), "client_id");
    assert_eq!(check(&v, &rs256(&none)).unwrap().client_id, None);
    for bad in [json!(7), json!(["c"]), json!(null), json!("")] {
        let token = rs256(&with(claims(), "client_id", bad));
        assert_eq!(
            check(&v, &token).unwrap_err(),
            VerifyErrorKind::InvalidClaims
        );
    }
    let strict = v.require_rfc9068_claims();
    assert!(check(&strict, &rs256(&claims())).is_ok());
    for missing in ["client_id", "jti", "iat"] {
        let token = rs256(&with(without(claims(), missing), "azp", json!("web")));
        assert_eq!(
            check(&strict, &token).unwrap_err(),
            VerifyErrorKind::InvalidClaims,
            "{missing}"
        );
    }
}

#[test]
fn typ_policy_and_algorithm_allow_list() {
    let header = |typ: Value| json!({"alg": "RS256", "typ": typ, "kid": "r1"});
    let token = |typ| sign(TestKey::rsa(), JwsAlgorithm::RS256, &header(typ), &claims());
    let v = verifier();
    assert!(check(&v, &token(json!("JWT"))).is_ok());
    let strict = v.clone().with_typ_policy(TypPolicy::Strict);
    assert_eq!(
        check(&strict, &token(json!("JWT"))).unwrap_err(),
        VerifyErrorKind::InvalidHeader
    );
    assert!(check(&strict, &token(json!("application/at+jwt"))).is_ok());
    assert_eq!(
        check(&v, &token(json!("dpop+jwt"))).unwrap_err(),
        VerifyErrorKind::InvalidHeader
    );

    let ps_only = v.clone().with_algorithms([JwsAlgorithm::PS256]).unwrap();
    assert_eq!(
        check(&ps_only, &rs256(&claims())).unwrap_err(),
        VerifyErrorKind::UnsupportedAlgorithm
    );
    let ps = sign(
        TestKey::rsa(),
        JwsAlgorithm::PS256,
        &json!({"alg": "PS256", "kid": "r1"}),
        &claims(),
    );
    assert!(check(&ps_only, &ps).is_ok());
    assert!(v.with_algorithms([]).is_err());
}

#[test]
fn issuer_is_checked_exactly() {
    let v = verifier();
    for iss in [
        json!("https://as.example.com/"),
        json!("https://AS.example.com"),
        json!("https://as.example.com.evil.test"),
        json!([ISSUER]),
        json!(1),
        json!(null),
    ] {
        let token = rs256(&with(claims(), "iss", iss.clone()));
        assert_eq!(
            check(&v, &token).unwrap_err(),
            VerifyErrorKind::InvalidIssuer,
            "{iss}"
        );
    }
    let token = rs256(&without(claims(), "iss"));
    assert_eq!(
        check(&v, &token).unwrap_err(),
        VerifyErrorKind::InvalidIssuer
    );
}

#[test]
fn audiences_extra_and_disabled() {
    let v = verifier();
    let other = rs256(&with(claims(), "aud", json!("api://default")));
    assert_eq!(
        check(&v, &other).unwrap_err(),
        VerifyErrorKind::InvalidAudience
    );
    let extra = v.clone().with_additional_audience("api://default").unwrap();
    assert!(check(&extra, &other).is_ok());
    assert!(v.clone().with_additional_audience("").is_err());
    assert!(v.clone().with_additional_audience("a b").is_err());
    let skip = v.insecure_skip_audience_check();
    assert!(check(&skip, &other).is_ok());
    assert!(check(&skip, &rs256(&without(claims(), "aud"))).is_ok());
    let bad_type = rs256(&with(claims(), "aud", json!(5)));
    assert_eq!(
        check(&skip, &bad_type).unwrap_err(),
        VerifyErrorKind::InvalidClaims
    );
}

#[test]
fn numeric_dates_may_be_fractional_or_huge() {
    let v = verifier();
    let fractional = with(claims(), "exp", json!(NOW as f64 + 0.5));
    assert_eq!(
        check(&v, &rs256(&fractional)).unwrap().expires_at,
        Some(NOW)
    );
    let huge = with(claims(), "exp", json!(1e300));
    assert_eq!(check(&v, &rs256(&huge)).unwrap().expires_at, Some(i64::MAX));
    let huge_int = with(claims(), "exp", json!(u64::MAX));
    assert!(check(&v, &rs256(&huge_int)).is_ok());
    let negative = with(without(claims(), "iat"), "exp", json!(-1e300));
    assert_eq!(
        check(&v, &rs256(&negative)).unwrap_err(),
        VerifyErrorKind::Expired
    );
    let before_iat = with(claims(), "exp", json!(-1e300));
    assert_eq!(
        check(&v, &rs256(&before_iat)).unwrap_err(),
        VerifyErrorKind::InvalidIssuedAt
    );
    let zero = with(claims(), "nbf", json!(-0.0));
    assert!(check(&v, &rs256(&zero)).is_ok());
}

#[test]
fn configuration_is_validated() {
    assert!(JwtVerifier::new("http://api.example.com/mcp").is_err());
    assert!(JwtVerifier::new("https://api.example.com/mcp#x").is_err());
    let v = verifier();
    assert!(v.clone().with_leeway(Duration::from_secs(301)).is_err());
    assert!(v.clone().with_leeway(Duration::from_secs(300)).is_ok());
    let jwks = json!({"keys": [TestKey::rsa().jwk("r1")]}).to_string();
    assert!(matches!(
        v.clone().with_static_jwks(ISSUER, jwks.as_bytes()),
        Err(ConfigError::DuplicateIssuer(_))
    ));
    assert!(
        v.clone()
            .with_static_jwks("https://x.test", br#"{"keys":[]}"#)
            .is_err()
    );
    assert!(v.clone().with_static_jwks("https://x.test", b"{").is_err());
    assert!(
        v.clone()
            .with_static_jwks("https://x.test?q", jwks.as_bytes())
            .is_err()
    );
    assert_eq!(v.issuers().collect::<Vec<_>>(), [ISSUER]);
    assert_eq!(v.resource(), RESOURCE);
}

#[test]
fn clones_share_the_configuration() {
    let v = verifier();
    let clone = v.clone();
    assert!(Arc::ptr_eq(&v.inner, &clone.inner));
}
