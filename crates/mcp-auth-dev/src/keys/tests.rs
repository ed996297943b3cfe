#![allow(clippy::unwrap_used, clippy::expect_used)]

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation};
use serde_json::json;

use super::*;

/// RFC 7638 §3.1: the example RSA key and its thumbprint.
#[test]
fn thumbprint_matches_rfc7638_example() {
    let n = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_\
             BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_\
             FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4\
             vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    let members = json!({"e": "AQAB", "kty": "RSA", "n": n});
    assert_eq!(
        thumbprint(&members).unwrap(),
        "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
    );
}

fn sign_and_verify(alg: SigningAlgorithm) {
    let keys = KeySet::load_or_generate(alg, None).unwrap();
    let key = keys.active().unwrap();
    assert_eq!(key.algorithm(), alg);
    let set: JwkSet = serde_json::from_value(keys.jwks().clone()).unwrap();
    let jwk = set.find(key.kid()).expect("kid published");
    let published = &keys.jwks()["keys"][0];
    assert_eq!(published["use"], "sig");
    assert_eq!(published["alg"], alg.as_str());
    for private in ["d", "p", "q", "dp", "dq", "qi"] {
        assert!(published.get(private).is_none(), "{private} leaked");
    }

    let token = keys
        .sign(&json!({"sub": "s", "exp": 4_000_000_000u64}))
        .unwrap();
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), Some(key.kid()));
    let mut validation = Validation::new(alg.jwt_algorithm());
    validation.validate_aud = false;
    let decoded = jsonwebtoken::decode::<serde_json::Value>(
        &token,
        &DecodingKey::from_jwk(jwk).unwrap(),
        &validation,
    )
    .unwrap();
    assert_eq!(decoded.claims["sub"], "s");
}

#[test]
fn es256_key_signs_verifiable_tokens() {
    sign_and_verify(SigningAlgorithm::Es256);
}

#[test]
fn rs256_key_signs_verifiable_tokens() {
    sign_and_verify(SigningAlgorithm::Rs256);
}

#[test]
fn algorithm_names_round_trip() {
    for alg in [SigningAlgorithm::Es256, SigningAlgorithm::Rs256] {
        assert_eq!(alg.as_str().parse::<SigningAlgorithm>().unwrap(), alg);
    }
    assert!("es256".parse::<SigningAlgorithm>().is_err());
    assert!("HS256".parse::<SigningAlgorithm>().is_err());
}

#[test]
fn debug_hides_the_private_key() {
    let keys = KeySet::load_or_generate(SigningAlgorithm::Es256, None).unwrap();
    let debug = format!("{keys:?}");
    assert!(debug.contains("[redacted]"));
    assert!(!debug.contains("pkcs8"));
}
