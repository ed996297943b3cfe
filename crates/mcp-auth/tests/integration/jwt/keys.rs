//! Signature and key-selection cases (D) over real HTTP.

use mcp_auth::VerifyErrorKind::*;
use mcp_auth::clock::ManualClock;
use serde_json::{Value, json};

use super::{check, env};
use crate::support::{Issuer, NOW, Signer, TestKey, b64, forge, token, with};

#[tokio::test]
async fn d01_tampered_payload_or_header() {
    let other = TestKey::rsa("k2", 1);
    let env = env().await;
    env.issuer.publish(&[&env.key, &other]);
    let good = env.token(&env.claims());
    let (head, rest) = good.split_once('.').unwrap();
    let (_, sig) = rest.split_once('.').unwrap();
    let swap_payload =
        |claims: &Value| format!("{head}.{}.{sig}", b64(claims.to_string().as_bytes()));
    let swap_header = |h: &Value| {
        let (_, tail) = good.split_once('.').unwrap();
        format!("{}.{tail}", b64(h.to_string().as_bytes()))
    };
    for tampered in [
        swap_payload(&with(env.claims(), "sub", json!("user-124"))),
        swap_payload(&with(
            env.claims(),
            "scope",
            json!("todo:read todo:write admin"),
        )),
        swap_header(&json!({"alg": "RS256", "typ": "at+jwt", "kid": "k2"})),
        swap_header(&json!({"alg": "RS256", "typ": "JWT", "kid": "k1"})),
    ] {
        assert_eq!(
            check(&env.verifier, &tampered).await.unwrap_err(),
            InvalidSignature
        );
    }
    assert!(check(&env.verifier, &good).await.is_ok());
}

#[tokio::test]
async fn d03_untrusted_key_with_trusted_kid() {
    let env = env().await;
    let impostor = TestKey::rsa("k1", 3);
    let t = token(&impostor, &env.claims());
    assert_eq!(
        check(&env.verifier, &t).await.unwrap_err(),
        InvalidSignature
    );
}

#[tokio::test]
async fn d04_missing_kid() {
    let env = env().await;
    let h = json!({"alg": "RS256", "typ": "at+jwt"}).to_string();
    let claims = with(env.claims(), "exp", json!(NOW + 7200));
    let t = env.forge(h.as_bytes(), claims.to_string().as_bytes());
    assert!(check(&env.verifier, &t).await.is_ok(), "one suitable key");
    // Two candidate RSA keys: the token must say which.
    let second = TestKey::rsa("k2", 1);
    env.issuer.publish(&[&env.key, &second]);
    env.clock.advance(601);
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
    // An EC key next to one RSA key is no candidate for RS256.
    env.issuer.publish(&[&env.key, &TestKey::p256("e1")]);
    env.clock.advance(601);
    assert!(check(&env.verifier, &t).await.is_ok());
}

/// The order n of P-256, big-endian.
const P256_N: [u8; 32] = [
    0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0xbc, 0xe6, 0xfa, 0xad, 0xa7, 0x17, 0x9e, 0x84, 0xf3, 0xb9, 0xca, 0xc2, 0xfc, 0x63, 0x25, 0x51,
];

#[tokio::test]
async fn d10_ecdsa_high_s_twin_is_valid_and_has_the_same_claims() {
    let key = TestKey::p256("e1");
    let issuer = Issuer::start(&[&key]).await;
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let t = token(&key, &issuer.claims(NOW));
    let (input, sig) = t.rsplit_once('.').unwrap();
    let mut sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    // s' = n - s (big-endian subtraction).
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let diff = i16::from(P256_N[i]) - i16::from(sig[32 + i]) - borrow;
        sig[32 + i] = diff.rem_euclid(256) as u8;
        borrow = i16::from(diff < 0);
    }
    let twin = format!("{input}.{}", b64(&sig));
    assert_ne!(twin, t);
    let a = check(&verifier, &t).await.unwrap();
    let b = check(&verifier, &twin).await.unwrap();
    // JOSE has no low-S rule: both verify. Anything keyed on the token must use the claims
    // (`jti`), which are identical, not the signature bytes.
    assert_eq!(a.claims, b.claims);
    assert_eq!(a.claims["jti"], "jti-1");
}

#[tokio::test]
async fn d11_eddsa_strictness() {
    let key = TestKey::ed25519("ed");
    let issuer = Issuer::start(&[&key]).await;
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let claims = issuer.claims(NOW);
    let t = token(&key, &claims);
    let (input, sig) = t.rsplit_once('.').unwrap();
    let mut sig =
        base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, sig).unwrap();
    // S + L: same scalar mod L, not canonical (RFC 8032 §5.1.7).
    const L: [u8; 32] = [
        0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde,
        0x14, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
    ];
    let mut carry = 0u16;
    for (s, l) in sig[32..].iter_mut().zip(L) {
        let sum = u16::from(*s) + u16::from(l) + carry;
        *s = sum as u8;
        carry = sum >> 8;
    }
    let malleated = format!("{input}.{}", b64(&sig));
    assert_eq!(
        check(&verifier, &malleated).await.unwrap_err(),
        InvalidSignature
    );

    // A small-order public key (the identity) would verify R = identity, S = 0 for any
    // message in aws-lc; the key is refused when the JWKS is parsed.
    let mut identity = [0u8; 32];
    identity[0] = 1;
    issuer.publish_raw(vec![
        json!({"kty": "OKP", "crv": "Ed25519", "kid": "id", "x": b64(&identity)}),
    ]);
    let verifier = issuer.verifier(&ManualClock::new(NOW));
    let mut forged_sig = vec![0u8; 64];
    forged_sig[0] = 1;
    let h = json!({"alg": "EdDSA", "typ": "at+jwt", "kid": "id"}).to_string();
    let forged = forge(
        h.as_bytes(),
        claims.to_string().as_bytes(),
        Signer::Bytes(forged_sig),
    );
    assert_eq!(check(&verifier, &forged).await.unwrap_err(), KeyNotFound);
}

/// EMSA-PKCS1-v1_5 encoding of SHA-256(`message`) for a `len`-byte modulus (RFC 8017 §9.2).
fn pkcs1_sha256_encoding(message: &[u8], len: usize) -> Vec<u8> {
    const DIGEST_INFO: [u8; 19] = [
        0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
        0x05, 0x00, 0x04, 0x20,
    ];
    let hash = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, message);
    let t = [&DIGEST_INFO[..], hash.as_ref()].concat();
    let mut em = vec![0x00, 0x01];
    em.resize(len - t.len() - 1, 0xff);
    em.push(0x00);
    em.extend_from_slice(&t);
    em
}

#[tokio::test]
async fn d12_weak_or_broken_rsa_keys() {
    let env = env().await;
    let n = env.key.rsa_n();
    // e = 1: the "signature" is the encoded message itself; anyone could forge it.
    env.issuer.publish_raw(vec![
        env.key.jwk(),
        json!({"kty": "RSA", "kid": "e1", "n": b64(&n), "e": "AQ"}),
        json!({"kty": "RSA", "kid": "short", "n": b64(&n[..128]), "e": "AQAB"}),
    ]);
    let payload = env.claims().to_string();
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "e1"}).to_string();
    let input = format!("{}.{}", b64(h.as_bytes()), b64(payload.as_bytes()));
    let forged = format!(
        "{input}.{}",
        b64(&pkcs1_sha256_encoding(input.as_bytes(), n.len()))
    );
    assert_eq!(
        check(&env.verifier, &forged).await.unwrap_err(),
        KeyNotFound
    );
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "short"}).to_string();
    let t = env.forge(h.as_bytes(), payload.as_bytes());
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
    // The good key of the same document still works.
    assert!(
        check(&env.verifier, &env.token(&env.claims()))
            .await
            .is_ok()
    );
}

#[tokio::test]
async fn d15_symmetric_key_in_the_remote_jwks() {
    let env = env().await;
    let secret = b"a-secret-published-for-everyone";
    env.issuer.publish_raw(vec![
        env.key.jwk(),
        json!({"kty": "oct", "kid": "s1", "k": b64(secret), "alg": "HS256"}),
    ]);
    let payload = env.claims().to_string();
    let h = json!({"alg": "HS256", "typ": "at+jwt", "kid": "s1"}).to_string();
    let t = forge(
        h.as_bytes(),
        payload.as_bytes(),
        Signer::Hmac("HS256", secret),
    );
    assert_eq!(
        check(&env.verifier, &t).await.unwrap_err(),
        UnsupportedAlgorithm
    );
    let h = json!({"alg": "RS256", "typ": "at+jwt", "kid": "s1"}).to_string();
    let t = forge(
        h.as_bytes(),
        payload.as_bytes(),
        Signer::Hmac("HS256", secret),
    );
    assert_eq!(check(&env.verifier, &t).await.unwrap_err(), KeyNotFound);
}

#[tokio::test]
async fn d16_encryption_only_keys() {
    for (member, value) in [
        ("use", json!("enc")),
        ("key_ops", json!(["encrypt"])),
        ("key_ops", json!([])),
    ] {
        let env = env().await;
        env.issuer
            .publish_raw(vec![with(env.key.jwk(), member, value.clone())]);
        let t = env.token(&env.claims());
        assert_eq!(
            check(&env.verifier, &t).await.unwrap_err(),
            KeyNotFound,
            "{member}: {value}"
        );
    }
}
